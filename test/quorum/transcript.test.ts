// Runs every transcript in src/server/quorum/testdata/ and compares each command's events with
// the recorded ones. ZK_REWRITE=1 rewrites the files with what happens now (then read the diff).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTranscript, headerOf, parseTranscript, TranscriptRunner } from './sim/transcript';

const DIR = join(__dirname, '..', '..', 'src', 'server', 'quorum', 'testdata');
const rewrite = process.env.ZK_REWRITE === '1';

describe('quorum transcripts', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();
  it('has transcripts to run', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, () => {
      const path = join(DIR, file);
      const text = readFileSync(path, 'utf8');
      const runner = new TranscriptRunner();
      const results = parseTranscript(text).map((b) => ({ ...b, actual: runner.run(b.command) }));
      if (rewrite) {
        writeFileSync(path, formatTranscript(results, headerOf(text)));
        return;
      }
      for (const r of results) expect(`${r.command}\n${r.actual}`, `${file}: ${r.command}`).toBe(`${r.command}\n${r.expected}`);
    });
  }
});

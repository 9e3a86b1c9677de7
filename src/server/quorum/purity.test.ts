// The protocol cores own no clock, no timer, no randomness, no socket and no file: the runtime
// and the simulator bring those. This keeps them that way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const HERE = __dirname;
const CORE = [join(HERE, 'election'), join(HERE, 'zab'), join(HERE, 'vote.ts'), join(HERE, 'peer-core.ts')];

const FORBIDDEN: [RegExp, string][] = [
  [/\bsetTimeout\s*\(/, 'setTimeout'],
  [/\bsetInterval\s*\(/, 'setInterval'],
  [/\bsetImmediate\s*\(/, 'setImmediate'],
  [/\bqueueMicrotask\s*\(/, 'queueMicrotask'],
  [/\bDate\.now\s*\(/, 'Date.now'],
  [/\bnew Date\s*\(/, 'new Date'],
  [/\bperformance\.now\s*\(/, 'performance.now'],
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\bprocess\./, 'process'],
  [/\bPromise\b/, 'Promise (cores are synchronous)'],
  [/\basync\s+function\b|\basync\s*\(/, 'async'],
  [/from\s+['"](node:)?(net|fs|fs\/promises|dgram|http|child_process|timers|worker_threads|crypto)['"]/, 'a Node I/O module'],
  [/require\(\s*['"](node:)?(net|fs|dgram|http|child_process|timers)['"]\s*\)/, 'a Node I/O module'],
];

function* sources(p: string): Generator<string> {
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p)) yield* sources(join(p, name));
  } else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) {
    yield p;
  }
}

describe('quorum cores are pure', () => {
  it('use no timers, clocks, randomness, sockets or files', () => {
    const found: string[] = [];
    let files = 0;
    for (const root of CORE) {
      for (const file of sources(root)) {
        files++;
        const lines = readFileSync(file, 'utf8').split('\n');
        lines.forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '');
          for (const [re, what] of FORBIDDEN) if (re.test(code)) found.push(`${relative(HERE, file)}:${i + 1} uses ${what}`);
        });
      }
    }
    expect(files).toBeGreaterThanOrEqual(6);
    expect(found).toEqual([]);
  });

  it('the check itself catches a timer', () => {
    const sample = 'const t = setTimeout(() => {}, 10); const n = Date.now();';
    expect(FORBIDDEN.filter(([re]) => re.test(sample)).map(([, w]) => w)).toEqual(['setTimeout', 'Date.now']);
  });
});

// `node dist/lab/follow-log.js <file> [lines]`: a node's live log in its Log terminal. Prints the
// last lines of the file, then what is appended, until killed; when the file is rolled (emptied
// by src/lab/logrotate.ts) or replaced, it says so and goes on from its start. What `tail -F`
// does, without needing tail (Windows has none).
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const POLL_MS = 250;

function size(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

function readRange(file: string, from: number, to: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of a text (a trailing newline kept). */
export function lastLines(text: string, lines: number): string {
  let i = text.length;
  if (text.endsWith('\n')) i--;
  for (let n = 0; n < lines && i > 0; n++) i = text.lastIndexOf('\n', i - 1);
  return i <= 0 ? text : text.slice(i + 1);
}

export function follow(file: string, lines: number, write: (s: string) => void): () => void {
  let offset = 0;
  const start = size(file);
  if (start === null) write(`(${file} does not exist yet; waiting for it)\n`);
  else {
    // Enough of the end for `lines` lines of a ZooKeeper log (under 400 bytes a line).
    const from = Math.max(0, start - lines * 400);
    write(lastLines(readRange(file, from, start), lines));
    offset = start;
  }
  const timer = setInterval(() => {
    const now = size(file);
    if (now === null) return;
    if (now < offset) {
      write(`\n--- ${file} was rolled; following it from its start ---\n`);
      offset = 0;
    }
    if (now > offset) {
      // At most 1 MiB per tick: a burst is printed over a few ticks rather than at once.
      const to = Math.min(now, offset + 1024 * 1024);
      write(readRange(file, offset, to));
      offset = to;
    }
  }, POLL_MS);
  return () => clearInterval(timer);
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: follow-log <file> [lines]\n');
    process.exit(2);
  }
  process.stdout.on('error', () => process.exit(0));
  follow(file, Number(n ?? 500) || 500, (s) => process.stdout.write(s));
}

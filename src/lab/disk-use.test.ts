import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesUnder, labDiskUse } from './disk-use';

describe("a lab's disk use", () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds up each member’s data and logs, the history and the rest, as the files occupy the disk', () => {
    dir = mkdtempSync(join(tmpdir(), 'diskuse-'));
    const file = (p: string, bytes: number): void => {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), Buffer.alloc(bytes, 1));
    };
    file('node1/data/version-2/log.1', 100_000);
    file('node1/zoo.cfg', 300);
    file('node1/server.log', 50_000);
    file('node1/server.log.1', 20_000);
    file('node2/data/version-2/snapshot.0', 8_000);
    file('history.sqlite', 40_000);
    file('history.sqlite-wal', 4_000);
    file('lab.json', 900);
    const use = labDiskUse(dir, [1, 2, 3]);
    const on = (p: string): number => bytesUnder(join(dir, p));
    expect(use.members).toEqual([
      { myid: 1, data: on('node1/data') + on('node1/zoo.cfg'), logs: on('node1/server.log') + on('node1/server.log.1') },
      { myid: 2, data: on('node2'), logs: 0 },
      { myid: 3, data: 0, logs: 0 },
    ]);
    expect(use.history).toBe(on('history.sqlite') + on('history.sqlite-wal'));
    expect(use.other).toBe(on('lab.json'));
    expect(use.total).toBe(on('.'));
    // Occupied, not merely sized: at least what was written, in whole blocks.
    expect(on('node1/server.log')).toBeGreaterThanOrEqual(50_000);
  });

  // Windows reports sizes, not blocks: there a file counts as long as it is.
  it.skipIf(process.platform === 'win32')('counts a sparse file by what it occupies, as a preallocated txn log is', () => {
    dir = mkdtempSync(join(tmpdir(), 'diskuse-'));
    const f = join(dir, 'log.1');
    writeFileSync(f, 'x');
    // 64 MiB long, one byte written: a sparse file on the file systems that make them.
    truncateSync(f, 64 * 1024 * 1024);
    expect(bytesUnder(f)).toBeLessThan(64 * 1024 * 1024);
    expect(bytesUnder(join(dir, 'gone'))).toBe(0);
  });
});

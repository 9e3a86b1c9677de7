// server.log rolls by size like ZooKeeper's RollingFileAppender, and a member writing to it
// through an append-mode descriptor (as the supervisor opens it) goes on at the new start.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logLimitsFrom, parseSize, rollIfLarge, LogRoller, DEFAULT_LOG_LIMITS } from './logrotate';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zk-lab-logs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const line = (i: number): string => `2026-12-07 10:00:00,000 [myid:1] - INFO  - line ${String(i).padStart(6, '0')}\n`;

describe('rollIfLarge', () => {
  it('keeps the newest lines in server.log and N backups, the oldest dropped, while the writer goes on', async () => {
    const file = join(dir, 'server.log');
    const fd = openSync(file, 'a');
    const limits = { maxBytes: 2000, backups: 3 };
    let i = 0;
    try {
      for (let round = 0; round < 8; round++) {
        for (let k = 0; k < 40; k++) writeSync(fd, line(i++));
        expect(await rollIfLarge(file, limits)).toBe(true);
        // The writer's next line lands at the start of the emptied file, not after a hole.
        writeSync(fd, line(i++));
        expect(readFileSync(file, 'utf8')).toBe(line(i - 1));
      }
    } finally {
      closeSync(fd);
    }
    expect(existsSync(`${file}.3`)).toBe(true);
    expect(existsSync(`${file}.4`)).toBe(false);
    // Backups from oldest to newest, then the live file: one unbroken run of the last lines.
    const all = [3, 2, 1].map((n) => readFileSync(`${file}.${n}`, 'utf8')).join('') + readFileSync(file, 'utf8');
    const numbers = all.trimEnd().split('\n').map((l) => Number(/line (\d+)/.exec(l)![1]));
    expect(numbers.at(-1)).toBe(i - 1);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, k) => numbers[0]! + k));
    expect(numbers.length).toBe(3 * 41 + 1);
  });

  it('leaves a log under the limit alone, and a missing one is no error', async () => {
    const file = join(dir, 'server.log');
    expect(await rollIfLarge(file, { maxBytes: 100, backups: 2 })).toBe(false);
    const fd = openSync(file, 'a');
    writeSync(fd, line(1));
    closeSync(fd);
    expect(await rollIfLarge(file, { maxBytes: 10_000, backups: 2 })).toBe(false);
    expect(statSync(file).size).toBe(line(1).length);
  });

  it('with no backups, empties the log', async () => {
    const file = join(dir, 'server.log');
    const fd = openSync(file, 'a');
    for (let k = 0; k < 10; k++) writeSync(fd, line(k));
    closeSync(fd);
    expect(await rollIfLarge(file, { maxBytes: 100, backups: 0 })).toBe(true);
    expect(statSync(file).size).toBe(0);
    expect(existsSync(`${file}.1`)).toBe(false);
  });
});

describe('LogRoller', () => {
  it('rolls each log that grew past the limit in one pass and reports what it could not roll', async () => {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    const fd = openSync(a, 'a');
    for (let k = 0; k < 50; k++) writeSync(fd, line(k));
    closeSync(fd);
    const errors: string[] = [];
    // b.log is a folder: it cannot be rolled, and says so.
    rmSync(b, { force: true });
    mkdirSync(b);
    const fdb = openSync(join(dir, 'small.log'), 'a');
    writeSync(fdb, 'x'.repeat(300));
    closeSync(fdb);
    await new LogRoller(() => [a, b, join(dir, 'small.log')], { maxBytes: 200, backups: 1 }, (m) => errors.push(m)).once();
    expect(statSync(a).size).toBe(0);
    expect(statSync(`${a}.1`).size).toBe(50 * line(0).length);
    expect(statSync(join(dir, 'small.log')).size).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/b\.log could not be rolled .*permissions and free space/);
  });
});

describe('log limits', () => {
  it('reads sizes as log4j writes them and refuses what is not one', () => {
    expect(parseSize('10MB')).toBe(10 * 1024 * 1024);
    expect(parseSize('512kb')).toBe(512 * 1024);
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('ten')).toBeNull();
    expect(parseSize('0')).toBeNull();
    expect(logLimitsFrom({})).toEqual(DEFAULT_LOG_LIMITS);
    expect(logLimitsFrom({ ZK_LAB_LOG_MAXFILESIZE: '1MB', ZK_LAB_LOG_MAXBACKUPINDEX: '0' })).toEqual({ maxBytes: 1024 * 1024, backups: 0 });
    expect(() => logLimitsFrom({ ZK_LAB_LOG_MAXFILESIZE: 'big' })).toThrow(/not a size.*10MB/);
    expect(() => logLimitsFrom({ ZK_LAB_LOG_MAXBACKUPINDEX: '-1' })).toThrow(/not a count/);
  });
});

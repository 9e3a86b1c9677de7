// The Log terminal's follower: the last lines, then what is appended, and on from the start when
// the log is rolled.
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { follow, lastLines } from './follow-log';
import { waitFor } from '../../test/support/ourzk';

let dir: string | null = null;
let stop: (() => void) | null = null;
afterEach(() => {
  stop?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('follow-log', () => {
  it('takes the last lines of a text', () => {
    expect(lastLines('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(lastLines('a\nb\nc', 2)).toBe('b\nc');
    expect(lastLines('a\nb\n', 5)).toBe('a\nb\n');
  });

  it('prints the end of the log, then appended lines, then says when the log was rolled', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-lab-follow-'));
    const file = join(dir, 'server.log');
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''));
    let out = '';
    stop = follow(file, 3, (s) => (out += s));
    expect(out).toBe('line 997\nline 998\nline 999\n');
    appendFileSync(file, 'line 1000\n');
    await waitFor(() => out.endsWith('line 1000\n'), 5000, 'the appended line');
    truncateSync(file, 0);
    appendFileSync(file, 'after\n');
    await waitFor(() => out.endsWith('after\n'), 5000, 'the line after the roll');
    expect(out).toContain(`--- ${file} was rolled; following it from its start ---`);
  });

  it('waits for a log that does not exist yet', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-lab-follow-'));
    const file = join(dir, 'server.log');
    let out = '';
    stop = follow(file, 10, (s) => (out += s));
    expect(out).toMatch(/does not exist yet/);
    writeFileSync(file, 'first\n');
    await waitFor(() => out.endsWith('first\n'), 5000, 'the first line');
  });
});

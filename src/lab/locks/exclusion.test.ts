// The mutual-exclusion check: an acquisition while another interval is open is an overlap,
// reported with both clients and their times; touching intervals are not.
import { describe, expect, it } from 'vitest';
import { ExclusionChecker } from './exclusion';

describe('ExclusionChecker', () => {
  it('accepts holders one after another, even when one starts the moment the other ends', () => {
    const x = new ExclusionChecker();
    x.acquire(1, '0x1', 'seq-0000000001', 1000);
    expect(x.holders()).toEqual([1]);
    expect(x.release(1, 1010, 'released')).toMatchObject({ client: 1, acquiredAt: 1000, releasedAt: 1010, how: 'released' });
    x.acquire(2, '0x2', 'seq-0000000002', 1010);
    x.release(2, 1020, 'lost');
    expect(x.violations).toEqual([]);
    expect(x.intervals).toBe(2);
    expect(x.holders()).toEqual([]);
  });

  it('reports an overlap with both clients, their sessions, nodes and times', () => {
    const x = new ExclusionChecker();
    x.acquire(3, '0x3', 'seq-0000000007', Date.UTC(2026, 0, 1, 10, 0, 0, 0));
    x.acquire(5, '0x5', 'seq-0000000009', Date.UTC(2026, 0, 1, 10, 0, 0, 250));
    expect(x.holders()).toEqual([3, 5]);
    expect(x.violations).toHaveLength(1);
    expect(x.violations[0]).toMatchObject({ kind: 'overlap', clients: [3, 5] });
    expect(x.violations[0]!.detail).toBe(
      'client 5 (session 0x5, seq-0000000009) acquired the lock at 10:00:00.250 while client 3 (session 0x3, seq-0000000007) held it since 10:00:00.000',
    );
    expect(x.count()).toBe(1);
  });

  it('refuses a second acquisition by the same client without a release', () => {
    const x = new ExclusionChecker();
    x.acquire(1, '0x1', null, 1);
    expect(() => x.acquire(1, '0x1', null, 2)).toThrow(/twice/);
  });

  it('keeps at most 200 violations but counts them all', () => {
    const x = new ExclusionChecker();
    x.acquire(0, '0x0', null, 0);
    for (let i = 1; i <= 250; i++) x.acquire(i, `0x${i}`, null, i);
    // Each new holder overlaps every open one: 1 + 2 + ... + 250.
    expect(x.violations).toHaveLength(200);
    expect(x.count()).toBe((250 * 251) / 2);
    expect(x.release(999, 1, 'released')).toBeNull();
  });
});

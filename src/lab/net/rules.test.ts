import { describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../shared/net';
import { checkSpec, CLIENTS, ruleFor, type ActiveFault } from './rules';

const M = [1, 2, 3, 4, 5];
const f = (id: string, spec: FaultSpec): ActiveFault => ({ id, spec, startedAt: 0 });
const cut = (faults: ActiveFault[], a: number, b: number) => ruleFor(faults, M, 'quorum', a, b).cutBy;

describe('fault rules', () => {
  it('a partition cuts both ways between groups only; unnamed members form one more group', () => {
    const p = [f('f1', { kind: 'partition', groups: [[1, 2]] })];
    expect(cut(p, 1, 2)).toBeNull();
    expect(cut(p, 3, 5)).toBeNull();
    expect(cut(p, 1, 3)).toBe('f1');
    expect(cut(p, 4, 2)).toBe('f1');
    // Elections are cut too; the lab's clients are not.
    expect(ruleFor(p, M, 'election', 2, 5).cutBy).toBe('f1');
    expect(ruleFor(p, M, 'client', CLIENTS, 1).cutBy).toBeNull();
  });

  it('a bridge member hears both halves, which do not hear each other', () => {
    const b = [f('f1', { kind: 'bridge', myid: 3 })];
    for (const m of [1, 2, 4, 5]) expect(cut(b, 3, m)).toBeNull();
    expect(cut(b, 1, 2)).toBeNull();
    expect(cut(b, 4, 5)).toBeNull();
    expect(cut(b, 1, 4)).toBe('f1');
    expect(cut(b, 5, 2)).toBe('f1');
  });

  it('a one-way cut stops one direction; slow links keep the largest latency; holds name their fault', () => {
    const fs = [
      f('f1', { kind: 'oneway', from: 1, to: 2 }),
      f('f2', { kind: 'slow', a: 3, b: null, ms: 100, jitterMs: 10 }),
      f('f3', { kind: 'slow', a: 3, b: 4, ms: 300, jitterMs: 0 }),
      f('f4', { kind: 'hold', type: 'COMMIT', from: 1, to: [3] }),
      f('f5', { kind: 'hold', type: 'NOTIFICATION', from: null, to: null }),
    ];
    expect(cut(fs, 1, 2)).toBe('f1');
    expect(cut(fs, 2, 1)).toBeNull();
    expect(ruleFor(fs, M, 'quorum', 4, 3)).toMatchObject({ delayMs: 300, slowBy: 'f3' });
    expect(ruleFor(fs, M, 'quorum', 3, 5)).toMatchObject({ delayMs: 100, jitterMs: 10, slowBy: 'f2' });
    expect(ruleFor(fs, M, 'quorum', 1, 3).holds.get('COMMIT')).toBe('f4');
    expect(ruleFor(fs, M, 'quorum', 1, 4).holds.has('COMMIT')).toBe(false);
    // Notifications travel on election links only, ZAB packets on quorum links only.
    expect(ruleFor(fs, M, 'election', 2, 5).holds.get('NOTIFICATION')).toBe('f5');
    expect(ruleFor(fs, M, 'quorum', 2, 5).holds.has('NOTIFICATION')).toBe(false);
    expect(ruleFor(fs, M, 'election', 1, 3).holds.has('COMMIT')).toBe(false);
  });

  it('a client cut reaches the lab\'s clients of that member only', () => {
    const c = [f('f1', { kind: 'client-cut', myid: 2 })];
    expect(ruleFor(c, M, 'client', CLIENTS, 2).cutBy).toBe('f1');
    expect(ruleFor(c, M, 'client', 2, CLIENTS).cutBy).toBe('f1');
    expect(ruleFor(c, M, 'client', CLIENTS, 3).cutBy).toBeNull();
    expect(cut(c, 2, 3)).toBeNull();
  });

  it('refuses specs that make no sense, saying why', () => {
    expect(checkSpec({ kind: 'isolate', myid: 6 }, M)).toMatch(/no member 6/);
    expect(checkSpec({ kind: 'partition', groups: [[1, 2, 3, 4, 5]] }, M)).toMatch(/at least two groups/);
    expect(checkSpec({ kind: 'partition', groups: [[1], [1, 2]] }, M)).toMatch(/two groups/);
    expect(checkSpec({ kind: 'bridge', myid: 1 }, [1, 2])).toMatch(/at least three/);
    expect(checkSpec({ kind: 'slow', a: 2, b: 2, ms: 5, jitterMs: 0 }, M)).toMatch(/two different/);
    expect(checkSpec({ kind: 'hold', type: 'ACK', from: 2, to: [2] }, M)).toMatch(/itself/);
    expect(checkSpec({ kind: 'partition', groups: [[1, 2], [3]] }, M)).toBeNull();
  });
});

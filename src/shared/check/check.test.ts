import { describe, expect, it } from 'vitest';
import { check, MODELS, type Model } from './check';
import { generate, rng, type Anomaly } from './generate';
import type { HistoryOp } from './history';

type Op = Partial<HistoryOp> & Pick<HistoryOp, 'f' | 'invoke'>;
/** A history from short rows: one key, process p's session, ok unless said. */
const hist = (...rows: (Op & { p?: number })[]): HistoryOp[] =>
  rows.map(({ p = 0, ...o }) => ({ process: p, session: `0x${p}`, member: 1, key: '/r', value: null, version: null, complete: o.invoke + 1, result: 'ok', ...o }));
const w = (p: number, value: string, invoke: number, complete: number | null = invoke + 1, result: HistoryOp['result'] = 'ok'): Op & { p: number } => ({ p, f: 'write', value, invoke, complete, result });
const rd = (p: number, value: string, version: number, invoke: number, complete = invoke + 1): Op & { p: number } => ({ p, f: 'read', value, version, invoke, complete });
const cas = (p: number, version: number, value: string, invoke: number, result: HistoryOp['result'] = 'ok', complete: number | null = invoke + 1): Op & { p: number } => ({ p, f: 'cas', version, value, invoke, complete, result });

const sync = (p: number, invoke: number, complete: number | null = invoke + 1, result: HistoryOp['result'] = 'ok', key = '/r'): Op & { p: number } => ({ p, f: 'sync', key, invoke, complete, result });
const acq = (p: number, invoke: number, complete: number | null = invoke + 1, result: HistoryOp['result'] = 'ok'): Op & { p: number } => ({ p, f: 'acquire', key: '/lock', invoke, complete, result });
const rel = (p: number, invoke: number, complete: number | null = invoke + 1, result: HistoryOp['result'] = 'ok'): Op & { p: number } => ({ p, f: 'release', key: '/lock', invoke, complete, result });

const verdicts = (h: HistoryOp[]): Record<Model, string> => ({ linearizable: check(h, { model: 'linearizable' }).verdict, zookeeper: check(h, { model: 'zookeeper' }).verdict });

describe('hand-built histories', () => {
  it('a plain sequence is ok under both models', () => {
    expect(verdicts(hist(w(0, 'a', 0), rd(1, 'a', 1, 2), cas(0, 1, 'b', 4), rd(1, 'b', 2, 6)))).toEqual({ linearizable: 'ok', zookeeper: 'ok' });
  });

  it('a stale read by another session: not linearizable, allowed by the zookeeper model', () => {
    const h = hist(w(0, 'a', 0), w(0, 'b', 2), rd(1, 'a', 1, 4));
    expect(verdicts(h)).toEqual({ linearizable: 'violation', zookeeper: 'ok' });
    const ce = check(h, { model: 'linearizable' }).counterexample!;
    expect(ce.culprit).toBe(2);
    expect(ce.could).toEqual([{ value: 'b', version: 2 }]);
    expect(ce.explanation).toMatch(/process 1's read "a" \(version 1\)/);
  });

  it('a stale read of its own acknowledged write is a violation of both', () => {
    expect(verdicts(hist(w(0, 'a', 0), w(1, 'b', 2), rd(1, 'a', 1, 4)))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
  });

  it('a read that goes back in its session is a violation of both', () => {
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2), rd(1, 'b', 2, 4), rd(1, 'a', 1, 6)))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
  });

  it('a lost write (acknowledged, never seen, its version reused) is a violation of both', () => {
    expect(verdicts(hist(w(0, 'a', 0), w(1, 'b', 2), rd(0, 'a', 1, 4), rd(1, 'a', 1, 6)))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
    expect(verdicts(hist(w(0, 'a', 0), w(1, 'b', 2), w(0, 'c', 4), rd(1, 'c', 2, 6)))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
  });

  it('a cas that succeeded twice with the same expected version is a violation of both', () => {
    expect(verdicts(hist(cas(0, 0, 'a', 0), cas(1, 0, 'b', 2)))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
    // Concurrent, both ok: still only one can have found version 0.
    expect(verdicts(hist(cas(0, 0, 'a', 0, 'ok', 3), cas(1, 0, 'b', 1, 'ok', 4)))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
    // One ok and one BadVersion is what ZooKeeper does.
    expect(verdicts(hist(cas(0, 0, 'a', 0, 'ok', 3), cas(1, 0, 'b', 1, 'fail', 4)))).toEqual({ linearizable: 'ok', zookeeper: 'ok' });
  });

  it('a failed cas that should have succeeded is a violation of both', () => {
    expect(verdicts(hist(w(0, 'a', 0), cas(1, 1, 'b', 2, 'fail')))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
  });

  it('an unknown write that must have happened (a later read saw it) is ok', () => {
    expect(verdicts(hist(w(0, 'a', 0, null, 'unknown'), rd(1, 'a', 1, 5)))).toEqual({ linearizable: 'ok', zookeeper: 'ok' });
    expect(verdicts(hist(w(0, 'a', 0, 2, 'unknown'), w(1, 'b', 10), rd(1, 'b', 2, 12)))).toEqual({ linearizable: 'ok', zookeeper: 'ok' });
  });

  it('an unknown write that never happened is ok', () => {
    expect(verdicts(hist(w(0, 'a', 0, null, 'unknown'), rd(1, '', 0, 5), w(1, 'b', 7), rd(1, 'b', 1, 9)))).toEqual({ linearizable: 'ok', zookeeper: 'ok' });
  });

  it('an unknown write cannot take effect before it was called', () => {
    expect(verdicts(hist(rd(1, 'a', 1, 0), w(0, 'a', 5, null, 'unknown')))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
  });

  it('a read of a value never written is a violation of both', () => {
    expect(verdicts(hist(w(0, 'a', 0), rd(1, 'zzz', 1, 4)))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
  });

  it('failed writes and reads say nothing; a failed write did not happen', () => {
    const h = hist(w(0, 'a', 0, 1, 'fail'), { p: 1, f: 'read', invoke: 2, complete: 3, result: 'fail' }, rd(1, '', 0, 4));
    expect(verdicts(h)).toEqual({ linearizable: 'ok', zookeeper: 'ok' });
    expect(verdicts(hist(w(0, 'a', 0, 1, 'fail'), rd(1, 'a', 1, 4)))).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
  });

  it('keys are checked apart', () => {
    const h = [...hist(w(0, 'a', 0), rd(1, 'a', 1, 2)), ...hist(w(0, 'x', 0), rd(1, '', 0, 4)).map((o) => ({ ...o, key: '/s' }))];
    const v = check(h, { model: 'linearizable' });
    expect(v.keys).toBe(2);
    expect(v.perKey.map((k) => k.verdict)).toEqual(['ok', 'violation']);
    expect(v.counterexample!.key).toBe('/s');
  });

  it('the zookeeper model keeps a session\'s pipelined writes in order', () => {
    // Session 0 sent a then b without waiting; a read saw b then a.
    const h = hist(w(0, 'a', 0, 20), w(0, 'b', 1, 21), rd(1, 'b', 1, 2), rd(1, 'a', 2, 4));
    expect(verdicts(h)).toEqual({ linearizable: 'ok', zookeeper: 'violation' });
  });

  it('a read after its session\'s sync that is older than the writes completed before the sync started: a violation of the zookeeper model', () => {
    // Without the sync the stale read is allowed; after it, it is not.
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2), rd(1, 'a', 1, 6)))).toEqual({ linearizable: 'violation', zookeeper: 'ok' });
    const h = hist(w(0, 'a', 0), w(0, 'b', 2), sync(1, 4), rd(1, 'a', 1, 6));
    expect(verdicts(h)).toEqual({ linearizable: 'violation', zookeeper: 'violation' });
    const ce = check(h, { model: 'zookeeper' }).counterexample!;
    expect(ce.culprit).toBe(3);
    expect(ce.ops.map((o) => o.index)).toContain(2);
    expect(ce.explanation).toMatch(/called after process 1's sync .* returned in the same session.* version 2 at least/);
    // A sync is the session's, whatever path it named: one on another key counts for this one.
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2), sync(1, 4, 5, 'ok', '/other'), rd(1, 'a', 1, 6))).zookeeper).toBe('violation');
    // Another session's sync says nothing of this one's reads.
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2), sync(2, 4), rd(1, 'a', 1, 6))).zookeeper).toBe('ok');
  });

  it('a read after sync that sees the writes, or one whose write completed only after the sync started, is fine', () => {
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2), sync(1, 4), rd(1, 'b', 2, 6)))).toEqual({ linearizable: 'ok', zookeeper: 'ok' });
    // "b" completed at 5, after the sync started at 3: the sync need not include it.
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2, 5), sync(1, 3), rd(1, 'a', 1, 6))).zookeeper).toBe('ok');
    // A sync that failed or never answered promises nothing.
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2), sync(1, 4, 5, 'fail'), rd(1, 'a', 1, 6))).zookeeper).toBe('ok');
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2), sync(1, 4, null, 'unknown'), rd(1, 'a', 1, 6))).zookeeper).toBe('ok');
    // A read called before the sync returned is not after it.
    expect(verdicts(hist(w(0, 'a', 0), w(0, 'b', 2), sync(1, 4, 7), rd(1, 'a', 1, 6))).zookeeper).toBe('ok');
  });

  it('a lock is a mutex under both models: acquire only when free, release only by the holder', () => {
    const ok = { linearizable: 'ok', zookeeper: 'ok' };
    const bad = { linearizable: 'violation', zookeeper: 'violation' };
    expect(verdicts(hist(acq(0, 0), rel(0, 2), acq(1, 4), rel(1, 6)))).toEqual(ok);
    // Two holders at once.
    const two = hist(acq(0, 0), acq(1, 2), rel(0, 4), rel(1, 6));
    expect(verdicts(two)).toEqual(bad);
    const ce = check(two, { model: 'zookeeper' }).counterexample!;
    expect(ce.key).toBe('/lock');
    expect(ce.culprit).toBe(1);
    expect(ce.explanation).toMatch(/process 1's acquire .* held by process 0/);
    // Overlapping calls: p1's acquire returned while p0 still held the lock.
    expect(verdicts(hist(acq(0, 0, 3), acq(1, 1, 4), rel(0, 5), rel(1, 7)))).toEqual(bad);
    // Concurrent acquires, the second returning after the first released: fine.
    expect(verdicts(hist(acq(0, 0, 2), acq(1, 1, 6), rel(0, 3, 4), rel(1, 7)))).toEqual(ok);
    // A release by a client that does not hold it.
    expect(verdicts(hist(acq(0, 0), rel(1, 2)))).toEqual(bad);
    // A release of unknown result (the session was lost) may let the next acquire through; an
    // acquire of unknown result may never have happened; a failed acquire did not.
    expect(verdicts(hist(acq(0, 0), rel(0, 2, null, 'unknown'), acq(1, 4), rel(1, 6)))).toEqual(ok);
    expect(verdicts(hist(acq(0, 0, null, 'unknown'), acq(1, 2), rel(1, 4)))).toEqual(ok);
    expect(verdicts(hist(acq(0, 0), acq(1, 1, 2, 'fail'), rel(0, 3)))).toEqual(ok);
    // Beside a register, each checked by its own model.
    expect(verdicts(hist(w(0, 'a', 0), acq(0, 0), rel(0, 2), rd(1, 'a', 1, 4)))).toEqual(ok);
  });

  it('a bound too small gives undecided, never a verdict', () => {
    const { history } = generate({ seed: 7, processes: 10, keys: 1, ops: 400, unknown: 0.05 });
    expect(check(history, { model: 'linearizable', maxStates: 5 }).verdict).toBe('undecided');
    expect(check(history, { model: 'linearizable' }).verdict).toBe('ok');
  });
});

// ---- Property tests: the search against brute force on small random histories ----

/** Every order of the operations (respecting real time; an unknown one in it or not) that the register allows? */
function bruteLinearizable(h: HistoryOp[]): boolean {
  const ops = h.filter((o) => !(o.f === 'read' && o.result !== 'ok') && !(o.f === 'write' && o.result === 'fail'));
  const end = (o: HistoryOp): number => (o.result === 'unknown' ? Infinity : o.complete!);
  const used = new Array<boolean>(ops.length).fill(false);
  const go = (value: string, version: number, left: number): boolean => {
    if (ops.every((o, i) => used[i] || o.result === 'unknown')) return true;
    for (let i = 0; i < ops.length; i++) {
      if (used[i]) continue;
      const o = ops[i]!;
      // Minimal: nothing unused returned before it was called.
      if (ops.some((x, j) => !used[j] && j !== i && end(x) < o.invoke)) continue;
      let next: [string, number] | null = null;
      if (o.f === 'read') next = o.value === value && o.version === version ? [value, version] : null;
      else if (o.f === 'write') next = [o.value!, version + 1];
      else if (o.result === 'ok') next = version === o.version ? [o.value!, version + 1] : null;
      else if (o.result === 'fail') next = version !== o.version ? [value, version] : null;
      else next = version === o.version ? [o.value!, version + 1] : [value, version];
      if (!next) continue;
      used[i] = true;
      if (go(next[0], next[1], left - 1)) return true;
      used[i] = false;
    }
    return false;
  };
  return go('', 0, ops.length);
}

/** Every order of the writes (as above); then the reads by the zookeeper model's rules. */
function bruteZooKeeper(h: HistoryOp[]): boolean {
  const ws = h.filter((o) => o.f !== 'read' && !(o.f === 'write' && o.result === 'fail'));
  const reads = h.filter((o) => o.f === 'read' && o.result === 'ok');
  const end = (o: HistoryOp): number => (o.result === 'unknown' ? Infinity : o.complete!);
  for (const [a, b] of reads.flatMap((a) => reads.map((b) => [a, b] as const))) {
    if (a.process === b.process && a.session === b.session && a.invoke < b.invoke && b.version! < a.version!) return false;
  }
  const used = new Array<boolean>(ws.length).fill(false);
  const made: { value: string; by: HistoryOp | null }[] = [{ value: '', by: null }];
  const readsOk = (): boolean => {
    for (const r of reads) {
      const m = made[r.version!];
      if (!m || m.value !== r.value || (m.by && m.by.invoke > r.complete!)) return false;
      for (let v = r.version! + 1; v < made.length; v++) {
        const by = made[v]!.by!;
        if (by.result === 'ok' && by.process === r.process && by.session === r.session && by.complete! < r.invoke) return false;
      }
    }
    return true;
  };
  const go = (version: number, value: string): boolean => {
    if (ws.every((o, i) => used[i] || o.result === 'unknown') && readsOk()) return true;
    for (let i = 0; i < ws.length; i++) {
      if (used[i]) continue;
      const o = ws[i]!;
      if (ws.some((x, j) => !used[j] && j !== i && (end(x) < o.invoke || (x.process === o.process && x.result !== 'unknown' && o.result !== 'unknown' && x.invoke < o.invoke)))) continue;
      const applies = o.f === 'write' || version === o.version;
      if (o.f === 'cas' && o.result === 'ok' && !applies) continue;
      if (o.f === 'cas' && o.result === 'fail' && applies) continue;
      used[i] = true;
      if (applies) made.push({ value: o.value!, by: o });
      if (go(applies ? version + 1 : version, applies ? o.value! : value)) return true;
      if (applies) made.pop();
      used[i] = false;
    }
    return false;
  };
  return go(0, '');
}

/** A small random history on one key, from small domains so that every verdict comes up. */
function randomHistory(seed: number): HistoryOp[] {
  const r = rng(seed);
  const n = 2 + Math.floor(r() * 6);
  const vals = ['', 'a', 'b', 'c'];
  const free = [0, 0, 0];
  const h: HistoryOp[] = [];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(r() * 3);
    // A process calls after its previous operation returned, as a client does (ties across processes are common).
    const invoke = free[p]! + (i ? 0.5 : 0) + Math.floor(r() * 3);
    const complete = invoke + 1 + Math.floor(r() * 4);
    free[p] = complete;
    const f = (['read', 'write', 'cas'] as const)[Math.floor(r() * 3)]!;
    const x = r();
    const result = x < 0.7 ? 'ok' : x < 0.85 ? 'fail' : 'unknown';
    const value = f === 'read' ? (result === 'ok' ? vals[Math.floor(r() * 4)]! : null) : vals[1 + Math.floor(r() * 3)]!;
    const version = f === 'write' ? null : f === 'read' && result !== 'ok' ? null : Math.floor(r() * 3);
    h.push({ process: p, session: `0x${p}`, member: 1, f, key: '/r', value, version, invoke, complete: result === 'unknown' && r() < 0.5 ? null : complete, result });
  }
  return h;
}

describe('property: the search agrees with brute force', () => {
  it('on 3000 small random histories, under both models', () => {
    const seen = { ok: 0, violation: 0 };
    for (let seed = 1; seed <= 3000; seed++) {
      const h = randomHistory(seed);
      const lin = bruteLinearizable(h);
      const zk = bruteZooKeeper(h);
      const got = verdicts(h);
      expect({ seed, lin: got.linearizable, zk: got.zookeeper }).toEqual({ seed, lin: lin ? 'ok' : 'violation', zk: zk ? 'ok' : 'violation' });
      seen[lin ? 'ok' : 'violation']++;
      // Everything linearizable is allowed by the weaker model.
      if (lin) expect(zk).toBe(true);
    }
    // The domain is small enough that both verdicts come up often.
    expect(seen.ok).toBeGreaterThan(300);
    expect(seen.violation).toBeGreaterThan(300);
  });
});

describe('property: generated histories with and without anomalies', () => {
  const shape = { processes: 6, keys: 2, ops: 300, unknown: 0.05 };
  it('clean histories are ok under both models', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { history } = generate({ seed, ...shape });
      expect({ seed, ...verdicts(history) }).toEqual({ seed, linearizable: 'ok', zookeeper: 'ok' });
    }
  });

  const expected: Record<Anomaly, Record<Model, string>> = {
    stale: { linearizable: 'violation', zookeeper: 'ok' },
    'cas-twice': { linearizable: 'violation', zookeeper: 'violation' },
    future: { linearizable: 'violation', zookeeper: 'violation' },
    back: { linearizable: 'violation', zookeeper: 'violation' },
  };
  for (const anomaly of Object.keys(expected) as Anomaly[]) {
    it(`an injected ${anomaly} is judged as known, and the counterexample names it`, () => {
      let injected = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const { history, anomalyAt } = generate({ seed, ...shape, anomaly });
        if (anomalyAt < 0) continue;
        injected++;
        for (const model of MODELS) {
          const v = check(history, { model });
          expect({ seed, model, verdict: v.verdict }).toEqual({ seed, model, verdict: expected[anomaly][model] });
          if (v.verdict === 'violation') {
            const ce = v.counterexample!;
            expect(ce.key).toBe(history[anomalyAt]!.key);
            expect(ce.ops.map((o) => o.index)).toContain(anomalyAt);
          }
        }
      }
      expect(injected).toBeGreaterThan(30);
    });
  }
});

describe('property: the mutex search agrees with brute force', () => {
  /** Every order of the operations (respecting real time; an unknown one in it or not) that a mutex allows? */
  function bruteMutex(h: HistoryOp[]): boolean {
    const ops = h.filter((o) => o.result !== 'fail');
    const end = (o: HistoryOp): number => (o.result === 'unknown' ? Infinity : o.complete!);
    const used = new Array<boolean>(ops.length).fill(false);
    const go = (holder: number | null): boolean => {
      if (ops.every((o, i) => used[i] || o.result === 'unknown')) return true;
      for (let i = 0; i < ops.length; i++) {
        if (used[i]) continue;
        const o = ops[i]!;
        if (ops.some((x, j) => !used[j] && j !== i && end(x) < o.invoke)) continue;
        if (o.f === 'acquire' ? holder !== null : holder !== o.process) continue;
        used[i] = true;
        if (go(o.f === 'acquire' ? o.process : null)) return true;
        used[i] = false;
      }
      return false;
    };
    return go(null);
  }

  it('on 2000 small random lock histories', () => {
    const seen = { ok: 0, violation: 0 };
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed);
      const free = [0, 0, 0];
      const holding = [false, false, false];
      const rows: HistoryOp[] = [];
      for (let i = 0, n = 2 + Math.floor(r() * 6); i < n; i++) {
        const p = Math.floor(r() * 3);
        const invoke = free[p]! + Math.floor(r() * 3);
        const complete = invoke + 1 + Math.floor(r() * 4);
        free[p] = complete;
        // Mostly as a client does (acquire, then release), sometimes not.
        const f = r() < 0.85 ? (holding[p] ? 'release' : 'acquire') : holding[p] ? 'acquire' : 'release';
        holding[p] = f === 'acquire';
        const x = r();
        const result = x < 0.8 ? 'ok' : x < 0.9 ? 'fail' : 'unknown';
        rows.push({ process: p, session: `0x${p}`, member: 1, f, key: '/lock', value: null, version: null, invoke, complete: result === 'unknown' && r() < 0.5 ? null : complete, result });
      }
      const want = bruteMutex(rows) ? 'ok' : 'violation';
      expect(check(rows, { model: 'linearizable' }).verdict, `seed ${seed}`).toBe(want);
      expect(check(rows, { model: 'zookeeper' }).verdict, `seed ${seed}`).toBe(want);
      seen[want]++;
    }
    expect(seen.ok).toBeGreaterThan(100);
    expect(seen.violation).toBeGreaterThan(100);
  });
});

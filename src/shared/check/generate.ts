// Histories made from a simulated register with a known linearization, for the checker's tests
// and benchmark: clean ones (linearizable by construction) and ones with an anomaly put in on
// purpose whose verdict under each model is known by construction (see Anomaly).
import type { HistoryOp } from './history';

/** A small seeded generator (mulberry32): the same seed gives the same history. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * - stale: a read sees an older version than the writes acknowledged before it began (not
 *   linearizable; allowed by the zookeeper model: it stays at or above its session's floor).
 * - cas-twice: a second cas with the same expected version succeeds (a violation of both).
 * - future: a read sees the value of a write called after the read returned (both).
 * - back: a session's read sees an older version than its previous read (both).
 */
export type Anomaly = 'stale' | 'cas-twice' | 'future' | 'back';

export interface GenOptions {
  seed: number;
  processes: number;
  keys: number;
  ops: number;
  /** Share of operations whose result is unknown (half of them took effect). */
  unknown?: number;
  anomaly?: Anomaly;
}

interface Sim extends HistoryOp {
  /** When it took effect (simulated), or null: it never did. */
  at: number | null;
  /** The version it made (writes), or the version it saw (reads). */
  made: number;
}

/** A history and, when an anomaly was asked for, the index of the operation that carries it (-1 when none fit). */
export function generate(o: GenOptions): { history: HistoryOp[]; anomalyAt: number } {
  const r = rng(o.seed);
  const ops: Sim[] = [];
  const free = new Array<number>(o.processes).fill(0);
  for (let n = 0; n < o.ops; n++) {
    const p = Math.floor(r() * o.processes);
    const invoke = free[p]! + r() * 3;
    const complete = invoke + 0.5 + r() * 8;
    free[p] = complete;
    const key = `/r/${Math.floor(r() * o.keys)}`;
    const x = r();
    const f = x < 0.5 ? 'read' : x < 0.8 ? 'write' : 'cas';
    const unknown = r() < (o.unknown ?? 0);
    const took = !unknown || r() < 0.5;
    ops.push({
      process: p,
      session: `0x${(0x1000 + p).toString(16)}`,
      member: 1 + (p % 3),
      f,
      key,
      value: f === 'read' ? null : `${p}-${n}`,
      version: f === 'cas' ? 0 : null,
      invoke,
      complete: unknown && r() < 0.5 ? null : complete,
      result: unknown ? 'unknown' : 'ok',
      at: took ? invoke + r() * (complete - invoke) : null,
      made: 0,
    });
  }
  // Take effect in order: the register's states per key, and every result from them.
  const states = new Map<string, { value: string; version: number }[]>();
  for (const op of [...ops].filter((x) => x.at !== null).sort((a, b) => a.at! - b.at!)) {
    const s = states.get(op.key) ?? states.set(op.key, [{ value: '', version: 0 }]).get(op.key)!;
    const cur = s[s.length - 1]!;
    // A cas mostly expects the version it would find (its client read it just before), else
    // one just gone by (another client's write came first): then it fails.
    if (op.f === 'cas') op.version = r() < 0.7 || cur.version === 0 ? cur.version : cur.version - 1;
    if (op.f === 'read') {
      if (op.result === 'ok') {
        op.value = cur.value;
        op.version = cur.version;
      }
      op.made = cur.version;
    } else if (op.f === 'write' || cur.version === op.version) {
      s.push({ value: op.value!, version: cur.version + 1 });
      op.made = cur.version + 1;
    } else if (op.result === 'ok') {
      op.result = 'fail';
    }
  }
  let anomalyAt = -1;
  if (o.anomaly) anomalyAt = inject(ops, states, o.anomaly, r);
  const history = ops.map(({ at: _at, made: _made, ...h }) => h);
  return { history, anomalyAt };
}

function inject(ops: Sim[], states: Map<string, { value: string; version: number }[]>, a: Anomaly, r: () => number): number {
  const start = Math.floor(r() * ops.length);
  const order = ops.map((_, i) => (start + i) % ops.length);
  const okRead = (x: Sim): boolean => x.f === 'read' && x.result === 'ok';
  const applied = (x: Sim): boolean => x.f !== 'read' && x.result === 'ok' && x.at !== null;
  for (const i of order) {
    const R = ops[i]!;
    if (a === 'stale' && okRead(R)) {
      // At least this many writes were acknowledged before the read began: any order puts them first.
      const lb = ops.filter((w) => w.key === R.key && applied(w) && w.complete! < R.invoke).length;
      let floor = 0;
      for (const w of ops) {
        if (w.process !== R.process || w.key !== R.key || w.complete === null || w.complete >= R.invoke) continue;
        if (okRead(w)) floor = Math.max(floor, w.version!);
        if (applied(w)) floor = Math.max(floor, w.made);
      }
      if (lb - 1 < floor || lb < 1) continue;
      const st = states.get(R.key)![lb - 1]!;
      R.value = st.value;
      R.version = st.version;
      return i;
    }
    if (a === 'future' && okRead(R)) {
      const w = ops.find((x) => x.key === R.key && applied(x) && x.invoke > R.complete! && x.made > R.version!);
      if (!w) continue;
      R.value = w.value;
      R.version = w.made;
      return i;
    }
    if (a === 'back' && okRead(R)) {
      const before = ops.filter((x) => x.process === R.process && x.key === R.key && okRead(x) && x.complete! < R.invoke && x.version! > 0);
      if (!before.length) continue;
      const hi = Math.max(...before.map((x) => x.version!));
      const st = states.get(R.key)![hi - 1]!;
      R.value = st.value;
      R.version = st.version;
      return i;
    }
    if (a === 'cas-twice' && R.f === 'cas' && R.result === 'ok') {
      const w = ops.find((x) => x.key === R.key && x.f === 'write' && applied(x) && x.invoke > R.complete!);
      if (!w) continue;
      w.f = 'cas';
      w.version = R.version;
      return ops.indexOf(w);
    }
  }
  return -1;
}

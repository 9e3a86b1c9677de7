// The consistency checker: is a history of register operations (history.ts) one that ZooKeeper
// may give? Each znode is a versioned register (value and version; it starts as "" at version 0;
// a write sets a value and adds one to the version; a cas does the same when the version matches,
// else fails and changes nothing; a read returns both). Keys are checked apart (P-compositionality:
// a history is linearizable exactly when each key's is), each by the search in search.ts.
//
// Two models:
// - linearizable: every operation, reads included, takes effect at one instant between its call
//   and its return.
// - zookeeper: what ZooKeeper promises. Writes and cas are linearizable; a session's operations
//   take effect in the order it issued them; a read sees some version that existed (the value the
//   write that made it wrote, made by a write called before the read returned), never older than
//   the session's earlier reads or its own acknowledged writes. A read through a lagging member
//   may be stale: allowed here, a violation of the first model.
//
// The zookeeper model also reads a session's syncs: a read after its session's sync is no older
// than the writes completed before the sync started (a sync brings the member up to date for
// every key). A key whose operations are acquire and release is a lock, checked as a mutex under
// either model: an acquire takes effect only while it is free, a release only by its holder.
//
// Unknown results are Jepsen's :info: the operation may take effect at any time after its call,
// or never. A failed write did not happen; a failed read says nothing; a failed cas saw another
// version. The work is bounded: past it the verdict is "undecided", never a guess.
import { isLockOp, type HistoryOp } from './history';
import { Kind, search, type ReadConstraints, type SearchOp } from './search';

export type Model = 'linearizable' | 'zookeeper';
export const MODELS: readonly Model[] = ['linearizable', 'zookeeper'];

export interface CheckOptions {
  model: Model;
  /** The whole check's time bound, ms (default 10 s). */
  timeLimitMs?: number;
  /** Memoised configurations per key before giving up (default 2,000,000). */
  maxStates?: number;
}

export interface CounterexampleOp extends HistoryOp {
  /** Its position (0-based line) in the history. */
  index: number;
}

export interface Counterexample {
  key: string;
  /** The operation at whose completion no order of the history so far works (its index in the history). */
  culprit: number;
  /** The operations of this key around that point: those overlapping it and the few just before, in call order. */
  ops: CounterexampleOp[];
  /** The states (value, version) the register could have been in where the culprit took effect; empty when none was reachable. */
  could: { value: string; version: number }[];
  /** How many operations of this key came before these (all of them can be ordered). */
  earlier: number;
  explanation: string;
}

export interface KeyVerdict {
  key: string;
  ops: number;
  verdict: 'ok' | 'violation' | 'undecided';
  /** Configurations the search memoised. */
  states: number;
}

export interface Verdict {
  model: Model;
  ops: number;
  keys: number;
  verdict: 'ok' | 'violation' | 'undecided';
  counterexample?: Counterexample;
  /** Why the verdict is undecided: the bound that was reached. */
  undecided?: string;
  perKey: KeyVerdict[];
}

interface Prepared {
  ops: SearchOp[];
  /** Search op → history index. */
  index: number[];
  reads: ReadConstraints | null;
  values: string[];
  /** A violation found without searching (the zookeeper model's session order of reads). */
  direct?: { culprit: number; others: number[]; explanation: string };
}

const pending = (o: HistoryOp, cutoff: number): boolean => o.complete === null || o.result === 'unknown' || o.complete > cutoff;

const describe = (o: HistoryOp): string => {
  const what =
    o.f === 'read' ? `read "${o.value}" (version ${o.version})` : o.f === 'write' ? `write "${o.value}"` : o.f === 'cas' ? `cas version ${o.version} to "${o.value}"` : o.f;
  return `process ${o.process}'s ${what} on ${o.key} (${o.result}, ${o.invoke.toFixed(1)}–${o.complete === null ? '…' : o.complete.toFixed(1)} ms)`;
};

/**
 * One key's operations for the search, as the history stood at `cutoff` (ms): operations called
 * later are left out and those still running then count as unknown. `drop` leaves one operation's
 * outcome out (it counts as unknown), to see whether it is the one no order explains.
 */
function prepare(h: readonly HistoryOp[], idxs: readonly number[], model: Model, syncs: Syncs, cutoff = Infinity, drop = -1): Prepared {
  if (idxs.length > 0 && isLockOp(h[idxs[0]!]!)) return prepareLock(h, idxs, cutoff, drop);
  const values = [''];
  const ids = new Map<string, number>([['', 0]]);
  const intern = (v: string): number => {
    let id = ids.get(v);
    if (id === undefined) {
      id = values.length;
      values.push(v);
      ids.set(v, id);
    }
    return id;
  };
  const ops: SearchOp[] = [];
  const index: number[] = [];
  const zk = model === 'zookeeper';
  const reads: ReadConstraints | null = zk ? { valueAt: new Map(), firstSeenAt: new Map(), maxVersion: 0 } : null;
  const okReads: number[] = [];
  for (const i of idxs) {
    const o = h[i]!;
    if (o.invoke > cutoff || o.f === 'sync') continue;
    const unknown = pending(o, cutoff) || i === drop;
    const complete = unknown ? Infinity : o.complete!;
    if (o.f === 'read') {
      if (unknown || o.result !== 'ok') continue;
      if (zk) {
        // The zookeeper model does not place reads: they constrain the writes (ReadConstraints).
        okReads.push(i);
        continue;
      }
      ops.push({ kind: Kind.Read, invoke: o.invoke, complete, value: intern(o.value!), version: o.version!, ceil: Infinity, after: -1, token: false });
      index.push(i);
      continue;
    }
    if (o.result === 'fail' && !unknown && o.f === 'write') continue;
    const kind = o.f === 'write' ? Kind.Write : unknown ? Kind.CasUnknown : o.result === 'ok' ? Kind.CasOk : Kind.CasFail;
    ops.push({ kind, invoke: o.invoke, complete, value: intern(o.value!), version: o.version ?? 0, ceil: Infinity, after: -1, token: false });
    index.push(i);
  }
  // Unknown writes whose values no read saw (values are interned before the reads' are counted).
  const readValues = new Set<string>();
  for (const i of idxs) if (h[i]!.f === 'read' && h[i]!.value !== null) readValues.add(h[i]!.value!);
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k]!;
    if (op.kind === Kind.Write && op.complete === Infinity && !readValues.has(values[op.value]!)) op.token = true;
  }
  const prep: Prepared = { ops, index, reads, values };
  if (!zk || !reads) return prep;
  const wIndex = index;

  // Reads, per session in call order: never older than the one before.
  const bySession = new Map<string, number[]>();
  for (const i of okReads) {
    const o = h[i]!;
    const s = `${o.process}/${o.session}`;
    (bySession.get(s) ?? bySession.set(s, []).get(s)!).push(i);
  }
  for (const list of bySession.values()) {
    list.sort((a, b) => h[a]!.invoke - h[b]!.invoke);
    for (let k = 1; k < list.length; k++) {
      const a = h[list[k - 1]!]!;
      const b = h[list[k]!]!;
      if (b.version! < a.version!) {
        prep.direct ??= { culprit: list[k]!, others: [list[k - 1]!], explanation: `${describe(b)} is older than its session's earlier ${describe(a)}: a session's reads never go back in ZooKeeper` };
      }
    }
  }
  for (const i of okReads) {
    const o = h[i]!;
    const v = intern(o.value!);
    if (o.version === 0 && v !== 0) prep.direct ??= { culprit: i, others: [], explanation: `${describe(o)} saw version 0 with a value, but every key starts as "" at version 0` };
    const had = reads.valueAt.get(o.version!);
    if (had !== undefined && had !== v) {
      const other = okReads.find((j) => h[j]!.version === o.version && h[j]!.value !== o.value)!;
      prep.direct ??= { culprit: i, others: [other], explanation: `${describe(o)} and ${describe(h[other]!)} saw different values at the same version` };
    }
    reads.valueAt.set(o.version!, had === undefined ? v : had);
    reads.firstSeenAt.set(o.version!, Math.min(reads.firstSeenAt.get(o.version!) ?? Infinity, o.complete!));
    reads.maxVersion = Math.max(reads.maxVersion, o.version!);
  }
  afterSync(h, idxs, okReads, syncs, cutoff, prep);
  // Acknowledged writes: later reads of the same session see at least what they made.
  for (let k = 0; k < ops.length; k++) {
    const w = h[wIndex[k]!]!;
    const op = ops[k]!;
    if (op.complete === Infinity || op.kind === Kind.CasFail) continue;
    for (const i of bySession.get(`${w.process}/${w.session}`) ?? []) {
      const r = h[i]!;
      if (r.invoke > w.complete!) op.ceil = Math.min(op.ceil, r.version!);
    }
  }
  // FIFO order within a session: its writes take effect in the order it sent them, also where
  // they overlap (pipelined requests) or touch within the clock's resolution. An unknown one
  // (the connection was lost) has no place in that order.
  const lastOf = new Map<string, number>();
  const byCall = ops.map((_, k) => k).sort((a, b) => ops[a]!.invoke - ops[b]!.invoke || a - b);
  for (const k of byCall) {
    if (ops[k]!.complete === Infinity) continue;
    const w = h[wIndex[k]!]!;
    const s = `${w.process}/${w.session}`;
    const p = lastOf.get(s);
    if (p !== undefined) ops[k]!.after = p;
    lastOf.set(s, k);
  }
  return prep;
}

/** Each session's ok syncs (history indexes), by completion: a session is `process/session`. */
type Syncs = Map<string, number[]>;

function syncsOf(h: readonly HistoryOp[]): Syncs {
  const out: Syncs = new Map();
  h.forEach((o, i) => {
    if (o.f !== 'sync' || o.result !== 'ok' || o.complete === null) return;
    const s = `${o.process}/${o.session}`;
    (out.get(s) ?? out.set(s, []).get(s)!).push(i);
  });
  for (const list of out.values()) list.sort((a, b) => h[a]!.complete! - h[b]!.complete!);
  return out;
}

/**
 * The zookeeper model's sync rule, for one key: a read called after its session's sync completed
 * sees a version no older than the register had when the sync started. That version is at least
 * the number of ok writes and cas completed by then (each added one, and all had taken effect), a
 * cas's expected version plus one, and any version a read had returned by then.
 */
function afterSync(h: readonly HistoryOp[], idxs: readonly number[], okReads: readonly number[], syncs: Syncs, cutoff: number, prep: Prepared): void {
  if (syncs.size === 0) return;
  // What completed, by completion: an ok write or cas adds one to the count of versions made; a
  // cas or a read shows the version the register had reached.
  const steps: { t: number; write: boolean; seen: number }[] = [];
  for (const i of idxs) {
    const o = h[i]!;
    if (o.result !== 'ok' || o.complete === null || o.complete > cutoff) continue;
    if (o.f === 'write') steps.push({ t: o.complete, write: true, seen: 0 });
    else if (o.f === 'cas') steps.push({ t: o.complete, write: true, seen: o.version! + 1 });
    else if (o.f === 'read') steps.push({ t: o.complete, write: false, seen: o.version! });
  }
  steps.sort((a, b) => a.t - b.t);
  const floors: number[] = [];
  let writes = 0;
  let floor = 0;
  for (const st of steps) {
    if (st.write) writes++;
    floor = Math.max(floor, st.seen, writes);
    floors.push(floor);
  }
  /** The version the register had at least at time t (from what completed strictly before t). */
  const at = (t: number): number => {
    let lo = 0;
    let hi = steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (steps[mid]!.t < t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : floors[lo - 1]!;
  };
  for (const i of okReads) {
    const r = h[i]!;
    const list = syncs.get(`${r.process}/${r.session}`);
    if (!list) continue;
    let sync = -1;
    for (const j of list) {
      if (h[j]!.complete! > r.invoke || h[j]!.complete! > cutoff) break;
      sync = j;
    }
    if (sync < 0) continue;
    const need = at(h[sync]!.invoke);
    if (r.version! < need) {
      prep.direct ??= {
        culprit: i,
        others: [sync],
        explanation: `${describe(r)} was called after ${describe(h[sync]!)} returned in the same session, yet is older than the register was when that sync started: the writes completed by then had brought it to version ${need} at least`,
      };
    }
  }
}

/** A lock's operations for the search: its value the holder (0: free, else the interned process), changed by acquire and release. */
function prepareLock(h: readonly HistoryOp[], idxs: readonly number[], cutoff: number, drop: number): Prepared {
  const values = [''];
  const ids = new Map<string, number>();
  const ops: SearchOp[] = [];
  const index: number[] = [];
  for (const i of idxs) {
    const o = h[i]!;
    if (o.invoke > cutoff) continue;
    const unknown = pending(o, cutoff) || i === drop;
    // A failed acquire or release did not happen (the client gave up, or had nothing to release).
    if (o.result === 'fail' && !unknown) continue;
    const who = `${o.process}`;
    let id = ids.get(who);
    if (id === undefined) {
      id = values.length;
      values.push(who);
      ids.set(who, id);
    }
    ops.push({ kind: o.f === 'acquire' ? Kind.Acquire : Kind.Release, invoke: o.invoke, complete: unknown ? Infinity : o.complete!, value: id, version: 0, ceil: Infinity, after: -1, token: false });
    index.push(i);
  }
  return { ops, index, reads: null, values };
}

export function check(history: readonly HistoryOp[], opts: CheckOptions): Verdict {
  const limit = opts.timeLimitMs ?? 10_000;
  const maxStates = opts.maxStates ?? 2_000_000;
  const deadline = Date.now() + limit;
  const byKey = new Map<string, number[]>();
  history.forEach((o, i) => (byKey.get(o.key) ?? byKey.set(o.key, []).get(o.key)!).push(i));
  const keys = [...byKey.keys()].sort();
  const syncs = syncsOf(history);
  const perKey: KeyVerdict[] = [];
  let violated: string | null = null;
  let stuck = -Infinity;
  for (const key of keys) {
    const idxs = byKey.get(key)!;
    const p = prepare(history, idxs, opts.model, syncs);
    if (p.direct) {
      perKey.push({ key, ops: idxs.length, verdict: 'violation', states: 0 });
      violated ??= key;
      continue;
    }
    const r = search(p.ops, { maxStates, deadline }, p.reads);
    perKey.push({ key, ops: idxs.length, verdict: r.verdict, states: r.states });
    if (r.verdict === 'violation' && violated === null) {
      violated = key;
      stuck = r.stuck;
    }
  }
  const base = { model: opts.model, ops: history.length, keys: keys.length, perKey };
  if (violated !== null) {
    // The counterexample gets a bound of its own: the verdict stands whatever it finds.
    const ce = counterexample(history, byKey.get(violated)!, violated, opts.model, syncs, { maxStates, deadline: Date.now() + limit }, stuck);
    return { ...base, verdict: 'violation', counterexample: ce };
  }
  const open = perKey.filter((k) => k.verdict === 'undecided');
  if (open.length) {
    const why = Date.now() > deadline ? `within ${(limit / 1000).toFixed(limit % 1000 ? 1 : 0)} s` : `within ${maxStates} configurations per key`;
    return { ...base, verdict: 'undecided', undecided: `${open.map((k) => k.key).join(', ')} undecided ${why}` };
  }
  return { ...base, verdict: 'ok' };
}

const fails = (h: readonly HistoryOp[], idxs: readonly number[], model: Model, syncs: Syncs, budget: { maxStates: number; deadline: number }, cutoff: number, drop = -1): boolean | null => {
  const p = prepare(h, idxs, model, syncs, cutoff, drop);
  if (p.direct) return true;
  const r = search(p.ops, budget, p.reads);
  return r.verdict === 'undecided' ? null : r.verdict === 'violation';
};

/**
 * The shortest failing prefix of one key's history (prefixes of a linearizable history are
 * linearizable, so failing is monotone in the cut), the operation whose completion ends it, and
 * what that operation could have seen there.
 */
function counterexample(h: readonly HistoryOp[], idxs: readonly number[], key: string, model: Model, syncs: Syncs, budget: { maxStates: number; deadline: number }, stuck: number): Counterexample {
  const full = prepare(h, idxs, model, syncs);
  if (full.direct) return window(h, idxs, key, full.direct.culprit, full.direct.others, [], full.direct.explanation);
  const times = [...new Set(idxs.map((i) => h[i]!.complete).filter((t): t is number => t !== null))].sort((a, b) => a - b);
  let lo = 0;
  let hi = times.length - 1;
  // Where the search over the whole history got stuck last is nearly always the cut: try it and
  // the cut before it first (two searches instead of a dozen), then halve what is left.
  const guess = times.indexOf(stuck);
  if (guess >= 0) {
    if (fails(h, idxs, model, syncs, budget, times[guess]!) === true) {
      hi = guess;
      if (guess === 0 || fails(h, idxs, model, syncs, budget, times[guess - 1]!) === false) lo = guess;
    } else {
      lo = guess + 1;
    }
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    // Undecided counts as not failing: the cut found is always one seen to fail.
    if (fails(h, idxs, model, syncs, budget, times[mid]!) === true) hi = mid;
    else lo = mid + 1;
  }
  const cut = times[hi]!;
  const ending = idxs.filter((i) => h[i]!.complete === cut);
  const culprit = ending.find((i) => fails(h, idxs, model, syncs, budget, cut, i) === false) ?? ending[0]!;
  const c = h[culprit]!;
  const p = prepare(h, idxs, model, syncs, cut);
  if (p.direct) return window(h, idxs, key, p.direct.culprit, p.direct.others, [], p.direct.explanation);
  const at = p.index.indexOf(culprit);
  const could = at >= 0 ? search(p.ops, budget, p.reads, at).probed.map((s) => ({ value: p.values[s.value]!, version: s.version })) : [];
  could.sort((a, b) => a.version - b.version || (a.value < b.value ? -1 : 1));
  const lock = isLockOp(c);
  const shown = could.slice(0, 4).map((s) => (lock ? (s.value === '' ? 'free' : `held by process ${s.value}`) : `"${s.value}" (version ${s.version})`));
  const couldText = could.length
    ? `it could only have found the ${lock ? 'lock' : 'register'} ${lock ? '' : 'at '}${shown.join(' or ')}${could.length > shown.length ? ` or ${could.length - shown.length} more` : ''}`
    : 'the operations before it leave no state where it fits';
  let explanation: string;
  if (c.f === 'read' && model === 'zookeeper') {
    explanation = `${describe(c)}: no order of the writes makes version ${c.version} hold "${c.value}" by the time it returned${c.result === 'ok' ? ', nor keeps its session from going back' : ''}`;
  } else {
    explanation = `no order of the operations up to its completion explains ${describe(c)}: ${couldText}`;
  }
  return window(h, idxs, key, culprit, [], could, explanation, cut);
}

/** The counterexample's operations: those overlapping the culprit, unknown ones still open, and a few before. */
function window(h: readonly HistoryOp[], idxs: readonly number[], key: string, culprit: number, others: number[], could: Counterexample['could'], explanation: string, cut = h[culprit]!.complete ?? Infinity): Counterexample {
  const c = h[culprit]!;
  const end = cut;
  const inPrefix = idxs.filter((i) => h[i]!.invoke <= end);
  // Operations of unknown result stay open for ever: only those called near the culprit count
  // as overlapping it here (the search itself weighs them all).
  const overlapping = inPrefix.filter((i) => h[i]!.complete !== null && h[i]!.complete! >= c.invoke);
  const from = Math.min(c.invoke, ...overlapping.map((i) => h[i]!.invoke), ...others.map((i) => h[i]!.invoke));
  const chosen = new Set<number>([culprit, ...others]);
  for (const i of inPrefix) {
    const o = h[i]!;
    if (o.complete === null ? o.invoke >= from : o.complete >= from) chosen.add(i);
  }
  const before = inPrefix.filter((i) => !chosen.has(i) && h[i]!.complete !== null && h[i]!.complete! < from).sort((a, b) => h[b]!.complete! - h[a]!.complete!);
  for (const i of before.slice(0, 3)) chosen.add(i);
  const ops = [...chosen].sort((a, b) => h[a]!.invoke - h[b]!.invoke || a - b).map((i) => ({ ...h[i]!, index: i }));
  const earlier = inPrefix.filter((i) => !chosen.has(i) && h[i]!.invoke < from).length;
  return { key, culprit, ops, could, earlier, explanation };
}

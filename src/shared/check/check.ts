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
// Unknown results are Jepsen's :info: the operation may take effect at any time after its call,
// or never. A failed write did not happen; a failed read says nothing; a failed cas saw another
// version. The work is bounded: past it the verdict is "undecided", never a guess.
import type { HistoryOp } from './history';
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
  const what = o.f === 'read' ? `read "${o.value}" (version ${o.version})` : o.f === 'write' ? `write "${o.value}"` : `cas version ${o.version} to "${o.value}"`;
  return `process ${o.process}'s ${what} on ${o.key} (${o.result}, ${o.invoke.toFixed(1)}–${o.complete === null ? '…' : o.complete.toFixed(1)} ms)`;
};

/**
 * One key's operations for the search, as the history stood at `cutoff` (ms): operations called
 * later are left out and those still running then count as unknown. `drop` leaves one operation's
 * outcome out (it counts as unknown), to see whether it is the one no order explains.
 */
function prepare(h: readonly HistoryOp[], idxs: readonly number[], model: Model, cutoff = Infinity, drop = -1): Prepared {
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
    if (o.invoke > cutoff) continue;
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

export function check(history: readonly HistoryOp[], opts: CheckOptions): Verdict {
  const limit = opts.timeLimitMs ?? 10_000;
  const maxStates = opts.maxStates ?? 2_000_000;
  const deadline = Date.now() + limit;
  const byKey = new Map<string, number[]>();
  history.forEach((o, i) => (byKey.get(o.key) ?? byKey.set(o.key, []).get(o.key)!).push(i));
  const keys = [...byKey.keys()].sort();
  const perKey: KeyVerdict[] = [];
  let violated: string | null = null;
  let stuck = -Infinity;
  for (const key of keys) {
    const idxs = byKey.get(key)!;
    const p = prepare(history, idxs, opts.model);
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
    const ce = counterexample(history, byKey.get(violated)!, violated, opts.model, { maxStates, deadline: Date.now() + limit }, stuck);
    return { ...base, verdict: 'violation', counterexample: ce };
  }
  const open = perKey.filter((k) => k.verdict === 'undecided');
  if (open.length) {
    const why = Date.now() > deadline ? `within ${(limit / 1000).toFixed(limit % 1000 ? 1 : 0)} s` : `within ${maxStates} configurations per key`;
    return { ...base, verdict: 'undecided', undecided: `${open.map((k) => k.key).join(', ')} undecided ${why}` };
  }
  return { ...base, verdict: 'ok' };
}

const fails = (h: readonly HistoryOp[], idxs: readonly number[], model: Model, budget: { maxStates: number; deadline: number }, cutoff: number, drop = -1): boolean | null => {
  const p = prepare(h, idxs, model, cutoff, drop);
  if (p.direct) return true;
  const r = search(p.ops, budget, p.reads);
  return r.verdict === 'undecided' ? null : r.verdict === 'violation';
};

/**
 * The shortest failing prefix of one key's history (prefixes of a linearizable history are
 * linearizable, so failing is monotone in the cut), the operation whose completion ends it, and
 * what that operation could have seen there.
 */
function counterexample(h: readonly HistoryOp[], idxs: readonly number[], key: string, model: Model, budget: { maxStates: number; deadline: number }, stuck: number): Counterexample {
  const full = prepare(h, idxs, model);
  if (full.direct) return window(h, idxs, key, full.direct.culprit, full.direct.others, [], full.direct.explanation);
  const times = [...new Set(idxs.map((i) => h[i]!.complete).filter((t): t is number => t !== null))].sort((a, b) => a - b);
  let lo = 0;
  let hi = times.length - 1;
  // Where the search over the whole history got stuck last is nearly always the cut: try it and
  // the cut before it first (two searches instead of a dozen), then halve what is left.
  const guess = times.indexOf(stuck);
  if (guess >= 0) {
    if (fails(h, idxs, model, budget, times[guess]!) === true) {
      hi = guess;
      if (guess === 0 || fails(h, idxs, model, budget, times[guess - 1]!) === false) lo = guess;
    } else {
      lo = guess + 1;
    }
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    // Undecided counts as not failing: the cut found is always one seen to fail.
    if (fails(h, idxs, model, budget, times[mid]!) === true) hi = mid;
    else lo = mid + 1;
  }
  const cut = times[hi]!;
  const ending = idxs.filter((i) => h[i]!.complete === cut);
  const culprit = ending.find((i) => fails(h, idxs, model, budget, cut, i) === false) ?? ending[0]!;
  const c = h[culprit]!;
  const p = prepare(h, idxs, model, cut);
  if (p.direct) return window(h, idxs, key, p.direct.culprit, p.direct.others, [], p.direct.explanation);
  const at = p.index.indexOf(culprit);
  const could = at >= 0 ? search(p.ops, budget, p.reads, at).probed.map((s) => ({ value: p.values[s.value]!, version: s.version })) : [];
  could.sort((a, b) => a.version - b.version || (a.value < b.value ? -1 : 1));
  const shown = could.slice(0, 4).map((s) => `"${s.value}" (version ${s.version})`);
  const couldText = could.length
    ? `it could only have found the register at ${shown.join(' or ')}${could.length > shown.length ? ` or ${could.length - shown.length} more` : ''}`
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

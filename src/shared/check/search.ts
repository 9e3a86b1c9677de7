// The Wing–Gong–Lowe search for one key's register, as Porcupine and Knossos do it: walk the
// history's calls and returns in time order; linearize a call whose operation the register allows
// in its current state, backtrack at a return whose operation is not linearized yet. Memoising
// (set of linearized operations, state) cuts repeated sub-searches (Lowe's improvement), so a
// history of thousands of operations per key is decided in well under a second when it is
// linearizable and the concurrency is modest. Unknown results return at infinity: such an
// operation may take effect at any point after its call, and taking effect after every other
// operation is the same as never taking effect (nothing observes the register afterwards).

/** What an operation does to the register, compiled for the search. */
export enum Kind {
  /** An ok read: the state must be (value, version). */
  Read,
  /** A write (ok or unknown): value, version+1. */
  Write,
  /** An ok cas: the version must be the expected one; then value, version+1. */
  CasOk,
  /** A failed cas (BadVersion): the version must differ from the expected one; nothing changes. */
  CasFail,
  /** A cas of unknown result: applies when the version matches, else fails; either way allowed. */
  CasUnknown,
  /** A lock's acquire (ok or unknown): the lock must be free (value 0); then held by `value` (its process). */
  Acquire,
  /** A lock's release (ok or unknown): the lock must be held by `value`; then free. */
  Release,
}

export interface SearchOp {
  kind: Kind;
  invoke: number;
  /** Infinity for an operation whose result is unknown. */
  complete: number;
  /** Interned value: read: the value read; write/cas: the value written. */
  value: number;
  /** read: the version read; cas: the expected version. */
  version: number;
  /** The zookeeper model: the highest version this write may produce (its session read lower later); Infinity when unbounded. */
  ceil: number;
  /** The zookeeper model: an operation of the same session that must take effect first (FIFO order), or -1. */
  after: number;
  /** An unknown write whose value no read saw: interchangeable with the others like it. */
  token: boolean;
}

/** The zookeeper model's reads, which the search does not place: only the versions they saw constrain writes. */
export interface ReadConstraints {
  /** Per version: the one value its reads saw (-1: they disagree, so no write can satisfy them). */
  valueAt: Map<number, number>;
  /** Per version: the earliest completion of a read that saw it (the write must be called before). */
  firstSeenAt: Map<number, number>;
  /** The highest version any read saw: some write must produce it. */
  maxVersion: number;
}

export interface Budget {
  /** Distinct configurations memoised before giving up. */
  maxStates: number;
  /** Wall-clock deadline (Date.now() ms) before giving up. */
  deadline: number;
}

export interface SearchResult {
  verdict: 'ok' | 'violation' | 'undecided';
  /** Configurations memoised: the work done. */
  states: number;
  /** With a probe: the distinct states (value, version) in which the probed operation was considered. */
  probed: { value: number; version: number }[];
  /** The latest return at which some order got stuck (a violation's history fails by then). */
  stuck: number;
}

/** A 64-bit-ish hash of a set of operations, updated by XOR as operations come and go. */
function opHashes(n: number): Uint32Array {
  const h = new Uint32Array(2 * n);
  let x = 0x9e3779b9;
  for (let i = 0; i < h.length; i++) {
    // xorshift32: fixed, so a search is the same every time.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    h[i] = x >>> 0;
  }
  return h;
}

/**
 * A set of operations for the memo: the count of leading full words, then each later non-zero
 * word with its position. Known operations are numbered in call order and unknown ones after
 * them, so a linearized set is nearly always a run of full words and a few more.
 */
function compress(bits: Uint32Array): Uint32Array {
  let full = 0;
  while (full < bits.length && bits[full] === 0xffffffff) full++;
  let nz = 0;
  for (let i = full; i < bits.length; i++) if (bits[i] !== 0) nz++;
  const out = new Uint32Array(1 + 2 * nz);
  out[0] = full;
  let k = 1;
  for (let i = full; i < bits.length; i++) {
    if (bits[i] === 0) continue;
    out[k++] = i;
    out[k++] = bits[i]!;
  }
  return out;
}

/** Whether `bits` is the set `enc` (compress's form), without building its form. */
function isSet(enc: Uint32Array, bits: Uint32Array): boolean {
  const full = enc[0]!;
  for (let i = 0; i < full; i++) if (bits[i] !== 0xffffffff) return false;
  if (full < bits.length && bits[full] === 0xffffffff) return false;
  let k = 1;
  for (let i = full; i < bits.length; i++) {
    if (bits[i] === 0) continue;
    if (enc[k] !== i || enc[k + 1] !== bits[i]) return false;
    k += 2;
  }
  return k === enc.length;
}

/**
 * Searches for an order of `given` that the register allows, respecting real time. The register
 * starts at value 0 (the interned "") and version 0. `reads` adds the zookeeper model's
 * constraints on writes; `probe` records the states in which that operation could be placed and
 * never places it (for a counterexample: what it could have seen).
 */
export function search(given: readonly SearchOp[], budget: Budget, reads: ReadConstraints | null = null, probe = -1): SearchResult {
  const n = given.length;
  // Internal numbering: known results first, each group in call order.
  const perm = given.map((_, i) => i).sort((a, b) => {
    const ua = given[a]!.complete === Infinity ? 1 : 0;
    const ub = given[b]!.complete === Infinity ? 1 : 0;
    return ua - ub || given[a]!.invoke - given[b]!.invoke || a - b;
  });
  const inner = new Int32Array(n);
  perm.forEach((ext, i) => (inner[ext] = i));
  const ops: SearchOp[] = perm.map((ext) => ({ ...given[ext]!, after: given[ext]!.after < 0 ? -1 : inner[given[ext]!.after]! }));
  const probeAt = probe < 0 ? -1 : inner[probe]!;
  let known = 0;
  while (known < n && ops[known]!.complete !== Infinity) known++;
  const K = known;

  // The known operations' calls and returns, threaded in time order through next/prev (entries
  // 0..K-1 calls, K..2K-1 returns, head = 2K). Unknown operations never return: they are kept
  // apart, in call order, and are candidates once called before the first open return.
  const order: number[] = [];
  for (let i = 0; i < K; i++) order.push(i, K + i);
  const time = (x: number): number => (x < K ? ops[x]!.invoke : ops[x - K]!.complete);
  // Calls before returns at the same instant: operations that touch in time count as concurrent,
  // which can only allow more orders (a tie never makes a violation).
  order.sort((a, b) => time(a) - time(b) || (a < K ? 0 : 1) - (b < K ? 0 : 1) || a - b);
  const head = 2 * K;
  const next = new Int32Array(2 * K + 1).fill(-1);
  const prev = new Int32Array(2 * K + 1).fill(-1);
  let last = head;
  for (const x of order) {
    next[last] = x;
    prev[x] = last;
    last = x;
  }
  const lift = (c: number): void => {
    next[prev[c]!] = next[c]!;
    if (next[c]! >= 0) prev[next[c]!] = prev[c]!;
    const r = c + K;
    next[prev[r]!] = next[r]!;
    if (next[r]! >= 0) prev[next[r]!] = prev[r]!;
  };
  const unlift = (c: number): void => {
    const r = c + K;
    next[prev[r]!] = r;
    if (next[r]! >= 0) prev[next[r]!] = r;
    next[prev[c]!] = c;
    if (next[c]! >= 0) prev[next[c]!] = c;
  };
  /** When the first open return happens: unknown operations called by then are candidates. */
  const horizon = (): number => {
    for (let x = next[head]!; x >= 0; x = next[x]!) if (x >= K) return ops[x - K]!.complete;
    return Infinity;
  };

  const bits = new Uint32Array(Math.ceil(n / 32) || 1);
  const has = (i: number): boolean => (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  const hashes = opHashes(n);
  let h1 = 0;
  let h2 = 0;
  // Keyed by a number mixed from the set's hash and the state; entries compared exactly, so a
  // collision costs a comparison, never a wrong verdict.
  const cache = new Map<number, { value: number; version: number; set: Uint32Array }[]>();
  let cached = 0;
  const probed = new Map<string, { value: number; version: number }>();
  let stuck = -Infinity;
  const done = (verdict: SearchResult['verdict']): SearchResult => ({ verdict, states: cached, probed: verdict === 'ok' ? [] : [...probed.values()], stuck });

  let value = 0;
  let version = 0;
  /** Known operations not linearized yet: when none is left, the unknown rest can all go last. */
  let open = K;
  const stack: { call: number; value: number; version: number; token: boolean }[] = [];
  /**
   * Candidates with a known result are tried first (phase 1: e walks the list), then those of
   * unknown result (phase 2: e walks K..n-1): an unknown one is seldom needed early, and trying
   * it first at every step would walk into the many orders where it happened too soon.
   */
  let phase = 1;
  let e = next[head]!;
  let fresh = true;
  /** Phase 2: whether an unobserved unknown write was passed (see token). */
  let token = false;
  let until = Infinity;
  let steps = 0;

  /** The state after `o` in (value, version), or null when the register does not allow it there. */
  const step = (o: SearchOp): [number, number] | null => {
    let nv = value;
    let nver = version;
    switch (o.kind) {
      case Kind.Read:
        return value === o.value && version === o.version ? [value, version] : null;
      case Kind.Write:
        nv = o.value;
        nver = version + 1;
        break;
      case Kind.CasOk:
        if (version !== o.version) return null;
        nv = o.value;
        nver = version + 1;
        break;
      case Kind.CasFail:
        return version !== o.version ? [value, version] : null;
      case Kind.CasUnknown:
        // Failing here changes nothing, which is the same as coming last (or never): only its
        // taking effect needs a place in the order.
        if (version !== o.version) return null;
        nv = o.value;
        nver = version + 1;
        break;
      case Kind.Acquire:
        // A lock is a register too: its value the holder (0: free), its version the changes.
        if (value !== 0) return null;
        nv = o.value;
        nver = version + 1;
        break;
      case Kind.Release:
        if (value !== o.value) return null;
        nv = 0;
        nver = version + 1;
        break;
    }
    if (nver > o.ceil) return null;
    if (o.after >= 0 && !has(o.after)) return null;
    if (reads) {
      const seen = reads.valueAt.get(nver);
      if (seen !== undefined && (seen !== nv || o.invoke > reads.firstSeenAt.get(nver)!)) return null;
    }
    return [nv, nver];
  };
  /** Reads and failed cas change nothing: see the backtracking below. */
  const inert = (c: number): boolean => ops[c]!.kind === Kind.Read || ops[c]!.kind === Kind.CasFail;

  for (;;) {
    if ((++steps & 1023) === 0 && Date.now() > budget.deadline) return done('undecided');
    if (open === 0 && (!reads || version >= reads.maxVersion)) {
      // Every operation with a known result has its place; those of unknown result can all go
      // last, where they change nothing anyone saw. The zookeeper model also needs every version
      // a read saw to exist by then.
      return done('ok');
    }
    let backtrack = false;
    let c = -1;
    if (fresh) {
      // A new configuration: a read (or failed cas) the state allows among the candidates goes
      // first, alone (see the backtracking below for why nothing else needs trying then).
      fresh = false;
      for (let x = e; x >= 0 && x < K; x = next[x]!) {
        if (inert(x) && x !== probeAt && step(ops[x]!)) {
          e = x;
          break;
        }
      }
    }
    if (phase === 1) {
      if (e < 0 || e >= K) {
        // The first open return: no known candidate left; now the unknown ones called by then.
        phase = 2;
        token = false;
        until = horizon();
        e = K;
        continue;
      }
      c = e;
    } else {
      while (e < n && has(e)) e++;
      if (e >= n || ops[e]!.invoke > until) {
        backtrack = true;
        if (until > stuck) stuck = until;
      } else c = e;
    }
    if (c >= 0) {
      const o = ops[c]!;
      let s: [number, number] | null = null;
      if (c === probeAt) {
        const k = `${value},${version}`;
        if (!probed.has(k) && probed.size < 32) probed.set(k, { value, version });
      } else if (!(o.token && token)) {
        // Unknown writes whose values nobody read are interchangeable but for when they were
        // called: the earliest one open stands for them all (a later one could swap places with
        // it), so only that one is tried here.
        s = step(o);
      }
      const wasToken = token;
      if (o.token) token = true;
      const advance = (): void => {
        e = phase === 1 ? next[c]! : c + 1;
      };
      if (!s) {
        advance();
      } else {
        const n1 = (h1 ^ hashes[2 * c]!) >>> 0;
        const n2 = (h2 ^ hashes[2 * c + 1]!) >>> 0;
        bits[c >>> 5]! |= 1 << (c & 31);
        const key = ((n1 ^ Math.imul(s[0], 0x9e3779b1) ^ Math.imul(s[1], 0x85ebca6b)) >>> 0) * 2097152 + (n2 & 0x1fffff);
        const seen = cache.get(key);
        if (seen?.some((x) => x.value === s[0] && x.version === s[1] && isSet(x.set, bits))) {
          bits[c >>> 5]! &= ~(1 << (c & 31));
          // Explored before, without success; for a read (or failed cas) that means this whole
          // configuration fails (see below).
          if (inert(c)) backtrack = true;
          else advance();
        } else {
          const entry = { value: s[0], version: s[1], set: compress(bits) };
          if (seen) seen.push(entry);
          else cache.set(key, [entry]);
          if (++cached > budget.maxStates) return done('undecided');
          stack.push({ call: c, value, version, token: wasToken });
          [value, version] = s;
          h1 = n1;
          h2 = n2;
          if (c < K) {
            open--;
            lift(c);
          }
          phase = 1;
          e = next[head]!;
          fresh = true;
        }
      }
    }
    while (backtrack) {
      const top = stack.pop();
      if (!top) return done('violation');
      const b = top.call;
      value = top.value;
      version = top.version;
      bits[b >>> 5]! &= ~(1 << (b & 31));
      h1 = (h1 ^ hashes[2 * b]!) >>> 0;
      h2 = (h2 ^ hashes[2 * b + 1]!) >>> 0;
      if (b < K) {
        open++;
        unlift(b);
        phase = 1;
        e = next[b]!;
      } else {
        phase = 2;
        until = horizon();
        e = b + 1;
        token = top.token || ops[b]!.token;
      }
      // A read (or failed cas) the state allowed here could have gone first in any order found
      // from here: nothing between changes the state (every change adds a version), and no
      // operation left returned before it was called. So if placing it here failed, this whole
      // configuration fails; trying the other candidates would only repeat that. This keeps
      // the search from trying every subset of the open reads.
      backtrack = inert(b);
    }
  }
}

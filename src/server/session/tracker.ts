// Session expiry (SessionTrackerImpl + ExpiryQueue): sessions sit in buckets of tickTime; a touch
// moves a session to the bucket of roundUp(now + timeout). Only the standalone server or the
// leader expires sessions; learners only collect touches and ship them to the leader.

export interface SessionInfo {
  id: bigint;
  timeout: number;
  /** Bucket (ms since epoch) in which the session expires. */
  expiresAt: number;
  closing: boolean;
}

/** The first session id of a server: ((now << 24) >>> 8) | (sid << 56), never Long.MIN_VALUE. */
export function initialSessionId(serverId: number, nowMs: number): bigint {
  const shifted = BigInt.asUintN(64, BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n);
  let id = BigInt.asIntN(64, shifted | (BigInt(serverId) << 56n));
  if (id === -0x8000000000000000n) id += 1n;
  return id;
}

export class SessionTracker {
  readonly sessions = new Map<bigint, SessionInfo>();
  private readonly buckets = new Map<number, Set<bigint>>();
  private nextId: bigint;

  constructor(
    readonly serverId: number,
    private readonly tickTime: number,
    private readonly now: () => number = Date.now,
  ) {
    this.nextId = initialSessionId(serverId, now());
  }

  private roundUp(t: number): number {
    return (Math.floor(t / this.tickTime) + 1) * this.tickTime;
  }

  /** A fresh, ensemble-unique session id. */
  allocateId(): bigint {
    let id = this.nextId;
    this.nextId = BigInt.asIntN(64, this.nextId + 1n);
    if (id === -0x8000000000000000n) id = this.allocateId();
    return id;
  }

  /** Starts tracking a session (createSession applied, or loaded from a snapshot). */
  add(id: bigint, timeout: number): void {
    const existing = this.sessions.get(id);
    if (existing) {
      existing.timeout = timeout;
      this.touch(id);
      return;
    }
    const info: SessionInfo = { id, timeout, expiresAt: 0, closing: false };
    this.sessions.set(id, info);
    this.touch(id);
  }

  /** Extends a live session; false when it is unknown or closing. */
  touch(id: bigint, timeout?: number): boolean {
    const s = this.sessions.get(id);
    if (!s || s.closing) return false;
    if (timeout !== undefined) s.timeout = timeout;
    const at = this.roundUp(this.now() + s.timeout);
    if (at === s.expiresAt) return true;
    this.buckets.get(s.expiresAt)?.delete(s.id);
    if (this.buckets.get(s.expiresAt)?.size === 0) this.buckets.delete(s.expiresAt);
    s.expiresAt = at;
    let b = this.buckets.get(at);
    if (!b) this.buckets.set(at, (b = new Set()));
    b.add(id);
    return true;
  }

  /** Marks a session as closing: no more requests are taken for it. */
  setClosing(id: bigint): void {
    const s = this.sessions.get(id);
    if (s) s.closing = true;
  }

  remove(id: bigint): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.buckets.get(s.expiresAt)?.delete(id);
    if (this.buckets.get(s.expiresAt)?.size === 0) this.buckets.delete(s.expiresAt);
    this.sessions.delete(id);
  }

  isAlive(id: bigint): boolean {
    const s = this.sessions.get(id);
    return s !== undefined && !s.closing;
  }

  /** Sessions whose bucket has passed; they are marked closing. */
  takeExpired(): SessionInfo[] {
    const now = this.now();
    const out: SessionInfo[] = [];
    for (const [at, ids] of this.buckets) {
      if (at > now) continue;
      for (const id of ids) {
        const s = this.sessions.get(id);
        if (s && !s.closing) {
          s.closing = true;
          out.push(s);
        }
      }
      this.buckets.delete(at);
    }
    return out;
  }

  /** Rearms every session with its full timeout from now (a new leader does this). */
  rearmAll(): void {
    for (const s of this.sessions.values()) this.touch(s.id);
  }

  /** expiry time -> session ids, for dump. */
  bucketsView(): Map<number, bigint[]> {
    const out = new Map<number, bigint[]>();
    for (const [at, ids] of [...this.buckets].sort((a, b) => a[0] - b[0])) out.set(at, [...ids]);
    return out;
  }
}

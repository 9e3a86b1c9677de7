// The lock playground's mutual-exclusion check. Every acquisition is an interval the lab stamps
// itself: it opens when a client's acquire() resolves and closes when the client starts to
// release (before its delete goes out) or learns it may have lost the lock (its connection
// dropped or its session ended, Curator's SUSPENDED/LOST). All clients of a run live in one
// event loop, so "another interval is open when one opens" is an exact overlap test: no clock
// comparison is involved in deciding, the times are only there to report.
import type { LockViolation } from '../../shared/contract';

export interface HoldInterval {
  client: number;
  sessionId: string;
  /** The lock znode the client held (its name), if it has one. */
  node: string | null;
  acquiredAt: number;
  releasedAt: number | null;
  /** How the interval ended: released, lost (connection or session), or stopped with the run. */
  how: 'released' | 'lost' | 'stopped' | null;
}

/** The violations kept per run (a broken lock could produce one per acquisition). */
const MAX_VIOLATIONS = 200;

const at = (t: number): string => new Date(t).toISOString().slice(11, 23);

export class ExclusionChecker {
  private readonly open = new Map<number, HoldInterval>();
  readonly violations: LockViolation[] = [];
  /** Violations past MAX_VIOLATIONS, counted but not kept. */
  dropped = 0;
  /** Intervals opened so far. */
  intervals = 0;

  /** Opens `client`'s interval; an interval still open for another client is an overlap. */
  acquire(client: number, sessionId: string, node: string | null, time: number): HoldInterval {
    if (this.open.has(client)) throw new Error(`client ${client} acquired the lock twice without releasing it`);
    const iv: HoldInterval = { client, sessionId, node, acquiredAt: time, releasedAt: null, how: null };
    for (const other of this.open.values()) {
      this.add({
        kind: 'overlap',
        time,
        clients: [other.client, client],
        detail:
          `client ${client} (session ${sessionId}${node ? `, ${node}` : ''}) acquired the lock at ${at(time)} while client ${other.client} ` +
          `(session ${other.sessionId}${other.node ? `, ${other.node}` : ''}) held it since ${at(other.acquiredAt)}`,
      });
    }
    this.open.set(client, iv);
    this.intervals++;
    return iv;
  }

  /** Closes `client`'s interval (no-op if it has none open). */
  release(client: number, time: number, how: 'released' | 'lost' | 'stopped'): HoldInterval | null {
    const iv = this.open.get(client);
    if (!iv) return null;
    iv.releasedAt = time;
    iv.how = how;
    this.open.delete(client);
    return iv;
  }

  /** Whether `client` holds the lock as the lab sees it. */
  holds(client: number): boolean {
    return this.open.has(client);
  }

  /** Clients holding the lock right now, in the order they acquired it. */
  holders(): number[] {
    return [...this.open.values()].sort((a, b) => a.acquiredAt - b.acquiredAt).map((iv) => iv.client);
  }

  /** Records a violation found elsewhere (the server-side check). */
  add(v: LockViolation): void {
    if (this.violations.length >= MAX_VIOLATIONS) {
      this.dropped++;
      return;
    }
    this.violations.push(v);
  }

  /** Every violation, counting the ones not kept. */
  count(): number {
    return this.violations.length + this.dropped;
  }
}

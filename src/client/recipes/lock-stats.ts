// Counters every lock keeps, for the lab's lock playground (herd effect vs predecessor watch).

export interface LockStatsSnapshot {
  /** Successful acquisitions (reentrant re-acquisitions not counted). */
  acquisitions: number;
  releases: number;
  /** acquire() calls that gave up (timeout or abort). */
  timeouts: number;
  /** Watch notifications this lock's waiters received. */
  watchNotifications: number;
  /** Watches this lock set while waiting. */
  watchesSet: number;
  /** Lock znodes this lock created (or attempted to, for the naive lock). */
  createAttempts: number;
  /** Time from acquire() to holding the lock, per acquisition (ms). */
  waitTimesMs: number[];
  totalWaitMs: number;
  maxWaitMs: number;
}

export class LockStats {
  private s: LockStatsSnapshot = LockStats.empty();

  static empty(): LockStatsSnapshot {
    return {
      acquisitions: 0,
      releases: 0,
      timeouts: 0,
      watchNotifications: 0,
      watchesSet: 0,
      createAttempts: 0,
      waitTimesMs: [],
      totalWaitMs: 0,
      maxWaitMs: 0,
    };
  }

  acquired(waitMs: number): void {
    this.s.acquisitions++;
    this.s.waitTimesMs.push(waitMs);
    // Keep memory bounded in long playground runs.
    if (this.s.waitTimesMs.length > 10_000) this.s.waitTimesMs.splice(0, this.s.waitTimesMs.length - 10_000);
    this.s.totalWaitMs += waitMs;
    this.s.maxWaitMs = Math.max(this.s.maxWaitMs, waitMs);
  }
  released(): void {
    this.s.releases++;
  }
  timedOut(): void {
    this.s.timeouts++;
  }
  notified(): void {
    this.s.watchNotifications++;
  }
  watchSet(): void {
    this.s.watchesSet++;
  }
  created(): void {
    this.s.createAttempts++;
  }

  /** A copy of the counters. */
  snapshot(): LockStatsSnapshot {
    return { ...this.s, waitTimesMs: [...this.s.waitTimesMs] };
  }

  reset(): void {
    this.s = LockStats.empty();
  }
}

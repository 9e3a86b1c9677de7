// The lab's slow-learner fault: while set, a serving learner applies commits `ms` late (in
// order), so a read through it can lag until `sync`. Clearing it, a role change or a reload
// applies everything held at once.
import type { Logger } from '../core';
import type { Clock, Timer } from '../runtime/clock';

export class LateApplies {
  private delayMs = 0;
  private readonly queue: { at: number; apply: () => void }[] = [];
  private timer: Timer | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Sets (or with no argument reads) how late commits are applied. */
  delay(ms?: number): number {
    if (ms !== undefined) {
      this.delayMs = ms;
      this.log('WARN', ms > 0 ? `lab fault: applying commits ${ms} ms late while learning (reads through this member lag until sync)` : 'lab fault cleared: applying commits at once');
      if (ms === 0) this.flush();
    }
    return this.delayMs;
  }

  /** Runs `apply` now, or (when `slow`, i.e. a serving learner) after the delay; always in order. */
  run(apply: () => void, slow: boolean): void {
    if (!slow || this.delayMs <= 0) {
      this.flush();
      apply();
      return;
    }
    this.queue.push({ at: this.clock.now() + this.delayMs, apply });
    this.arm();
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = this.clock.after(this.queue[0]!.at - this.clock.now(), () => {
      this.timer = null;
      const now = this.clock.now();
      while (this.queue.length > 0 && this.queue[0]!.at <= now) this.queue.shift()!.apply();
      this.arm();
    });
  }

  /** Applies everything held now. */
  flush(): void {
    this.timer?.cancel();
    this.timer = null;
    while (this.queue.length > 0) this.queue.shift()!.apply();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}

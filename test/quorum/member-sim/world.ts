// The simulated world the real member runs in: one logical clock (the cores' simulator's
// Scheduler), one seeded Rng, and per member incarnation a Clock over that time. A crashed
// incarnation's clock goes dead: its timers never fire and new ones are never armed, so the
// code of a killed member stops where a killed process stops.
import type { Clock, Timer } from '../../../src/server/runtime/clock';
import { Rng } from '../sim/rng';
import { Scheduler } from '../sim/scheduler';

/** Wall-clock time at logical 0 (znode ctimes, session ids): fixed, so runs replay exactly. */
export const WALL_BASE = Date.UTC(2026, 0, 1);

export class World {
  readonly sched = new Scheduler();
  readonly rng: Rng;
  readonly trace: string[] = [];
  /** Broken invariants, in the order found (the run stops at the first). */
  readonly violations: string[] = [];

  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }

  get now(): number {
    return this.sched.now;
  }

  violate(what: string): void {
    this.note(`VIOLATION ${what}`);
    this.violations.push(what);
  }

  note(line: string): void {
    this.trace.push(`${String(this.now).padStart(7)} ${line}`);
    if (this.trace.length > 4000) this.trace.splice(0, 1000);
  }
}

/** A Clock for one incarnation of a member (or a client), dead once `kill()` is called. */
export class SimClock implements Clock {
  private alive = true;

  constructor(private readonly world: World) {}

  now(): number {
    return this.world.now;
  }

  wall(): number {
    return WALL_BASE + this.world.now;
  }

  after(ms: number, fn: () => void): Timer {
    let live = this.alive;
    if (live) this.world.sched.after(Math.max(0, ms), () => {
      if (live && this.alive) fn();
    });
    return { cancel: () => void (live = false) };
  }

  every(ms: number, fn: () => void): Timer {
    let live = this.alive;
    const tick = (): void => {
      if (!live || !this.alive) return;
      fn();
      this.world.sched.after(Math.max(1, ms), tick);
    };
    if (live) this.world.sched.after(Math.max(1, ms), tick);
    return { cancel: () => void (live = false) };
  }

  kill(): void {
    this.alive = false;
  }
}

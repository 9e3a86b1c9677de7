// The member's clock: the only place the member runtime reads time or arms timers, so that a
// simulated clock can stand in for it (as TigerBeetle's replica takes its time source).
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic ms since this clock started (timeouts, election timers). */
  now(): number;
  /** Wall-clock ms since the epoch (session buckets, znode times, TTLs). */
  wall(): number;
  /** Calls `fn` once, `ms` from now. */
  after(ms: number, fn: () => void): Timer;
  /** Calls `fn` every `ms`. */
  every(ms: number, fn: () => void): Timer;
}

/**
 * Node's timers. They do not keep the process alive (a member lives as long as its sockets do).
 * Node's timers run on the event loop's cached clock and may fire a millisecond early by
 * `now()`: callers that must not wake early check `now()` and wait for the rest.
 */
export function systemClock(): Clock {
  const start = performance.now();
  return {
    now: () => Math.floor(performance.now() - start),
    wall: () => Date.now(),
    after(ms, fn) {
      const t = setTimeout(fn, Math.max(0, ms));
      t.unref();
      return { cancel: () => clearTimeout(t) };
    },
    every(ms, fn) {
      const t = setInterval(fn, Math.max(1, ms));
      t.unref();
      return { cancel: () => clearInterval(t) };
    },
  };
}

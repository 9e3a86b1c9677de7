// Logical time for the simulator: a min-heap of callbacks ordered by (time, insertion order),
// so two runs with the same seed interleave everything the same way.
interface Entry {
  at: number;
  seq: number;
  run: () => void;
}

export class Scheduler {
  now = 0;
  private heap: Entry[] = [];
  private seq = 0;

  /** Runs `run` at logical time `at` (never in the past). */
  at(at: number, run: () => void): void {
    const e = { at: Math.max(at, this.now), seq: this.seq++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  after(ms: number, run: () => void): void {
    this.at(this.now + ms, run);
  }

  get size(): number {
    return this.heap.length;
  }

  /** The time of the next entry, or null. */
  peekTime(): number | null {
    return this.heap[0]?.at ?? null;
  }

  /** Runs the next entry; false when there is none at or before `until`. */
  runNext(until = Infinity): boolean {
    const h = this.heap;
    const top = h[0];
    if (!top || top.at > until) return false;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    this.now = top.at;
    top.run();
    return true;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

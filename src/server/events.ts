// The events a member emits about itself (elections, ZAB phases, syncs, role changes), kept in
// a bounded ring and served by the AdminServer (`lab_events?since=<seq>`) so the lab's timeline
// and tests read exactly what the member did.
import { MEMBER_EVENT_RING } from '../protocol/limits';

export interface MemberEvent {
  seq: number;
  /** ms since epoch */
  time: number;
  type: string;
  [k: string]: unknown;
}

export class EventLog {
  /** Slot seq % capacity holds event seq: a leader emits two events per txn, so no shifting. */
  private readonly ring: (MemberEvent | undefined)[];
  private seq = 0;
  /** Told of every event as it is kept (the member's metrics time elections and syncs by them). */
  onEmit: ((e: MemberEvent) => void) | null = null;

  constructor(
    private readonly capacity = MEMBER_EVENT_RING,
    private readonly now: () => number = Date.now,
  ) {
    this.ring = new Array<MemberEvent | undefined>(capacity);
  }

  emit(e: { type: string; [k: string]: unknown }): void {
    const seq = ++this.seq;
    // Object.assign, not `{ ...e, seq, time }`: Node 20 copies a spread with extra keys on a
    // slow path (~1 µs, twice per txn on a leader).
    const kept: MemberEvent = Object.assign({}, e, { seq, time: this.now() });
    this.ring[seq % this.capacity] = kept;
    this.onEmit?.(kept);
  }

  /** The newest event's seq (0 before any): a reader that has seen it has nothing new. */
  get latest(): number {
    return this.seq;
  }

  /** Events with seq > `since`, oldest first. */
  since(since: number): MemberEvent[] {
    const out: MemberEvent[] = [];
    for (let seq = Math.max(since + 1, this.seq - this.capacity + 1, 1); seq <= this.seq; seq++) out.push(this.ring[seq % this.capacity]!);
    return out;
  }

  get lastSeq(): number {
    return this.seq;
  }
}

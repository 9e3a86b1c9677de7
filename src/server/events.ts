// The events a member emits about itself (elections, ZAB phases, syncs, role changes), kept in
// a bounded ring and served by the AdminServer (`lab_events?since=<seq>`) so the lab's timeline
// and tests read exactly what the member did.
export interface MemberEvent {
  seq: number;
  /** ms since epoch */
  time: number;
  type: string;
  [k: string]: unknown;
}

export class EventLog {
  private readonly ring: MemberEvent[] = [];
  private seq = 0;

  constructor(private readonly capacity = 2000) {}

  emit(e: { type: string; [k: string]: unknown }): void {
    this.ring.push({ ...e, seq: ++this.seq, time: Date.now() });
    if (this.ring.length > this.capacity) this.ring.shift();
  }

  /** Events with seq > `since`, oldest first. */
  since(since: number): MemberEvent[] {
    return this.ring.filter((e) => e.seq > since);
  }

  get lastSeq(): number {
    return this.seq;
  }
}

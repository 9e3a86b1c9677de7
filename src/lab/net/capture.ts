// The Wire capture: every message the relays pass between members, decoded, in a ring of known
// size. Over a per-second budget (a load of thousands of writes a second) the capture stops keeping
// messages one by one and counts them instead, in one FOLDED entry per second, and says so.
import { hexZxid, type WireUnit } from '../../protocol/wire';
import { WIRE_BUDGET_PER_SECOND, WIRE_RING_CAP } from '../../shared/limits';
import type { WireCapture, WireMessage, WireQuery } from '../../shared/net';

export { WIRE_BUDGET_PER_SECOND, WIRE_RING_CAP };

export class WireRing {
  private readonly ring: WireMessage[] = [];
  private start = 0;
  private seq = 0;
  private second = 0;
  private keptThisSecond = 0;
  private foldedNow: { from: number; to: number; link: 'quorum' | 'election'; types: Map<string, number>; time: number }[] = [];
  folded = 0;
  /** New and changed messages since the last take(). */
  private dirty = new Map<number, WireMessage>();

  constructor(
    readonly cap = WIRE_RING_CAP,
    readonly budget = WIRE_BUDGET_PER_SECOND,
  ) {}

  get total(): number {
    return this.seq;
  }

  /** Makes the record of one message (or counts it into this second's fold). */
  add(now: number, link: 'quorum' | 'election', from: number, to: number, unit: WireUnit): WireMessage | null {
    const sec = Math.floor(now / 1000);
    if (sec !== this.second) this.flushFolds(sec);
    if (this.keptThisSecond >= this.budget) {
      this.folded++;
      let f = this.foldedNow.find((x) => x.from === from && x.to === to && x.link === link);
      if (!f) this.foldedNow.push((f = { from, to, link, types: new Map(), time: now }));
      f.types.set(unit.type, (f.types.get(unit.type) ?? 0) + 1);
      return null;
    }
    this.keptThisSecond++;
    const d = unit.detail();
    const msg: WireMessage = {
      seq: ++this.seq,
      time: now,
      link,
      from,
      to,
      type: unit.type,
      zxid: unit.zxid === null ? null : hexZxid(unit.zxid),
      summary: d.summary,
      fields: d.fields,
      bytes: unit.bytes.length,
      status: 'delivered',
      deliveredAt: null,
      fault: null,
    };
    this.push(msg);
    return msg;
  }

  private push(msg: WireMessage): void {
    if (this.ring.length < this.cap) this.ring.push(msg);
    else {
      this.ring[this.start] = msg;
      this.start = (this.start + 1) % this.cap;
    }
    this.dirty.set(msg.seq, msg);
  }

  /** Closes the fold of the second that ended: one FOLDED entry per direction that was over budget. */
  private flushFolds(sec: number): void {
    for (const f of this.foldedNow) {
      const count = [...f.types.values()].reduce((a, b) => a + b, 0);
      const types = [...f.types.entries()].map(([t, n]) => `${t}×${n}`).join(' ');
      this.push({
        seq: ++this.seq,
        time: f.time,
        link: f.link,
        from: f.from,
        to: f.to,
        type: 'FOLDED',
        zxid: null,
        summary: `${count} more messages in this second, counted but not kept (over the capture's ${this.budget}/s): ${types}`,
        fields: { count, types },
        bytes: 0,
        status: 'delivered',
        deliveredAt: f.time,
        fault: null,
      });
    }
    this.foldedNow = [];
    this.second = sec;
    this.keptThisSecond = 0;
  }

  updated(msg: WireMessage): void {
    this.dirty.set(msg.seq, msg);
  }

  /** What changed since the last call (for the live push). */
  take(): WireMessage[] {
    if (this.dirty.size === 0) return [];
    const out = [...this.dirty.values()].map((m) => ({ ...m }));
    this.dirty.clear();
    return out;
  }

  /** In order, oldest first. */
  all(): WireMessage[] {
    return this.ring.length < this.cap ? this.ring : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  query(q: WireQuery): WireCapture {
    const types = q.types ? new Set(q.types.map((t) => t.toUpperCase())) : null;
    const members = q.members ? new Set(q.members) : null;
    const zxid = q.zxid ? normaliseZxid(q.zxid) : null;
    if (q.zxid && zxid === null) throw new Error(`"${q.zxid}" is not a zxid: give it in hex, e.g. 0x100000002 (nothing was filtered).`);
    const out: WireMessage[] = [];
    for (const m of this.all()) {
      if (m.seq <= q.afterSeq) continue;
      if (q.fromMs !== null && m.time < q.fromMs) continue;
      if (q.toMs !== null && m.time > q.toMs) continue;
      if (types && !types.has(m.type)) continue;
      if (members && !members.has(m.from) && !members.has(m.to)) continue;
      if (zxid && m.zxid !== zxid) continue;
      out.push({ ...m });
    }
    // The newest `limit` of them.
    const messages = out.length > q.limit ? out.slice(out.length - q.limit) : out;
    return { messages, cap: this.cap, total: this.seq, folded: this.folded, budgetPerSecond: this.budget };
  }
}

/** "0x1_0000_0001", "100000001", "0X100000001" → "0x100000001". */
export function normaliseZxid(z: string): string | null {
  const s = z.trim().toLowerCase().replace(/_/g, '');
  const hex = s.startsWith('0x') ? s.slice(2) : s;
  if (!/^[0-9a-f]{1,16}$/.test(hex)) return null;
  return `0x${BigInt(`0x${hex}`).toString(16)}`;
}

// One direction of one relayed TCP connection. Bytes arrive from the sender, are cut into whole
// messages (src/protocol/wire.ts) and leave for the receiver in order, unless the direction's
// rule says otherwise: a cut holds everything (what was sent is delivered if the link heals while
// the connection lives, as TCP would deliver it), a slow link delivers each message late (never
// out of order), and a hold sets messages of one type aside until released. Nothing is ever
// delivered half, corrupted or twice.
import type { Socket } from 'node:net';
import { raw, type WireUnit } from '../../protocol/wire';
import type { WireMessage } from '../../shared/net';
import { OPEN_RULE, type LinkKind, type PipeRule } from './rules';

/** Cuts a direction's bytes into messages (a quorum or election splitter), or null for client links. */
export interface Splitter {
  push(chunk: Buffer): WireUnit[];
}

/** What a pipe needs from the network it belongs to. */
export interface PipeHost {
  now(): number;
  /** Makes the capture record of a message, or null when it is not captured. */
  capture(pipe: Pipe, unit: WireUnit): WireMessage | null;
  /** A captured message changed state (delivered, held, dropped). */
  updated(msg: WireMessage): void;
  random(): number;
}

interface Item {
  /** null: the sender closed its side (a FIN travels in order too). */
  unit: WireUnit | null;
  msg: WireMessage | null;
  due: number;
  /** The type-hold fault that set it aside, while it is aside. */
  heldBy: string | null;
}

/** Above this many queued bytes the sender is not read from until the queue drains (TCP's window). */
const QUEUE_HIGH_WATER = 32 * 1024 * 1024;

export class Pipe {
  private readonly queue: Item[] = [];
  private readonly aside: Item[] = [];
  /** zxids of PROPOSALs set aside: their COMMITs wait with them (a learner never sees a COMMIT before its PROPOSAL). */
  private readonly asideProposals = new Map<bigint, string>();
  private queuedBytes = 0;
  private lastDue = 0;
  private timer: NodeJS.Timeout | null = null;
  private rule: PipeRule = OPEN_RULE;
  /** Where messages go: null until the relay's upstream connection is up. */
  private dest: Socket | null = null;
  private destGone = false;
  /** The sender, paused while the queue is over its high-water mark. */
  source: Socket | null = null;
  private paused = false;
  /** The END reached the receiver. */
  ended = false;
  delivered = 0;

  constructor(
    private readonly host: PipeHost,
    readonly kind: LinkKind,
    readonly from: number,
    readonly to: number,
    private readonly splitter: Splitter | null,
  ) {}

  /** Messages held here now (by a cut, waiting in order, or set aside by a hold). */
  get held(): number {
    const cutHeld = this.rule.cutBy !== null || this.dest === null ? this.queue.length : 0;
    return cutHeld + this.aside.length;
  }

  heldBy(fault: string): number {
    let n = this.aside.filter((i) => i.heldBy === fault).length;
    if (this.rule.cutBy === fault) n += this.queue.length;
    return n;
  }

  setDest(sock: Socket): void {
    this.dest = sock;
    sock.on('drain', () => this.resumeSource());
    this.pump();
  }

  /** The receiver's socket is gone: what waits for it can never arrive. */
  destClosed(): void {
    this.destGone = true;
    this.dropAll();
  }

  setRule(rule: PipeRule): void {
    const before = this.rule;
    this.rule = rule;
    // Holds that ended give back what they set aside, in the order it came.
    if (this.aside.length > 0) {
      const stay: Item[] = [];
      const back: Item[] = [];
      const holding = new Set(rule.holds.values());
      for (const it of this.aside) (it.heldBy !== null && holding.has(it.heldBy) ? stay : back).push(it);
      if (back.length > 0) {
        this.aside.length = 0;
        this.aside.push(...stay);
        this.rebuildAsideProposals();
        for (const it of back) this.enqueue(it);
      }
    }
    if (before.cutBy !== rule.cutBy) this.markQueue();
    this.pump();
  }

  /** Delivers what one hold (or every hold, when null) set aside so far, in order; the hold stays. */
  release(fault: string | null): number {
    const back = this.aside.filter((i) => fault === null || i.heldBy === fault);
    if (back.length === 0) return 0;
    const stay = this.aside.filter((i) => !back.includes(i));
    this.aside.length = 0;
    this.aside.push(...stay);
    this.rebuildAsideProposals();
    for (const it of back) this.enqueue(it);
    this.pump();
    return back.length;
  }

  /** Bytes from the sender. */
  onData(chunk: Buffer): void {
    const units = this.splitter ? this.splitter.push(chunk) : [raw(chunk)];
    for (const unit of units) {
      const msg = unit.capture ? this.host.capture(this, unit) : null;
      const it: Item = { unit, msg, due: 0, heldBy: null };
      const hold = this.holdFor(unit);
      if (hold !== null) {
        it.heldBy = hold;
        if (unit.type === 'PROPOSAL' && unit.zxid !== null) this.asideProposals.set(unit.zxid, hold);
        this.aside.push(it);
        if (msg) {
          msg.status = 'held';
          msg.fault = hold;
        }
        continue;
      }
      this.enqueue(it);
    }
    this.pump();
  }

  /** The sender closed its side. */
  onEnd(): void {
    this.enqueue({ unit: null, msg: null, due: 0, heldBy: null });
    this.pump();
  }

  private holdFor(unit: WireUnit): string | null {
    const byType = this.rule.holds.get(unit.type);
    if (byType !== undefined) return byType;
    if (unit.type === 'COMMIT' && unit.zxid !== null) return this.asideProposals.get(unit.zxid) ?? null;
    return null;
  }

  private rebuildAsideProposals(): void {
    this.asideProposals.clear();
    for (const it of this.aside) if (it.unit?.type === 'PROPOSAL' && it.unit.zxid !== null && it.heldBy) this.asideProposals.set(it.unit.zxid, it.heldBy);
  }

  private enqueue(it: Item): void {
    const now = this.host.now();
    let due = now;
    if (this.rule.delayMs > 0) {
      const jitter = this.rule.jitterMs > 0 ? (this.host.random() * 2 - 1) * this.rule.jitterMs : 0;
      due = now + Math.max(0, this.rule.delayMs + jitter);
    }
    // A stream keeps its order: nothing leaves before what came earlier.
    it.due = Math.max(due, this.lastDue);
    this.lastDue = it.due;
    it.heldBy = null;
    this.queue.push(it);
    if (it.unit) this.queuedBytes += it.unit.bytes.length;
    if (it.msg) {
      it.msg.status = this.rule.cutBy !== null ? 'held' : 'delivered';
      it.msg.fault = this.rule.cutBy ?? (this.rule.delayMs > 0 ? this.rule.slowBy : null);
      // Delivered for real only when it leaves (below); until then it shows as in flight.
      it.msg.deliveredAt = null;
      if (this.rule.cutBy !== null) this.host.updated(it.msg);
    }
    if (this.queuedBytes > QUEUE_HIGH_WATER && this.source && !this.paused) {
      this.paused = true;
      this.source.pause();
    }
  }

  private markQueue(): void {
    for (const it of this.queue) {
      if (!it.msg) continue;
      if (this.rule.cutBy !== null) {
        it.msg.status = 'held';
        it.msg.fault = this.rule.cutBy;
        this.host.updated(it.msg);
      }
    }
  }

  /** Delivers every message that is due, in order; arms a timer for the next one. */
  pump(): void {
    if (this.destGone) return this.dropAll();
    if (this.dest === null || this.rule.cutBy !== null || this.queue.length === 0) return;
    const now = this.host.now();
    const dest = this.dest;
    dest.cork();
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (head.due > now) {
          if (this.timer === null) {
            this.timer = setTimeout(() => {
              this.timer = null;
              this.pump();
            }, Math.ceil(head.due - now));
          }
          break;
        }
        this.queue.shift();
        if (head.unit === null) {
          this.ended = true;
          dest.end();
          continue;
        }
        this.queuedBytes -= head.unit.bytes.length;
        if (!dest.destroyed) dest.write(head.unit.bytes);
        if (head.msg) {
          head.msg.status = 'delivered';
          head.msg.deliveredAt = this.host.now();
          this.host.updated(head.msg);
        }
        if (head.unit.capture) this.delivered++;
      }
    } finally {
      dest.uncork();
    }
    if (this.queuedBytes <= QUEUE_HIGH_WATER / 2 && dest.writableLength < QUEUE_HIGH_WATER) this.resumeSource();
  }

  private resumeSource(): void {
    if (this.paused && this.source && this.queuedBytes <= QUEUE_HIGH_WATER / 2) {
      this.paused = false;
      this.source.resume();
    }
  }

  /** The connection is over: what waits is lost, as it would be with the TCP connection. */
  dropAll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Nothing still here left the relay (a queued message is never marked delivered with a time).
    for (const it of [...this.queue, ...this.aside]) {
      if (!it.msg) continue;
      it.msg.status = 'dropped';
      it.msg.deliveredAt = null;
      this.host.updated(it.msg);
    }
    this.queue.length = 0;
    this.aside.length = 0;
    this.asideProposals.clear();
    this.queuedBytes = 0;
  }
}

// A member's disk in the simulator, with the semantics of FileStorage (src/server/storage):
// snapshots plus a txn log; writes complete in order, each at its own time, and only completed
// writes survive a crash (a random prefix of the unfinished ones may also have made it).
// `txnsAfter`, `truncate` and loading behave as the file store does, stale entries included.
import type { Rng } from './rng';

export interface SimTxn {
  zxid: bigint;
  /** What the txn does; equal data and zxid mean the same txn. */
  data: string;
}

export type DiskOp =
  | { kind: 'epoch'; name: 'acceptedEpoch' | 'currentEpoch'; epoch: bigint }
  | { kind: 'txns'; txns: SimTxn[] }
  | { kind: 'truncate'; zxid: bigint }
  /** A snapshot is named by the database's zxid (tree.lastProcessedZxid), not its last txn: after a
   *  SNAP or a new epoch that zxid is above every txn in the image, and recovery skips log entries at
   *  or below it (a snapshot named by its last txn let stale, never-committed log entries back in). */
  | { kind: 'snapshot'; zxid: bigint; image: SimTxn[] };

interface Queued {
  seq: number;
  op: DiskOp;
  doneAt: number;
}

export class SimDisk {
  /** Durable snapshots, oldest first; an empty database starts with snapshot 0 (like FileStorage). */
  snapshots: { zxid: bigint; image: SimTxn[] }[] = [{ zxid: 0n, image: [] }];
  /** Durable txn log entries in file order (may hold stale entries older than the newest snapshot). */
  log: SimTxn[] = [];
  acceptedEpoch: bigint | null = null;
  currentEpoch: bigint | null = null;
  private queue: Queued[] = [];
  lastQueuedZxid = 0n;
  lastDoneAt = 0;

  /** Queues a write; returns the time it will be durable (never before earlier writes). */
  enqueue(seq: number, op: DiskOp, now: number, delay: number): number {
    const doneAt = Math.max(this.lastDoneAt, now + delay);
    this.lastDoneAt = doneAt;
    this.queue.push({ seq, op, doneAt });
    if (op.kind === 'txns') for (const t of op.txns) this.lastQueuedZxid = t.zxid;
    if (op.kind === 'truncate' && this.lastQueuedZxid > op.zxid) this.lastQueuedZxid = op.zxid;
    return doneAt;
  }

  get pendingWrites(): number {
    return this.queue.length;
  }

  /** Completes the oldest queued write; returns it. */
  completeNext(): Queued {
    const q = this.queue.shift();
    if (!q) throw new Error('no write is queued');
    this.makeDurable(q.op);
    return q;
  }

  private makeDurable(op: DiskOp): void {
    switch (op.kind) {
      case 'epoch':
        this[op.name] = op.epoch;
        return;
      case 'txns':
        this.log.push(...op.txns);
        return;
      case 'truncate': {
        // FileStorage.truncate: cut at the first entry after zxid; drop newer snapshots.
        const cut = this.log.findIndex((e) => e.zxid > op.zxid);
        if (cut >= 0) this.log = this.log.slice(0, cut);
        this.snapshots = this.snapshots.filter((s) => s.zxid <= op.zxid);
        return;
      }
      case 'snapshot':
        this.snapshots.push({ zxid: op.zxid, image: op.image });
        this.snapshots.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
        return;
    }
  }

  /** A crash: writes not finished are lost, except a random prefix of them. */
  crash(rng: Rng): number {
    const keep = this.queue.length === 0 ? 0 : rng.int(0, this.queue.length);
    for (let i = 0; i < keep; i++) this.makeDurable(this.queue[i]!.op);
    const lost = this.queue.length - keep;
    this.queue = [];
    this.lastQueuedZxid = this.log.length > 0 ? this.log[this.log.length - 1]!.zxid : this.newestSnapshot().zxid;
    this.lastDoneAt = 0;
    return lost;
  }

  newestSnapshot(): { zxid: bigint; image: SimTxn[] } {
    return this.snapshots[this.snapshots.length - 1] ?? { zxid: 0n, image: [] };
  }

  /** The database as recovery builds it: the newest snapshot plus the log after it, and its zxid. */
  load(): { db: SimTxn[]; zxid: bigint } {
    const snap = this.newestSnapshot();
    const db = [...snap.image];
    let last = snap.zxid;
    for (const e of this.log) {
      if (e.zxid > last) {
        db.push(e);
        last = e.zxid;
      }
    }
    return { db, zxid: last };
  }

  /**
   * FileStorage.txnsAfter: durable entries after `after`, or null when the log does not reach
   * back to it. From the newest snapshot on the log is complete (recovery replays exactly it).
   */
  txnsAfter(after: bigint): SimTxn[] | null {
    if (after >= this.lastQueuedZxid) return [];
    let reachesBack = false;
    const out: SimTxn[] = [];
    for (const e of this.log) {
      if (e.zxid <= after) reachesBack = true;
      else out.push(e);
    }
    return reachesBack || after === this.newestSnapshot().zxid ? out : null;
  }
}

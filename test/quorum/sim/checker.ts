// The simulator's safety checks, fed after every step from the members' event logs (the same
// QuorumEvent records the lab shows) and their databases:
// - at most one leader establishes each epoch;
// - the committed history only grows: every newly established leader holds all of it, and each
//   commit extends it by exactly the next txn, in zxid order;
// - every serving member's database is a prefix of the committed history (same txns, same order);
// - a serving member's zxid never goes backwards, durable epochs never go backwards and
//   acceptedEpoch >= currentEpoch;
// - every acknowledged write is committed; a sync sees what its leader had committed before it.
import { describeEvent, type QuorumEvent } from '../../../src/protocol/events';
import { epochOf, hexZxid } from '../../../src/server/quorum/zab/types';
import type { SimTxn } from './disk';

export class InvariantViolation extends Error {}

const same = (a: SimTxn | undefined, b: SimTxn | undefined): boolean => a !== undefined && b !== undefined && a.zxid === b.zxid && a.data === b.data;

/** What the checker needs to see of a member. */
export interface CheckedMember {
  sid: number;
  serving: boolean;
  db: SimTxn[];
}

export class Checker {
  /** The committed history. */
  readonly committed: SimTxn[] = [];
  readonly epochLeaders = new Map<bigint, number>();
  private readonly checkedUpTo = new Map<number, number>();
  private readonly maxServedZxid = new Map<number, bigint>();
  private readonly durable = new Map<string, bigint>();
  readonly acked: SimTxn[] = [];
  stats = { establishments: 0, commits: 0, acked: 0, syncs: 0, diff: 0, trunc: 0, snap: 0, abdications: 0, rollovers: 0 };

  private fail(msg: string): never {
    throw new InvariantViolation(msg);
  }

  private get lastCommitted(): bigint {
    return this.committed.length > 0 ? this.committed[this.committed.length - 1]!.zxid : 0n;
  }

  /** Events of one member's step, after its actions were carried out. */
  onEvents(m: CheckedMember, events: QuorumEvent[]): void {
    for (const e of events) {
      if (e.type === 'leader.established') this.onEstablished(m, e.epoch);
      else if (e.type === 'commit') this.onCommit(m, e.zxid);
      else if (e.type === 'leader.sync') this.stats[e.mode === 'DIFF' ? 'diff' : e.mode === 'TRUNC' ? 'trunc' : 'snap']++;
      else if (e.type === 'leader.abdicated') this.stats[e.reason.includes('rolled over') ? 'rollovers' : 'abdications']++;
    }
  }

  private onEstablished(m: CheckedMember, epoch: bigint): void {
    const other = this.epochLeaders.get(epoch);
    if (other !== undefined && other !== m.sid) this.fail(`two leaders established epoch ${epoch}: ${other} and ${m.sid}`);
    this.epochLeaders.set(epoch, m.sid);
    for (let i = 0; i < this.committed.length; i++) {
      if (!same(m.db[i], this.committed[i])) {
        this.fail(
          `leader ${m.sid} established epoch ${epoch} without committed txn #${i} ${hexZxid(this.committed[i]!.zxid)} (${this.committed[i]!.data}); it has ${m.db[i] ? `${hexZxid(m.db[i]!.zxid)} (${m.db[i]!.data})` : 'nothing'} there`,
        );
      }
    }
    // Establishing commits the leader's whole history.
    for (let i = this.committed.length; i < m.db.length; i++) this.committed.push(m.db[i]!);
    this.stats.establishments++;
  }

  private onCommit(m: CheckedMember, zxid: bigint): void {
    const leader = this.epochLeaders.get(epochOf(zxid));
    if (leader !== m.sid) this.fail(`member ${m.sid} committed ${hexZxid(zxid)} but the leader of epoch ${epochOf(zxid)} is ${leader}`);
    if (zxid <= this.lastCommitted) this.fail(`commit ${hexZxid(zxid)} is not after the last committed ${hexZxid(this.lastCommitted)}`);
    const t = m.db[this.committed.length];
    if (!t || t.zxid !== zxid || m.db.length !== this.committed.length + 1) {
      this.fail(`leader ${m.sid} committed ${hexZxid(zxid)} but its database (${m.db.length} txns) does not extend the committed history (${this.committed.length}) by it`);
    }
    for (let i = Math.max(0, this.committed.length - 3); i < this.committed.length; i++) {
      if (!same(m.db[i], this.committed[i])) this.fail(`leader ${m.sid} diverged from the committed history at #${i}`);
    }
    this.committed.push(t);
    this.stats.commits++;
  }

  /** A member's database after a step: when serving it must be a prefix of the committed history. */
  onDatabase(m: CheckedMember): void {
    if (!m.serving) {
      this.checkedUpTo.delete(m.sid);
      return;
    }
    let from = this.checkedUpTo.get(m.sid) ?? 0;
    if (from > m.db.length) from = 0;
    for (let i = from; i < m.db.length; i++) {
      if (!same(m.db[i], this.committed[i])) {
        this.fail(
          `serving member ${m.sid} has ${hexZxid(m.db[i]!.zxid)} (${m.db[i]!.data}) at #${i} where the committed history has ${this.committed[i] ? `${hexZxid(this.committed[i]!.zxid)} (${this.committed[i]!.data})` : 'nothing'}`,
        );
      }
    }
    this.checkedUpTo.set(m.sid, m.db.length);
    const zxid = m.db.length > 0 ? m.db[m.db.length - 1]!.zxid : 0n;
    const max = this.maxServedZxid.get(m.sid) ?? 0n;
    if (zxid < max) this.fail(`member ${m.sid} serves zxid ${hexZxid(zxid)} after having served ${hexZxid(max)}`);
    this.maxServedZxid.set(m.sid, zxid);
  }

  /** A durable epoch write completed on a member's disk. */
  onDurableEpoch(sid: number, name: 'acceptedEpoch' | 'currentEpoch', epoch: bigint, disk: { acceptedEpoch: bigint | null; currentEpoch: bigint | null }): void {
    const key = `${sid}/${name}`;
    const before = this.durable.get(key);
    if (before !== undefined && epoch < before) this.fail(`member ${sid} wrote ${name}=${epoch} after ${name}=${before}`);
    this.durable.set(key, epoch);
    if (disk.acceptedEpoch !== null && disk.currentEpoch !== null && disk.acceptedEpoch < disk.currentEpoch) {
      this.fail(`member ${sid} has acceptedEpoch ${disk.acceptedEpoch} < currentEpoch ${disk.currentEpoch} on disk`);
    }
  }

  /** A client got the reply to a write: it must be committed. */
  onAck(t: SimTxn): void {
    const c = this.committed.find((x) => x.zxid === t.zxid);
    if (!c || c.data !== t.data) this.fail(`write ${t.data} was acknowledged at ${hexZxid(t.zxid)} but is not committed there`);
    this.acked.push(t);
    this.stats.acked++;
  }

  /**
   * A sync completed on a member that follows epoch `epoch`: it must have applied every txn of
   * that epoch or before that was committed when the client asked.
   */
  onSyncDone(m: CheckedMember, committedAtRequest: number, epoch: bigint): void {
    let need = 0;
    for (let i = 0; i < committedAtRequest; i++) if (epochOf(this.committed[i]!.zxid) <= epoch) need = i + 1;
    if (m.db.length < need) this.fail(`sync on member ${m.sid} returned with ${m.db.length} txns applied; ${need} were committed before it was asked`);
    this.stats.syncs++;
  }

  /** After the liveness phase: everyone holds the same history, with every acknowledged write. */
  checkConverged(members: CheckedMember[]): void {
    for (const m of members) {
      if (m.db.length !== this.committed.length) this.fail(`member ${m.sid} ends with ${m.db.length} txns, the committed history has ${this.committed.length}`);
      this.onDatabase({ ...m, serving: true });
    }
    const byZxid = new Map(this.committed.map((t) => [t.zxid, t]));
    for (const a of this.acked) if (!same(byZxid.get(a.zxid), a)) this.fail(`acknowledged write ${a.data} at ${hexZxid(a.zxid)} is lost`);
  }
}

/** One line of the simulator's trace. */
export function traceLine(time: number, e: QuorumEvent): string {
  return `${String(time).padStart(6)} ${describeEvent(e)}`;
}

// The learner side of ZAB (Learner.registerWithLeader / syncWithLeader, Follower.processPacket,
// Observer.processPacket) as a pure state machine, for followers and observers alike.
//
// Durability rules, as in ZooKeeper 3.8.6: the acceptedEpoch is on disk before ACKEPOCH leaves;
// everything received during the sync (and the snapshot after a SNAP) is on disk, and then the
// currentEpoch, before the ACK of NEWLEADER leaves; a proposal is on disk before its ACK leaves.
// Committed txns are applied in zxid order, whether or not they are on this member's disk yet
// (a quorum has them).
import type { QuorumEvent, SyncModeName, ZabPhaseName } from '../../../protocol/events';
import {
  epochOf,
  hexZxid,
  OPCODE_SYNC,
  ZAB_PROTOCOL_VERSION,
  zxidOf,
  type CommonAction,
  type ForwardedRequest,
  type TxnLike,
  type ZabConfig,
  type ZabMessage,
  type ZabStorageView,
} from './types';

export type LearnerInput<T extends TxnLike> =
  | { type: 'start' }
  /** The connection to the leader's quorum port is open. */
  | { type: 'connected' }
  | { type: 'disconnected'; reason: string }
  | { type: 'message'; msg: ZabMessage<T> }
  /** Half a tickTime passed. */
  | { type: 'tick' }
  | { type: 'persisted'; seq: number }
  /** A write from a client of this member, for the leader. */
  | { type: 'forward'; request: ForwardedRequest }
  /** A client's sync: `syncDone(id)` once this member has caught up with the leader. */
  | { type: 'sync'; id: number; request: ForwardedRequest }
  | { type: 'revalidate'; sessionId: bigint; timeout: number }
  /** A client of this member showed its session is alive (reported in the next PING). */
  | { type: 'touch'; sessionId: bigint; timeout: number }
  | { type: 'stop'; reason: string };

export type LearnerAction<T extends TxnLike> =
  | CommonAction<T>
  /** Open the connection to the leader's quorum port. */
  | { type: 'connect' }
  | { type: 'send'; msg: ZabMessage<T> }
  | { type: 'disconnect' }
  /** Replace the database with the leader's snapshot image (after SNAP). */
  | { type: 'loadSnapshot'; zxid: bigint; image: unknown }
  | { type: 'revalidated'; sessionId: bigint; valid: boolean }
  /** Synced: serve clients; report the epoch in election answers. */
  | { type: 'upToDate'; epoch: bigint };

export interface LearnerOutput<T extends TxnLike> {
  actions: LearnerAction<T>[];
  events: QuorumEvent[];
}

type Stage = 'connecting' | 'discovery' | 'syncFirst' | 'sync' | 'newleader' | 'acked' | 'broadcast' | 'ended';

interface Pending<T> {
  txn: T;
  committed: boolean;
}

/** A follower or an observer of one leader. */
export class LearnerCore<T extends TxnLike> {
  stage: Stage = 'connecting';
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  newEpoch: bigint | null = null;
  syncMode: SyncModeName | null = null;
  /** The last zxid in this member's log (or queued to it). */
  lastQueued: bigint;
  private readonly lastLoggedZxid: bigint;
  /** Received during the sync, written at NEWLEADER. */
  private syncTxns: Pending<T>[] = [];
  /** Between NEWLEADER and the currentEpoch write: new proposals wait in syncTxns. */
  private holdingSync = false;
  /** Logged (or being logged), not yet applied, in zxid order. */
  private readonly pending: Pending<T>[] = [];
  /** Logged proposals whose ACK has not gone out: zxid and the seq of their write. */
  private readonly toAck: { zxid: bigint; seq: number }[] = [];
  private readonly pendingSyncs: number[] = [];
  private readonly touches = new Map<bigint, number>();
  private seq = 0;
  private durableSeq = 0;
  private readonly afterDurable: { seq: number; run: () => void }[] = [];
  private halfTicks = 0;
  private lastHeard = 0;
  private out: LearnerOutput<T> = { actions: [], events: [] };

  constructor(
    readonly cfg: ZabConfig,
    readonly leader: number,
    readonly observer: boolean,
    epochs: { acceptedEpoch: bigint; currentEpoch: bigint },
    view: ZabStorageView<T>,
  ) {
    this.acceptedEpoch = epochs.acceptedEpoch;
    this.currentEpoch = epochs.currentEpoch;
    this.lastLoggedZxid = view.lastProcessedZxid();
    this.lastQueued = this.lastLoggedZxid;
  }

  private get myid(): number {
    return this.cfg.myid;
  }

  /** Synced with the leader and serving clients. */
  get serving(): boolean {
    return this.stage === 'broadcast';
  }

  step(input: LearnerInput<T>): LearnerOutput<T> {
    this.out = { actions: [], events: [] };
    if (this.stage === 'ended') return this.out;
    switch (input.type) {
      case 'start':
        this.setPhase('discovery');
        this.out.actions.push({ type: 'connect' });
        break;
      case 'connected':
        this.onConnected();
        break;
      case 'disconnected':
        this.end(`lost the connection to leader ${this.leader}: ${input.reason}`);
        break;
      case 'message':
        this.lastHeard = this.halfTicks;
        this.onMessage(input.msg);
        break;
      case 'tick':
        this.onTick();
        break;
      case 'persisted':
        this.onPersisted(input.seq);
        break;
      case 'forward':
        if (this.stage === 'broadcast') this.send({ type: 'REQUEST', request: input.request });
        break;
      case 'sync':
        if (this.stage === 'broadcast') {
          this.pendingSyncs.push(input.id);
          this.send({ type: 'REQUEST', request: { ...input.request, type: OPCODE_SYNC } });
        }
        break;
      case 'revalidate':
        if (this.stage === 'broadcast') this.send({ type: 'REVALIDATE', sessionId: input.sessionId, timeout: input.timeout });
        else this.out.actions.push({ type: 'revalidated', sessionId: input.sessionId, valid: false });
        break;
      case 'touch':
        this.touches.set(input.sessionId, input.timeout);
        break;
      case 'stop':
        this.end(input.reason);
        break;
    }
    return this.out;
  }

  // ---- plumbing

  private send(msg: ZabMessage<T>): void {
    this.out.actions.push({ type: 'send', msg });
  }

  private setPhase(phase: ZabPhaseName): void {
    this.out.actions.push({ type: 'phase', phase });
    this.out.events.push({ type: 'zab.phase', sid: this.myid, phase, epoch: this.newEpoch ?? this.currentEpoch });
  }

  private end(reason: string): void {
    if (this.stage === 'ended') return;
    this.stage = 'ended';
    this.afterDurable.length = 0;
    this.out.actions.push({ type: 'disconnect' }, { type: 'ended', reason });
  }

  /** How many storage actions this role asked for (their seqs are 1..n). */
  storageSeq(): number {
    return this.seq;
  }

  private whenDurable(seq: number, run: () => void): void {
    if (seq <= this.durableSeq) run();
    else this.afterDurable.push({ seq, run });
  }

  private onPersisted(seq: number): void {
    if (seq <= this.durableSeq) return;
    this.durableSeq = seq;
    while (this.afterDurable.length > 0 && this.afterDurable[0]!.seq <= seq && this.stage !== 'ended') this.afterDurable.shift()!.run();
    if (this.stage === 'broadcast') this.sendDurableAcks();
  }

  private persistTxns(txns: T[]): number {
    const seq = ++this.seq;
    this.out.actions.push({ type: 'persistTxns', seq, txns });
    if (!this.observer) for (const t of txns) this.toAck.push({ zxid: t.zxid, seq });
    return seq;
  }

  private persistEpoch(name: 'acceptedEpoch' | 'currentEpoch', epoch: bigint): number {
    const seq = ++this.seq;
    this.out.actions.push({ type: 'persistEpoch', seq, name, epoch });
    if (name === 'acceptedEpoch') this.acceptedEpoch = epoch;
    else this.currentEpoch = epoch;
    this.out.events.push({ type: name === 'acceptedEpoch' ? 'epoch.accepted' : 'epoch.current', sid: this.myid, epoch });
    return seq;
  }

  private sendDurableAcks(): void {
    while (this.toAck.length > 0 && this.toAck[0]!.seq <= this.durableSeq) this.send({ type: 'ACK', zxid: this.toAck.shift()!.zxid });
  }

  // ---- discovery

  private onConnected(): void {
    if (this.stage !== 'connecting') return;
    this.stage = 'discovery';
    this.lastHeard = this.halfTicks;
    this.send({
      type: this.observer ? 'OBSERVERINFO' : 'FOLLOWERINFO',
      acceptedEpoch: this.acceptedEpoch,
      sid: this.myid,
      protocolVersion: ZAB_PROTOCOL_VERSION,
      configVersion: 0n,
    });
  }

  private onMessage(msg: ZabMessage<T>): void {
    switch (this.stage) {
      case 'discovery':
        this.onLeaderInfo(msg);
        return;
      case 'syncFirst':
        this.onSyncStart(msg);
        return;
      case 'sync':
        this.onSyncPacket(msg);
        return;
      case 'newleader':
      case 'acked':
        this.onAfterNewLeader(msg);
        return;
      case 'broadcast':
        this.onBroadcast(msg);
        return;
      default:
        return;
    }
  }

  /** Learner.registerWithLeader, after FOLLOWERINFO. */
  private onLeaderInfo(msg: ZabMessage<T>): void {
    if (msg.type !== 'LEADERINFO') {
      this.end(`First packet should have been LEADERINFO, got ${msg.type}`);
      return;
    }
    const newEpoch = msg.newEpoch;
    this.newEpoch = newEpoch;
    this.stage = 'syncFirst';
    if (newEpoch > this.acceptedEpoch) {
      const current = this.currentEpoch;
      const seq = this.persistEpoch('acceptedEpoch', newEpoch);
      this.whenDurable(seq, () => this.send({ type: 'ACKEPOCH', lastLoggedZxid: this.lastLoggedZxid, currentEpoch: current }));
    } else if (newEpoch === this.acceptedEpoch) {
      this.send({ type: 'ACKEPOCH', lastLoggedZxid: this.lastLoggedZxid, currentEpoch: -1n });
    } else {
      this.end(`Leaders epoch, ${newEpoch} is less than accepted epoch, ${this.acceptedEpoch}`);
      return;
    }
    this.setPhase('synchronization');
  }

  // ---- synchronisation

  private onSyncStart(msg: ZabMessage<T>): void {
    switch (msg.type) {
      case 'DIFF':
        this.syncMode = 'DIFF';
        break;
      case 'TRUNC': {
        this.syncMode = 'TRUNC';
        const seq = ++this.seq;
        this.out.actions.push({ type: 'truncate', seq, zxid: msg.zxid });
        this.lastQueued = msg.zxid;
        break;
      }
      case 'SNAP':
        this.syncMode = 'SNAP';
        this.out.actions.push({ type: 'loadSnapshot', zxid: msg.zxid, image: msg.image });
        this.lastQueued = msg.zxid;
        break;
      default:
        this.end(`Got unexpected packet from leader: ${msg.type}, expected DIFF, TRUNC or SNAP`);
        return;
    }
    this.stage = 'sync';
    this.out.events.push({ type: 'learner.sync', sid: this.myid, leader: this.leader, mode: this.syncMode, zxid: msg.zxid });
  }

  private queue(txn: T): boolean {
    if (txn.zxid <= this.lastQueued) {
      this.end(`proposal ${hexZxid(txn.zxid)} is not after ${hexZxid(this.lastQueued)}`);
      return false;
    }
    this.lastQueued = txn.zxid;
    return true;
  }

  private onSyncPacket(msg: ZabMessage<T>): void {
    switch (msg.type) {
      case 'PROPOSAL':
        if (this.queue(msg.txn)) this.syncTxns.push({ txn: msg.txn, committed: false });
        return;
      case 'INFORM':
        if (this.queue(msg.txn)) this.syncTxns.push({ txn: msg.txn, committed: true });
        return;
      case 'COMMIT':
        this.markCommitted(this.syncTxns, msg.zxid);
        return;
      case 'NEWLEADER':
        this.onNewLeader(msg.zxid);
        return;
      case 'UPTODATE':
        this.end('UPTODATE before NEWLEADER: the leader speaks a protocol older than Zab 1.0');
        return;
      default:
        // PINGs and anything else are not answered during the sync (syncWithLeader drops them).
        return;
    }
  }

  private markCommitted(list: Pending<T>[], zxid: bigint): void {
    const p = list.find((x) => x.txn.zxid === zxid);
    if (!p) {
      this.end(`COMMIT ${hexZxid(zxid)} for a proposal this member does not have`);
      return;
    }
    p.committed = true;
  }

  /** NEWLEADER: make the sync durable, adopt the epoch, then ACK. */
  private onNewLeader(zxid: bigint): void {
    if (zxid !== zxidOf(this.newEpoch!, 0)) {
      this.end(`NEWLEADER ${hexZxid(zxid)} is not for epoch ${this.newEpoch}`);
      return;
    }
    this.stage = 'newleader';
    this.holdingSync = true;
    const newEpoch = this.newEpoch!;
    if (this.syncMode === 'SNAP') this.out.actions.push({ type: 'snapshot', seq: ++this.seq });
    this.pending.push(...this.syncTxns);
    // Txns of older epochs first, then currentEpoch, then those of the new epoch: on disk the
    // epoch of the last logged zxid never runs ahead of currentEpoch (QuorumPeer refuses to
    // start like that), and currentEpoch is never ahead of the history it stands for. What
    // arrives meanwhile waits in syncTxns so the log stays in zxid order.
    const older = this.syncTxns.filter((p) => epochOf(p.txn.zxid) < newEpoch);
    this.syncTxns = this.syncTxns.filter((p) => epochOf(p.txn.zxid) >= newEpoch);
    if (older.length > 0) this.persistTxns(older.map((p) => p.txn));
    this.whenDurable(this.seq, () => {
      this.persistEpoch('currentEpoch', newEpoch);
      const newer = this.syncTxns;
      this.syncTxns = [];
      this.holdingSync = false;
      if (newer.length > 0) this.persistTxns(newer.map((p) => p.txn));
      this.whenDurable(this.seq, () => {
        this.send({ type: 'ACK', zxid: zxidOf(newEpoch, 0) });
        this.stage = 'acked';
      });
    });
  }

  /** Between NEWLEADER and UPTODATE: log what comes, apply nothing yet. */
  private onAfterNewLeader(msg: ZabMessage<T>): void {
    switch (msg.type) {
      case 'PROPOSAL':
      case 'INFORM': {
        if (!this.queue(msg.txn)) return;
        const p = { txn: msg.txn, committed: msg.type === 'INFORM' };
        this.pending.push(p);
        if (this.holdingSync) this.syncTxns.push(p);
        else this.persistTxns([msg.txn]);
        return;
      }
      case 'COMMIT':
        this.markCommitted(this.pending, msg.zxid);
        return;
      case 'UPTODATE':
        if (this.stage !== 'acked') {
          this.end('UPTODATE before this member acknowledged NEWLEADER');
          return;
        }
        this.onUpToDate();
        return;
      default:
        return;
    }
  }

  private onUpToDate(): void {
    this.stage = 'broadcast';
    this.send({ type: 'ACK', zxid: zxidOf(this.newEpoch!, 0) });
    this.out.actions.push({ type: 'upToDate', epoch: this.newEpoch! });
    this.setPhase('broadcast');
    this.sendDurableAcks();
    this.applyCommitted();
    this.out.events.push({ type: 'learner.upToDate', sid: this.myid, leader: this.leader, epoch: this.newEpoch!, zxid: this.lastQueued });
  }

  // ---- broadcast

  private onBroadcast(msg: ZabMessage<T>): void {
    switch (msg.type) {
      case 'PROPOSAL':
        if (this.observer || !this.queue(msg.txn)) return;
        this.pending.push({ txn: msg.txn, committed: false });
        this.persistTxns([msg.txn]);
        return;
      case 'COMMIT': {
        const head = this.pending.find((p) => !p.committed);
        if (!head || head.txn.zxid !== msg.zxid) {
          this.end(`Committing ${hexZxid(msg.zxid)}, but the next pending txn is ${head ? hexZxid(head.txn.zxid) : 'none'}`);
          return;
        }
        head.committed = true;
        this.applyCommitted();
        return;
      }
      case 'INFORM':
        if (!this.queue(msg.txn)) return;
        this.pending.push({ txn: msg.txn, committed: true });
        this.persistTxns([msg.txn]);
        this.applyCommitted();
        return;
      case 'PING': {
        const touches = [...this.touches].map(([sessionId, timeout]) => ({ sessionId, timeout }));
        this.touches.clear();
        this.send({ type: 'PING', zxid: msg.zxid, touches });
        return;
      }
      case 'SYNC': {
        const id = this.pendingSyncs.shift();
        if (id !== undefined) this.out.actions.push({ type: 'syncDone', id });
        return;
      }
      case 'REVALIDATE_REPLY':
        this.out.actions.push({ type: 'revalidated', sessionId: msg.sessionId, valid: msg.valid });
        return;
      default:
        return;
    }
  }

  /** Applies the committed prefix of what is pending, in zxid order. */
  private applyCommitted(): void {
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.committed) n++;
    if (n === 0) return;
    const txns = this.pending.splice(0, n).map((p) => p.txn);
    this.out.actions.push({ type: 'apply', txns });
  }

  // ---- time

  private onTick(): void {
    this.halfTicks++;
    // The socket read timeout: initLimit ticks until NEWLEADER, syncLimit after it.
    const limit = this.stage === 'newleader' || this.stage === 'acked' || this.stage === 'broadcast' ? this.cfg.syncLimit : this.cfg.initLimit;
    if (this.halfTicks - this.lastHeard > 2 * limit) {
      this.end(`no packet from leader ${this.leader} for ${limit} ticks (${this.stage})`);
    }
  }

  /** Syncs waiting for the leader's SYNC (failed by the runtime when the role ends). */
  pendingSyncIds(): readonly number[] {
    return this.pendingSyncs;
  }

  /** The epoch of the last zxid this member has logged or queued. */
  lastQueuedEpoch(): bigint {
    return epochOf(this.lastQueued);
  }
}

// The leader side of ZAB (Leader.lead, LearnerHandler, Leader.processAck / tryToCommit) as a pure
// state machine. Learner connections are numbered by the runtime (`cid`); everything else comes
// in as inputs and goes out as one batch of actions. Order inside a batch matters: a durable
// write must be done before a later send in the same batch is made, and the sends that depend on
// an asynchronous write (persistTxns) only appear once `persisted` reports it.
import type { ZabPhaseName } from '../../../protocol/events';
import { QuorumVerifier } from '../vote';
import { CommittedLog } from './committed-log';
import type { Handler, LeaderInput, LeaderOutput, Proposal } from './leader-types';
import { planSync, type SyncPlan } from './sync-plan';
import { counterOf, epochOf, hexZxid, OPCODE_SYNC, ZAB_PROTOCOL_VERSION, zxidOf, type TxnLike, type ZabConfig, type ZabMessage, type ZabStorageView } from './types';

export type { LeaderAction, LeaderInput, LeaderOutput } from './leader-types';

type Phase = 'discovery' | 'synchronization' | 'broadcast' | 'ended';

/** The leader of one epoch. */
export class LeaderCore<T extends TxnLike> {
  phase: Phase = 'discovery';
  newEpoch: bigint | null = null;
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  lastProposed = 0n;
  lastCommitted = 0n;
  /** The database zxid (the leader's whole history). */
  lastProcessed: bigint;
  private readonly handlers = new Map<number, Handler>();
  private epochCandidate: bigint;
  private readonly connecting = new Set<number>();
  private readonly electing = new Set<number>();
  private readonly newLeaderAcks = new Set<number>();
  private readonly leaderStateSummary: { currentEpoch: bigint; lastZxid: bigint };
  private readonly outstanding: Proposal<T>[] = [];
  /** The newest committed txns, for DIFFs (ZKDatabase's committedLog). */
  private readonly committedLog: CommittedLog<T>;
  private readonly pendingSyncs = new Map<bigint, ({ cid: number } | { id: number })[]>();
  private seq = 0;
  private durableSeq = 0;
  private acceptedEpochSeq = 0;
  private currentEpochSeq = 0;
  private readonly afterDurable: { seq: number; run: () => void }[] = [];
  /** Half ticks since the role began, and since the current wait began. */
  private halfTicks = 0;
  private waitStartedAt = 0;
  /** ZooKeeper's self.tick: advances every other half tick once broadcasting. */
  private tick = 0;
  private tickSkip = true;
  private out: LeaderOutput<T> = { actions: [], events: [] };
  /** cfg.unsafeCommit: PROPOSALs, COMMITs and INFORMs of the broadcast, held for UNSAFE_HOLD half ticks (`at`: when held). */
  private readonly held: { cid: number; msg: ZabMessage<T>; at: number }[] = [];

  constructor(
    readonly cfg: ZabConfig,
    readonly qv: QuorumVerifier,
    epochs: { acceptedEpoch: bigint; currentEpoch: bigint },
    private readonly view: ZabStorageView<T>,
  ) {
    this.acceptedEpoch = epochs.acceptedEpoch;
    this.currentEpoch = epochs.currentEpoch;
    this.lastProcessed = view.lastProcessedZxid();
    this.leaderStateSummary = { currentEpoch: epochs.currentEpoch, lastZxid: this.lastProcessed };
    this.epochCandidate = -1n;
    this.committedLog = CommittedLog.seed(view, cfg.commitLogCount, this.lastProcessed);
  }

  private get myid(): number {
    return this.cfg.myid;
  }

  /** Is the leader serving clients (its epoch established)? */
  get serving(): boolean {
    return this.phase === 'broadcast';
  }

  /** The zxid the next proposal must carry, or null when this leader cannot propose now. */
  nextZxid(): bigint | null {
    if (this.phase !== 'broadcast') return null;
    return this.lastProposed + 1n;
  }

  /** Learner connections by sid, with their stage (for mntr / AdminServer). */
  learners(): { sid: number; observer: boolean; synced: boolean }[] {
    return [...this.handlers.values()].map((h) => ({ sid: h.sid, observer: h.observer, synced: h.stage === 'uptodate' }));
  }

  /** Syncs parked until the last proposal commits. */
  pendingSyncCount(): number {
    let n = 0;
    for (const list of this.pendingSyncs.values()) n += list.length;
    return n;
  }

  step(input: LeaderInput<T>): LeaderOutput<T> {
    this.out = { actions: [], events: [] };
    if (this.phase === 'ended') return this.out;
    switch (input.type) {
      case 'start':
        this.start();
        break;
      case 'message':
        this.onMessage(input.cid, input.msg);
        break;
      case 'closed':
        this.dropHandler(input.cid, 'connection closed', false);
        break;
      case 'tick':
        this.onTick();
        break;
      case 'persisted':
        this.onPersisted(input.seq);
        break;
      case 'propose':
        this.propose(input.txn);
        break;
      case 'sync':
        this.processSync({ id: input.id });
        break;
      case 'revalidated':
        if (this.handlers.has(input.cid)) this.send(input.cid, { type: 'REVALIDATE_REPLY', sessionId: input.sessionId, valid: input.valid });
        break;
      case 'stop':
        this.shutdown(input.reason);
        break;
    }
    return this.out;
  }

  // ---- plumbing

  private send(cid: number, msg: ZabMessage<T>): void {
    this.out.actions.push({ type: 'send', cid, msg });
  }

  private setPhase(phase: Phase & ZabPhaseName): void {
    this.phase = phase;
    this.waitStartedAt = this.halfTicks;
    this.out.actions.push({ type: 'phase', phase });
    this.out.events.push({ type: 'zab.phase', sid: this.myid, phase, epoch: this.newEpoch ?? this.currentEpoch });
  }

  private persistEpoch(name: 'acceptedEpoch' | 'currentEpoch', epoch: bigint): number {
    const seq = ++this.seq;
    this.out.actions.push({ type: 'persistEpoch', seq, name, epoch });
    if (name === 'acceptedEpoch') this.acceptedEpoch = epoch;
    else this.currentEpoch = epoch;
    this.out.events.push({ type: name === 'acceptedEpoch' ? 'epoch.accepted' : 'epoch.current', sid: this.myid, epoch });
    return seq;
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
    while (this.afterDurable.length > 0 && this.afterDurable[0]!.seq <= seq && this.phase !== 'ended') {
      this.afterDurable.shift()!.run();
    }
  }

  private shutdown(reason: string): void {
    if (this.phase === 'ended') return;
    for (const h of [...this.handlers.values()]) this.out.actions.push({ type: 'close', cid: h.cid, reason: 'the leader stepped down' });
    this.handlers.clear();
    if (this.newEpoch !== null && this.phase === 'broadcast') {
      this.out.events.push({ type: 'leader.abdicated', sid: this.myid, epoch: this.newEpoch, reason });
    }
    this.phase = 'ended';
    this.afterDurable.length = 0;
    this.held.length = 0;
    this.out.actions.push({ type: 'ended', reason });
  }

  // ---- discovery

  private start(): void {
    this.setPhase('discovery');
    this.getEpochToPropose(this.myid, this.acceptedEpoch);
  }

  /** Leader.getEpochToPropose: the new epoch is above every accepted epoch of a quorum. */
  private getEpochToPropose(sid: number, lastAcceptedEpoch: bigint): void {
    if (this.newEpoch !== null) return;
    if (lastAcceptedEpoch >= this.epochCandidate) this.epochCandidate = lastAcceptedEpoch + 1n;
    if (this.qv.isVoter(sid)) this.connecting.add(sid);
    if (!this.connecting.has(this.myid) || !this.qv.containsQuorum(this.connecting)) return;
    const epoch = this.epochCandidate;
    this.newEpoch = epoch;
    this.lastProposed = zxidOf(epoch, 0);
    this.waitStartedAt = this.halfTicks;
    this.out.events.push({ type: 'leader.epochProposed', sid: this.myid, epoch, quorum: [...this.connecting].sort((a, b) => a - b) });
    const seq = this.persistEpoch('acceptedEpoch', epoch);
    this.acceptedEpochSeq = seq;
    this.whenDurable(seq, () => {
      for (const h of this.handlers.values()) if (h.stage === 'info') this.sendLeaderInfo(h);
      // The leader acks its own epoch with its own state summary.
      this.waitForEpochAck(this.myid, this.leaderStateSummary.currentEpoch, this.leaderStateSummary.lastZxid);
    });
  }

  private sendLeaderInfo(h: Handler): void {
    h.stage = 'leaderinfo';
    h.lastHeard = this.halfTicks;
    this.send(h.cid, { type: 'LEADERINFO', newEpoch: this.newEpoch!, protocolVersion: ZAB_PROTOCOL_VERSION });
  }

  /** Leader.waitForEpochAck: a quorum has promised the new epoch. */
  private waitForEpochAck(sid: number, currentEpoch: bigint, lastZxid: bigint): boolean {
    if (this.phase !== 'discovery') return true;
    if (currentEpoch !== -1n) {
      const s = this.leaderStateSummary;
      if (currentEpoch > s.currentEpoch || (currentEpoch === s.currentEpoch && lastZxid > s.lastZxid)) return false;
      if (lastZxid !== -1n && this.qv.isVoter(sid)) this.electing.add(sid);
    }
    if (this.electing.has(this.myid) && this.qv.containsQuorum(this.electing)) {
      const seq = this.persistEpoch('currentEpoch', this.newEpoch!);
      this.currentEpochSeq = seq;
      this.setPhase('synchronization');
      this.whenDurable(seq, () => {
        for (const h of this.handlers.values()) if (h.stage === 'ackepoch') this.syncLearner(h);
        this.newLeaderAck(this.myid, zxidOf(this.newEpoch!, 0));
      });
    }
    return true;
  }

  // ---- learners

  private onMessage(cid: number, msg: ZabMessage<T>): void {
    const h = this.handlers.get(cid);
    if (!h) {
      if (msg.type !== 'FOLLOWERINFO' && msg.type !== 'OBSERVERINFO') {
        this.out.actions.push({ type: 'close', cid, reason: `first packet was ${msg.type}, not FOLLOWERINFO or OBSERVERINFO` });
        return;
      }
      this.onLearnerInfo(cid, msg);
      return;
    }
    h.lastHeard = this.halfTicks;
    switch (h.stage) {
      case 'info':
      case 'leaderinfo':
        if (msg.type !== 'ACKEPOCH' || h.stage !== 'leaderinfo') {
          this.dropHandler(cid, `expected ACKEPOCH, got ${msg.type}`, true);
          return;
        }
        this.onAckEpoch(h, msg.currentEpoch, msg.lastLoggedZxid);
        return;
      case 'ackepoch':
        this.dropHandler(cid, `unexpected ${msg.type} while waiting for the epoch`, true);
        return;
      case 'syncing':
        // The first packet after a sync must be the ACK of NEWLEADER.
        if (msg.type !== 'ACK') {
          this.dropHandler(cid, `expected the ACK of NEWLEADER, got ${msg.type}`, true);
          return;
        }
        this.onNewLeaderAck(h, msg.zxid);
        return;
      case 'acked':
      case 'uptodate':
        h.tickOfNextAckDeadline = this.tick + this.cfg.syncLimit;
        this.onBroadcastMessage(h, msg);
        return;
    }
  }

  private onLearnerInfo(cid: number, msg: Extract<ZabMessage<T>, { type: 'FOLLOWERINFO' | 'OBSERVERINFO' }>): void {
    if (msg.configVersion > 0n) {
      // This ensemble runs a static configuration (version 0); a learner with a later one is ahead.
      this.out.actions.push({ type: 'close', cid, reason: 'the learner has a later activated configuration' });
      return;
    }
    for (const other of [...this.handlers.values()]) {
      if (other.sid === msg.sid) this.dropHandler(other.cid, 'the learner connected again', true);
    }
    const h: Handler = {
      cid,
      sid: msg.sid,
      observer: msg.type === 'OBSERVERINFO',
      acceptedEpoch: msg.acceptedEpoch,
      stage: 'info',
      peerLastZxid: -1n,
      tickOfNextAckDeadline: this.tick + this.cfg.initLimit + this.cfg.syncLimit,
      lastHeard: this.halfTicks,
      unacked: new Map(),
    };
    this.handlers.set(cid, h);
    if (this.newEpoch === null) {
      this.getEpochToPropose(h.sid, h.acceptedEpoch);
    } else {
      // The epoch is chosen; its acceptedEpoch write may still be on its way to disk.
      this.whenDurable(this.acceptedEpochSeq, () => {
        if (this.handlers.get(cid) === h && h.stage === 'info') this.sendLeaderInfo(h);
      });
    }
  }

  private onAckEpoch(h: Handler, currentEpoch: bigint, lastLoggedZxid: bigint): void {
    h.peerLastZxid = lastLoggedZxid;
    const discovering = this.phase === 'discovery';
    if (!this.waitForEpochAck(h.sid, currentEpoch, lastLoggedZxid)) {
      this.dropHandler(h.cid, `follower is ahead of the leader (epoch ${currentEpoch}, zxid ${hexZxid(lastLoggedZxid)})`, true);
      return;
    }
    h.stage = 'ackepoch';
    if (!discovering) {
      // The epoch is adopted already: this learner is synced at once.
      this.whenDurable(this.currentEpochSeq, () => {
        if (this.handlers.get(h.cid) === h && h.stage === 'ackepoch') this.syncLearner(h);
      });
    }
  }

  /** DIFF, TRUNC or SNAP, the queued proposals, then NEWLEADER; from here it gets the broadcast. */
  private syncLearner(h: Handler): void {
    const plan: SyncPlan<T> = planSync(h.peerLastZxid, {
      lastProcessedZxid: this.lastProcessed,
      ...this.committedLog.history(),
      snapshotZxid: this.view.snapshotZxid(),
      txnsAfter: (z) => this.view.txnsAfter(z),
      logSyncLimitBytes: this.view.logSyncLimitBytes?.() ?? -1,
      txnSize: (t) => this.view.txnSize?.(t) ?? 0,
    });
    h.stage = 'syncing';
    h.lastHeard = this.halfTicks;
    if (plan.mode === 'SNAP') this.send(h.cid, { type: 'SNAP', zxid: plan.zxid });
    else this.send(h.cid, { type: plan.mode, zxid: plan.zxid });
    for (const t of plan.txns) {
      this.sendProposal(h, t);
      this.send(h.cid, { type: 'COMMIT', zxid: t.zxid });
    }
    // startForwarding: proposals still waiting for a quorum go to followers as well.
    if (!h.observer) for (const p of this.outstanding) if (p.txn.zxid > plan.currentZxid) this.sendProposal(h, p.txn);
    this.send(h.cid, { type: 'NEWLEADER', zxid: zxidOf(this.newEpoch!, 0), config: this.cfg.configText });
    this.out.events.push({ type: 'leader.sync', sid: this.myid, learner: h.sid, mode: plan.mode, peerZxid: h.peerLastZxid, zxid: this.lastProcessed, txns: plan.txns.length });
  }

  private sendProposal(h: Handler, txn: T): void {
    h.unacked.set(txn.zxid, this.halfTicks);
    this.send(h.cid, { type: 'PROPOSAL', txn });
  }

  private onNewLeaderAck(h: Handler, zxid: bigint): void {
    h.stage = 'acked';
    // Before the epoch is established, establishing it sends UPTODATE to everyone who acked.
    if (this.phase !== 'broadcast') {
      if (zxid === zxidOf(this.newEpoch!, 0)) this.newLeaderAck(h.sid, zxid);
    } else {
      this.upToDate(h);
    }
  }

  /** Leader.waitForNewLeaderAck: a quorum holds this leader's history; the epoch is established. */
  private newLeaderAck(sid: number, _zxid: bigint): void {
    if (this.phase !== 'synchronization') return;
    if (this.qv.isVoter(sid)) this.newLeaderAcks.add(sid);
    if (!this.newLeaderAcks.has(this.myid) || !this.qv.containsQuorum(this.newLeaderAcks)) return;
    this.lastCommitted = zxidOf(this.newEpoch!, 0);
    // Leader.startZkServer: the database's zxid becomes the new epoch's first, so srvr, mntr and
    // replies show 0x<epoch>00000000 until the first txn of the epoch (learners keep theirs).
    if (this.lastCommitted > this.lastProcessed) this.lastProcessed = this.lastCommitted;
    this.setPhase('broadcast');
    this.tick = 0;
    this.tickSkip = true;
    for (const other of this.handlers.values()) other.tickOfNextAckDeadline = this.tick + this.cfg.initLimit + this.cfg.syncLimit;
    this.out.actions.push({ type: 'established', epoch: this.newEpoch!, zxid: this.lastProcessed });
    this.out.events.push({ type: 'leader.established', sid: this.myid, epoch: this.newEpoch!, zxid: this.lastProcessed, quorum: [...this.newLeaderAcks].sort((a, b) => a - b) });
    for (const other of this.handlers.values()) if (other.stage === 'acked') this.upToDate(other);
  }

  private upToDate(h: Handler): void {
    h.stage = 'uptodate';
    h.lastHeard = this.halfTicks;
    this.send(h.cid, { type: 'UPTODATE' });
    this.out.events.push({ type: 'leader.learnerUpToDate', sid: this.myid, learner: h.sid });
  }

  private dropHandler(cid: number, reason: string, close: boolean): void {
    const h = this.handlers.get(cid);
    if (close) this.out.actions.push({ type: 'close', cid, reason });
    if (!h) return;
    this.handlers.delete(cid);
    this.out.events.push({ type: 'leader.learnerGone', sid: this.myid, learner: h.sid, reason });
  }

  private onBroadcastMessage(h: Handler, msg: ZabMessage<T>): void {
    switch (msg.type) {
      case 'ACK':
        // Proposals go to a learner in zxid order, so the acked ones are a prefix of the map
        // (no copy of it per ACK: with hundreds in flight that was quadratic).
        for (const z of h.unacked.keys()) {
          if (z > msg.zxid) break;
          h.unacked.delete(z);
        }
        if (!h.observer) this.processAck(h.sid, msg.zxid);
        return;
      case 'PING':
        if (msg.touches.length > 0) this.out.actions.push({ type: 'touch', touches: msg.touches });
        return;
      case 'REVALIDATE':
        this.out.actions.push({ type: 'revalidate', cid: h.cid, sessionId: msg.sessionId, timeout: msg.timeout });
        return;
      case 'REQUEST':
        if (msg.request.type === OPCODE_SYNC) this.processSync({ cid: h.cid });
        else if (this.phase === 'broadcast') this.out.actions.push({ type: 'prepare', cid: h.cid, request: msg.request });
        return;
      default:
        return;
    }
  }

  // ---- broadcast

  private propose(txn: T): void {
    if (this.phase !== 'broadcast') throw new Error(`propose(${hexZxid(txn.zxid)}) while the leader is in ${this.phase}`);
    if (txn.zxid !== this.lastProposed + 1n || epochOf(txn.zxid) !== this.newEpoch) {
      throw new Error(`propose(${hexZxid(txn.zxid)}) but the next zxid is ${hexZxid(this.lastProposed + 1n)}`);
    }
    if (counterOf(txn.zxid) >= BigInt(this.cfg.zxidCounterLimit)) {
      this.shutdown('zxid lower 32 bits have rolled over, forcing re-election, and therefore new epoch start');
      return;
    }
    this.lastProposed = txn.zxid;
    const p: Proposal<T> = { txn, acks: new Set() };
    this.outstanding.push(p);
    this.out.events.push({ type: 'proposal', sid: this.myid, zxid: txn.zxid });
    for (const h of this.handlers.values()) if (!h.observer && isForwarding(h)) this.broadcast(h, { type: 'PROPOSAL', txn });
    const seq = ++this.seq;
    this.out.actions.push({ type: 'persistTxns', seq, txns: [txn] });
    this.whenDurable(seq, () => this.processAck(this.myid, txn.zxid));
  }

  /** Leader.processAck + tryToCommit: commit strictly in zxid order once a quorum acked. */
  private processAck(sid: number, zxid: bigint): void {
    if (counterOf(zxid) === 0n) return;
    if (this.outstanding.length === 0 || zxid <= this.lastCommitted) return;
    const p = this.outstanding.find((x) => x.txn.zxid === zxid);
    if (!p) return;
    p.acks.add(sid);
    this.out.events.push({ type: 'ack', sid: this.myid, from: sid, zxid });
    // unsafeCommit: the leader's own ACK is taken for a quorum's (the bug the checker must catch).
    const committed = (acks: Set<number>): boolean => (this.cfg.unsafeCommit ? acks.has(this.myid) : this.qv.containsQuorum(acks));
    while (this.outstanding.length > 0 && committed(this.outstanding[0]!.acks)) this.commit(this.outstanding.shift()!);
  }

  /** A message of the broadcast to a learner: sent now, or (unsafeCommit) held for a while. */
  private broadcast(h: Handler, msg: ZabMessage<T>): void {
    if (this.cfg.unsafeCommit) this.held.push({ cid: h.cid, msg, at: this.halfTicks });
    else if (msg.type === 'PROPOSAL') this.sendProposal(h, msg.txn);
    else this.send(h.cid, msg);
  }

  /**
   * unsafeCommit: what was held UNSAFE_HOLD half ticks leaves, in order, to the learners still
   * connected. Each write is held as long (not merely until the next tick), so whenever the
   * leader is killed, the writes it acknowledged in the last second or so are lost.
   */
  private releaseHeld(): void {
    let n = 0;
    while (n < this.held.length && this.halfTicks - this.held[n]!.at >= UNSAFE_HOLD) n++;
    for (const { cid, msg } of this.held.splice(0, n)) {
      const h = this.handlers.get(cid);
      if (!h) continue;
      if (msg.type === 'PROPOSAL') this.sendProposal(h, msg.txn);
      else this.send(cid, msg);
    }
  }

  private commit(p: Proposal<T>): void {
    const zxid = p.txn.zxid;
    this.lastCommitted = zxid;
    this.lastProcessed = zxid;
    for (const h of this.handlers.values()) {
      if (!isForwarding(h)) continue;
      if (h.observer) this.broadcast(h, { type: 'INFORM', txn: p.txn });
      else this.broadcast(h, { type: 'COMMIT', zxid });
    }
    this.out.actions.push({ type: 'apply', txns: [p.txn] });
    this.out.events.push({ type: 'commit', sid: this.myid, zxid });
    this.committedLog.push(p.txn);
    const waiting = this.pendingSyncs.get(zxid);
    if (waiting) {
      this.pendingSyncs.delete(zxid);
      for (const w of waiting) this.sendSync(w);
    }
  }

  /** Leader.processSync: answer at once, or once the last proposal so far has committed. */
  private processSync(who: { cid: number } | { id: number }): void {
    if (this.outstanding.length === 0) {
      this.sendSync(who);
      return;
    }
    const list = this.pendingSyncs.get(this.lastProposed) ?? [];
    list.push(who);
    this.pendingSyncs.set(this.lastProposed, list);
  }

  private sendSync(who: { cid: number } | { id: number }): void {
    if ('id' in who) this.out.actions.push({ type: 'syncDone', id: who.id });
    else if (this.handlers.has(who.cid)) this.send(who.cid, { type: 'SYNC' });
  }

  // ---- time

  private onTick(): void {
    this.halfTicks++;
    this.expireSilentLearners();
    if (this.phase !== 'broadcast') {
      // Each of the three waits of Leader.lead may take initLimit ticks.
      if (this.halfTicks - this.waitStartedAt > 2 * this.cfg.initLimit) {
        const what = this.newEpoch === null ? 'epoch from quorum' : this.phase === 'discovery' ? 'epoch to be acked by quorum' : 'NEWLEADER to be acked by quorum';
        this.shutdown(`Timeout while waiting for ${what}`);
      }
      return;
    }
    this.releaseHeld();
    // Leader.lead's loop: every half tick ping everyone; every whole tick count the synced.
    if (!this.tickSkip) this.tick++;
    if (!this.tickSkip) {
      const synced = [this.myid];
      for (const h of this.handlers.values()) if (this.tick <= h.tickOfNextAckDeadline) synced.push(h.sid);
      if (!this.qv.containsQuorum(synced)) {
        this.shutdown(`Not sufficient followers synced, only synced with sids: [ ${synced.sort((a, b) => a - b).join(',')} ]`);
        return;
      }
    }
    this.tickSkip = !this.tickSkip;
    for (const h of [...this.handlers.values()]) this.ping(h);
  }

  /** LearnerHandler.ping: a learner that left a proposal unacked for syncLimit is dropped. */
  private ping(h: Handler): void {
    // Not before its DIFF, TRUNC or SNAP is on the way (sendingThreadStarted): a learner reading
    // the first packet of its sync takes anything else as a protocol error (ZooKeeper's exits).
    if (h.stage === 'info' || h.stage === 'leaderinfo' || h.stage === 'ackepoch') return;
    if (h.stage === 'acked' || h.stage === 'uptodate') {
      for (const sentAt of h.unacked.values()) {
        if (this.halfTicks - sentAt > 2 * this.cfg.syncLimit) {
          this.dropHandler(h.cid, `no ACK for a proposal within syncLimit (${this.cfg.syncLimit} ticks)`, true);
          return;
        }
        break;
      }
    }
    this.send(h.cid, { type: 'PING', zxid: this.lastProposed, touches: [] });
  }

  /**
   * The learner socket's read timeout, where LearnerHandler reads: initLimit ticks for ACKEPOCH
   * and the ACK of NEWLEADER, syncLimit once UPTODATE is sent. While it waits on the leader
   * (for the epoch, for the quorum) it does not read, so nothing expires.
   */
  private expireSilentLearners(): void {
    for (const h of [...this.handlers.values()]) {
      const limit = h.stage === 'uptodate' ? this.cfg.syncLimit : h.stage === 'leaderinfo' || h.stage === 'syncing' ? this.cfg.initLimit : null;
      if (limit !== null && this.halfTicks - h.lastHeard > 2 * limit) this.dropHandler(h.cid, `no packet for ${limit} ticks`, true);
    }
  }
}

/** cfg.unsafeCommit: how many half ticks the broadcast is held (two ticks: a second at the lab's tickTime of 500 ms). */
const UNSAFE_HOLD = 4;

/** A learner that gets the broadcast: its sync has been queued (startForwarding). */
function isForwarding(h: Handler): boolean {
  return h.stage === 'syncing' || h.stage === 'acked' || h.stage === 'uptodate';
}

// QuorumPeer's main loop as a pure state machine: LOOKING runs Fast Leader Election; a decision
// starts the leader or learner core; when that role ends the database is reloaded from disk and
// the member looks for a leader again. The runtime (peer.ts) and the simulator both drive this
// one class, so what the simulator checks is what the server runs.
import type { QuorumEvent } from '../../protocol/events';
import { FastLeaderElection, ELECTION_DEFAULTS, type ElectionAction, type Notification } from './election/fle';
import { QuorumVerifier, ServerState, STATE_NAME } from './vote';
import { LeaderCore, type LeaderAction } from './zab/leader';
import { LearnerCore, type LearnerAction } from './zab/learner';
import { ZAB_DEFAULTS, type ForwardedRequest, type SessionTouch, type StorageAction, type TxnLike, type ZabMessage, type ZabStorageView } from './zab/types';
import type { ZabPhaseName } from '../../protocol/events';

export interface PeerConfig {
  myid: number;
  /** Participants (voters); every other sid in `members` is an observer. */
  voters: number[];
  /** Every sid of the ensemble, observers included. */
  members: number[];
  /** The quorum verifier as text (notifications, NEWLEADER). */
  configText: string;
  initLimit: number;
  syncLimit: number;
  commitLogCount?: number;
  zxidCounterLimit?: number;
  finalizeWaitMs?: number;
  minNotificationIntervalMs?: number;
  maxNotificationIntervalMs?: number;
  /** ZabConfig.unsafeCommit: a deliberately broken leader, for the checker's tests only. */
  unsafeCommit?: boolean;
}

export type PeerInput<T extends TxnLike> =
  /** The database is loaded: start looking for a leader. */
  | { type: 'start'; now: number }
  | { type: 'notification'; now: number; from: number; n: Notification }
  | { type: 'electionTimeout'; now: number }
  | { type: 'peerUp'; sid: number }
  | { type: 'peerDown'; sid: number }
  /** Half a tickTime passed. */
  | { type: 'tick' }
  | { type: 'persisted'; seq: number }
  /** After `reload`: the database holds what is on disk again. */
  | { type: 'reloaded'; now: number }
  // ---- learner side
  | { type: 'leaderConnected' }
  | { type: 'leaderDisconnected'; reason: string }
  | { type: 'leaderMessage'; msg: ZabMessage<T> }
  | { type: 'forward'; request: ForwardedRequest }
  | { type: 'touch'; sessionId: bigint; timeout: number }
  | { type: 'revalidate'; sessionId: bigint; timeout: number }
  // ---- leader side
  | { type: 'learnerMessage'; cid: number; msg: ZabMessage<T> }
  | { type: 'learnerClosed'; cid: number }
  | { type: 'propose'; txn: T }
  | { type: 'revalidated'; cid: number; sessionId: bigint; valid: boolean }
  // ---- either
  | { type: 'sync'; id: number; request: ForwardedRequest }
  /** Stop the current role (disk failure); the member looks for a leader again. */
  | { type: 'stopRole'; reason: string }
  /** A dynamic config was committed (or found in the database): new voters and config text. */
  | { type: 'config'; version: bigint; voters: number[]; members: number[]; configText: string };

export type PeerAction<T extends TxnLike> =
  | StorageAction<T>
  | { type: 'sendNotification'; to: number; n: Notification }
  | { type: 'connectAll' }
  | { type: 'electionTimer'; at: number | null }
  | { type: 'roleChanged'; state: ServerState; leader: number | null }
  | { type: 'phase'; phase: ZabPhaseName }
  /** Serving clients or not (established leader / up-to-date learner); a new leader's database moves up to `zxid`. */
  | { type: 'serving'; serving: boolean; epoch: bigint; zxid?: bigint }
  /** The role ended: let pending storage finish, reload the database from disk, then `reloaded`. */
  | { type: 'reload' }
  | { type: 'apply'; txns: T[] }
  | { type: 'syncDone'; id: number }
  | { type: 'loadSnapshot'; zxid: bigint; image: unknown }
  // learner side
  | { type: 'connectToLeader'; leader: number }
  | { type: 'sendToLeader'; msg: ZabMessage<T> }
  | { type: 'disconnectFromLeader' }
  | { type: 'revalidated'; sessionId: bigint; valid: boolean }
  // leader side
  | { type: 'sendToLearner'; cid: number; msg: ZabMessage<T> }
  | { type: 'closeLearner'; cid: number; reason: string }
  | { type: 'prepare'; cid: number; request: ForwardedRequest }
  | { type: 'touchSessions'; touches: SessionTouch[] }
  | { type: 'revalidateSession'; cid: number; sessionId: bigint; timeout: number };

export interface PeerOutput<T extends TxnLike> {
  actions: PeerAction<T>[];
  events: QuorumEvent[];
}

/** One ensemble member's protocol state: election plus the role it plays. */
export class QuorumPeerCore<T extends TxnLike> {
  readonly qv: QuorumVerifier;
  readonly election: FastLeaderElection;
  state: ServerState = ServerState.LOOKING;
  leaderId: number | null = null;
  role: LeaderCore<T> | LearnerCore<T> | null = null;
  serving = false;
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  /** The highest storage seq handed out, across roles (the runtime's queue is shared). */
  private seqBase = 0;
  private out: PeerOutput<T> = { actions: [], events: [] };

  constructor(
    readonly cfg: PeerConfig,
    epochs: { acceptedEpoch: bigint; currentEpoch: bigint },
    readonly view: ZabStorageView<T>,
  ) {
    this.qv = new QuorumVerifier(cfg.voters);
    this.acceptedEpoch = epochs.acceptedEpoch;
    this.currentEpoch = epochs.currentEpoch;
    this.election = new FastLeaderElection(
      {
        myid: cfg.myid,
        qv: this.qv,
        configText: cfg.configText,
        finalizeWaitMs: cfg.finalizeWaitMs ?? ELECTION_DEFAULTS.finalizeWaitMs,
        minNotificationIntervalMs: cfg.minNotificationIntervalMs ?? ELECTION_DEFAULTS.minNotificationIntervalMs,
        maxNotificationIntervalMs: cfg.maxNotificationIntervalMs ?? ELECTION_DEFAULTS.maxNotificationIntervalMs,
        queuedNotificationsMax: ELECTION_DEFAULTS.queuedNotificationsMax,
      },
      { lastLoggedZxid: view.lastProcessedZxid(), currentEpoch: epochs.currentEpoch },
    );
  }

  get myid(): number {
    return this.cfg.myid;
  }

  get isObserver(): boolean {
    return !this.qv.isVoter(this.cfg.myid);
  }

  /** The zxid the next proposal must carry (leader in broadcast only). */
  nextZxid(): bigint | null {
    return this.role instanceof LeaderCore ? this.role.nextZxid() : null;
  }

  step(input: PeerInput<T>): PeerOutput<T> {
    this.out = { actions: [], events: [] };
    switch (input.type) {
      case 'start':
      case 'reloaded':
        this.electionOut(this.election.step({ type: 'lookForLeader', now: input.now, lastLoggedZxid: this.view.lastProcessedZxid(), currentEpoch: this.currentEpoch }));
        break;
      case 'notification':
        this.electionOut(this.election.step({ type: 'notification', now: input.now, from: input.from, n: input.n }));
        break;
      case 'electionTimeout':
        this.electionOut(this.election.step({ type: 'timeout', now: input.now }));
        break;
      case 'peerUp':
      case 'peerDown':
        this.electionOut(this.election.step(input));
        break;
      case 'tick':
        this.toRole({ type: 'tick' }, { type: 'tick' });
        break;
      case 'config':
        this.adoptConfig(input);
        break;
      case 'persisted': {
        // Writes of an earlier role finishing late mean nothing to this one.
        const seq = input.seq - this.seqBase;
        if (seq > 0) this.toRole({ type: 'persisted', seq }, { type: 'persisted', seq });
        break;
      }
      case 'leaderConnected':
        this.toRole(null, { type: 'connected' });
        break;
      case 'leaderDisconnected':
        this.toRole(null, { type: 'disconnected', reason: input.reason });
        break;
      case 'leaderMessage':
        this.toRole(null, { type: 'message', msg: input.msg });
        break;
      case 'forward':
        this.toRole(null, { type: 'forward', request: input.request });
        break;
      case 'touch':
        this.toRole(null, { type: 'touch', sessionId: input.sessionId, timeout: input.timeout });
        break;
      case 'revalidate':
        if (this.role instanceof LearnerCore) this.toRole(null, { type: 'revalidate', sessionId: input.sessionId, timeout: input.timeout });
        else this.out.actions.push({ type: 'revalidated', sessionId: input.sessionId, valid: false });
        break;
      case 'learnerMessage':
        if (this.role instanceof LeaderCore) this.toRole({ type: 'message', cid: input.cid, msg: input.msg }, null);
        else this.out.actions.push({ type: 'closeLearner', cid: input.cid, reason: 'this member does not lead' });
        break;
      case 'learnerClosed':
        this.toRole({ type: 'closed', cid: input.cid }, null);
        break;
      case 'propose':
        this.toRole({ type: 'propose', txn: input.txn }, null);
        break;
      case 'revalidated':
        this.toRole({ type: 'revalidated', cid: input.cid, sessionId: input.sessionId, valid: input.valid }, null);
        break;
      case 'sync':
        this.toRole({ type: 'sync', id: input.id }, { type: 'sync', id: input.id, request: input.request });
        break;
      case 'stopRole':
        this.toRole({ type: 'stop', reason: input.reason }, { type: 'stop', reason: input.reason });
        break;
    }
    return this.out;
  }

  private toRole(leaderInput: Parameters<LeaderCore<T>['step']>[0] | null, learnerInput: Parameters<LearnerCore<T>['step']>[0] | null): void {
    const role = this.role;
    if (role instanceof LeaderCore) {
      if (leaderInput) this.roleOut(role.step(leaderInput));
    } else if (role instanceof LearnerCore) {
      if (learnerInput) this.roleOut(role.step(learnerInput));
    }
  }

  private electionOut(o: { actions: ElectionAction[]; events: QuorumEvent[] }): void {
    this.out.events.push(...o.events);
    for (const a of o.actions) {
      switch (a.type) {
        case 'send':
          this.out.actions.push({ type: 'sendNotification', to: a.to, n: a.n });
          break;
        case 'connectAll':
          this.out.actions.push(a);
          break;
        case 'timer':
          this.out.actions.push({ type: 'electionTimer', at: a.at });
          break;
        case 'decided':
          this.startRole(a.state, a.leader);
          break;
      }
    }
  }

  private startRole(state: ServerState, leader: number): void {
    this.state = state;
    this.leaderId = leader;
    this.out.actions.push({ type: 'roleChanged', state, leader });
    this.out.events.push({ type: 'role.changed', sid: this.myid, role: STATE_NAME[state]!, leader });
    const zabCfg = {
      myid: this.myid,
      initLimit: this.cfg.initLimit,
      syncLimit: this.cfg.syncLimit,
      commitLogCount: this.cfg.commitLogCount ?? ZAB_DEFAULTS.commitLogCount,
      configText: this.cfg.configText,
      zxidCounterLimit: this.cfg.zxidCounterLimit ?? ZAB_DEFAULTS.zxidCounterLimit,
      unsafeCommit: this.cfg.unsafeCommit === true,
    };
    const epochs = { acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch };
    const view = this.view;
    if (state === ServerState.LEADING) {
      const role = new LeaderCore<T>(zabCfg, this.qv, epochs, view);
      this.role = role;
      this.roleOut(role.step({ type: 'start' }));
    } else {
      const role = new LearnerCore<T>(zabCfg, leader, state === ServerState.OBSERVING, epochs, view);
      this.role = role;
      this.roleOut(role.step({ type: 'start' }));
    }
  }

  private roleOut(o: { actions: (LeaderAction<T> | LearnerAction<T>)[]; events: QuorumEvent[] }): void {
    this.out.events.push(...o.events);
    for (const a of o.actions) this.roleAction(a);
  }

  private roleAction(a: LeaderAction<T> | LearnerAction<T>): void {
    switch (a.type) {
      // Object.assign, not `{ ...a, seq }`: Node 20 copies a spread with extra keys on a slow path.
      case 'persistEpoch':
        if (a.name === 'acceptedEpoch') this.acceptedEpoch = a.epoch;
        else this.currentEpoch = a.epoch;
        this.out.actions.push(Object.assign({}, a, { seq: this.seqBase + a.seq }));
        return;
      case 'persistTxns':
      case 'truncate':
      case 'snapshot':
        this.out.actions.push(Object.assign({}, a, { seq: this.seqBase + a.seq }));
        return;
      case 'apply':
      case 'syncDone':
      case 'phase':
      case 'loadSnapshot':
      case 'revalidated':
        this.out.actions.push(a);
        return;
      case 'ended':
        this.endRole(a.reason);
        return;
      case 'established':
      case 'upToDate':
        this.serving = true;
        this.electionOut(this.election.step({ type: 'updateVote', peerEpoch: a.epoch }));
        this.out.actions.push({ type: 'serving', serving: true, epoch: a.epoch, ...(a.type === 'established' ? { zxid: a.zxid } : {}) });
        return;
      case 'send':
        if ('cid' in a) this.out.actions.push({ type: 'sendToLearner', cid: a.cid, msg: a.msg });
        else this.out.actions.push({ type: 'sendToLeader', msg: a.msg });
        return;
      case 'close':
        this.out.actions.push({ type: 'closeLearner', cid: a.cid, reason: a.reason });
        return;
      case 'prepare':
        this.out.actions.push(a);
        return;
      case 'touch':
        this.out.actions.push({ type: 'touchSessions', touches: a.touches });
        return;
      case 'revalidate':
        this.out.actions.push({ type: 'revalidateSession', cid: a.cid, sessionId: a.sessionId, timeout: a.timeout });
        return;
      case 'connect':
        this.out.actions.push({ type: 'connectToLeader', leader: (this.role as LearnerCore<T>).leader });
        return;
      case 'disconnect':
        this.out.actions.push({ type: 'disconnectFromLeader' });
        return;
    }
  }

  /**
   * QuorumPeer.processReconfig, reduced: the verifier every part shares takes the new voters,
   * and notifications and NEWLEADER carry the new text from now on. A member removed from the
   * voters keeps its role until the next election, as observers and leavers do in ZooKeeper.
   */
  private adoptConfig(c: { version: bigint; voters: number[]; members: number[]; configText: string }): void {
    const wasVoter = this.qv.isVoter(this.myid);
    this.qv.reset(c.voters);
    this.cfg.voters = [...c.voters];
    this.cfg.members = [...c.members];
    this.cfg.configText = c.configText;
    this.election.cfg.configText = c.configText;
    if (this.role) this.role.cfg.configText = c.configText;
    const voters = new Set(c.voters);
    this.out.events.push({ type: 'config.changed', sid: this.myid, version: c.version, voters: [...c.voters].sort((a, b) => a - b), observers: c.members.filter((m) => !voters.has(m)).sort((a, b) => a - b) });
    // QuorumPeer.processReconfig: a member whose learner type the config changed leaves its role
    // ("changes proposed in reconfig") and joins again as what it is now, observer or voter.
    const isVoter = voters.has(this.myid);
    if (this.role && wasVoter !== isVoter && c.members.includes(this.myid)) this.endRole(`a reconfig made this member ${isVoter ? 'a voter' : 'an observer'}`);
  }

  private endRole(reason: string): void {
    const role = this.role;
    if (!role) return;
    // Storage seqs of the next role continue after everything this one asked for.
    this.seqBase += role.storageSeq();
    this.role = null;
    this.out.events.push({ type: 'role.ended', sid: this.myid, role: STATE_NAME[this.state]!, reason });
    if (this.serving) this.out.actions.push({ type: 'serving', serving: false, epoch: this.currentEpoch });
    this.serving = false;
    this.state = ServerState.LOOKING;
    this.leaderId = null;
    this.electionOut(this.election.step({ type: 'looking' }));
    this.out.actions.push({ type: 'roleChanged', state: ServerState.LOOKING, leader: null }, { type: 'phase', phase: 'election' }, { type: 'reload' });
    this.out.events.push({ type: 'role.changed', sid: this.myid, role: 'looking', leader: null });
  }
}

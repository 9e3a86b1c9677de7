// Fast Leader Election (FastLeaderElection.lookForLeader and its WorkerReceiver) as a pure
// state machine. Inputs: a new round, a notification from a sid, the timer the core asked for,
// peer connections coming and going, and the vote update ZAB makes once an epoch is adopted.
// Outputs: notifications to send, "connect to everyone", the next timer (absolute logical ms)
// and the decision. Time only enters through the `now` of each input.
import type { QuorumEvent } from '../../../protocol/events';
import { backers, betterVote, NO_SID, LONG_MIN, QuorumVerifier, ServerState, STATE_NAME, type RecordedVote, type Vote } from '../vote';

/** A notification as it travels between election ports (FastLeaderElection.buildMsg). */
export interface Notification {
  /** The sender's state. */
  state: ServerState;
  /** The sid the sender proposes (NO_SID from an observer). */
  leader: number;
  /** The proposed leader's last zxid. */
  zxid: bigint;
  /** The sender's logical clock (its election round). */
  electionEpoch: bigint;
  /** The proposed leader's currentEpoch. */
  peerEpoch: bigint;
  /** Message format version (2 for 3.5+; 0 or 1 from older layouts). */
  version: number;
  /** QuorumVerifier.toString() of the sender. */
  config: string;
}

export interface ElectionConfig {
  myid: number;
  qv: QuorumVerifier;
  /** What this member puts in the config field of its notifications. */
  configText: string;
  finalizeWaitMs: number;
  minNotificationIntervalMs: number;
  maxNotificationIntervalMs: number;
  /** Notifications kept while LOOKING between two rounds (see `limits`). */
  queuedNotificationsMax: number;
}

export const ELECTION_DEFAULTS = {
  finalizeWaitMs: 200,
  minNotificationIntervalMs: 200,
  maxNotificationIntervalMs: 60_000,
  queuedNotificationsMax: 1000,
} as const;

export type ElectionInput =
  /** QuorumPeer entered LOOKING and runs lookForLeader: a new round with this member's own vote. */
  | { type: 'lookForLeader'; now: number; lastLoggedZxid: bigint; currentEpoch: bigint }
  /** The role ended; until `lookForLeader` the member is LOOKING but not yet voting. */
  | { type: 'looking' }
  | { type: 'notification'; now: number; from: number; n: Notification }
  /** The timer the core asked for has fired. */
  | { type: 'timeout'; now: number }
  | { type: 'peerUp'; sid: number }
  | { type: 'peerDown'; sid: number }
  /** QuorumPeer.updateElectionVote: the epoch was adopted; report it to late joiners. */
  | { type: 'updateVote'; peerEpoch: bigint };

export type ElectionAction =
  | { type: 'send'; to: number; n: Notification }
  /** QuorumCnxManager.connectAll: nothing was delivered, dial every voter again. */
  | { type: 'connectAll' }
  /** (Re)arm the election timer for logical time `at`; null disarms it. */
  | { type: 'timer'; at: number | null }
  | { type: 'decided'; leader: number; state: ServerState; electionEpoch: bigint; vote: Vote };

export interface ElectionOutput {
  actions: ElectionAction[];
  events: QuorumEvent[];
}

/** One member's leader election. */
export class FastLeaderElection {
  /** QuorumPeer's state as far as election sees it. */
  state: ServerState = ServerState.LOOKING;
  logicalclock = 0n;
  /** The vote this member currently proposes while LOOKING. */
  proposal: Vote;
  /** QuorumPeer.currentVote: the last decision (or the initial vote), told to LOOKING peers. */
  currentVote: Vote & { electionEpoch: bigint };
  /** lookForLeader is running (false between a role's end and the next round). */
  private running = false;
  private init: Vote;
  private recvset = new Map<number, RecordedVote>();
  private outofelection = new Map<number, RecordedVote>();
  private notTimeout: number;
  private notificationDeadline = 0;
  private finalizeDeadline: number | null = null;
  private timerAt: number | null = null;
  private readonly connected = new Set<number>();
  private readonly queued: { from: number; n: Notification }[] = [];
  private out: ElectionOutput = { actions: [], events: [] };

  constructor(
    readonly cfg: ElectionConfig,
    initial: { lastLoggedZxid: bigint; currentEpoch: bigint },
  ) {
    this.init = this.initialVote(initial.lastLoggedZxid, initial.currentEpoch);
    this.proposal = this.init;
    // QuorumPeer.startLeaderElection: the current vote starts as (myid, lastLoggedZxid, currentEpoch).
    this.currentVote = { leader: cfg.myid, zxid: initial.lastLoggedZxid, peerEpoch: initial.currentEpoch, electionEpoch: 0n };
    this.notTimeout = cfg.minNotificationIntervalMs;
  }

  private get myid(): number {
    return this.cfg.myid;
  }

  private get isVoter(): boolean {
    return this.cfg.qv.isVoter(this.myid);
  }

  /** getInitId / getInitLastLoggedZxid / getPeerEpoch: observers propose nobody. */
  private initialVote(lastLoggedZxid: bigint, currentEpoch: bigint): Vote {
    if (!this.isVoter) return { leader: NO_SID, zxid: LONG_MIN, peerEpoch: LONG_MIN };
    return { leader: this.myid, zxid: lastLoggedZxid, peerEpoch: currentEpoch };
  }

  /** Feeds one input; returns what to do and what to log. */
  step(input: ElectionInput): ElectionOutput {
    this.out = { actions: [], events: [] };
    switch (input.type) {
      case 'lookForLeader':
        this.lookForLeader(input.now, input.lastLoggedZxid, input.currentEpoch);
        break;
      case 'looking':
        this.state = ServerState.LOOKING;
        this.running = false;
        break;
      case 'notification':
        this.receive(input.now, input.from, input.n);
        break;
      case 'timeout':
        // The timer that fired is gone: whatever deadline is still ahead must be armed again
        // (a runtime's timer may fire a millisecond before the deadline it was set for).
        this.timerAt = null;
        this.timeout(input.now);
        break;
      case 'peerUp':
        if (input.sid !== this.myid) this.connected.add(input.sid);
        break;
      case 'peerDown':
        this.connected.delete(input.sid);
        break;
      case 'updateVote':
        this.currentVote = { ...this.currentVote, peerEpoch: input.peerEpoch };
        break;
    }
    this.syncTimer();
    return this.out;
  }

  private lookForLeader(now: number, lastLoggedZxid: bigint, currentEpoch: bigint): void {
    this.state = ServerState.LOOKING;
    this.running = true;
    this.recvset = new Map();
    this.outofelection = new Map();
    this.notTimeout = this.cfg.minNotificationIntervalMs;
    this.finalizeDeadline = null;
    this.logicalclock += 1n;
    this.init = this.initialVote(lastLoggedZxid, currentEpoch);
    this.proposal = this.init;
    this.out.events.push({ type: 'election.started', sid: this.myid, round: this.logicalclock, vote: { ...this.proposal } });
    this.sendNotifications();
    this.notificationDeadline = now + this.notTimeout;
    // Notifications that came while the previous role wound down wait in the queue.
    const queued = this.queued.splice(0);
    for (const q of queued) {
      if (!this.running) break;
      this.process(now, q.from, q.n);
    }
  }

  private notification(state: ServerState, vote: Vote, electionEpoch: bigint): Notification {
    return { state, leader: vote.leader, zxid: vote.zxid, electionEpoch, peerEpoch: vote.peerEpoch, version: 2, config: this.cfg.configText };
  }

  private send(to: number, n: Notification): void {
    this.out.actions.push({ type: 'send', to, n });
    this.out.events.push({ type: 'vote.sent', sid: this.myid, to, round: n.electionEpoch, state: STATE_NAME[n.state]!, vote: { leader: n.leader, zxid: n.zxid, peerEpoch: n.peerEpoch } });
  }

  /** FastLeaderElection.sendNotifications: my proposal to every voter, myself included. */
  private sendNotifications(): void {
    const n = this.notification(ServerState.LOOKING, this.proposal, this.logicalclock);
    for (const sid of [...this.cfg.qv.voters].sort((a, b) => a - b)) this.send(sid, n);
  }

  private updateProposal(v: Vote): void {
    this.proposal = { leader: v.leader, zxid: v.zxid, peerEpoch: v.peerEpoch };
    this.out.events.push({ type: 'vote.changed', sid: this.myid, round: this.logicalclock, vote: { ...this.proposal } });
  }

  /** The WorkerReceiver: answer who must be answered, hand the rest to the election loop. */
  private receive(now: number, from: number, n: Notification): void {
    this.out.events.push({ type: 'vote.received', sid: this.myid, from, round: n.electionEpoch, state: STATE_NAME[n.state] ?? 'looking', vote: { leader: n.leader, zxid: n.zxid, peerEpoch: n.peerEpoch } });
    const qv = this.cfg.qv;
    if (!qv.isVoter(from)) {
      // Non-voters (observers) only learn what this member currently believes.
      this.send(from, this.notification(this.state, this.currentVote, this.logicalclock));
      return;
    }
    if (n.state > ServerState.OBSERVING || n.state < ServerState.LOOKING) return;
    if (this.state === ServerState.LOOKING) {
      if (n.state === ServerState.LOOKING && n.electionEpoch < this.logicalclock) {
        // A peer behind in rounds learns mine at once.
        this.send(from, this.notification(ServerState.LOOKING, this.proposal, this.logicalclock));
      }
      if (this.running) this.process(now, from, n);
      else if (this.queued.length < this.cfg.queuedNotificationsMax) this.queued.push({ from, n });
      return;
    }
    if (n.state === ServerState.LOOKING) {
      // A voter only sends a non-voter its vote as an answer; answering that answer would loop
      // for as long as the voter looks (ZooKeeper's WorkerReceiver does), and voters ignore
      // what non-voters propose anyway.
      if (!this.isVoter) return;
      // Not electing: tell a LOOKING peer who leads, with the round that decided it.
      this.send(from, this.notification(this.state, this.currentVote, this.currentVote.electionEpoch));
    }
  }

  /** One notification taken from the receive queue by lookForLeader's loop. */
  private process(now: number, from: number, n: Notification): void {
    const nv: Vote = { leader: n.leader, zxid: n.zxid, peerEpoch: n.peerEpoch };
    if (this.finalizeDeadline !== null) {
      // Finalize wait: only a better vote interrupts it; anything else is dropped and the
      // wait starts over (recvqueue.poll(finalizeWait) in a loop).
      if (!betterVote(nv, this.proposal, this.cfg.qv)) {
        this.finalizeDeadline = now + this.cfg.finalizeWaitMs;
        return;
      }
      this.finalizeDeadline = null;
    }
    this.notificationDeadline = now + this.notTimeout;
    const qv = this.cfg.qv;
    if (!qv.isVoter(from) || !qv.isVoter(n.leader)) return;
    switch (n.state) {
      case ServerState.LOOKING:
        this.lookingNotification(now, from, n, nv);
        return;
      case ServerState.OBSERVING:
        return;
      case ServerState.FOLLOWING:
      case ServerState.LEADING:
        this.establishedNotification(from, n, nv);
        return;
    }
  }

  private lookingNotification(now: number, from: number, n: Notification, nv: Vote): void {
    if (this.init.zxid === -1n || n.zxid === -1n) return;
    if (n.electionEpoch > this.logicalclock) {
      this.logicalclock = n.electionEpoch;
      this.recvset.clear();
      this.updateProposal(betterVote(nv, this.init, this.cfg.qv) ? nv : this.init);
      this.sendNotifications();
    } else if (n.electionEpoch < this.logicalclock) {
      return;
    } else if (betterVote(nv, this.proposal, this.cfg.qv)) {
      this.updateProposal(nv);
      this.sendNotifications();
    }
    this.recvset.set(from, { ...nv, electionEpoch: n.electionEpoch, state: ServerState.LOOKING, version: 0 });
    const mine: RecordedVote = { ...this.proposal, electionEpoch: this.logicalclock, state: ServerState.LOOKING, version: 0 };
    if (this.cfg.qv.containsQuorum(backers(this.recvset, mine))) {
      this.finalizeDeadline = now + this.cfg.finalizeWaitMs;
    }
  }

  /** receivedFollowingNotification / receivedLeadingNotification. */
  private establishedNotification(from: number, n: Notification, nv: Vote): void {
    const theirs: RecordedVote = { ...nv, electionEpoch: n.electionEpoch, state: n.state, version: n.version };
    const qv = this.cfg.qv;
    if (n.electionEpoch === this.logicalclock) {
      // Votes of this very round count together with the LOOKING ones.
      this.recvset.set(from, { ...theirs, version: 0 });
      if (qv.containsQuorum(backers(this.recvset, theirs)) && this.checkLeader(this.recvset, n.leader, n.electionEpoch)) {
        this.decide(nv, n.electionEpoch);
        return;
      }
    }
    // A late joiner follows an established leader once a quorum agrees on it and the leader
    // itself said LEADING (ZOOKEEPER-1732: the outofelection map also keeps this round's votes).
    this.outofelection.set(from, theirs);
    if (qv.containsQuorum(backers(this.outofelection, theirs)) && this.checkLeader(this.outofelection, n.leader, n.electionEpoch)) {
      this.logicalclock = n.electionEpoch;
      this.decide(nv, n.electionEpoch);
    }
  }

  /** A leader other than me must have told me itself that it leads; me only in my own round. */
  private checkLeader(votes: Map<number, RecordedVote>, leader: number, electionEpoch: bigint): boolean {
    if (leader !== this.myid) return votes.get(leader)?.state === ServerState.LEADING;
    return this.logicalclock === electionEpoch;
  }

  private timeout(now: number): void {
    if (this.state !== ServerState.LOOKING || !this.running) return;
    if (this.finalizeDeadline !== null) {
      if (now >= this.finalizeDeadline) this.decide(this.proposal, this.logicalclock);
      return;
    }
    if (now < this.notificationDeadline) return;
    // Nothing arrived for a whole interval: send again (or dial again), and wait twice as long.
    if (this.connected.size > 0) this.sendNotifications();
    else this.out.actions.push({ type: 'connectAll' });
    this.notTimeout = Math.min(this.notTimeout * 2, this.cfg.maxNotificationIntervalMs);
    this.notificationDeadline = now + this.notTimeout;
  }

  private decide(v: Vote, electionEpoch: bigint): void {
    const state = v.leader === this.myid ? ServerState.LEADING : this.isVoter ? ServerState.FOLLOWING : ServerState.OBSERVING;
    this.state = state;
    this.running = false;
    this.finalizeDeadline = null;
    this.proposal = { leader: v.leader, zxid: v.zxid, peerEpoch: v.peerEpoch };
    this.currentVote = { ...this.proposal, electionEpoch };
    // leaveInstance: what is still queued belongs to the round that just ended.
    this.queued.length = 0;
    this.recvset = new Map();
    this.outofelection = new Map();
    this.out.actions.push({ type: 'decided', leader: v.leader, state, electionEpoch, vote: { ...this.proposal } });
    this.out.events.push({ type: 'election.decided', sid: this.myid, leader: v.leader, role: STATE_NAME[state]!, round: electionEpoch, vote: { ...this.proposal } });
  }

  private syncTimer(): void {
    const at = this.state === ServerState.LOOKING && this.running ? (this.finalizeDeadline ?? this.notificationDeadline) : null;
    if (at !== this.timerAt) {
      this.timerAt = at;
      this.out.actions.push({ type: 'timer', at });
    }
  }
}

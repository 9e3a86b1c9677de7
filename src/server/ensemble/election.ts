// Fast Leader Election (FastLeaderElection.lookForLeader) as a pure state machine: notifications
// and timer expiries in, actions out (send, decide, set timer). No sockets, no clocks: the
// runtime passes `now` and carries out the actions.
import { PeerState, type Notification } from './messages';

export interface Vote {
  leader: number;
  zxid: bigint;
  peerEpoch: bigint;
}

export type ElectionAction =
  | { kind: 'send'; to: number | 'all'; n: Notification }
  | { kind: 'decide'; leader: number; state: PeerState; electionEpoch: bigint; vote: Vote }
  | { kind: 'timer'; inMs: number };

/** The total order of votes: higher peerEpoch, then higher zxid, then higher sid. */
export function betterVote(a: Vote, b: Vote): boolean {
  if (a.peerEpoch !== b.peerEpoch) return a.peerEpoch > b.peerEpoch;
  if (a.zxid !== b.zxid) return a.zxid > b.zxid;
  return a.leader > b.leader;
}

/** Strictly more than half of the voters. */
export function isQuorum(sids: Iterable<number>, voters: Set<number>): boolean {
  let n = 0;
  for (const s of sids) if (voters.has(s)) n++;
  return n * 2 > voters.size;
}

export const FINALIZE_WAIT_MS = 200;
export const MIN_NOTIFICATION_INTERVAL_MS = 200;
export const MAX_NOTIFICATION_INTERVAL_MS = 60_000;

interface Recorded extends Vote {
  electionEpoch: bigint;
  state: PeerState;
}

/** One member's view of leader election. */
export class Election {
  logicalclock = 0n;
  proposal: Vote;
  state: PeerState = PeerState.LOOKING;
  private recvset = new Map<number, Recorded>();
  private outofelection = new Map<number, Recorded>();
  private initial: Vote;
  private finalizeUntil: number | null = null;
  private interval = MIN_NOTIFICATION_INTERVAL_MS;
  private nextResendAt = 0;
  private decided: Vote | null = null;
  private decidedEpoch = 0n;

  constructor(
    readonly myid: number,
    readonly voters: Set<number>,
    private readonly config: string,
  ) {
    this.initial = { leader: myid, zxid: 0n, peerEpoch: 0n };
    this.proposal = this.initial;
  }

  private get isVoter(): boolean {
    return this.voters.has(this.myid);
  }

  private note(state = this.state): Notification {
    return { state, leader: this.proposal.leader, zxid: this.proposal.zxid, electionEpoch: this.logicalclock, peerEpoch: this.proposal.peerEpoch, config: this.config };
  }

  /** Starts a new round with this member's own vote (lastLoggedZxid, currentEpoch). */
  start(lastZxid: bigint, currentEpoch: bigint, now: number): ElectionAction[] {
    this.state = PeerState.LOOKING;
    this.decided = null;
    this.logicalclock += 1n;
    this.recvset.clear();
    // Observers propose nobody (Long.MIN_VALUE in ZooKeeper); their votes never count.
    this.initial = this.isVoter ? { leader: this.myid, zxid: lastZxid, peerEpoch: currentEpoch } : { leader: -1, zxid: -1n, peerEpoch: -1n };
    this.proposal = this.initial;
    this.finalizeUntil = null;
    this.interval = MIN_NOTIFICATION_INTERVAL_MS;
    this.nextResendAt = now + this.interval;
    if (this.isVoter) this.recvset.set(this.myid, { ...this.proposal, electionEpoch: this.logicalclock, state: PeerState.LOOKING });
    return [{ kind: 'send', to: 'all', n: this.note() }, { kind: 'timer', inMs: this.interval }];
  }

  /** The member left LOOKING (decided, or runs a role): answer late LOOKING peers from here. */
  settle(state: PeerState): void {
    this.state = state;
  }

  /** A notification from `from` arrived. */
  receive(from: number, n: Notification, now: number): ElectionAction[] {
    const out: ElectionAction[] = [];
    const vote: Vote = { leader: n.leader, zxid: n.zxid, peerEpoch: n.peerEpoch };
    if (this.state !== PeerState.LOOKING) {
      // Not electing: tell a LOOKING peer who leads (WorkerReceiver).
      if (n.state === PeerState.LOOKING) out.push({ kind: 'send', to: from, n: this.currentNote() });
      return out;
    }
    if (!this.voters.has(from)) {
      // Observers and non-voters only learn the current vote.
      out.push({ kind: 'send', to: from, n: this.note() });
      return out;
    }
    if (n.state === PeerState.LOOKING) {
      if (n.electionEpoch > this.logicalclock) {
        this.logicalclock = n.electionEpoch;
        this.recvset.clear();
        this.proposal = this.isVoter && betterVote(this.initial, vote) ? this.initial : vote;
        if (!this.isVoter) this.proposal = vote;
        out.push({ kind: 'send', to: 'all', n: this.note() });
        this.finalizeUntil = null;
      } else if (n.electionEpoch < this.logicalclock) {
        out.push({ kind: 'send', to: from, n: this.note() });
        return out;
      } else if (betterVote(vote, this.proposal)) {
        this.proposal = vote;
        out.push({ kind: 'send', to: 'all', n: this.note() });
        // A better vote during the finalize wait restarts the wait (ZooKeeper puts it back and loops).
        this.finalizeUntil = null;
      }
      if (this.isVoter) this.recvset.set(this.myid, { ...this.proposal, electionEpoch: this.logicalclock, state: PeerState.LOOKING });
      this.recvset.set(from, { ...vote, electionEpoch: n.electionEpoch, state: n.state });
      if (this.finalizeUntil === null && this.proposalHasQuorum()) {
        this.finalizeUntil = now + FINALIZE_WAIT_MS;
        out.push({ kind: 'timer', inMs: FINALIZE_WAIT_MS });
      }
      return out;
    }
    // FOLLOWING / LEADING: an established ensemble answers.
    if (n.electionEpoch === this.logicalclock) {
      this.recvset.set(from, { ...vote, electionEpoch: n.electionEpoch, state: n.state });
      if (this.hasQuorumFor(this.recvset, vote) && this.checkLeader(this.recvset, vote.leader, n.electionEpoch)) {
        return [...out, this.decide(vote, n.electionEpoch)];
      }
    }
    this.outofelection.set(from, { ...vote, electionEpoch: n.electionEpoch, state: n.state });
    if (this.hasQuorumFor(this.outofelection, vote) && this.checkLeader(this.outofelection, vote.leader, n.electionEpoch)) {
      this.logicalclock = n.electionEpoch;
      return [...out, this.decide(vote, n.electionEpoch)];
    }
    return out;
  }

  /** A timer the runtime set has fired: finalize a decision or resend notifications. */
  tick(now: number): ElectionAction[] {
    if (this.state !== PeerState.LOOKING) return [];
    if (this.finalizeUntil !== null && now >= this.finalizeUntil) {
      this.finalizeUntil = null;
      if (this.proposalHasQuorum()) return [this.decide(this.proposal, this.logicalclock)];
    }
    if (now >= this.nextResendAt) {
      this.interval = Math.min(this.interval * 2, MAX_NOTIFICATION_INTERVAL_MS);
      this.nextResendAt = now + this.interval;
      return [
        { kind: 'send', to: 'all', n: this.note() },
        { kind: 'timer', inMs: this.finalizeUntil !== null ? Math.min(this.interval, this.finalizeUntil - now) : this.interval },
      ];
    }
    const wait = Math.min(this.nextResendAt - now, this.finalizeUntil !== null ? this.finalizeUntil - now : Infinity);
    return [{ kind: 'timer', inMs: Math.max(1, wait) }];
  }

  private currentNote(): Notification {
    const v = this.decided ?? this.proposal;
    return { state: this.state, leader: v.leader, zxid: v.zxid, electionEpoch: this.decidedEpoch || this.logicalclock, peerEpoch: v.peerEpoch, config: this.config };
  }

  private proposalHasQuorum(): boolean {
    return this.hasQuorumFor(this.recvset, this.proposal, this.logicalclock);
  }

  private hasQuorumFor(set: Map<number, Recorded>, v: Vote, epoch?: bigint): boolean {
    const backers: number[] = [];
    for (const [sid, r] of set) {
      if (r.leader === v.leader && r.zxid === v.zxid && r.peerEpoch === v.peerEpoch && (epoch === undefined || r.electionEpoch === epoch)) backers.push(sid);
    }
    return isQuorum(backers, this.voters);
  }

  /** A leader other than me must itself have said LEADING; me: only in my own round. */
  private checkLeader(set: Map<number, Recorded>, leader: number, electionEpoch: bigint): boolean {
    if (leader === this.myid) return this.logicalclock === electionEpoch;
    const l = set.get(leader) ?? this.outofelection.get(leader);
    return l !== undefined && l.state === PeerState.LEADING;
  }

  private decide(v: Vote, electionEpoch: bigint): ElectionAction {
    const state = v.leader === this.myid ? PeerState.LEADING : this.isVoter ? PeerState.FOLLOWING : PeerState.OBSERVING;
    this.state = state;
    this.decided = v;
    this.decidedEpoch = electionEpoch;
    this.proposal = v;
    this.recvset.clear();
    this.outofelection.clear();
    this.finalizeUntil = null;
    return { kind: 'decide', leader: v.leader, state, electionEpoch, vote: v };
  }
}

// Vote order and quorum arithmetic, as pure functions (FastLeaderElection.totalOrderPredicate,
// Vote.equals, QuorumMaj.containsQuorum).
import type { PeerStateName, VoteRecord } from '../../protocol/events';

/** Server states with their wire ordinals (QuorumPeer.ServerState). */
export const ServerState = { LOOKING: 0, FOLLOWING: 1, LEADING: 2, OBSERVING: 3 } as const;
export type ServerState = (typeof ServerState)[keyof typeof ServerState];

export const STATE_NAME: readonly PeerStateName[] = ['looking', 'following', 'leading', 'observing'];

/**
 * The leader an observer proposes: Long.MIN_VALUE on the wire, which no sid equals. Kept as a
 * safe integer here; the notification codec maps it both ways.
 */
export const NO_SID = Number.MIN_SAFE_INTEGER;
/** Long.MIN_VALUE: an observer's zxid and peerEpoch in its own proposal. */
export const LONG_MIN = -(1n << 63n);

export type Vote = VoteRecord;

/** A vote as recorded from a notification (FastLeaderElection's recvset / outofelection). */
export interface RecordedVote extends Vote {
  electionEpoch: bigint;
  state: ServerState;
  /** Notification format version; Vote.equals looks at whether it is above 0. */
  version: number;
}

/** The majority verifier over the voting members (QuorumMaj); a committed reconfig replaces them. */
export class QuorumVerifier {
  private members: Set<number>;
  private half: number;

  constructor(voters: Iterable<number>) {
    this.members = new Set(voters);
    this.half = Math.floor(this.members.size / 2);
  }

  get voters(): ReadonlySet<number> {
    return this.members;
  }

  /** Adopts the voters of a committed dynamic config (every holder of this verifier sees them). */
  reset(voters: Iterable<number>): void {
    this.members = new Set(voters);
    this.half = Math.floor(this.members.size / 2);
  }

  /** True when `sid` votes (has weight 1); observers and strangers have weight 0. */
  isVoter(sid: number): boolean {
    return this.members.has(sid);
  }

  /** Strictly more than half of the voting members are in `acks` (non-voters do not count). */
  containsQuorum(acks: Iterable<number>): boolean {
    let n = 0;
    const seen = new Set<number>();
    for (const sid of acks) {
      if (this.members.has(sid) && !seen.has(sid)) {
        seen.add(sid);
        n++;
      }
    }
    return n > this.half;
  }
}

/**
 * FastLeaderElection.totalOrderPredicate: is the vote for `next` better than `current`? Higher
 * peerEpoch wins, then higher zxid, then higher sid; a non-voter never wins.
 */
export function betterVote(next: Vote, current: Vote, qv: QuorumVerifier): boolean {
  if (!qv.isVoter(next.leader)) return false;
  if (next.peerEpoch !== current.peerEpoch) return next.peerEpoch > current.peerEpoch;
  if (next.zxid !== current.zxid) return next.zxid > current.zxid;
  return next.leader > current.leader;
}

/**
 * Vote.equals: votes in which either side is LOOKING match on everything; votes of established
 * members match on the leader, and on peerEpoch too unless exactly one side has a versioned
 * notification behind it (the ZOOKEEPER-1732 rule a late joiner relies on).
 */
export function sameVote(a: RecordedVote, b: RecordedVote): boolean {
  if (a.state === ServerState.LOOKING || b.state === ServerState.LOOKING) {
    return a.leader === b.leader && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch && a.peerEpoch === b.peerEpoch;
  }
  if ((a.version > 0) !== (b.version > 0)) return a.leader === b.leader;
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch;
}

/** The sids in `votes` whose vote equals `vote` (FastLeaderElection.getVoteTracker). */
export function backers(votes: ReadonlyMap<number, RecordedVote>, vote: RecordedVote): number[] {
  const out: number[] = [];
  for (const [sid, v] of votes) if (sameVote(vote, v)) out.push(sid);
  return out;
}

// What goes in and out of the leader's state machine (leader.ts), and what it keeps per learner.
import type { QuorumEvent } from '../../../protocol/events';
import type { CommonAction, ForwardedRequest, SessionTouch, TxnLike, ZabMessage } from './types';

export type LeaderInput<T extends TxnLike> =
  | { type: 'start' }
  | { type: 'message'; cid: number; msg: ZabMessage<T> }
  /** A learner connection ended (socket closed or reset). */
  | { type: 'closed'; cid: number }
  /** Half a tickTime passed. */
  | { type: 'tick' }
  /** Every storage action with seq <= this is durable. */
  | { type: 'persisted'; seq: number }
  /** A prepared txn carrying `nextZxid()`. */
  | { type: 'propose'; txn: T }
  /** A sync from a client of this member. */
  | { type: 'sync'; id: number }
  | { type: 'revalidated'; cid: number; sessionId: bigint; valid: boolean }
  /** The runtime stops leading (shutdown, disk failure). */
  | { type: 'stop'; reason: string };

export type LeaderAction<T extends TxnLike> =
  | CommonAction<T>
  | { type: 'send'; cid: number; msg: ZabMessage<T> }
  | { type: 'close'; cid: number; reason: string }
  /** Turn a learner's REQUEST into a txn (prep) and `propose` it. */
  | { type: 'prepare'; cid: number; request: ForwardedRequest }
  | { type: 'touch'; touches: SessionTouch[] }
  /** Is this session alive? Answer with `revalidated`. */
  | { type: 'revalidate'; cid: number; sessionId: bigint; timeout: number }
  /** The new epoch is established: serve clients; report the epoch in election answers; the database is at `zxid` now (epoch << 32 at least). */
  | { type: 'established'; epoch: bigint; zxid: bigint };

export interface LeaderOutput<T extends TxnLike> {
  actions: LeaderAction<T>[];
  events: QuorumEvent[];
}

export type Stage = 'info' | 'leaderinfo' | 'ackepoch' | 'syncing' | 'acked' | 'uptodate';

/** One learner connection (LearnerHandler). */
export interface Handler {
  cid: number;
  sid: number;
  observer: boolean;
  acceptedEpoch: bigint;
  stage: Stage;
  peerLastZxid: bigint;
  /** ZooKeeper's tick by which this learner must have said something to count as synced. */
  tickOfNextAckDeadline: number;
  /** Half ticks at the last packet from it (socket read timeout). */
  lastHeard: number;
  /** Proposals sent and not yet acked: zxid -> half tick sent (SyncLimitCheck). */
  unacked: Map<bigint, number>;
}

export interface Proposal<T> {
  txn: T;
  acks: Set<number>;
}

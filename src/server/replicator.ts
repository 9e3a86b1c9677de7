// The seam between the client-facing server core and how writes become committed txns.
// Standalone: prep, log, apply locally. In an ensemble the quorum layer implements this:
// the leader prepares and proposes, learners forward REQUESTs; either way the core learns
// about committed txns only through `ServerCore.applyCommitted`, in zxid order.
import type { Chain } from './chain/chains';
import type { Request } from './request';
import type { SessionTracker } from './session/tracker';

export interface Replicator {
  /** The request path of this member's role now (chain/chains.ts). */
  chain(): Chain;
  /** Takes a write (or createSession/closeSession) request into the member, for its chain's write stages. */
  submitWrite(req: Request): void;
  /**
   * `sync`: calls `done` once this server has applied everything the leader had committed when
   * the sync reached it.
   */
  submitSync(req: Request, done: () => void): void;
  /** A client presented an existing session on reconnect: is it alive? Makes this server its owner. */
  revalidateSession(sessionId: bigint, timeout: number): Promise<boolean>;
  /** A client of a session sent something: keep it alive. */
  touchSession(sessionId: bigint, timeout: number): void;
  /** Is this server able to take client requests now (standalone, or a synced quorum member)? */
  isServing(): boolean;
  /** The role as `srvr` prints it: standalone, leader, follower, observer, read-only. */
  mode(): string;
  /** True while this server serves only read-only clients (ReadOnlyZooKeeperServer); absent = never. */
  isReadOnly?(): boolean;
  /** The sessions this member expires (standalone, a leader); null on a learner. */
  sessionOwner(): SessionTracker | null;
  /** The read-only server's local sessions while it runs; null otherwise. */
  localSessions(): SessionTracker | null;
  /** Role, epoch and phase for zabstate / leader / voting_view / mntr; null when standalone. */
  quorumStatus(): QuorumStatus | null;
  /** Lab fault (learners only): set or read how many ms late commits are applied. */
  applyDelay?(ms?: number): number;
  /** Frees timers and sockets. */
  close(): Promise<void>;
}

/** What an ensemble member reports about itself (AdminServer zabstate, leader, voting_view). */
export interface QuorumStatus {
  myid: number;
  /** looking, following, leading, observing */
  peerState: 'looking' | 'following' | 'leading' | 'observing';
  zabState: 'election' | 'discovery' | 'synchronization' | 'broadcast';
  /** diff, snap, trunc while syncing; '' otherwise */
  syncMode: string;
  leaderId: number | null;
  voting: boolean;
  /** Current epoch (currentEpoch file). */
  epoch: number;
  /** Version of the dynamic config in force (hex; 0 = zoo.cfg's), as /zookeeper/config ends. */
  configVersion?: string;
  /** Leader only: connected learners, synced followers/observers, pending syncs. */
  learners?: number;
  syncedFollowers?: number;
  syncedObservers?: number;
  pendingSyncs?: number;
  /** Proposal sizes last/min/max (leader only; -1 before any). */
  proposalSizes?: [number, number, number];
  /** Observers connected to this leader: sid list. */
  observers?: number[];
}

// The one event log of a member: what its quorum cores decided (votes, role changes, epochs,
// syncs, proposals, acks, commits) and what its server did (start, sessions). The pure cores
// produce these, the runtime stamps them into the member's ring (AdminServer `lab_events`),
// the deterministic simulator's checkers read the very same records, and the lab's timeline
// draws them. Dependency-free on purpose: server, lab, renderer and tests all import it.
//
// zxids and epochs are bigint here (as the codec returns them); whoever crosses JSON turns
// them into numbers or hex strings at that edge.

/** Server states as FastLeaderElection puts them on the wire (their ordinals). */
export type PeerStateName = 'looking' | 'following' | 'leading' | 'observing';

/** Zab phases (QuorumPeer.ZabState). */
export type ZabPhaseName = 'election' | 'discovery' | 'synchronization' | 'broadcast';

/** How a leader brings a learner up to date (QuorumPeer.SyncMode without NONE). */
export type SyncModeName = 'DIFF' | 'TRUNC' | 'SNAP';

/** A vote as notifications carry it. */
export interface VoteRecord {
  leader: number;
  zxid: bigint;
  peerEpoch: bigint;
}

/** Every kind of event with its fields; `sid` is always the member that emitted it. */
export type QuorumEvent =
  // ---- election (FastLeaderElection)
  | { type: 'election.started'; sid: number; round: bigint; vote: VoteRecord }
  | { type: 'vote.sent'; sid: number; to: number; round: bigint; state: PeerStateName; vote: VoteRecord }
  | { type: 'vote.received'; sid: number; from: number; round: bigint; state: PeerStateName; vote: VoteRecord }
  | { type: 'vote.changed'; sid: number; round: bigint; vote: VoteRecord }
  | { type: 'election.decided'; sid: number; leader: number; role: PeerStateName; round: bigint; vote: VoteRecord }
  // ---- roles and phases (QuorumPeer)
  | { type: 'role.changed'; sid: number; role: PeerStateName; leader: number | null }
  | { type: 'zab.phase'; sid: number; phase: ZabPhaseName; epoch: bigint }
  | { type: 'role.ended'; sid: number; role: PeerStateName; reason: string }
  // ---- discovery
  | { type: 'epoch.accepted'; sid: number; epoch: bigint }
  | { type: 'epoch.current'; sid: number; epoch: bigint }
  | { type: 'leader.epochProposed'; sid: number; epoch: bigint; quorum: number[] }
  // ---- synchronisation
  | { type: 'leader.sync'; sid: number; learner: number; mode: SyncModeName; peerZxid: bigint; zxid: bigint; txns: number }
  | { type: 'learner.sync'; sid: number; leader: number; mode: SyncModeName; zxid: bigint }
  | { type: 'leader.established'; sid: number; epoch: bigint; zxid: bigint; quorum: number[] }
  | { type: 'learner.upToDate'; sid: number; leader: number; epoch: bigint; zxid: bigint }
  | { type: 'leader.learnerUpToDate'; sid: number; learner: number }
  | { type: 'leader.learnerGone'; sid: number; learner: number; reason: string }
  // ---- broadcast
  | { type: 'proposal'; sid: number; zxid: bigint }
  | { type: 'ack'; sid: number; from: number; zxid: bigint }
  | { type: 'commit'; sid: number; zxid: bigint }
  | { type: 'leader.abdicated'; sid: number; epoch: bigint; reason: string }
  // ---- dynamic reconfiguration (a committed reconfig, or one found in the database)
  | { type: 'config.changed'; sid: number; version: bigint; voters: number[]; observers: number[] }
  // ---- the server around the cores
  | { type: 'server.started'; sid: number; mode: 'standalone' | 'quorum'; zxid: bigint; pid: number }
  | { type: 'session.expired'; sid: number; session: bigint };

export type QuorumEventType = QuorumEvent['type'];

/** An event as a member's log keeps it: a sequence number and the time it was recorded (ms). */
export type LoggedEvent = QuorumEvent & { seq: number; time: number };

/** Every event type, for validation where the log crosses a process boundary. */
export const QUORUM_EVENT_TYPES: readonly QuorumEventType[] = [
  'election.started',
  'vote.sent',
  'vote.received',
  'vote.changed',
  'election.decided',
  'role.changed',
  'zab.phase',
  'role.ended',
  'epoch.accepted',
  'epoch.current',
  'leader.epochProposed',
  'leader.sync',
  'learner.sync',
  'leader.established',
  'learner.upToDate',
  'leader.learnerUpToDate',
  'leader.learnerGone',
  'proposal',
  'ack',
  'commit',
  'leader.abdicated',
  'config.changed',
  'server.started',
  'session.expired',
];

/** One line for people: what the event says, in ZooKeeper's words (transcripts, the timeline). */
export function describeEvent(e: QuorumEvent): string {
  const z = (v: bigint) => `0x${BigInt.asUintN(64, v).toString(16)}`;
  // An observer's own proposal names nobody (Long.MIN_VALUE on the wire).
  const vote = (v: VoteRecord) => (v.leader < 0 ? '(nobody)' : `(leader ${v.leader}, zxid ${z(v.zxid)}, epoch ${v.peerEpoch})`);
  switch (e.type) {
    case 'election.started':
      return `${e.sid} LOOKING, round ${e.round}, votes for itself ${vote(e.vote)}`;
    case 'vote.sent':
      return `${e.sid} -> ${e.to} vote ${vote(e.vote)} round ${e.round} ${e.state}`;
    case 'vote.received':
      return `${e.sid} <- ${e.from} vote ${vote(e.vote)} round ${e.round} ${e.state}`;
    case 'vote.changed':
      return `${e.sid} now votes ${vote(e.vote)} in round ${e.round}`;
    case 'election.decided':
      return `${e.sid} decided: leader ${e.leader}, ${e.role.toUpperCase()} (round ${e.round})`;
    case 'role.changed':
      return `${e.sid} is ${e.role.toUpperCase()}${e.leader !== null ? ` (leader ${e.leader})` : ''}`;
    case 'zab.phase':
      return `${e.sid} phase ${e.phase} (epoch ${e.epoch})`;
    case 'role.ended':
      return `${e.sid} stops ${e.role}: ${e.reason}`;
    case 'epoch.accepted':
      return `${e.sid} acceptedEpoch=${e.epoch}`;
    case 'epoch.current':
      return `${e.sid} currentEpoch=${e.epoch}`;
    case 'leader.epochProposed':
      return `${e.sid} proposes epoch ${e.epoch} to [${e.quorum.join(',')}]`;
    case 'leader.sync':
      return `${e.sid} syncs ${e.learner} by ${e.mode} (peer at ${z(e.peerZxid)}, leader at ${z(e.zxid)}, ${e.txns} txns)`;
    case 'learner.sync':
      return `${e.sid} gets ${e.mode} ${z(e.zxid)} from ${e.leader}`;
    case 'leader.established':
      return `${e.sid} established epoch ${e.epoch} at ${z(e.zxid)} with [${e.quorum.join(',')}]`;
    case 'learner.upToDate':
      return `${e.sid} up to date with ${e.leader} in epoch ${e.epoch} at ${z(e.zxid)}`;
    case 'leader.learnerUpToDate':
      return `${e.sid} sent UPTODATE to ${e.learner}`;
    case 'leader.learnerGone':
      return `${e.sid} lost learner ${e.learner}: ${e.reason}`;
    case 'proposal':
      return `${e.sid} proposes ${z(e.zxid)}`;
    case 'ack':
      return `${e.sid} ack ${z(e.zxid)} from ${e.from}`;
    case 'commit':
      return `${e.sid} commits ${z(e.zxid)}`;
    case 'leader.abdicated':
      return `${e.sid} abdicates epoch ${e.epoch}: ${e.reason}`;
    case 'config.changed':
      return `${e.sid} adopted config version ${z(e.version)}: voters [${e.voters.join(',')}]${e.observers.length > 0 ? `, observers [${e.observers.join(',')}]` : ''}`;
    case 'server.started':
      return `${e.sid} started (${e.mode}) at ${z(e.zxid)}`;
    case 'session.expired':
      return `${e.sid} expired session ${z(e.session)}`;
  }
}

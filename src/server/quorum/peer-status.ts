// What a member says of its place in the ensemble (mntr, srvr, the AdminServer, the lab's
// cards): its mode and its quorum status, read from the peer's core and its role.
import type { QuorumStatus } from '../replicator';
import type { QuorumPeerCore } from './peer-core';
import type { TxnLike } from './zab/types';
import { ServerState, STATE_NAME } from './vote';
import { LeaderCore } from './zab/leader';
import { LearnerCore } from './zab/learner';

/** leader, follower, observer or looking (`read-only` is the runtime's to say). */
export function modeOf<T extends TxnLike>(core: QuorumPeerCore<T>): string {
  switch (core.state) {
    case ServerState.LEADING:
      return 'leader';
    case ServerState.FOLLOWING:
      return 'follower';
    case ServerState.OBSERVING:
      return 'observer';
    default:
      return 'looking';
  }
}

export function statusOf<T extends TxnLike>(core: QuorumPeerCore<T>, myid: number, zabState: QuorumStatus['zabState'], proposalSizes: [number, number, number]): QuorumStatus {
  const role = core.role;
  const leader = role instanceof LeaderCore ? role : null;
  const learners = leader?.learners() ?? [];
  return {
    myid,
    peerState: STATE_NAME[core.state]!,
    zabState,
    syncMode: role instanceof LearnerCore && role.stage !== 'broadcast' && role.syncMode ? role.syncMode.toLowerCase() : '',
    leaderId: core.leaderId,
    voting: !core.isObserver,
    epoch: Number(core.currentEpoch),
    learners: leader ? learners.length : undefined,
    syncedFollowers: leader ? learners.filter((l) => !l.observer && l.synced).length : undefined,
    syncedObservers: leader ? learners.filter((l) => l.observer && l.synced).length : undefined,
    pendingSyncs: leader?.pendingSyncCount(),
    proposalSizes: leader ? proposalSizes : undefined,
    observers: leader ? learners.filter((l) => l.observer).map((l) => l.sid) : undefined,
  };
}

// When a member holds all of its leader's history, seen from srvr's zxids. Before the first write
// of its epoch a leader reports 0x<epoch>00000000 (ZooKeeper's Leader.startZkServer sets it) while
// a learner synced by DIFF keeps its last txn; a learner serving in that epoch has it all, then.
import { counterOf, epochOf } from '../../src/server/quorum/zab/types';

/** `member`/`memberEpoch`: the member's zxid and currentEpoch; `leader`: its leader's zxid. */
export function caughtUp(member: bigint, memberEpoch: bigint | null, leader: bigint): boolean {
  if (member === leader) return true;
  return counterOf(leader) === 0n && memberEpoch === epochOf(leader) && member < leader;
}

/** A zxid as the lab shows it (hex without 0x) as a bigint. */
export const labZxid = (hex: string): bigint => BigInt(`0x${hex}`);

// What the ZAB cores (leader, learner) exchange with the world. Messages are the QuorumPacket
// types of Leader.java with their payloads already decoded; `net/zab-codec.ts` maps them to and
// from the bytes ZooKeeper 3.8 writes. Txns, snapshot images and request bodies are opaque to the
// cores: the runtime uses the server's LoggedTxn and DataTree, the simulator its own records.
import type { ZabPhaseName } from '../../../protocol/events';

/** A transaction as the cores see it: only its zxid matters to them. */
export interface TxnLike {
  zxid: bigint;
}

/** A client request a learner forwards to the leader (REQUEST packet). */
export interface ForwardedRequest {
  sessionId: bigint;
  cxid: number;
  /** OpCode; 9 (sync) is handled by the leader core itself. */
  type: number;
  /** The request body as the client sent it (after its RequestHeader). */
  body: Uint8Array | null;
  /** The session's auth ids, for ACL checks at the leader. */
  authinfo: { scheme: string; id: string }[];
}

/** A session touch a learner reports in its PING reply. */
export interface SessionTouch {
  sessionId: bigint;
  timeout: number;
}

export const OPCODE_SYNC = 9;
/** LearnerInfo.protocolVersion and the LEADERINFO payload: Zab 1.0. */
export const ZAB_PROTOCOL_VERSION = 0x10000;

/** One QuorumPacket, decoded. */
export type ZabMessage<T extends TxnLike> =
  | { type: 'FOLLOWERINFO' | 'OBSERVERINFO'; acceptedEpoch: bigint; sid: number; protocolVersion: number; configVersion: bigint }
  | { type: 'LEADERINFO'; newEpoch: bigint; protocolVersion: number }
  /** currentEpoch -1: the learner had already accepted this epoch. */
  | { type: 'ACKEPOCH'; lastLoggedZxid: bigint; currentEpoch: bigint }
  | { type: 'DIFF'; zxid: bigint }
  | { type: 'TRUNC'; zxid: bigint }
  /** `image` is the snapshot stream that follows a SNAP packet, decoded (opaque to the cores). */
  | { type: 'SNAP'; zxid: bigint; image?: unknown }
  | { type: 'PROPOSAL'; txn: T }
  | { type: 'COMMIT'; zxid: bigint }
  | { type: 'INFORM'; txn: T }
  | { type: 'NEWLEADER'; zxid: bigint; config: string }
  | { type: 'UPTODATE' }
  | { type: 'ACK'; zxid: bigint }
  | { type: 'PING'; zxid: bigint; touches: SessionTouch[] }
  | { type: 'REQUEST'; request: ForwardedRequest }
  | { type: 'SYNC' }
  | { type: 'REVALIDATE'; sessionId: bigint; timeout: number }
  | { type: 'REVALIDATE_REPLY'; sessionId: bigint; valid: boolean };

export type ZabMessageType = ZabMessage<TxnLike>['type'];

/** What a core may read from the member's database (like raft's Storage interface). */
export interface ZabStorageView<T extends TxnLike> {
  /** The zxid of the newest txn in the database (the tree, after loading what was logged). */
  lastProcessedZxid(): bigint;
  /** The zxid of the newest snapshot on disk (0 if none): the log is trusted only after it. */
  snapshotZxid(): bigint;
  /**
   * Every logged txn after `zxid`, in order, when the log still reaches back to it (a logged txn
   * at or before `zxid` exists), else null.
   */
  txnsAfter(zxid: bigint): T[] | null;
  /**
   * The newest txns the database holds, oldest first, contiguous and ending at
   * lastProcessedZxid, as every member keeps them in memory (ZKDatabase.committedLog); null when
   * there are none. A new leader seeds its committed log from them instead of reading its log.
   */
  committedLog?(): T[] | null;
  /** Bytes a txn takes in a DIFF (absent: the log is used whatever its size). */
  txnSize?(t: T): number;
  /**
   * How many bytes of logged txns a DIFF may carry before a SNAP is cheaper (snapshotSizeFactor
   * times the snapshot's size, ZKDatabase.calculateTxnLogSizeLimit); absent or negative: no limit.
   */
  logSyncLimitBytes?(): number;
}

export interface ZabConfig {
  myid: number;
  /** Half a tickTime is one `tick` input; these limits are in ticks of tickTime. */
  initLimit: number;
  syncLimit: number;
  /** Committed proposals the leader keeps in memory for DIFF (zookeeper.commitLogCount). */
  commitLogCount: number;
  /** NEWLEADER's payload: the quorum verifier as text. */
  configText: string;
  /** The counter value that forces a new epoch (0xffffffff; lower in tests). */
  zxidCounterLimit: number;
  /**
   * Breaks ZAB on purpose, for tests of the consistency checker only (the member reads
   * ZK_TEST_UNSAFE_COMMIT=1 at start; nothing in the lab's UI or contract sets it): the leader
   * commits a write on its own log append, without a quorum, and holds the broadcast to its
   * learners for two ticks, so a leader killed loses the writes it acknowledged meanwhile.
   */
  unsafeCommit?: boolean;
}

export const ZAB_DEFAULTS = { commitLogCount: 500, zxidCounterLimit: 0xffffffff } as const;

/** Durable writes a core asks for. `seq` orders them; `persisted` reports a durable prefix. */
export type StorageAction<T extends TxnLike> =
  | { type: 'persistEpoch'; seq: number; name: 'acceptedEpoch' | 'currentEpoch'; epoch: bigint }
  /** Append to the txn log (and fsync). */
  | { type: 'persistTxns'; seq: number; txns: T[] }
  /** Drop every logged txn after `zxid` and reload the database from disk (TRUNC). */
  | { type: 'truncate'; seq: number; zxid: bigint }
  /** Write a snapshot of the database as it is at this point of the batch (after SNAP). */
  | { type: 'snapshot'; seq: number };

export type CommonAction<T extends TxnLike> =
  | StorageAction<T>
  /** Apply committed txns to the database, in order. */
  | { type: 'apply'; txns: T[] }
  /** A sync (local id) may complete: everything committed before it has been applied. */
  | { type: 'syncDone'; id: number }
  | { type: 'phase'; phase: ZabPhaseName }
  /** The role is over (the member goes back to LOOKING). */
  | { type: 'ended'; reason: string };

export function isStorageAction<T extends TxnLike>(a: { type: string }): a is StorageAction<T> {
  return a.type === 'persistEpoch' || a.type === 'persistTxns' || a.type === 'truncate' || a.type === 'snapshot';
}

export const zxidOf = (epoch: bigint, counter: bigint | number): bigint => (epoch << 32n) | BigInt(counter);
export const epochOf = (zxid: bigint): bigint => BigInt.asUintN(64, zxid) >> 32n;
export const counterOf = (zxid: bigint): bigint => zxid & 0xffffffffn;
export const hexZxid = (zxid: bigint): string => `0x${BigInt.asUintN(64, zxid).toString(16)}`;

// The seam between the request path and durable storage. The server core talks only to this
// interface; `memory.ts` keeps everything in RAM, the file store keeps ZooKeeper's own on-disk
// format under dataDir/version-2.
import type { LoggedTxn } from '../../protocol/txn';
import type { DataTree } from '../tree/datatree';

/** Sessions as the snapshot records them: id -> negotiated timeout (ms). */
export type SessionTable = Map<bigint, number>;

export interface LoadResult {
  /** The zxid of the last transaction now in the tree (0 for an empty database). */
  lastZxid: bigint;
  /** What recovery did, one sentence per notable step (shown in the server log). */
  notes: string[];
}

export interface Storage {
  /** Restores the newest valid snapshot plus the log after it into `tree` and `sessions`. */
  load(tree: DataTree, sessions: SessionTable): Promise<LoadResult>;
  /**
   * Appends one transaction. The promise resolves once it is durable (fdatasync when
   * forceSync), so a reply may go out; many appends share one fsync (group commit).
   * It rejects when the disk failed: the server must then stop acknowledging writes.
   * `entry` is the txn already encoded as a log entry (a proposal's bytes), to skip encoding it again.
   */
  append(txn: LoggedTxn, entry?: Uint8Array): Promise<void>;
  /** Called after a txn was applied to the tree; the store may start a (fuzzy) snapshot. */
  applied(zxid: bigint): void;
  /** Transactions with zxid > `after`, in order, if the log still has them (for DIFF). */
  txnsAfter(after: bigint): LoggedTxn[] | null;
  /** Drops every logged txn with zxid > `zxid` (TRUNC). */
  truncate(zxid: bigint): Promise<void>;
  /**
   * Writes a snapshot of the current tree now (after SNAP/TRUNC, on becoming leader).
   * `replacesLog`: the tree is a leader's SNAP image, not what this log led to; the log files
   * before it are dropped once the snapshot is durable, so that no DIFF is ever served from
   * txns of a history the SNAP replaced (never-committed ones among them: ZOOKEEPER-2846).
   */
  snapshot(opts?: { replacesLog?: boolean }): Promise<void>;
  readEpoch(name: 'acceptedEpoch' | 'currentEpoch'): number | null;
  writeEpoch(name: 'acceptedEpoch' | 'currentEpoch', epoch: number): void;
  /** Sizes for dirs / mntr. */
  dataDirSize(): number;
  logDirSize(): number;
  /** The zxid and time (ms) of the newest snapshot, for last_snapshot. */
  lastSnapshot(): { zxid: bigint; timestampMs: number } | null;
  /** Flushes and closes files. */
  close(): Promise<void>;
}

/** What the store needs from the server to write a snapshot. */
export interface SnapshotSource {
  tree: DataTree;
  sessions: SessionTable;
}

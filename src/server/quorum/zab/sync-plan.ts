// How a leader brings a learner at `peerLastZxid` up to date (LearnerHandler.syncFollower and
// queueCommittedProposals), as a pure function over the leader's history.
import type { SyncModeName } from '../../../protocol/events';
import { counterOf, epochOf, type TxnLike } from './types';

export interface SyncPlan<T extends TxnLike> {
  mode: SyncModeName;
  /** The zxid the DIFF / TRUNC / SNAP packet carries. */
  zxid: bigint;
  /** Txns to send as PROPOSAL + COMMIT pairs after the DIFF or TRUNC (none after SNAP). */
  txns: T[];
  /** The learner's zxid once the plan is applied (startForwarding sends what comes after it). */
  currentZxid: bigint;
}

export interface LeaderHistory<T extends TxnLike> {
  /** The leader's database zxid: its whole history up to here counts as committed. */
  lastProcessedZxid: bigint;
  /** The newest committed proposals kept in memory, oldest first, ending at lastProcessedZxid. */
  committedLog: readonly T[];
  /** True when committedLog holds every txn after `committedLogBase` (nothing trimmed). */
  committedLogComplete: boolean;
  /** The zxid just before committedLog's first entry when it is complete. */
  committedLogBase: bigint;
  /** The newest snapshot's zxid: the log is a trusted history only after it. */
  snapshotZxid: bigint;
  /** The logged history after `zxid` (null when the log does not reach back to it). */
  txnsAfter(zxid: bigint): T[] | null;
  /** Bytes of logged txns a DIFF may take from the log (negative: no limit). */
  logSyncLimitBytes: number;
  txnSize(t: T): number;
}

type Window<T> = { zxid: bigint; txn: T | null }[];

/** Chooses DIFF, TRUNC or SNAP for a learner at `peerLastZxid`, as ZooKeeper 3.8 would. */
export function planSync<T extends TxnLike>(peerLastZxid: bigint, h: LeaderHistory<T>): SyncPlan<T> {
  const last = h.lastProcessedZxid;
  const snap: SyncPlan<T> = { mode: 'SNAP', zxid: last, txns: [], currentZxid: last };
  const isPeerNewEpochZxid = counterOf(peerLastZxid) === 0n;
  const log = h.committedLog;
  const minCommitted = log.length > 0 ? log[0]!.zxid : last;
  const maxCommitted = log.length > 0 ? log[log.length - 1]!.zxid : last;

  if (peerLastZxid === last) return { mode: 'DIFF', zxid: peerLastZxid, txns: [], currentZxid: peerLastZxid };
  if (peerLastZxid > maxCommitted && !isPeerNewEpochZxid) return { mode: 'TRUNC', zxid: maxCommitted, txns: [], currentZxid: maxCommitted };
  if (log.length > 0 && minCommitted <= peerLastZxid && peerLastZxid <= maxCommitted) {
    return walk(log.map((t) => ({ zxid: t.zxid, txn: t })), peerLastZxid, maxCommitted) ?? snap;
  }
  if (peerLastZxid < minCommitted) {
    const window = historyWindow(peerLastZxid, h);
    if (window === null) return snap;
    return walk(window, peerLastZxid, maxCommitted) ?? snap;
  }
  return snap;
}

/**
 * The leader's history from its newest snapshot on: the snapshot point itself, the log after
 * it, then the in-memory committed log where the log ends. Null when the learner is older than
 * the snapshot, the log does not reach back, or log and memory do not meet.
 */
function historyWindow<T extends TxnLike>(peerLastZxid: bigint, h: LeaderHistory<T>): Window<T> | null {
  if (peerLastZxid < h.snapshotZxid) return null;
  const logged = h.txnsAfter(h.snapshotZxid);
  if (logged === null) return null;
  const window: Window<T> = [{ zxid: h.snapshotZxid, txn: null }, ...logged.map((t) => ({ zxid: t.zxid, txn: t }))];
  const loggedUpTo = window[window.length - 1]!.zxid;
  const memory = h.committedLog;
  if (memory.length > 0 && memory[0]!.zxid > loggedUpTo) {
    // The log must reach the point where memory starts, or there is a hole between them.
    if (!(h.committedLogComplete && loggedUpTo >= h.committedLogBase)) return null;
  }
  for (const t of memory) if (t.zxid > loggedUpTo) window.push({ zxid: t.zxid, txn: t });
  if (window[window.length - 1]!.zxid !== h.lastProcessedZxid) return null;
  if (h.logSyncLimitBytes >= 0) {
    // ZKDatabase.getProposalsFromTxnLog: past snapshotSizeFactor of the snapshot, SNAP is cheaper.
    let bytes = 0;
    for (const p of window) if (p.txn !== null && p.zxid > peerLastZxid) bytes += h.txnSize(p.txn);
    if (bytes > h.logSyncLimitBytes) return null;
  }
  return window;
}

/** queueCommittedProposals: null when the learner diverged in an older epoch (needs SNAP). */
function walk<T extends TxnLike>(window: Window<T>, peerLastZxid: bigint, lastCommittedZxid: bigint): SyncPlan<T> | null {
  const isPeerNewEpochZxid = counterOf(peerLastZxid) === 0n;
  let queuedZxid = peerLastZxid;
  let prevProposalZxid = -1n;
  let plan: { mode: SyncModeName; zxid: bigint } | null = null;
  const txns: T[] = [];
  for (const p of window) {
    if (p.zxid < peerLastZxid) {
      prevProposalZxid = p.zxid;
      continue;
    }
    if (plan === null) {
      if (p.zxid === peerLastZxid) {
        plan = { mode: 'DIFF', zxid: lastCommittedZxid };
        continue;
      }
      if (isPeerNewEpochZxid) {
        plan = { mode: 'DIFF', zxid: lastCommittedZxid };
      } else {
        // The learner has proposals the leader never saw. Same epoch: cut them off. Older
        // epoch: its history forked before this one began, only a snapshot helps.
        if (epochOf(p.zxid) !== epochOf(peerLastZxid)) return null;
        if (prevProposalZxid < 0n) return null;
        plan = { mode: 'TRUNC', zxid: prevProposalZxid };
      }
    }
    if (p.zxid <= queuedZxid) continue;
    if (p.txn === null) return null;
    txns.push(p.txn);
    queuedZxid = p.zxid;
  }
  if (plan === null) {
    if (!isPeerNewEpochZxid) return null;
    plan = { mode: 'DIFF', zxid: lastCommittedZxid };
  }
  return { ...plan, txns, currentZxid: queuedZxid };
}

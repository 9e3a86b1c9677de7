// Autopurge (PurgeTxnLog.purge): keep the newest `retain` snapshots that look complete, and
// every log file needed to replay from the oldest of them; delete older snapshots and logs.
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { LOG_PREFIX, SNAPSHOT_PREFIX, listDataFiles, logFilesFrom, type DataFile } from './names';
import { looksComplete } from './snapfile';

/** Reads just the last 5 bytes (the validity pre-check) of a plain snapshot. */
function snapshotLooksValid(f: DataFile): boolean {
  const ext = f.name.split('.').length > 2;
  if (ext) return true; // .gz / .snappy: ZooKeeper checks only their magic; count them
  let fd: number;
  try {
    fd = openSync(f.path, 'r');
  } catch {
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 10) return false;
    const tail = Buffer.alloc(10);
    readSync(fd, tail, 0, 10, size - 10);
    return looksComplete(tail);
  } finally {
    closeSync(fd);
  }
}

/** The newest `n` snapshots that pass the pre-check, newest first (FileSnap.findNValidSnapshots). */
export function newestValidSnapshots(snapDir: string, n: number): DataFile[] {
  const out: DataFile[] = [];
  for (const f of listDataFiles(snapDir, SNAPSHOT_PREFIX, true)) {
    if (out.length >= n) break;
    if (snapshotLooksValid(f)) out.push(f);
  }
  return out;
}

/** Deletes what autopurge would; returns the names it removed. */
export function purgeOldFiles(snapDir: string, logDir: string, retain: number): string[] {
  if (retain < 3) throw new Error(`autopurge.snapRetainCount must be at least 3, not ${retain}`);
  const snaps = newestValidSnapshots(snapDir, retain);
  if (snaps.length === 0) return [];
  const least = snaps[snaps.length - 1]!.zxid;
  const logs = listDataFiles(logDir, LOG_PREFIX);
  const keep = new Set(logFilesFrom(logs, least).map((f) => f.path));
  const removed: string[] = [];
  const doomed = [...listDataFiles(snapDir, SNAPSHOT_PREFIX), ...logs].filter((f) => f.zxid < least && !keep.has(f.path));
  for (const f of doomed) {
    try {
      unlinkSync(f.path);
      removed.push(f.name);
    } catch {
      // already gone
    }
  }
  return removed;
}

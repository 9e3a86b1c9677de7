// Autopurge (PurgeTxnLog.purge): keep the newest `retain` snapshots that look complete, and
// every log file needed to replay from the oldest of them; delete older snapshots and logs.
import type { Disk } from '../runtime/disk';
import { LOG_PREFIX, SNAPSHOT_PREFIX, listDataFiles, logFilesFrom, type DataFile } from './names';
import { looksComplete } from './snapfile';

/** Reads just the last 10 bytes (the validity pre-check) of a plain snapshot. */
function snapshotLooksValid(disk: Disk, f: DataFile): boolean {
  const ext = f.name.split('.').length > 2;
  if (ext) return true; // .gz / .snappy: ZooKeeper checks only their magic; count them
  try {
    const size = disk.stat(f.path).size;
    return size >= 10 && looksComplete(disk.read(f.path, size - 10, size));
  } catch {
    return false;
  }
}

/** The newest `n` snapshots that pass the pre-check, newest first (FileSnap.findNValidSnapshots). */
export function newestValidSnapshots(disk: Disk, snapDir: string, n: number): DataFile[] {
  const out: DataFile[] = [];
  for (const f of listDataFiles(disk, snapDir, SNAPSHOT_PREFIX, true)) {
    if (out.length >= n) break;
    if (snapshotLooksValid(disk, f)) out.push(f);
  }
  return out;
}

/** Deletes what autopurge would; returns the names it removed. */
export function purgeOldFiles(disk: Disk, snapDir: string, logDir: string, retain: number): string[] {
  if (retain < 3) throw new Error(`autopurge.snapRetainCount must be at least 3, not ${retain}`);
  const snaps = newestValidSnapshots(disk, snapDir, retain);
  if (snaps.length === 0) return [];
  const least = snaps[snaps.length - 1]!.zxid;
  const logs = listDataFiles(disk, logDir, LOG_PREFIX);
  const keep = new Set(logFilesFrom(logs, least).map((f) => f.path));
  const removed: string[] = [];
  const doomed = [...listDataFiles(disk, snapDir, SNAPSHOT_PREFIX), ...logs].filter((f) => f.zxid < least && !keep.has(f.path));
  for (const f of doomed) {
    try {
      disk.unlink(f.path);
      removed.push(f.name);
    } catch {
      // already gone
    }
  }
  return removed;
}

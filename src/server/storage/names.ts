// File names under version-2 as ZooKeeper makes and parses them (persistence/Util.java):
// log.<hex zxid of the first txn>, snapshot.<hex lastProcessedZxid>[.gz|.snappy], lowercase
// hex without padding or 0x.
import type { Disk } from '../runtime/disk';
import { join } from 'node:path';

export const VERSION_DIR = 'version-2';
export const LOG_PREFIX = 'log';
export const SNAPSHOT_PREFIX = 'snapshot';
/** Snapshots are written under this name first; ZooKeeper ignores it (no zxid in its name). */
export const SNAPSHOT_TMP_PREFIX = 'tmp.snapshot.';

/** Long.toHexString: two's complement for negative values. */
export function zxidHex(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16);
}

export function logName(zxid: bigint): string {
  return `${LOG_PREFIX}.${zxidHex(zxid)}`;
}

export function snapshotName(zxid: bigint): string {
  return `${SNAPSHOT_PREFIX}.${zxidHex(zxid)}`;
}

/** Util.getZxidFromName: the hex after "<prefix>.", or -1 when the name is not one of ours. */
export function zxidFromName(name: string, prefix: string): bigint {
  const parts = name.split('.');
  if (parts.length < 2 || parts[0] !== prefix || !/^[0-9a-fA-F]{1,16}$/.test(parts[1]!)) return -1n;
  return BigInt.asIntN(64, BigInt('0x' + parts[1]));
}

export interface DataFile {
  name: string;
  path: string;
  zxid: bigint;
}

/** Files named <prefix>.<hex>[...] in `dir`, sorted by zxid (ascending unless told). */
export function listDataFiles(disk: Disk, dir: string, prefix: string, descending = false): DataFile[] {
  let names: string[];
  try {
    names = disk.list(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const files: DataFile[] = [];
  for (const name of names) {
    const zxid = zxidFromName(name, prefix);
    if (zxid !== -1n) files.push({ name, path: join(dir, name), zxid });
  }
  files.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
  if (descending) files.reverse();
  return files;
}

/**
 * FileTxnLog.getLogFiles: the newest log starting at or before `zxid` (it may hold txns after
 * it) and every later log, ascending.
 */
export function logFilesFrom(logs: DataFile[], zxid: bigint): DataFile[] {
  let start = 0n;
  for (const f of logs) {
    if (f.zxid > zxid) break;
    if (f.zxid > start) start = f.zxid;
  }
  return logs.filter((f) => f.zxid >= start);
}

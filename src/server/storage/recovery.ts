// Recovery on start (FileTxnSnapLog.restore): the newest snapshot that reads back whole,
// falling back to older ones, then every logged txn after it. A torn tail (what a crash in
// the middle of a write leaves: a partial record, a bad checksum, a missing 0x42) is cut back
// to the last good txn; anything else unreadable stops the start with a sentence naming the
// file and what is wrong, never a silently empty or shortened tree.
import { RECOVERY_SNAPSHOTS_TRIED } from '../../protocol/limits';
import { join } from 'node:path';
import { Err, OpCode } from '../../protocol/codes';
import type { LoggedTxn } from '../../protocol/txn';
import { parentOf } from '../../protocol/paths';
import type { DataTree } from '../tree/datatree';
import { treeDigest } from './digest';
import type { Disk } from '../runtime/disk';
import { describeIoError } from './fsutil';
import { LOG_PREFIX, SNAPSHOT_PREFIX, SNAPSHOT_TMP_PREFIX, listDataFiles, logFilesFrom, zxidHex, type DataFile } from './names';
import { DIGEST_VERSION, readSnapshotFile, SnapshotError, type LoadedSnapshot } from './snapfile';
import { applyImage } from './treeimage';
import { scanLog, type LogScan } from './txnlog';
import type { SessionTable } from './types';

/** Recovery cannot go on: the message says which file, what is wrong and what to do. */
export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

/** Snapshots tried before giving up (FileSnap.deserialize). */
const MAX_SNAPSHOTS_TRIED = RECOVERY_SNAPSHOTS_TRIED;

export interface RecoveryResult {
  lastZxid: bigint;
  lastLoggedZxid: bigint;
  notes: string[];
  snapshot: { zxid: bigint; name: string; timestampMs: number } | null;
  /** Each log file read, and the offset where its good entries end. */
  logEnds: Map<string, number>;
  /** No snapshot and no log: a new database. */
  empty: boolean;
}

const hex = (z: bigint) => `0x${zxidHex(z)}`;

/**
 * Applies one logged txn during replay (FileTxnSnapLog.processTransaction): sessions follow
 * createSession/closeSession; a create that finds its znode already present (it was in the
 * fuzzy snapshot) still raises the parent's cversion and pzxid, as DataTree.processTxn does.
 */
export function replayTxn(tree: DataTree, sessions: SessionTable, t: LoggedTxn): void {
  const { header, txn } = t;
  if (txn.type === OpCode.createSession) sessions.set(header.clientId, txn.timeOut);
  else if (txn.type === OpCode.closeSession) sessions.delete(header.clientId);
  const rc = tree.processTxn(header, txn);
  if (
    rc.err === Err.NODEEXISTS &&
    (txn.type === OpCode.create || txn.type === OpCode.create2 || txn.type === OpCode.createContainer || txn.type === OpCode.createTTL)
  ) {
    tree.setCversionPzxid(parentOf(txn.path), txn.parentCVersion, header.zxid);
  }
}

/** Reads one log file; entries at or before `snapZxid` are only checksummed (their txn is null). */
function readLog(disk: Disk, f: DataFile, snapZxid: bigint | null): LogScan {
  let buf: Buffer;
  try {
    buf = disk.read(f.path);
  } catch (e) {
    throw new StorageError(`Cannot read transaction log ${f.path}: ${describeIoError(e)}. Fix its permissions or the disk, then start again.`);
  }
  return scanLog(buf, snapZxid);
}

async function loadNewestSnapshot(disk: Disk, snapDir: string, notes: string[]): Promise<{ snap: LoadedSnapshot; file: DataFile } | null> {
  const candidates = listDataFiles(disk, snapDir, SNAPSHOT_PREFIX, true).slice(0, MAX_SNAPSHOTS_TRIED);
  if (candidates.length === 0) return null;
  const problems: string[] = [];
  for (const f of candidates) {
    try {
      const snap = await readSnapshotFile(disk, f.path, f.name);
      if (problems.length > 0) notes.push(`Skipped ${problems.length} unusable newer snapshot(s) (${problems.join('; ')}); using ${f.name}.`);
      return { snap, file: f };
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      problems.push(e.message);
    }
  }
  throw new StorageError(
    `No usable snapshot in ${snapDir}: ${problems.join('; ')}. Starting empty would lose the data, so this server stops; ` +
      'restore a snapshot from a backup, or move version-2 aside to start a new, empty database.',
  );
}

/** Loads the newest usable snapshot and the log after it into `tree` and `sessions`. */
export async function recover(disk: Disk, snapDir: string, logDir: string, tree: DataTree, sessions: SessionTable): Promise<RecoveryResult> {
  const notes: string[] = [];
  const result: RecoveryResult = { lastZxid: 0n, lastLoggedZxid: 0n, notes, snapshot: null, logEnds: new Map(), empty: false };

  // A snapshot still under its temporary name was never finished.
  for (const name of disk.list(snapDir)) {
    if (name.startsWith(SNAPSHOT_TMP_PREFIX)) {
      disk.unlink(join(snapDir, name));
      notes.push(`Removed ${name}, a snapshot that was still being written when the server stopped.`);
    }
  }
  if (snapDir !== logDir) {
    // FileTxnSnapLog.checkLogDir / checkSnapDir: a swapped dataDir/dataLogDir.
    if (listDataFiles(disk, logDir, SNAPSHOT_PREFIX).length > 0) {
      throw new StorageError(`The log directory ${logDir} holds snapshot files. Check that dataLogDir and dataDir in zoo.cfg are right.`);
    }
    if (listDataFiles(disk, snapDir, LOG_PREFIX).length > 0) {
      throw new StorageError(`The snapshot directory ${snapDir} holds transaction logs. Check that dataLogDir and dataDir in zoo.cfg are right.`);
    }
  }

  const loaded = await loadNewestSnapshot(disk, snapDir, notes);
  const logs = listDataFiles(disk, logDir, LOG_PREFIX);
  const snapZxid = loaded ? loaded.snap.zxid : 0n;
  const files = loaded ? logFilesFrom(logs, snapZxid) : logs;
  const scans = files.map((f) => ({ f, scan: readLog(disk, f, loaded ? snapZxid : null) }));
  let lastWithEntries = -1;
  scans.forEach((s, i) => {
    if (s.scan.entries.length > 0) lastWithEntries = i;
  });

  let removedAny = false;
  // Log files after the last one with a txn hold nothing (created just before a crash), unless
  // what is in them is not what a crash leaves.
  for (const { f, scan } of scans.slice(lastWithEntries + 1)) {
    if (scan.damage?.kind === 'corrupt' || (scan.headerProblem !== null && !scan.headerTorn)) {
      const why = scan.headerProblem ?? `it is damaged at byte ${scan.damage!.at} (${scan.damage!.reason}) and good txns follow the damage`;
      throw new StorageError(
        `Transaction log ${f.path} is unreadable: ${why}. It may hold acknowledged txns, so this server stops; ` +
          'restore the dataDir from a backup, or move the file aside if losing its txns is acceptable.',
      );
    }
    disk.unlink(f.path);
    removedAny = true;
    const why = scan.headerProblem ?? (scan.damage ? `its first record is torn (${scan.damage.reason})` : 'it holds no transactions');
    notes.push(`Removed ${f.name}: ${why}; it was created just before the server stopped and held no acknowledged txn.`);
  }
  scans.splice(lastWithEntries + 1);
  if (removedAny) disk.syncDirSync(logDir);

  if (!loaded) {
    if (scans.length > 0) {
      throw new StorageError(
        `${logDir} has transaction logs (${scans.map((s) => s.f.name).join(', ')}) but ${snapDir} has no snapshot, so the ` +
          'start of the history is missing (ZooKeeper refuses this too). Restore the snapshot files, or move the logs aside to start empty.',
      );
    }
    result.empty = true;
    return result;
  }

  for (let i = 0; i < scans.length; i++) {
    const { f, scan } = scans[i]!;
    const isTail = i === scans.length - 1;
    if (scan.headerProblem) {
      throw new StorageError(`Transaction log ${f.path} is unreadable: ${scan.headerProblem}. Newer logs follow it, so txns would be missing; restore the file from a backup.`);
    }
    if (scan.damage) {
      const where = `at byte ${scan.damage.at} (${scan.damage.reason})`;
      if (!isTail || scan.damage.kind === 'corrupt') {
        throw new StorageError(
          `Transaction log ${f.path} is damaged ${where}` +
            (isTail ? ' and good txns follow the damage, so this is not a torn write' : ' and newer logs follow it') +
            '; txns would be lost. Restore the dataDir from a backup, or cut the log with ZooKeeper\'s TxnLogToolkit if losing them is acceptable.',
        );
      }
      const lastGood = scan.entries[scan.entries.length - 1]!.zxid;
      // Durable before new txns go to a newer file: a torn tail coming back would then be fatal.
      disk.truncate(f.path, scan.damage.at);
      notes.push(
        `${f.name} ended in a torn write ${where}: truncated it back to the last good txn ${hex(lastGood)}; ` +
          'the torn txn was never acknowledged.',
      );
      scan.goodEnd = scan.damage.at;
    }
    result.logEnds.set(f.name, scan.goodEnd);
  }

  const { snap, file } = loaded;
  applyImage(tree, sessions, snap.image, snapZxid);
  const { mtimeMs } = disk.stat(file.path);
  result.snapshot = { zxid: snapZxid, name: file.name, timestampMs: Math.floor(mtimeMs) };
  notes.push(`Loaded ${file.name}: ${snap.image.nodeCount} znodes, ${snap.image.sessions.size} sessions, zxid ${hex(snapZxid)}.`);

  // The snapshot's digest is of the tree at digest.zxid, which replay reaches (or is already at).
  let digestTarget: bigint | null = null;
  if (snap.digest && snap.digest.zxid > 0n && snap.digest.zxid >= snapZxid && snap.digest.digestVersion === DIGEST_VERSION) {
    digestTarget = snap.digest.zxid;
  }
  // Whether the log goes on past `zxid`: only then can a fuzzy snapshot hold later changes
  // (ZooKeeper logs a txn before it applies it).
  const loggedAfter = (zxid: bigint) => scans.some(({ scan }) => scan.entries.some((e) => e.zxid > zxid));
  const checkDigest = () => {
    const target = digestTarget!;
    digestTarget = null;
    const actual = treeDigest(tree);
    if (actual === snap.digest!.digest) {
      notes.push(`The tree digest at ${hex(target)} matches the snapshot's.`);
      return;
    }
    // ZooKeeper serialises a fuzzy snapshot while txns go on being applied and records the digest
    // of the last txn it had finished, so a txn applied in between can show in the tree but not
    // in the digest. Replay still ends at the right tree. ZooKeeper never compares a digest for
    // the snapshot's own zxid (replay starts after it); we do, and set a mismatch aside when
    // later txns were logged. For a later zxid, a znode changed after it is the evidence.
    const later = latestChange(tree, target);
    if (later !== null || (target === snapZxid && loggedAfter(target))) {
      notes.push(
        `The tree digest at ${hex(target)} differs from the one ${file.name} recorded, but the snapshot was taken while ` +
          (later !== null ? `txns were applied (it holds a change from ${hex(later)})` : 'later txns were being applied') +
          ', so the two cannot be compared' +
          (target === snapZxid ? " (ZooKeeper never compares a digest for the snapshot's own zxid)." : '.'),
      );
      return;
    }
    notes.push(
      `Warning: the tree digest at ${hex(target)} is ${actual} but ${file.name} recorded ${snap.digest!.digest}: ` +
        'the replayed tree differs from the one that wrote the snapshot.',
    );
  };
  if (digestTarget === snapZxid) checkDigest();

  let replayed = 0;
  let last = snapZxid;
  let outOfOrder = false;
  let lastLogged = snapZxid;
  for (const { scan } of scans) {
    for (const e of scan.entries) {
      if (e.zxid > lastLogged) lastLogged = e.zxid;
      if (e.zxid <= snapZxid) continue;
      if (e.zxid <= last && !outOfOrder) {
        outOfOrder = true;
        notes.push(`Warning: the log has txn ${hex(e.zxid)} after ${hex(last)}; applied in log order, as ZooKeeper does.`);
      }
      // Only entries at or before snapZxid are left undecoded.
      replayTxn(tree, sessions, e.txn!);
      replayed++;
      last = e.zxid;
      if (digestTarget !== null && e.zxid === digestTarget) checkDigest();
    }
  }
  if (digestTarget !== null) {
    notes.push(`The snapshot's digest is for ${hex(digestTarget)}, which the log does not reach; it was not checked.`);
  }
  if (replayed > 0) {
    notes.push(`Replayed ${replayed} txns from ${scans.map((s) => s.f.name).join(', ')} up to ${hex(tree.lastProcessedZxid)}.`);
  }
  result.lastZxid = tree.lastProcessedZxid;
  result.lastLoggedZxid = lastLogged;
  return result;
}

/** The highest czxid/mzxid/pzxid in `tree` above `zxid`, or null: a change later than `zxid`. */
function latestChange(tree: DataTree, zxid: bigint): bigint | null {
  let latest: bigint | null = null;
  for (const [, id] of tree.entries()) {
    const c = tree.czxid(id);
    const m = tree.mzxid(id);
    const p = tree.pzxid(id);
    const z = c > m ? (c > p ? c : p) : m > p ? m : p;
    if (z > zxid && (latest === null || z > latest)) latest = z;
  }
  return latest;
}

// A read-only look at a dataDir's version-2 folder, for the lab's "open a production dataDir":
// every snapshot must read back whole (snapfile.ts's checks: seals, checksums, parents before
// children, ACL indexes), every txn log must scan to its end or its zero padding without damage
// (txnlog.ts), and the newest snapshot plus the logs after it must load into a tree (recovery's
// replay). Unlike recover(), nothing here changes the folder: no torn tail is cut, no empty log
// or unfinished snapshot removed. A dataDir a crashed server left with a torn tail still starts
// in ZooKeeper (it cuts the tail), but a copy brought into the lab should be whole, so this
// refuses what recover() would mend, with the sentence saying where and why.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nodeDisk } from '../runtime/disk';
import { DataTree, NONE } from '../tree/datatree';
import { readEpochFile } from './epoch';
import { describeIoError } from './fsutil';
import { LOG_PREFIX, SNAPSHOT_PREFIX, listDataFiles, logFilesFrom, zxidHex, type DataFile } from './names';
import { replayTxn } from './recovery';
import { readSnapshotFile, SnapshotError, type LoadedSnapshot } from './snapfile';
import { applyImage } from './treeimage';
import { scanLog } from './txnlog';
import type { SessionTable } from './types';

/** Why a dataDir cannot be opened: one sentence naming the file and what is wrong. */
export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

export interface InspectProgress {
  step: string;
  /** Bytes of the folder's files read so far, and in all. */
  bytesDone: number;
  bytesTotal: number;
  /** Znodes loaded so far (the snapshot being read, then the tree being replayed). */
  znodes: number;
}

export interface InspectedFile {
  name: string;
  bytes: number;
  /** The zxid in its name, hex with 0x. */
  zxid: string;
}

export interface Inspection {
  /** The files a copy must carry: snapshots, logs, and the epoch files when there are any. */
  files: InspectedFile[];
  snapshots: (InspectedFile & { znodes: number; sessions: number })[];
  logs: (InspectedFile & { txns: number; firstZxid: string | null; lastZxid: string | null })[];
  /** Files of version-2 that are not snapshots, logs or epochs (an unfinished tmp.snapshot.*, a stray file): left out of a copy. */
  ignored: string[];
  bytes: number;
  /** The tree the newest snapshot and the logs after it make, as a member would load it. */
  lastZxid: string;
  znodes: number;
  sessions: number;
  ephemerals: number;
  acceptedEpoch: number | null;
  currentEpoch: number | null;
  /**
   * A committed dynamic configuration (a reconfig) in /zookeeper/config: its text. A member of an
   * ensemble adopts it over its zoo.cfg, so it would try the production servers it names.
   */
  dynamicConfig: string | null;
  /** The loaded tree (callers that only check drop it). */
  tree: DataTree;
}

const hex = (z: bigint): string => `0x${zxidHex(z)}`;

function size(f: DataFile): number {
  try {
    return statSync(f.path).size;
  } catch (e) {
    throw new DataDirError(`${f.name} cannot be read: ${describeIoError(e)}.`);
  }
}

/**
 * Checks the version-2 folder `dir` file by file and loads its tree, changing nothing. Throws
 * DataDirError with the first problem found. `progress` is called as files are read.
 */
export async function inspectDataDir(dir: string, progress: (p: InspectProgress) => void = () => {}): Promise<Inspection> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new DataDirError(`${dir} cannot be read: ${describeIoError(e)}.`);
  }
  const snaps = listDataFiles(nodeDisk, dir, SNAPSHOT_PREFIX);
  const logs = listDataFiles(nodeDisk, dir, LOG_PREFIX);
  const known = new Set([...snaps, ...logs].map((f) => f.name));
  const epochs = names.filter((n): n is 'acceptedEpoch' | 'currentEpoch' => n === 'acceptedEpoch' || n === 'currentEpoch');
  const ignored = names.filter((n) => !known.has(n) && !(epochs as string[]).includes(n)).sort();
  if (snaps.length === 0) {
    throw new DataDirError(
      logs.length > 0
        ? `${dir} has transaction logs (${logs.map((f) => f.name).join(', ')}) but no snapshot, so the start of the history is missing; copy the snapshot.* files from the server's dataDir too (its logs may be in dataLogDir, its snapshots in dataDir).`
        : `${dir} holds no ZooKeeper data (no snapshot.<zxid> or log.<zxid> files); give the dataDir of a ZooKeeper 3.5–3.9 server (the folder that holds version-2).`,
    );
  }
  const sizes = new Map([...snaps, ...logs].map((f) => [f.name, size(f)] as const));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  let done = 0;
  const report = (step: string, znodes: number): void => progress({ step, bytesDone: done, bytesTotal: total, znodes });

  const out: Inspection = {
    files: [],
    snapshots: [],
    logs: [],
    ignored,
    bytes: total,
    lastZxid: '0x0',
    znodes: 0,
    sessions: 0,
    ephemerals: 0,
    acceptedEpoch: null,
    currentEpoch: null,
    dynamicConfig: null,
    tree: new DataTree(),
  };
  try {
    out.acceptedEpoch = readEpochFile(nodeDisk, dir, 'acceptedEpoch');
    out.currentEpoch = readEpochFile(nodeDisk, dir, 'currentEpoch');
  } catch (e) {
    throw new DataDirError((e as Error).message.replace(/; restore it.*$/, '; restore it from the server, or leave it out of the copy.'));
  }

  // Every snapshot, oldest first; the newest is kept for the load.
  let newest: LoadedSnapshot | null = null;
  let newestFile: DataFile | null = null;
  for (const f of snaps) {
    report(`Checking ${f.name}`, 0);
    let snap: LoadedSnapshot;
    try {
      snap = await readSnapshotFile(nodeDisk, f.path, f.name);
    } catch (e) {
      if (e instanceof SnapshotError) throw new DataDirError(`${e.message}; nothing was copied. Copy that file again from the server (or leave it out if a newer snapshot and the logs cover it).`);
      throw e;
    }
    done += sizes.get(f.name)!;
    report(`Checked ${f.name}`, snap.image.nodeCount);
    const item = { name: f.name, bytes: sizes.get(f.name)!, zxid: hex(f.zxid), znodes: snap.image.nodeCount, sessions: snap.image.sessions.size };
    out.snapshots.push(item);
    if (newest === null || f.zxid >= newestFile!.zxid) {
      newest = snap;
      newestFile = f;
    }
  }

  // Every log: whole, or ending in zero padding. A torn tail is refused too (see the top).
  const scanned = new Map<string, ReturnType<typeof scanLog>>();
  for (const f of logs) {
    report(`Checking ${f.name}`, newest!.image.nodeCount);
    let buf: Buffer;
    try {
      buf = readFileSync(f.path);
    } catch (e) {
      throw new DataDirError(`${f.name} cannot be read: ${describeIoError(e)}.`);
    }
    const scan = scanLog(buf);
    if (scan.headerProblem) throw new DataDirError(`${f.name} is not a ZooKeeper transaction log: ${scan.headerProblem}; nothing was copied. Copy it again from the server, or leave it out.`);
    if (scan.damage) {
      throw new DataDirError(
        `${f.name} is ${scan.damage.kind === 'torn' ? 'truncated or torn' : 'corrupt'} at byte ${scan.damage.at} of ${buf.length} (${scan.damage.reason}); nothing was copied. ` +
          'Copy the file again from the server (a copy taken while the server wrote it can end mid-record: copy again, or from a stopped server).',
      );
    }
    scanned.set(f.name, scan);
    const first = scan.entries[0]?.zxid ?? null;
    const last = scan.entries[scan.entries.length - 1]?.zxid ?? null;
    out.logs.push({ name: f.name, bytes: sizes.get(f.name)!, zxid: hex(f.zxid), txns: scan.entries.length, firstZxid: first === null ? null : hex(first), lastZxid: last === null ? null : hex(last) });
    done += sizes.get(f.name)!;
  }

  // The tree a member loads: the newest snapshot and every logged txn after it.
  const snapZxid = newestFile!.zxid;
  const used = logFilesFrom(logs, snapZxid);
  const firstAfter = used.flatMap((f) => scanned.get(f.name)!.entries).find((e) => e.zxid > snapZxid);
  if (firstAfter && firstAfter.zxid > snapZxid + 1n && (firstAfter.zxid >> 32n) === (snapZxid >> 32n)) {
    throw new DataDirError(`The logs after ${newestFile!.name} start at ${hex(firstAfter.zxid)}, so the txns from ${hex(snapZxid + 1n)} are missing; copy every log.* file of the server.`);
  }
  const sessions: SessionTable = new Map();
  applyImage(out.tree, sessions, newest!.image, snapZxid);
  let replayed = 0;
  for (const f of used) {
    for (const e of scanned.get(f.name)!.entries) {
      if (e.zxid <= snapZxid) continue;
      replayTxn(out.tree, sessions, e.txn!);
      if (++replayed % 10_000 === 0) report(`Replaying ${f.name}`, out.tree.nodeCount());
    }
  }
  out.lastZxid = hex(out.tree.lastProcessedZxid);
  out.znodes = out.tree.nodeCount();
  out.sessions = sessions.size;
  out.ephemerals = [...out.tree.ephemerals.values()].reduce((n, s) => n + s.size, 0);
  const config = out.tree.lookup('/zookeeper/config');
  if (config !== NONE && out.tree.mzxid(config) > 0n && out.tree.dataLength(config) > 0) out.dynamicConfig = out.tree.data(config)!.toString('utf8');
  out.files = [...snaps, ...logs].map((f) => ({ name: f.name, bytes: sizes.get(f.name)!, zxid: hex(f.zxid) }));
  for (const e of epochs) out.files.push({ name: e, bytes: statSync(join(dir, e)).size, zxid: '' });
  report('Loaded', out.znodes);
  return out;
}

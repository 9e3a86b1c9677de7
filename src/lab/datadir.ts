// Opening a production dataDir in the lab: its version-2 files (snapshots, txn logs, epochs) are
// copied into a staging folder beside the labs, the copy is checked file by file and loaded by
// the server's own reader in a child process (src/server/datadir-main.ts: the lab runs the
// server's code only as processes), and only a copy that loads whole becomes a lab's members'
// data. So the original is only ever read, and a corrupt, truncated or foreign file leaves
// nothing behind: no lab, no staging folder. Checking the copy, not the original, also means
// the members get exactly what was checked, even when the original belongs to a live server
// whose log grows meanwhile. Logs are copied up to their last record: the zero padding
// ZooKeeper preallocates after it (64 MB a log) is what its reader treats as the end anyway.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeLabDirs } from './dirs';
import { createLab, labsRoot, nodeDir, type LabSpec } from './labdir';
import { said, sayEnglish, type Said } from '../shared/said';

/** The server's dataDir reader, built (dist/server/datadir-main.js). */
export const DATADIR_JS = resolve(__dirname, '..', '..', 'dist', 'server', 'datadir-main.js');

/** What the checker reports of a dataDir (src/server/storage/inspect.ts's Inspection, as JSON). */
export interface DataDirSummary {
  files: { name: string; bytes: number; zxid: string }[];
  snapshots: { name: string; bytes: number; zxid: string; znodes: number; sessions: number }[];
  logs: { name: string; bytes: number; zxid: string; txns: number; firstZxid: string | null; lastZxid: string | null }[];
  ignored: string[];
  bytes: number;
  lastZxid: string;
  znodes: number;
  sessions: number;
  ephemerals: number;
  acceptedEpoch: number | null;
  currentEpoch: number | null;
  dynamicConfig: string | null;
}

export interface OpenProgress {
  step: string;
  /** The step as a code and parameters the page translates. */
  said: Said;
  bytesDone: number;
  bytesTotal: number;
  znodes: number;
}

/** Node to run the server's code with: this one, unless this is Electron's (its members use `node` too, bin/zk-server). */
const NODE = process.versions.electron ? 'node' : process.execPath;

const ZK_FILE = /^(snapshot|log)\.[0-9a-fA-F]{1,16}(\.[a-z]+)?$|^(acceptedEpoch|currentEpoch)$/;

const opening = (s: Said, bytesDone: number, bytesTotal: number, znodes: number): OpenProgress => ({ step: sayEnglish(s), said: s, bytesDone, bytesTotal, znodes });

/** The server's reader's step ("Checking snapshot.1a", "Replaying log.1b", "Loaded") with the bytes and znodes so far. */
function readingSaid(p: { step: string; bytesDone: number; bytesTotal: number; znodes: number }): Said {
  const m = /^(Checking|Checked|Replaying) (\S+)$/.exec(p.step);
  const counts = { done: p.bytesDone, total: p.bytesTotal, znodes: p.znodes };
  if (m) return said(m[1] === 'Checking' ? 'progressChecking' : m[1] === 'Checked' ? 'progressChecked' : 'progressReplaying', { file: m[2]!, ...counts });
  return said('progressLoaded', counts);
}

/**
 * The version-2 folder of what the person named: a dataDir (it holds version-2), or version-2
 * itself. A sentence saying what to give otherwise.
 */
export function version2Of(path: string): string {
  const p = resolve(path);
  let st;
  try {
    st = statSync(p);
  } catch (e) {
    throw new Error(`${p} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give the dataDir of a ZooKeeper server (the folder that holds version-2).`);
  }
  if (!st.isDirectory()) throw new Error(`${p} is a file, not a folder: give the dataDir of a ZooKeeper server (the folder that holds version-2).`);
  if (existsSync(join(p, 'version-2')) && statSync(join(p, 'version-2')).isDirectory()) return join(p, 'version-2');
  if (readdirSync(p).some((n) => /^(snapshot|log)\.[0-9a-f]+/i.test(n))) return p;
  throw new Error(`${p} holds no version-2 folder and no snapshot or log files: give the dataDir of a ZooKeeper 3.5–3.9 server (its zoo.cfg's dataDir, which holds version-2).`);
}

/** Runs the server's dataDir reader; resolves with its result, rejects with its sentence. */
export function runDataDirTool<T>(args: string[], progress: (p: OpenProgress) => void = () => {}): Promise<T> {
  if (!existsSync(DATADIR_JS)) return Promise.reject(new Error('Our server is not built (dist/server/datadir-main.js is missing): run `npm run build`, then try again.'));
  return new Promise<T>((resolvePromise, reject) => {
    const child = spawn(NODE, [DATADIR_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let err = '';
    let result: { ok: true; value: T } | { ok: false; error: string } | null = null;
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString('utf8');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const text = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let msg: { progress?: OpenProgress; result?: T; error?: string };
        try {
          msg = JSON.parse(text) as typeof msg;
        } catch {
          continue;
        }
        if (msg.progress) progress(msg.progress);
        else if (msg.error !== undefined) result = { ok: false, error: msg.error };
        else if ('result' in msg) result = { ok: true, value: msg.result as T };
      }
    });
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString('utf8')).slice(-2000)));
    child.once('error', (e) => reject(new Error(`The dataDir reader could not start (${e.message}); is node on the PATH?`)));
    child.once('close', (code, signal) => {
      if (result?.ok) resolvePromise(result.value);
      else if (result) reject(new Error(result.error));
      else reject(new Error(`The dataDir reader ended (${signal ?? `exit ${code}`}) without an answer${err ? `: ${err.trim().split('\n').pop()}` : ''}.`));
    });
  });
}

/** Bytes per read while copying; a run of zeros this long is left a hole. */
const CHUNK = 1 << 20;
const ZEROS = Buffer.alloc(CHUNK);

/**
 * Copies one file byte for byte, reporting bytes as they go, leaving zero chunks as holes:
 * ZooKeeper preallocates each txn log to 64 MB of zeros (preAllocSize), so a dozen logs would
 * otherwise take most of a gigabyte per member for nothing. The copy reads back the same bytes.
 */
async function copySparse(from: string, to: string, onBytes: (n: number) => void, upTo?: number): Promise<void> {
  const src = await open(from, 'r');
  const dst = await open(to, 'w', 0o600);
  try {
    const size = Math.min(upTo ?? Infinity, (await src.stat()).size);
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; pos < size; ) {
      const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, size - pos), pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (!chunk.equals(ZEROS.subarray(0, bytesRead))) await dst.write(chunk, 0, bytesRead, pos);
      pos += bytesRead;
      onBytes(bytesRead);
    }
    await dst.truncate(size);
    await dst.sync();
  } finally {
    await src.close();
    await dst.close();
  }
}

/**
 * Where a txn log's records end: at the first record of length 0, where ZooKeeper's reader stops
 * (FileTxnIterator: the rest is the zero padding it preallocates, 64 MB a file by default).
 * Only the framing is followed (8-byte checksum, 4-byte length, the entry, 0x42); what does not
 * frame (a bad length, a cut record) ends the walk at the file's end, so the copy keeps it whole
 * and the server's checker says what is wrong with it.
 */
function logEnd(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(12);
    for (let pos = 16; ; ) {
      if (pos + 12 > size || readSync(fd, head, 0, 12, pos) < 12) return size;
      const len = head.readInt32BE(8);
      if (len === 0 && head.readBigUInt64BE(0) === 0n) return pos;
      if (len < 0 || pos + 12 + len + 1 > size) return size;
      pos += 12 + len + 1;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Copies the ZooKeeper files of `version2` into a new staging folder under `labsRoot` and checks
 * the copy. Resolves with the staging folder and what it holds; on any problem removes the
 * staging folder and rejects with a sentence (nothing is left behind).
 */
export async function stageDataDir(version2: string, labsRoot: string, progress: (p: OpenProgress) => void): Promise<{ staging: string; summary: DataDirSummary }> {
  const names = readdirSync(version2).filter((n) => ZK_FILE.test(n)).sort();
  // Logs up to their last record (their zero padding left out): what a reader of them sees.
  const sizes = names.map((n) => (n.startsWith('log.') ? logEnd(join(version2, n)) : statSync(join(version2, n)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  makeLabDirs(labsRoot);
  const staging = join(labsRoot, `.opening-${process.pid}-${Date.now()}`);
  try {
    makeLabDirs(staging);
    let done = 0;
    let lastPush = 0;
    for (const [i, n] of names.entries()) {
      await copySparse(join(version2, n), join(staging, n), (b) => {
        done += b;
        if (Date.now() - lastPush >= 100) {
          lastPush = Date.now();
          progress(opening(said('progressCopying', { path: version2, done, total }), done, total, 0));
        }
      }, sizes[i]);
    }
    progress(opening(said('progressCopied', { files: names.length, total }), 0, total, 0));
    const summary = await runDataDirTool<DataDirSummary>(['check', staging], (p) => progress(opening(readingSaid(p), p.bytesDone, p.bytesTotal, p.znodes)));
    return { staging, summary };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Moves the checked copy into the first member's version-2 and copies it to the others'. */
export async function placeDataDir(staging: string, summary: DataDirSummary, memberDirs: string[], progress: (p: OpenProgress) => void): Promise<void> {
  const names = summary.files.map((f) => f.name);
  const total = summary.bytes * memberDirs.length;
  let done = summary.bytes;
  let lastPush = 0;
  const [first, ...rest] = memberDirs;
  for (const d of memberDirs) makeLabDirs(d);
  for (const n of names) renameSync(join(staging, n), join(first!, n));
  for (const d of rest) {
    for (const n of names) {
      await copySparse(join(first!, n), join(d, n), (b) => {
        done += b;
        if (Date.now() - lastPush >= 100) {
          lastPush = Date.now();
          progress(opening(said('progressPlacing', { done, total }), done, total, summary.znodes));
        }
      });
    }
  }
  rmSync(staging, { recursive: true, force: true });
}

/**
 * Copies a dataDir into a new lab of `nodes` members of ours (every member gets the copy):
 * checked and staged first, then the lab folder made and the copy placed. A dataDir holding a
 * committed reconfig opens with one member only. Nothing is left behind when it fails before the
 * lab folder exists (the caller takes a made lab away if a later step fails).
 */
export async function copyIntoNewLab(name: string, path: string, version2: string, nodes: number, readOnly: boolean, progress: (p: OpenProgress) => void): Promise<{ lab: LabSpec; summary: DataDirSummary }> {
  const { staging, summary } = await stageDataDir(version2, labsRoot(), progress);
  try {
    if (summary.dynamicConfig !== null && nodes > 1) {
      throw new Error(
        `${version2} holds a committed dynamic configuration (a reconfig: ${summary.dynamicConfig.trim().split('\n').join('; ')}); members of an ensemble adopt it over their zoo.cfg and would reach for those servers, so open it with one member.`,
      );
    }
    const lab = await createLab(name, nodes, 0, 'ours', false, { path: resolve(path), readOnly, lastZxid: summary.lastZxid, znodes: summary.znodes });
    await placeDataDir(staging, summary, lab.nodes.map((n) => join(nodeDir(lab, n.myid), 'data', 'version-2')), progress);
    return { lab, summary };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

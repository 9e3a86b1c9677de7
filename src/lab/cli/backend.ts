// Finding the lab's backend for a folder, starting one in the background, and stopping it.
// The backend is `node dist/web/main.js` with ZK_LAB_DIR = the folder's parent and ZK_LAB_NAME =
// its name; while it runs it holds <parent>/<name>.lock ({pid, url}; src/lab/instance.ts), which
// is how zk-lab (and a second app) finds it. The app's own backend is found the same way.
import { pidAlive } from '../procinfo';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runningInstance } from '../instance';
import { makeLabDirs } from '../dirs';

/** The backend's program in this checkout. */
export const BACKEND_JS = resolve(__dirname, '..', '..', 'web', 'main.js');
const ROOT = resolve(__dirname, '..', '..', '..');

export interface LabTarget {
  dir: string;
  name: string;
  root: string;
}

export interface BackendInfo {
  pid: number;
  url: string;
  /** Whether this zk-lab started it just now. */
  started: boolean;
}

export class NoBackend extends Error {}

export const backendLog = (t: LabTarget): string => join(t.dir, 'backend.log');
export const lockPath = (t: LabTarget): string => join(t.root, `${t.name}.lock`);
/** Whether the folder holds a lab (launched before, running or not). */
export const labExists = (t: LabTarget): boolean => existsSync(join(t.dir, 'lab.json'));

/**
 * Whether a process with this pid runs. A backend this process started and that ended is reaped by
 * Node at once (it holds the child's handle), so a zombie is never taken for a live backend.
 */
export function alive(pid: number): boolean {
  return pidAlive(pid);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves true once `probe` holds, false after `ms`. */
export async function waitUntil(probe: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let delay = 20;
  for (;;) {
    if (probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(delay);
    delay = Math.min(delay * 2, 200);
  }
}

/** The lock of the backend running for the folder (ours or the app's), read the way the backend reads it. */
function lockRecord(t: LabTarget): { pid: number; url: string | null } | null {
  // runningInstance() reads ZK_LAB_DIR for the labs root; this process speaks for one lab only.
  process.env.ZK_LAB_DIR = t.root;
  return runningInstance(t.name);
}

/**
 * The backend running for the folder, or null. One that is still starting (no address in its
 * lock yet) is waited for.
 */
export async function findBackend(t: LabTarget): Promise<BackendInfo | null> {
  let rec = lockRecord(t);
  if (rec && rec.url === null) {
    await waitUntil(() => {
      rec = lockRecord(t);
      return rec === null || rec.url !== null;
    }, 30_000);
  }
  if (!rec) return null;
  if (rec.url === null) throw new Error(`The lab backend for ${t.dir} (pid ${rec.pid}) has not said where it listens after 30 s: read ${backendLog(t)}, or stop it (kill ${rec.pid}).`);
  return { pid: rec.pid, url: rec.url, started: false };
}

/** The last line of the backend's log that says why it could not start, if any. */
function startFailure(t: LabTarget, from: number): string | null {
  try {
    const text = readFileSync(backendLog(t), 'utf8').slice(from);
    const m = /ZooKeeper Lab (?:could not start|crashed): ([^\n]+)/.exec(text);
    return m ? m[1]!.trim() : null;
  } catch {
    return null;
  }
}

/**
 * Starts the backend for the folder, detached (it outlives this command), its stdout and stderr
 * appended to <dir>/backend.log, and resolves once its lock carries its address. If another
 * backend won the race for the folder, that one is used.
 */
export async function startBackend(t: LabTarget, say: (line: string) => void): Promise<BackendInfo> {
  if (!existsSync(BACKEND_JS)) throw new Error(`The lab backend is not built (${BACKEND_JS} is missing): run npm run build in ${ROOT}.`);
  makeLabDirs(t.dir);
  const log = backendLog(t);
  const logFd = openSync(log, 'a', 0o600);
  const from = (() => {
    try {
      return readFileSync(log).length;
    } catch {
      return 0;
    }
  })();
  say(`starting the lab backend for ${t.dir} (its log: ${log})`);
  const child = spawn(process.execPath, [BACKEND_JS], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, ZK_LAB_DIR: t.root, ZK_LAB_NAME: t.name },
  });
  closeSync(logFd);
  // Set from the child's events (an object, so that the checks below see them change).
  const st: { exited: string | null; spawnError: string | null; info: BackendInfo | null } = { exited: null, spawnError: null, info: null };
  child.once('error', (e) => (st.spawnError = e.message));
  child.once('exit', (code, signal) => (st.exited = signal ?? `status ${code}`));
  const ready = await waitUntil(() => {
    const rec = lockRecord(t);
    if (rec && rec.url !== null && (rec.pid === child.pid || st.exited !== null)) {
      st.info = { pid: rec.pid, url: rec.url, started: rec.pid === child.pid };
      return true;
    }
    return (st.exited !== null && rec === null) || st.spawnError !== null;
  }, 30_000);
  child.unref();
  if (ready && st.info) return st.info;
  if (st.spawnError) throw new Error(`Could not run the lab backend with ${process.execPath}: ${st.spawnError}.`);
  if (st.exited !== null) {
    const why = startFailure(t, from);
    throw new Error(`The lab backend exited (${st.exited}) before it was ready${why ? `: ${why.replace(/[.]$/, '')}` : ''}; read ${log}.`);
  }
  if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  throw new Error(`The lab backend did not get ready within 30 s and was stopped; read ${log}.`);
}

/** The running backend for the folder, started if none runs. */
export async function ensureBackend(t: LabTarget, say: (line: string) => void): Promise<BackendInfo> {
  return (await findBackend(t)) ?? (await startBackend(t, say));
}

/** Waits for the backend to exit; after `graceMs` sends it SIGTERM (it stops its members on it), then waits again. */
export async function awaitBackendExit(pid: number, graceMs: number): Promise<boolean> {
  if (await waitUntil(() => !alive(pid), graceMs)) return true;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return true;
  }
  return waitUntil(() => !alive(pid), 20_000);
}

/**
 * After the lab was destroyed: removes what zk-lab itself left in the folder (backend.log) and
 * the folder when that leaves it empty. A folder holding a lab is never touched.
 */
export function removeLeftovers(t: LabTarget): void {
  if (labExists(t) || !existsSync(t.dir)) return;
  rmSync(backendLog(t), { force: true });
  try {
    if (readdirSync(t.dir).length === 0) rmdirSync(t.dir);
  } catch {
    // not ours to remove
  }
}

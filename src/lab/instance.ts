// One backend per lab folder. Two would each take the other's nodes for orphans of a crashed
// run; so the backend holds <labs root>/<name>.lock (its pid and address) while it runs, and a
// second one is told where the first one is instead. A lock whose pid is dead, or now some other
// program's (its command line is not a lab backend's), is stale and taken over. (proper-lockfile
// was considered: its lock is a folder whose mtime must be refreshed, it records no pid, and
// zk-lab reads this file for the backend's address.)
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { labsRoot } from './labdir';
import { commandLineOf } from './procinfo';
import { makeLabDirs } from './dirs';

interface LockRecord {
  pid: number;
  url: string | null;
}

/** The backend of lab `name` that is running now, if there is one (not this process). */
export function runningInstance(name: string): LockRecord | null {
  const file = lockFile(name);
  if (!existsSync(file)) return null;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
    if (!Number.isInteger(rec.pid) || rec.pid === process.pid) return null;
    // A pid of a dead process, or one reused by some other program, holds nothing.
    const cmd = commandLineOf(rec.pid);
    return cmd !== null && cmd.includes(join('web', 'main.js')) ? rec : null;
  } catch {
    return null;
  }
}

/** This process's hold on its lab: say where it serves once it knows, let go when it ends. */
export interface InstanceLock {
  setUrl(url: string): void;
  release(): void;
}

/**
 * Takes the lock of lab `name` for this process (before anything touches the lab's nodes).
 * Throws a sentence when another backend holds it. The file is readable by its owner only:
 * the address in it carries the token.
 */
export function acquireInstance(name: string): InstanceLock {
  const other = runningInstance(name);
  if (other) {
    throw new Error(`ZooKeeper Lab is already running for lab "${name}" (pid ${other.pid})${other.url ? `: open ${other.url}` : '; use that one, or stop it first'}`);
  }
  const file = lockFile(name);
  try {
    makeLabDirs(labsRoot());
  } catch (e) {
    throw new Error(`the labs folder ${labsRoot()} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set ZK_LAB_DIR to a folder you can write.`);
  }
  rmSync(file, { force: true });
  let fd: number;
  try {
    // 'wx': if two start at the same moment, one of them loses here.
    fd = openSync(file, 'wx', 0o600);
  } catch {
    throw new Error(`ZooKeeper Lab is starting twice for lab "${name}"; close the other one, or remove ${file} if none runs.`);
  }
  writeSync(fd, JSON.stringify({ pid: process.pid, url: null } satisfies LockRecord));
  closeSync(fd);
  const mine = (): boolean => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as LockRecord).pid === process.pid;
    } catch {
      return false;
    }
  };
  return {
    setUrl(url) {
      if (mine()) writeFileSync(file, JSON.stringify({ pid: process.pid, url } satisfies LockRecord), { mode: 0o600 });
    },
    release() {
      if (mine()) rmSync(file, { force: true });
    },
  };
}

function lockFile(name: string): string {
  return join(labsRoot(), `${name}.lock`);
}

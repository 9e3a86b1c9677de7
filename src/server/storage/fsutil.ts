// Small file-system helpers with the durability steps spelled out: fsync a directory after
// creating or renaming in it, atomic replace (tmp + fsync + rename), directory sizes.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * mkdir -p that always ends. Node's own `mkdirSync(dir, { recursive: true })` (20.x) loops
 * forever at full CPU when mkdir answers ENOENT for a directory whose parent exists, as under
 * /proc: this one creates each missing level once and throws the first error.
 */
export function makeDirsSync(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); ; ) {
    try {
      if (statSync(p).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), { code: 'ENOTDIR' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    missing.push(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Makes a directory's entries (a created or renamed file) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** fsyncDir, blocking. */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync of a file by path (after truncating it). */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** AtomicFileWritingIdiom: write `<path>.tmp`, fsync it, rename over `path`, fsync the directory. */
export function writeFileAtomicSync(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDirSync(dirname(path));
}

/** Bytes used by the files in `dir` and below (ZooKeeperServer.getDirSize); 0 if it is missing. */
export function dirSize(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = join(dir, name);
    try {
      const st = statSync(p);
      total += st.isDirectory() ? dirSize(p) : st.size;
    } catch {
      // removed while we looked (purge, rename): it no longer counts
    }
  }
  return total;
}

/** A sentence for an I/O error: the code and what it means, e.g. "ENOSPC (no space left on device)". */
export function describeIoError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    const m = /^[A-Z0-9]+: (.*?)(,|$)/.exec(err.message ?? '');
    return m ? `${err.code} (${m[1]})` : err.code;
  }
  return err instanceof Error ? err.message : String(e);
}

// The member's disk: every file operation its storage makes (src/server/storage), as one
// parameter, the way TigerBeetle's replica takes its I/O. The real one is node:fs; the lab's
// disk faults wrap it (disk-faults.ts) and tests wrap it to fail where they choose. Nothing in
// the storage opens, reads or syncs a file but through a Disk.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, truncateSync, unlinkSync, fstatSync, writeSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A file open for writing (the txn log, a snapshot being written). */
export interface DiskFile {
  write(bytes: Buffer, position: number): Promise<void>;
  datasync(): Promise<void>;
  /** Sets the file length (preallocation extends it with zeros). */
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface Disk {
  /**
   * A new, empty file for writing (one of that name is replaced). `inline` copies each write
   * into the page cache on the caller's thread (the txn log: small batches, where a thread-pool
   * round trip delayed every acknowledged write); `pool` writes on the thread pool (a snapshot:
   * big chunks that must not stall the event loop).
   */
  create(path: string, copy?: 'inline' | 'pool'): Promise<DiskFile>;
  /** The file's bytes from `start` up to `end` (default: all of it); fewer if it is shorter. */
  read(path: string, start?: number, end?: number): Buffer;
  readAsync(path: string): Promise<Buffer>;
  /** The names in a directory (throws ENOENT when it is missing). */
  list(dir: string): string[];
  stat(path: string): { size: number; mtimeMs: number; dir: boolean };
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): void;
  /** Cuts a file to `length` and makes the cut durable. */
  truncate(path: string, length: number): void;
  /** Makes a directory's entries (a created, renamed or removed file) durable. */
  syncDir(dir: string): Promise<void>;
  syncDirSync(dir: string): void;
  /** mkdir -p that always ends (see makeDirsSync). */
  makeDirs(dir: string): void;
  /** AtomicFileWritingIdiom: `<path>.tmp`, fsync, rename over `path`, fsync the directory. */
  writeAtomic(path: string, text: string): void;
}

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

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The real disk, through node:fs. */
export const nodeDisk: Disk = {
  async create(path, copy = 'inline') {
    const h = await open(path, 'w');
    return {
      async write(bytes, position) {
        let done = 0;
        if (copy === 'inline') while (done < bytes.length) done += writeSync(h.fd, bytes, done, bytes.length - done, position + done);
        else while (done < bytes.length) done += (await h.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
      },
      datasync: () => h.datasync(),
      truncate: (length) => h.truncate(length),
      close: () => h.close(),
    };
  },
  read(path, start = 0, end) {
    if (start === 0 && end === undefined) return readFileSync(path);
    const fd = openSync(path, 'r');
    try {
      const stop = Math.min(end ?? Infinity, fstatSync(fd).size);
      const buf = Buffer.allocUnsafe(Math.max(0, stop - start));
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  },
  readAsync: (path) => readFile(path),
  list: (dir) => readdirSync(dir),
  stat(path) {
    const st = statSync(path);
    return { size: st.size, mtimeMs: st.mtimeMs, dir: st.isDirectory() };
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlinkSync(path),
  truncate(path, length) {
    truncateSync(path, length);
    fsyncPath(path, 'r+');
  },
  async syncDir(dir) {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  },
  syncDirSync: (dir) => fsyncPath(dir, 'r'),
  makeDirs: makeDirsSync,
  writeAtomic(path, text) {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    fsyncPath(dirname(path), 'r');
  },
};

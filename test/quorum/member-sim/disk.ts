// The simulated disk: every member's files in memory, with the page cache and the platter told
// apart. A write lands in the file at once (reads see it); only `datasync` makes a file's bytes
// durable, and only after the fsync's latency (an fsync stall is a long one). A crash keeps what
// was durable, and with a torn tail also a random prefix of the unsynced bytes after it. A
// full disk fails writes with ENOSPC. File creation, rename, truncate and atomic replaces are
// durable when they return (a journalling file system's metadata, simplified).
// Each incarnation of a member gets its own handle; a crashed incarnation's handle goes dead:
// its I/O never completes, so the killed member's code stops there.
import { basename, dirname, normalize } from 'node:path';
import type { Disk, DiskFile } from '../../../src/server/runtime/disk';
import type { World } from './world';

interface SimFile {
  data: Buffer;
  durable: Buffer;
}

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, '${path}'`), { code: 'ENOENT' });
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

export class SimDisk {
  private readonly files = new Map<string, SimFile>();
  private readonly dirs = new Set<string>(['/']);
  private gen = 0;
  /** ENOSPC on every write while set. */
  full = false;
  /** Extra fsync latency while set (an fsync stall). */
  stallMs = 0;
  fsyncs = 0;
  torn = 0;

  constructor(private readonly world: World) {}

  /** Loses everything not durable; with `tear`, keeps a random prefix of each unsynced tail. */
  crash(tear: boolean): void {
    this.gen++;
    for (const f of this.files.values()) {
      let keep = f.durable;
      if (tear && f.data.length > f.durable.length && f.data.subarray(0, f.durable.length).equals(f.durable)) {
        const extra = this.world.rng.int(0, f.data.length - f.durable.length);
        if (extra > 0) this.torn++;
        keep = Buffer.from(f.data.subarray(0, f.durable.length + extra));
      }
      f.data = Buffer.from(keep);
      f.durable = Buffer.from(keep);
    }
  }

  handle(): Disk {
    const gen = this.gen;
    const live = (): boolean => gen === this.gen;
    const files = this.files;
    const world = this.world;
    const file = (path: string): SimFile => {
      const f = files.get(normalize(path));
      if (!f) throw enoent(path);
      return f;
    };
    const sync = (f: SimFile): Promise<void> => {
      if (!live()) return never();
      this.fsyncs++;
      const snapshot = Buffer.from(f.data);
      return new Promise((resolve) => {
        world.sched.after(world.rng.int(1, 8) + this.stallMs, () => {
          if (!live()) return;
          f.durable = snapshot;
          resolve();
        });
      });
    };
    const disk: Disk = {
      create: (path) => {
        if (!live()) return never();
        const p = normalize(path);
        if (!this.dirs.has(dirname(p))) return Promise.reject(enoent(path));
        const f: SimFile = { data: Buffer.alloc(0), durable: Buffer.alloc(0) };
        files.set(p, f);
        const handle: DiskFile = {
          write: (bytes, position) => {
            if (!live()) return never();
            if (this.full) return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
            const end = position + bytes.length;
            if (end > f.data.length) {
              const grown = Buffer.alloc(end);
              f.data.copy(grown);
              f.data = grown;
            }
            Buffer.from(bytes).copy(f.data, position);
            return Promise.resolve();
          },
          datasync: () => sync(f),
          truncate: (length) => {
            if (!live()) return never();
            const next = Buffer.alloc(length);
            f.data.copy(next, 0, 0, Math.min(length, f.data.length));
            f.data = next;
            return Promise.resolve();
          },
          close: () => (live() ? Promise.resolve() : never()),
        };
        return Promise.resolve(handle);
      },
      read: (path, start = 0, end) => {
        const f = file(path);
        return Buffer.from(f.data.subarray(start, Math.min(end ?? f.data.length, f.data.length)));
      },
      readAsync: (path) => {
        try {
          return Promise.resolve(Buffer.from(file(path).data));
        } catch (e) {
          return Promise.reject(e as Error);
        }
      },
      list: (dir) => {
        const d = normalize(dir);
        if (!this.dirs.has(d)) throw enoent(dir);
        const names = new Set<string>();
        for (const p of [...files.keys(), ...this.dirs]) if (p !== d && dirname(p) === d) names.add(basename(p));
        return [...names].sort();
      },
      stat: (path) => {
        const p = normalize(path);
        if (this.dirs.has(p)) return { size: 0, mtimeMs: world.now, dir: true };
        return { size: file(p).data.length, mtimeMs: world.now, dir: false };
      },
      rename: (from, to) => {
        if (!live()) return never();
        const f = file(from);
        files.delete(normalize(from));
        files.set(normalize(to), f);
        return Promise.resolve();
      },
      unlink: (path) => {
        if (!live()) return;
        file(path);
        files.delete(normalize(path));
      },
      truncate: (path, length) => {
        if (!live()) return;
        const f = file(path);
        const next = Buffer.alloc(length);
        f.data.copy(next, 0, 0, Math.min(length, f.data.length));
        f.data = next;
        f.durable = Buffer.from(next);
      },
      syncDir: () => (live() ? Promise.resolve() : never()),
      syncDirSync: () => {},
      makeDirs: (dir) => {
        if (!live()) return;
        for (let p = normalize(dir); !this.dirs.has(p); p = dirname(p)) this.dirs.add(p);
      },
      writeAtomic: (path, text) => {
        if (!live()) return;
        const b = Buffer.from(text, 'utf8');
        files.set(normalize(path), { data: b, durable: Buffer.from(b) });
      },
    };
    return disk;
  }
}

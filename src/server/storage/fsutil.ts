// Small helpers over the member's disk: directory sizes as ZooKeeper reports them, and I/O
// errors in a sentence.
import { join } from 'node:path';
import type { Disk } from '../runtime/disk';

/** Bytes used by the files in `dir` and below (ZooKeeperServer.getDirSize); 0 if it is missing. */
export function dirSize(disk: Disk, dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = disk.list(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = join(dir, name);
    try {
      const st = disk.stat(p);
      total += st.dir ? dirSize(disk, p) : st.size;
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

// Folders of the lab: created for their owner only (they hold the token's lock, the members'
// data and logs), and with a mkdir -p that always ends.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * mkdir -p with mode 0700 for every level it creates (existing ones keep theirs). Node's own
 * `mkdirSync(dir, { recursive: true })` (20.x) loops forever at full CPU when mkdir answers
 * ENOENT for a folder whose parent exists, as under /proc: this one creates each missing level
 * once and throws the first error.
 */
export function makeLabDirs(dir: string): void {
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
      mkdirSync(d, { mode: 0o700 });
      // The umask may have taken bits away; never added any, but say it plainly.
      chmodSync(d, 0o700);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

// How much of the disk a lab takes, by what: each member's data (snapshots and txn logs) and
// logs (server.log and its rolled copies), the history database, and the rest of the folder.
// Bytes are what the files occupy (allocated blocks where the system says, so a txn log's
// preallocated but unwritten tail counts only where it is really on disk), from one walk.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface DiskUse {
  total: number;
  members: { myid: number; data: number; logs: number }[];
  history: number;
  other: number;
}

/** Bytes under `path` (a file or a folder, symbolic links not followed); 0 where it is gone. */
export function bytesUnder(path: string): number {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 0; // removed while we walked: the lab rolls and purges as it runs
  }
  if (st.isDirectory()) {
    let sum = 0;
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      return 0;
    }
    for (const n of names) sum += bytesUnder(join(path, n));
    return sum;
  }
  if (!st.isFile()) return 0;
  // st.blocks is POSIX's (512-byte units); Windows has none, and its size is the answer there.
  return typeof st.blocks === 'number' && st.blocks >= 0 && process.platform !== 'win32' ? st.blocks * 512 : st.size;
}

/** The lab folder `dir`, whose members' folders are `node<myid>`. */
export function labDiskUse(dir: string, myids: number[]): DiskUse {
  const total = bytesUnder(dir);
  const members = myids.map((myid) => {
    const nodeDir = join(dir, `node${myid}`);
    let names: string[] = [];
    try {
      names = readdirSync(nodeDir);
    } catch {
      /* a member folder not made yet */
    }
    const logs = names.filter((n) => /^server\.log(\.\d+)?$/.test(n)).reduce((s, n) => s + bytesUnder(join(nodeDir, n)), 0);
    return { myid, data: bytesUnder(nodeDir) - logs, logs };
  });
  let history = 0;
  try {
    for (const n of readdirSync(dir)) if (n.startsWith('history.sqlite')) history += bytesUnder(join(dir, n));
  } catch {
    /* no folder: nothing */
  }
  const counted = history + members.reduce((s, m) => s + m.data + m.logs, 0);
  return { total, members, history, other: Math.max(0, total - counted) };
}

// The lab's disk faults on this member (AdminServer `lab_disk`): every fdatasync of the txn log
// takes `stallMs` longer, or the disk is full and every write of the log or of a snapshot fails
// with ENOSPC, as a real full disk would. The log writer then refuses everything after the
// failure and the member leaves its role (logwriter.ts, peer.ts): nothing it acknowledged is lost,
// and a restart once there is space again recovers it. Off unless the lab turns it on.

export interface DiskFaults {
  stallMs: number;
  full: boolean;
}

export const diskFaults: DiskFaults = { stallMs: 0, full: false };

/** Throws what a full disk throws, when the fault is on. */
export function checkDiskSpace(path: string): void {
  if (!diskFaults.full) return;
  const e = new Error(`ENOSPC: no space left on device (the lab's disk-full fault), write '${path}'`) as NodeJS.ErrnoException;
  e.code = 'ENOSPC';
  e.errno = -28;
  e.syscall = 'write';
  throw e;
}

/** Waits out the fsync stall, when the fault is on. */
export async function fsyncStall(): Promise<void> {
  if (diskFaults.stallMs > 0) await new Promise((r) => setTimeout(r, diskFaults.stallMs));
}

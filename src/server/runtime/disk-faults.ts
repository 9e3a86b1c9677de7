// The lab's disk faults on this member (AdminServer `lab_disk`): every fdatasync takes `stallMs`
// longer, or the disk is full and every write of the log or of a snapshot fails with ENOSPC, as
// a real full disk would. The log writer then refuses everything after the failure and the
// member leaves its role (logwriter.ts, peer.ts): nothing it acknowledged is lost, and a restart
// once there is space again recovers it. Off unless the lab turns it on. They wrap the member's
// Disk, so the storage meets them where it meets a real disk's failures.
import type { Disk, DiskFile } from './disk';

export class DiskFaults {
  stallMs = 0;
  full = false;

  /** `disk` with these faults in force (read at each operation: the lab turns them on and off). */
  wrap(disk: Disk): Disk {
    const full = (path: string): void => {
      if (!this.full) return;
      const e = new Error(`ENOSPC: no space left on device (the lab's disk-full fault), write '${path}'`) as NodeJS.ErrnoException;
      e.code = 'ENOSPC';
      e.errno = -28;
      e.syscall = 'write';
      throw e;
    };
    const stall = async (): Promise<void> => {
      if (this.stallMs > 0) await new Promise((r) => setTimeout(r, this.stallMs));
    };
    return {
      ...disk,
      async create(path, copy) {
        const f: DiskFile = await disk.create(path, copy);
        return {
          write: async (bytes, position) => {
            full(path);
            await f.write(bytes, position);
          },
          datasync: async () => {
            await stall();
            await f.datasync();
          },
          truncate: async (length) => {
            full(path);
            await f.truncate(length);
          },
          close: () => f.close(),
        };
      },
    };
  }
}

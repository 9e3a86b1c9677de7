// acceptedEpoch / currentEpoch in dataDir/version-2 (QuorumPeer.readLongFromFile /
// writeLongToFile): the epoch as plain decimal text, replaced atomically.
import { join } from 'node:path';
import type { Disk } from '../runtime/disk';

export type EpochName = 'acceptedEpoch' | 'currentEpoch';

/** The epoch in `dir/<name>`, or null when the file does not exist. */
export function readEpochFile(disk: Disk, dir: string, name: EpochName): number | null {
  const path = join(dir, name);
  let text: string;
  try {
    text = disk.read(path).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path} cannot be read: ${(e as Error).message}`);
  }
  const line = text.split(/\r?\n/)[0]!.trim();
  if (!/^-?\d+$/.test(line) || !Number.isSafeInteger(Number(line))) {
    throw new Error(`${path} holds ${JSON.stringify(text.slice(0, 40))}, not an epoch number; restore it or remove the dataDir's version-2 to start this member empty`);
  }
  return Number(line);
}

/** Writes `dir/<name>` atomically (tmp, fsync, rename, fsync of the directory). */
export function writeEpochFile(disk: Disk, dir: string, name: EpochName, epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`${name} must be a non-negative integer, not ${epoch}`);
  disk.writeAtomic(join(dir, name), String(epoch));
}

// Snapshot files (persistence/FileSnap.java, SnapStream.java), the default CHECKED stream:
//   FileHeader { int magic "ZKSN", int version 2, long dbid -1 }
//   tree image (treeimage.ts)
//   long adler32 of every byte so far; ustring "/"                  the first seal
//   ZxidDigest { long zxid, int digestVersion, long digest }        ZooKeeper 3.6+ with digests on
//   long adler32 of every byte so far; ustring "/"                  the second seal
// We write the digest section as 3.8 does when it has no tree digest to give (zxid 0, version 2):
// 3.8 then skips the digest comparison. Readers accept files without it (pre-3.6) and .gz files.
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Reader, Writer } from '../../protocol/jute';
import { FileHeader } from '../../protocol/records';
import { adler32, RunningAdler32 } from './adler32';
import type { Disk } from '../runtime/disk';
import { describeIoError } from './fsutil';
import { SNAPSHOT_PREFIX, SNAPSHOT_TMP_PREFIX, snapshotName, zxidFromName, zxidHex } from './names';
import { imageChunks, ImageError, parseImage, type ParsedImage, type TreeImage } from './treeimage';

export const SNAP_MAGIC = 0x5a4b534e; // "ZKSN"
export const SNAP_VERSION = 2;
export const DIGEST_VERSION = 2;

/** The digest a snapshot carries: the tree digest at `zxid` (zxid 0: none). */
export interface ZxidDigest {
  zxid: bigint;
  digestVersion: number;
  digest: bigint;
}

/** Thrown when a snapshot file cannot be used; the message names the file and the reason. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

function seal(w: Writer, sum: number): void {
  w.long(BigInt(sum));
  w.ustring('/');
}

/**
 * Writes `image` as snapshot.<zxid> in `dir`: to a temporary name first, fsynced, then renamed,
 * so a crash never leaves a partial snapshot under a real name. Chunks are written one at a
 * time, so the event loop keeps running while a big tree goes out.
 */
export async function writeSnapshotFile(disk: Disk, dir: string, image: TreeImage): Promise<{ name: string; path: string; bytes: number }> {
  const name = snapshotName(image.zxid);
  const tmp = join(dir, SNAPSHOT_TMP_PREFIX + zxidHex(image.zxid));
  const path = join(dir, name);
  const sum = new RunningAdler32();
  let position = 0;
  const h = await disk.create(tmp, 'pool');
  try {
    const put = async (b: Buffer) => {
      sum.update(b);
      await h.write(b, position);
      position += b.length;
    };
    await put(FileHeader.encode({ magic: SNAP_MAGIC, version: SNAP_VERSION, dbid: -1n }));
    for (const chunk of imageChunks(image)) await put(chunk);
    const tail = new Writer(64);
    seal(tail, sum.get());
    const digestAt = tail.pos;
    tail.long(0n);
    tail.int(DIGEST_VERSION);
    tail.long(0n);
    seal(tail, adler32(tail.buf.subarray(0, digestAt + 20), sum.get()));
    await put(Buffer.from(tail.bytes()));
    await h.datasync();
  } catch (e) {
    await h.close().catch(() => {});
    try {
      disk.unlink(tmp);
    } catch {
      // never created, or gone already
    }
    throw new Error(`Writing snapshot ${name} in ${dir} failed with ${describeIoError(e)}`);
  }
  await h.close();
  await disk.rename(tmp, path);
  await disk.syncDir(dir);
  return { name, path, bytes: position };
}

export interface LoadedSnapshot {
  zxid: bigint;
  image: ParsedImage;
  digest: ZxidDigest | null;
}

/** SnapStream.isValidCheckedStream: at least 10 bytes, ending in int 1 and "/". */
export function looksComplete(buf: Buffer): boolean {
  if (buf.length < 10) return false;
  return buf.readInt32BE(buf.length - 5) === 1 && buf[buf.length - 1] === 0x2f;
}

/**
 * Reads the seal at `pos`: its checksum must match every byte before it. `sum` is the Adler-32
 * of the bytes before `from` and moves on to `pos`, so each byte is summed once (a 1 M-znode
 * snapshot is ~190 MB). Returns the offset after the seal.
 */
function checkSeal(buf: Buffer, pos: number, what: string, sum: { from: number; value: number }): number {
  const r = new Reader(buf, pos);
  const stored = r.long();
  r.ustring();
  sum.value = adler32(buf.subarray(sum.from, pos), sum.value);
  sum.from = pos;
  const actual = BigInt(sum.value);
  if (stored !== actual) throw new ImageError(`the ${what} checksum does not match (stored ${stored}, computed ${actual})`);
  return r.pos;
}

/** Reads and checks one snapshot file completely; throws SnapshotError with the reason. */
export async function readSnapshotFile(disk: Disk, path: string, name: string): Promise<LoadedSnapshot> {
  const zxid = zxidFromName(name, SNAPSHOT_PREFIX);
  let buf: Buffer;
  try {
    buf = await disk.readAsync(path);
  } catch (e) {
    throw new SnapshotError(`${name} cannot be read: ${describeIoError(e)}`);
  }
  const mode = name.split('.').pop()!.toLowerCase();
  if (mode === 'snappy') {
    throw new SnapshotError(`${name} is snappy-compressed, which this server cannot read (it reads plain and .gz snapshots)`);
  }
  if (mode === 'gz') {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new SnapshotError(`${name} is not a readable gzip stream (${(e as Error).message})`);
    }
  } else if (!looksComplete(buf)) {
    throw new SnapshotError(`${name} is incomplete: it does not end with the "/" seal (${buf.length} bytes)`);
  }
  try {
    const header = FileHeader.read(new Reader(buf, 0, Math.min(buf.length, 16)));
    if (header.magic !== SNAP_MAGIC) {
      throw new ImageError(`its magic number is 0x${(header.magic >>> 0).toString(16)}, not ZKSN (0x5a4b534e)`);
    }
    const { image, end } = parseImage(buf, 16);
    const sum = { from: 0, value: 1 };
    let pos = checkSeal(buf, end, 'first', sum);
    let digest: ZxidDigest | null = null;
    // ZxidDigest, when the writer had digests on: a short remainder is an older snapshot.
    if (buf.length - pos >= 12) {
      const r = new Reader(buf, pos);
      const dzxid = r.long();
      const digestVersion = r.int();
      let value = 0n;
      let ok = true;
      if (digestVersion < 2) {
        const s = buf.length - r.pos >= 4 ? r.ustring() : (ok = false, null);
        if (s) value = BigInt.asIntN(64, BigInt('0x' + s));
      } else if (buf.length - r.pos >= 8) {
        value = r.long();
      } else {
        ok = false;
      }
      if (ok) {
        digest = { zxid: dzxid, digestVersion, digest: value };
        pos = checkSeal(buf, r.pos, 'second', sum);
      }
    }
    return { zxid, image, digest };
  } catch (e) {
    if (e instanceof ImageError || (e as Error).name === 'JuteError') throw new SnapshotError(`${name} is corrupt: ${(e as Error).message}`);
    throw e;
  }
}

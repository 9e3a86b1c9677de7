// The tree digest ZooKeeper 3.6+ records in snapshots and txns (DigestCalculator, AdHash):
// per znode CRC32 over path bytes (root as ""), data, then czxid, mzxid, pzxid, ctime, mtime
// (longs), version, cversion, aversion (ints), ephemeralOwner (long), big-endian; znodes under
// /zookeeper/ count as 0; the tree digest is the 64-bit wrapping sum. Used on load to check a
// snapshot's digest once replay reaches its zxid.
import { crc32 } from 'node:zlib';
import type { DataTree } from '../tree/datatree';

/** The stat's bytes, reused: the digest is taken per znode, often (every snapshot, every check). */
const statBytes = Buffer.alloc(60);

/** DigestCalculator.calculateDigest for one znode. */
export function nodeDigest(tree: DataTree, path: string, id: number): bigint {
  if (path.startsWith('/zookeeper/')) return 0n;
  // Straight from the store's columns: no bigint per field.
  tree.digestStat(id, statBytes);
  // zlib's crc32 takes the path as a string (its UTF-8 bytes), without a Buffer per znode.
  let crc = path === '/' ? 0 : crc32(path);
  const data = tree.data(id);
  if (data) crc = crc32(data, crc);
  crc = crc32(statBytes, crc);
  return BigInt(crc);
}

/** The whole tree's digest (NodeHashMapImpl.getDigest), as a signed long. */
export function treeDigest(tree: DataTree): bigint {
  let sum = 0n;
  for (const [path, id] of tree.entries()) sum += nodeDigest(tree, path, id);
  return BigInt.asIntN(64, sum);
}

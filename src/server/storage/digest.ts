// The tree digest ZooKeeper 3.6+ records in snapshots and txns (DigestCalculator, AdHash):
// per znode CRC32 over path bytes (root as ""), data, then czxid, mzxid, pzxid, ctime, mtime
// (longs), version, cversion, aversion (ints), ephemeralOwner (long), big-endian; znodes under
// /zookeeper/ count as 0; the tree digest is the 64-bit wrapping sum. Used on load to check a
// snapshot's digest once replay reaches its zxid.
import { crc32 } from 'node:zlib';
import type { DataNode, DataTree } from '../tree/datatree';

/** The stat's bytes, reused: the digest is taken per znode, often (every snapshot, every check). */
const statBytes = Buffer.alloc(60);

/** DigestCalculator.calculateDigest for one znode. */
export function nodeDigest(path: string, n: DataNode): bigint {
  if (path.startsWith('/zookeeper/')) return 0n;
  const stat = statBytes;
  stat.writeBigInt64BE(n.czxid, 0);
  stat.writeBigInt64BE(n.mzxid, 8);
  stat.writeBigInt64BE(n.pzxid, 16);
  stat.writeBigInt64BE(n.ctime, 24);
  stat.writeBigInt64BE(n.mtime, 32);
  stat.writeInt32BE(n.version, 40);
  stat.writeInt32BE(n.cversion, 44);
  stat.writeInt32BE(n.aversion, 48);
  stat.writeBigInt64BE(n.ephemeralOwner, 52);
  // zlib's crc32 takes the path as a string (its UTF-8 bytes), without a Buffer per znode.
  let crc = path === '/' ? 0 : crc32(path);
  if (n.data) crc = crc32(n.data, crc);
  crc = crc32(stat, crc);
  return BigInt(crc);
}

/** The whole tree's digest (NodeHashMapImpl.getDigest), as a signed long. */
export function treeDigest(tree: DataTree): bigint {
  let sum = 0n;
  for (const [path, n] of tree.nodes) sum += nodeDigest(path, n);
  return BigInt.asIntN(64, sum);
}

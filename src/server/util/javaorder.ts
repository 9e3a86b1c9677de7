// Apache ZooKeeper keeps children, a session's ephemerals and a connection's auth ids in Java
// hash sets, and clients see them in that iteration order. Reproducing it makes transcripts of
// unsorting clients (zkCli getEphemerals, whoami, kazoo get_children) identical to real ZooKeeper's.

/** java.lang.String.hashCode over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** HashMap.hash / ConcurrentHashMap.spread (the sign bit does not matter for the bucket). */
function spread(h: number): number {
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** The table size a HashMap reaches by inserting `n` entries from `initialCapacity` (load factor 0.75). */
export function grownTableSize(n: number, initialCapacity = 16): number {
  let cap = 1;
  while (cap < initialCapacity) cap <<= 1;
  while (n > cap * 0.75) cap <<= 1;
  return cap;
}

/** The table size of a HashSet.clone() of `n` entries (HashMap.putMapEntries: tableSizeFor(n/0.75 + 1)). */
export function clonedTableSize(n: number): number {
  const t = Math.floor(n / 0.75 + 1);
  let cap = 1;
  while (cap < t) cap <<= 1;
  return cap;
}

/** Orders items as a Java hash set with a table of `tableSize` buckets iterates them. */
export function javaHashOrder<T>(items: T[], hash: (item: T) => number, tableSize = grownTableSize(items.length)): T[] {
  if (items.length < 2) return items;
  const mask = tableSize - 1;
  return items
    .map((item, i) => ({ item, i, b: spread(hash(item)) & mask }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((x) => x.item);
}

/** Id.hashCode as jute generates it. */
export function javaIdHash(scheme: string, id: string): number {
  let r = 17;
  r = (Math.imul(37, r) + javaStringHash(scheme)) | 0;
  r = (Math.imul(37, r) + javaStringHash(id)) | 0;
  return r;
}

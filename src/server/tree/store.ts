// The compact znode store under DataTree (issue 13): no object per znode. A znode is a node id,
// an index into column arrays (the longs in BigInt64Arrays, the ints in Int32Arrays), its data
// lives in append-only slabs, its children are a doubly linked list through the id columns, its
// ACL list is an index into the interned lists, and its path is one string shared by the path
// index (a Map) and the id -> path column. At 1 M znodes of 100 B this is ~100 bytes of columns,
// the path string and its Map entry, and the data with an 8-byte record header, per znode.
//
// Ids of deleted znodes go on a free list and are reused; slab bytes are never written twice
// (setData appends a new record), so a data Buffer handed out stays the bytes it was for as long
// as anyone holds it. A slab whose live bytes fall under a quarter is compacted: its live records
// move to the current slab and the slab is dropped, so creates and deletes without end keep the
// store within a few times its live size.
import type { ACL } from '../../protocol/records';

export const NONE = -1;

const EMPTY = Buffer.alloc(0);
/** Slabs start small (most lab trees are tiny) and double up to MAX_SLAB. */
const FIRST_SLAB = 64 * 1024;
const MAX_SLAB = 4 * 1024 * 1024;
/** Each record in a slab: int32 owner id, int32 length, then the bytes. */
const HEADER = 8;

function growI32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

function growI64(a: BigInt64Array, cap: number): BigInt64Array {
  const b = new BigInt64Array(cap);
  b.set(a);
  return b;
}

// The long columns are also read and written as int32 pairs (no bigint per field when a
// snapshot is read, written or digested): that needs the platform's little-endian layout.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('the znode store needs a little-endian platform');

/** StatPersisted's layout: byte offset of each field, and whether it is a long. */
const STAT_LONGS = [
  ['czxid', 0],
  ['mzxid', 8],
  ['ctime', 16],
  ['mtime', 24],
  ['owner', 44],
  ['pzxid', 52],
] as const;
/** StatPersisted's size in bytes. */
export const STAT_PERSISTED_BYTES = 60;

export class NodeStore {
  private cap: number;
  /** Ids handed out so far (the high-water mark); ids below it are live or on `free`. */
  private top = 0;
  private readonly free: number[] = [];
  /** Live znodes. */
  size = 0;

  czxid: BigInt64Array;
  mzxid: BigInt64Array;
  pzxid: BigInt64Array;
  ctime: BigInt64Array;
  mtime: BigInt64Array;
  owner: BigInt64Array;
  version: Int32Array;
  /** The stored (create-count) cversion, as DataNode.stat.cversion in ZooKeeper. */
  cversion: Int32Array;
  aversion: Int32Array;
  aclIndex: Int32Array;
  childCount: Int32Array;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  prevSibling: Int32Array;
  /** -1 for null data. */
  dataLen: Int32Array;
  dataSlab: Int32Array;
  dataOff: Int32Array;
  paths: (string | undefined)[] = [];

  /** Path -> id, in insertion order (a parent is always inserted before its children). */
  readonly index = new Map<string, number>();

  /** Interned ACL lists: equal lists share one index (ZooKeeper's ACL cache). */
  readonly acls: ACL[][] = [];
  private readonly aclKeys = new Map<string, number>();
  private lastAclIn: ACL[] | null = null;
  private lastAclOut = 0;

  private slabs: (Buffer | null)[] = [];
  private slabLive: number[] = [];
  /** Bytes written into each slab (its records end there). */
  private slabEnd: number[] = [];
  private cur = -1;
  private curPos = 0;

  constructor(cap = 64) {
    this.cap = cap;
    this.czxid = new BigInt64Array(cap);
    this.mzxid = new BigInt64Array(cap);
    this.pzxid = new BigInt64Array(cap);
    this.ctime = new BigInt64Array(cap);
    this.mtime = new BigInt64Array(cap);
    this.owner = new BigInt64Array(cap);
    this.version = new Int32Array(cap);
    this.cversion = new Int32Array(cap);
    this.aversion = new Int32Array(cap);
    this.aclIndex = new Int32Array(cap);
    this.childCount = new Int32Array(cap);
    this.parent = new Int32Array(cap);
    this.firstChild = new Int32Array(cap);
    this.nextSibling = new Int32Array(cap);
    this.prevSibling = new Int32Array(cap);
    this.dataLen = new Int32Array(cap);
    this.dataSlab = new Int32Array(cap);
    this.dataOff = new Int32Array(cap);
    this.words = this.wordViews();
  }

  private grow(): void {
    // 1.5x: at a million znodes doubling would leave up to half the columns empty.
    const cap = Math.max(64, Math.ceil(this.cap * 1.5));
    this.czxid = growI64(this.czxid, cap);
    this.mzxid = growI64(this.mzxid, cap);
    this.pzxid = growI64(this.pzxid, cap);
    this.ctime = growI64(this.ctime, cap);
    this.mtime = growI64(this.mtime, cap);
    this.owner = growI64(this.owner, cap);
    this.version = growI32(this.version, cap);
    this.cversion = growI32(this.cversion, cap);
    this.aversion = growI32(this.aversion, cap);
    this.aclIndex = growI32(this.aclIndex, cap);
    this.childCount = growI32(this.childCount, cap);
    this.parent = growI32(this.parent, cap);
    this.firstChild = growI32(this.firstChild, cap);
    this.nextSibling = growI32(this.nextSibling, cap);
    this.prevSibling = growI32(this.prevSibling, cap);
    this.dataLen = growI32(this.dataLen, cap);
    this.dataSlab = growI32(this.dataSlab, cap);
    this.dataOff = growI32(this.dataOff, cap);
    this.cap = cap;
    this.words = this.wordViews();
  }

  /** Int32 views of the long columns ([2 id] the low word, [2 id + 1] the high word). */
  private words: Record<(typeof STAT_LONGS)[number][0], Int32Array>;

  private wordViews(): Record<(typeof STAT_LONGS)[number][0], Int32Array> {
    const v = (a: BigInt64Array) => new Int32Array(a.buffer, a.byteOffset, a.length * 2);
    return { czxid: v(this.czxid), mzxid: v(this.mzxid), ctime: v(this.ctime), mtime: v(this.mtime), owner: v(this.owner), pzxid: v(this.pzxid) };
  }

  /** Sets a znode's Stat fields from StatPersisted's big-endian bytes at `off` (a snapshot record). */
  readStat(id: number, b: Buffer, off: number): void {
    for (const [col, at] of STAT_LONGS) {
      const w = this.words[col];
      w[2 * id + 1] = b.readInt32BE(off + at);
      w[2 * id] = b.readInt32BE(off + at + 4);
    }
    this.version[id] = b.readInt32BE(off + 32);
    this.cversion[id] = b.readInt32BE(off + 36);
    this.aversion[id] = b.readInt32BE(off + 40);
  }

  /** Writes a znode's StatPersisted, big-endian, as int32s (a snapshot record, a digest). */
  writeStat(id: number, w: { int(v: number): void }): void {
    const words = this.words;
    const long = (col: Int32Array) => {
      w.int(col[2 * id + 1]!);
      w.int(col[2 * id]!);
    };
    long(words.czxid);
    long(words.mzxid);
    long(words.ctime);
    long(words.mtime);
    w.int(this.version[id]!);
    w.int(this.cversion[id]!);
    w.int(this.aversion[id]!);
    long(words.owner);
    long(words.pzxid);
  }

  /**
   * The Stat bytes ZooKeeper's DigestCalculator hashes, big-endian into `out`: czxid, mzxid,
   * pzxid, ctime, mtime (longs), version, cversion, aversion (ints), ephemeralOwner (long).
   */
  digestStat(id: number, out: Buffer): void {
    const words = this.words;
    let at = 0;
    const int = (v: number) => {
      out.writeInt32BE(v, at);
      at += 4;
    };
    for (const col of [words.czxid, words.mzxid, words.pzxid, words.ctime, words.mtime]) {
      int(col[2 * id + 1]!);
      int(col[2 * id]!);
    }
    int(this.version[id]!);
    int(this.cversion[id]!);
    int(this.aversion[id]!);
    int(words.owner[2 * id + 1]!);
    int(words.owner[2 * id]!);
  }

  /** Id slots allocated (for tests: deletes must let creates reuse them). */
  get capacity(): number {
    return this.cap;
  }

  /** Bytes held by data slabs (for tests and the bench: deletes must give them back). */
  get slabBytes(): number {
    let n = 0;
    for (const s of this.slabs) if (s) n += s.length;
    return n;
  }

  /** Equal ACL lists become one index. */
  internAcl(acl: ACL[]): number {
    if (acl === this.lastAclIn) return this.lastAclOut;
    const key = acl.map((a) => `${a.perms},${a.id.scheme},${a.id.id}`).join(';');
    let hit = this.aclKeys.get(key);
    if (hit === undefined) {
      hit = this.acls.length;
      this.acls.push(acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } })));
      this.aclKeys.set(key, hit);
    }
    this.lastAclIn = acl;
    this.lastAclOut = hit;
    return hit;
  }

  /** A new znode at `path` under `parent` (NONE for the root), linked first among its siblings. */
  add(path: string, parent: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      if (this.top === this.cap) this.grow();
      id = this.top++;
    }
    this.paths[id] = path;
    this.index.set(path, id);
    this.parent[id] = parent;
    this.firstChild[id] = NONE;
    this.childCount[id] = 0;
    this.prevSibling[id] = NONE;
    this.dataLen[id] = -1;
    if (parent === NONE) this.nextSibling[id] = NONE;
    else {
      const head = this.firstChild[parent]!;
      this.nextSibling[id] = head;
      if (head !== NONE) this.prevSibling[head] = id;
      this.firstChild[parent] = id;
      this.childCount[parent]!++;
    }
    this.size++;
    return id;
  }

  /** Unlinks and frees a znode (its children must be gone already). */
  remove(id: number): void {
    this.setData(id, null);
    const p = this.parent[id]!;
    const prev = this.prevSibling[id]!;
    const next = this.nextSibling[id]!;
    if (prev !== NONE) this.nextSibling[prev] = next;
    else if (p !== NONE) this.firstChild[p] = next;
    if (next !== NONE) this.prevSibling[next] = prev;
    if (p !== NONE) this.childCount[p]!--;
    this.index.delete(this.paths[id]!);
    this.paths[id] = undefined;
    this.free.push(id);
    this.size--;
  }

  /** Every znode as [path, id], parents first; the iterator survives changes to the store. */
  entries(): IterableIterator<[string, number]> {
    return this.index.entries();
  }

  acl(id: number): ACL[] {
    return this.acls[this.aclIndex[id]!]!;
  }

  // ---- data slabs

  data(id: number): Buffer | null {
    const len = this.dataLen[id]!;
    if (len < 0) return null;
    if (len === 0) return EMPTY;
    const off = this.dataOff[id]!;
    return this.slabs[this.dataSlab[id]!]!.subarray(off, off + len);
  }

  /** Replaces a znode's data (the bytes are copied into a slab; the old record becomes garbage). */
  setData(id: number, data: Buffer | null): void {
    const old = this.dataLen[id]!;
    if (old > 0) this.release(this.dataSlab[id]!, old);
    if (data === null || data.length === 0) {
      this.dataLen[id] = data === null ? -1 : 0;
      return;
    }
    this.put(id, data);
  }

  private put(id: number, data: Buffer): void {
    const need = HEADER + data.length;
    const left = this.cur >= 0 && this.curPos + need <= this.slabs[this.cur]!.length ? -1 : this.openSlab(need);
    const slab = this.slabs[this.cur]!;
    const at = this.curPos;
    slab.writeInt32LE(id, at);
    slab.writeInt32LE(data.length, at + 4);
    // TypedArray set: Buffer.copy's argument checks cost more than the copy at 100 bytes.
    slab.set(data, at + HEADER);
    this.curPos = at + need;
    this.slabEnd[this.cur] = this.curPos;
    this.slabLive[this.cur]! += need;
    this.dataSlab[id] = this.cur;
    this.dataOff[id] = at + HEADER;
    this.dataLen[id] = data.length;
    // Only now, with this record in place: compacting the slab left behind moves its records
    // into the current one, which was sized for this record and may have no room for both first.
    if (left >= 0) this.settle(left);
  }

  /** Makes a new slab with room for `need` bytes current; returns the one it replaces (or -1). */
  private openSlab(need: number): number {
    const prev = this.cur >= 0 ? this.slabs[this.cur]!.length : FIRST_SLAB / 2;
    const size = Math.max(need, Math.min(MAX_SLAB, prev * 2));
    const old = this.cur;
    let at = this.slabs.indexOf(null);
    if (at < 0) at = this.slabs.length;
    this.slabs[at] = Buffer.allocUnsafeSlow(size);
    this.slabLive[at] = 0;
    this.slabEnd[at] = 0;
    this.cur = at;
    this.curPos = 0;
    return old;
  }

  /** Marks a record of `len` bytes in `slab` garbage. */
  private release(slab: number, len: number): void {
    this.slabLive[slab]! -= len + HEADER;
    this.settle(slab);
  }

  /** Drops a slab no longer current once it holds nothing live, or compacts it under a quarter live. */
  private settle(slab: number): void {
    if (slab === this.cur || this.slabs[slab] === null) return;
    const live = this.slabLive[slab]!;
    if (live === 0) this.slabs[slab] = null;
    else if (live < this.slabs[slab]!.length / 4) this.compact(slab);
  }

  /**
   * Moves a slab's live records to the current slab and drops it. A record is live when its
   * owner's columns still point at it (an id's latest record is its only live one).
   */
  private compact(slab: number): void {
    const buf = this.slabs[slab]!;
    const end = this.slabEnd[slab]!;
    // Kept in place while records move (put() only appends to the current slab, never this one).
    this.slabLive[slab] = -1;
    for (let at = 0; at < end; ) {
      const id = buf.readInt32LE(at);
      const len = buf.readInt32LE(at + 4);
      if (this.dataSlab[id] === slab && this.dataOff[id] === at + HEADER && this.dataLen[id] === len) {
        this.put(id, buf.subarray(at + HEADER, at + HEADER + len));
      }
      at += HEADER + len;
    }
    this.slabs[slab] = null;
    this.slabLive[slab] = 0;
  }
}

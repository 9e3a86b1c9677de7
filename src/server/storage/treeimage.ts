// The data tree and session table as ZooKeeper serialises them (SerializeUtils.serializeSnapshot,
// DataTree.serialize, ReferenceCountedACLCache.serialize), shared by snapshot files and the
// quorum's SNAP stream:
//   int sessionCount; { long sessionId, int timeout }*
//   int aclCount; { long index, vector<ACL> }*
//   { ustring path; buffer data; long aclIndex; StatPersisted stat }*   parents first, root as ""
//   ustring "/"                                                         end of the nodes
// aclIndex -1 stands for OPEN_ACL_UNSAFE and has no entry in the table.
import { Perms } from '../../protocol/codes';
import { JuteError, Reader, Writer } from '../../protocol/jute';
import { ACL as ACLRecord, type ACL } from '../../protocol/records';
import { parentOf } from '../../protocol/paths';
import { DataTree } from '../tree/datatree';
import { STAT_PERSISTED_BYTES } from '../tree/store';
import type { SessionTable } from './types';

export const OPEN_ACL_INDEX = -1n;
const OPEN_ACL_UNSAFE: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];

/**
 * A point-in-time-ish copy of the tree: exact for `zxid`, possibly with later txns in it (fuzzy).
 * The znodes are serialised as they are copied, so a snapshot of 1 M znodes holds ~190 MB of
 * bytes outside the JS heap instead of a million records on it.
 */
export interface TreeImage {
  zxid: bigint;
  sessions: Array<[bigint, number]>;
  /** The ACL cache table (index from 1, list) of the lists the copied znodes use. */
  acls: Array<[bigint, ACL[]]>;
  /** The znode records { path, data, aclIndex, StatPersisted }, parents first, root as "". */
  nodeChunks: Buffer[];
  nodeCount: number;
}

export interface CaptureOptions {
  /** Znodes copied per turn of the event loop; Infinity copies all at once. */
  sliceSize?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Bytes of znode records per chunk of a TreeImage. */
const NODE_CHUNK_SIZE = 1 << 20;

/**
 * Copies the tree in slices, yielding to the event loop between them so requests keep flowing
 * (ZooKeeper's fuzzy snapshot). The zxid and sessions are taken at the start; every znode is
 * serialised whole as it is reached. The walk is the node map's own order, which is parents
 * first: a znode is inserted after its parent existed, a parent cannot go while it has
 * children, and a key set again keeps its place (so no path is built or looked up per znode).
 * Znodes deleted before their turn are skipped and those created meanwhile come at the end:
 * replaying the log from `zxid` mends both. ACL lists get their table index when first met
 * (ZooKeeper writes its whole ACL cache first and then the znodes, so a list set meanwhile is
 * missing from its table; numbering as we go keeps every index in the table, which goes before
 * the znodes on output).
 */
export async function captureTree(tree: DataTree, sessions: SessionTable, opts: CaptureOptions = {}): Promise<TreeImage> {
  const slice = opts.sliceSize ?? 4096;
  const image: TreeImage = { zxid: tree.lastProcessedZxid, sessions: [...sessions], acls: [], nodeChunks: [], nodeCount: 0 };
  // ACL arrays are interned by the tree: one array per distinct list, so identity is the key.
  const aclIndex = new Map<ACL[], bigint>();
  // Starts small (most trees are small) and grows to a chunk and one record at most.
  const w = new Writer(64 * 1024);
  // The path index's iterator stays valid while the tree changes between slices; the view stays
  // on this store if a SNAP replaces the tree's meanwhile.
  const view = tree.captureView();
  const nodes = view.entries();
  for (let inSlice = 0; ; inSlice++) {
    if (inSlice >= slice) {
      inSlice = 0;
      await yieldToEventLoop();
    }
    const next = nodes.next();
    if (next.done) break;
    // The id is read at once, in the same turn it came from the index (ids are reused).
    const [path, id] = next.value;
    const acl = view.acl(id);
    let index = aclIndex.get(acl);
    if (index === undefined) {
      index = isOpenAclUnsafe(acl) ? OPEN_ACL_INDEX : BigInt(image.acls.length + 1);
      if (index !== OPEN_ACL_INDEX) image.acls.push([index, acl]);
      aclIndex.set(acl, index);
    }
    // Data bytes and ACL arrays are never changed in place; the Stat fields are the znode's as
    // of now, which replay from `zxid` brings to the end state like any fuzzy copy.
    w.ustring(path === '/' ? '' : path);
    w.buffer(view.data(id));
    w.long(index);
    view.writeStat(id, w);
    image.nodeCount++;
    if (w.pos >= NODE_CHUNK_SIZE) {
      image.nodeChunks.push(Buffer.from(w.bytes()));
      w.pos = 0;
    }
  }
  if (w.pos > 0) image.nodeChunks.push(Buffer.from(w.bytes()));
  return image;
}

function isOpenAclUnsafe(acl: ACL[]): boolean {
  const a = acl[0];
  return acl.length === 1 && a!.perms === Perms.ALL && a!.id.scheme === 'world' && a!.id.id === 'anyone';
}

/** Yields the serialised image: sessions and ACL table, the znode chunks, then "/". */
export function* imageChunks(image: TreeImage): Generator<Buffer> {
  const w = new Writer(4096);
  w.int(image.sessions.length);
  for (const [id, timeout] of image.sessions) {
    w.long(id);
    w.int(timeout);
  }
  w.int(image.acls.length);
  for (const [i, acl] of image.acls) {
    w.long(i);
    w.int(acl.length);
    for (const a of acl) ACLRecord.write(w, a);
  }
  yield Buffer.from(w.bytes());
  yield* image.nodeChunks;
  w.pos = 0;
  w.ustring('/');
  yield Buffer.from(w.bytes());
}

/**
 * A tree image as read. The znodes go straight into a tree of their own as they are read (no
 * list of parsed records in between: for 1 M znodes that list and its garbage were most of a
 * restart); applyImage hands them to the live tree once the whole image has read back.
 */
export interface ParsedImage {
  sessions: Map<bigint, number>;
  acls: Map<bigint, ACL[]>;
  /** The znodes loaded so far; emptied when applyImage adopts them. */
  tree: DataTree;
  nodeCount: number;
}

/** Thrown when serialised bytes are not a valid tree image; the message says what is wrong. */
export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

function isShortRead(e: unknown): boolean {
  return e instanceof JuteError && e.message.startsWith('record ends early');
}

/**
 * Reads a serialised tree image from bytes that may arrive in pieces (the SNAP stream has no
 * length prefix): push() what arrived, and advance() parses as many whole units (a session, an
 * ACL entry, a znode) as there are, resuming where it stopped.
 */
export class ImageParser {
  readonly image: ParsedImage = { sessions: new Map(), acls: new Map(), tree: emptyTreeForLoad(), nodeCount: 0 };
  private phase: 'sessionCount' | 'sessions' | 'aclCount' | 'acls' | 'nodes' | 'done' = 'sessionCount';
  private left = 0;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Offset in the whole stream where the image ends (after "/"), once done. */
  endOffset = -1;
  private consumedBefore = 0;

  constructor(private readonly maxLength = 0xfffff + 0xfffff) {}

  get done(): boolean {
    return this.phase === 'done';
  }

  /** Bytes after the image, once done. */
  rest(): Buffer {
    return this.buf.subarray(this.pos);
  }

  push(chunk: Buffer): void {
    if (this.pos > 0) {
      this.consumedBefore += this.pos;
      this.buf = this.buf.subarray(this.pos);
      this.pos = 0;
    }
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /** Parses what it can; true once the "/" end marker has been read. */
  advance(): boolean {
    const r = new Reader(this.buf, this.pos, this.buf.length, this.maxLength);
    while (this.phase !== 'done') {
      try {
        this.step(r);
      } catch (e) {
        // A unit cut short is read again whole once more bytes arrive.
        if (isShortRead(e)) return false;
        if (e instanceof JuteError) throw new ImageError(`${e.message} at byte ${this.consumedBefore + this.pos}`);
        throw e;
      }
      this.pos = r.pos;
    }
    this.endOffset = this.consumedBefore + this.pos;
    return true;
  }

  private step(r: Reader): void {
    switch (this.phase) {
      case 'sessionCount':
        this.left = this.count(r, 'session');
        this.phase = 'sessions';
        return;
      case 'sessions':
        if (this.left === 0) {
          this.phase = 'aclCount';
          return;
        }
        this.image.sessions.set(r.long(), r.int());
        this.left--;
        return;
      case 'aclCount':
        this.left = this.count(r, 'ACL cache entry');
        this.phase = 'acls';
        return;
      case 'acls': {
        if (this.left === 0) {
          this.phase = 'nodes';
          return;
        }
        const index = r.long();
        const n = r.int();
        // ReferenceCountedACLCache.deserialize fails on a null ACL vector.
        if (n < 0) throw new JuteError(`ACL cache entry ${index} has no ACL list (count ${n})`);
        const acl: ACL[] = [];
        for (let i = 0; i < n; i++) acl.push(ACLRecord.read(r));
        this.image.acls.set(index, acl);
        this.left--;
        return;
      }
      case 'nodes': {
        const path = r.ustring();
        if (path === '/') {
          if (!this.image.tree.has('/')) throw new ImageError('the data tree has no root znode');
          this.phase = 'done';
          return;
        }
        if (path === null) throw new JuteError('a znode with a null path');
        const data = r.buffer();
        const aclIndex = r.long();
        const acl = this.aclOf(path, aclIndex);
        // StatPersisted goes into the store's columns as bytes: no bigint or object per znode.
        if (r.remaining() < STAT_PERSISTED_BYTES) {
          throw new JuteError(`record ends early: StatPersisted needs ${STAT_PERSISTED_BYTES} bytes, ${r.remaining()} left`);
        }
        const statAt = r.pos;
        r.pos += STAT_PERSISTED_BYTES;
        this.loadNode(path, data, acl, r.buf, statAt);
        return;
      }
    }
  }

  private aclOf(path: string, aclIndex: bigint): ACL[] {
    if (aclIndex === OPEN_ACL_INDEX) return OPEN_ACL_UNSAFE;
    const listed = this.image.acls.get(aclIndex);
    if (listed === undefined) throw new ImageError(`znode ${path || '/'} uses ACL index ${aclIndex}, which is not in the ACL cache`);
    return listed;
  }

  /** Loads one znode record, checked against what came before it (DataTree.deserialize). */
  private loadNode(path: string, data: Buffer | null, acl: ACL[], stat: Buffer, statAt: number): void {
    if (path === '') path = '/';
    else if (path.charCodeAt(0) !== 0x2f) throw new ImageError(`znode path "${path}" does not start with /`);
    if (!this.image.tree.loadNode(path, data, acl, stat, statAt)) {
      throw new ImageError(`invalid data tree: znode ${path} comes before its parent ${parentOf(path)}`);
    }
    this.image.nodeCount++;
  }

  private count(r: Reader, what: string): number {
    const n = r.int();
    if (n < 0) throw new JuteError(`a negative ${what} count ${n}`);
    return n;
  }
}

/** Parses a whole serialised image held in one buffer (from `offset`); returns it and where it ended. */
export function parseImage(buf: Buffer, offset = 0): { image: ParsedImage; end: number } {
  const p = new ImageParser();
  p.push(buf.subarray(offset));
  if (!p.advance()) throw new ImageError('the data ends before the "/" that closes the znode list');
  return { image: p.image, end: offset + p.endOffset };
}

/** A tree with nothing in it, not even the root, for an image to load into. */
function emptyTreeForLoad(): DataTree {
  const tree = new DataTree();
  tree.clearForLoad();
  return tree;
}

/**
 * Replaces the tree and session table with a parsed image (DataTree.deserialize). The image
 * was checked as it was read (root present, parents before children, every ACL index in the
 * table), so a bad image never gets here and changes nothing. Sets lastProcessedZxid to `zxid`
 * and finds the quotas again. The image's znodes move into `tree`: apply an image once.
 */
export function applyImage(tree: DataTree, sessions: SessionTable, image: ParsedImage, zxid: bigint): void {
  if (!image.tree.has('/')) throw new ImageError('the data tree has no root znode');
  tree.adoptLoaded(image.tree);
  // DataTree.deserialize ends with setupQuota: txns replayed after this keep quota stats current.
  tree.rebuildQuotas();
  tree.lastProcessedZxid = zxid;
  sessions.clear();
  for (const [id, timeout] of image.sessions) sessions.set(id, timeout);
}

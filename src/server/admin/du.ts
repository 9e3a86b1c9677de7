// Where the bytes are: per child of a znode, its subtree's znode count and bytes, sorted so the
// biggest subtrees come first (a `du` for ZooKeeper). Our member answers it as the lab's
// AdminServer command lab_du?path=/x&sort=bytes|count|name&offset=0&limit=500; the lab computes
// the same from an Apache member's newest snapshot (bin datadir-main's `du`).
//
// Bytes of a znode = its data + an overhead: the size of its record in a snapshot, which is
// exactly what it costs in every snapshot file and every SNAP a learner is sent:
//   int path length + the path's UTF-8 bytes + int data length + long ACL index
//   + StatPersisted (6 longs + 3 ints = 60 bytes)  =  76 + path bytes (+ data).
// A member's heap holds more per znode than its record (objects, maps, the children's names);
// the record is the part every ZooKeeper shares, computed the same from a live tree and from a
// snapshot file, so an Apache member's figures and ours compare directly.
import type { ServerCore } from '../core';
import { NONE, type DataTree } from '../tree/datatree';
import type { Json } from './jackson';

/** Snapshot-record bytes of a znode besides its data and path: lengths (4 + 4), ACL index (8), StatPersisted (60). */
export const RECORD_OVERHEAD = 76;

/** What du reads of a tree: a znode's children and data length (null: no such znode). */
export interface DuTree {
  children(path: string): Iterable<string> | null;
  dataLength(path: string): number;
}

/** The one place du touches the tree's znodes. */
export function duTree(tree: DataTree): DuTree {
  return {
    children: (path) => {
      const id = tree.lookup(path);
      return id === NONE ? null : tree.childNames(id);
    },
    dataLength: (path) => {
      const id = tree.lookup(path);
      return id === NONE ? 0 : tree.dataLength(id);
    },
  };
}

export type DuSort = 'bytes' | 'count' | 'name';

export interface DuEntry {
  name: string;
  /** Znodes under it, itself not counted. */
  descendants: number;
  /** Its subtree's bytes (itself included): data + RECORD_OVERHEAD + path bytes per znode. */
  bytes: number;
  /** Its subtree's data bytes alone. */
  dataBytes: number;
  numChildren: number;
}

export interface DuListing {
  path: string;
  /** The znode itself, as its parent's listing shows it. */
  self: DuEntry;
  /** Its children, sorted, all of them (page them with duPage). */
  children: DuEntry[];
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The subtree of `path` summed: one walk, iterative (a deep tree must not overflow the stack). */
function subtree(t: DuTree, path: string, name: string): DuEntry {
  let descendants = -1;
  let bytes = 0;
  let dataBytes = 0;
  let numChildren = 0;
  const stack = [path];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const kids = t.children(p);
    if (kids === null) continue;
    const d = t.dataLength(p);
    descendants++;
    dataBytes += d;
    bytes += d + RECORD_OVERHEAD + (p === '/' ? 0 : utf8(p));
    for (const c of kids) {
      if (p === path) numChildren++;
      stack.push(p === '/' ? `/${c}` : `${p}/${c}`);
    }
  }
  return { name, descendants: Math.max(0, descendants), bytes, dataBytes, numChildren };
}

/** Every child of `path` with its subtree's size, sorted; null when there is no such znode. */
export function duListing(t: DuTree, path: string, sort: DuSort): DuListing | null {
  const kids = t.children(path);
  if (kids === null) return null;
  const children: DuEntry[] = [];
  for (const c of kids) children.push(subtree(t, path === '/' ? `/${c}` : `${path}/${c}`, c));
  const byName = (a: DuEntry, b: DuEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  children.sort(sort === 'name' ? byName : sort === 'count' ? (a, b) => b.descendants - a.descendants || byName(a, b) : (a, b) => b.bytes - a.bytes || byName(a, b));
  const own = t.dataLength(path);
  const self: DuEntry = {
    name: path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1),
    descendants: children.reduce((n, c) => n + 1 + c.descendants, 0),
    bytes: own + RECORD_OVERHEAD + (path === '/' ? 0 : utf8(path)) + children.reduce((n, c) => n + c.bytes, 0),
    dataBytes: own + children.reduce((n, c) => n + c.dataBytes, 0),
    numChildren: children.length,
  };
  return { path, self, children };
}

/** One page of a listing as the AdminServer answers it (snake_case, as ZooKeeper's commands). */
export function duPage(l: DuListing, sort: DuSort, offset: number, limit: number): { [k: string]: Json } {
  const row = (e: DuEntry): { [k: string]: Json } => ({ name: e.name, descendants: e.descendants, bytes: e.bytes, data_bytes: e.dataBytes, num_children: e.numChildren });
  return {
    path: l.path,
    sort,
    offset,
    total: l.children.length,
    znode: row(l.self),
    children: l.children.slice(offset, offset + limit).map(row),
    overhead_per_znode: `${RECORD_OVERHEAD} bytes + the path's UTF-8 bytes (the znode's record in a snapshot)`,
  };
}

/** Reads lab_du's arguments; a sentence when one is wrong. */
export function duArgs(params: URLSearchParams): { path: string; sort: DuSort; offset: number; limit: number } | string {
  const path = params.get('path') ?? '/';
  if (!path.startsWith('/') || (path.length > 1 && path.endsWith('/'))) return `path must be a znode path such as /app, not "${path}".`;
  const sort = params.get('sort') ?? 'bytes';
  if (sort !== 'bytes' && sort !== 'count' && sort !== 'name') return `sort must be bytes, count or name, not "${sort}".`;
  const offset = Number(params.get('offset') ?? 0);
  const limit = Number(params.get('limit') ?? 500);
  if (!Number.isInteger(offset) || offset < 0) return `offset must be a whole number from 0, not "${params.get('offset')}".`;
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) return `limit must be a whole number from 1 to 5000, not "${params.get('limit')}".`;
  return { path, sort, offset, limit };
}

/**
 * lab_du on a live tree. The sorted listing of the last path asked is kept while the tree is at
 * the same zxid, so paging through 100 000 children walks them once, not once a page.
 */
export class DuCommand {
  private last: { key: string; zxid: bigint; listing: DuListing; ms: number } | null = null;

  constructor(private readonly tree: () => DataTree) {}

  answer(params: URLSearchParams): { [k: string]: Json } {
    const args = duArgs(params);
    if (typeof args === 'string') return { error: args };
    const tree = this.tree();
    const key = `${args.sort}|${args.path}`;
    if (!this.last || this.last.key !== key || this.last.zxid !== tree.lastProcessedZxid) {
      const started = performance.now();
      const listing = duListing(duTree(tree), args.path, args.sort);
      if (!listing) return { error: `There is no znode ${args.path} on this member.` };
      this.last = { key, zxid: tree.lastProcessedZxid, listing, ms: Math.round(performance.now() - started) };
    }
    return { ...duPage(this.last.listing, args.sort, args.offset, args.limit), zxid: `0x${tree.lastProcessedZxid.toString(16)}`, computed_ms: this.last.ms };
  }
}

const commands = new WeakMap<ServerCore, DuCommand>();

/** The member's lab_du (one per member, for its cache). */
export function duCommandOf(core: ServerCore): DuCommand {
  let c = commands.get(core);
  if (!c) commands.set(core, (c = new DuCommand(() => core.tree)));
  return c;
}

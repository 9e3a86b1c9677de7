// The in-memory znode tree (org.apache.zookeeper.server.DataTree): nodes with their Stat
// bookkeeping, ACLs, ephemerals by session, containers and TTL nodes, and the watch tables.
// Transactions are applied here in zxid order; watch events fire as they apply.
//
// The znode contract (issue 13). There is no object per znode: the tree is a compact store
// (tree/store.ts) and the rest of the server reads a znode through its node id:
//   const id = tree.lookup(path)            NONE (-1) when there is no such znode
//   tree.stat(id)                           the Stat a client sees (a fresh object)
//   tree.data(id)                           Buffer | null, a view of slab bytes never rewritten
//   tree.acl(id)                            the interned ACL list (shared: never change it)
//   tree.version/cversion/aversion/mzxid/pzxid/ephemeralOwner(id), dataLength(id)
//   tree.childCount(id), tree.childNames(id), tree.pathOf(id)
//   tree.entries()                          [path, id] parents first; survives changes
//   tree.walk(path)                         [path, id] pre-order, children by name
//   tree.captureView()                      the store as it is now, for a snapshot copied in slices
// Only this file changes a znode (txns, loadNode, setConfigNode, replaceData for quota stats).
// An id is good until the next change to the tree: a delete frees it and a create may reuse it,
// so code that yields between turns holds paths, not ids. inspect(path) copies one znode's
// fields out for tests and tools; the request path never builds such an object.
import {
  CONTAINER_EPHEMERAL_OWNER,
  Err,
  EventType,
  OpCode,
  Perms,
} from '../../protocol/codes';
import { joinPath, parentOf } from '../../protocol/paths';
import type { ACL, Stat } from '../../protocol/records';
import type { Txn, TxnHeader } from '../../protocol/txn';
import { Quotas } from './quotas';
import { ephemeralKind, ttlOf, ttlOwner, type ZnodeRecord } from './kinds';
import { NONE, NodeStore } from './store';

export { NONE };

/** What a snapshot copy reads of the store (captureView). */
export type CaptureView = Pick<NodeStore, 'entries' | 'acl' | 'data' | 'writeStat'>;
export { ephemeralKind, ttlOf, ttlOwner, type EphemeralKind, type ZnodeRecord } from './kinds';
import { WatchMode, WatchTable, type Watcher } from './watches';

/** The result of applying one txn: what the reply needs. */
export interface ProcessResult {
  err: number;
  path?: string;
  stat?: Stat;
  /** Per sub-op results of a multi. */
  multi?: ProcessResult[];
  /** The txn type that produced this result (the sub-op type in a multi). */
  type: number;
}

const EMPTY = Buffer.alloc(0);
const ROOT_ACL: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
const CONFIG_ACL: ACL[] = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];

export const ZOOKEEPER_PATH = '/zookeeper';
export const QUOTA_PATH = '/zookeeper/quota';
export const CONFIG_PATH = '/zookeeper/config';

export class DataTree {
  // Not readonly: adoptLoaded() takes it over from a tree a snapshot was loaded into.
  private store = new NodeStore();
  /** session id -> its ephemeral paths */
  ephemerals = new Map<bigint, Set<string>>();
  containers = new Set<string>();
  ttls = new Set<string>();
  /** Told how many watchers each table fired for one event (WatchManager.triggerWatch's metrics). */
  watchesFired: ((type: number, n: number) => void) | null = null;

  /**
   * ContainerManager.getCandidates: containers that had children and have none now, and TTL
   * znodes without children whose TTL has passed since their last change.
   */
  reapable(now: bigint): string[] {
    const doomed: string[] = [];
    const s = this.store;
    for (const path of this.containers) {
      const id = this.lookup(path);
      if (id !== NONE && s.childCount[id] === 0 && s.cversion[id]! > 0) doomed.push(path);
    }
    for (const path of this.ttls) {
      const id = this.lookup(path);
      if (id !== NONE && s.childCount[id] === 0 && now - s.mtime[id]! > ttlOf(s.owner[id]!)) doomed.push(path);
    }
    return doomed;
  }
  readonly dataWatches = new WatchTable();
  readonly childWatches = new WatchTable();
  /** The zxid of the last applied txn. */
  lastProcessedZxid = 0n;
  /** Σ(path length + data length), for mntr's zk_approximate_data_size. */
  approximateDataSize = 0;

  constructor() {
    const root = this.addNode('/', NONE, EMPTY, ROOT_ACL, 0n, 0n, 0n);
    const zk = this.addNode(ZOOKEEPER_PATH, root, EMPTY, ROOT_ACL, 0n, 0n, 0n);
    this.addNode(QUOTA_PATH, zk, EMPTY, ROOT_ACL, 0n, 0n, 0n);
    const config = this.addNode(CONFIG_PATH, zk, EMPTY, CONFIG_ACL, 0n, 0n, 0n);
    // DataTree.addConfigNode sets its ACL with setACL(path, READ_ACL_UNSAFE, -1), and setACL
    // stores the version it is given: /zookeeper/config's aversion is -1 on every server.
    this.store.aversion[config] = -1;
    this.approximateDataSize = ZOOKEEPER_PATH.length + QUOTA_PATH.length + CONFIG_PATH.length + 1;
  }

  /** A new znode with zeroed counters, linked under `parent`. */
  private addNode(path: string, parent: number, data: Buffer | null, acl: ACL[], zxid: bigint, time: bigint, owner: bigint): number {
    const s = this.store;
    const id = s.add(path, parent);
    s.setData(id, data);
    s.aclIndex[id] = s.internAcl(acl);
    s.czxid[id] = zxid;
    s.mzxid[id] = zxid;
    s.pzxid[id] = zxid;
    s.ctime[id] = time;
    s.mtime[id] = time;
    s.owner[id] = owner;
    s.version[id] = 0;
    s.cversion[id] = 0;
    s.aversion[id] = 0;
    return id;
  }

  /** Equal ACL lists become one shared array. */
  internAcl(acl: ACL[]): ACL[] {
    return this.store.acls[this.store.internAcl(acl)]!;
  }

  // ---- reading znodes (the contract at the top of this file)

  /** The znode at `path`, or NONE. */
  lookup(path: string): number {
    return this.store.index.get(path) ?? NONE;
  }

  has(path: string): boolean {
    return this.store.index.has(path);
  }

  pathOf(id: number): string {
    return this.store.paths[id]!;
  }

  /** Its data: a view of slab bytes that are never written again (no copy). */
  data(id: number): Buffer | null {
    return this.store.data(id);
  }

  dataLength(id: number): number {
    return Math.max(0, this.store.dataLen[id]!);
  }

  /** Its interned ACL list (shared: never change it). */
  acl(id: number): ACL[] {
    return this.store.acls[this.store.aclIndex[id]!]!;
  }

  version(id: number): number {
    return this.store.version[id]!;
  }

  /** The stored (create-count) cversion; stat() gives the one clients see. */
  cversion(id: number): number {
    return this.store.cversion[id]!;
  }

  aversion(id: number): number {
    return this.store.aversion[id]!;
  }

  czxid(id: number): bigint {
    return this.store.czxid[id]!;
  }

  ctime(id: number): bigint {
    return this.store.ctime[id]!;
  }

  mtime(id: number): bigint {
    return this.store.mtime[id]!;
  }

  mzxid(id: number): bigint {
    return this.store.mzxid[id]!;
  }

  pzxid(id: number): bigint {
    return this.store.pzxid[id]!;
  }

  /** The stored ephemeralOwner (containers and TTL znodes carry their markers here). */
  ephemeralOwner(id: number): bigint {
    return this.store.owner[id]!;
  }

  childCount(id: number): number {
    return this.store.childCount[id]!;
  }

  /** Its children's names, in no particular order. */
  childNames(id: number): string[] {
    const s = this.store;
    const names: string[] = [];
    for (let c = s.firstChild[id]!; c !== NONE; c = s.nextSibling[c]!) {
      const p = s.paths[c]!;
      names.push(p.slice(p.lastIndexOf('/') + 1));
    }
    // The list holds the newest first; callers get them oldest first, as a set kept in insertion
    // order gives them: ZooKeeper's HashSet order (chain/final.ts) depends on it within a bucket.
    return names.reverse();
  }

  /** Every znode as [path, id], parents before children; the iterator survives changes to the tree. */
  entries(): IterableIterator<[string, number]> {
    return this.store.index.entries();
  }

  /**
   * The store as it is now, for a fuzzy snapshot copied over several turns: its reads stay on
   * this store even when a SNAP replaces the tree's (adoptLoaded) meanwhile, so the copy is of
   * one tree, as it was when znodes were objects in a map the copy iterated.
   */
  captureView(): CaptureView {
    return this.store;
  }

  /** The 60 Stat bytes the tree digest hashes (storage/digest.ts), written into `out`. */
  digestStat(id: number, out: Buffer): void {
    this.store.digestStat(id, out);
  }

  /** A copy of one znode's fields (tests and tools; the request path reads by id). */
  inspect(path: string): ZnodeRecord | undefined {
    const id = this.lookup(path);
    if (id === NONE) return undefined;
    const s = this.store;
    return {
      data: this.data(id),
      acl: this.acl(id),
      czxid: s.czxid[id]!,
      mzxid: s.mzxid[id]!,
      ctime: s.ctime[id]!,
      mtime: s.mtime[id]!,
      version: s.version[id]!,
      cversion: s.cversion[id]!,
      aversion: s.aversion[id]!,
      ephemeralOwner: s.owner[id]!,
      pzxid: s.pzxid[id]!,
      children: this.childNames(id),
    };
  }

  /** ZooKeeper's node count (its map holds the root twice, as "" and "/"). */
  nodeCount(): number {
    return this.store.size + 1;
  }

  /** What the store holds (tests and the bench: deletes must give space back). */
  storeFootprint(): { znodes: number; idSlots: number; slabBytes: number } {
    return { znodes: this.store.size, idSlots: this.store.capacity, slabBytes: this.store.slabBytes };
  }

  /** The Stat a client sees (DataNode.copyStat). */
  stat(id: number): Stat {
    const s = this.store;
    const owner = s.owner[id]!;
    const children = s.childCount[id]!;
    return {
      czxid: s.czxid[id]!,
      mzxid: s.mzxid[id]!,
      ctime: s.ctime[id]!,
      mtime: s.mtime[id]!,
      version: s.version[id]!,
      cversion: s.cversion[id]! * 2 - children,
      aversion: s.aversion[id]!,
      ephemeralOwner: owner === 0n || ephemeralKind(owner) !== 'normal' ? 0n : owner,
      dataLength: Math.max(0, s.dataLen[id]!),
      numChildren: children,
      pzxid: s.pzxid[id]!,
    };
  }

  /** Replaces a znode's data without touching its Stat (quota stats, the config znode). */
  replaceData(id: number, data: Buffer | null): void {
    this.store.setData(id, data);
  }

  /** Writes /zookeeper/config locally, as each server does (not through a txn). */
  setConfigNode(text: string, configVersion: bigint): void {
    const id = this.lookup(CONFIG_PATH);
    this.approximateDataSize += text.length - this.dataLength(id);
    this.store.setData(id, Buffer.from(text, 'utf8'));
    this.store.version[id] = -1;
    this.store.mzxid[id] = configVersion;
  }

  // ---- applying transactions

  /** Applies one txn; fires watches; never throws for a txn prep accepted. */
  processTxn(header: TxnHeader, txn: Txn): ProcessResult {
    const result = this.applyTxn(header, txn);
    if (header.zxid > this.lastProcessedZxid) this.lastProcessedZxid = header.zxid;
    return result;
  }

  private applyTxn(header: TxnHeader, txn: Txn): ProcessResult {
    const zxid = header.zxid;
    switch (txn.type) {
      case OpCode.create:
      case OpCode.create2:
        return this.createNode(
          txn.type,
          txn.path,
          txn.data,
          txn.acl,
          txn.ephemeral ? header.clientId : 0n,
          txn.parentCVersion,
          zxid,
          header.time,
        );
      case OpCode.createContainer:
        return this.createNode(txn.type, txn.path, txn.data, txn.acl, CONTAINER_EPHEMERAL_OWNER, txn.parentCVersion, zxid, header.time);
      case OpCode.createTTL:
        return this.createNode(txn.type, txn.path, txn.data, txn.acl, ttlOwner(txn.ttl), txn.parentCVersion, zxid, header.time);
      case OpCode.delete:
      case OpCode.deleteContainer:
        return this.deleteNode(txn.type, txn.path, zxid);
      case OpCode.setData:
      case OpCode.reconfig:
        return this.setData(txn.type, txn.path, txn.data, txn.version, zxid, header.time);
      case OpCode.setACL:
        return this.setACL(txn.path, txn.acl, txn.version);
      case OpCode.check: {
        return this.has(txn.path) ? { type: txn.type, err: 0, path: txn.path } : { type: txn.type, err: Err.NONODE };
      }
      case OpCode.createSession:
        return { type: txn.type, err: 0 };
      case OpCode.closeSession:
        return this.killSession(header.clientId, zxid, txn.paths2Delete);
      case OpCode.error:
        return { type: txn.type, err: txn.err };
      case OpCode.multi: {
        const results: ProcessResult[] = [];
        let failed = false;
        for (const sub of txn.txns) if (sub.type === OpCode.error) failed = true;
        for (const sub of txn.txns) {
          if (failed) {
            results.push({ type: OpCode.error, err: sub.type === OpCode.error ? sub.err : 0 });
            continue;
          }
          const r = this.applyTxn(header, sub);
          results.push(r);
        }
        return { type: OpCode.multi, err: 0, multi: results };
      }
    }
  }

  private createNode(
    type: number,
    path: string,
    data: Buffer | null,
    acl: ACL[],
    ephemeralOwner: bigint,
    parentCVersion: number,
    zxid: bigint,
    time: bigint,
  ): ProcessResult {
    const parentPath = parentOf(path);
    const parent = this.lookup(parentPath);
    if (parent === NONE) return { type, err: Err.NONODE };
    if (this.has(path)) return { type, err: Err.NODEEXISTS };
    const s = this.store;
    if (parentCVersion === -1) parentCVersion = s.cversion[parent]! + 1;
    if (parentCVersion > s.cversion[parent]!) {
      s.cversion[parent] = parentCVersion;
      s.pzxid[parent] = zxid;
    }
    const id = this.addNode(path, parent, data, acl, zxid, time, ephemeralOwner);
    this.approximateDataSize += path.length + (data?.length ?? 0);
    this.indexEphemeral(path, ephemeralOwner);
    this.quotas.onCreate(path, data?.length ?? 0);
    // The Stat before the watches fire: a watcher's callback may change the tree.
    const stat = this.stat(id);
    this.fire(path, EventType.NodeCreated, zxid);
    this.fireChildren(parentPath, zxid);
    return { type, err: 0, path, stat };
  }

  private indexEphemeral(path: string, owner: bigint): void {
    const kind = ephemeralKind(owner);
    if (kind === 'container') this.containers.add(path);
    else if (kind === 'ttl') this.ttls.add(path);
    else if (kind === 'normal') {
      let set = this.ephemerals.get(owner);
      if (!set) this.ephemerals.set(owner, (set = new Set()));
      set.add(path);
    }
  }

  private deleteNode(type: number, path: string, zxid: bigint): ProcessResult {
    const s = this.store;
    const id = this.lookup(path);
    if (id === NONE) {
      // Only replay gets here (prep refuses a live delete of a missing znode): the znode was
      // deleted while a fuzzy snapshot was copied, after its parent had been. The parent's
      // pzxid still moves to the delete's zxid, as it did live (DataTree.deleteNode since
      // ZOOKEEPER-3125), or this member would answer a stale pzxid and digest.
      const parent = this.lookup(parentOf(path));
      if (parent !== NONE && zxid > s.pzxid[parent]!) s.pzxid[parent] = zxid;
      return { type, err: Err.NONODE };
    }
    if (s.childCount[id]! > 0) return { type, err: Err.NOTEMPTY };
    const parentPath = parentOf(path);
    const parent = s.parent[id]!;
    const owner = s.owner[id]!;
    const bytes = this.dataLength(id);
    s.remove(id);
    this.quotas.onDelete(path, bytes);
    this.approximateDataSize -= path.length + bytes;
    if (parent !== NONE && zxid > s.pzxid[parent]!) s.pzxid[parent] = zxid;
    const kind = ephemeralKind(owner);
    if (kind === 'container') this.containers.delete(path);
    else if (kind === 'ttl') this.ttls.delete(path);
    else if (kind === 'normal') {
      const set = this.ephemerals.get(owner);
      if (set) {
        set.delete(path);
        if (set.size === 0) this.ephemerals.delete(owner);
      }
    }
    const fired = new Set<Watcher>();
    this.dataWatches.trigger(path, EventType.NodeDeleted, fired);
    const alsoChild = new Set<Watcher>();
    this.childWatches.trigger(path, EventType.NodeDeleted, alsoChild, fired);
    this.watchesFired?.(EventType.NodeDeleted, fired.size);
    this.watchesFired?.(EventType.NodeDeleted, alsoChild.size);
    for (const w of alsoChild) fired.add(w);
    for (const w of fired) w.deliverEvent(EventType.NodeDeleted, path, zxid);
    this.fireChildren(parentPath, zxid);
    return { type, err: 0, path };
  }

  private setData(type: number, path: string, data: Buffer | null, version: number, zxid: bigint, time: bigint): ProcessResult {
    const id = this.lookup(path);
    if (id === NONE) return { type, err: Err.NONODE };
    const s = this.store;
    const diff = (data?.length ?? 0) - this.dataLength(id);
    this.approximateDataSize += diff;
    this.quotas.onSetData(path, diff);
    s.setData(id, data);
    s.version[id] = version;
    s.mzxid[id] = zxid;
    s.mtime[id] = time;
    const stat = this.stat(id);
    this.fire(path, EventType.NodeDataChanged, zxid);
    return { type, err: 0, path, stat };
  }

  private setACL(path: string, acl: ACL[], version: number): ProcessResult {
    const id = this.lookup(path);
    if (id === NONE) return { type: OpCode.setACL, err: Err.NONODE };
    this.store.aclIndex[id] = this.store.internAcl(acl);
    this.store.aversion[id] = version;
    return { type: OpCode.setACL, err: 0, path, stat: this.stat(id) };
  }

  /** Removes a closed or expired session's ephemerals (closeSession txn). */
  private killSession(sessionId: bigint, zxid: bigint, paths2Delete: string[]): ProcessResult {
    const listed = new Set(paths2Delete);
    const owned = this.ephemerals.get(sessionId);
    if (owned) for (const p of owned) listed.add(p);
    // Deepest first is not needed (ephemerals have no children) but keeps order stable.
    for (const p of [...listed].sort()) {
      const id = this.lookup(p);
      // A listed path already gone still raises its parent's pzxid (see deleteNode).
      if (id === NONE || this.store.owner[id] === sessionId) this.deleteNode(OpCode.delete, p, zxid);
    }
    this.ephemerals.delete(sessionId);
    return { type: OpCode.closeSession, err: 0 };
  }

  private fire(path: string, type: number, zxid: bigint): void {
    const fired = new Set<Watcher>();
    this.dataWatches.trigger(path, type, fired);
    this.watchesFired?.(type, fired.size);
    for (const w of fired) w.deliverEvent(type, path, zxid);
  }

  private fireChildren(parentPath: string, zxid: bigint): void {
    const fired = new Set<Watcher>();
    this.childWatches.trigger(parentPath, EventType.NodeChildrenChanged, fired);
    this.watchesFired?.(EventType.NodeChildrenChanged, fired.size);
    for (const w of fired) w.deliverEvent(EventType.NodeChildrenChanged, parentPath, zxid);
  }

  // ---- quotas: tree/quotas.ts keeps /zookeeper/quota/<path>/zookeeper_stats current.

  readonly quotas = new Quotas(this);

  /** Paths that carry a quota (have /zookeeper/quota/<path>/zookeeper_limits). */
  get quotaPaths(): Set<string> {
    return this.quotas.paths;
  }

  /** Finds every quota after a load (DataTree.setupQuota). */
  rebuildQuotas(): void {
    this.quotas.rebuild();
  }

  // ---- watches

  addDataWatch(path: string, w: Watcher): void {
    this.dataWatches.add(path, w);
  }

  addChildWatch(path: string, w: Watcher): void {
    this.childWatches.add(path, w);
  }

  addPersistentWatch(path: string, w: Watcher, recursive: boolean): void {
    const mode = recursive ? WatchMode.PersistentRecursive : WatchMode.Persistent;
    this.dataWatches.add(path, w, mode);
    this.childWatches.add(path, w, mode);
  }

  removeWatcher(w: Watcher): void {
    this.dataWatches.removeWatcher(w);
    this.childWatches.removeWatcher(w);
  }

  /** Walks the subtree under `path` (pre-order, parents before children, children by name). */
  *walk(path = '/'): Generator<[string, number]> {
    const stack = [path];
    while (stack.length) {
      const p = stack.pop()!;
      const id = this.lookup(p);
      if (id === NONE) continue;
      yield [p, id];
      const kids = this.childNames(id).sort().reverse();
      for (const c of kids) stack.push(joinPath(p, c));
    }
  }

  /** Number of all descendants of `path` (by the child links: no path is built). */
  countDescendants(path: string): number {
    const root = this.lookup(path);
    if (root === NONE) return -1;
    const s = this.store;
    let n = 0;
    const stack = [root];
    while (stack.length) {
      for (let c = s.firstChild[stack.pop()!]!; c !== NONE; c = s.nextSibling[c]!) {
        n++;
        if (s.firstChild[c] !== NONE) stack.push(c);
      }
    }
    return n;
  }

  // ---- loading a snapshot (storage, the quorum's SNAP)

  /** Empties the tree, default znodes included, before a snapshot is loaded into it. */
  clearForLoad(): void {
    this.store = new NodeStore();
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    this.approximateDataSize = 0;
    this.lastProcessedZxid = 0n;
  }

  /**
   * Adds one znode read from a snapshot (the root as "/"); its parent must be loaded already:
   * false, and nothing changed, when it is not. Rebuilds the ephemeral, container and TTL sets
   * from the stored ephemeralOwner. `stat` holds the record's StatPersisted (60 bytes, big-endian)
   * at `statOffset`; its fields go into the columns without a bigint each.
   */
  loadNode(path: string, data: Buffer | null, acl: ACL[], stat: Buffer, statOffset: number): boolean {
    let parent = NONE;
    if (path !== '/') {
      const slash = path.lastIndexOf('/');
      parent = this.lookup(slash === 0 ? '/' : path.slice(0, slash));
      if (parent === NONE) return false;
    }
    const s = this.store;
    const id = s.add(path, parent);
    s.setData(id, data);
    s.aclIndex[id] = s.internAcl(acl);
    s.readStat(id, stat, statOffset);
    this.approximateDataSize += path.length + (data?.length ?? 0);
    const owner = s.owner[id]!;
    if (path !== '/' && owner !== 0n) this.indexEphemeral(path, owner);
    return true;
  }

  /**
   * Takes over every znode `from` holds (a tree filled by loadNode from a snapshot or a SNAP),
   * with its ephemeral, container and TTL sets and its ACL cache, leaving `from` empty. Watches
   * and quotas stay this tree's (call rebuildQuotas after). Loading into a tree of its own and
   * adopting it once it read back whole is what keeps a bad image from changing this one.
   */
  adoptLoaded(from: DataTree): void {
    this.store = from.store;
    this.ephemerals = from.ephemerals;
    this.containers = from.containers;
    this.ttls = from.ttls;
    this.approximateDataSize = from.approximateDataSize;
    this.lastProcessedZxid = from.lastProcessedZxid;
    from.store = new NodeStore();
    from.ephemerals = new Map();
    from.containers = new Set();
    from.ttls = new Set();
    from.approximateDataSize = 0;
  }

  /**
   * Raises a znode's cversion and pzxid (DataTree.setCversionPzxid): a create replayed over a
   * fuzzy snapshot that already holds the znode must still leave its parent as it was live.
   */
  setCversionPzxid(path: string, newCversion: number, zxid: bigint): boolean {
    const id = this.lookup(path);
    if (id === NONE) return false;
    const s = this.store;
    if (newCversion === -1) newCversion = s.cversion[id]! + 1;
    if (newCversion > s.cversion[id]!) {
      s.cversion[id] = newCversion;
      s.pzxid[id] = zxid;
    }
    return true;
  }
}

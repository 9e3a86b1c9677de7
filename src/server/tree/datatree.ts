// The in-memory znode tree (org.apache.zookeeper.server.DataTree): nodes with their Stat
// bookkeeping, ACLs, ephemerals by session, containers and TTL nodes, and the watch tables.
// Transactions are applied here in zxid order; watch events fire as they apply.
import {
  CONTAINER_EPHEMERAL_OWNER,
  Err,
  EventType,
  OpCode,
  Perms,
} from '../../protocol/codes';
import { baseName, joinPath, parentOf } from '../../protocol/paths';
import type { ACL, Stat } from '../../protocol/records';
import type { Txn, TxnHeader } from '../../protocol/txn';
import { Quotas } from './quotas';
import { WatchMode, WatchTable, type Watcher } from './watches';

/** One znode. Longs are bigint, as on the wire. `cversion` is the stored (create-count) value. */
export interface DataNode {
  data: Buffer | null;
  acl: ACL[];
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: bigint;
  children: Set<string>;
}

export type EphemeralKind = 'void' | 'normal' | 'container' | 'ttl';

/** Kind of a node from its stored ephemeralOwner (EphemeralType.get). */
export function ephemeralKind(owner: bigint, extendedTypes = true): EphemeralKind {
  if (owner === 0n) return 'void';
  if (owner === CONTAINER_EPHEMERAL_OWNER) return 'container';
  if (extendedTypes && owner < 0n && (BigInt.asUintN(64, owner) >> 56n) === 0xffn) {
    const extType = (BigInt.asUintN(64, owner) >> 40n) & 0xffffn;
    if (extType === 0n) return 'ttl';
  }
  return 'normal';
}

export function ttlOf(owner: bigint): bigint {
  return BigInt.asUintN(64, owner) & 0xffffffffffn;
}

export function ttlOwner(ttl: bigint): bigint {
  return BigInt.asIntN(64, (0xffn << 56n) | ttl);
}

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

/** A leaf's children: one shared, read-only empty set (an own empty Set costs ~160 bytes a znode). */
class NoChildren extends Set<string> {
  override add(): this {
    throw new Error('the shared empty children set is read-only; DataTree gives a znode its own set before adding');
  }
  override delete(): boolean {
    return false;
  }
  override clear(): void {}
}
const NO_CHILDREN: Set<string> = new NoChildren();

/** The children set of `parent`, made its own first if it still shares NO_CHILDREN. */
function ownChildren(parent: DataNode): Set<string> {
  if (parent.children === NO_CHILDREN) parent.children = new Set();
  return parent.children;
}

const ROOT_ACL: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
const CONFIG_ACL: ACL[] = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];

export const ZOOKEEPER_PATH = '/zookeeper';
export const QUOTA_PATH = '/zookeeper/quota';
export const CONFIG_PATH = '/zookeeper/config';

function emptyNode(acl: ACL[]): DataNode {
  return {
    data: Buffer.alloc(0),
    acl,
    czxid: 0n,
    mzxid: 0n,
    ctime: 0n,
    mtime: 0n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 0n,
    children: new Set(),
  };
}

export class DataTree {
  // Not readonly: adoptLoaded() takes these over from a tree a snapshot was loaded into.
  nodes = new Map<string, DataNode>();
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
    for (const path of this.containers) {
      const n = this.nodes.get(path);
      if (n && n.children.size === 0 && n.cversion > 0) doomed.push(path);
    }
    for (const path of this.ttls) {
      const n = this.nodes.get(path);
      if (n && n.children.size === 0 && now - n.mtime > ttlOf(n.ephemeralOwner)) doomed.push(path);
    }
    return doomed;
  }
  readonly dataWatches = new WatchTable();
  readonly childWatches = new WatchTable();
  /** The zxid of the last applied txn. */
  lastProcessedZxid = 0n;
  /** Interned ACL lists: equal lists share one array (ZooKeeper's ACL cache). */
  private aclCache = new Map<string, ACL[]>();
  /** Σ(path length + data length), for mntr's zk_approximate_data_size. */
  approximateDataSize = 0;

  constructor() {
    const root = emptyNode(this.internAcl(ROOT_ACL));
    this.nodes.set('/', root);
    const zk = emptyNode(this.internAcl(ROOT_ACL));
    this.nodes.set(ZOOKEEPER_PATH, zk);
    root.children.add('zookeeper');
    const quota = emptyNode(this.internAcl(ROOT_ACL));
    this.nodes.set(QUOTA_PATH, quota);
    zk.children.add('quota');
    const config = emptyNode(this.internAcl(CONFIG_ACL));
    // DataTree.addConfigNode sets its ACL with setACL(path, READ_ACL_UNSAFE, -1), and setACL
    // stores the version it is given: /zookeeper/config's aversion is -1 on every server.
    config.aversion = -1;
    this.nodes.set(CONFIG_PATH, config);
    zk.children.add('config');
    this.approximateDataSize = ZOOKEEPER_PATH.length + QUOTA_PATH.length + CONFIG_PATH.length + 1;
  }

  /** The last list interned and its shared array: a snapshot passes one array for many znodes. */
  private lastAclIn: ACL[] | null = null;
  private lastAclOut: ACL[] = [];

  /** Equal ACL lists become one shared array. */
  internAcl(acl: ACL[]): ACL[] {
    if (acl === this.lastAclIn) return this.lastAclOut;
    const key = acl.map((a) => `${a.perms},${a.id.scheme},${a.id.id}`).join(';');
    let hit = this.aclCache.get(key);
    if (!hit) {
      hit = acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } }));
      this.aclCache.set(key, hit);
    }
    this.lastAclIn = acl;
    this.lastAclOut = hit;
    return hit;
  }

  getNode(path: string): DataNode | undefined {
    return this.nodes.get(path);
  }

  /** ZooKeeper's node count (its map holds the root twice, as "" and "/"). */
  nodeCount(): number {
    return this.nodes.size + 1;
  }

  /** The Stat a client sees (DataNode.copyStat). */
  statOf(n: DataNode): Stat {
    const kind = ephemeralKind(n.ephemeralOwner);
    return {
      czxid: n.czxid,
      mzxid: n.mzxid,
      ctime: n.ctime,
      mtime: n.mtime,
      version: n.version,
      cversion: n.cversion * 2 - n.children.size,
      aversion: n.aversion,
      ephemeralOwner: kind === 'normal' ? n.ephemeralOwner : 0n,
      dataLength: n.data === null ? 0 : n.data.length,
      numChildren: n.children.size,
      pzxid: n.pzxid,
    };
  }

  /** Writes /zookeeper/config locally, as each server does (not through a txn). */
  setConfigNode(text: string, configVersion: bigint): void {
    const n = this.nodes.get(CONFIG_PATH)!;
    this.approximateDataSize += text.length - (n.data?.length ?? 0);
    n.data = Buffer.from(text, 'utf8');
    n.version = -1;
    n.mzxid = configVersion;
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
        const n = this.nodes.get(txn.path);
        return n ? { type: txn.type, err: 0, path: txn.path } : { type: txn.type, err: Err.NONODE };
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
    const parent = this.nodes.get(parentPath);
    if (!parent) return { type, err: Err.NONODE };
    const name = baseName(path);
    if (parent.children.has(name)) return { type, err: Err.NODEEXISTS };
    if (parentCVersion === -1) parentCVersion = parent.cversion + 1;
    if (parentCVersion > parent.cversion) {
      parent.cversion = parentCVersion;
      parent.pzxid = zxid;
    }
    const node: DataNode = {
      data,
      acl: this.internAcl(acl),
      czxid: zxid,
      mzxid: zxid,
      ctime: time,
      mtime: time,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner,
      pzxid: zxid,
      children: NO_CHILDREN,
    };
    ownChildren(parent).add(name);
    this.nodes.set(path, node);
    this.approximateDataSize += path.length + (data?.length ?? 0);
    this.indexEphemeral(path, ephemeralOwner);
    this.quotas.onCreate(path, data?.length ?? 0);
    this.fire(path, EventType.NodeCreated, zxid);
    this.fireChildren(parentPath, zxid);
    return { type, err: 0, path, stat: this.statOf(node) };
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
    const node = this.nodes.get(path);
    if (!node) {
      // Only replay gets here (prep refuses a live delete of a missing znode): the znode was
      // deleted while a fuzzy snapshot was copied, after its parent had been. The parent's
      // pzxid still moves to the delete's zxid, as it did live (DataTree.deleteNode since
      // ZOOKEEPER-3125), or this member would answer a stale pzxid and digest.
      const parent = this.nodes.get(parentOf(path));
      if (parent && zxid > parent.pzxid) parent.pzxid = zxid;
      return { type, err: Err.NONODE };
    }
    if (node.children.size > 0) return { type, err: Err.NOTEMPTY };
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    this.nodes.delete(path);
    this.quotas.onDelete(path, node.data?.length ?? 0);
    this.approximateDataSize -= path.length + (node.data?.length ?? 0);
    if (parent) {
      parent.children.delete(baseName(path));
      if (zxid > parent.pzxid) parent.pzxid = zxid;
    }
    const kind = ephemeralKind(node.ephemeralOwner);
    if (kind === 'container') this.containers.delete(path);
    else if (kind === 'ttl') this.ttls.delete(path);
    else if (kind === 'normal') {
      const set = this.ephemerals.get(node.ephemeralOwner);
      if (set) {
        set.delete(path);
        if (set.size === 0) this.ephemerals.delete(node.ephemeralOwner);
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
    const node = this.nodes.get(path);
    if (!node) return { type, err: Err.NONODE };
    this.approximateDataSize += (data?.length ?? 0) - (node.data?.length ?? 0);
    this.quotas.onSetData(path, (data?.length ?? 0) - (node.data?.length ?? 0));
    node.data = data;
    node.version = version;
    node.mzxid = zxid;
    node.mtime = time;
    this.fire(path, EventType.NodeDataChanged, zxid);
    return { type, err: 0, path, stat: this.statOf(node) };
  }

  private setACL(path: string, acl: ACL[], version: number): ProcessResult {
    const node = this.nodes.get(path);
    if (!node) return { type: OpCode.setACL, err: Err.NONODE };
    node.acl = this.internAcl(acl);
    node.aversion = version;
    return { type: OpCode.setACL, err: 0, path, stat: this.statOf(node) };
  }

  /** Removes a closed or expired session's ephemerals (closeSession txn). */
  private killSession(sessionId: bigint, zxid: bigint, paths2Delete: string[]): ProcessResult {
    const listed = new Set(paths2Delete);
    const owned = this.ephemerals.get(sessionId);
    if (owned) for (const p of owned) listed.add(p);
    // Deepest first is not needed (ephemerals have no children) but keeps order stable.
    for (const p of [...listed].sort()) {
      const n = this.nodes.get(p);
      // A listed path already gone still raises its parent's pzxid (see deleteNode).
      if (!n || n.ephemeralOwner === sessionId) this.deleteNode(OpCode.delete, p, zxid);
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

  /** Walks the subtree under `path` (pre-order, parents before children). */
  *walk(path = '/'): Generator<[string, DataNode]> {
    const stack = [path];
    while (stack.length) {
      const p = stack.pop()!;
      const n = this.nodes.get(p);
      if (!n) continue;
      yield [p, n];
      const kids = [...n.children].sort().reverse();
      for (const c of kids) stack.push(joinPath(p, c));
    }
  }

  /** Number of all descendants of `path`. */
  countDescendants(path: string): number {
    let n = -1;
    for (const _ of this.walk(path)) n++;
    return n;
  }

  // ---- loading a snapshot (storage, the quorum's SNAP)

  /** Empties the tree, default znodes included, before a snapshot is loaded into it. */
  clearForLoad(): void {
    this.nodes.clear();
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    this.approximateDataSize = 0;
    this.lastProcessedZxid = 0n;
  }

  /**
   * Adds one znode read from a snapshot (the root as "/"); its parent must be loaded already:
   * false, and nothing changed, when it is not. Rebuilds the ephemeral, container and TTL sets
   * from the stored ephemeralOwner.
   */
  loadNode(path: string, node: Omit<DataNode, 'children'>): boolean {
    if (path !== '/') {
      const slash = path.lastIndexOf('/');
      const parent = this.nodes.get(slash === 0 ? '/' : path.slice(0, slash));
      if (!parent) return false;
      ownChildren(parent).add(path.slice(slash + 1));
    }
    // The same literal shape as createNode (one hidden class, fields in-object), and equal
    // longs share one bigint as they do for a created znode: a loaded tree of 1 M znodes is
    // hundreds of MB smaller than with a spread copy and separate bigints.
    const czxid = node.czxid;
    const ctime = node.ctime;
    const loaded: DataNode = {
      data: node.data,
      acl: this.internAcl(node.acl),
      czxid,
      mzxid: node.mzxid === czxid ? czxid : node.mzxid,
      ctime,
      mtime: node.mtime === ctime ? ctime : node.mtime,
      version: node.version,
      cversion: node.cversion,
      aversion: node.aversion,
      ephemeralOwner: node.ephemeralOwner === 0n ? 0n : node.ephemeralOwner,
      pzxid: node.pzxid === czxid ? czxid : node.pzxid,
      children: NO_CHILDREN,
    };
    this.nodes.set(path, loaded);
    this.approximateDataSize += path.length + (node.data?.length ?? 0);
    if (path !== '/') this.indexEphemeral(path, node.ephemeralOwner);
    return true;
  }

  /**
   * Takes over every znode `from` holds (a tree filled by loadNode from a snapshot or a SNAP),
   * with its ephemeral, container and TTL sets and its ACL cache, leaving `from` empty. Watches
   * and quotas stay this tree's (call rebuildQuotas after). Loading into a tree of its own and
   * adopting it once it read back whole is what keeps a bad image from changing this one.
   */
  adoptLoaded(from: DataTree): void {
    this.nodes = from.nodes;
    this.ephemerals = from.ephemerals;
    this.containers = from.containers;
    this.ttls = from.ttls;
    this.aclCache = from.aclCache;
    this.lastAclIn = null;
    this.approximateDataSize = from.approximateDataSize;
    this.lastProcessedZxid = from.lastProcessedZxid;
    from.nodes = new Map();
    from.ephemerals = new Map();
    from.containers = new Set();
    from.ttls = new Set();
    from.aclCache = new Map();
    from.lastAclIn = null;
    from.approximateDataSize = 0;
  }

  /**
   * Raises a znode's cversion and pzxid (DataTree.setCversionPzxid): a create replayed over a
   * fuzzy snapshot that already holds the znode must still leave its parent as it was live.
   */
  setCversionPzxid(path: string, newCversion: number, zxid: bigint): boolean {
    const n = this.nodes.get(path);
    if (!n) return false;
    if (newCversion === -1) newCversion = n.cversion + 1;
    if (newCversion > n.cversion) {
      n.cversion = newCversion;
      n.pzxid = zxid;
    }
    return true;
  }
}

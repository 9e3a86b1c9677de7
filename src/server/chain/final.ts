// FinalRequestProcessor's answers: a read runs against the local tree when it reaches the head
// of its connection's FIFO (setting its watches), and a write's reply is built from the result
// of applying its txn. Every role ends its chain here.
import { Err, EventType, OpCode, Perms } from '../../protocol/codes';
import * as R from '../../protocol/records';
import type { ACL, Id, Stat } from '../../protocol/records';
import { checkAcl, maskDigests } from '../acl';
import type { ClientConnection } from '../net/connection';
import type { MultiOp, Request } from '../request';
import { CONFIG_PATH, NONE, type DataTree, type ProcessResult } from '../tree/datatree';
import { WatchMode, type WatchTable } from '../tree/watches';
import { clonedTableSize, grownTableSize, javaHashOrder, javaIdHash, javaStringHash } from '../util/javaorder';

/** setWatches and setWatches2 (which adds the persistent lists). */
type SetWatchesBody = ReturnType<typeof R.SetWatches.decode> & Partial<ReturnType<typeof R.SetWatches2.decode>>;

export class FinalProcessor {
  constructor(
    private readonly tree: DataTree,
    private readonly skipACL: boolean,
  ) {}

  /** The reply to a write whose txn applied (or failed) with `result`. */
  writeReply(conn: ClientConnection, req: Request, result: ProcessResult, zxid: bigint): Buffer {
    const z = zxid > this.tree.lastProcessedZxid ? zxid : this.tree.lastProcessedZxid;
    if (req.type === OpCode.multi) return conn.frameMultiReply(req.cxid, z, result.multi ?? [], req);
    if (result.err !== 0) return conn.frameReply(req.cxid, z, result.err);
    switch (req.type) {
      case OpCode.create:
        return conn.frameReply(req.cxid, z, 0, R.CreateResponse, { path: result.path! });
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return conn.frameReply(req.cxid, z, 0, R.Create2Response, { path: result.path!, stat: result.stat! });
      case OpCode.setData:
      case OpCode.setACL:
        return conn.frameReply(req.cxid, z, 0, R.StatResponse, { stat: result.stat! });
      case OpCode.reconfig:
        return conn.frameReply(req.cxid, z, 0, R.GetDataResponse, { data: this.configData(), stat: result.stat! });
      default:
        return conn.frameReply(req.cxid, z, 0);
    }
  }

  private configData(): Buffer | null {
    const id = this.tree.lookup(CONFIG_PATH);
    return id === NONE ? null : this.tree.data(id);
  }

  /**
   * The znode's id (>= 0) once the ACL lets `perm` through, or the error code (ZooKeeper's
   * codes are all negative); read the znode before anything yields.
   */
  private readNode(path: string, ids: Id[], perm: number = Perms.READ): number {
    const id = this.tree.lookup(path);
    if (id === NONE) return Err.NONODE;
    if (!checkAcl(this.tree.acl(id), perm, ids, this.skipACL)) return Err.NOAUTH;
    return id;
  }

  /** Runs a read-only request (FinalRequestProcessor) and returns the framed reply. */
  read(conn: ClientConnection, req: Request): Buffer | null {
    const z = this.tree.lastProcessedZxid;
    const ids = req.authInfo;
    const body = req.body;
    const err = (code: number): Buffer => conn.frameReply(req.cxid, z, code);
    switch (body.type) {
      case OpCode.exists: {
        const path: string = body.req.path;
        if (path.includes('\0')) return err(Err.BADARGUMENTS);
        // No ACL check: ZooKeeper 3.8's FinalRequestProcessor answers exists with the Stat (and
        // sets the watch) whatever the node's ACL, so a client without READ still gets a Stat.
        const node = this.tree.lookup(path);
        if (body.req.watch) this.tree.addDataWatch(path, conn);
        if (node === NONE) return err(Err.NONODE);
        return conn.frameReply(req.cxid, z, 0, R.StatResponse, { stat: this.tree.stat(node) });
      }
      case OpCode.getData: {
        const r = this.readNode(body.req.path, ids);
        if (r < 0) return err(r);
        if (body.req.watch) this.tree.addDataWatch(body.req.path, conn);
        return conn.frameReply(req.cxid, z, 0, R.GetDataResponse, { data: this.tree.data(r), stat: this.tree.stat(r) });
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        const r = this.readNode(body.req.path, ids);
        if (r < 0) return err(r);
        if (body.req.watch) this.tree.addChildWatch(body.req.path, conn);
        const children = this.childrenInJavaOrder(r);
        if (req.type === OpCode.getChildren) return conn.frameReply(req.cxid, z, 0, R.GetChildrenResponse, { children });
        return conn.frameReply(req.cxid, z, 0, R.GetChildren2Response, { children, stat: this.tree.stat(r) });
      }
      case OpCode.getACL: {
        const r = this.readNode(body.req.path, ids, Perms.READ | Perms.ADMIN);
        if (r < 0) return err(r);
        let acl: ACL[] = this.tree.acl(r);
        if (!checkAcl(acl, Perms.ADMIN, ids, this.skipACL)) acl = maskDigests(acl);
        return conn.frameReply(req.cxid, z, 0, R.GetACLResponse, { acl, stat: this.tree.stat(r) });
      }
      case OpCode.getAllChildrenNumber: {
        const r = this.readNode(body.req.path, ids);
        if (r < 0) return err(r);
        return conn.frameReply(req.cxid, z, 0, R.GetAllChildrenNumberResponse, { totalNumber: this.tree.countDescendants(body.req.path) });
      }
      case OpCode.getEphemerals: {
        const prefix: string = body.req.prefixPath;
        const owned = [...(this.tree.ephemerals.get(req.sessionId) ?? [])];
        // ZooKeeper iterates a clone of the session's hash set.
        const mine = javaHashOrder(owned, javaStringHash, clonedTableSize(owned.length));
        const ephemerals = prefix === '' || prefix.trim() === '/' ? mine : mine.filter((p) => p.startsWith(prefix));
        return conn.frameReply(req.cxid, z, 0, R.GetEphemeralsResponse, { ephemerals });
      }
      case OpCode.whoAmI: {
        const ordered = javaHashOrder(ids, (id) => javaIdHash(id.scheme, id.id));
        const clientInfo = ordered.map((id) => ({
          authScheme: id.scheme,
          user: id.scheme === 'digest' ? id.id.split(':', 1)[0]! : id.id,
        }));
        return conn.frameReply(req.cxid, z, 0, R.WhoAmIResponse, { clientInfo });
      }
      case OpCode.setWatches:
      case OpCode.setWatches2:
        this.setWatches(conn, body.req, req.type === OpCode.setWatches2);
        return conn.frameReply(req.cxid, z, 0);
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        const found = this.checkOrRemoveWatches(conn, body.req.path, body.req.type, req.type === OpCode.removeWatches);
        return err(found ? 0 : Err.NOWATCHER);
      }
      case OpCode.addWatch: {
        const mode = body.req.mode;
        if (mode !== 0 && mode !== 1) return err(Err.BADARGUMENTS);
        this.tree.addPersistentWatch(body.req.path, conn, mode === 1);
        return conn.frameReply(req.cxid, z, 0, R.ErrorResponse, { err: 0 });
      }
      case OpCode.multiRead:
        return conn.frameMultiReadReply(req.cxid, z, body.ops.map((op) => this.multiReadOp(op, ids)));
      default:
        return err(Err.UNIMPLEMENTED);
    }
  }

  private multiReadOp(op: MultiOp, ids: Id[]): { type: number; err: number; data?: Buffer | null; stat?: Stat; children?: string[] } {
    const r = this.readNode(op.req.path, ids);
    if (r < 0) return { type: OpCode.error, err: r };
    if (op.type === OpCode.getData) return { type: OpCode.getData, err: 0, data: this.tree.data(r), stat: this.tree.stat(r) };
    return { type: OpCode.getChildren, err: 0, children: this.childrenInJavaOrder(r) };
  }

  /** The children as ZooKeeper's HashSet iterates them (a set grown from 8 entries). */
  private childrenInJavaOrder(id: number): string[] {
    const names = this.tree.childNames(id);
    return javaHashOrder(names, javaStringHash, grownTableSize(names.length, 8));
  }

  private setWatches(conn: ClientConnection, w: SetWatchesBody, v2: boolean): void {
    const rel = w.relativeZxid;
    for (const path of w.dataWatches) {
      const n = this.tree.lookup(path);
      if (n === NONE) conn.deliverEvent(EventType.NodeDeleted, path, -1n);
      else if (this.tree.mzxid(n) > rel) conn.deliverEvent(EventType.NodeDataChanged, path, -1n);
      else this.tree.addDataWatch(path, conn);
    }
    for (const path of w.existWatches) {
      if (this.tree.has(path)) conn.deliverEvent(EventType.NodeCreated, path, -1n);
      else this.tree.addDataWatch(path, conn);
    }
    for (const path of w.childWatches) {
      const n = this.tree.lookup(path);
      if (n === NONE) conn.deliverEvent(EventType.NodeDeleted, path, -1n);
      else if (this.tree.pzxid(n) > rel) conn.deliverEvent(EventType.NodeChildrenChanged, path, -1n);
      else this.tree.addChildWatch(path, conn);
    }
    if (v2) {
      for (const path of w.persistentWatches ?? []) this.tree.addPersistentWatch(path, conn, false);
      for (const path of w.persistentRecursiveWatches ?? []) this.tree.addPersistentWatch(path, conn, true);
    }
  }

  private checkOrRemoveWatches(conn: ClientConnection, path: string, type: number, remove: boolean): boolean {
    const tables: { table: WatchTable; modes?: WatchMode[] }[] = [];
    // WatcherType: 1 children, 2 data, 3 any (also persistent), 4 persistent, 5 persistent recursive.
    if (type === 1) tables.push({ table: this.tree.childWatches, modes: [WatchMode.Standard] });
    else if (type === 2) tables.push({ table: this.tree.dataWatches, modes: [WatchMode.Standard] });
    else if (type === 3) tables.push({ table: this.tree.childWatches }, { table: this.tree.dataWatches });
    else if (type === 4) tables.push({ table: this.tree.childWatches, modes: [WatchMode.Persistent] }, { table: this.tree.dataWatches, modes: [WatchMode.Persistent] });
    else if (type === 5)
      tables.push(
        { table: this.tree.childWatches, modes: [WatchMode.PersistentRecursive] },
        { table: this.tree.dataWatches, modes: [WatchMode.PersistentRecursive] },
      );
    let found = false;
    for (const { table, modes } of tables) {
      const mode = table.modeOf(path, conn);
      if (mode === undefined || (modes && !modes.includes(mode))) continue;
      found = true;
      if (remove) table.remove(path, conn, modes);
    }
    return found;
  }
}

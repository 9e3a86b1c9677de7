// The client-facing core of a member (ZooKeeperServer + FinalRequestProcessor): sessions'
// request queues, reads, applying committed txns in zxid order, firing watches, and replies
// in request order per connection.
import { Err, EventType, OpCode, Perms } from '../protocol/codes';
import { Writer } from '../protocol/jute';
import * as R from '../protocol/records';
import type { ACL, Id, Stat } from '../protocol/records';
import { isWriteOp, type LoggedTxn } from '../protocol/txn';
import { checkAcl, maskDigests } from './acl';
import type { ServerConfig } from './config';
import type { ClientConnection } from './net/connection';
import { READ_ONLY_REFUSED } from './quorum/read-only';
import type { Replicator } from './replicator';
import type { MultiOp, Request } from './request';
import { initialSessionId } from './session/tracker';
import { ServerStats } from './stats';
import { EventLog } from './events';
import type { SessionTable, Storage } from './storage/types';
import { CONFIG_PATH, DataTree, type ProcessResult } from './tree/datatree';
import { WatchMode, type WatchTable } from './tree/watches';
import { clonedTableSize, grownTableSize, javaHashOrder, javaIdHash, javaStringHash } from './util/javaorder';

/** setWatches and setWatches2 (which adds the persistent lists). */
type SetWatchesBody = ReturnType<typeof R.SetWatches.decode> & Partial<ReturnType<typeof R.SetWatches2.decode>>;

/** A request waiting in its connection's FIFO. */
export interface PendingEntry {
  req: Request;
  /** Writes and syncs complete asynchronously; reads run when they reach the head. */
  async: boolean;
  done: boolean;
  reply: Buffer | null;
  /** Close the connection after this reply (closeSession). */
  closeAfter: boolean;
  startedAt: number;
}

export type Logger = (level: 'INFO' | 'WARN' | 'ERROR', msg: string) => void;

export class ServerCore {
  readonly tree = new DataTree();
  /** Every live session and its timeout (as snapshots record them). */
  readonly sessionTable: SessionTable = new Map();
  readonly connections = new Set<ClientConnection>();
  readonly bySession = new Map<bigint, ClientConnection>();
  /** Connections waiting for their createSession txn. */
  readonly pendingConnects = new Map<bigint, ClientConnection>();
  readonly stats = new ServerStats();
  /** What this member did (roles, elections, syncs), for the AdminServer's lab_events. */
  readonly events = new EventLog();
  replicator!: Replicator;
  readonly startedAt = Date.now();
  /** Set when the disk failed: no more writes are acknowledged. */
  writeFailure: string | null = null;
  /** SASL DIGEST-MD5 users from the JAAS `Server` section, or null when SASL is not configured. */
  saslUsers: Map<string, string> | null = null;
  /** myid in an ensemble, 1 standalone: the top byte of the session ids this server makes. */
  serverId = 1;
  private nextSessionId: bigint | null = null;

  constructor(
    readonly cfg: ServerConfig,
    readonly storage: Storage,
    readonly log: Logger,
  ) {}

  get lastProcessedZxid(): bigint {
    return this.tree.lastProcessedZxid;
  }

  /** A fresh session id, unique in the ensemble (SessionTrackerImpl.initializeNextSessionId). */
  allocateSessionId(): bigint {
    if (this.nextSessionId === null) this.nextSessionId = initialSessionId(this.serverId, Date.now());
    let id = this.nextSessionId;
    this.nextSessionId = BigInt.asIntN(64, id + 1n);
    if (id === -0x8000000000000000n) id = this.allocateSessionId();
    return id;
  }

  // ---- requests from connections

  /** Takes a decoded request from a connection (after the handshake). */
  receive(conn: ClientConnection, req: Request): void {
    this.stats.packetsReceived++;
    const isAsync = isWriteRequest(req.type) || req.type === OpCode.sync;
    const entry: PendingEntry = { req, async: isAsync, done: false, reply: null, closeAfter: false, startedAt: Date.now() };
    conn.pending.push(entry);
    this.replicator.touchSession(req.sessionId, conn.sessionTimeout);
    if (this.replicator.isReadOnly?.() && READ_ONLY_REFUSED.has(req.type)) {
      // ReadOnlyRequestProcessor, first in a read-only server's chain, refuses these outright.
      entry.reply = conn.frameReply(req.cxid, this.lastProcessedZxid, Err.NOTREADONLY);
      entry.done = true;
    } else if (req.body.type === OpCode.sync) {
      const path = req.body.req.path;
      this.replicator.submitSync(req, () => {
        entry.reply = conn.frameReply(req.cxid, this.lastProcessedZxid, 0, R.SyncResponse, { path });
        entry.done = true;
        this.drain(conn);
      });
    } else if (isAsync) {
      if (this.writeFailure !== null) {
        entry.reply = conn.frameReply(req.cxid, this.lastProcessedZxid, Err.SYSTEMERROR);
        entry.done = true;
      } else {
        this.replicator.submitWrite(req);
      }
    }
    this.drain(conn);
  }

  /** Sends every finished reply at the head of the FIFO; runs reads that reached the head. */
  drain(conn: ClientConnection): void {
    while (conn.pending.length > 0) {
      const head = conn.pending[0]!;
      if (!head.done) {
        if (head.async) break;
        head.reply = this.executeRead(conn, head.req);
        head.done = true;
      }
      conn.pending.shift();
      if (head.reply) {
        conn.send(head.reply);
        this.stats.packetsSent++;
        const latency = Date.now() - head.startedAt;
        this.stats.recordLatency(latency);
        conn.recordLatency(latency, head.req);
      }
      if (head.closeAfter) {
        conn.close('session closed by the client');
        return;
      }
    }
    conn.maybeResume();
  }

  // ---- committed txns

  /** Applies a committed txn (in zxid order) and completes the local request that caused it. */
  applyCommitted(t: LoggedTxn): ProcessResult {
    const { header, txn } = t;
    const result = this.tree.processTxn(header, txn);
    const sid = header.clientId;
    if (txn.type === OpCode.createSession) {
      this.sessionTable.set(sid, txn.timeOut);
      this.sessionEstablished(sid, txn.timeOut);
      return result;
    }
    if (txn.type === OpCode.closeSession) {
      this.sessionTable.delete(sid);
    }
    const conn = this.bySession.get(sid);
    if (conn) {
      const entry = conn.pending.find((e) => !e.done && e.async && e.req.cxid === header.cxid);
      if (entry) {
        entry.reply = this.buildWriteReply(conn, entry.req, result, header.zxid);
        entry.done = true;
        if (txn.type === OpCode.closeSession) entry.closeAfter = true;
        this.drain(conn);
      } else if (txn.type === OpCode.closeSession) {
        // Expired by the session tracker: the socket closes without a notification.
        conn.close('session expired');
      }
    }
    return result;
  }

  /** A new session exists: its connection, waiting for it, gets its ConnectResponse. */
  sessionEstablished(sid: bigint, timeout: number): void {
    const conn = this.pendingConnects.get(sid);
    if (!conn) return;
    this.pendingConnects.delete(sid);
    this.bySession.set(sid, conn);
    conn.finishConnect(sid, timeout);
  }

  /**
   * Answers a write-path request without a txn: an error, or (closeAfter) a local session's
   * closeSession, whose reply goes out before its connection closes.
   */
  answerLocally(req: Request, err: number, closeAfter = false): void {
    const conn = this.bySession.get(req.sessionId);
    if (!conn) return;
    const entry = conn.pending.find((e) => !e.done && e.async && e.req.cxid === req.cxid);
    if (!entry) return;
    entry.reply = conn.frameReply(req.cxid, this.lastProcessedZxid, err);
    entry.done = true;
    entry.closeAfter = closeAfter;
    this.drain(conn);
  }

  private buildWriteReply(conn: ClientConnection, req: Request, result: ProcessResult, zxid: bigint): Buffer {
    const z = zxid > this.lastProcessedZxid ? zxid : this.lastProcessedZxid;
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
        return conn.frameReply(req.cxid, z, 0, R.GetDataResponse, { data: this.tree.getNode(CONFIG_PATH)?.data ?? null, stat: result.stat! });
      default:
        return conn.frameReply(req.cxid, z, 0);
    }
  }

  // ---- reads

  private readNode(path: string, ids: Id[], perm: number = Perms.READ): { stat: Stat; node: NonNullable<ReturnType<DataTree['getNode']>> } | number {
    const node = this.tree.getNode(path);
    if (!node) return Err.NONODE;
    if (!checkAcl(node.acl, perm, ids, this.cfg.skipACL)) return Err.NOAUTH;
    return { stat: this.tree.statOf(node), node };
  }

  /** Runs a read-only request (FinalRequestProcessor) and returns the framed reply. */
  executeRead(conn: ClientConnection, req: Request): Buffer | null {
    const z = this.lastProcessedZxid;
    const ids = req.authInfo;
    const body = req.body;
    const err = (code: number): Buffer => conn.frameReply(req.cxid, z, code);
    switch (body.type) {
      case OpCode.exists: {
        const path: string = body.req.path;
        if (path.includes('\0')) return err(Err.BADARGUMENTS);
        // No ACL check: ZooKeeper 3.8's FinalRequestProcessor answers exists with the Stat (and
        // sets the watch) whatever the node's ACL, so a client without READ still gets a Stat.
        const node = this.tree.getNode(path);
        if (body.req.watch) this.tree.addDataWatch(path, conn);
        if (!node) return err(Err.NONODE);
        return conn.frameReply(req.cxid, z, 0, R.StatResponse, { stat: this.tree.statOf(node) });
      }
      case OpCode.getData: {
        const r = this.readNode(body.req.path, ids);
        if (typeof r === 'number') return err(r);
        if (body.req.watch) this.tree.addDataWatch(body.req.path, conn);
        return conn.frameReply(req.cxid, z, 0, R.GetDataResponse, { data: r.node.data, stat: r.stat });
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        const r = this.readNode(body.req.path, ids);
        if (typeof r === 'number') return err(r);
        if (body.req.watch) this.tree.addChildWatch(body.req.path, conn);
        const children = javaHashOrder([...r.node.children], javaStringHash, grownTableSize(r.node.children.size, 8));
        if (req.type === OpCode.getChildren) return conn.frameReply(req.cxid, z, 0, R.GetChildrenResponse, { children });
        return conn.frameReply(req.cxid, z, 0, R.GetChildren2Response, { children, stat: r.stat });
      }
      case OpCode.getACL: {
        const r = this.readNode(body.req.path, ids, Perms.READ | Perms.ADMIN);
        if (typeof r === 'number') return err(r);
        let acl: ACL[] = r.node.acl;
        if (!checkAcl(acl, Perms.ADMIN, ids, this.cfg.skipACL)) acl = maskDigests(acl);
        return conn.frameReply(req.cxid, z, 0, R.GetACLResponse, { acl, stat: r.stat });
      }
      case OpCode.getAllChildrenNumber: {
        const r = this.readNode(body.req.path, ids);
        if (typeof r === 'number') return err(r);
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
    if (typeof r === 'number') return { type: OpCode.error, err: r };
    if (op.type === OpCode.getData) return { type: OpCode.getData, err: 0, data: r.node.data, stat: r.stat };
    const children = javaHashOrder([...r.node.children], javaStringHash, grownTableSize(r.node.children.size, 8));
    return { type: OpCode.getChildren, err: 0, children };
  }

  private setWatches(conn: ClientConnection, w: SetWatchesBody, v2: boolean): void {
    const rel = w.relativeZxid;
    for (const path of w.dataWatches) {
      const n = this.tree.getNode(path);
      if (!n) conn.deliverEvent(EventType.NodeDeleted, path, -1n);
      else if (n.mzxid > rel) conn.deliverEvent(EventType.NodeDataChanged, path, -1n);
      else this.tree.addDataWatch(path, conn);
    }
    for (const path of w.existWatches) {
      if (this.tree.getNode(path)) conn.deliverEvent(EventType.NodeCreated, path, -1n);
      else this.tree.addDataWatch(path, conn);
    }
    for (const path of w.childWatches) {
      const n = this.tree.getNode(path);
      if (!n) conn.deliverEvent(EventType.NodeDeleted, path, -1n);
      else if (n.pzxid > rel) conn.deliverEvent(EventType.NodeChildrenChanged, path, -1n);
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

  // ---- connections

  /** A connection ended: drop its watches and its claim on the session (the session lives on). */
  connectionClosed(conn: ClientConnection): void {
    this.connections.delete(conn);
    this.tree.removeWatcher(conn);
    if (conn.sessionId !== null && this.bySession.get(conn.sessionId) === conn) this.bySession.delete(conn.sessionId);
    if (conn.sessionId !== null && this.pendingConnects.get(conn.sessionId) === conn) this.pendingConnects.delete(conn.sessionId);
  }

  /** Closes every client connection (the server stopped serving). */
  closeAllConnections(reason: string): void {
    for (const c of [...this.connections]) c.close(reason);
  }

  outstandingRequests(): number {
    let n = 0;
    for (const c of this.connections) n += c.pending.length;
    return n;
  }
}

/**
 * Requests that go through the write path (a txn, or createSession/closeSession). `check` alone
 * is answered directly; `deleteContainer` never comes from a client.
 */
export function isWriteRequest(type: number): boolean {
  return isWriteOp(type) && type !== OpCode.check && type !== OpCode.deleteContainer;
}

/** Every reply is encoded here first, then copied out at its exact size (no regrowth per reply). */
const scratch = new Writer(64 * 1024);

/** Encodes a reply: length prefix + ReplyHeader [+ body]. */
export function frame<T>(xid: number, zxid: bigint, err: number, codec?: { write(w: Writer, v: T): void }, body?: T): Buffer {
  const w = scratch;
  w.pos = 0;
  w.int(0);
  R.ReplyHeader.write(w, { xid, zxid, err });
  if (codec && err === 0) codec.write(w, body as T);
  w.patchInt(0, w.pos - 4);
  return Buffer.from(w.bytes());
}

// The client-facing core of a member (ZooKeeperServer + FinalRequestProcessor): sessions'
// request queues, reads, applying committed txns in zxid order, firing watches, and replies
// in request order per connection.
import type { Clock } from './runtime/clock';
import type { DiskFaults } from './runtime/disk-faults';
import { Err, OpCode } from '../protocol/codes';
import { Writer } from '../protocol/jute';
import * as R from '../protocol/records';
import { isWriteOp, type LoggedTxn } from '../protocol/txn';
import type { ServerConfig } from './config';
import type { ClientConnection } from './net/connection';
import { FinalProcessor } from './chain/final';
import type { Replicator } from './replicator';
import type { Request } from './request';
import { initialSessionId } from './session/tracker';
import { ServerMetrics } from './metrics';
import { ServerStats } from './stats';
import { EventLog } from './events';
import type { SessionTable, Storage } from './storage/types';
import { DataTree, type ProcessResult } from './tree/datatree';

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

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
/** The member's log (log.ts writes it in ZooKeeper's layout). */
export type Logger = (level: LogLevel, msg: string) => void;

export class ServerCore {
  readonly tree = new DataTree();
  /** Every live session and its timeout (as snapshots record them). */
  readonly sessionTable: SessionTable = new Map();
  readonly connections = new Set<ClientConnection>();
  readonly bySession = new Map<bigint, ClientConnection>();
  /** Connections waiting for their createSession txn. */
  readonly pendingConnects = new Map<bigint, ClientConnection>();
  readonly stats: ServerStats;
  /** What this member did (roles, elections, syncs), for the AdminServer's lab_events. */
  readonly events: EventLog;
  replicator!: Replicator;
  /** Wall-clock ms at start, from the member's clock (as every time the core takes). */
  readonly startedAt: number;
  /** ZooKeeper 3.8's ServerMetrics: counters and summaries for mntr and Prometheus. */
  readonly metrics: ServerMetrics;
  /** The sizes of replies to clients (ServerStats' client_response_stats: last, min, max; -1 before any). */
  readonly responseSizes = { last: -1, min: -1, max: -1 };
  /** Set when the disk failed: no more writes are acknowledged. */
  writeFailure: string | null = null;
  /** SASL DIGEST-MD5 users from the JAAS `Server` section, or null when SASL is not configured. */
  saslUsers: Map<string, string> | null = null;
  /** The lab's disk faults on this member's disk (lab_disk), when it has a disk. */
  diskFaults: DiskFaults | null = null;
  /** myid in an ensemble, 1 standalone: the top byte of the session ids this server makes. */
  serverId = 1;
  private nextSessionId: bigint | null = null;
  /** The last stage of every chain: reads, and the replies of applied writes. */
  readonly final: FinalProcessor;

  constructor(
    readonly cfg: ServerConfig,
    readonly storage: Storage,
    readonly log: Logger,
    /** The member's clock: session ids, request times and events take their time from it, not Date.now(). */
    readonly clock: Clock,
  ) {
    this.startedAt = clock.wall();
    this.metrics = new ServerMetrics(this.startedAt);
    this.stats = new ServerStats(this.metrics);
    this.events = new EventLog(undefined, () => clock.wall());
    this.final = new FinalProcessor(this.tree, cfg.skipACL);
    this.events.onEmit = (e) => this.metrics.event(e);
    this.tree.watchesFired = (type, n) => this.metrics.watchesFired(type, n);
  }

  get lastProcessedZxid(): bigint {
    return this.tree.lastProcessedZxid;
  }

  /** A fresh session id, unique in the ensemble (SessionTrackerImpl.initializeNextSessionId). */
  allocateSessionId(): bigint {
    if (this.nextSessionId === null) this.nextSessionId = initialSessionId(this.serverId, this.clock.wall());
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
    const entry: PendingEntry = { req, async: isAsync, done: false, reply: null, closeAfter: false, startedAt: this.clock.wall() };
    conn.pending.push(entry);
    this.replicator.touchSession(req.sessionId, conn.sessionTimeout);
    const refused = this.replicator.chain().refuse(req);
    if (refused !== null) {
      // The chain's first stage (a read-only server's) refuses it outright.
      entry.reply = conn.frameReply(req.cxid, this.lastProcessedZxid, refused);
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

  /** ServerStats.updateClientResponseSize: a reply's length (its frame's length prefix). */
  private responseSize(n: number): void {
    const r = this.responseSizes;
    r.last = n;
    if (r.min < 0 || n < r.min) r.min = n;
    if (n > r.max) r.max = n;
  }

  /** Sends every finished reply at the head of the FIFO; runs reads that reached the head. */
  drain(conn: ClientConnection): void {
    while (conn.pending.length > 0) {
      const head = conn.pending[0]!;
      if (!head.done) {
        if (head.async) break;
        head.reply = this.final.read(conn, head.req);
        head.done = true;
      }
      conn.pending.shift();
      if (head.reply) {
        conn.send(head.reply);
        this.stats.packetsSent++;
        const latency = this.clock.wall() - head.startedAt;
        this.stats.updateLatency(latency, isWriteRequest(head.req.type));
        this.responseSize(head.reply.length - 4);
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
        entry.reply = this.final.writeReply(conn, entry.req, result, header.zxid);
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
    // The createSession txn's answer is the ConnectResponse: an update, as
    // FinalRequestProcessor's updateStats counts it.
    this.stats.updateLatency(this.clock.wall() - conn.connectRequestAt, true);
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

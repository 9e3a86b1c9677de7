// One client connection (NIOServerCnxn): 4-byte length framing, the connect handshake,
// four-letter words on a fresh socket, auth, pings, watch notifications, and the request FIFO.
// A malformed frame or record closes this connection and nothing else.
import type { Conn } from '../runtime/net';
import { CONNECTION_PENDING_MAX, CONNECTION_WRITE_BUFFER_MAX } from '../../protocol/limits';
import { Err, EventType, KeeperState, OP_SHORT_NAME, OpCode, Xid } from '../../protocol/codes';
import { JuteError, Reader, Writer } from '../../protocol/jute';
import * as R from '../../protocol/records';
import type { Id, Stat } from '../../protocol/records';
import { digestOf } from '../acl';
import { DigestMd5Server } from '../auth/sasl';
import { frame, type PendingEntry, type ServerCore } from '../core';
import { decodeRequestBody, RequestDecodeError, type Request } from '../request';
import { passwordMatches, sessionPassword } from '../session/password';
import type { ProcessResult } from '../tree/datatree';
import type { Watcher } from '../tree/watches';

let nextWatcherId = 1;

/** Above this many queued requests the socket stops being read until the FIFO drains. */
const MAX_PENDING = CONNECTION_PENDING_MAX;
/** A client that stops reading its replies is dropped once this much output is queued. */
const MAX_WRITE_BUFFER = CONNECTION_WRITE_BUFFER_MAX;

export type FourLetterHandler = (cmd: string, conn: ClientConnection, arg?: bigint) => string;

/** A client's byte stream, as the connection uses it: a node:net Socket, or a simulated one. */
export interface ClientSocket extends Conn {
  end(): unknown;
  end(text: string, encoding: BufferEncoding): unknown;
  cork(): void;
  uncork(): void;
  pause(): unknown;
  resume(): unknown;
  readonly writableLength: number;
}

export class ClientConnection implements Watcher {
  readonly watcherId = nextWatcherId++;
  readonly pending: PendingEntry[] = [];
  sessionId: bigint | null = null;
  sessionTimeout = 0;
  readonly authInfo: Id[];
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly established: number;
  private inbuf: Buffer = Buffer.alloc(0);
  private state: 'new' | 'connecting' | 'open' | 'closed' = 'new';
  private paused = false;
  private closedReason: string | null = null;
  /**
   * A client older than 3.3 sends its ConnectRequest without the readOnly byte and reads a
   * ConnectResponse without one (36 bytes): ServerCnxn.isOldClient in ZooKeeper.
   */
  private oldClient = false;
  /** When its ConnectRequest arrived (the createSession's latency runs from there). */
  connectRequestAt = 0;
  // Per-connection statistics for cons / connections.
  packetsReceived = 0;
  packetsSent = 0;
  lastOp = 'NA';
  lastCxid = -1;
  lastZxid = -1n;
  lastResponseTime = 0;
  lastLatency = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  latencyCount = 0;

  constructor(
    readonly socket: ClientSocket,
    private readonly core: ServerCore,
    private readonly fourLetter: FourLetterHandler,
    private readonly fourLetterCodes: Set<string>,
  ) {
    this.remoteAddress = (socket.remoteAddress ?? '0.0.0.0').replace(/^::ffff:/, '');
    this.remotePort = socket.remotePort ?? 0;
    this.established = core.clock.wall();
    this.authInfo = [{ scheme: 'ip', id: this.remoteAddress }];
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => this.close('socket error'));
    socket.on('close', () => this.close('socket closed'));
    core.connections.add(this);
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.core.metrics.count('bytes_received_count', chunk.length);
    this.inbuf = this.inbuf.length === 0 ? chunk : Buffer.concat([this.inbuf, chunk]);
    try {
      this.processInput();
    } catch (e) {
      if (e instanceof JuteError || e instanceof RequestDecodeError) {
        this.core.log('WARN', `Closing connection from ${this.remoteAddress}:${this.remotePort}: malformed packet (${(e as Error).message})`);
        this.close('malformed packet');
      } else {
        this.core.log('ERROR', `Closing connection from ${this.remoteAddress}:${this.remotePort}: ${(e as Error).stack}`);
        this.close('internal error');
      }
    }
  }

  private processInput(): void {
    let off = 0;
    const buf = this.inbuf;
    while (this.state !== 'closed' && this.state !== 'connecting' && buf.length - off >= 4) {
      if (this.state === 'new' && off === 0) {
        const word = buf.toString('latin1', 0, 4);
        if (this.fourLetterCodes.has(word)) {
          if (word === 'stmk') {
            if (buf.length < 12) return;
            this.runFourLetter(word, buf.readBigInt64BE(4));
          } else {
            this.runFourLetter(word);
          }
          return;
        }
        if (buf.readInt32BE(0) === (0xfff4fffd | 0)) {
          this.close('telnet close');
          return;
        }
      }
      const len = buf.readInt32BE(off);
      if (len < 0 || len > this.core.cfg.juteMaxBuffer) {
        this.core.log('WARN', `Closing connection from ${this.remoteAddress}:${this.remotePort}: frame length ${len} is outside 0..${this.core.cfg.juteMaxBuffer} (jute.maxbuffer)`);
        this.close('bad frame length');
        return;
      }
      if (buf.length - off - 4 < len) break;
      const payload = buf.subarray(off + 4, off + 4 + len);
      off += 4 + len;
      if (!this.core.replicator.isServing()) {
        this.close('ZooKeeperServer not running');
        return;
      }
      this.packetsReceived++;
      if (this.state === 'new') this.handleConnect(payload);
      else this.handleRequest(payload);
    }
    this.inbuf = off === 0 ? buf : buf.subarray(off);
  }

  private runFourLetter(word: string, arg?: bigint): void {
    this.state = 'closed';
    let text: string;
    try {
      text = this.fourLetter(word, this, arg);
    } catch (e) {
      text = `Error: ${(e as Error).message}\n`;
    }
    this.core.connections.delete(this);
    this.socket.end(text, 'utf8');
  }

  // ---- handshake

  private handleConnect(payload: Buffer): void {
    const r = new Reader(payload, 0, payload.length, this.core.cfg.juteMaxBuffer * 2);
    const req = R.ConnectRequest.read(r);
    this.core.metrics.count('connection_request_count');
    this.connectRequestAt = this.core.clock.wall();
    // 3.8 clients append readOnly after the record; clients older than 3.3 omit it, and get
    // their reply without it (ZooKeeperServer.processConnectRequest reads it in a try).
    const core = this.core;
    this.oldClient = r.remaining() < 1;
    const readOnly = this.oldClient ? false : r.bool();
    if (this.oldClient) core.log('WARN', `Connection request from old client /${this.remoteAddress}:${this.remotePort}; will be dropped if server is in r-o mode`);
    const roServer = core.replicator.isReadOnly?.() ?? false;
    if (roServer && !readOnly) {
      // ZooKeeperServer.processConnectRequest: a CloseRequestException, so no answer at all.
      core.log('INFO', `Refusing session request for not-read-only client /${this.remoteAddress}:${this.remotePort}`);
      this.close('not a read-only client');
      return;
    }
    if (req.lastZxidSeen > core.lastProcessedZxid) {
      core.log(
        'INFO',
        `Refusing session request for client /${this.remoteAddress}:${this.remotePort} as it has seen zxid 0x${req.lastZxidSeen.toString(16)} our last zxid is 0x${core.lastProcessedZxid.toString(16)} client must try another server`,
      );
      this.close('client has seen a newer zxid');
      return;
    }
    const cfg = core.cfg;
    const timeout = Math.min(Math.max(req.timeOut, cfg.minSessionTimeout), cfg.maxSessionTimeout);
    this.sessionTimeout = timeout;
    this.state = 'connecting';
    this.pause();
    if (req.sessionId === 0n) {
      const id = core.allocateSessionId();
      this.sessionId = id;
      core.pendingConnects.set(id, this);
      core.replicator.submitWrite({
        sessionId: id,
        cxid: 0,
        type: OpCode.createSession,
        body: { type: OpCode.createSession, timeOut: timeout },
        authInfo: this.authInfo,
      });
      return;
    }
    const id = req.sessionId;
    if (roServer && core.sessionTable.has(id)) {
      // ReadOnlyZooKeeperServer.validateSession: a session of the database is global; it waits for a quorum.
      core.log('INFO', `Refusing global session reconnection in RO mode /${this.remoteAddress}:${this.remotePort}`);
      this.close('global session on a read-only server');
      return;
    }
    if (!passwordMatches(id, req.passwd)) {
      core.log('INFO', `Invalid session 0x${BigInt.asUintN(64, id).toString(16)} for client /${this.remoteAddress}:${this.remotePort}, probably expired`);
      this.rejectSession();
      return;
    }
    this.sessionId = id;
    core.replicator.revalidateSession(id, timeout).then(
      (valid) => {
        if (this.state === 'closed') return;
        if (!valid) {
          this.rejectSession();
          return;
        }
        const other = core.bySession.get(id);
        if (other && other !== this) other.close('session moved to another connection');
        core.bySession.set(id, this);
        this.finishConnect(id, timeout);
      },
      () => this.rejectSession(),
    );
  }

  /** Sends the connect response for an established session and starts reading requests. */
  finishConnect(sessionId: bigint, timeout: number): void {
    if (this.state === 'closed') return;
    this.sessionId = sessionId;
    this.sessionTimeout = timeout;
    const w = new Writer(64);
    w.int(0);
    this.writeConnectResponse(w, timeout, sessionId, sessionPassword(sessionId));
    w.patchInt(0, w.pos - 4);
    this.send(w.bytes());
    this.state = 'open';
    this.core.log('INFO', `Established session 0x${BigInt.asUintN(64, sessionId).toString(16)} with negotiated timeout ${timeout} for client /${this.remoteAddress}:${this.remotePort}`);
    this.resume();
    this.processInputSafely();
  }

  /** ZooKeeperServer.finishSessionInit: the readOnly byte only for clients that sent theirs. */
  private writeConnectResponse(w: Writer, timeOut: number, sessionId: bigint, passwd: Buffer): void {
    const readOnly = this.core.replicator.isReadOnly?.() ?? false;
    if (this.oldClient) R.ConnectResponseV0.write(w, { protocolVersion: 0, timeOut, sessionId, passwd });
    else R.ConnectResponse.write(w, { protocolVersion: 0, timeOut, sessionId, passwd, readOnly });
  }

  private rejectSession(): void {
    if (this.state === 'closed') return;
    const w = new Writer(64);
    w.int(0);
    this.writeConnectResponse(w, 0, 0n, Buffer.alloc(16));
    w.patchInt(0, w.pos - 4);
    this.sessionId = null;
    this.send(w.bytes());
    this.close('session expired or invalid');
  }

  private processInputSafely(): void {
    setImmediate(() => {
      if (this.state !== 'open' || this.inbuf.length === 0) return;
      this.onData(Buffer.alloc(0));
    });
  }

  // ---- requests

  private handleRequest(payload: Buffer): void {
    const core = this.core;
    const r = new Reader(payload, 0, payload.length, core.cfg.juteMaxBuffer * 2);
    const { xid, type } = R.RequestHeader.read(r);
    const sessionId = this.sessionId!;
    this.lastOp = OP_SHORT_NAME[type] ?? 'UNKN';
    if (type === OpCode.ping) {
      core.replicator.touchSession(sessionId, this.sessionTimeout);
      core.stats.packetsReceived++;
      this.lastCxid = xid;
      this.send(frame(Xid.PING, core.lastProcessedZxid, 0));
      core.stats.packetsSent++;
      return;
    }
    if (type === OpCode.auth) {
      this.handleAuth(R.AuthPacket.read(r));
      return;
    }
    if (type === OpCode.sasl) {
      this.handleSasl(xid, R.GetSASLRequest.read(r).token ?? Buffer.alloc(0));
      return;
    }
    const body = decodeRequestBody(type, r);
    this.lastCxid = xid;
    const req: Request = { sessionId, cxid: xid, type, body, authInfo: this.authInfo, raw: payload.subarray(8) };
    core.receive(this, req);
    if (this.pending.length > MAX_PENDING) this.pause();
  }

  private sasl: DigestMd5Server | null = null;

  /** One SASL DIGEST-MD5 step; a failure drops the connection, as ZooKeeper does. */
  private handleSasl(xid: number, token: Buffer): void {
    const core = this.core;
    if (core.saslUsers === null) {
      core.log('WARN', `SASL request from /${this.remoteAddress}:${this.remotePort} but no JAAS Server section is configured; closing`);
      this.close('SASL not configured');
      return;
    }
    this.sasl ??= new DigestMd5Server(core.saslUsers);
    const step = this.sasl.step(token);
    if ('error' in step) {
      core.stats.authFailed++;
      core.log('WARN', `Client /${this.remoteAddress}:${this.remotePort} failed to SASL authenticate: ${step.error}`);
      this.close('SASL authentication failed');
      return;
    }
    if (step.user !== undefined) {
      this.authInfo.push({ scheme: 'sasl', id: step.user });
      core.log('INFO', `Successfully authenticated client: authenticationID=${step.user}`);
    }
    this.send(frame(xid, core.lastProcessedZxid, 0, R.SetSASLResponse, { token: step.token }));
  }

  private handleAuth(p: ReturnType<typeof R.AuthPacket.decode>): void {
    const core = this.core;
    const authText = p.auth?.toString('utf8') ?? '';
    if (p.scheme === 'digest' && authText.includes(':')) {
      const id = digestOf(authText);
      if (!this.authInfo.some((a) => a.scheme === 'digest' && a.id === id)) this.authInfo.push({ scheme: 'digest', id });
      if (core.cfg.superDigest !== null && id === core.cfg.superDigest && !this.authInfo.some((a) => a.scheme === 'super')) {
        this.authInfo.push({ scheme: 'super', id: '' });
      }
      this.send(frame(Xid.AUTH, 0n, 0));
      return;
    }
    if (p.scheme === 'ip') {
      this.send(frame(Xid.AUTH, 0n, 0));
      return;
    }
    core.stats.authFailed++;
    core.log('WARN', `Authentication failed for scheme: ${p.scheme} from /${this.remoteAddress}:${this.remotePort}`);
    this.send(frame(Xid.AUTH, 0n, Err.AUTHFAILED));
    this.close('auth failed');
  }

  // ---- output

  /** Encodes a reply for this connection and records the zxid it carries. */
  frameReply<T>(xid: number, zxid: bigint, err: number, codec?: { write(w: Writer, v: T): void }, body?: T): Buffer {
    this.lastZxid = zxid;
    return frame(xid, zxid, err, codec, body);
  }

  /** A multi reply: per-op MultiHeader + result, then the done marker; header err is always 0. */
  frameMultiReply(xid: number, zxid: bigint, results: ProcessResult[], req: Request): Buffer {
    const ops = req.body.type === OpCode.multi ? req.body.ops : [];
    this.lastZxid = zxid;
    const w = new Writer(128);
    w.int(0);
    R.ReplyHeader.write(w, { xid, zxid, err: 0 });
    for (let i = 0; i < results.length; i++) {
      const res = results[i]!;
      const opType = ops[i]?.type ?? res.type;
      if (res.err !== 0 || res.type === OpCode.error) {
        R.MultiHeader.write(w, { type: OpCode.error, done: false, err: res.err });
        R.ErrorResponse.write(w, { err: res.err });
        continue;
      }
      switch (opType) {
        case OpCode.create:
          R.MultiHeader.write(w, { type: OpCode.create, done: false, err: 0 });
          R.CreateResponse.write(w, { path: res.path! });
          break;
        case OpCode.create2:
        case OpCode.createContainer:
        case OpCode.createTTL:
          R.MultiHeader.write(w, { type: OpCode.create2, done: false, err: 0 });
          R.Create2Response.write(w, { path: res.path!, stat: res.stat! });
          break;
        case OpCode.delete:
          R.MultiHeader.write(w, { type: OpCode.delete, done: false, err: 0 });
          break;
        case OpCode.setData:
          R.MultiHeader.write(w, { type: OpCode.setData, done: false, err: 0 });
          R.StatResponse.write(w, { stat: res.stat! });
          break;
        case OpCode.check:
          R.MultiHeader.write(w, { type: OpCode.check, done: false, err: 0 });
          break;
      }
    }
    R.MultiHeader.write(w, { type: -1, done: true, err: -1 });
    w.patchInt(0, w.pos - 4);
    return w.bytes();
  }

  /** A multiRead reply. */
  frameMultiReadReply(
    xid: number,
    zxid: bigint,
    results: { type: number; err: number; data?: Buffer | null; stat?: Stat; children?: string[] }[],
  ): Buffer {
    this.lastZxid = zxid;
    const w = new Writer(128);
    w.int(0);
    R.ReplyHeader.write(w, { xid, zxid, err: 0 });
    for (const res of results) {
      if (res.type === OpCode.error) {
        R.MultiHeader.write(w, { type: OpCode.error, done: false, err: res.err });
        R.ErrorResponse.write(w, { err: res.err });
      } else if (res.type === OpCode.getData) {
        R.MultiHeader.write(w, { type: OpCode.getData, done: false, err: 0 });
        R.GetDataResponse.write(w, { data: res.data ?? null, stat: res.stat! });
      } else {
        R.MultiHeader.write(w, { type: OpCode.getChildren, done: false, err: 0 });
        R.GetChildrenResponse.write(w, { children: res.children ?? [] });
      }
    }
    R.MultiHeader.write(w, { type: -1, done: true, err: -1 });
    w.patchInt(0, w.pos - 4);
    return w.bytes();
  }

  /** A watch notification (xid -1, zxid -1 as in 3.8). */
  deliverEvent(type: number, path: string, _zxid: bigint): void {
    if (this.state !== 'open') return;
    const w = new Writer(64);
    w.int(0);
    R.ReplyHeader.write(w, { xid: Xid.NOTIFICATION, zxid: -1n, err: 0 });
    R.WatcherEvent.write(w, { type, state: KeeperState.SyncConnected, path });
    w.patchInt(0, w.pos - 4);
    this.send(w.bytes());
    this.core.stats.packetsSent++;
    void EventType;
  }

  send(b: Buffer): void {
    if (this.state === 'closed') return;
    this.packetsSent++;
    this.lastResponseTime = this.core.clock.wall();
    // Replies made in the same tick (a pipelined batch of reads, a group commit) leave in one
    // writev: one syscall per batch instead of one per reply was the largest cost in profiles.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(b);
  }

  private corked = false;
  private readonly uncork = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
    if (this.state !== 'closed' && this.socket.writableLength > MAX_WRITE_BUFFER) {
      this.core.log('WARN', `Closing connection from ${this.remoteAddress}:${this.remotePort}: the client is not reading its replies`);
      this.close('client not reading');
    }
  };

  recordLatency(ms: number, _req: Request): void {
    this.lastLatency = ms;
    if (ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.totalLatency += ms;
    this.latencyCount++;
  }

  resetStats(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.lastLatency = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.latencyCount = 0;
    this.lastCxid = -1;
    this.lastZxid = -1n;
    this.lastOp = 'NA';
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private resume(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Reading resumes once the FIFO has drained enough. */
  maybeResume(): void {
    if (this.paused && this.state === 'open' && this.pending.length < MAX_PENDING / 2) {
      this.resume();
      this.processInputSafely();
    }
  }

  close(reason: string): void {
    if (this.state === 'closed' && this.closedReason !== null) return;
    this.closedReason = reason;
    this.state = 'closed';
    // ZooKeeper 3.8 (NIOServerCnxn.close) says this at DEBUG too: one line per connection.
    this.core.log('DEBUG', `Closed socket connection for client /${this.remoteAddress}:${this.remotePort} ${this.sessionId === null ? '(no session established for client)' : `which had sessionid 0x${BigInt.asUintN(64, this.sessionId).toString(16)}`} (${reason})`);
    this.core.connectionClosed(this);
    // A last reply (closeSession, a rejected session) still goes out before the socket ends.
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    this.socket.destroy();
  }
}

// The session's connection to the ensemble (ZooKeeper's ClientCnxn): one socket at a time,
// the connect handshake, re-attaching the session to another member with its password,
// auth and SetWatches after every (re)connect, pings, read timeouts, strict xid FIFO
// matching, a bounded number of outstanding requests, and read-only mode with probes for a
// read/write server. It knows nothing about znodes; the client above it builds packets.
import { Err, KeeperState, OpCode, Xid } from '../protocol/codes';
import { Reader, Writer } from '../protocol/jute';
import * as R from '../protocol/records';
import type { HostPort } from './connect-string';
import { formatHostPort } from './connect-string';
import { FrameError, FrameReader } from './frame';
import { HostProvider } from './host-provider';
import type { ClientState, CnxnHooks, CnxnOptions, CnxnStats, Packet } from './cnxn-types';
import { fourLetterWord, type ZkSocket } from './transport';

export type { ClientState, CnxnHooks, CnxnOptions, CnxnStats, Packet } from './cnxn-types';

interface AuthEntry {
  scheme: string;
  auth: Buffer;
  waiters: { resolve: () => void; reject: (err: number) => void }[];
}

const MAX_SEND_PING_INTERVAL = 10_000;
const MIN_PING_RW_TIMEOUT = 100;
const MAX_PING_RW_TIMEOUT = 60_000;
const ZERO_PASSWD = Buffer.alloc(16);

export class ClientCnxn {
  state: ClientState = 'connecting';
  sessionId: bigint;
  sessionPasswd: Buffer;
  negotiatedTimeout = 0;
  lastZxid = 0n;
  /** The server we are connected to, or null. */
  server: HostPort | null = null;

  private readonly hosts: HostProvider;
  private seenRwServerBefore: boolean;
  private socket: ZkSocket | null = null;
  private reader: FrameReader;
  private handshaking = false;
  private readonly pending: Packet[] = [];
  private readonly queue: Packet[] = [];
  private readonly authInfo: AuthEntry[] = [];
  private readonly authPending: AuthEntry[] = [];
  private xid = 1;
  private readTimeout: number;
  private connectTimeout: number;
  private lastSend = 0;
  private lastRecv = 0;
  private pingSentAt = 0;
  private firstConnect = true;
  private closing = false;
  private closeWaiters: (() => void)[] = [];
  private rwServer: HostPort | null = null;
  private pingRwTimeout = MIN_PING_RW_TIMEOUT;
  private rwProbeIndex = 1;
  private timers = { retry: null as Timer, connect: null as Timer, tick: null as Timer, rw: null as Timer, wait: null as Timer };
  private readonly counters: Omit<CnxnStats, 'outstanding' | 'queued'> = {
    peakOutstanding: 0,
    sent: 0,
    received: 0,
    pings: 0,
    lastPingRttMs: null,
    connects: 0,
    connectionLosses: 0,
  };

  constructor(
    hosts: HostPort[],
    private readonly opts: CnxnOptions,
    private readonly hooks: CnxnHooks,
  ) {
    this.hosts = new HostProvider(hosts, opts.shuffleHosts);
    this.sessionId = opts.sessionId ?? 0n;
    this.sessionPasswd = opts.sessionPasswd ?? ZERO_PASSWD;
    // A caller handing us a session has seen it on a read/write server (Java does the same).
    this.seenRwServerBefore = opts.sessionId !== undefined && opts.sessionId !== 0n;
    this.reader = new FrameReader(opts.maxFrameLength);
    this.readTimeout = Math.floor((opts.sessionTimeout * 2) / 3);
    this.connectTimeout = Math.floor(opts.sessionTimeout / this.hosts.size);
    this.startConnect();
  }

  /** The order hosts are tried in (shuffled unless asked not to). */
  hostOrder(): readonly HostPort[] {
    return this.hosts.order();
  }

  stats(): CnxnStats {
    return { ...this.counters, outstanding: this.pending.length, queued: this.queue.length };
  }

  get isAlive(): boolean {
    return this.state !== 'closed' && this.state !== 'authFailed' && (this.state !== 'expired' || this.opts.renewSessionOnExpiry);
  }

  get isConnected(): boolean {
    return this.state === 'connected' || this.state === 'readOnly';
  }

  /** Queues a request; it is sent in order once the connection is up and a slot is free. */
  submit(p: Packet): void {
    if (!this.isAlive || this.closing) {
      p.fail(this.deadCode());
      return;
    }
    if (!this.isConnected) p.queuedAt = Date.now();
    this.queue.push(p);
    if (this.isConnected) this.schedulePump();
    else this.armWaitTimer();
  }

  /** Adds credentials for this and every later connection; resolves when the server accepts them. */
  addAuth(scheme: string, auth: Buffer): Promise<void> {
    if (!this.isAlive || this.closing) return Promise.reject(this.deadCode());
    return new Promise<void>((resolve, reject) => {
      const entry: AuthEntry = { scheme, auth, waiters: [{ resolve, reject }] };
      this.authInfo.push(entry);
      if (this.isConnected) this.sendAuth(entry);
    });
  }

  /** Closes the session (closeSession request when connected) and the socket. */
  close(timeoutMs = 2000): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    if (!this.isAlive || this.closing) {
      if (!this.closing) this.finishClose();
      return new Promise((r) => (this.state === 'closed' ? r() : this.closeWaiters.push(r)));
    }
    this.closing = true;
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      if (!this.isConnected) {
        this.finishClose();
        return;
      }
      const timer = setTimeout(() => this.finishClose(), timeoutMs);
      // Straight into the FIFO, ahead of nothing: replies come back in order anyway.
      this.queue.push({
        type: OpCode.closeSession,
        reply: () => {
          clearTimeout(timer);
          this.finishClose();
        },
        fail: () => {
          clearTimeout(timer);
          this.finishClose();
        },
      });
      this.pump();
    });
  }

  /** Drops the current connection as if the network failed (tests, fault injection). */
  dropConnection(reason = 'dropped by request'): void {
    if (this.socket) this.lost(reason);
  }

  // ---- connecting

  private startConnect(): void {
    if (!this.isAlive || this.closing) return;
    let target: HostPort;
    let delay = 0;
    if (this.rwServer) {
      target = this.rwServer;
      this.hosts.moveTo(target);
      this.hosts.next(0);
      this.rwServer = null;
    } else {
      const n = this.hosts.next(this.opts.spinDelayMs);
      target = n.host;
      delay = n.delayMs;
    }
    if (!this.firstConnect) delay += Math.floor(Math.random() * this.opts.reconnectJitterMs);
    this.firstConnect = false;
    this.timers.retry = setTimeout(() => {
      this.timers.retry = null;
      this.open(target);
    }, delay);
  }

  private open(host: HostPort): void {
    if (!this.isAlive || this.closing) return;
    let sock: ZkSocket;
    try {
      sock = this.opts.transport(host.host, host.port);
    } catch {
      this.startConnect();
      return;
    }
    this.socket = sock;
    this.server = host;
    this.reader = new FrameReader(this.opts.maxFrameLength);
    this.handshaking = true;
    this.lastRecv = Date.now();
    this.timers.connect = setTimeout(() => {
      if (this.socket === sock) this.lost(`no connect response from ${formatHostPort(host)} within ${this.connectTimeout} ms`);
    }, this.connectTimeout);
    sock.onConnect(() => {
      if (this.socket !== sock) return;
      const w = new Writer(64);
      w.int(0);
      const resume = this.seenRwServerBefore;
      R.ConnectRequest.write(w, {
        protocolVersion: 0,
        lastZxidSeen: this.lastZxid,
        timeOut: this.opts.sessionTimeout,
        sessionId: resume ? this.sessionId : 0n,
        passwd: resume ? this.sessionPasswd : ZERO_PASSWD,
      });
      // 3.8 puts the readOnly flag after the record rather than in it.
      w.bool(this.opts.canBeReadOnly);
      w.patchInt(0, w.pos - 4);
      this.rawWrite(w.bytes());
    });
    sock.onData((d) => {
      if (this.socket !== sock) return;
      let frames: Buffer[];
      try {
        frames = this.reader.push(d);
      } catch (e) {
        this.lost(e instanceof FrameError ? e.message : String(e));
        return;
      }
      for (const f of frames) {
        if (this.socket !== sock) return;
        this.lastRecv = Date.now();
        this.counters.received++;
        try {
          if (this.handshaking) this.onConnectResponse(f);
          else this.onReply(f);
        } catch (e) {
          this.lost(`bad packet from ${formatHostPort(host)}: ${(e as Error).message}`);
          return;
        }
      }
    });
    sock.onClose((err) => {
      if (this.socket === sock) this.lost(err ? err.message : `${formatHostPort(host)} closed the connection`);
    });
  }

  private onConnectResponse(frame: Buffer): void {
    this.handshaking = false;
    clearTimer(this.timers, 'connect');
    // Servers older than 3.4 leave out the readOnly byte.
    const body = frame.length === 36 ? Buffer.concat([frame, Buffer.alloc(1)]) : frame;
    const resp = R.ConnectResponse.decode(body);
    if (resp.timeOut <= 0) {
      this.onExpired();
      return;
    }
    this.negotiatedTimeout = resp.timeOut;
    this.readTimeout = Math.floor((resp.timeOut * 2) / 3);
    this.connectTimeout = Math.floor(resp.timeOut / this.hosts.size);
    this.hosts.onConnected();
    this.sessionId = resp.sessionId;
    this.sessionPasswd = resp.passwd ?? ZERO_PASSWD;
    this.seenRwServerBefore ||= !resp.readOnly;
    this.counters.connects++;
    clearTimer(this.timers, 'wait');
    this.setState(resp.readOnly ? 'readOnly' : 'connected');
    this.hooks.keeperState(resp.readOnly ? KeeperState.ConnectedReadOnly : KeeperState.SyncConnected);
    if (this.socket === null) return; // a listener closed us
    // Java's priming order: auth packets, then SetWatches, then the requests that waited.
    for (const entry of this.authInfo) this.sendAuth(entry);
    for (const p of this.hooks.watchPackets(this.lastZxid)) this.send(p);
    this.lastSend = Date.now();
    this.scheduleTick();
    if (resp.readOnly) this.scheduleRwProbe();
    this.pump();
  }

  // ---- replies

  private onReply(frame: Buffer): void {
    const r = new Reader(frame);
    const h = R.ReplyHeader.read(r);
    switch (h.xid) {
      case Xid.PING:
        this.counters.lastPingRttMs = Date.now() - this.pingSentAt;
        return;
      case Xid.AUTH: {
        const entry = this.authPending.shift();
        const waiters = entry?.waiters.splice(0) ?? [];
        if (h.err === Err.AUTHFAILED) {
          for (const w of waiters) w.reject(Err.AUTHFAILED);
          this.onAuthFailed();
        } else {
          for (const w of waiters) w.resolve();
        }
        return;
      }
      case Xid.NOTIFICATION:
        this.hooks.notification(R.WatcherEvent.read(r));
        return;
    }
    const p = this.pending.shift();
    if (!p) throw new Error(`Nothing in the queue, but got ${h.xid}`);
    if (p.xid !== h.xid) {
      p.fail(Err.CONNECTIONLOSS);
      throw new Error(`Xid out of order. Got Xid ${h.xid} with err ${h.err} expected Xid ${p.xid}`);
    }
    if (h.zxid > 0n) this.lastZxid = h.zxid;
    p.reply(h.err, r, h.zxid);
    this.schedulePump();
  }

  // ---- sending

  private nextXid(): number {
    const x = this.xid;
    this.xid = this.xid >= 0x7fffffff ? 1 : this.xid + 1;
    return x;
  }

  /** Sends queued requests on the next microtask, so a burst of calls becomes one socket write. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }
  private pumpScheduled = false;

  private pump(): void {
    const w = new Writer(4096);
    let frames = 0;
    while (this.isConnected && this.socket && this.queue.length > 0 && this.pending.length < this.opts.maxOutstanding) {
      this.frame(w, this.queue.shift()!);
      frames++;
    }
    if (frames > 0) this.rawWrite(w.bytes(), frames);
  }

  private send(p: Packet): void {
    const w = new Writer(128);
    this.frame(w, p);
    this.rawWrite(w.bytes());
  }

  /** Appends one request frame to `w` and moves the packet to the pending FIFO. */
  private frame(w: Writer, p: Packet): void {
    if (p.xid === undefined || p.xid > 0) p.xid = this.nextXid();
    const start = w.pos;
    w.int(0);
    R.RequestHeader.write(w, { xid: p.xid, type: p.type });
    p.write?.(w);
    w.patchInt(start, w.pos - start - 4);
    this.pending.push(p);
    if (this.pending.length > this.counters.peakOutstanding) this.counters.peakOutstanding = this.pending.length;
  }

  private sendAuth(entry: AuthEntry): void {
    const w = new Writer(64);
    w.int(0);
    R.RequestHeader.write(w, { xid: Xid.AUTH, type: OpCode.auth });
    R.AuthPacket.write(w, { type: 0, scheme: entry.scheme, auth: entry.auth });
    w.patchInt(0, w.pos - 4);
    this.authPending.push(entry);
    this.rawWrite(w.bytes());
  }

  private sendPing(): void {
    const w = new Writer(16);
    w.int(0);
    R.RequestHeader.write(w, { xid: Xid.PING, type: OpCode.ping });
    w.patchInt(0, w.pos - 4);
    this.pingSentAt = Date.now();
    this.counters.pings++;
    this.rawWrite(w.bytes());
  }

  private rawWrite(b: Buffer, frames = 1): void {
    if (!this.socket) return;
    this.lastSend = Date.now();
    this.counters.sent += frames;
    this.socket.write(b);
  }

  // ---- timers

  /** Pings when idle for about a third of the session timeout; drops a silent server after two thirds. */
  private scheduleTick(): void {
    clearTimer(this.timers, 'tick');
    if (!this.isConnected) return;
    const now = Date.now();
    const idleRecv = now - this.lastRecv;
    if (idleRecv >= this.readTimeout) {
      this.lost(
        `Client session timed out, have not heard from server in ${idleRecv}ms for session id 0x${BigInt.asUintN(64, this.sessionId).toString(16)}`,
      );
      return;
    }
    let idleSend = now - this.lastSend;
    // The 1000 ms margin keeps a second ping from being missed when timeouts are long (ClientCnxn).
    let toPing = Math.floor(this.readTimeout / 2) - idleSend - (idleSend > 1000 ? 1000 : 0);
    if (toPing <= 0 || idleSend > MAX_SEND_PING_INTERVAL) {
      this.sendPing();
      idleSend = 0;
      toPing = Math.floor(this.readTimeout / 2);
    }
    const next = Math.max(10, Math.min(this.readTimeout - idleRecv, toPing));
    this.timers.tick = setTimeout(() => this.scheduleTick(), next);
  }

  /** While connected read-only, ask other members (isro) whether one serves writes again. */
  private scheduleRwProbe(): void {
    clearTimer(this.timers, 'rw');
    if (this.state !== 'readOnly' || this.hosts.size < 2) return;
    this.timers.rw = setTimeout(() => {
      this.timers.rw = null;
      if (this.state !== 'readOnly') return;
      this.pingRwTimeout = Math.min(this.pingRwTimeout * 2, MAX_PING_RW_TIMEOUT);
      const candidate = this.hosts.peekOther(this.rwProbeIndex);
      this.rwProbeIndex = (this.rwProbeIndex % (this.hosts.size - 1)) + 1;
      fourLetterWord(this.opts.transport, candidate.host, candidate.port, 'isro', 1000)
        .then((answer) => {
          if (this.state !== 'readOnly') return;
          if (answer.trim() === 'rw') {
            this.pingRwTimeout = MIN_PING_RW_TIMEOUT;
            this.rwServer = candidate;
            this.lost(`Majority server found at ${formatHostPort(candidate)}`);
          } else {
            this.scheduleRwProbe();
          }
        })
        .catch(() => this.scheduleRwProbe());
    }, this.pingRwTimeout);
  }

  /** Fails requests that have waited too long for a connection. */
  private armWaitTimer(): void {
    if (this.timers.wait) return;
    const limit = this.opts.disconnectedRequestTimeoutMs;
    const check = (): void => {
      this.timers.wait = null;
      if (this.isConnected) return;
      const now = Date.now();
      let oldest = Infinity;
      for (let i = 0; i < this.queue.length; ) {
        const p = this.queue[i]!;
        if (p.queuedAt !== undefined && now - p.queuedAt >= limit) {
          this.queue.splice(i, 1);
          p.fail(Err.CONNECTIONLOSS);
        } else {
          if (p.queuedAt !== undefined) oldest = Math.min(oldest, p.queuedAt);
          i++;
        }
      }
      if (oldest !== Infinity) this.timers.wait = setTimeout(check, Math.max(10, oldest + limit - now));
    };
    this.timers.wait = setTimeout(check, limit);
  }

  // ---- losing the connection, the session, the client

  private teardownSocket(): void {
    const sock = this.socket;
    this.socket = null;
    this.server = null;
    this.handshaking = false;
    clearTimer(this.timers, 'connect');
    clearTimer(this.timers, 'tick');
    clearTimer(this.timers, 'rw');
    sock?.destroy();
  }

  private failAll(err: number): void {
    const sent = this.pending.splice(0);
    const queued = this.queue.splice(0);
    // Auth packets in flight are re-sent on the next connection; their waiters keep waiting.
    this.authPending.length = 0;
    for (const p of sent) p.fail(err);
    for (const p of queued) p.fail(err);
  }

  /** The connection is gone (the session may live on): fail what was in flight, reconnect. */
  private lost(reason: string): void {
    const wasConnected = this.isConnected;
    const attempt = this.handshaking && this.server ? formatHostPort(this.server) : null;
    this.teardownSocket();
    if (attempt !== null && !this.closing) this.hooks.connectFailed?.(attempt, reason);
    if (wasConnected) this.counters.connectionLosses++;
    this.failAll(this.closing ? this.deadCode() : Err.CONNECTIONLOSS);
    if (this.closing) {
      this.finishClose();
      return;
    }
    if (wasConnected) {
      this.setState('suspended');
      this.hooks.keeperState(KeeperState.Disconnected);
    }
    this.startConnect();
  }

  private onExpired(): void {
    this.teardownSocket();
    this.setState('expired');
    this.hooks.keeperState(KeeperState.Expired);
    this.failAll(Err.SESSIONEXPIRED);
    this.hooks.sessionGone();
    if (this.opts.renewSessionOnExpiry && !this.closing) {
      this.sessionId = 0n;
      this.sessionPasswd = ZERO_PASSWD;
      this.seenRwServerBefore = false;
      this.setState('connecting');
      this.startConnect();
    } else {
      this.rejectAuthWaiters(Err.SESSIONEXPIRED);
      clearTimer(this.timers, 'retry');
    }
  }

  private onAuthFailed(): void {
    this.teardownSocket();
    clearTimer(this.timers, 'retry');
    this.setState('authFailed');
    this.hooks.keeperState(KeeperState.AuthFailed);
    this.failAll(Err.AUTHFAILED);
    this.rejectAuthWaiters(Err.AUTHFAILED);
    this.hooks.sessionGone();
  }

  private finishClose(): void {
    if (this.state === 'closed') return;
    this.closing = true;
    this.teardownSocket();
    for (const k of Object.keys(this.timers) as (keyof typeof this.timers)[]) clearTimer(this.timers, k);
    const wasAlive = this.state !== 'expired' && this.state !== 'authFailed';
    this.setState('closed');
    this.failAll(Err.SESSIONEXPIRED);
    this.rejectAuthWaiters(Err.SESSIONEXPIRED);
    if (wasAlive) this.hooks.keeperState(KeeperState.Closed);
    this.hooks.sessionGone();
    for (const r of this.closeWaiters.splice(0)) r();
  }

  private rejectAuthWaiters(err: number): void {
    for (const e of this.authInfo) for (const w of e.waiters.splice(0)) w.reject(err);
  }

  /** The error a request gets when the client can no longer serve it (Java's conLossPacket). */
  private deadCode(): number {
    if (this.state === 'authFailed') return Err.AUTHFAILED;
    if (this.state === 'closed' || this.state === 'expired' || this.closing) return Err.SESSIONEXPIRED;
    return Err.CONNECTIONLOSS;
  }

  private setState(next: ClientState): void {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    this.hooks.state(next, prev);
  }
}

type Timer = ReturnType<typeof setTimeout> | null;

function clearTimer<K extends string>(timers: Record<K, Timer>, k: K): void {
  const t = timers[k];
  if (t) clearTimeout(t);
  timers[k] = null;
}

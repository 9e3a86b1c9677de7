// The election port, byte-compatible with ZooKeeper 3.8's QuorumCnxManager: every member listens
// on its electionPort and dials the members it has something to say to. The dialer sends a
// handshake (protocol version, its sid, its election address); only a connection made by the
// larger sid survives (a smaller dialer hangs up after the handshake, a larger receiver hangs up
// and dials back). Messages are an int length (1..512 KiB) and the bytes. Each peer has a send
// queue of one: a newer message replaces one not yet written, and the last message is sent again
// whenever a connection comes up. Messages to oneself loop back.
import { EventEmitter } from 'node:events';
import { systemNet, type Conn, type Listener, type Net } from '../../runtime/net';
import { decodeHandshake, ELECTION_MESSAGE_MAX, encodeHandshake } from './notification';

export interface ElectionAddress {
  host: string;
  port: number;
}

export interface ElectionTransportOptions {
  myid: number;
  me: ElectionAddress;
  /** Election addresses of the other members (voters and observers). */
  peers: Map<number, ElectionAddress>;
  /** QuorumCnxManager's cnxTimeout (zookeeper.cnxTimeout), ms. */
  connectTimeoutMs?: number;
  log?: (level: 'INFO' | 'WARN', msg: string) => void;
  /** Where sockets come from (the member's Net); Node's by default. */
  net?: Net;
}

export interface ElectionTransportEvents {
  message: [from: number, payload: Buffer];
  peerUp: [sid: number];
  peerDown: [sid: number];
}

/** QuorumCnxManager: one connection per peer on the election port. */
export class ElectionTransport extends EventEmitter<ElectionTransportEvents> {
  private server: Listener | null = null;
  private readonly net: Net;
  private readonly conns = new Map<number, Conn>();
  /** The one queued message per peer, not yet written. */
  private readonly queued = new Map<number, Buffer>();
  /** The last message written (or queued) per peer, resent when a connection comes up. */
  private readonly lastSent = new Map<number, Buffer>();
  private readonly dialing = new Map<number, Conn>();
  private readonly pending = new Set<Conn>();
  private closed = false;
  private readonly connectTimeoutMs: number;

  constructor(private readonly opts: ElectionTransportOptions) {
    super();
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.net = opts.net ?? systemNet;
  }

  private log(level: 'INFO' | 'WARN', msg: string): void {
    this.opts.log?.(level, msg);
  }

  /** A committed reconfig changed the members: new addresses are dialled from now on. */
  setPeers(peers: Map<number, ElectionAddress>): void {
    this.opts.peers.clear();
    for (const [sid, a] of peers) this.opts.peers.set(sid, a);
  }

  /** Listens on this member's election port; resolves once bound (the port actually used). */
  async listen(): Promise<number> {
    this.server = await this.net.listen(this.opts.me.host, this.opts.me.port, (s) => this.accept(s), (e) => this.log('WARN', `election port error: ${e.message}`));
    return this.server.port;
  }

  /** Sends `payload` to `sid` (only the newest unsent one is kept); dials when not connected. */
  send(sid: number, payload: Buffer): void {
    if (this.closed) return;
    if (sid === this.opts.myid) {
      setImmediate(() => {
        if (!this.closed) this.emit('message', sid, payload);
      });
      return;
    }
    this.lastSent.set(sid, payload);
    const s = this.conns.get(sid);
    if (s && !s.destroyed && s.writableNeedDrain === false) {
      this.write(s, payload);
      return;
    }
    this.queued.set(sid, payload);
    if (!s || s.destroyed) this.dial(sid);
  }

  /** QuorumCnxManager.connectAll: dial every peer we have ever had something for. */
  connectAll(): void {
    for (const sid of this.lastSent.keys()) if (!this.isConnected(sid)) this.dial(sid);
  }

  isConnected(sid: number): boolean {
    const s = this.conns.get(sid);
    return s !== undefined && !s.destroyed;
  }

  private write(s: Conn, payload: Buffer): void {
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(payload.length, 0);
    s.write(Buffer.concat([len, payload]));
  }

  private dial(sid: number): void {
    const peer = this.opts.peers.get(sid);
    // connectOne: nothing to do when a connection to that sid is up or being made.
    if (!peer || this.dialing.has(sid) || this.isConnected(sid) || this.closed) return;
    const s = this.net.connect(peer.host, peer.port);
    this.dialing.set(sid, s);
    s.setNoDelay(true);
    s.setTimeout(this.connectTimeoutMs);
    const done = (): void => {
      if (this.dialing.get(sid) === s) this.dialing.delete(sid);
    };
    s.once('connect', () => {
      done();
      s.setTimeout(0);
      s.write(encodeHandshake(this.opts.myid, `${this.opts.me.host}:${this.opts.me.port}`));
      if (sid > this.opts.myid) {
        // The larger sid keeps the connection: our handshake tells it to dial us back.
        s.end();
        return;
      }
      this.adopt(sid, s, Buffer.alloc(0));
    });
    s.once('timeout', () => s.destroy());
    s.once('error', () => done());
    s.once('close', () => done());
  }

  private accept(s: Conn): void {
    if (this.closed) {
      s.destroy();
      return;
    }
    s.setNoDelay(true);
    this.pending.add(s);
    // A handshake that does not come within the connect timeout is abandoned.
    s.setTimeout(this.connectTimeoutMs, () => s.destroy());
    let buf: Buffer = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      let hs: ReturnType<typeof decodeHandshake>;
      try {
        hs = decodeHandshake(buf);
      } catch (e) {
        this.log('WARN', `closing an election connection with a bad handshake: ${(e as Error).message}`);
        s.destroy();
        return;
      }
      if (!hs) return;
      s.off('data', onData);
      s.setTimeout(0);
      this.pending.delete(s);
      const rest = buf.subarray(hs.used);
      if (hs.sid === this.opts.myid) {
        this.log('WARN', `an election connection claims my own sid ${hs.sid}; closing it`);
        s.destroy();
        return;
      }
      if (!this.opts.peers.has(hs.sid) && hs.address) {
        // A member this configuration does not list (e.g. an observer we never heard of):
        // answer it at the address it gave.
        const i = hs.address.lastIndexOf(':');
        const port = Number(hs.address.slice(i + 1));
        if (i > 0 && Number.isInteger(port)) this.opts.peers.set(hs.sid, { host: hs.address.slice(0, i).replace(/^\[|\]$/g, ''), port });
      }
      if (hs.sid < this.opts.myid) {
        // Only the connection from the larger sid survives: close and dial back.
        s.destroy();
        this.dial(hs.sid);
        return;
      }
      this.adopt(hs.sid, s, Buffer.from(rest));
    };
    s.on('data', onData);
    s.on('error', () => s.destroy());
    s.once('close', () => this.pending.delete(s));
  }

  private adopt(sid: number, s: Conn, initial: Buffer): void {
    const old = this.conns.get(sid);
    this.conns.set(sid, s);
    if (old && old !== s) old.destroy();
    let buf: Buffer = initial;
    const drain = (): void => {
      while (buf.length >= 4) {
        const len = buf.readInt32BE(0);
        if (len <= 0 || len > ELECTION_MESSAGE_MAX) {
          this.log('WARN', `election message of ${len} bytes from ${sid}; closing that connection`);
          s.destroy();
          return;
        }
        if (buf.length < 4 + len) return;
        const msg = Buffer.from(buf.subarray(4, 4 + len));
        buf = buf.subarray(4 + len);
        this.emit('message', sid, msg);
      }
    };
    s.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      drain();
    });
    s.on('drain', () => {
      const q = this.queued.get(sid);
      if (q && this.conns.get(sid) === s) {
        this.queued.delete(sid);
        this.write(s, q);
      }
    });
    s.once('close', () => {
      if (this.conns.get(sid) !== s) return;
      this.conns.delete(sid);
      if (!this.closed) this.emit('peerDown', sid);
    });
    s.on('error', () => s.destroy());
    if (!old || old.destroyed) this.emit('peerUp', sid);
    // SendWorker: the queued message, or else the last one sent, goes out first.
    const first = this.queued.get(sid) ?? this.lastSent.get(sid);
    this.queued.delete(sid);
    if (first) this.write(s, first);
    drain();
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    this.closed = true;
    for (const s of this.conns.values()) s.destroy();
    for (const s of this.dialing.values()) s.destroy();
    for (const s of this.pending) s.destroy();
    this.conns.clear();
    this.dialing.clear();
    this.pending.clear();
    const srv = this.server;
    this.server = null;
    return srv ? srv.close() : Promise.resolve();
  }
}

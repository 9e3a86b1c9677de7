// Sockets of an ensemble member: the election port (QuorumCnxManager: handshake, only the
// connection made by the larger sid survives, length-prefixed messages, a send queue of one
// per peer that is resent on reconnect) and QuorumPacket streams on the quorum port (jute
// records back to back, no length prefix; a SNAP is followed by a raw snapshot stream).
import { EventEmitter } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { JuteError, Reader, Writer } from '../../protocol/jute';
import { QuorumPacket } from '../../protocol/records';
import { decodeHandshake, encodeHandshake } from './messages';

const MAX_ELECTION_MESSAGE = 512 * 1024;
const CONNECT_TIMEOUT_MS = 5000;

export interface PeerAddress {
  sid: number;
  host: string;
  port: number;
}

/** The election port: one socket per peer, messages framed with a 4-byte length. */
export class ElectionTransport extends EventEmitter {
  private server: Server | null = null;
  private readonly conns = new Map<number, Socket>();
  private readonly last = new Map<number, Buffer>();
  private readonly dialing = new Set<number>();
  private closed = false;

  constructor(
    readonly myid: number,
    private readonly me: PeerAddress,
    private peers: Map<number, PeerAddress>,
    private readonly log: (level: 'INFO' | 'WARN', msg: string) => void,
  ) {
    super();
  }

  /** Replaces the set of peers after a reconfig. */
  setPeers(peers: Map<number, PeerAddress>): void {
    this.peers = peers;
  }

  /** Listens on this member's election port. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = createServer((s) => this.accept(s));
      srv.once('error', reject);
      srv.listen(this.me.port, this.me.host, () => {
        srv.off('error', reject);
        srv.on('error', (e) => this.log('WARN', `election port error: ${e.message}`));
        resolve();
      });
      this.server = srv;
    });
  }

  /** Queues `msg` for `sid` (only the newest is kept) and sends it when connected. */
  send(sid: number, msg: Buffer): void {
    if (this.closed) return;
    if (sid === this.myid) {
      queueMicrotask(() => this.emit('message', sid, msg));
      return;
    }
    this.last.set(sid, msg);
    const s = this.conns.get(sid);
    if (s && !s.destroyed) this.write(s, msg);
    else this.dial(sid);
  }

  isConnected(sid: number): boolean {
    const s = this.conns.get(sid);
    return s !== undefined && !s.destroyed;
  }

  private write(s: Socket, msg: Buffer): void {
    const len = Buffer.alloc(4);
    len.writeInt32BE(msg.length);
    s.write(Buffer.concat([len, msg]));
  }

  private dial(sid: number): void {
    const peer = this.peers.get(sid);
    if (!peer || this.dialing.has(sid) || this.closed) return;
    this.dialing.add(sid);
    const s = connect({ host: peer.host, port: peer.port, timeout: CONNECT_TIMEOUT_MS });
    s.setNoDelay(true);
    const done = (): void => {
      this.dialing.delete(sid);
    };
    s.once('connect', () => {
      done();
      s.setTimeout(0);
      s.write(encodeHandshake(this.myid, `${this.me.host}:${this.me.port}`));
      if (this.myid < sid) {
        // The larger sid keeps the connection: nudge it to dial us, then step aside.
        s.end();
        return;
      }
      this.adopt(sid, s);
    });
    s.once('timeout', () => s.destroy());
    s.once('error', () => done());
    s.once('close', () => done());
  }

  private accept(s: Socket): void {
    s.setNoDelay(true);
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      let hs: { sid: number; used: number } | null;
      try {
        hs = decodeHandshake(buf);
      } catch (e) {
        this.log('WARN', `bad election handshake: ${(e as Error).message}`);
        s.destroy();
        return;
      }
      if (!hs) return;
      s.off('data', onData);
      const rest = buf.subarray(hs.used);
      if (hs.sid === this.myid) {
        s.destroy();
        return;
      }
      if (hs.sid < this.myid) {
        // Only the connection from the larger sid survives: close and dial back.
        s.destroy();
        this.dial(hs.sid);
        return;
      }
      this.adopt(hs.sid, s, rest);
    };
    s.on('data', onData);
    s.on('error', () => s.destroy());
  }

  private adopt(sid: number, s: Socket, initial: Buffer = Buffer.alloc(0)): void {
    const old = this.conns.get(sid);
    if (old && old !== s) old.destroy();
    this.conns.set(sid, s);
    let buf = initial;
    const drain = (): void => {
      while (buf.length >= 4) {
        const len = buf.readInt32BE(0);
        if (len <= 0 || len > MAX_ELECTION_MESSAGE) {
          this.log('WARN', `election message of ${len} bytes from ${sid}; closing that connection`);
          s.destroy();
          return;
        }
        if (buf.length < 4 + len) return;
        const msg = buf.subarray(4, 4 + len);
        buf = buf.subarray(4 + len);
        this.emit('message', sid, Buffer.from(msg));
      }
    };
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      drain();
    });
    s.on('close', () => {
      if (this.conns.get(sid) === s) this.conns.delete(sid);
    });
    s.on('error', () => s.destroy());
    const pending = this.last.get(sid);
    if (pending) this.write(s, pending);
    drain();
  }

  close(): void {
    this.closed = true;
    this.server?.close();
    for (const s of this.conns.values()) s.destroy();
    this.conns.clear();
  }
}

/** Something that takes the raw bytes after a SNAP packet; returns what follows once done. */
export type RawConsumer = (chunk: Buffer) => Buffer | null;

/** A QuorumPacket stream over one socket. */
export class PacketStream extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private raw: RawConsumer | null = null;
  private parsing = false;
  closed = false;

  constructor(readonly socket: Socket) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => {
      this.closed = true;
      this.emit('close');
    });
    socket.on('error', () => socket.destroy());
  }

  /** The next bytes go to `consumer` until it returns the bytes that follow its stream. */
  takeRaw(consumer: RawConsumer): void {
    this.raw = consumer;
    // Called from a 'packet' handler, the parse loop hands over what follows the packet itself.
    if (!this.parsing && this.buf.length > 0) {
      const b = this.buf;
      this.buf = Buffer.alloc(0);
      this.onData(b);
    }
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    if (this.raw) {
      let rest: Buffer | null;
      try {
        rest = this.raw(d);
      } catch (e) {
        this.emit('error', e);
        this.socket.destroy();
        return;
      }
      if (rest === null) return;
      this.raw = null;
      this.emit('rawDone');
      d = rest;
      if (d.length === 0) return;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let off = 0;
    this.parsing = true;
    try {
      off = this.parse();
    } finally {
      this.parsing = false;
    }
    if (this.raw) {
      const rest = this.buf.subarray(off);
      this.buf = Buffer.alloc(0);
      if (rest.length > 0) this.onData(Buffer.from(rest));
      return;
    }
    this.buf = off >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
  }

  /** Emits every whole packet in the buffer; returns the offset parsed up to. */
  private parse(): number {
    let off = 0;
    while (off < this.buf.length && !this.raw && !this.closed) {
      const r = new Reader(this.buf, off, this.buf.length, 64 * 1024 * 1024);
      let p: ReturnType<typeof QuorumPacket.read>;
      try {
        p = QuorumPacket.read(r);
      } catch (e) {
        if (e instanceof JuteError && e.message.startsWith('record ends early')) break;
        this.emit('error', e);
        this.socket.destroy();
        return this.buf.length;
      }
      off = r.pos;
      this.emit('packet', p);
    }
    return off;
  }

  send(type: number, zxid: bigint, data: Buffer | null = null, authinfo: { scheme: string; id: string }[] = []): void {
    if (this.closed) return;
    const w = new Writer(32 + (data?.length ?? 0));
    QuorumPacket.write(w, { type, zxid, data, authinfo });
    this.socket.write(w.bytes());
  }

  sendRaw(chunks: Buffer[]): void {
    if (this.closed) return;
    for (const c of chunks) this.socket.write(c);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

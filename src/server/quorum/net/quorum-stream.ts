// One quorum-port connection: QuorumPackets back to back with no length prefix (jute records
// read one after the other), and after a SNAP packet the raw snapshot stream ending with
// "BenWasHere". Incoming packets come out decoded as ZAB messages; a SNAP comes out once its
// whole image has arrived.
import { EventEmitter } from 'node:events';
import type { Conn } from '../../runtime/net';
import { JuteError, Reader, Writer } from '../../../protocol/jute';
import { QuorumPacket } from '../../../protocol/records';
import { SnapStreamReader } from '../../storage/snapstream';
import type { ZabMessage } from '../zab/types';
import { fromPacket, PACKET_NAME, PacketType, toPacket, type PacketSource, type WireTxn } from './zab-codec';

import { QUORUM_PACKET_MAX } from '../../../protocol/limits';

export { QUORUM_PACKET_MAX };

export interface QuorumStreamEvents {
  message: [msg: ZabMessage<WireTxn>];
  /** The connection ended; `reason` says why when we know. */
  close: [reason: string];
}

/** A QuorumPacket connection to a leader (remote = 'leader') or from a learner (remote = 'learner'). */
export class QuorumStream extends EventEmitter<QuorumStreamEvents> {
  private buf: Buffer = Buffer.alloc(0);
  private snap: { zxid: bigint; reader: SnapStreamReader } | null = null;
  /** Writes wait behind a snapshot that is still being serialised. */
  private blocked: Promise<void> | null = null;
  private readonly later: Buffer[] = [];
  /** Packets of this event-loop turn, written in one go once the turn's work is done. */
  private pending: Writer | null = null;
  /** Socket writes made (one per turn that had packets): for tests and the curious. */
  writes = 0;
  private closeReason: string | null = null;
  closed = false;

  constructor(
    readonly socket: Conn,
    readonly remote: PacketSource,
  ) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.close(e.message));
    socket.on('close', () => {
      this.closed = true;
      this.emit('close', this.closeReason ?? 'connection closed by the other end');
    });
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    try {
      let chunk: Buffer | null = d;
      while (chunk !== null && chunk.length > 0 && !this.closed) {
        if (this.snap) {
          const rest = this.snap.reader.push(chunk);
          if (rest === null) return;
          const { zxid, reader } = this.snap;
          this.snap = null;
          this.emit('message', { type: 'SNAP', zxid, image: reader });
          chunk = Buffer.from(rest);
          continue;
        }
        this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
        chunk = this.parse();
      }
    } catch (e) {
      this.close(`bad data from the ${this.remote}: ${(e as Error).message}`);
    }
  }

  /** Emits every whole packet; after a SNAP returns the bytes that belong to its stream. */
  private parse(): Buffer | null {
    let off = 0;
    while (off < this.buf.length && !this.closed) {
      const r = new Reader(this.buf, off, this.buf.length, QUORUM_PACKET_MAX);
      let p: QuorumPacket;
      try {
        p = QuorumPacket.read(r);
      } catch (e) {
        if (e instanceof JuteError && e.message.startsWith('record ends early')) break;
        throw e;
      }
      off = r.pos;
      if (p.type === PacketType.SNAP && this.remote === 'leader') {
        this.snap = { zxid: p.zxid, reader: new SnapStreamReader() };
        const rest = this.buf.subarray(off);
        this.buf = Buffer.alloc(0);
        return Buffer.from(rest);
      }
      const msg = fromPacket(p, this.remote);
      if (msg === null) {
        // Reconfig packets (COMMITANDACTIVATE, INFORMANDACTIVATE): reconfig is not enabled here.
        this.close(`unsupported packet ${PACKET_NAME[p.type] ?? p.type} from the ${this.remote}`);
        return null;
      }
      this.emit('message', msg);
    }
    this.buf = off >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
    return null;
  }

  /**
   * Sends one message (SNAP goes through sendSnapshot). Messages of one event-loop turn share a
   * buffer and leave in one socket write once the turn has handled all its I/O (setImmediate
   * runs right after the poll phase), as ZooKeeper's BufferedOutputStream flushes a batch: a
   * leader that reads ACKs and REQUESTs from several sockets in one turn sends each learner one
   * write, not one per PROPOSAL and COMMIT (on loopback each write also runs the receiver's TCP
   * path on the sender's CPU).
   */
  send(msg: ZabMessage<WireTxn>): void {
    if (this.closed) return;
    // The remote end is the other role: a stream to a leader is a learner's.
    const packet = toPacket(msg, this.remote === 'leader' ? 'learner' : 'leader');
    if (this.blocked) {
      const w = new Writer(64 + (packet.data?.length ?? 0));
      QuorumPacket.write(w, packet);
      this.later.push(w.bytes());
      return;
    }
    let w = this.pending;
    if (w === null) {
      // Small enough to come from Node's buffer pool; grows for a burst of proposals.
      w = this.pending = new Writer(4096);
      setImmediate(() => this.flush());
    }
    QuorumPacket.write(w, packet);
  }

  /** Writes what this turn queued (the socket keeps the bytes until the kernel takes them). */
  flush(): void {
    const w = this.pending;
    this.pending = null;
    if (w === null || w.pos === 0 || this.closed) return;
    this.writes++;
    this.socket.write(w.buf.subarray(0, w.pos));
  }

  /** SNAP, then the snapshot stream once serialised; later sends wait behind it, in order. */
  sendSnapshot(zxid: bigint, stream: Promise<Buffer[]>): void {
    // One sync per learner connection: a second snapshot on it would be a bug upstream.
    if (this.blocked) throw new Error('a snapshot is already being sent on this connection');
    this.send({ type: 'SNAP', zxid });
    // The SNAP packet (and what came before it) must be on the socket before the stream.
    this.flush();
    const done = (async () => {
      const chunks = await stream;
      if (this.closed) return;
      for (const c of chunks) this.socket.write(c);
    })();
    const gate = done.then(
      () => {
        if (this.blocked !== gate) return;
        this.blocked = null;
        for (const b of this.later.splice(0)) this.socket.write(b);
      },
      (e: Error) => this.close(`the snapshot could not be sent: ${e.message}`),
    );
    this.blocked = gate;
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    // What was sent before the close goes out first, as it would have unbatched.
    this.flush();
    this.closeReason ??= reason;
    this.closed = true;
    this.socket.destroy();
  }
}

// One quorum-port connection: QuorumPackets back to back with no length prefix (jute records
// read one after the other), and after a SNAP packet the raw snapshot stream ending with
// "BenWasHere". Incoming packets come out decoded as ZAB messages; a SNAP comes out once its
// whole image has arrived.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { JuteError, Reader, Writer } from '../../../protocol/jute';
import { QuorumPacket } from '../../../protocol/records';
import { SnapStreamReader } from '../../storage/snapstream';
import type { ZabMessage } from '../zab/types';
import { fromPacket, PACKET_NAME, PacketType, toPacket, type PacketSource, type WireTxn } from './zab-codec';

/** A quorum packet larger than this closes the connection (jute.maxbuffer plus headroom). */
export const QUORUM_PACKET_MAX = 64 * 1024 * 1024;

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
  private closeReason: string | null = null;
  closed = false;

  constructor(
    readonly socket: Socket,
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

  private write(b: Buffer): void {
    if (this.closed) return;
    if (this.blocked) this.later.push(b);
    else this.socket.write(b);
  }

  /** Sends one message (SNAP goes through sendSnapshot). */
  send(msg: ZabMessage<WireTxn>): void {
    const w = new Writer(64 + (msg.type === 'PROPOSAL' || msg.type === 'INFORM' ? msg.txn.bytes.length : 0));
    // The remote end is the other role: a stream to a leader is a learner's.
    QuorumPacket.write(w, toPacket(msg, this.remote === 'leader' ? 'learner' : 'leader'));
    this.write(w.bytes());
  }

  /** SNAP, then the snapshot stream once serialised; later sends wait behind it, in order. */
  sendSnapshot(zxid: bigint, stream: Promise<Buffer[]>): void {
    // One sync per learner connection: a second snapshot on it would be a bug upstream.
    if (this.blocked) throw new Error('a snapshot is already being sent on this connection');
    this.send({ type: 'SNAP', zxid });
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
    this.closeReason ??= reason;
    this.closed = true;
    this.socket.destroy();
  }
}

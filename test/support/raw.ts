// A raw ZooKeeper wire client for tests that need exact bytes: frames in, frames out.
import { connect, type Socket } from 'node:net';
import { Reader, Writer } from '../../src/protocol/jute';
import * as R from '../../src/protocol/records';

export class RawConn {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly frames: Buffer[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4) {
        const len = this.buf.readInt32BE(0);
        if (this.buf.length < 4 + len) break;
        this.frames.push(this.buf.subarray(4, 4 + len));
        this.buf = this.buf.subarray(4 + len);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  /** Waits for the next frame; null when the server closed the connection first. */
  async next(timeoutMs = 10_000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error('no frame from the server');
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.frames.shift()!;
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('the server did not close the connection');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  sendFrame(payload: Buffer): void {
    const len = Buffer.alloc(4);
    len.writeInt32BE(payload.length);
    this.socket.write(Buffer.concat([len, payload]));
  }

  /**
   * Sends a ConnectRequest and returns the raw response frame. The readOnly byte follows the
   * record as 3.8's clients send it; `old` leaves it out, as clients older than 3.3 do (44 bytes).
   */
  async handshake(
    opts: { lastZxidSeen?: bigint; sessionId?: bigint; passwd?: Buffer; timeOut?: number; readOnly?: boolean; old?: boolean } = {},
  ): Promise<Buffer | null> {
    const w = new Writer();
    R.ConnectRequest.write(w, {
      protocolVersion: 0,
      lastZxidSeen: opts.lastZxidSeen ?? 0n,
      timeOut: opts.timeOut ?? 10_000,
      sessionId: opts.sessionId ?? 0n,
      passwd: opts.passwd ?? Buffer.alloc(16),
    });
    if (!opts.old) w.bool(opts.readOnly ?? false);
    this.sendFrame(Buffer.from(w.bytes()));
    return this.next();
  }

  /** Sends RequestHeader + body. */
  request(xid: number, type: number, body?: { codec: { write(w: Writer, v: any): void }; value: unknown }): void {
    const w = new Writer();
    R.RequestHeader.write(w, { xid, type });
    if (body) body.codec.write(w, body.value);
    this.sendFrame(Buffer.from(w.bytes()));
  }

  /** Reads the next non-notification reply header (and returns the reader positioned after it). */
  async reply(): Promise<{ xid: number; zxid: bigint; err: number; r: Reader }> {
    for (;;) {
      const f = await this.next();
      if (!f) throw new Error('connection closed while waiting for a reply');
      const r = new Reader(f);
      const h = R.ReplyHeader.read(r);
      if (h.xid === -1) continue;
      return { ...h, r };
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

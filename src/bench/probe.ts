// A minimal wire-level client for the two timings that start from nothing: cold start (launch
// to the first successful write) and restart (launch to the first successful read). It speaks
// the jute protocol directly on a fresh socket per try, with no client library and so no
// reconnect back-off of its own: what it measures is the server, not a client's retry policy.
import { connect, type Socket } from 'node:net';
import { OPEN_ACL_UNSAFE, OpCode } from '../protocol/codes';
import { Reader, Writer } from '../protocol/jute';
import * as R from '../protocol/records';

export type ProbeOp = { kind: 'create'; path: string } | { kind: 'getData'; path: string };

function framed(write: (w: Writer) => void): Buffer {
  const w = new Writer(128);
  w.int(0);
  write(w);
  w.patchInt(0, w.pos - 4);
  return Buffer.from(w.bytes());
}

/** Reads length-prefixed frames from a socket, one promise per frame. */
class FrameReader {
  private buf = Buffer.alloc(0);
  private waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private ended: Error | null = null;

  constructor(sock: Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.pump();
    });
    const end = (e?: Error) => {
      this.ended = e ?? new Error('connection closed');
      for (const w of this.waiters.splice(0)) w.reject(this.ended);
    };
    sock.on('close', () => end());
    sock.on('error', (e) => end(e));
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.buf.length >= 4) {
      const len = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + len) return;
      const frame = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      this.waiters.shift()!.resolve(frame);
    }
  }

  next(): Promise<Buffer> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }
}

/** One try: connect, open a session, run `op`; resolves true when the op succeeded (err 0). */
export async function tryOnce(port: number, op: ProbeOp, timeoutMs = 2000): Promise<boolean> {
  const sock = connect({ host: '127.0.0.1', port });
  sock.setNoDelay(true);
  const frames = new FrameReader(sock);
  const timer = setTimeout(() => sock.destroy(), timeoutMs);
  try {
    await new Promise<void>((res, rej) => {
      sock.once('connect', () => res());
      sock.once('error', rej);
    });
    sock.write(
      framed((w) => {
        R.ConnectRequest.write(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16) });
        w.bool(false);
      }),
    );
    const cr = R.ConnectResponse.read(new Reader(await frames.next()));
    if (cr.sessionId === 0n) return false;
    sock.write(
      framed((w) => {
        if (op.kind === 'create') {
          R.RequestHeader.write(w, { xid: 1, type: OpCode.create });
          R.CreateRequest.write(w, { path: op.path, data: Buffer.from('probe'), acl: OPEN_ACL_UNSAFE, flags: 0 });
        } else {
          R.RequestHeader.write(w, { xid: 1, type: OpCode.getData });
          R.PathWatchRequest.write(w, { path: op.path, watch: false });
        }
      }),
    );
    let reply: { xid: number; err: number };
    do reply = R.ReplyHeader.read(new Reader(await frames.next()));
    while (reply.xid !== 1);
    sock.write(framed((w) => R.RequestHeader.write(w, { xid: 2, type: OpCode.closeSession })));
    return reply.err === 0;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    sock.destroy();
  }
}

/**
 * Tries `op` against the ports in turn (a fresh connection each time, a few ms apart) until one
 * succeeds; resolves with the performance.now() time of that success.
 */
export async function untilSuccess(ports: number[], op: (attempt: number) => ProbeOp, timeoutMs: number, isAlive: () => boolean = () => true): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryOnce(ports[attempt % ports.length]!, op(attempt))) return performance.now();
    if (!isAlive()) throw new Error('the server exited before it answered');
    if (performance.now() > deadline) throw new Error(`no successful ${op(attempt).kind} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

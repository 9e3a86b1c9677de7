// The shell's connection to one server: the handshake, requests matched to replies in order,
// pings, notifications and auth. Records come from src/protocol only.
import { connect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { Err, ERR_NAME, OpCode, Xid } from '../../protocol/codes';
import { Reader, Writer } from '../../protocol/jute';
import * as R from '../../protocol/records';

/** A ZooKeeper error reply, with its code. */
export class ZkError extends Error {
  constructor(
    readonly code: number,
    readonly path?: string,
  ) {
    super(`KeeperErrorCode = ${ERR_NAME[code] ?? code}${path ? ` for ${path}` : ''}`);
  }
}

interface Pending {
  xid: number;
  resolve: (r: Reader) => void;
  reject: (e: Error) => void;
  path?: string;
}

export type State = 'CONNECTING' | 'CONNECTED' | 'CLOSED' | 'EXPIRED';

export class WireSession extends EventEmitter {
  private socket: Socket | null = null;
  private buf = Buffer.alloc(0);
  private pending: Pending[] = [];
  private xid = 1;
  private pingTimer: NodeJS.Timeout | null = null;
  state: State = 'CONNECTING';
  sessionId = 0n;
  timeout = 30000;
  lastZxid = 0n;
  server = '';
  private auth: { scheme: string; auth: Buffer }[] = [];
  private authWaiters: ((err: number) => void)[] = [];

  /** Connects to the first of `hosts` that answers. */
  async open(hosts: string[], timeoutMs = 30000): Promise<void> {
    let lastError: Error | null = null;
    for (const h of hosts) {
      const [host, portText] = h.split(':') as [string, string | undefined];
      try {
        await this.handshake(host, Number(portText ?? 2181), timeoutMs);
        this.server = h;
        return;
      } catch (e) {
        lastError = e as Error;
      }
    }
    this.state = 'CLOSED';
    throw lastError ?? new Error('no server to connect to');
  }

  private handshake(host: string, port: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port });
      let done = false;
      const fail = (e: Error): void => {
        if (!done) {
          done = true;
          s.destroy();
          reject(e);
        }
      };
      s.once('error', fail);
      s.setTimeout(5000, () => fail(new Error(`timed out connecting to ${host}:${port}`)));
      s.once('connect', () => {
        s.setTimeout(0);
        const w = new Writer();
        w.int(0);
        R.ConnectRequest.write(w, { protocolVersion: 0, lastZxidSeen: this.lastZxid, timeOut: timeoutMs, sessionId: this.sessionId, passwd: Buffer.alloc(16) });
        w.bool(false);
        w.patchInt(0, w.pos - 4);
        s.write(w.bytes());
      });
      let first = true;
      s.on('data', (d) => {
        this.buf = Buffer.concat([this.buf, d]);
        while (this.buf.length >= 4) {
          const len = this.buf.readInt32BE(0);
          if (this.buf.length < 4 + len) break;
          const frame = this.buf.subarray(4, 4 + len);
          this.buf = this.buf.subarray(4 + len);
          if (first) {
            first = false;
            const resp = R.ConnectResponse.decode(Buffer.from(frame));
            if (resp.timeOut <= 0) {
              this.state = 'EXPIRED';
              fail(new Error('session expired'));
              return;
            }
            this.sessionId = resp.sessionId;
            this.timeout = resp.timeOut;
            this.socket = s;
            this.state = 'CONNECTED';
            this.startPings();
            done = true;
            resolve();
            this.emit('state', 'SyncConnected');
          } else {
            this.onFrame(Buffer.from(frame));
          }
        }
      });
      s.on('close', () => {
        if (!done) fail(new Error(`connection to ${host}:${port} closed`));
        if (this.socket === s) {
          this.socket = null;
          if (this.state === 'CONNECTED') {
            this.state = 'CLOSED';
            this.emit('state', 'Disconnected');
          }
          for (const p of this.pending.splice(0)) p.reject(new ZkError(Err.CONNECTIONLOSS, p.path));
          if (this.pingTimer) clearInterval(this.pingTimer);
        }
      });
    });
  }

  private startPings(): void {
    this.pingTimer = setInterval(() => this.send(Xid.PING, OpCode.ping), Math.max(500, this.timeout / 3));
    this.pingTimer.unref();
  }

  private send(xid: number, type: number, body?: { codec: { write(w: Writer, v: any): void }; value: unknown }): void {
    if (!this.socket) throw new ZkError(Err.CONNECTIONLOSS);
    const w = new Writer();
    w.int(0);
    R.RequestHeader.write(w, { xid, type });
    if (body) body.codec.write(w, body.value);
    w.patchInt(0, w.pos - 4);
    this.socket.write(w.bytes());
  }

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame);
    const h = R.ReplyHeader.read(r);
    if (h.zxid > 0n) this.lastZxid = h.zxid;
    if (h.xid === Xid.PING) return;
    if (h.xid === Xid.NOTIFICATION) {
      const e = R.WatcherEvent.read(r);
      this.emit('watch', e);
      return;
    }
    if (h.xid === Xid.AUTH) {
      this.authWaiters.shift()?.(h.err);
      return;
    }
    const p = this.pending.shift();
    if (!p) return;
    if (p.xid !== h.xid) {
      p.reject(new Error(`Xid out of order. Got Xid ${h.xid} with err ${h.err} expected Xid ${p.xid}`));
      this.socket?.destroy();
      return;
    }
    if (h.err !== 0) p.reject(new ZkError(h.err, p.path));
    else p.resolve(r);
  }

  /** Sends a request; resolves with a reader positioned at the response body. */
  call(type: number, path: string | undefined, body?: { codec: { write(w: Writer, v: any): void }; value: unknown }): Promise<Reader> {
    return new Promise((resolve, reject) => {
      const xid = this.xid++;
      try {
        this.send(xid, type, body);
      } catch (e) {
        reject(e);
        return;
      }
      this.pending.push({ xid, resolve, reject, path });
    });
  }

  /** addauth: resolves once the server accepted the credentials. */
  addAuth(scheme: string, auth: Buffer): Promise<void> {
    this.auth.push({ scheme, auth });
    return new Promise((resolve, reject) => {
      this.authWaiters.push((err) => (err === 0 ? resolve() : reject(new ZkError(err))));
      this.send(Xid.AUTH, OpCode.auth, { codec: R.AuthPacket, value: { type: 0, scheme, auth } });
    });
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.socket && this.state === 'CONNECTED') {
      try {
        await this.call(OpCode.closeSession, undefined);
      } catch {
        // closing anyway
      }
    }
    this.state = 'CLOSED';
    this.socket?.destroy();
    this.emit('state', 'Closed');
  }
}

// The connection's own rules, checked against a scripted server on a real socket: strict xid
// FIFO (an out-of-order reply drops the connection), pings while idle, a silent server is
// dropped after the read timeout, and the connect request carries the session to resume.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode, Xid } from '../protocol/codes';
import { Reader, Writer } from '../protocol/jute';
import * as R from '../protocol/records';
import { ZkClient } from './client';
import { FrameReader } from './frame';

interface Seen {
  connect: ReturnType<typeof R.ConnectRequest.decode> & { readOnly: boolean };
  requests: { xid: number; type: number; at: number }[];
}

/** A one-connection-at-a-time server that answers the handshake and lets the test reply. */
class ScriptedServer {
  server!: Server;
  port = 0;
  sockets: Socket[] = [];
  seen: Seen[] = [];
  /** How to answer each request; default: a header-only OK reply with the same xid. */
  onRequest: (sock: Socket, xid: number, type: number) => void = (sock, xid) => this.reply(sock, xid, 0);
  timeout = 3000;

  async start(): Promise<void> {
    this.server = createServer((sock) => {
      this.sockets.push(sock);
      const frames = new FrameReader(1 << 20);
      let conn: Seen | null = null;
      sock.on('error', () => undefined);
      sock.on('data', (d) => {
        for (const f of frames.push(d)) {
          const r = new Reader(f);
          if (!conn) {
            const req = R.ConnectRequest.read(r);
            conn = { connect: { ...req, readOnly: r.remaining() > 0 && r.bool() }, requests: [] };
            this.seen.push(conn);
            const w = new Writer();
            w.int(0);
            R.ConnectResponse.write(w, {
              protocolVersion: 0,
              timeOut: this.timeout,
              sessionId: req.sessionId === 0n ? 0x1234n : req.sessionId,
              passwd: Buffer.alloc(16, 9),
              readOnly: false,
            });
            w.patchInt(0, w.pos - 4);
            sock.write(w.bytes());
            continue;
          }
          const h = R.RequestHeader.read(r);
          conn.requests.push({ xid: h.xid, type: h.type, at: Date.now() });
          this.onRequest(sock, h.xid, h.type);
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  reply(sock: Socket, xid: number, err: number): void {
    const w = new Writer();
    w.int(0);
    R.ReplyHeader.write(w, { xid, zxid: 5n, err });
    w.patchInt(0, w.pos - 4);
    sock.write(w.bytes());
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

async function waitFor(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ClientCnxn against a scripted server', () => {
  let srv: ScriptedServer;
  let client: ZkClient | undefined;
  afterEach(async () => {
    await client?.close(100);
    client = undefined;
    await srv?.stop();
  });

  it('drops the connection on an out-of-order reply and resumes the session with its password', async () => {
    srv = new ScriptedServer();
    await srv.start();
    const held: { sock: Socket; xid: number }[] = [];
    srv.onRequest = (sock, xid, type) => {
      if (type === OpCode.ping) return srv.reply(sock, xid, 0);
      held.push({ sock, xid });
      // Answer the second request first.
      if (held.length === 2) srv.reply(sock, held[1]!.xid, 0);
    };
    client = new ZkClient(`127.0.0.1:${srv.port}`, { sessionTimeout: 3000, reconnectJitterMs: 10 });
    await client.waitConnected(5000);
    const a = client.sync('/').catch((e) => e);
    const b = client.sync('/').catch((e) => e);
    expect((await a).code).toBe(-4);
    expect((await b).code).toBe(-4);
    await waitFor(() => srv.seen.length === 2, 'the reconnect');
    const [first, second] = srv.seen as [Seen, Seen];
    expect(first.connect.sessionId).toBe(0n);
    expect(first.connect.readOnly).toBe(false);
    expect(second.connect.sessionId).toBe(0x1234n);
    expect(second.connect.passwd).toEqual(Buffer.alloc(16, 9));
    expect(second.connect.lastZxidSeen).toBe(0n);
    expect(first.requests.map((r) => r.xid)).toEqual([1, 2]);
  });

  it('pings an idle server about every third of the session timeout', async () => {
    srv = new ScriptedServer();
    srv.timeout = 1500; // read timeout 1000 ms: a ping when 500 ms idle
    await srv.start();
    client = new ZkClient(`127.0.0.1:${srv.port}`, { sessionTimeout: 1500 });
    await client.waitConnected(5000);
    await waitFor(() => (srv.seen[0]?.requests.length ?? 0) >= 4, 'four pings');
    const pings = srv.seen[0]!.requests;
    expect(pings.every((p) => p.type === OpCode.ping && p.xid === Xid.PING)).toBe(true);
    // Never more often than every half read timeout (no busy pinging).
    for (let i = 1; i < pings.length; i++) expect(pings[i]!.at - pings[i - 1]!.at).toBeGreaterThanOrEqual(450);
    expect(client.state).toBe('connected');
  });

  it('drops a server that stops answering after the read timeout and reconnects', async () => {
    srv = new ScriptedServer();
    srv.timeout = 1500;
    await srv.start();
    srv.onRequest = () => undefined; // swallow pings
    client = new ZkClient(`127.0.0.1:${srv.port}`, { sessionTimeout: 1500, reconnectJitterMs: 10 });
    const states: string[] = [];
    client.on('state', (s) => states.push(s));
    await client.waitConnected(5000);
    await waitFor(() => srv.seen.length >= 2, 'a reconnect after the read timeout');
    expect(states.slice(0, 2)).toEqual(['connected', 'suspended']);
  });

  it('sends readOnly in the connect request when the client accepts read-only servers', async () => {
    srv = new ScriptedServer();
    await srv.start();
    client = new ZkClient(`127.0.0.1:${srv.port}`, { canBeReadOnly: true });
    await client.waitConnected(5000);
    expect(srv.seen[0]!.connect.readOnly).toBe(true);
  });
});

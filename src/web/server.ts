// Browser mode: the same renderer served on 127.0.0.1 with a random token, and the same contract
// over a WebSocket. Requests without the token, or from a foreign Origin, are refused; nothing
// listens beyond loopback.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { Push, RequestEnvelope, type ReplyEnvelope } from '../shared/contract';
import type { LabService } from '../lab/service';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The built renderer (electron-vite writes it to out/renderer). */
export const RENDERER_DIR = resolve(__dirname, '..', '..', 'out', 'renderer');

export interface WebHandle {
  server: Server;
  port: number;
  token: string;
  url: string;
  close(): Promise<void>;
}

function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function cookieToken(req: IncomingMessage): string | null {
  const m = /(?:^|;\s*)zklab_token=([0-9a-f]+)/.exec(req.headers.cookie ?? '');
  return m ? m[1]! : null;
}

/** Starts the browser-mode server on 127.0.0.1:<port> (0 = any free port). */
export function startWebServer(lab: LabService, opts: { port?: number; token?: string; rendererDir?: string } = {}): Promise<WebHandle> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const root = opts.rendererDir ?? RENDERER_DIR;
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = url.searchParams.get('token') ?? cookieToken(req);
    if (!sameToken(given, token)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('ZooKeeper Lab: open the address printed by `npm start`, with its token.\n');
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = normalize(join(root, rel));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(existsSync(root) ? 'Not found\n' : 'The UI is not built; run npm run build.\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Set-Cookie': `zklab_token=${token}; HttpOnly; SameSite=Strict; Path=/`,
      'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws://127.0.0.1:*; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = url.searchParams.get('token') ?? cookieToken(req);
    if (url.pathname !== '/ws' || !sameToken(given, token) || (req.headers.origin !== undefined && req.headers.origin !== origin)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });
  const sockets = new Set<WebSocket>();
  const onPush = (p: unknown): void => {
    const text = JSON.stringify(Push.parse(p));
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  lab.on('push', onPush);
  function attach(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(JSON.stringify({ kind: 'state', lab: lab.view() }));
    ws.on('message', async (raw) => {
      let env: RequestEnvelope;
      try {
        env = RequestEnvelope.parse(JSON.parse(String(raw)));
      } catch (e) {
        ws.send(JSON.stringify({ id: -1, ok: false, error: `Bad request: ${(e as Error).message}` } satisfies ReplyEnvelope));
        return;
      }
      let reply: ReplyEnvelope;
      try {
        reply = { id: env.id, ok: true, result: (await lab.handle(env.request)) ?? null };
      } catch (e) {
        reply = { id: env.id, ok: false, error: (e as Error).message };
      }
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
    });
  }
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      origin = `http://127.0.0.1:${port}`;
      resolvePromise({
        server,
        port,
        token,
        url: `${origin}/?token=${token}`,
        close: () =>
          new Promise((r) => {
            lab.off('push', onPush);
            for (const ws of sockets) ws.terminate();
            wss.close();
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}

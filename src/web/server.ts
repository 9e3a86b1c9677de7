// Browser mode: the same renderer served on 127.0.0.1 with a random token, and the same contract
// over a WebSocket. Requests without the token, or from a foreign Origin, are refused; nothing
// listens beyond loopback.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { Push, RequestEnvelope, type ReplyEnvelope } from '../shared/contract';
import type { LabService } from '../lab/service';
import { errorFields } from '../shared/errors';
import { sameOrigin } from '../shared/origin';
import { WS_MESSAGE_MAX } from '../shared/limits';

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

/**
 * The token cookie's name: one per lab instance. Cookies are not kept apart by port, so two labs
 * on 127.0.0.1 (or a lab started again on another port) would otherwise overwrite each other's.
 */
export function cookieName(port: number): string {
  return `zklab_token_${port}`;
}

function cookieToken(req: IncomingMessage, port: number): string | null {
  const m = new RegExp(`(?:^|;\\s*)${cookieName(port)}=([0-9a-f]+)`).exec(req.headers.cookie ?? '');
  return m ? m[1]! : null;
}

/** A Host that is this server's loopback address (a DNS-rebound name is not) and no Origin but our own. */
function ourPage(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return false;
  const origin = req.headers.origin;
  return origin === undefined || sameOrigin(origin, `http://127.0.0.1:${port}`) || sameOrigin(origin, `http://localhost:${port}`);
}

/**
 * Whether a request may be served: our own page (ourPage) with the right token, from the query
 * or else the cookie (an empty `?token=` is no token: the cookie still counts).
 */
export function admissible(req: IncomingMessage, token: string, port: number): boolean {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const given = url.searchParams.get('token') || cookieToken(req, port);
  return sameToken(given, token) && ourPage(req, port);
}

/** Close code of a WebSocket refused for its token (4000-4999: the application's own). */
export const WS_REFUSED_TOKEN = 4401;

/** Starts the browser-mode server on 127.0.0.1:<port> (0 = any free port). */
export function startWebServer(lab: LabService, opts: { port?: number; token?: string; rendererDir?: string } = {}): Promise<WebHandle> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  if (!/^[0-9a-f]{32,}$/.test(token)) throw new Error('The lab token must be at least 32 hex digits (ZK_LAB_TOKEN).');
  const root = resolve(opts.rendererDir ?? RENDERER_DIR);
  let port = 0;
  const server = createServer((req, res) => {
    if (!admissible(req, token, port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('ZooKeeper Lab: open the address printed by `npm start`, with its token.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' }).end('Only GET here; the lab talks over its WebSocket.\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let rel: string;
    try {
      rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad path\n');
      return;
    }
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(existsSync(root) ? 'Not found\n' : 'The UI is not built; run `npm run build` and start the lab again.\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Set-Cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      'Content-Security-Policy': `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MESSAGE_MAX });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ws' || !ourPage(req, port)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    if (!admissible(req, token, port)) {
      // Our own page with no or a stale token (the lab restarted): a browser shows a page nothing
      // of a refused upgrade, so the socket opens and closes at once with the reason, and nothing else.
      wss.handleUpgrade(req, socket, head, (ws) =>
        ws.close(WS_REFUSED_TOKEN, 'This page has no valid token for the lab; open the address npm start printed.'),
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });
  const sockets = new Set<WebSocket>();
  /** Connections that asked for the live Wire capture: thousands of messages a second under load go to them only. */
  const wireSubscribers = new Set<WebSocket>();
  const onPush = (p: unknown): void => {
    const isWire = (p as { kind?: string }).kind === 'wire';
    if (isWire && wireSubscribers.size === 0) return;
    const checked = Push.safeParse(p);
    if (!checked.success) {
      // A push the contract does not allow is a bug of the backend: logged, never sent, never fatal.
      process.stderr.write(`ZooKeeper Lab: a ${(p as { kind?: string }).kind ?? 'nameless'} push does not fit the contract and was not sent: ${z.prettifyError(checked.error)}\n`);
      return;
    }
    const text = JSON.stringify(checked.data);
    for (const ws of isWire ? wireSubscribers : sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  lab.on('push', onPush);
  function attach(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => {
      sockets.delete(ws);
      wireSubscribers.delete(ws);
    });
    ws.send(JSON.stringify({ kind: 'state', lab: lab.view() }));
    ws.on('message', async (raw) => {
      let body: unknown;
      try {
        body = JSON.parse(String(raw));
      } catch {
        ws.send(JSON.stringify({ id: -1, ok: false, error: 'Bad request: not JSON.' } satisfies ReplyEnvelope));
        return;
      }
      const parsed = RequestEnvelope.safeParse(body);
      if (!parsed.success) {
        // Answer under the caller's id when it gave one, so its call fails instead of hanging.
        const id = typeof (body as { id?: unknown })?.id === 'number' ? (body as { id: number }).id : -1;
        ws.send(JSON.stringify({ id, ok: false, error: `Bad request (nothing was changed): ${z.prettifyError(parsed.error)}` } satisfies ReplyEnvelope));
        return;
      }
      const env: RequestEnvelope = parsed.data;
      let reply: ReplyEnvelope;
      if (env.request.method === 'wire.subscribe') {
        // A property of this connection, not of the lab.
        if (env.request.on) wireSubscribers.add(ws);
        else wireSubscribers.delete(ws);
        ws.send(JSON.stringify({ id: env.id, ok: true, result: { subscribed: env.request.on } } satisfies ReplyEnvelope));
        return;
      }
      try {
        reply = { id: env.id, ok: true, result: (await lab.handle(env.request)) ?? null };
      } catch (e) {
        reply = { id: env.id, ok: false, error: (e as Error).message, ...errorFields(e) };
      }
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
    });
  }
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as { port: number }).port;
      resolvePromise({
        server,
        port,
        token,
        url: `http://127.0.0.1:${port}/?token=${token}`,
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

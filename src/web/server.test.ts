// Browser mode's door: only loopback, only with the token, only from our own Origin and Host;
// requests are validated against the contract and a bad one changes nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../lab/service';
import { startWebServer, type WebHandle } from './server';

let dir: string;
let lab: LabService;
let web: WebHandle;
const TOKEN = 'a1'.repeat(24);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zk-lab-web-'));
  process.env.ZK_LAB_DIR = join(dir, 'labs');
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>ZooKeeper Lab</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer folder');
  lab = new LabService('web-test');
  web = await startWebServer(lab, { token: TOKEN, rendererDir: renderer });
});
afterAll(async () => {
  await web?.close();
  lab?.close();
  delete process.env.ZK_LAB_DIR;
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET, so that Host and Origin can be anything. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, path, headers: { host: `127.0.0.1:${web.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Everything each socket received, from its first frame on (the server pushes the state at once). */
const received = new WeakMap<WebSocket, unknown[]>();

/** Opens the WebSocket; resolves with the socket or with the HTTP status that refused it. */
function openWs(query: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws${query}`, { headers });
    const messages: unknown[] = [];
    received.set(ws, messages);
    ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

/** How an opened socket ends: "<code> <reason>" when the server closes it first, "open" when it stays open and a state push arrives. */
function closeOf(ws: WebSocket | number): Promise<string> {
  if (typeof ws === 'number') return Promise.resolve(`refused with HTTP ${ws}`);
  return new Promise((resolve) => {
    if (received.get(ws)!.length > 0) {
      ws.close();
      return resolve('open');
    }
    ws.once('message', () => {
      ws.close();
      resolve('open');
    });
    ws.once('close', (code, reason) => resolve(`${code} ${reason.toString()}`));
  });
}

describe('browser mode server', () => {
  it('listens on loopback only and prints an address with its token', () => {
    expect((web.server.address() as { address: string }).address).toBe('127.0.0.1');
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/?token=${TOKEN}`);
  });

  it('refuses pages without the token or with a wrong one', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get(`/?token=${'b2'.repeat(24)}`)).status).toBe(403);
    expect((await get(`/?token=${TOKEN.slice(0, 10)}`)).status).toBe(403);
    expect((await get('/', { cookie: `zklab_token_${web.port}=00` })).status).toBe(403);
  });

  it('serves the page with the token, then by its cookie, with a strict CSP', async () => {
    const first = await get(`/?token=${TOKEN}`);
    expect(first.status).toBe(200);
    expect(first.body).toContain('ZooKeeper Lab');
    expect(String(first.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(String(first.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(String(first.headers['set-cookie'])).toContain('HttpOnly');
    expect(String(first.headers['set-cookie'])).toContain(`zklab_token_${web.port}=${TOKEN};`);
    expect((await get('/index.html', { cookie: `zklab_token_${web.port}=${TOKEN}` })).status).toBe(200);
  });

  it('works from the cookie alone: a bare address, or an empty ?token=, does not override it', async () => {
    const cookie = `zklab_token_${web.port}=${TOKEN}`;
    expect((await get('/', { cookie })).status).toBe(200);
    expect((await get('/?token=', { cookie })).status).toBe(200);
    expect(await closeOf(await openWs('?token=', { cookie, Origin: `http://127.0.0.1:${web.port}` }))).toBe('open');
    // Another lab's cookie (another port) is not this lab's.
    expect((await get('/', { cookie: `zklab_token_${web.port + 1}=${TOKEN}` })).status).toBe(403);
    expect((await get('/', { cookie: `zklab_token=${TOKEN}` })).status).toBe(403);
  });

  it('refuses a foreign Origin and a foreign Host (DNS rebinding) even with the token', async () => {
    expect((await get(`/?token=${TOKEN}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`/?token=${TOKEN}`, { host: `evil.example:${web.port}` })).status).toBe(403);
    expect((await get(`/?token=${TOKEN}`, { origin: `http://127.0.0.1:${web.port}` })).status).toBe(200);
  });

  it('never serves a file outside the renderer folder', async () => {
    expect((await get(`/..%2fsecret.txt?token=${TOKEN}`)).status).toBe(404);
    expect((await get(`/%2e%2e/secret.txt?token=${TOKEN}`)).status).toBe(404);
  });

  it('refuses WebSockets without the token (telling our page why) or from a foreign Origin or Host', async () => {
    const refused = '4401 This page has no valid token for the lab; open the address npm start printed.';
    expect(await closeOf(await openWs(''))).toBe(refused);
    expect(await closeOf(await openWs(`?token=${'c3'.repeat(24)}`, { Origin: `http://127.0.0.1:${web.port}` }))).toBe(refused);
    expect(await openWs(`?token=${TOKEN}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await openWs(`?token=${TOKEN}`, { Origin: `http://127.0.0.1:${web.port}@evil.example` })).toBe(403);
    expect(await openWs(`?token=${TOKEN}`, { Origin: `http://127.0.0.1:${web.port}0` })).toBe(403);
    expect(await openWs('', { Host: `evil.example:${web.port}` })).toBe(403);
  });

  it('speaks the contract over the WebSocket: a state push, replies by id, and bad requests refused with a reason', async () => {
    const ws = await openWs(`?token=${TOKEN}`, { Origin: `http://127.0.0.1:${web.port}` });
    expect(ws).toBeInstanceOf(WebSocket);
    const sock = ws as WebSocket;
    const messages = received.get(sock)!;
    const next = (pred: (m: any) => boolean): Promise<any> =>
      new Promise((resolve) => {
        const found = messages.find(pred);
        if (found) return resolve(found);
        const on = (raw: WebSocket.RawData): void => {
          const m = JSON.parse(String(raw));
          if (pred(m)) {
            sock.off('message', on);
            resolve(m);
          }
        };
        sock.on('message', on);
      });
    expect(await next((m) => m.kind === 'state')).toEqual({ kind: 'state', lab: null });

    sock.send(JSON.stringify({ id: 1, request: { method: 'state' } }));
    expect(await next((m) => m.id === 1)).toEqual({ id: 1, ok: true, result: null });

    // A size the lab does not offer: refused by the contract, and no lab is created.
    sock.send(JSON.stringify({ id: 2, request: { method: 'launch', size: 8 } }));
    const bad = await next((m) => m.id === 2);
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^Bad request \(nothing was changed\)/);
    sock.send(JSON.stringify({ id: 3, request: { method: 'state' } }));
    expect(await next((m) => m.id === 3)).toEqual({ id: 3, ok: true, result: null });

    // The lab's own refusals come back as sentences that say what to do, with a code (and its
    // parameters) for the page to say them in its language.
    sock.send(JSON.stringify({ id: 4, request: { method: 'node', myid: 1, action: 'kill' } }));
    expect(await next((m) => m.id === 4)).toEqual({ id: 4, ok: false, error: 'There is no lab yet: launch one first.', code: 'noLab', params: {} });

    sock.send('not json');
    expect((await next((m) => m.id === -1)).error).toBe('Bad request: not JSON.');
    sock.close();
  });
});

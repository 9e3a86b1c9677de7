// Electron main process: one window showing the lab. The lab backend runs as a plain Node
// process (dist/web/main.js) because its native modules (better-sqlite3, node-pty) are built for
// Node, not for Electron's ABI; the window talks to it over the same token-protected loopback
// WebSocket as browser mode. When this process dies the backend notices (IPC channel) and
// takes every node down with it.
import { app, BrowserWindow, ipcMain, Menu, shell } from 'electron';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { Push, Request, type ReplyEnvelope } from '../shared/contract';

let backend: ChildProcess | null = null;

function startBackend(): Promise<string> {
  const entry = resolve(__dirname, '..', '..', 'dist', 'web', 'main.js');
  const node = process.env.ZK_LAB_NODE ?? 'node';
  backend = spawn(node, [entry], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    backend!.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ZooKeeper Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m) resolvePromise(m[1]!);
    });
    backend!.once('exit', (code) => reject(new Error(`the lab backend exited with ${code}`)));
  });
}

/**
 * Bridges the window's IPC to the backend's WebSocket; both directions are validated against
 * the one contract in src/shared.
 */
function bridge(url: string, win: BrowserWindow): void {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: u.origin });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const open = new Promise<void>((r) => ws.once('open', () => r()));
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw));
    if ('kind' in msg) {
      const p = Push.safeParse(msg);
      if (p.success && !win.isDestroyed()) win.webContents.send('lab:push', p.data);
      return;
    }
    const reply = msg as ReplyEnvelope;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.error));
  });
  ipcMain.handle('lab:call', async (_e, request: unknown) => {
    const req = Request.parse(request);
    await open;
    const id = nextId++;
    return new Promise((resolvePromise, reject) => {
      pending.set(id, { resolve: resolvePromise, reject });
      ws.send(JSON.stringify({ id, request: req }));
    });
  });
}

async function createWindow(): Promise<void> {
  const url = await startBackend();
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'ZooKeeper Lab',
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  // Only the lab's own pages load in the window; links open in the system browser.
  win.webContents.setWindowOpenHandler(({ url: target }) => {
    void shell.openExternal(target);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, target) => {
    if (!target.startsWith(new URL(url).origin)) e.preventDefault();
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { label: 'Lab', submenu: [{ label: 'Open in browser', click: () => void shell.openExternal(url) }, { type: 'separator' }, { role: 'quit' }] },
      { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }] },
    ]),
  );
  bridge(url, win);
  await win.loadURL(url);
}

app.whenReady().then(createWindow, (e: Error) => {
  console.error(`ZooKeeper Lab could not start: ${e.message}`);
  app.quit();
});
app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => backend?.kill('SIGTERM'));

// Electron main process: one window showing the lab.
//
// Why the backend is a separate plain Node process (dist/web/main.js, the same program browser
// mode runs): its native modules (better-sqlite3, node-pty) are compiled for Node's ABI, not
// Electron's, and rebuilding them for Electron needs Electron's headers from the network. A
// plain Node child also keeps the nodes' supervisor out of the UI process: if the window hangs,
// the lab does not. The window loads the page the backend serves (127.0.0.1, random port and
// token) and talks to the lab as it does in a browser: over the backend's token-protected
// WebSocket (src/renderer/api.ts: one client, with its time limits and reconnection). The page
// gets no Node or Electron API; the preload only tells it that it runs in the desktop app.
//
// Lifetimes: the backend is started with an IPC channel; when this process ends in any way the
// channel closes and the backend kills every node and exits. When the backend dies, the window
// says so and the app quits.
import { app, BrowserWindow, dialog, Menu, screen, session, shell } from 'electron';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { labsRoot } from '../lab/labdir';
import { readUiSettings, windowBounds, writeUiSetting } from '../lab/ui-settings';
import { placeWindow } from './bounds';
import { guardNavigation } from './guards';

const ROOT = resolve(__dirname, '..', '..');
let backend: ChildProcess | null = null;
let win: BrowserWindow | null = null;
let labUrl: string | null = null;
let quitting = false;

/** Starts the backend and resolves with the address it prints. */
function startBackend(): Promise<string> {
  const entry = join(ROOT, 'dist', 'web', 'main.js');
  // Electron's own binary cannot run it (ABI); scripts/start.mjs passes the Node that ran npm.
  const node = process.env.ZK_LAB_NODE ?? 'node';
  const child = spawn(node, [entry], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env });
  backend = child;
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const onData = (b: Buffer): void => {
      const text = b.toString();
      process.stdout.write(text);
      out += text;
      const m = /ZooKeeper Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m) resolvePromise(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => reject(new Error(`could not run the lab backend with "${node}": ${e.message}. Set ZK_LAB_NODE to a Node.js 20 binary.`)));
    child.once('exit', (code, signal) => {
      backend = null;
      if (!labUrl) reject(new Error(`the lab backend exited (${signal ?? `status ${code}`}) before it was ready:\n${out.trim()}`));
      else if (!quitting) {
        dialog.showErrorBox('ZooKeeper Lab', `The lab backend stopped (${signal ?? `status ${code}`}); its nodes went with it. Start the app again.\n\n${out.trim().split('\n').slice(-5).join('\n')}`);
        app.quit();
      }
    });
  });
}

function menu(url: string): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      {
        label: 'Lab',
        submenu: [
          { label: 'Open in a browser too', click: () => void shell.openExternal(url) },
          // The same folder the backend uses (labsRoot: ZK_LAB_DIR made absolute, else the platform's app-data folder).
          { label: 'Open the labs folder', click: () => void shell.openPath(labsRoot()) },
          { type: 'separator' },
          { role: 'quit' },
        ],
      },
      { label: 'Edit', submenu: [{ role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
      { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }] },
    ]),
  );
}

function createWindow(url: string): void {
  const origin = new URL(url).origin;
  // The size and place of the window when the app was last closed (in the UI settings file), on
  // a display that is still there (bounds.ts).
  const place = placeWindow(
    windowBounds(readUiSettings().window),
    screen.getAllDisplays().map((d) => d.workArea),
    screen.getPrimaryDisplay().workArea,
  );
  win = new BrowserWindow({
    width: place.width,
    height: place.height,
    ...(place.x !== undefined ? { x: place.x, y: place.y } : {}),
    title: 'ZooKeeper Lab',
    // resources/ sits beside out/ in the source tree and in the installed app alike.
    icon: join(__dirname, '..', '..', 'resources', 'icon.png'),
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  // Only the lab's own pages load in the window; links open in the system browser.
  win.webContents.setWindowOpenHandler(({ url: target }) => {
    if (/^https?:\/\//.test(target)) void shell.openExternal(target);
    return { action: 'deny' };
  });
  guardNavigation(win.webContents, origin);
  if (place.maximized) win.maximize();
  win.on('close', () => {
    if (!win) return;
    try {
      writeUiSetting('window', { ...win.getNormalBounds(), maximized: win.isMaximized() });
    } catch {
      // not kept: the next start opens at the default size
    }
  });
  win.on('closed', () => (win = null));
  void win.loadURL(url);
}

if (!app.requestSingleInstanceLock()) {
  // Another window of the lab is open: it gets the focus (second-instance below).
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app
    .whenReady()
    .then(async () => {
      // The page asks for nothing but the clipboard (terminal copy and paste).
      session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) => cb(permission === 'clipboard-sanitized-write' || permission === 'clipboard-read'));
      labUrl = await startBackend();
      // The page's CSP comes with it from the backend; this one also covers anything else.
      session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
        const headers = { ...details.responseHeaders };
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-security-policy')) {
          headers['Content-Security-Policy'] = ["default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'"];
        }
        cb({ responseHeaders: headers });
      });
      menu(labUrl);
      createWindow(labUrl);
    })
    .catch((e: Error) => {
      dialog.showErrorBox('ZooKeeper Lab could not start', e.message);
      app.quit();
    });
  app.on('activate', () => {
    if (!win && labUrl) createWindow(labUrl);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    quitting = true;
    // SIGTERM: the backend kills its nodes and exits; the IPC channel closing would do it too.
    backend?.kill('SIGTERM');
  });
}

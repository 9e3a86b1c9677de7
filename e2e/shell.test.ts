// The app shell's link to the backend, in Chromium: a second tab at the bare address works from
// the lab's cookie; a page whose token the backend does not take says why; a backend that goes
// away shows "Disconnected — reconnecting" and the page recovers by itself when it is back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../test/support/needs';
import { freePort } from '../test/support/ourzk';
import { BROWSER, CHROMIUM, CHROMIUM_ARGS, ROOT } from './support';

const TOKEN = 'd4'.repeat(24);
let labDir: string;
let port: number;
let backend: ChildProcess | null = null;
let browser: Browser;

/** Starts the backend on the same port and token every time (as a restarted lab with ZK_LAB_TOKEN). */
async function startBackend(): Promise<void> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'web', 'main.js'), '--port', String(port)], {
    env: { ...process.env, ZK_LAB_DIR: labDir, ZK_LAB_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  backend = child;
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (out.includes('ZooKeeper Lab: http')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (c) => reject(new Error(`the backend exited with ${c}:\n${out}`)));
  });
}

async function stopBackend(): Promise<void> {
  const child = backend;
  backend = null;
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

/** The locator's text, '' while there is none (for expect.poll). */
const text = async (l: Locator): Promise<string> => ((await l.count()) > 0 ? ((await l.first().textContent()) ?? '') : '');
/** Whether the first match exists and is enabled. */
const enabled = async (l: Locator): Promise<boolean> => (await l.count()) > 0 && (await l.first().isEnabled());

describe('the app shell and its connection', needs(...BROWSER), () => {
  beforeAll(async () => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-shell-'));
    port = await freePort();
    await startBackend();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await stopBackend();
    rmSync(labDir, { recursive: true, force: true });
  });

  it('a second tab at the bare address works from the cookie', async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(`http://127.0.0.1:${port}/?token=${TOKEN}`);
    await expect.poll(() => first.getByTestId('nav-cluster').count()).toBe(1);
    const second = await context.newPage();
    const res = await second.goto(`http://127.0.0.1:${port}/`);
    expect(res?.status()).toBe(200);
    // The launch options load from the backend: the call went through on the cookie alone.
    await expect.poll(() => enabled(second.getByRole('button', { name: /Launch/ }))).toBe(true);
    const empty = await context.newPage();
    expect((await empty.goto(`http://127.0.0.1:${port}/?token=`))?.status()).toBe(200);
    await expect.poll(() => enabled(empty.getByRole('button', { name: /Launch/ }))).toBe(true);
    await expect.poll(() => second.getByTestId('connection').count()).toBe(0);
    await context.close();
  });

  it('a page the backend no longer takes says why', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/?token=${TOKEN}`);
    await expect.poll(() => page.getByTestId('nav-cluster').count()).toBe(1);
    // The page stays; the lab comes back with another token (as a new npm start would).
    await context.clearCookies();
    await page.evaluate(() => history.replaceState(null, '', '/?token=' + 'e5'.repeat(24)));
    await stopBackend();
    await startBackend();
    await expect.poll(() => text(page.getByTestId('connection'))).toContain('The lab refused this page');
    await expect.poll(() => text(page.getByTestId('connection'))).toContain('open the address npm start printed');
    await context.close();
  });

  it('shows "Disconnected — reconnecting" while the backend is away, and recovers', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/?token=${TOKEN}`);
    await expect.poll(() => page.getByTestId('nav-cluster').count()).toBe(1);
    await stopBackend();
    await expect.poll(() => text(page.getByTestId('connection'))).toContain('Disconnected — reconnecting');
    await startBackend();
    await expect.poll(() => page.getByTestId('connection').count()).toBe(0);
    await expect.poll(() => enabled(page.getByRole('button', { name: /Launch/ }))).toBe(true);
    await context.close();
  });
});

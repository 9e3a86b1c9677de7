// Starts the lab in browser mode as a real process and drives it with Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM as CHROMIUM_NEED, CHROMIUM_PATH, LAB_BUILD, OUR_BUILD, requireAll } from '../test/support/needs';

export const ROOT = resolve(__dirname, '..');
export const CHROMIUM = CHROMIUM_PATH;
/** What every browser-mode test needs: Chromium and the lab built (see test/support/needs.ts). */
export const BROWSER = [CHROMIUM_NEED, LAB_BUILD, OUR_BUILD];
/** Flags that work on this machine's closed network (see the tool library's env entry). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface RunningLab {
  url: string;
  labDir: string;
  process: ChildProcess;
  browser: Browser;
  page: Page;
  stop(): Promise<void>;
}

/**
 * Starts `node dist/web/main.js` with a fresh ZK_LAB_DIR (or `labDir`, to start the same lab
 * again) and opens its page in Chromium. stop() removes the folder only if it made it.
 */
export async function startLab(opts: { labDir?: string } = {}): Promise<RunningLab> {
  requireAll(...BROWSER);
  const labDir = opts.labDir ?? mkdtempSync(join(tmpdir(), 'zk-lab-e2e-'));
  const ownDir = opts.labDir === undefined;
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'web', 'main.js')], { env: { ...process.env, ZK_LAB_DIR: labDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /ZooKeeper Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m) res(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (c) => rej(new Error(`the lab exited with ${c}:\n${out}`)));
  });
  let browser: Browser;
  let page: Page;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
  } catch (e) {
    // The lab process must not outlive a test that could not open its page.
    child.kill('SIGTERM');
    if (ownDir) rmSync(labDir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    labDir,
    process: child,
    browser,
    page,
    async stop() {
      await browser.close().catch(() => {});
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      if (ownDir) rmSync(labDir, { recursive: true, force: true });
    },
  };
}

/**
 * Launches a lab of `size` members of ours from the Cluster view, as a person does, and waits for
 * its leader and its size - 1 followers on the cards.
 */
export async function launchInUi(page: Page, size: 3 | 5): Promise<void> {
  await page.getByTestId('size').getByText(String(size), { exact: true }).click();
  await page.getByTestId('launch').click();
  await page.locator('[data-role="leader"]').waitFor({ timeout: 90_000 });
  await page.waitForFunction((n) => document.querySelectorAll('[data-role="follower"]').length === n, size - 1, { timeout: 90_000 });
}

/**
 * Selects `path` in the Tree explorer and waits until its details (stat, set-data card) are shown.
 * They arrive after the click and push the create form down: a mode dropdown opened before they
 * arrive is hidden with its field scrolled away, and a click on its option then never lands.
 */
export async function showNode(page: Page, path: string): Promise<void> {
  await page.getByTestId(`tree-${path}`).click();
  await page.locator(`[data-testid="stat"][data-path="${path}"]`).waitFor();
}

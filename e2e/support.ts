// Starts the lab in browser mode as a real process and drives it with Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { HistoryEvent } from '../src/shared/contract';
import { labCall } from './lab-call';
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

/**
 * The Walkthroughs view's pace controls. `auto`: at once, no wait between steps and no pause at
 * the moment that matters (the tests' pace); `step`: each step waits for Next.
 */
export async function setWalkthroughPace(page: Page, mode: 'auto' | 'step'): Promise<void> {
  await page.getByTestId('walkthrough-mode').getByText(mode === 'auto' ? 'Automatic' : 'Step by step').click();
  if (mode === 'step') return;
  await page.getByTestId('walkthrough-speed').click();
  await page.getByRole('option', { name: 'no wait' }).click();
  await page.getByTestId('walkthrough-pause-key').setChecked(false, { force: true });
}

/**
 * The lab's history since `since` is true about what a walkthrough did: the elections alternate
 * started/ended with none left open, none lasted longer than the walkthrough, and every leader
 * change in `changes` ([previous, leader]) was recorded.
 */
export async function checkElectionHistory(page: Page, since: number, changes: [number | null, number][] = []): Promise<HistoryEvent[]> {
  const isElection = (e: HistoryEvent): boolean => e.type === 'ensemble.election.started' || e.type === 'ensemble.election.ended';
  // The last poll may still be on its way: wait for the last election to be closed.
  await expect.poll(async () => (await labCall(page, { method: 'history', sinceMs: since })).events.filter(isElection).at(-1)?.type ?? 'none', { timeout: 30_000 }).not.toBe('ensemble.election.started');
  const events = (await labCall(page, { method: 'history', sinceMs: since })).events;
  const el = events.filter(isElection);
  el.forEach((e, i) => expect(e.type, `election event ${i}: ${el.map((x) => x.detail).join(' | ')}`).toBe(i % 2 === 0 ? 'ensemble.election.started' : 'ensemble.election.ended'));
  for (const e of el.filter((x) => x.type === 'ensemble.election.ended')) expect(e.data.durationMs as number, e.detail).toBeLessThanOrEqual(Date.now() - since);
  const seen = events.filter((e) => e.type === 'ensemble.leader.changed').map((e) => [e.data.previous, e.data.leader]);
  for (const c of changes) expect(seen, `leader changes ${JSON.stringify(seen)}`).toContainEqual(c);
  return events;
}

export interface WalkthroughRun {
  /** The verdict as the page shows it ("As the seed says … The seed says: … The lab saw: …"). */
  verdict: string;
  labSaw: string;
  passed: boolean;
  /** The lab's history since the run was asked for. */
  events: HistoryEvent[];
}

/**
 * Runs walkthrough `id` from its card in the Walkthroughs view (confirming it when it erases
 * data) and waits for its end. Then checks what every walkthrough must leave: a verdict of two
 * parts (or, with `passed: true`, one that agrees with the seed), the run recorded in the history
 * (started and ended), every election it caused closed with `changes` among the leader changes,
 * and the lab serving.
 */
export async function runWalkthroughInUi(page: Page, id: string, opts: { changes?: [number | null, number][]; confirm?: boolean; passed?: boolean } = {}): Promise<WalkthroughRun> {
  const since = Date.now();
  await page.getByTestId(`walkthrough-run-${id}`).click();
  if (opts.confirm) await page.getByTestId('walkthrough-confirm').click();
  const card = page.locator(`[data-testid="walkthrough"][data-id="${id}"][data-running="false"]`);
  await card.waitFor({ timeout: 150_000 });
  const verdict = (await page.getByTestId('walkthrough-verdict').textContent().catch(() => null)) ?? '';
  const failure = ((await page.getByTestId('walkthrough-failure').count()) > 0 ? await page.getByTestId('walkthrough-failure').textContent() : '') ?? '';
  const passed = (await card.getAttribute('data-passed')) === 'true';
  if (opts.passed ?? true) expect(passed, `${verdict} ${failure}`).toBe(true);
  expect(failure, 'the walkthrough stopped').toBe('');
  // The verdict is the seed's claim beside what the members showed, in two parts.
  expect(await page.getByTestId('walkthrough-seed-says').textContent()).toMatch(/^The seed says: ./);
  const labSaw = (await page.getByTestId('walkthrough-lab-saw').textContent()) ?? '';
  expect(labSaw).toMatch(/^The lab saw: ./);
  // The moment that matters is marked (a paced run pauses before it).
  expect(await page.locator('[data-testid="walkthrough-step"][data-key="true"]').count(), 'a key step').toBeGreaterThan(0);
  const events = await checkElectionHistory(page, since, opts.changes);
  const runs = events.filter((e) => (e.type === 'walkthrough.started' || e.type === 'walkthrough.ended') && e.data.id === id).map((e) => e.type);
  expect(runs, 'the run in the history').toEqual(['walkthrough.started', 'walkthrough.ended']);
  await expect.poll(async () => (await labCall(page, { method: 'state' }))?.serving, { timeout: 60_000 }).toBe(true);
  return { verdict, labSaw: labSaw.replace(/^The lab saw: /, ''), passed, events };
}

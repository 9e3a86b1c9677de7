// Opening a production dataDir through the UI, in Chromium: Apache ZooKeeper 3.8 itself writes a
// small tree (a few snapshots and logs) into its dataDir; the Cluster view's "Open a production
// dataDir" card opens it, shows the steps while it works (the copy, the checks, the member
// loading its znodes), and the Tree explorer then shows a znode of that tree with its data. A copy
// with a truncated snapshot is refused: the error is shown and no lab is made.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, CreateMode } from '../src/client';
import { JAVA, needs, ZK_JARS } from '../test/support/needs';
import { start, type RealZk } from '../test/support/realzk';
import { labCall } from './lab-call';
import { BROWSER, showNode, startLab, type RunningLab } from './support';

const zxidOf = (f: string): bigint => BigInt(`0x${f.split('.')[1]}`);

describe('opening a production dataDir in the UI', needs(...BROWSER, JAVA, ZK_JARS), () => {
  let zk: RealZk;
  let lab: RunningLab;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-datadir-'));
    // snapCount 40: a few hundred txns leave several snapshots and logs, as a production dataDir has.
    zk = await start({ config: { preAllocSize: 256 }, systemProperties: { 'zookeeper.snapCount': '40' } });
    const c = await connect(zk.connectString);
    await c.create('/shop', '');
    await c.create('/shop/config', '');
    await c.create('/shop/config/db', '{"url": "jdbc:postgresql://db:5432/shop"}');
    await c.create('/shop/orders', '');
    for (let i = 0; i < 150; i++) await c.create('/shop/orders/order-', `order ${i}`, { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    await c.close();
    lab = await startLab();
  }, 180_000);
  afterAll(async () => {
    await lab?.stop();
    await zk?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /**
   * Records every text the progress areas show from now on (steps come and go faster than a poll):
   * the card's while it copies and checks, the Cluster view's once the lab exists and its member starts.
   */
  const recordProgress = (): Promise<void> =>
    lab.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenProgress: string[] }).seenProgress = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="datadir-progress"], [data-testid="progress"]')) {
          const text = el.textContent;
          if (text && !seen.includes(text)) seen.push(text);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  const seenProgress = (): Promise<string[]> => lab.page.evaluate(() => (window as unknown as { seenProgress: string[] }).seenProgress);

  it('refuses a copy with a truncated snapshot, says why, and makes no lab', { timeout: 60_000 }, async () => {
    const page = lab.page;
    const v2 = join(zk.dataDir, 'version-2');
    const snaps = readdirSync(v2).filter((f) => f.startsWith('snapshot.')).sort((a, b) => (zxidOf(a) < zxidOf(b) ? -1 : 1));
    expect(snaps.length, readdirSync(v2).join(' ')).toBeGreaterThanOrEqual(2);
    const bad = join(work, 'bad');
    execFileSync('cp', ['-r', zk.dataDir, bad]);
    const newest = join(bad, 'version-2', snaps.at(-1)!);
    truncateSync(newest, statSync(newest).size - 100);

    await page.getByTestId('datadir-path').fill(bad);
    await page.getByTestId('datadir-open').click();
    await expect.poll(async () => (await page.getByTestId('error').textContent().catch(() => '')) ?? '').toMatch(new RegExp(`${snaps.at(-1)!.replace('.', '\\.')} is incomplete`));
    // No lab: the launcher is still there, the backend has none, the labs folder holds no lab.
    expect(await labCall(page, { method: 'state' })).toBeNull();
    await page.getByTestId('empty-state').waitFor();
    expect(readdirSync(lab.labDir).filter((n) => existsSync(join(lab.labDir, n, 'lab.json')) || n.startsWith('.opening-'))).toEqual([]);
  });

  it('opens the dataDir Apache ZooKeeper wrote, with its progress, and shows its znodes in the Tree explorer', { timeout: 120_000 }, async () => {
    const page = lab.page;
    if ((await page.getByTestId('error').count()) > 0) await page.getByTestId('error').locator('button').click();
    await recordProgress();
    await page.getByTestId('datadir-path').fill(zk.dataDir);
    await page.getByTestId('datadir-open').click();
    await page.getByTestId('source-banner').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('source-banner').textContent()).toMatch(new RegExp(`^Opened from ${zk.dataDir}: \\d+ znodes up to zxid 0x[0-9a-f]+`));
    // The steps it went through, as the card showed them: the copy, the checks, the member loading.
    const seen = await seenProgress();
    expect(seen.join('\n')).toMatch(/Copying .*version-2: [\d.]+ MB of [\d.]+ MB/);
    expect(seen.join('\n')).toMatch(/Starting node 1 of 1 \(loading \d+ znodes\)/);
    // Not the launch form's progress (the launcher's size, 5 nodes): this lab has one member.
    expect(seen.join('\n')).not.toMatch(/Preparing the lab folder|node 5/);

    await page.getByTestId('nav-tree').click();
    await page.getByTestId('toggle-/shop').click();
    await page.getByTestId('toggle-/shop/config').click();
    await showNode(page, '/shop/config/db');
    // Its data as Apache ZooKeeper stored it (the data view shows JSON indented).
    expect(JSON.parse((await page.getByTestId('data').textContent())!)).toEqual({ url: 'jdbc:postgresql://db:5432/shop' });
    await page.getByTestId('toggle-/shop/orders').click();
    // The sequential znodes with the names Apache ZooKeeper gave them (the list is virtualized: the first on screen).
    await page.getByTestId('tree-/shop/orders/order-0000000000').waitFor();
  });
});

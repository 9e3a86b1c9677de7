// The lab through its real UI in Chromium (browser mode): launch 5 nodes, kill the leader by
// dragging it onto the Kill zone, watch a new leader take a higher epoch, bring the old one
// back as a follower at the same zxid, and use a node's zkCli terminal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, Ops } from '../src/client';
import { caughtUp, labZxid } from '../test/support/caught-up';
import { BROWSER, ROOT, showNode, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;
/** Which engine the scenario runs on: ours (the default) or apache (ZK_LAB_E2E_ENGINE=apache). */
const ENGINE = process.env.ZK_LAB_E2E_ENGINE === 'apache' ? 'apache' : 'ours';
/** The TTL of the tree test's TTL znode: a day, far beyond any run of this file. */
const TTL_MS = 24 * 3600 * 1000;

describe('the lab in Chromium (browser mode)', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('refuses requests without the token', async () => {
    const bare = lab.url.replace(/\?token=.*/, '');
    expect((await fetch(bare)).status).toBe(403);
    expect((await fetch(`${bare}?token=wrong`)).status).toBe(403);
  });

  it('launches 5 nodes, fails over on a dragged kill, and takes the old leader back as a follower', { timeout: 180_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('launch').waitFor();
    expect(await page.getByTestId('launch').textContent()).toBe('Launch 5-node lab');
    if (shots) await page.screenshot({ path: join(shots, '1-empty.png') });
    if (ENGINE === 'apache') await page.getByTestId('engines').getByText('Apache ZooKeeper 3.8').click();
    await page.getByTestId('launch').click();
    // Node by node: the progress names each node as it starts.
    await page.getByTestId('progress').waitFor();
    await page.locator('[data-testid="progress-node-1"]').filter({ hasText: 'started' }).waitFor({ timeout: 60_000 });
    if (shots) await page.screenshot({ path: join(shots, '1b-launching.png') });
    await page.locator('[data-role="leader"]').waitFor({ timeout: 60_000 });
    await expect.poll(async () => page.locator('[data-role="follower"]').count(), { timeout: 30_000 }).toBe(4);
    expect(await page.locator('[data-role="leader"]').count()).toBe(1);
    if (shots) await page.screenshot({ path: join(shots, '2-five-nodes.png') });
    // What the lab takes on disk, read from its folder by the backend: members' data, logs, history.
    await expect.poll(async () => (await page.getByTestId('disk-use').textContent()) ?? '', { timeout: 30_000 }).toMatch(/^[\d.]+ (KiB|MiB) on disk: members’ data [\d.]+ (KiB|MiB), their logs [\d.]+ (B|KiB|MiB), history [\d.]+ (KiB|MiB)$/);

    const leaderCard = page.locator('[data-role="leader"]');
    const oldId = (await leaderCard.getAttribute('data-testid'))!.replace('node-', '');
    const oldEpoch = Number(await leaderCard.getAttribute('data-epoch'));
    await leaderCard.dragTo(page.getByTestId('kill-zone'));
    await page.locator(`[data-testid="node-${oldId}"][data-role="down"]`).waitFor({ timeout: 10_000 });
    const newLeader = page.locator('[data-role="leader"]');
    await newLeader.waitFor({ timeout: 30_000 });
    expect(await newLeader.getAttribute('data-testid')).not.toBe(`node-${oldId}`);
    await expect.poll(async () => Number(await newLeader.getAttribute('data-epoch')), { timeout: 30_000 }).toBeGreaterThan(oldEpoch);
    if (shots) await page.screenshot({ path: join(shots, '3-leader-killed.png') });

    await page.getByTestId(`restart-${oldId}`).click();
    const old = page.getByTestId(`node-${oldId}`);
    await expect.poll(async () => old.getAttribute('data-role'), { timeout: 30_000 }).toBe('follower');
    const oldCaughtUp = async (): Promise<boolean> => {
      const [z, e, lz] = [await old.getAttribute('data-zxid'), await old.getAttribute('data-epoch'), await page.locator('[data-role="leader"]').getAttribute('data-zxid')];
      return !!z && !!lz && caughtUp(labZxid(z), e ? BigInt(e) : null, labZxid(lz));
    };
    await expect.poll(oldCaughtUp, { timeout: 30_000 }).toBe(true);
    if (shots) await page.screenshot({ path: join(shots, '4-old-leader-rejoined.png') });
  });

  it("answers `ls /` in a node's zkCli terminal", { timeout: 60_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('nav-terminals').click();
    const term = page.getByTestId('terminal');
    await term.waitFor();
    const rows = term.locator('.xterm-rows');
    await term.click();
    // The shell is ready once it prints its prompt.
    await expect.poll(async () => (await rows.textContent()) ?? '', { timeout: 30_000 }).toMatch(/SyncConnected|CONNECTED\) \d+\]/).catch(async (e) => {
      throw new Error(`${(e as Error).message}\nterminal shows: ${await rows.textContent()}`);
    });
    await page.keyboard.type('ls /\n');
    await expect.poll(async () => (await rows.textContent()) ?? '', { timeout: 20_000 }).toContain('[zookeeper]');
    if (shots) await page.screenshot({ path: join(shots, '5-terminal.png') });
  });

  it('creates and inspects each node type in the tree explorer, and shows BadVersion on a stale set', { timeout: 240_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await page.getByTestId('nav-tree').click();
    /** Creates `name` under `parent` from the explorer's form; resolves once the znode exists. */
    const create = async (parent: string, name: string, data: string, mode: string): Promise<void> => {
      await showNode(page, parent);
      await page.getByTestId('child-name').fill(name);
      await page.getByTestId('child-data').fill(data);
      await page.getByTestId('child-mode').click();
      await page.getByRole('option', { name: mode, exact: true }).click();
      // The lab's leader reaps expired TTL znodes every second (znode.container.checkIntervalMs
      // in its zoo.cfg): a TTL far longer than this test (the UI's default is 10 minutes) keeps
      // /app/t there until the test has seen it, however slow the machine.
      if (mode === 'ttl') await page.getByTestId('child-ttl').fill(String(TTL_MS / 60_000));
      await page.getByTestId('create').click();
      // Done when the explorer selects the new znode, which it does once the create returned.
      // (Its notice says "created" from the first create on, so waiting for the notice did not
      // wait for this create: the next one could start while this one was in flight and, once
      // this znode got selected, be made under it, e.g. /app/t under /app/box, or /app/box
      // refused under the ephemeral /app/es-...)
      const path = `${parent === '/' ? '' : parent}/${name}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const made = new RegExp(`^${path}${mode.endsWith('sequential') ? '\\d{10}' : ''}$`);
      const outcome = async (): Promise<string | null> =>
        (await page.getByTestId('tree-error').count()) > 0 ? `error: ${await page.getByTestId('tree-error').textContent()}` : page.getByTestId('selected-path').textContent();
      await expect.poll(outcome).toMatch(made);
    };
    await create('/', 'app', '{"service":"lab","port":2181}', 'persistent');
    await expect.poll(async () => page.getByTestId('selected-path').textContent()).toBe('/app');
    await expect.poll(async () => page.getByTestId('data').textContent()).toContain('"service": "lab"');
    for (const [name, mode] of [['p', 'persistent'], ['ps-', 'persistent-sequential'], ['e', 'ephemeral'], ['es-', 'ephemeral-sequential'], ['box', 'container'], ['t', 'ttl']] as const) {
      await create('/app', name, mode, mode);
    }
    // Each new child was revealed: /app is open already.
    await page.getByTestId('tree-/app').click();
    for (const p of ['/app/p', '/app/e', '/app/box', '/app/t']) await page.getByTestId(`tree-${p}`).waitFor();
    // Sequential names carry the parent's counter as ten digits.
    for (const prefix of ['/app/ps-', '/app/es-']) await page.locator(`[data-testid^="tree-${prefix}"]`).first().waitFor();
    expect(await page.locator('[data-testid^="tree-/app/ps-"]').getAttribute('data-testid')).toMatch(/^tree-\/app\/ps-\d{10}$/);
    await page.getByTestId('tree-/app/e').click();
    await expect.poll(async () => page.getByTestId('stat').textContent()).toMatch(/ephemeralOwner0x[1-9a-f][0-9a-f]*/);
    await page.getByTestId('tree-/app/p').click();
    await expect.poll(async () => page.getByTestId('stat').textContent()).toContain('ephemeralOwner0x0');
    await page.getByTestId('set-version').fill('7');
    await page.getByTestId('set').click();
    await expect.poll(async () => page.getByTestId('tree-error').textContent()).toContain('BadVersion');
    if (shots) await page.screenshot({ path: join(shots, '7-tree.png') });
  });

  it('searches by prefix, exports a subtree and imports it elsewhere, and scrolls 100 000 children with few rows in the page', { timeout: 240_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    // 100 000 children of /big, written by a client of the test straight to the lab's ensemble.
    const spec = JSON.parse(readFileSync(join(lab.labDir, 'default', 'lab.json'), 'utf8')) as { nodes: { clientPort: number }[] };
    const zk = await connect(spec.nodes.map((n) => `127.0.0.1:${n.clientPort}`).join(','));
    try {
      await zk.create('/big', null);
      for (let i = 0; i < 100_000; i += 1000) await zk.multi(Array.from({ length: 1000 }, (_, j) => Ops.create(`/big/c${String(i + j).padStart(6, '0')}`, null)));
    } finally {
      await zk.close();
    }
    await page.getByTestId('nav-tree').click();
    // The Tree view was open while /big was made: / listed it with no children yet (a child watch
    // is on open parents only, so /big's own children refresh nothing). Selecting it reads it again,
    // and a row listed as a leaf becomes expandable.
    await page.getByTestId('tree-/big').click();
    await page.getByTestId('toggle-/big').click();
    const scroller = page.getByTestId('tree-scroller');
    const rowCount = async (): Promise<number> => Number(await scroller.getAttribute('data-rows'));
    await expect.poll(rowCount).toBeGreaterThan(500);
    // Scrolling to the end loads the next pages; the page holds only the rows on screen.
    for (let round = 0; round < 4; round++) {
      const before = await rowCount();
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await expect.poll(rowCount).toBeGreaterThan(before);
    }
    expect(await rowCount()).toBeGreaterThan(2000);
    expect(await page.locator('[data-testid^="tree-/big/"]').count()).toBeLessThan(120);

    // Search by prefix, then jump to a hit deep in the list.
    await page.getByTestId('tree-search').fill('/big/c09999');
    await expect.poll(async () => page.getByTestId('tree-search-hit').allTextContents()).toEqual(['/big/c099990', '/big/c099991', '/big/c099992', '/big/c099993', '/big/c099994', '/big/c099995', '/big/c099996', '/big/c099997', '/big/c099998', '/big/c099999']);
    await page.getByTestId('tree-search-hit').last().click();
    await expect.poll(async () => page.getByTestId('selected-path').textContent()).toBe('/big/c099999');
    if (shots) await page.screenshot({ path: join(shots, '9-tree-100k.png') });

    // Export /app (made by the test before) and import it under a new /backup.
    await page.getByTestId('tree-search').fill('');
    await scroller.evaluate((el) => (el.scrollTop = 0));
    await page.getByTestId('toggle-/big').click();
    await page.getByTestId('tree-/app').click();
    const download = page.waitForEvent('download');
    await page.getByTestId('tree-export').click();
    const file = await (await download).path();
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { root: string; nodes: { path: string }[] };
    expect(doc.root).toBe('/app');
    expect(doc.nodes.map((n) => n.path)).toContain('/p');
    await page.getByTestId('tree-/').click();
    await page.getByTestId('child-name').fill('backup');
    await page.getByTestId('child-data').fill('');
    await page.getByTestId('create').click();
    await expect.poll(async () => page.getByTestId('selected-path').textContent()).toBe('/backup');
    await page.locator('input[type=file]').setInputFiles({ name: 'app.zk-tree.json', mimeType: 'application/json', buffer: readFileSync(file) });
    await expect.poll(async () => page.getByTestId('tree-notice').textContent()).toMatch(/imported app.zk-tree.json as \/backup\/app: \d+ created/);
    await page.getByTestId('toggle-/backup').click();
    await page.getByTestId('tree-/backup/app').waitFor();
    // A file that is not an export is refused, and says what to do.
    await page.locator('input[type=file]').setInputFiles({ name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":1}') });
    await expect.poll(async () => page.getByTestId('tree-error').textContent()).toMatch(/not a tree export.*Export a subtree/);
  });

  it('shows a data watch fire once and disappear, while a persistent watch stays', { timeout: 240_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await page.getByTestId('nav-watches').click();
    const addWatch = async (path: string, kind: string): Promise<void> => {
      await page.getByTestId('watch-path').fill(path);
      await page.getByTestId('watch-kind').click();
      await page.getByRole('option', { name: kind, exact: true }).click();
      await page.getByTestId('watch-add').click();
    };
    await addWatch('/app/p', 'data');
    await addWatch('/app', 'persistent-recursive');
    // The inspector's own session (the Tree view's session watches what it shows, too).
    const session = (await page.getByTestId('watch-session').textContent())!.trim();
    const row = (path: string, kind: string) => page.locator(`[data-testid="watch-row"][data-path="${path}"][data-kind="${kind}"][data-session="${session}"]`);
    await row('/app/p', 'data').waitFor();
    await row('/app', 'persistent-recursive').waitFor();
    // Change /app/p twice from the tree explorer.
    for (const value of ['one', 'two']) {
      await page.getByTestId('nav-tree').click();
      await page.getByTestId('tree-/app').click();
      await page.getByTestId('toggle-/app').click().catch(() => {});
      await page.getByTestId('tree-/app/p').click();
      await page.getByTestId('set-data').fill(value);
      await page.getByTestId('set-version').fill('-1');
      await page.getByTestId('set').click();
      await page.getByTestId('tree-notice').waitFor();
      await page.getByTestId('nav-watches').click();
    }
    const fired = page.getByTestId('watch-fired');
    await expect.poll(async () => (await fired.allTextContents()).filter((t) => t.includes('NodeDataChanged /app/p (data')).length, { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => (await fired.allTextContents()).filter((t) => t.includes('NodeDataChanged /app/p (persistent-recursive')).length, { timeout: 15_000 }).toBe(2);
    await expect.poll(async () => row('/app/p', 'data').count(), { timeout: 15_000 }).toBe(0);
    expect(await row('/app', 'persistent-recursive').count()).toBe(1);
    if (shots) await page.screenshot({ path: join(shots, '8-watches.png') });
  });

  it('draws the timeline from the history', { timeout: 30_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('nav-timeline').click();
    await page.getByTestId('chart-epoch').waitFor();
    await expect.poll(async () => page.locator('[data-testid="chart-epoch"] .recharts-line').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    if (shots) await page.screenshot({ path: join(shots, '6-timeline.png') });
  });
});

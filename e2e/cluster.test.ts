// The lab through its real UI in Chromium (browser mode): launch 5 nodes, kill the leader by
// dragging it onto the Kill zone, watch a new leader take a higher epoch, bring the old one
// back as a follower at the same zxid, and use a node's zkCli terminal.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ROOT, startLab, type RunningLab } from './support';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe.skipIf(!chromiumAvailable)('the lab in Chromium (browser mode)', () => {
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
    await page.getByTestId('launch').click();
    await page.locator('[data-role="leader"]').waitFor({ timeout: 60_000 });
    await expect.poll(async () => page.locator('[data-role="follower"]').count(), { timeout: 30_000 }).toBe(4);
    expect(await page.locator('[data-role="leader"]').count()).toBe(1);
    if (shots) await page.screenshot({ path: join(shots, '2-five-nodes.png') });

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
    await expect
      .poll(async () => (await old.getAttribute('data-zxid')) === (await page.locator('[data-role="leader"]').getAttribute('data-zxid')), { timeout: 30_000 })
      .toBe(true);
    if (shots) await page.screenshot({ path: join(shots, '4-old-leader-rejoined.png') });
  });

  it.skipIf(!existsSync(join(ROOT, 'bin', 'zk-cli')) && !existsSync('/usr/share/zookeeper/bin/zkCli.sh'))("answers `ls /` in a node's zkCli terminal", { timeout: 60_000 }, async () => {
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

  it('creates and inspects each node type in the tree explorer, and shows BadVersion on a stale set', { timeout: 90_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(15_000);
    await page.getByTestId('nav-tree').click();
    await page.getByTestId('tree-/').click();
    const create = async (name: string, data: string, mode: string): Promise<void> => {
      await page.getByTestId('child-name').fill(name);
      await page.getByTestId('child-data').fill(data);
      await page.getByTestId('child-mode').click();
      await page.getByRole('option', { name: mode, exact: true }).click();
      await page.getByTestId('create').click();
      await page.getByTestId('tree-notice').waitFor();
    };
    await create('app', '{"service":"lab","port":2181}', 'persistent');
    await expect.poll(async () => page.getByTestId('selected-path').textContent()).toBe('/app');
    await expect.poll(async () => page.getByTestId('data').textContent()).toContain('"service": "lab"');
    for (const [name, mode] of [['p', 'persistent'], ['ps-', 'persistent-sequential'], ['e', 'ephemeral'], ['es-', 'ephemeral-sequential'], ['box', 'container'], ['t', 'ttl']] as const) {
      await page.getByTestId('tree-/app').click();
      await create(name, mode, mode);
    }
    await page.getByTestId('tree-/app').click();
    await page.getByTestId('toggle-/app').click();
    for (const p of ['/app/p', '/app/ps-0000000001', '/app/e', '/app/es-0000000003', '/app/box', '/app/t']) await page.getByTestId(`tree-${p}`).waitFor();
    await page.getByTestId('tree-/app/e').click();
    await expect.poll(async () => page.getByTestId('stat').textContent()).toMatch(/ephemeralOwner0x[1-9a-f][0-9a-f]*/);
    await page.getByTestId('tree-/app/p').click();
    await expect.poll(async () => page.getByTestId('stat').textContent()).toContain('ephemeralOwner0x0');
    await page.getByTestId('set-version').fill('7');
    await page.getByTestId('set').click();
    await expect.poll(async () => page.getByTestId('tree-error').textContent()).toContain('BadVersion');
    if (shots) await page.screenshot({ path: join(shots, '7-tree.png') });
  });

  it('draws the timeline from the history', { timeout: 30_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('nav-timeline').click();
    await page.getByTestId('chart-epoch').waitFor();
    await expect.poll(async () => page.locator('[data-testid="chart-epoch"] .recharts-line').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    if (shots) await page.screenshot({ path: join(shots, '6-timeline.png') });
  });
});

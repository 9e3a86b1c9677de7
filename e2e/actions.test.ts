// The other ways to act on a node, through the real UI in Chromium: keys on a focused card,
// the context menu, dragging a down node back, pause and resume; then the app restarts and the
// lab, its nodes (down, and startable again) and its timeline with the kill on it are all there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BROWSER, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

describe('acting on nodes by keyboard, menu and drag; the lab after a restart', needs(...BROWSER), () => {
  const labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-actions-'));
  const labs: RunningLab[] = [];
  afterAll(async () => {
    for (const l of labs) await l.stop();
    rmSync(labDir, { recursive: true, force: true });
  });

  it('pauses, stops, starts and kills from the keyboard, the menu and a drag', { timeout: 240_000 }, async () => {
    const lab = await startLab({ labDir });
    labs.push(lab);
    const page = lab.page;
    await page.getByTestId('size').getByText('3', { exact: true }).click();
    await page.getByTestId('launch').click();
    await expect.poll(async () => page.locator('[data-role="follower"]').count(), { timeout: 60_000 }).toBe(2);
    await page.locator('[data-role="leader"]').waitFor();
    const follower = (await page.locator('[data-role="follower"]').first().getAttribute('data-testid'))!;
    const card = page.getByTestId(follower);

    // p on a focused card: SIGSTOP, then SIGCONT.
    await card.focus();
    await page.keyboard.press('p');
    await expect.poll(async () => card.getAttribute('data-role'), { timeout: 10_000 }).toBe('paused');
    await page.keyboard.press('p');
    await expect.poll(async () => card.getAttribute('data-role'), { timeout: 30_000 }).toBe('follower');

    // Right-click: the menu, Stop (SIGTERM); the card says how it went down.
    await card.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Stop (SIGTERM)' }).click();
    await expect.poll(async () => card.getAttribute('data-role'), { timeout: 30_000 }).toBe('down');
    expect(await page.getByTestId(`last-exit-${follower.replace('node-', '')}`).textContent()).toMatch(/^stopped/);

    // Dragged onto the Start zone, it comes back and follows again.
    await card.dragTo(page.getByTestId('start-zone'));
    await expect.poll(async () => card.getAttribute('data-role'), { timeout: 30_000 }).toBe('follower');

    // The menu's slow-follower fault: the card says so (read from the member) until it is fixed.
    const myid = follower.replace('node-', '');
    await card.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Slow follower: apply commits 2 s late' }).click();
    await expect.poll(async () => page.getByTestId(`slow-${myid}`).textContent(), { timeout: 10_000 }).toContain('2000 ms late');
    await page.getByTestId(`slow-${myid}`).click();
    await expect.poll(async () => page.getByTestId(`slow-${myid}`).count(), { timeout: 10_000 }).toBe(0);

    // k on the focused leader: SIGKILL, and another member leads.
    const leader = (await page.locator('[data-role="leader"]').getAttribute('data-testid'))!;
    await page.getByTestId(leader).focus();
    await page.keyboard.press('k');
    await expect.poll(async () => page.getByTestId(leader).getAttribute('data-role'), { timeout: 10_000 }).toBe('down');
    await expect.poll(async () => (await page.locator('[data-role="leader"]').getAttribute('data-testid').catch(() => null)) ?? '', { timeout: 60_000 }).toMatch(/^node-\d$/);
    expect(await page.locator('[data-role="leader"]').getAttribute('data-testid')).not.toBe(leader);
    await lab.stop();
  });

  it('opens the same lab after a restart of the app, with its timeline, and starts it again', { timeout: 180_000 }, async () => {
    const lab = await startLab({ labDir });
    labs.push(lab);
    const page = lab.page;
    // The app was closed: every node is down, and the lab says how to bring them back.
    await expect.poll(async () => page.locator('[data-role="down"]').count(), { timeout: 20_000 }).toBe(3);
    await page.getByTestId('nav-timeline').click();
    await page.getByTestId('chart-role').waitFor();
    // The kill of the first run is on the timeline, read back from the lab's SQLite history.
    await page.getByTestId('timeline-range').getByText('whole lab').click();
    await page.getByTestId('chart-epoch').getByText(/^killed \d$/).first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid^="lane-"] [data-role="leader"]').count()).toBeGreaterThan(0);
    await page.getByTestId('nav-cluster').click();
    await page.getByTestId('start-all').click();
    await page.locator('[data-role="leader"]').waitFor({ timeout: 60_000 });
    await expect.poll(async () => page.locator('[data-role="follower"]').count(), { timeout: 60_000 }).toBe(2);
  });

  it("shows a node's live log and keeps its terminals across views", { timeout: 120_000 }, async () => {
    const page = labs.at(-1)!.page;
    await page.getByTestId('nav-terminals').click();
    await page.getByTestId('terminal-kind').getByText('Log', { exact: true }).click();
    await page.getByTestId('terminal-open').click();
    await page.getByTestId('terminal-tab-1-log').waitFor();
    const rows = page.getByTestId('terminal').locator('.xterm-rows');
    await expect.poll(async () => (await rows.textContent()) ?? '', { timeout: 30_000 }).toContain('ZooKeeper Lab server started in quorum mode');
    await page.getByTestId('terminal-kind').getByText('System shell').click();
    await page.getByTestId('terminal-open').click();
    await page.getByTestId('terminal-tab-1-shell').waitFor();
    await page.getByTestId('terminal').click();
    // The system shell starts in the node's folder, next to its zoo.cfg.
    await page.keyboard.type('echo "members=$(grep -c ^server zoo.cfg) in $(basename $PWD)"\n');
    await expect.poll(async () => (await rows.textContent()) ?? '', { timeout: 20_000 }).toContain('members=3 in node1');
    // Away and back: the shell is the same one, with what it printed.
    await page.getByTestId('nav-cluster').click();
    await page.getByTestId('nav-terminals').click();
    await page.getByTestId('terminal-tab-1-shell').click();
    await expect.poll(async () => (await page.getByTestId('terminal').locator('.xterm-rows').textContent()) ?? '', { timeout: 20_000 }).toContain('members=3 in node1');
  });
});

// Replay through the real UI in Chromium: a follower killed and started again; on the Timeline
// the kill's mark replays the moment after it, and the Cluster view shows that member down then
// while it is up now, with the Wire capture around that moment; ← → step the moment; Live
// returns to the running lab.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER, launchInUi, ROOT, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('replaying the lab history', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('shows a member down then and up now', { timeout: 240_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await launchInUi(page, 3);
    const n = (await page.locator('[data-role="follower"]').first().getAttribute('data-testid'))!.replace('node-', '');
    const card = page.getByTestId(`node-${n}`);
    await card.focus();
    await page.keyboard.press('k');
    await expect.poll(async () => card.getAttribute('data-role'), { timeout: 30_000 }).toBe('down');
    await card.focus();
    await page.keyboard.press('r');
    await expect.poll(async () => card.getAttribute('data-role'), { timeout: 60_000 }).toBe('follower');

    await page.getByTestId('nav-timeline').click();
    await page.getByTestId(`lane-mark-${n}`).and(page.locator('[data-type="node.killed"]')).click();
    const at = Number(await page.getByTestId('replay-bar').getAttribute('data-at'));
    expect(at).toBeGreaterThan(0);
    // ← and → move the moment a second at a time (← first: the kill may be less than two seconds
    // old, and → past now is Live).
    await page.getByTestId('nav-timeline').focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => Number(await page.getByTestId('replay-bar').getAttribute('data-at'))).toBe(at - 1000);
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => Number(await page.getByTestId('replay-bar').getAttribute('data-at'))).toBe(at);

    // The Cluster view then: the member down; the others as they were.
    await page.getByTestId('nav-cluster').click();
    await page.getByTestId('replay-banner').waitFor();
    expect(await page.getByTestId(`past-node-${n}`).getAttribute('data-role')).toBe('down');
    expect(await page.locator('[data-testid^="past-node-"][data-role="leader"]').count()).toBe(1);
    // The Wire capture around that moment (the leader pings its followers every half tick).
    await expect.poll(async () => page.getByTestId('past-wire').textContent()).toMatch(/PING/);
    if (shots) await page.screenshot({ path: join(shots, '20-replay.png') });
    // Live: up now.
    await page.getByTestId('replay-live-cluster').click();
    await expect.poll(async () => page.getByTestId(`node-${n}`).getAttribute('data-role')).toBe('follower');
    expect(await page.getByTestId('past-cluster').count()).toBe(0);
  });
});

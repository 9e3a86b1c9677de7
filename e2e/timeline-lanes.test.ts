// The Timeline's role lanes with seven members, in Chromium: one lane each, none hidden by
// another; a role told by its name written on its stretch and by a fill pattern for the states
// that do not serve, not only by colour; and zoom and pan on the time axis, which move the
// lanes' stretches and the charts' axis together.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../test/support/needs';
import { BROWSER, ROOT, startLab, type RunningLab } from './support';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the role lanes with seven members', needs(...BROWSER), () => {
  let labDir: string;
  let lab: RunningLab | null = null;
  beforeAll(() => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-lanes-'));
  });
  afterAll(async () => {
    await lab?.stop();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('draws seven lanes with roles written and patterned, and zooms and pans the time axis', { timeout: 240_000 }, async () => {
    lab = await startLab({ labDir });
    const page = lab.page;
    page.setDefaultTimeout(60_000);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByTestId('size').getByText('7', { exact: true }).click();
    await page.getByTestId('launch').click();
    await page.locator('[data-testid^="node-"][data-role="leader"]').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="node-"][data-role="follower"]').length === 6, null, { timeout: 120_000 });
    // A member down, so a state that does not serve is on the lanes.
    await page.getByTestId('node-7').focus();
    await page.keyboard.press('k');
    await page.locator('[data-testid="node-7"][data-role="down"]').waitFor();

    await page.getByTestId('nav-timeline').click();
    for (let id = 1; id <= 7; id++) await page.getByTestId(`lane-${id}`).waitFor();
    // Each lane is its own row: no two overlap on screen.
    const boxes = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(async (id) => (await page.getByTestId(`lane-${id}`).boundingBox())!));
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.y).toBeGreaterThanOrEqual(boxes[i - 1]!.y + boxes[i - 1]!.height);
    // The leader's lane says "leader" in words on its stretch, and node 7's last stretch is down, striped.
    await expect.poll(async () => page.getByTestId('lane-segment').filter({ hasText: 'leader' }).count()).toBeGreaterThan(0);
    const down = page.getByTestId('lane-7').locator('[data-role="down"]').last();
    await expect.poll(async () => down.evaluate((el) => getComputedStyle(el).backgroundImage)).toMatch(/repeating-linear-gradient/);
    expect(await page.getByTestId('role-key-down').getAttribute('data-pattern')).toBe('true');
    if (shots) await page.screenshot({ path: join(shots, '29-timeline-seven.png') });

    // Zoom in: the window narrows, and a stretch of the leader's lane is drawn wider than before.
    const leaderLane = page.locator('[data-testid^="lane-"]').filter({ has: page.locator('[data-role="leader"]') }).first();
    const widthOf = async (): Promise<number> => (await leaderLane.locator('[data-role="leader"]').last().boundingBox())!.width;
    const before = await widthOf();
    await page.getByTestId('timeline-zoom-in').click();
    await expect.poll(async () => page.getByTestId('timeline-zoom').getAttribute('data-from')).toBe('250');
    expect(await page.getByTestId('timeline-zoom').getAttribute('data-to')).toBe('750');
    await expect.poll(widthOf).toBeGreaterThan(before * 1.5);
    // Pan earlier, then show it all again.
    await page.getByTestId('timeline-pan-left').click();
    await expect.poll(async () => page.getByTestId('timeline-zoom').getAttribute('data-from')).toBe('125');
    expect(await page.getByTestId('timeline-zoom').getAttribute('data-to')).toBe('625');
    await page.getByTestId('timeline-zoom-all').click();
    await expect.poll(async () => page.getByTestId('timeline-zoom').getAttribute('data-to')).toBe('1000');
    expect(await page.getByTestId('timeline-zoom').getAttribute('data-from')).toBe('0');
  });
});

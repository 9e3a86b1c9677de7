// The desktop conventions through the real UI in Chromium: the command palette (Ctrl+K) runs
// "kill node N" and goes to a znode path, the theme switch (dark, kept across a reload, as is
// the open view), and the notifications with their history panel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER, ROOT, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the command palette, the theme and notifications', needs(...BROWSER), () => {
  // A folder of its own, so that the app can be started again on it (settings survive that).
  const labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-desktop-'));
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab({ labDir });
    lab.page.setDefaultTimeout(45_000);
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
    rmSync(labDir, { recursive: true, force: true });
  });

  /** Opens the palette with its shortcut and types `query`. */
  const palette = async (query: string, key = 'Control+k'): Promise<void> => {
    const page = lab.page;
    // The shortcut toggles: it opens a palette that is closed (and gone from the page).
    await page.getByTestId('palette-search').waitFor({ state: 'detached' });
    await page.keyboard.press(key);
    await page.getByTestId('palette-search').waitFor();
    await page.getByTestId('palette-search').fill(query);
  };

  it('launches a lab and kills a follower from the palette, and says so', { timeout: 180_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('nav-cluster').waitFor();
    await palette('launch 3');
    await page.locator('[data-command="launch:3"]').click();
    await page.locator('[data-role="leader"]').waitFor({ timeout: 90_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-role="follower"]').length === 2, undefined, { timeout: 90_000 });

    // Ctrl+Shift+P opens it too; the shortcuts are listed in it.
    await palette('shortcut', 'Control+Shift+P');
    await expect.poll(async () => page.locator('[data-command^="shortcut:"]').count()).toBeGreaterThan(3);
    if (shots) await page.screenshot({ path: join(shots, '19-palette.png') });
    await page.keyboard.press('Escape');

    // A follower (the leader's own entry, "Kill the leader (node N)", would match its number too).
    const n = (await page.locator('[data-role="follower"]').first().getAttribute('data-testid'))!.replace('node-', '');
    await palette(`kill node ${n}`);
    const kill = page.locator(`[data-command="kill:${n}"]`);
    await kill.waitFor();
    // Only that node's kill matches what was typed.
    expect(await page.locator('[data-testid="palette-action"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-command')))).toEqual([`kill:${n}`]);
    await kill.click();
    await expect.poll(async () => page.getByTestId(`node-${n}`).getAttribute('data-role'), { timeout: 30_000 }).toBe('down');
    // A notification says it, and the panel keeps it.
    await page.getByText(`Killed node ${n}`).first().waitFor();
    await page.getByTestId('notifications-open').click();
    await expect.poll(async () => page.getByTestId('notification-entry').first().textContent()).toContain(`Killed node ${n}`);
    await page.keyboard.press('Escape');
    await page.getByTestId('notification-entry').first().waitFor({ state: 'detached' });
  });

  it('goes to a znode path from the palette', { timeout: 60_000 }, async () => {
    const page = lab.page;
    await palette('/zookeeper');
    await page.locator('[data-command="znode"]').click();
    await expect.poll(async () => page.getByTestId('selected-path').textContent()).toBe('/zookeeper');
  });

  it('switches to the dark theme and keeps it, and the open view, across a restart of the app', { timeout: 120_000 }, async () => {
    let page = lab.page;
    const scheme = async (): Promise<string | null> => page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    expect(await scheme()).toBe('light');
    await palette('dark theme');
    await page.locator('[data-command="theme:dark"]').click();
    await expect.poll(scheme).toBe('dark');
    await page.getByTestId('nav-cluster').click();
    if (shots) await page.screenshot({ path: join(shots, '18-dark-theme.png') });
    await page.getByTestId('nav-timeline').click();
    // The app closed and started again: a new backend on a new port, a new browser profile.
    await lab.stop();
    lab = await startLab({ labDir });
    page = lab.page;
    page.setDefaultTimeout(45_000);
    await expect.poll(async () => page.getByTestId('nav-timeline').getAttribute('data-active')).toBe('true');
    expect(await scheme()).toBe('dark');
    // The navbar's switch goes back to light, and that is kept too.
    await page.getByTestId('theme').getByText('Light').click();
    await expect.poll(scheme).toBe('light');
  });
});

// A lab that mixes engines: odd nodes run our server, even nodes Apache ZooKeeper 3.8 (Debian).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JAVA, needs, ZK_ADMIN_JARS, ZK_JARS } from '../test/support/needs';
import { BROWSER, startLab, type RunningLab } from './support';

describe('a mixed lab in Chromium', needs(...BROWSER, JAVA, ZK_JARS, ZK_ADMIN_JARS), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('launches 3 nodes of two engines that elect one leader and agree on the epoch', { timeout: 360_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('launch').waitFor();
    await page.getByTestId('size').getByText('3', { exact: true }).click();
    await page.getByTestId('engines').getByText('Mixed').click();
    expect(await page.getByTestId('launch').textContent()).toBe('Launch 3-node lab');
    await page.getByTestId('launch').click();
    await page.locator('[data-role="leader"]').waitFor({ timeout: 150_000 });
    await expect.poll(async () => page.locator('[data-role="follower"]').count(), { timeout: 150_000 }).toBe(2);
    expect(await page.getByTestId('node-2').textContent()).toContain('Apache 3.8');
    expect(await page.getByTestId('node-1').textContent()).toContain('ours');
    // Every node reports an epoch of its own engine's reading, and they agree.
    const epochs = async (): Promise<string[]> => Promise.all([1, 2, 3].map(async (i) => (await page.getByTestId(`node-${i}`).getAttribute('data-epoch')) ?? ''));
    await expect.poll(async () => new Set(await epochs()).size, { timeout: 30_000 }).toBe(1);
  });
});

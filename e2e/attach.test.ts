// Attach mode: the lab watches a real Apache ZooKeeper 3.8 ensemble it did not start, read-only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnsemble, type RealEnsemble } from '../test/support/realzk';
import { JAVA, needs, ZK_JARS } from '../test/support/needs';
import { BROWSER, startLab, type RunningLab } from './support';

describe('attaching to a real ensemble', needs(...BROWSER, JAVA, ZK_JARS), () => {
  let lab: RunningLab;
  let ens: RealEnsemble;
  beforeAll(async () => {
    [lab, ens] = await Promise.all([startLab(), startEnsemble(3)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([lab?.stop(), ens?.stop()]);
  });

  it('shows the real members and their roles, and offers no kill', { timeout: 120_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('connect-string').fill(ens.connectString);
    await page.getByTestId('attach').click();
    await page.getByTestId('attached-banner').waitFor();
    await page.locator('[data-role="leader"]').waitFor({ timeout: 60_000 });
    await expect.poll(async () => page.locator('[data-role="follower"]').count(), { timeout: 60_000 }).toBe(2);
    expect(await page.getByTestId('kill-zone').isVisible()).toBe(false);
    const leader = await ens.leader();
    expect(await page.locator('[data-role="leader"]').getAttribute('data-testid')).toBe(`node-${leader.myid}`);
  });
});

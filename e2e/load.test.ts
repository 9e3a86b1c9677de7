// The Load panel through the real UI in Chromium: launch 3 nodes, start a load, see the charts
// fill second by second, kill the leader from the panel, see the kill and the election marked
// on the charts, and the load carry on once the new leader serves; stop it and find the run in
// the lab's history, its history recorded and checked beside the checked runs.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER, launchInUi, ROOT, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the Load panel in Chromium', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('charts a steady load, marks a leader kill and the election, and goes on under the new leader', { timeout: 300_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await launchInUi(page, 3);

    await page.getByTestId('nav-load').click();
    await page.getByTestId('load-empty').waitFor();
    await page.getByTestId('load-start').click();
    await expect.poll(async () => page.getByTestId('load-state').textContent(), { timeout: 60_000 }).toBe('running');
    const points = async (): Promise<number> => Number(await page.getByTestId('load-chart-throughput').getAttribute('data-points'));
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await expect.poll(async () => Number(await page.getByTestId('load-stat-ops').textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
    // Four sessions, round-robin over the three members, each on a member.
    await expect.poll(async () => page.getByTestId('load-sessions-list').locator('text=/s\\d → node \\d/').count(), { timeout: 30_000 }).toBe(4);
    expect(await page.getByTestId('load-member-1').getAttribute('data-sessions')).toBe('2');
    // The latency chart draws its lines.
    await expect.poll(async () => page.locator('[data-testid="load-chart-latency"] .recharts-line-curve').count(), { timeout: 30_000 }).toBeGreaterThan(0);

    // Kill the leader from the panel.
    const killLeader = page.getByTestId('load-kill-leader');
    const leader = Number(/node (\d+)/.exec((await killLeader.textContent()) ?? '')?.[1]);
    expect(leader).toBeGreaterThan(0);
    await killLeader.click();
    await page.locator(`[data-testid="load-mark"][data-type="node.killed"]`).waitFor({ timeout: 30_000 });
    await page.locator(`[data-testid="load-mark"][data-type="ensemble.election.started"]`).waitFor({ timeout: 30_000 });
    await page.locator(`[data-testid="load-mark"][data-type="ensemble.election.ended"]`).waitFor({ timeout: 90_000 });
    await page.locator(`[data-testid="load-mark"][data-type="ensemble.leader.changed"]`).waitFor({ timeout: 30_000 });
    // On the chart: the kill as a line, the election as a shaded span.
    const throughput = page.getByTestId('load-chart-throughput');
    await throughput.locator('.recharts-label', { hasText: `kill ${leader}` }).waitFor();
    await throughput.locator('.recharts-label', { hasText: 'election' }).waitFor();
    expect(await throughput.locator('.recharts-reference-line').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid="load-chart-latency"] .recharts-reference-area').count()).toBeGreaterThan(0);

    // The chart goes on after the new leader serves: more seconds, with operations completing again.
    const atElection = await points();
    await expect.poll(async () => (await page.getByTestId('load-kill-leader').textContent()) ?? '', { timeout: 60_000 }).toMatch(/^Kill the leader \(node \d\)$/);
    expect(await page.getByTestId('load-kill-leader').textContent()).not.toBe(`Kill the leader (node ${leader})`);
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThanOrEqual(atElection + 3);
    await expect
      .poll(async () => Number(await page.getByTestId('load-stat-ops').textContent()) > 0 && (await page.getByTestId('load-stat-errors').textContent()) === '0', { timeout: 90_000 })
      .toBe(true);
    expect(Number(await page.getByTestId(`load-member-${leader}`).getAttribute('data-ops'))).toBe(0);
    // Let a few ordinary seconds follow the spike before the picture.
    const recovered = await points();
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThanOrEqual(recovered + 4);
    if (shots) await page.screenshot({ path: join(shots, '12-load.png'), fullPage: true });

    // Stop: the run's summary is in the lab history.
    await page.getByTestId('load-stop').click();
    await expect.poll(async () => page.getByTestId('load-state').textContent(), { timeout: 60_000 }).toBe('idle');
    await page.getByTestId('load-run').first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('load-run').count()).toBe(1);
    expect(await page.getByTestId('load-run').first().textContent()).toContain('stopped from the Load panel');

    // Its history was recorded and checked: listed with the checked histories, ZooKeeper's guarantees kept.
    await page.getByTestId('load-workload').getByText('Register workload, checked').click();
    const row = page.getByTestId('check-run').filter({ hasText: 'steady load run' });
    await expect.poll(async () => row.count(), { timeout: 60_000 }).toBe(1);
    await row.click();
    await page.getByTestId('check-verdicts').filter({ hasText: /^The steady load run \d+: \d+ operations on 4 keys/ }).waitFor();
    expect(await page.getByTestId('check-verdict-zookeeper').getAttribute('data-verdict')).toBe('ok');
  });
});

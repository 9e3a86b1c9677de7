// The lock playground through the real UI in Chromium (browser mode), on a 3-node lab of ours:
// bad input is refused with what to do; 10 clients with each strategy keep mutual exclusion (the
// lab's stamps, and the recorded history checked as a mutex) and the herd shows in the notifications per acquisition; the live queue draws the holder and who
// watches whom; expiring the holder's session and killing a client's member hand the lock over.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER, ROOT, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the lock playground in Chromium', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await page.getByTestId('launch').waitFor();
    await page.getByTestId('size').getByText('3', { exact: true }).click();
    await page.getByTestId('launch').click();
    await page.locator('[data-role="leader"]').waitFor({ timeout: 90_000 });
    await page.locator('[data-role="follower"]').nth(1).waitFor({ timeout: 60_000 });
    await page.getByTestId('nav-locks').click();
    await page.getByTestId('locks-start').waitFor();
  }, 180_000);
  afterAll(async () => {
    await lab?.stop();
  });

  /** A picture of the whole view (a tall window: the app's navigation is fixed, so fullPage would cut it). */
  const shoot = async (name: string): Promise<void> => {
    const page = lab.page;
    // The graph redraws a moment after the table; take the picture when they agree on the holder.
    await expect
      .poll(
        async () =>
          page.evaluate(() => {
            const g = [...document.querySelectorAll('[data-testid="queue-node"][data-holder="true"]')].map((e) => e.getAttribute('data-client')).join();
            const t = [...document.querySelectorAll('[data-testid="locks-client"][data-state="holding"]')].map((e) => e.getAttribute('data-client')).join();
            return g === t;
          }),
        { timeout: 10_000, interval: 20 },
      )
      .toBe(true);
    // ...and once the graph has stopped moving (it fits itself to the queue).
    let last = '';
    await expect
      .poll(
        async () => {
          const now = (await page.locator('.react-flow__viewport').first().getAttribute('style')) ?? '';
          const still = now === last;
          last = now;
          return still;
        },
        { timeout: 10_000, interval: 150 },
      )
      .toBe(true);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1400, height: Math.max(900, height) });
    await page.screenshot({ path: join(shots!, name) });
    await page.setViewportSize({ width: 1400, height: 900 });
  };
  const fill = async (testid: string, value: string): Promise<void> => {
    const input = lab.page.getByTestId(testid);
    await input.fill(value);
  };
  /** Starts a run with the form as it is; resolves with the new run's id once it shows. */
  const startRun = async (): Promise<string> => {
    const page = lab.page;
    const previous = (await page.getByTestId('locks-phase').count()) ? await page.getByTestId('locks-phase').getAttribute('data-run') : null;
    await page.getByTestId('locks-start').click();
    await expect.poll(async () => ((await page.getByTestId('locks-phase').count()) ? page.getByTestId('locks-phase').getAttribute('data-run') : null), { timeout: 60_000 }).not.toBe(previous);
    return (await page.getByTestId('locks-phase').getAttribute('data-run'))!;
  };
  const verdict = (run: string, v: string) => lab.page.locator(`[data-testid="locks-verdict"][data-verdict="${v}"][data-run="${run}"]`);
  const strategy = async (label: string): Promise<void> => {
    await lab.page.getByTestId('locks-strategy').getByText(label, { exact: true }).click();
  };

  it('refuses 0 or 51 clients and negative times with what to do, and starts nothing', { timeout: 60_000 }, async () => {
    const page = lab.page;
    for (const [testid, value, says] of [
      ['locks-clients', '51', 'Choose 1 to 50 clients.'],
      ['locks-clients', '0', 'Choose 1 to 50 clients.'],
      ['locks-hold', '-5', 'Hold time: 0 to 60000 ms'],
      ['locks-think', '-1', 'Think time: 0 to 60000 ms'],
    ] as const) {
      await fill('locks-clients', '10');
      await fill('locks-hold', '20');
      await fill('locks-think', '0');
      await fill(testid, value);
      await page.getByTestId('locks-start').click();
      await expect.poll(async () => page.getByTestId('locks-error').textContent()).toContain(says);
      await expect.poll(async () => page.getByTestId('locks-error').textContent()).toContain('Nothing was started');
    }
    // No run was started, none is in the history.
    expect(await page.getByTestId('locks-phase').count()).toBe(0);
    expect(await page.getByTestId('locks-run').count()).toBe(0);
    await fill('locks-clients', '10');
    await fill('locks-hold', '20');
    await fill('locks-think', '0');
  });

  it('runs 10 clients with each strategy: mutual exclusion holds and the herd shows in notifications per acquisition', { timeout: 300_000 }, async () => {
    const page = lab.page;
    const npa: Record<string, number> = {};
    for (const [value, label] of [
      ['seed', 'Seed lock'],
      ['naive', 'Naive lock'],
      ['mutex', 'InterProcessMutex'],
    ] as const) {
      await strategy(label);
      await fill('locks-clients', '10');
      await fill('locks-hold', '20');
      await fill('locks-think', '0');
      await fill('locks-duration', '60');
      await fill('locks-acquisitions', '60');
      await fill('locks-path', `/playground/${value}`);
      const run = await startRun();
      await verdict(run, 'held').waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('locks-verdict').textContent()).toContain('Mutual exclusion held');
      expect(Number(await page.getByTestId('locks-acquired').textContent())).toBeGreaterThanOrEqual(60);
      expect(await page.getByTestId('locks-p50').textContent()).toMatch(/^\d+(\.\d)? ms$/);
      expect(await page.getByTestId('locks-p99').textContent()).toMatch(/^\d+(\.\d)? ms$/);
      npa[value] = Number(await page.getByTestId('locks-npa').textContent());
      // Beside it, the run's recorded history checked as a mutex, and kept with the checked runs.
      await page.locator('[data-testid="locks-history"][data-verdict="ok"]').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('locks-history').textContent()).toMatch(/is a mutex's.*kept as checked run \d+/);
      // The run is in the history table with its verdict.
      const row = page.locator(`[data-testid="locks-run"][data-run="${run}"]`);
      await row.waitFor();
      expect(await row.getAttribute('data-violations')).toBe('0');
      if (shots && value === 'naive') await shoot('10-locks-naive-done.png');
    }
    expect(npa.seed).toBeGreaterThan(0);
    expect(npa.naive).toBeGreaterThan(2 * npa.seed!);
    expect(npa.naive).toBeGreaterThan(2 * npa.mutex!);
    expect(await page.getByTestId('locks-run').count()).toBe(3);
  });

  it('draws the live queue: the holder highlighted and each waiter watching its predecessor, then the herd on one node', { timeout: 180_000 }, async () => {
    const page = lab.page;
    for (const [label, path, shot] of [
      ['Seed lock', '/playground/live-seed', '9-locks-seed-live.png'],
      ['Naive lock', '/playground/live-naive', '9b-locks-naive-live.png'],
    ] as const) {
      await strategy(label);
      await fill('locks-clients', '8');
      await fill('locks-hold', '400');
      await fill('locks-duration', '120');
      await fill('locks-acquisitions', '');
      await fill('locks-path', path);
      const run = await startRun();
      await page.locator(`[data-testid="locks-phase"][data-phase="running"][data-run="${run}"]`).waitFor();
      await page.locator('[data-testid="queue-node"][data-holder="true"]').waitFor();
      // Most of the 8 clients wait at once: 5 or more "watches" edges.
      await expect.poll(async () => Number(await page.getByTestId('queue-graph').getAttribute('data-edges')), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
      if (label === 'Seed lock') {
        expect(await page.locator('[data-testid="queue-node"]').count()).toBeGreaterThanOrEqual(6);
      } else {
        // The naive lock has one node; its waiters are drawn under it.
        expect(await page.locator('[data-testid="queue-node"]').count()).toBe(1);
        expect(await page.locator('[data-testid="queue-waiter"]').count()).toBeGreaterThanOrEqual(5);
      }
      if (shots) await shoot(shot);
      await page.getByTestId('locks-stop').click();
      await verdict(run, 'held').waitFor({ timeout: 60_000 });
    }
  });

  it("hands the lock over when the holder's session expires and when a client's member is killed", { timeout: 240_000 }, async () => {
    const page = lab.page;
    const log = page.getByTestId('locks-log');
    /** Stops the run: mutual exclusion held, and the run's row counts its one fault. */
    const stopAndCheck = async (run: string): Promise<void> => {
      await page.getByTestId('locks-stop').click();
      await verdict(run, 'held').waitFor({ timeout: 60_000 });
      const row = page.locator(`[data-testid="locks-run"][data-run="${run}"]`);
      await row.waitFor();
      expect(await row.getAttribute('data-violations')).toBe('0');
      expect(await row.locator('td').nth(9).textContent()).toBe('1');
    };

    // The holder's session expires. Each holds the lock for a minute (stopping the run cuts the
    // hold short): the holder seen in the table is certainly still holding when the expiry lands
    // (with a short hold it could release first, and nothing would be lost).
    await strategy('Seed lock');
    await fill('locks-clients', '3');
    await fill('locks-hold', '60000');
    await fill('locks-duration', '180');
    await fill('locks-acquisitions', '');
    await fill('locks-path', '/playground/expire');
    const first = await startRun();
    await page.locator(`[data-testid="locks-phase"][data-phase="running"][data-run="${first}"]`).waitFor();
    const holderRow = page.locator('[data-testid="locks-client"][data-state="holding"]');
    await holderRow.waitFor();
    const holder = (await holderRow.getAttribute('data-client'))!;
    await page.getByTestId(`locks-expire-${holder}`).click();
    await expect.poll(async () => log.textContent(), { timeout: 30_000 }).toContain(`client ${holder} lost the lock`);
    await expect.poll(async () => log.textContent(), { timeout: 30_000 }).toMatch(new RegExp(`client \\d+ took the lock \\d+ ms after client ${holder} lost it`));
    await expect.poll(async () => Number(await page.locator(`[data-testid="locks-client"][data-client="${holder}"] td`).nth(9).textContent()), { timeout: 30_000 }).toBe(1);
    if (shots) await shoot('11-locks-expired-holder.png');
    await stopAndCheck(first);

    // Kill the member of a client that waits: its session moves to another member, the run goes on.
    await fill('locks-clients', '6');
    await fill('locks-hold', '1500');
    await fill('locks-path', '/playground/faults');
    const second = await startRun();
    await page.locator(`[data-testid="locks-phase"][data-phase="running"][data-run="${second}"]`).waitFor();
    const waiterRow = page.locator('[data-testid="locks-client"][data-state="waiting"]').first();
    await waiterRow.waitFor();
    const waiter = (await waiterRow.getAttribute('data-client'))!;
    const member = (await page.getByTestId(`locks-kill-${waiter}`).textContent())!.replace(/\D/g, '');
    await page.getByTestId(`locks-kill-${waiter}`).click();
    await expect.poll(async () => log.textContent(), { timeout: 30_000 }).toContain(`killed node ${member}, the member client ${waiter} uses`);
    await expect.poll(async () => log.textContent(), { timeout: 30_000 }).toMatch(new RegExp(`client ${waiter}: session 0x[0-9a-f]+ reconnected on node (?!${member}\\b)\\d`));
    const before = Number(await page.getByTestId('locks-acquired').textContent());
    await expect.poll(async () => Number(await page.getByTestId('locks-acquired').textContent()), { timeout: 30_000 }).toBeGreaterThan(before + 1);
    await stopAndCheck(second);
  });
});

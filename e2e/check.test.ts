// The checked register workload through the real UI in Chromium: launch 3 members, run a short
// register workload from the Load panel with partitions, see the lab isolate a member and heal it,
// and both models' verdicts; then import a history file with a stale read injected and see it
// allowed by ZooKeeper's guarantees, not linearizable, and its counterexample drawn with the
// read no order explains marked. A file that is not a history is refused and nothing is kept.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER, launchInUi, ROOT, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

const op = (process: number, f: string, value: string | null, version: number | null, invoke: number, complete: number): string =>
  JSON.stringify({ process, session: `0x10${process}`, member: process + 1, f, key: '/r/1', value, version, invoke, complete, result: 'ok' });

/** p0 writes "a" then "b"; p1, after both returned, reads "a": stale. */
const STALE = [op(0, 'write', 'a', null, 0, 10), op(0, 'write', 'b', null, 20, 30), op(2, 'read', 'b', 2, 32, 36), op(1, 'read', 'a', 1, 40, 50)].join('\n');

describe('the checked register workload in Chromium', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('runs a register workload under partitions and shows both verdicts; an imported stale read is drawn as a counterexample', { timeout: 240_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await launchInUi(page, 3);
    await page.getByTestId('nav-load').click();
    await page.getByTestId('load-workload').getByText('Register workload, checked').click();
    await page.getByTestId('check-none').waitFor();

    await page.getByTestId('check-seconds').fill('6');
    await page.getByTestId('check-clients').fill('4');
    await page.getByTestId('check-faults').click();
    await page.getByRole('option', { name: /^partitions/ }).click();
    await page.getByTestId('check-start').click();
    await expect.poll(async () => page.getByTestId('check-phase').textContent(), { timeout: 30_000 }).toBe('running');
    // The lab isolates a member (the leader first) through its own fault list, and heals it.
    await page.getByTestId('check-log').filter({ hasText: /isolate member \d \(the leader\)/ }).waitFor();
    await page.getByTestId('check-log').filter({ hasText: /f\d+ healed/ }).first().waitFor();
    await expect.poll(async () => page.getByTestId('check-phase').textContent(), { timeout: 90_000 }).toBe('done');
    const recorded = Number(/^(\d+) operations/.exec((await page.getByTestId('check-progress').textContent()) ?? '')?.[1]);
    expect(recorded).toBeGreaterThan(10);
    // Writes under a partition stay linearizable, and ZooKeeper's guarantees hold.
    expect(await page.getByTestId('check-verdict-zookeeper').getAttribute('data-verdict')).toBe('ok');
    expect(['ok', 'violation', 'undecided']).toContain(await page.getByTestId('check-verdict-linearizable').getAttribute('data-verdict'));
    expect(await page.getByTestId('check-run').count()).toBe(1);
    expect(await page.getByTestId('check-run').first().textContent()).toContain('partitions');

    const input = page.locator('input[type=file]');
    // The stale read: allowed by ZooKeeper's guarantees, not linearizable, and drawn.
    await input.setInputFiles({ name: 'stale.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(STALE) });
    await page.locator('[data-testid="check-verdicts"]').filter({ hasText: 'Imported stale.jsonl' }).waitFor();
    expect(await page.getByTestId('check-run').count()).toBe(2);
    expect(await page.getByTestId('check-verdict-zookeeper').getAttribute('data-verdict')).toBe('ok');
    expect(await page.getByTestId('check-verdict-linearizable').getAttribute('data-verdict')).toBe('violation');
    expect(await page.getByTestId('check-explanation-linearizable').textContent()).toContain(`process 1's read "a" (version 1)`);
    const drawing = page.getByTestId('check-cex-linearizable').getByTestId('check-counterexample');
    await drawing.waitFor();
    expect(await drawing.getAttribute('data-culprit')).toBe('3');
    const culprit = drawing.locator('[data-testid="check-op"][data-culprit="true"]');
    expect(await culprit.count()).toBe(1);
    expect(await culprit.getAttribute('data-index')).toBe('3');
    expect(await culprit.textContent()).toContain('R "a" v1');
    // One lane per client, each operation on it, and the point where no order works.
    expect(await drawing.locator('[data-testid="check-op"]').count()).toBe(4);
    await drawing.getByTestId('check-cut').waitFor();
    if (shots) await page.screenshot({ path: join(shots, '21-check-counterexample.png'), fullPage: true });

    // A file that is not a history: refused with its line named, nothing kept.
    await input.setInputFiles({ name: 'junk.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from('{"process":0}\n') });
    await page.getByText(/junk\.jsonl is not a history: line 1/).first().waitFor();
    expect(await page.getByTestId('check-run').count()).toBe(2);

    // The run is still there to pick again, with its own verdicts.
    await page.getByTestId('check-run').nth(1).click();
    await expect.poll(async () => page.getByTestId('check-verdicts').textContent()).toMatch(/^Run \d+: \d+ operations on 2 keys/);
    expect(await page.getByTestId('check-verdict-zookeeper').getAttribute('data-verdict')).toBe('ok');
  });
});

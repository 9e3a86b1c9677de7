// The rest of the seed's walkthroughs through the UI, on a lab the seed's own walkthroughs do not
// use: four voting members and an observer, launched from the Cluster view's launcher (which
// allows an even size and says why it buys nothing). On it: majority (four survive one failure,
// as three do), roles (the observer is told, not asked), and the seed's applications: the lock,
// configuration and membership, service discovery. Each verdict is read from the members.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labCall, labState } from './lab-call';
import { BROWSER, ROOT, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('seed walkthroughs on a 4-member lab with an observer, in Chromium', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  /** Runs walkthrough `id` from its card; returns the verdict once it passed, with the history since checked true. */
  const run = async (id: string): Promise<string> => {
    const page = lab.page;
    const since = Date.now();
    await page.getByTestId(`walkthrough-run-${id}`).click();
    const card = page.locator(`[data-testid="walkthrough"][data-id="${id}"][data-running="false"]`);
    await card.waitFor({ timeout: 150_000 });
    const verdict = (await page.getByTestId('walkthrough-verdict').textContent().catch(() => null)) ?? '';
    const failure = (await page.getByTestId('walkthrough-failure').count()) > 0 ? await page.getByTestId('walkthrough-failure').textContent() : '';
    expect(await card.getAttribute('data-passed'), `${verdict} ${failure}`).toBe('true');
    expect(await page.getByTestId('walkthrough-seed-says').textContent()).toMatch(/^The seed says: ./);
    // Every election it caused is closed in the history.
    await expect
      .poll(async () => {
        const events = (await labCall(page, { method: 'history', sinceMs: since })).events;
        return events.filter((e) => e.type === 'ensemble.election.started' || e.type === 'ensemble.election.ended').at(-1)?.type ?? 'none';
      })
      .not.toBe('ensemble.election.started');
    return verdict;
  };

  it('the launcher takes an even size, says what it survives and that odd sizes are recommended, and launches it', { timeout: 240_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('size').getByText('3', { exact: true }).click();
    await expect.poll(async () => page.getByTestId('size-advice').textContent()).toBe('3 voting members need 2 up for a quorum, so they survive 1 failure. Odd sizes are recommended.');
    await page.getByTestId('size').getByText('4', { exact: true }).click();
    await expect.poll(async () => page.getByTestId('size-advice').textContent()).toContain('4 voting members need 3 up for a quorum, so they survive 1 failure. That is no more than 3 members survive');
    expect(await page.getByTestId('size-advice').textContent()).toContain('Odd sizes are recommended');
    if (shots) await page.screenshot({ path: join(shots, '21-launcher-even-size.png'), fullPage: true });
    await page.getByTestId('observers').getByText('1', { exact: true }).click();
    await page.getByTestId('launch').click();
    await page.locator('[data-role="leader"]').waitFor({ timeout: 90_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-role="follower"]').length === 3 && document.querySelectorAll('[data-role="observer"]').length === 1, null, { timeout: 90_000 });
    const state = await labState(page);
    expect([state.size, state.quorumNeeded, state.nodes.filter((n) => n.observer).length]).toEqual([4, 3, 1]);
    await page.getByTestId('nav-walkthroughs').click();
    await page.getByTestId('walkthrough-mode').getByText('Automatic').click();
    await page.getByTestId('walkthrough-speed').click();
    await page.getByRole('option', { name: 'no wait' }).click();
    await page.getByTestId('walkthrough-pause-key').setChecked(false, { force: true });
  });

  it('majority on four: one failure survived, not two; no more than three members survive', { timeout: 180_000 }, async () => {
    const verdict = await run('majority');
    expect(verdict).toContain('4 voters: 3 up: serving; 2 up: not serving; 3 up again: serving; 1 failure survived, as many as the same rule gives 3 voters (1;');
    expect(verdict).toContain('4 members need 3, so they survive 1 failure, the same as 3 members');
  });

  it('roles: one leader, three followers asked to vote, the observer only told (INFORM)', { timeout: 120_000 }, async () => {
    const verdict = await run('roles');
    expect(verdict).toMatch(/1 leader \(\d\), followers \d, \d, \d, observer 5 .+ proposed to \d, \d, \d, acknowledged by [\d, ]+, and sent to 5 as INFORM/);
  });

  it("lock: the seed's lock wakes one waiter, the naive one all; the mutex is reentrant; an expired holder hands on", { timeout: 180_000 }, async () => {
    const verdict = await run('lock');
    expect(verdict).toMatch(/with the seed's lock the members held 4 watches on 4 different znodes while one client held, and [\d.]+ notifications came per acquisition; with the naive lock 4 watches on 1 znode/i);
    expect(verdict).toMatch(/InterProcessMutex taken twice kept one znode \(.+-lock-\d{10}\) until the second release, and B waited until then \(then it got it\)/);
    // The runs it made are the Lock playground's, there to look at.
    await lab.page.getByTestId('walkthrough-side').getByText('Locks').click();
    await expect.poll(async () => (await labCall(lab.page, { method: 'locks.state' }))?.settings.lockPath).toBe('/seed-walkthrough/lock/handoff');
    if (shots) await lab.page.screenshot({ path: join(shots, '22-walkthrough-lock.png'), fullPage: true });
  });

  it('configuration and membership: a push reaches every watcher; a worker that dies is seen to leave', { timeout: 120_000 }, async () => {
    const verdict = await run('config-and-membership');
    expect(verdict).toMatch(/the members held 5 watches on \/seed-walkthrough\/app\/config, one per client; the first push reached all 5 clients in \d+–\d+ ms/i);
    expect(verdict).toMatch(/its znode worker-\d{10} went and the 3 others listed worker-\d{10}, worker-\d{10}, worker-\d{10}/);
  });

  it('discovery: consumers spread over providers by connection count and move when one dies', { timeout: 120_000 }, async () => {
    const verdict = await run('discovery');
    expect(verdict).toMatch(/6 consumers spread over 3 providers as provider-\d{10} 2, provider-\d{10} 2, provider-\d{10} 2; when provider-\d{10} died/);
    expect(verdict).toMatch(/the members then held provider-\d{10} 3, provider-\d{10} 3\./);
  });
});

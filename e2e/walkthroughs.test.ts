// The seed's claims run on a real 5-node lab through the UI: election from empty (member 3
// leads), election after a failure (member 2 wins), majority (two failures survived, not three),
// the write flow (a follower slowed by a lab fault reads stale until sync), and a session that
// outlives its member while its ephemeral znode lives exactly as long as it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER, ROOT, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('seed walkthroughs in Chromium', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
    const page = lab.page;
    await page.getByTestId('launch').click();
    await page.locator('[data-role="leader"]').waitFor({ timeout: 90_000 });
    await page.locator('[data-role="follower"]').nth(3).waitFor({ timeout: 60_000 });
    await page.getByTestId('nav-walkthroughs').click();
  }, 180_000);
  afterAll(async () => {
    await lab?.stop();
  });

  const runWalkthrough = async (id: string): Promise<string> => {
    const page = lab.page;
    await page.getByTestId(`walkthrough-run-${id}`).click();
    const card = page.locator(`[data-testid="walkthrough"][data-id="${id}"][data-running="false"]`);
    await card.waitFor({ timeout: 150_000 });
    const verdict = (await page.getByTestId('walkthrough-verdict').textContent().catch(() => null)) ?? '';
    const failure = (await page.getByTestId('walkthrough-failure').count()) > 0 ? await page.getByTestId('walkthrough-failure').textContent() : '';
    expect(await card.getAttribute('data-passed'), `${verdict} ${failure}`).toBe('true');
    return verdict;
  };

  it('election from empty: member 3 leads, as the seed says', { timeout: 180_000 }, async () => {
    const verdict = await runWalkthrough('election-from-empty');
    expect(verdict).toContain('leader 3 after member 3 started');
    expect(await lab.page.locator('[data-testid="walkthrough-step"][data-status="done"]').count()).toBe(6);
    if (shots) await lab.page.screenshot({ path: join(shots, '13-walkthrough-election.png'), fullPage: true });
  });

  it('election after a failure: member 2 wins among (8,1), (8,2), (7,4)', { timeout: 180_000 }, async () => {
    expect(await runWalkthrough('election-after-failure')).toContain('leader 2');
  });

  it('majority: five members survive two failures, not three', { timeout: 180_000 }, async () => {
    expect(await runWalkthrough('majority')).toContain('4 up: serving; 3 up: serving; 2 up: not serving');
  });

  it('write flow: the leader commits with a majority; a slow follower reads stale until sync', { timeout: 180_000 }, async () => {
    expect(await runWalkthrough('write-flow')).toContain('read "before", and after sync "after"');
    if (shots) await lab.page.screenshot({ path: join(shots, '14-walkthrough-write-flow.png'), fullPage: true });
  });

  it('a session outlives its member; its ephemeral znode goes with the session', { timeout: 180_000 }, async () => {
    expect(await runWalkthrough('session-moves')).toContain('went with its session');
  });

  it('a write through a follower: REQUEST to the leader, PROPOSAL, ACKs from a majority, COMMIT, then the answer', { timeout: 180_000 }, async () => {
    expect(await runWalkthrough('write-via-follower')).toMatch(/forwarded the create \(REQUEST\) to leader \d; the leader proposed 0x[0-9a-f]+ to 4 learner\(s\), had [3-5] of 5 acknowledgements/);
  });

  it('recovery case 1: a write a majority acknowledged survives its leader and is committed everywhere', { timeout: 240_000 }, async () => {
    const verdict = await runWalkthrough('recovery-committed');
    expect(verdict).toMatch(/before the kill the learners said (\d: not yet, ){3}\d: not yet/);
  });

  it('recovery case 2: a proposal only the leader logged is truncated away when it returns', { timeout: 240_000 }, async () => {
    const verdict = await runWalkthrough('recovery-discarded');
    expect(verdict).toMatch(/synced it by TRUNC 0x[0-9a-f]+/);
    expect(verdict).toContain('never acknowledged');
  });

  it('a partition: the majority side elects and serves, the minority stops; healed, it catches up', { timeout: 240_000 }, async () => {
    const verdict = await runWalkthrough('partition');
    expect(verdict).toContain('refusing sessions');
    expect(verdict).toContain('read "written during the partition"');
  });

  it('refuses a walkthrough while another runs, and says why', { timeout: 60_000 }, async () => {
    const page = lab.page;
    // The buttons are disabled while one runs; the backend refuses too (checked through the same contract).
    await page.getByTestId('walkthrough-run-majority').click();
    await expect.poll(async () => page.getByTestId('walkthrough-run-session-moves').isDisabled()).toBe(true);
    await page.getByTestId('walkthrough-stop').click();
    await page.locator('[data-testid="walkthrough"][data-running="false"]').waitFor({ timeout: 120_000 });
    await expect.poll(async () => page.getByTestId('walkthrough-failure').textContent()).toContain('Stopped on request');
  });
});

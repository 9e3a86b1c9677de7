// The Wire view through the real UI in Chromium: on a 3-member lab, a znode created in the Tree
// explorer shows on the wire as the leader's PROPOSAL to each follower, ACKs from a majority and
// the COMMITs, all with the write's zxid (followed by clicking the PROPOSAL); then, after the
// leader is killed, the survivors' votes (FLE notifications) with their fields.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabView } from '../src/shared/contract';
import { needs } from '../test/support/needs';
import { labCall, labState } from './lab-call';
import { BROWSER, ROOT, startLab, type RunningLab } from './support';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the Wire view in Chromium', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it("shows a write's PROPOSAL, ACKs from a majority and COMMIT by its zxid, and the vote exchange after the leader is killed", { timeout: 300_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await page.getByTestId('size').getByText('3', { exact: true }).click();
    await page.getByTestId('launch').click();
    const leaderCard = page.locator('[data-testid^="node-"][data-role="leader"]');
    await leaderCard.waitFor({ timeout: 90_000 });
    await expect.poll(async () => page.locator('[data-testid^="node-"][data-role="follower"]').count(), { timeout: 60_000 }).toBe(2);
    const leader = Number((await leaderCard.getAttribute('data-testid'))!.replace('node-', ''));
    const followers = [1, 2, 3].filter((x) => x !== leader);

    // A write, from the Tree explorer.
    await page.getByTestId('nav-tree').click();
    await page.getByTestId('tree-/').click();
    await page.getByTestId('child-name').fill('wire-e2e');
    await page.getByTestId('child-data').fill('on the wire');
    await page.getByTestId('create').click();
    await expect.poll(async () => page.getByTestId('selected-path').textContent()).toBe('/wire-e2e');

    // The Wire view, over the last five minutes, PROPOSALs, ACKs and COMMITs only.
    await page.getByTestId('nav-wire').click();
    await page.getByTestId('wire-window').getByText('5m', { exact: true }).click();
    for (const t of ['PROPOSAL', 'ACK', 'COMMIT']) await page.getByTestId(`wire-type-${t}`).click();
    const proposal = page.locator('[data-testid="wire-msg"][data-type="PROPOSAL"]', { hasText: '/wire-e2e' }).first();
    await proposal.waitFor({ timeout: 20_000 });
    expect(Number(await proposal.getAttribute('data-from'))).toBe(leader);
    const zxid = (await proposal.getAttribute('data-zxid'))!;
    expect(zxid).toMatch(/^0x[0-9a-f]+$/);

    // Clicking the PROPOSAL follows its zxid: the panel and the diagram show the same write.
    await proposal.click();
    const follow = page.getByTestId('wire-follow');
    await expect.poll(async () => follow.getAttribute('data-zxid')).toBe(zxid);
    await expect.poll(async () => follow.getAttribute('data-majority'), { timeout: 20_000 }).toBe('true');
    const fm = (type: string) => follow.locator(`[data-testid="follow-msg"][data-type="${type}"]`);
    const ends = async (type: string, attr: 'data-from' | 'data-to'): Promise<number[]> => [...new Set((await fm(type).evaluateAll((els, a) => els.map((e) => Number(e.getAttribute(a))), attr)) as number[])].sort();
    await expect.poll(() => ends('PROPOSAL', 'data-to'), { timeout: 20_000 }).toEqual(followers);
    expect(await ends('PROPOSAL', 'data-from')).toEqual([leader]);
    // ACKs from a majority: the leader's own (its log, no message) and at least one follower's of two.
    const view = await labState(page);
    const ackers = await ends('ACK', 'data-from');
    expect(ackers.length + 1).toBeGreaterThanOrEqual(view.quorumNeeded);
    expect(ackers.every((x) => followers.includes(x))).toBe(true);
    expect(await ends('ACK', 'data-to')).toEqual([leader]);
    await expect.poll(() => ends('COMMIT', 'data-to'), { timeout: 20_000 }).toEqual(followers);
    expect(await page.getByTestId('wire-follow-verdict').textContent()).toContain('a majority');
    // In the diagram, each of them carries the zxid, and the PROPOSAL's fields say what it writes.
    const rows = (type: string) => page.locator(`[data-testid="wire-msg"][data-type="${type}"][data-zxid="${zxid}"]`);
    expect(await rows('PROPOSAL').count()).toBe(followers.length);
    expect(await rows('ACK').count()).toBeGreaterThanOrEqual(view.quorumNeeded - 1);
    expect(await rows('COMMIT').count()).toBe(followers.length);
    const details = page.getByTestId('wire-details');
    expect(await details.getByTestId('wire-details-type').textContent()).toBe('PROPOSAL');
    expect(await details.textContent()).toContain('/wire-e2e');
    // The keyboard moves through the messages: the one after the PROPOSAL is selected.
    const before = await details.getAttribute('data-seq');
    await page.getByTestId('wire-scroller').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => details.getAttribute('data-seq')).not.toBe(before);
    if (shots) {
      await proposal.click();
      await page.setViewportSize({ width: 1400, height: 1100 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(shots, '16-wire-write.png') });
      await page.setViewportSize({ width: 1400, height: 900 });
    }

    // Kill the leader: the two left exchange votes.
    await page.getByTestId('wire-follow-clear').click();
    const killedAt = Date.now();
    await labCall(page, { method: 'node', myid: leader, action: 'kill' });
    await page.getByTestId('wire-window').getByText('1m', { exact: true }).click();
    await page.getByTestId('wire-types-all').click();
    await page.getByTestId('wire-type-NOTIFICATION').click();
    const votes = page.locator('[data-testid="wire-msg"][data-type="NOTIFICATION"]');
    const votesSinceKill = async (): Promise<string[]> => {
      const pairs = (await votes.evaluateAll((els, t) => els.filter((e) => Number(e.getAttribute('data-time')) >= t).map((e) => [Number(e.getAttribute('data-from')), Number(e.getAttribute('data-to'))]), killedAt)) as [number, number][];
      return [...new Set(pairs.filter(([f, t]) => f !== leader && t !== leader).map(([f, t]) => `${f}>${t}`))].sort();
    };
    // Both survivors send their vote to each other.
    await expect.poll(votesSinceKill, { timeout: 60_000 }).toEqual([`${followers[0]}>${followers[1]}`, `${followers[1]}>${followers[0]}`]);
    expect(await page.locator('[data-testid="wire-msg"]:not([data-type="NOTIFICATION"]):not([data-type="FOLDED"])').count()).toBe(0);
    // A vote's fields: who it is for, its zxid, its round and the sender's state.
    await votes.last().click();
    expect(await details.getByTestId('wire-details-type').textContent()).toBe('NOTIFICATION');
    for (const field of ['leader', 'zxid', 'electionEpoch', 'peerEpoch', 'state']) await details.locator(`[data-field="${field}"]`).waitFor();
    // A new leader is elected among the two.
    await expect.poll(async () => (await labState(page)).leader, { timeout: 60_000 }).toBeOneOf(followers);
    if (shots) {
      await page.setViewportSize({ width: 1400, height: 1100 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(shots, '17-wire-election.png') });
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });
});

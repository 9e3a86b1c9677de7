// The member console in Chromium: a four-letter word and an AdminServer command sent to the
// leader of a real 3-member lab, each answer as the member gave it (the leader says it leads),
// the command's documentation one click away, and in Chinese the same console and docs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../test/support/needs';
import { BROWSER, launchInUi, ROOT, startLab, type RunningLab } from './support';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the member console', needs(...BROWSER), () => {
  let labDir: string;
  let lab: RunningLab | null = null;
  beforeAll(() => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-console-'));
  });
  afterAll(async () => {
    await lab?.stop();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it("sends srvr and zabstate to the leader and shows its answers, with each command's documentation", { timeout: 180_000 }, async () => {
    lab = await startLab({ labDir });
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await page.setViewportSize({ width: 1400, height: 900 });
    await launchInUi(page, 3);
    const leader = Number((await page.locator('[data-testid^="node-"][data-role="leader"]').first().getAttribute('data-testid'))!.replace('node-', ''));

    await page.getByTestId('nav-console').click();
    await page.getByTestId('console-member').getByText(`node ${leader} (leader)`, { exact: true }).click();
    // srvr is the four-letter word picked first.
    await page.getByTestId('console-send').click();
    const answer = page.getByTestId('console-answer');
    await expect.poll(async () => answer.getAttribute('data-command')).toBe('srvr');
    expect(await answer.getAttribute('data-myid')).toBe(String(leader));
    expect(await page.getByTestId('console-text').textContent()).toMatch(/^Mode: leader$/m);
    await page.getByTestId('console-docs-toggle').click();
    expect(await page.getByTestId('console-docs').textContent()).toContain('The server in brief');

    // The AdminServer's zabstate: the leader in broadcast, as JSON.
    await page.getByTestId('console-kind').getByText('AdminServer', { exact: true }).click();
    expect(await page.getByTestId('console-docs').textContent()).toContain('ZAB phase');
    await page.getByTestId('console-send').click();
    await expect.poll(async () => answer.getAttribute('data-command')).toBe('zabstate');
    const json = JSON.parse((await page.getByTestId('console-text').textContent())!) as { zabstate: string; error: unknown };
    expect(json.zabstate).toBe('broadcast');
    if (shots) await page.screenshot({ path: join(shots, '28-member-console.png') });

    // In Chinese: the console and the command's documentation.
    await page.getByTestId('language').getByText('中文', { exact: true }).click();
    await expect.poll(async () => page.getByTestId('console-send').textContent()).toBe('发送 zabstate');
    expect(await page.getByTestId('console-docs').textContent()).toContain('ZAB 阶段');
  });

  it('sends a four-letter word to a node from the command palette, and opens a node\'s console', { timeout: 60_000 }, async () => {
    const page = lab!.page;
    await page.getByTestId('language').getByText('English', { exact: true }).click();
    await page.getByTestId('nav-cluster').click();
    const follower = Number((await page.locator('[data-testid^="node-"][data-role="follower"]').first().getAttribute('data-testid'))!.replace('node-', ''));
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-search').fill(`send mntr to node ${follower}`);
    await page.locator(`[data-command="send:mntr:${follower}"]`).click();
    // The console, on that member, with the answer: the follower says what it is.
    const answer = page.getByTestId('console-answer');
    await expect.poll(async () => `${await answer.getAttribute('data-command')} ${await answer.getAttribute('data-myid')}`).toBe(`mntr ${follower}`);
    expect(await page.getByTestId('console-text').textContent()).toMatch(/^zk_server_state\tfollower$/m);
    expect(await page.getByTestId('console-member').locator('label[data-active="true"]').textContent()).toBe(`node ${follower} (follower)`);
  });
});

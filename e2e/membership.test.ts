// Membership changes in Chromium: on a real 3-member lab, "Add a voter" starts node 4 and adds it
// (reconfig), the change's steps show while it runs, and then every node card reports the same
// new config version; node 2's menu removes it, its card goes, and the remaining three report the
// next version. /zookeeper/config in the Tree explorer names the members. Then the panel in Chinese.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../test/support/needs';
import { BROWSER, launchInUi, ROOT, showNode, startLab, type RunningLab } from './support';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

/** Every card's config version, in card order ("" where none is shown). */
async function versions(page: Page): Promise<string[]> {
  return page.locator('[data-testid^="config-"]').filter({ hasText: /^(0x[0-9a-f]+|—)$/ }).allTextContents();
}

describe('membership changes in the UI', needs(...BROWSER), () => {
  let labDir: string;
  let lab: RunningLab | null = null;
  beforeAll(() => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-members-'));
  });
  afterAll(async () => {
    await lab?.stop();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('adds a member and removes one, every member reporting the new config version', { timeout: 240_000 }, async () => {
    lab = await startLab({ labDir });
    const page = lab.page;
    page.setDefaultTimeout(60_000);
    await page.setViewportSize({ width: 1400, height: 900 });
    await launchInUi(page, 3);
    await expect.poll(() => versions(page)).toEqual(['0x0', '0x0', '0x0']);
    expect(await page.getByTestId('config-summary').textContent()).toBe('Every member is in config version 0x0');

    await page.getByTestId('member-add').click();
    // The steps show while it runs, then go.
    await expect.poll(async () => page.getByTestId('member-progress').textContent()).toMatch(/Starting node 4|Waiting for node 4|reconfig -members|Waiting for every member/);
    await expect.poll(async () => page.getByTestId('member-progress').count(), { timeout: 120_000 }).toBe(0);
    await expect.poll(() => versions(page)).toHaveLength(4);
    const added = await versions(page);
    expect(new Set(added).size).toBe(1);
    expect(added[0]).not.toBe('0x0');
    expect(await page.getByTestId('config-summary').textContent()).toBe(`Every member is in config version ${added[0]}`);
    if (shots) await page.screenshot({ path: join(shots, '30-membership.png') });

    // Node 2's menu: remove it.
    await page.getByTestId('node-2').click({ button: 'right' });
    await page.getByTestId('menu-remove-2').click();
    await expect.poll(async () => page.getByTestId('node-2').count(), { timeout: 120_000 }).toBe(0);
    await expect.poll(async () => page.getByTestId('member-progress').count(), { timeout: 120_000 }).toBe(0);
    const removed = await versions(page);
    expect(removed).toHaveLength(3);
    expect(new Set(removed).size).toBe(1);
    expect(BigInt(removed[0]!)).toBeGreaterThan(BigInt(added[0]!));

    // The Tree explorer shows /zookeeper/config: the members 1, 3 and 4, and the version.
    await page.getByTestId('nav-tree').click();
    await page.getByTestId('toggle-/zookeeper').click();
    await showNode(page, '/zookeeper/config');
    const data = page.getByTestId('data');
    await expect.poll(async () => data.textContent()).toContain(`version=${removed[0]!.slice(2)}`);
    const text = (await data.textContent())!;
    expect(text).toMatch(/server\.1=/);
    expect(text).not.toMatch(/server\.2=/);
    expect(text).toMatch(/server\.4=/);

    // In Chinese: the panel and the card's row.
    await page.getByTestId('nav-cluster').click();
    await page.getByTestId('language').getByText('中文', { exact: true }).click();
    await expect.poll(async () => page.getByTestId('member-add').textContent()).toBe('添加投票者');
    expect(await page.getByTestId('config-summary').textContent()).toBe(`所有成员都在配置版本 ${removed[0]}`);
    if (shots) await page.screenshot({ path: join(shots, '31-membership-zh.png') });
  });
});

// English and Chinese through the real UI in Chromium: the language follows the system's (a
// zh-CN browser gets Chinese, an en-US one English) until the person picks one in the navbar;
// the pick is kept with the other UI settings across a restart of the lab.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../test/support/needs';
import { BROWSER, ROOT, startLab, type RunningLab } from './support';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the language switch', needs(...BROWSER), () => {
  let labDir: string;
  const labs: RunningLab[] = [];
  beforeAll(() => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-i18n-'));
  });
  afterAll(async () => {
    for (const l of labs) await l.stop();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('follows the system language, switches to Chinese and remembers it', { timeout: 120_000 }, async () => {
    const first = await startLab({ labDir });
    labs.push(first);
    const page = first.page;
    page.setDefaultTimeout(45_000);
    await expect.poll(async () => page.getByTestId('nav-cluster').textContent()).toBe('Cluster');
    // A browser whose language is Chinese gets Chinese before anyone picks.
    const zhPage = await first.browser.newPage({ locale: 'zh-CN' });
    await zhPage.goto(first.url);
    await expect.poll(async () => zhPage.getByTestId('nav-tree').textContent()).toBe('节点树请先启动一个实验室');
    await zhPage.close();

    await page.getByTestId('language').getByText('中文', { exact: true }).click();
    await expect.poll(async () => page.getByTestId('nav-cluster').textContent()).toBe('集群');
    expect(await page.getByTestId('launch').textContent()).toBe('启动 5 节点实验室');
    expect(await page.getByTestId('empty-state').getByRole('heading').first().textContent()).toBe('还没有实验室');
    await page.getByTestId('palette-open').click();
    expect(await page.getByTestId('palette-search').getAttribute('placeholder')).toBe('输入操作、节点（kill node 2）或 znode 路径（/app）…');
    await page.keyboard.press('Escape');
    if (shots) await page.screenshot({ path: join(shots, '22-chinese.png') });
    await first.stop();

    // The pick outlives the lab's restart, over the English browser's language.
    const second = await startLab({ labDir });
    labs.push(second);
    const again = second.page;
    again.setDefaultTimeout(45_000);
    await expect.poll(async () => again.getByTestId('nav-cluster').textContent()).toBe('集群');
    await again.getByTestId('language').getByText('English', { exact: true }).click();
    await expect.poll(async () => again.getByTestId('nav-cluster').textContent()).toBe('Cluster');
    expect(await again.getByTestId('launch').textContent()).toBe('Launch 5-node lab');
  });
});

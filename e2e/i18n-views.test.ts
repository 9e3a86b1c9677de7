// The views past the shell in Chinese, through the real UI in Chromium: Wire, Network, Timeline,
// Terminals, Load and the Lock playground switch with the language, and an error the backend
// sends with a code (src/shared/errors.ts) is shown in Chinese: reading the tree through a
// member that is down. Screenshots of each view (ZK_LAB_SCREENSHOTS=1) for a person to look at.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../test/support/needs';
import { BROWSER, launchInUi, ROOT, startLab, type RunningLab } from './support';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the views in Chinese', needs(...BROWSER), () => {
  let labDir: string;
  let lab: RunningLab | null = null;
  beforeAll(() => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-i18n-views-'));
  });
  afterAll(async () => {
    await lab?.stop();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('shows Wire, Network, Timeline, Terminals, Load and Locks in Chinese, and a coded backend error in Chinese', { timeout: 240_000 }, async () => {
    lab = await startLab({ labDir });
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByTestId('language').getByText('中文', { exact: true }).click();
    await expect.poll(async () => page.getByTestId('nav-cluster').textContent()).toBe('集群');
    await launchInUi(page, 3);

    // The Network panel on the Cluster view, and its banner's sentences (netmodel.ts).
    const network = page.getByTestId('network');
    await expect.poll(async () => network.getByRole('heading').first().textContent()).toBe('网络');
    await expect.poll(async () => page.getByTestId('net-banner').textContent()).toMatch(/网络完好.*是 leader/);
    if (shots) await page.screenshot({ path: join(shots, '23-zh-network.png'), fullPage: true });

    // A member down, then the tree read through it: the backend's refusal, in Chinese.
    const follower = page.locator('[data-testid^="node-"][data-role="follower"]').first();
    const myid = Number((await follower.getAttribute('data-testid'))!.replace('node-', ''));
    expect(myid).toBeGreaterThan(0);
    await follower.focus();
    await page.keyboard.press('k');
    await page.locator(`[data-testid="node-${myid}"][data-role="down"]`).waitFor();
    await page.getByTestId('nav-tree').click();
    await page.getByTestId('read-through').click();
    await page.getByRole('option', { name: new RegExp(`^节点 ${myid}（`) }).click();
    await expect.poll(async () => page.getByTestId('tree-error').textContent()).toBe(`成员 ${myid} 已停止：启动它，或通过另一个成员读取。`);

    await page.getByTestId('nav-wire').click();
    await expect.poll(async () => page.getByTestId('wire-mode').textContent()).toBe('实时');
    expect(await page.getByTestId('wire-window').textContent()).toContain('10 秒');
    expect(await page.getByTestId('wire-live-toggle').textContent()).toBe('暂停');
    await page.locator('[data-testid="wire-msg"]').first().waitFor();
    if (shots) await page.screenshot({ path: join(shots, '24-zh-wire.png') });

    await page.getByTestId('nav-timeline').click();
    await expect.poll(async () => page.getByTestId('replay-when').textContent()).toBe('实时');
    await expect.poll(async () => page.getByTestId('chart-role').getByRole('heading').first().textContent()).toBe('角色');
    // The kill's mark on the member's lane, named in Chinese for a screen reader.
    await expect.poll(async () => page.getByTestId(`lane-mark-${myid}`).first().getAttribute('aria-label')).toMatch(new RegExp(`^回放节点 ${myid} 在 .+ 被杀死之后的时刻$`));
    if (shots) await page.screenshot({ path: join(shots, '25-zh-timeline.png') });

    await page.getByTestId('nav-terminals').click();
    await expect.poll(async () => page.getByRole('heading', { level: 3 }).first().textContent()).toBe('终端');
    expect(await page.getByTestId('terminal-kind').textContent()).toContain('zkCli 命令行');

    await page.getByTestId('nav-load').click();
    await expect.poll(async () => page.getByTestId('load-state').textContent()).toBe('空闲');
    expect(await page.getByTestId('load-start').textContent()).toBe('开始负载');
    expect(await page.getByTestId('load-workload').textContent()).toContain('寄存器负载（带检查）');
    if (shots) await page.screenshot({ path: join(shots, '26-zh-load.png') });

    await page.getByTestId('nav-locks').click();
    await expect.poll(async () => page.getByTestId('locks-start').textContent()).toBe('开始运行');
    expect(await page.getByTestId('locks-strategy').textContent()).toContain('朴素锁');
    if (shots) await page.screenshot({ path: join(shots, '27-zh-locks.png') });

    // And back: the same views answer in English again at once.
    await page.getByTestId('language').getByText('English', { exact: true }).click();
    await expect.poll(async () => page.getByTestId('locks-start').textContent()).toBe('Start run');
  });
});

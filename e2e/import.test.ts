// A tree import larger than one WebSocket message (the old single-message import closed the
// page's connection past 1 MiB): the page sends it in chunks, shows its progress, and a Cancel
// stops it with what was written counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../test/support/needs';
import { labCall } from './lab-call';
import { BROWSER, startLab, type RunningLab } from './support';
import { WS_MESSAGE_MAX } from '../src/shared/limits';

/** An export of `root` with `n` children carrying `bytes` bytes of data each. */
function exportOf(root: string, n: number, bytes: number): Buffer {
  const data = bytes > 0 ? Buffer.alloc(bytes, 'q').toString('base64') : null;
  const nodes: { path: string; data: string | null; kind: string }[] = [{ path: '', data: null, kind: 'persistent' }];
  for (let i = 0; i < n; i++) nodes.push({ path: `/c${String(i).padStart(5, '0')}`, data, kind: 'persistent' });
  return Buffer.from(JSON.stringify({ format: 'zookeeper-lab-tree', version: 1, root, exportedAt: 0, nodes }));
}

describe('tree import in chunks (browser mode)', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
    await labCall(lab.page, { method: 'launch', size: 1, observers: 0, engines: 'ours' });
    await lab.page.locator('[data-role="standalone"]').waitFor({ timeout: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('imports a file of several MiB with progress, and a cancelled one stops', { timeout: 180_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(60_000);
    await page.getByTestId('nav-tree').click();
    await page.getByTestId('tree-/').click();
    const big = exportOf('/big', 2500, 2048);
    expect(big.length).toBeGreaterThan(WS_MESSAGE_MAX);
    await page.locator('input[type=file]').setInputFiles({ name: 'big.zk-tree.json', mimeType: 'application/json', buffer: big });
    await page.getByTestId('tree-import-progress').waitFor();
    await expect.poll(async () => page.getByTestId('tree-notice').textContent(), { timeout: 120_000 }).toMatch(/imported big\.zk-tree\.json as \/big: 2501 created, 0 updated, 0 left as they were \(\d+ transactions\)/);
    expect(await page.getByTestId('tree-import-progress').count()).toBe(0);
    const stat = await labCall(page, { method: 'tree.node', path: '/big', through: null });
    expect(Number(stat.stat.numChildren)).toBe(2500);

    // 10 000 znodes: checking which exist takes a round trip each, long enough to press Cancel.
    await page.getByTestId('tree-/').click();
    await page.locator('input[type=file]').setInputFiles({ name: 'many.zk-tree.json', mimeType: 'application/json', buffer: exportOf('/many', 10_000, 0) });
    await page.getByTestId('tree-import-progress').filter({ hasText: /checking|writing/ }).waitFor();
    await page.getByTestId('tree-import-cancel').click();
    await expect.poll(async () => page.getByTestId('tree-error').textContent(), { timeout: 120_000 }).toMatch(/The import was cancelled after \d+ transaction\(s\): (\d+) znodes created/);
    const text = (await page.getByTestId('tree-error').textContent())!;
    const created = Number(/: (\d+) znodes created/.exec(text)![1]);
    const many = await labCall(page, { method: 'tree.node', path: '/many', through: null }).catch(() => null);
    // What the message counts is what is there (the root counts as one created).
    expect(created === 0 ? many : Number(many!.stat.numChildren) + 1).toBe(created === 0 ? null : created);
    expect(created).toBeLessThan(10_001);
  });
});

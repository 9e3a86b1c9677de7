// The lab's network in the Cluster view, through the real UI in Chromium: launch five members,
// cut the link between the leader and a follower both ways with the mouse and another link one
// way from the keyboard; both are drawn cut, net.state says the same, and the banner says who is
// cut off. Heal one fault by its own button (from the keyboard) and the rest with Heal all: every
// link delivers again and the banner says so. Then draw a partition with the mouse (the leader on
// a side of its own): the other four elect a new leader, the banner puts the old one out of the
// quorum; heal, and it follows again. A member killed from its card is in the same faults list,
// and its Heal starts it again.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabView, NetView } from '../src/shared/contract';
import { needs } from '../test/support/needs';
import { labCall, labState } from './lab-call';
import { BROWSER, ROOT, startLab, type RunningLab } from './support';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;

describe('the network in the Cluster view, in Chromium', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('cuts a link with the mouse and one from the keyboard, shows them cut as net.state does, says who is cut off, and heals', { timeout: 300_000 }, async () => {
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await page.getByTestId('launch').click();
    const leaderCard = page.locator('[data-testid^="node-"][data-role="leader"]');
    await leaderCard.waitFor({ timeout: 90_000 });
    await expect.poll(async () => page.locator('[data-testid^="node-"][data-role="follower"]').count(), { timeout: 60_000 }).toBe(4);
    const banner = page.getByTestId('net-banner');
    await expect.poll(async () => banner.getAttribute('data-tone'), { timeout: 20_000 }).toBe('ok');

    const leader = Number((await leaderCard.getAttribute('data-testid'))!.replace('node-', ''));
    const followers = [1, 2, 3, 4, 5].filter((x) => x !== leader);
    const f = followers[0]!;
    const [a, b] = [Math.min(leader, f), Math.max(leader, f)];
    const net = (): Promise<NetView> => labCall(page, { method: 'net.state' });
    const state = async (from: number, to: number): Promise<string | undefined> => (await net()).links.find((l) => l.from === from && l.to === to)?.state;
    const drawn = async (x: number, y: number): Promise<string> => {
      const link = page.getByTestId(`link-${x}-${y}`);
      return `${await link.getAttribute('data-ab')}/${await link.getAttribute('data-ba')}`;
    };
    // Each card shows the port through the lab and the direct one.
    const ports = (await labState(page)).nodes.find((n) => n.myid === f)!;
    expect(await page.getByTestId(`client-port-${f}`).textContent()).toBe(`client 127.0.0.1:${ports.labClientPort}`);
    expect(await page.getByTestId(`direct-port-${f}`).textContent()).toBe(`direct: ${ports.clientPort} (outside clients)`);
    expect(ports.labClientPort).not.toBe(ports.clientPort);
    expect(await drawn(a, b)).toBe('ok/ok');

    // The mouse: click the link in the drawing, then "Cut both ways".
    await page.getByTestId(`link-${a}-${b}`).click();
    await expect.poll(async () => page.getByTestId('link-panel').getAttribute('data-pair')).toBe(`${a}-${b}`);
    await page.getByTestId('cut-both').click();
    await expect.poll(() => drawn(a, b), { timeout: 10_000 }).toBe('cut/cut');
    expect(await state(a, b)).toBe('cut');
    expect(await state(b, a)).toBe('cut');
    await expect.poll(async () => page.getByTestId('link-panel').locator('[data-state="cut"]').count()).toBe(2);
    // The banner: the follower cannot hear the leader, so it does not serve.
    await expect.poll(async () => banner.getAttribute('data-cut-off'), { timeout: 10_000 }).toBe(String(f));
    expect(await banner.getAttribute('data-tone')).toBe('bad');
    expect(await banner.textContent()).toContain(`Cut both ways: ${a} ⇄ ${b}`);
    expect(await banner.textContent()).toContain(`Cut off from the leader (node ${leader}): node ${f} — not serving`);

    // The keyboard: focus the link between two other followers and press a (cut first → second).
    const g = Math.min(followers[1]!, followers[2]!);
    const h = Math.max(followers[1]!, followers[2]!);
    await page.getByTestId(`link-${g}-${h}`).focus();
    await page.keyboard.press('a');
    await expect.poll(() => drawn(g, h), { timeout: 10_000 }).toBe('cut/ok');
    expect(await state(g, h)).toBe('cut');
    expect(await state(h, g)).toBe('ok');
    await expect.poll(async () => banner.textContent(), { timeout: 10_000 }).toContain(`${g} → ${h} is cut one way (${h} → ${g} still delivers)`);
    await expect.poll(async () => page.getByTestId('fault-row').count()).toBe(3);
    expect((await net()).faults.map((x) => x.spec.kind)).toEqual(['oneway', 'oneway', 'oneway']);
    if (shots) {
      await page.getByTestId(`link-${a}-${b}`).click();
      await page.setViewportSize({ width: 1400, height: 2150 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(shots, '15-network-cut.png') });
      await page.setViewportSize({ width: 1400, height: 900 });
    }

    // Heal the one-way cut by its own Heal button, from the keyboard.
    const oneway = page.getByTestId('fault-row').last();
    const id = (await oneway.getAttribute('data-id'))!;
    await page.getByTestId(`heal-${id}`).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => drawn(g, h), { timeout: 10_000 }).toBe('ok/ok');
    expect(await state(g, h)).toBe('ok');
    expect(await page.getByTestId('fault-row').count()).toBe(2);
    // Heal all: every link delivers, the banner says the network is whole, the follower follows again.
    await page.getByTestId('heal-all').click();
    await expect.poll(() => drawn(a, b), { timeout: 10_000 }).toBe('ok/ok');
    await expect.poll(async () => (await net()).links.filter((l) => l.state !== 'ok').length).toBe(0);
    expect((await net()).faults).toEqual([]);
    await page.getByTestId('no-faults').waitFor();
    await expect.poll(async () => banner.getAttribute('data-tone')).toBe('ok');
    expect(await banner.getAttribute('data-cut-off')).toBe('');
    await expect.poll(async () => page.getByTestId(`node-${f}`).getAttribute('data-role'), { timeout: 60_000 }).toBe('follower');

    // A partition drawn with the mouse: the leader on side B, alone.
    await page.getByTestId(`topo-node-${leader}`).click();
    expect(await page.getByTestId(`topo-node-${leader}`).getAttribute('data-side')).toBe('B');
    const rest = followers.join(',');
    expect(await page.getByTestId('partition-apply').textContent()).toBe(`Partition ${rest} | ${leader}`);
    await page.getByTestId('partition-apply').click();
    await expect.poll(async () => banner.getAttribute('data-sides'), { timeout: 10_000 }).toBe(leader < followers[0]! ? `${leader}|${rest}` : `${rest}|${leader}`);
    expect((await net()).faults.map((x) => x.spec)).toEqual([{ kind: 'partition', groups: [followers, [leader]] }]);
    // The four elect one of themselves; the old leader is out of the quorum.
    await expect.poll(async () => (await page.locator('[data-testid^="node-"][data-role="leader"]').getAttribute('data-testid').catch(() => null)) ?? '', { timeout: 60_000 }).toMatch(new RegExp(`^node-(${followers.join('|')})$`));
    await expect.poll(async () => banner.getAttribute('data-cut-off'), { timeout: 60_000 }).toBe(String(leader));
    expect(await banner.textContent()).toMatch(new RegExp(`\\{${followers.join(', ')}\\}: 4 voting members, 3 needed — the quorum is here; node \\d leads`));
    await page.getByTestId('heal-all').click();
    await expect.poll(async () => page.getByTestId(`node-${leader}`).getAttribute('data-role'), { timeout: 60_000 }).toBe('follower');
    await expect.poll(async () => banner.getAttribute('data-tone'), { timeout: 20_000 }).toBe('ok');

    // A process fault from a card (k on a focused card) is in the same list; its Heal starts the member again.
    const victim = followers[0]!;
    await page.getByTestId(`node-${victim}`).focus();
    await page.keyboard.press('k');
    const killed = page.locator('[data-testid="fault-row"][data-kind="kill"]');
    await killed.waitFor({ timeout: 10_000 });
    await expect.poll(async () => page.getByTestId(`node-${victim}`).getAttribute('data-role'), { timeout: 10_000 }).toBe('down');
    await page.getByTestId(`heal-${await killed.getAttribute('data-id')}`).click();
    await expect.poll(async () => page.getByTestId(`node-${victim}`).getAttribute('data-role'), { timeout: 60_000 }).toMatch(/^(follower|leader)$/);
    await expect.poll(async () => page.getByTestId('fault-row').count(), { timeout: 10_000 }).toBe(0);
  });
});

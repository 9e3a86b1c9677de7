// ACLs and auth in the Tree explorer, through the real UI in Chromium on a 1-member lab: an ACL
// edited row by row (cdrwa checkboxes, the digest helper) and set, read back by a separate client;
// a stale aclVersion is BadVersion naming both versions; a NoAuth names the permission missing
// until `addauth digest` gives the lab's session the identity (shown); an ACL set over a subtree
// shows its progress.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, digestId, Ops, Perms, type ZkClient } from '../src/client';
import { BROWSER, ROOT, showNode, startLab, type RunningLab } from './support';
import { needs } from '../test/support/needs';

const shots = process.env.ZK_LAB_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;
const world = (perms: number) => ({ perms, id: { scheme: 'world', id: 'anyone' } });
const alice = (perms: number) => ({ perms, id: { scheme: 'digest', id: digestId('alice:secret') } });

describe('ACLs and auth in the Tree explorer', needs(...BROWSER), () => {
  let lab: RunningLab;
  /** A client of the test, straight to the member (not the lab's session), with alice's auth. */
  let other: ZkClient;
  beforeAll(async () => {
    lab = await startLab();
    const page = lab.page;
    page.setDefaultTimeout(45_000);
    await page.getByTestId('size').getByText('1', { exact: true }).click();
    await page.getByTestId('launch').click();
    await page.locator('[data-role="standalone"]').waitFor({ timeout: 90_000 });
    const spec = JSON.parse(readFileSync(join(lab.labDir, 'default', 'lab.json'), 'utf8')) as { nodes: { clientPort: number }[] };
    other = await connect(`127.0.0.1:${spec.nodes[0]!.clientPort}`, { authInfo: [{ scheme: 'digest', auth: 'alice:secret' }] });
    await other.create('/secure', 's');
    await other.create('/locked', 'l', { acl: [alice(Perms.ALL)] });
    await other.create('/many', null);
    await other.multi(Array.from({ length: 1000 }, (_, i) => Ops.create(`/many/c${String(i).padStart(4, '0')}`, null)));
  }, 180_000);
  afterAll(async () => {
    await other?.close();
    await lab?.stop();
  });

  it('sets an ACL from the editor that another client reads back; a stale aclVersion is BadVersion', { timeout: 120_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('nav-tree').click();
    await showNode(page, '/secure');
    await page.locator('[data-testid="acl-row-0"][data-acl="world:anyone:cdrwa"]').waitFor();
    // world:anyone keeps r and a (with ADMIN the lab's session sees alice's hash; without, the
    // server shows it as x); alice gets everything, through the digest helper.
    for (const l of ['c', 'd', 'w']) await page.getByTestId(`acl-perm-0-${l}`).uncheck();
    await page.getByTestId('digest-user').fill('alice');
    await page.getByTestId('digest-password').fill('secret');
    await page.getByTestId('digest-add').click();
    await page.locator(`[data-testid="acl-row-1"][data-acl="digest:${digestId('alice:secret')}:cdrwa"]`).waitFor();
    if (shots) {
      await page.getByTestId('acl-editor').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, '21-acl-editor.png') });
    }
    await page.getByTestId('acl-apply').click();
    await expect.poll(async () => page.getByTestId('tree-notice').textContent()).toBe('set the ACL of /secure (aclVersion 1)');
    expect((await other.getACL('/secure')).acl).toEqual([world(Perms.READ | Perms.ADMIN), alice(Perms.ALL)]);

    // The Tree view reads the znode again after the set: once its editor holds aclVersion 1,
    // someone else changes the ACL (no watch tells the view of an ACL change).
    await expect.poll(async () => page.getByTestId('acl-version').inputValue()).toBe('1');
    await other.setACL('/secure', [world(Perms.READ | Perms.WRITE | Perms.ADMIN), alice(Perms.ALL)], 1);
    await page.getByTestId('acl-apply').click();
    await expect
      .poll(async () => page.getByTestId('tree-error').textContent())
      .toContain('BadVersion: setting the ACL of /secure expected aclVersion 1, but it is at aclVersion 2 now');
    expect((await other.getACL('/secure')).acl).toEqual([world(Perms.READ | Perms.WRITE | Perms.ADMIN), alice(Perms.ALL)]);
  });

  it('names the permission a NoAuth lacked until addauth digest gives the session the identity', { timeout: 120_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('nav-tree').click();
    await expect.poll(async () => page.getByTestId('identities').textContent()).toBe('identities: ip:127.0.0.1');
    await page.getByTestId('tree-/locked').click();
    await expect.poll(async () => page.getByTestId('tree-error').textContent()).toContain("NoAuth: reading /locked needs READ (r) on /locked, which its ACL does not grant to the lab's session (ip:127.0.0.1)");
    await page.getByTestId('auth-user').fill('alice');
    await page.getByTestId('auth-password').fill('secret');
    await page.getByTestId('auth-add').click();
    await expect.poll(async () => page.getByTestId('identities').textContent()).toBe('identities: digest:alice, ip:127.0.0.1');
    await page.locator('[data-testid="stat"][data-path="/locked"]').waitFor();
    expect(await page.getByTestId('tree-error').count()).toBe(0);
  });

  it('sets an ACL over a subtree, showing its progress', { timeout: 120_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('nav-tree').click();
    await showNode(page, '/many');
    await page.locator('[data-testid="acl-row-0"][data-acl="world:anyone:cdrwa"]').waitFor();
    await page.getByTestId('acl-perm-0-w').uncheck();
    // The progress may come and go between two looks: the page notes that it was shown.
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: string[] };
      w.sawProgress = [];
      new MutationObserver(() => {
        const p = document.querySelector('[data-testid="acl-progress"]');
        if (p?.textContent) w.sawProgress.push(p.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('acl-apply-recursive').click();
    await expect.poll(async () => page.getByTestId('tree-notice').textContent()).toBe('set the ACL of 1001 znodes under /many (/many is at aclVersion 1)');
    const saw = await page.evaluate(() => (window as unknown as { sawProgress: string[] }).sawProgress);
    expect(saw.some((t) => /setting the ACL: \d+ of 1001 znodes/.test(t))).toBe(true);
    expect((await other.getACL('/many/c0999')).acl).toEqual([world(Perms.ALL & ~Perms.WRITE)]);
  });
});

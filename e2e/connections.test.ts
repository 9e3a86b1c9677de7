// Attach's saved connections, through the real UI in Chromium: one saved with digest auth and
// read-only is still there after the lab's backend restarts, and attaching by it gives the Tree
// explorer's session the identity (a znode only alice may read is read) and keeps the lab's
// writes off. The page never gets the password back; the file is the owner's alone.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, digestId, Perms } from '../src/client';
import { start, type OurZk } from '../test/support/ourzk';
import { needs } from '../test/support/needs';
import { labCall } from './lab-call';
import { BROWSER, startLab, type RunningLab } from './support';

describe('saved connections for Attach', needs(...BROWSER), () => {
  let server: OurZk;
  let labDir: string;
  const labs: RunningLab[] = [];
  beforeAll(async () => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-conn-'));
    server = await start();
    const zk = await connect(server.connectString, { authInfo: [{ scheme: 'digest', auth: 'alice:secret' }] });
    await zk.create('/alice-only', 'hello', { acl: [{ perms: Perms.ALL, id: { scheme: 'digest', id: digestId('alice:secret') } }] });
    await zk.close();
  }, 120_000);
  afterAll(async () => {
    for (const l of labs) await l.stop();
    await server?.stop();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('remembers a connection with digest auth across a restart and attaches with it', { timeout: 180_000 }, async () => {
    const first = await startLab({ labDir });
    labs.push(first);
    let page = first.page;
    page.setDefaultTimeout(45_000);
    await page.getByTestId('connect-string').fill(server.connectString);
    await page.getByTestId('attach-user').fill('alice');
    await page.getByTestId('attach-password').fill('secret');
    expect(await page.getByTestId('attach-read-only').isChecked()).toBe(true);
    await page.getByTestId('connection-name').fill('staging');
    await page.getByTestId('connection-save').click();
    await page.getByTestId('saved-staging').waitFor();
    await first.stop();
    expect(statSync(join(labDir, 'connections.json')).mode & 0o777).toBe(0o600);

    const second = await startLab({ labDir });
    labs.push(second);
    page = second.page;
    page.setDefaultTimeout(45_000);
    await expect.poll(async () => page.getByTestId('saved-staging').textContent()).toBe(`staging${server.connectString}digest aliceread-onlyAttachForget`);
    const listed = await labCall(page, { method: 'connections.list' });
    expect(JSON.stringify(listed)).not.toContain('secret');
    await page.getByTestId('saved-attach-staging').click();
    await page.getByTestId('attached-banner').waitFor();
    await page.locator('[data-role="standalone"]').waitFor();
    await page.getByTestId('nav-tree').click();
    await expect.poll(async () => page.getByTestId('identities').textContent()).toBe('identities: digest:alice, ip:127.0.0.1');
    await page.getByTestId('tree-/alice-only').click();
    await page.locator('[data-testid="stat"][data-path="/alice-only"]').waitFor();
    expect(await page.getByTestId('data').textContent()).toBe('hello');
    // Read-only, as saved: no create form, and the backend refuses writes.
    expect(await page.getByTestId('read-only').isChecked()).toBe(true);
    expect(await page.getByTestId('create').count()).toBe(0);
    await expect(labCall(page, { method: 'tree.create', path: '/nope', data: '', mode: 'persistent', through: null })).rejects.toThrow(/attached read-only/);
  });
});

// The last lab across restarts, in browser mode: an ensemble attached when the app was closed is
// offered again at the next start (with the digest user's password asked again, since none is
// kept), attaching again gives the same identity; after a detach the next start offers nothing.
// (A lab the lab launched reopens by itself: e2e/actions.test.ts restarts one.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type OurZk } from '../test/support/ourzk';
import { needs } from '../test/support/needs';
import { BROWSER, startLab, type RunningLab } from './support';

describe('the last lab, offered again after a restart', needs(...BROWSER), () => {
  let server: OurZk;
  let labDir: string;
  const labs: RunningLab[] = [];
  beforeAll(async () => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-e2e-last-'));
    server = await start();
  }, 120_000);
  afterAll(async () => {
    for (const l of labs) await l.stop();
    await server?.stop();
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('offers the ensemble attached last, attaches again with the password typed again, and forgets it on detach', { timeout: 180_000 }, async () => {
    const first = await startLab({ labDir });
    labs.push(first);
    let page = first.page;
    page.setDefaultTimeout(45_000);
    // A first start offers nothing.
    await page.getByTestId('last-attach-none').waitFor({ state: 'attached' });
    await page.getByTestId('connect-string').fill(server.connectString);
    await page.getByTestId('attach-user').fill('alice');
    await page.getByTestId('attach-password').fill('secret');
    await page.getByTestId('attach').click();
    await page.getByTestId('attached-banner').waitFor();
    await first.stop();
    // The password is not kept anywhere in the labs folder.
    expect(readFileSync(join(labDir, 'ui-settings.json'), 'utf8')).not.toContain('secret');

    const second = await startLab({ labDir });
    labs.push(second);
    page = second.page;
    page.setDefaultTimeout(45_000);
    const offer = page.getByTestId('last-attach');
    await expect.poll(async () => offer.textContent()).toContain(`The lab was attached to ${server.connectString} · read-only`);
    await page.getByTestId('last-attach-password-alice').fill('secret');
    await page.getByTestId('last-attach-again').click();
    await page.getByTestId('attached-banner').waitFor();
    await page.getByTestId('nav-tree').click();
    await expect.poll(async () => page.getByTestId('identities').textContent()).toBe('identities: digest:alice, ip:127.0.0.1');
    // Detached on purpose: the next start is a fresh one.
    await page.getByTestId('nav-cluster').click();
    await page.getByTestId('destroy').click();
    await page.getByTestId('empty-state').waitFor();
    await second.stop();

    const third = await startLab({ labDir });
    labs.push(third);
    page = third.page;
    await page.getByTestId('last-attach-none').waitFor({ state: 'attached' });
    expect(await page.getByTestId('last-attach').count()).toBe(0);
  });
});

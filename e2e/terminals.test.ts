// The Terminals view as a terminal user expects it, in Chromium: selecting text copies nothing
// (the clipboard keeps what it held), the Copy button, the right-click menu and Ctrl+Shift+C
// copy the selection, and the terminal follows the window's size (the pty's `stty size` too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { BROWSER, startLab, type RunningLab } from './support';
import { labCall } from './lab-call';
import { needs } from '../test/support/needs';

/** Drags across the first row of `term` showing `text`, as a person selects it with the mouse. */
async function selectRow(page: Page, term: Locator, text: string): Promise<void> {
  const row = term.locator('.xterm-rows > div', { hasText: text }).last();
  const box = (await row.boundingBox())!;
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 200, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

const clipboard = (page: Page): Promise<string> => page.evaluate(() => navigator.clipboard.readText());

describe('the Terminals view: copy on request, size with the window', needs(...BROWSER), () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab();
    await lab.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(lab.url).origin });
    await labCall(lab.page, { method: 'launch', size: 1 });
    await lab.page.locator('[data-role="standalone"]').waitFor({ timeout: 60_000 });
  });
  afterAll(async () => lab?.stop());

  it('copies only on an explicit action', { timeout: 60_000 }, async () => {
    const page = lab.page;
    await page.getByTestId('nav-terminals').click();
    await page.getByTestId('terminal-kind').getByText('System shell').click();
    await page.getByTestId('terminal-open').click();
    await page.getByTestId('terminal-tab-1-shell').waitFor();
    const term = page.getByTestId('terminal');
    await term.click();
    await page.keyboard.type("printf 'copy%s\\n' -me-please\n");
    await expect.poll(async () => (await term.locator('.xterm-rows').textContent()) ?? '').toContain('copy-me-please');
    await page.evaluate(() => navigator.clipboard.writeText('held before'));

    // A selection alone leaves the clipboard as it was.
    await selectRow(page, term, 'copy-me-please');
    await expect.poll(async () => page.getByTestId('terminal-copy').isEnabled()).toBe(true);
    expect(await clipboard(page)).toBe('held before');

    // The Copy button copies it.
    await page.getByTestId('terminal-copy').click();
    await expect.poll(() => clipboard(page)).toMatch(/^copy-me-please\s*$/);
    await page.getByTestId('terminal-copied').getByText(/^Copied \d+ characters$/).waitFor();

    // The right-click menu too.
    await page.evaluate(() => navigator.clipboard.writeText('held before'));
    await selectRow(page, term, 'copy-me-please');
    await term.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /^Copy/ }).click();
    await expect.poll(() => clipboard(page)).toMatch(/^copy-me-please\s*$/);

    // And Ctrl+Shift+C, while Ctrl+C stays the terminal's ^C.
    await page.evaluate(() => navigator.clipboard.writeText('held before'));
    await selectRow(page, term, 'copy-me-please');
    await page.keyboard.press('Control+Shift+KeyC');
    await expect.poll(() => clipboard(page)).toMatch(/^copy-me-please\s*$/);
  });

  it('resizes the terminal and its pty with the window', { timeout: 60_000 }, async () => {
    const page = lab.page;
    const term = page.getByTestId('terminal');
    const sttySize = async (mark: string): Promise<[number, number]> => {
      await term.click();
      await page.keyboard.type(`echo ${mark}=$(stty size | tr ' ' x)\n`);
      const re = new RegExp(`${mark}=(\\d+)x(\\d+)`);
      let m: RegExpExecArray | null = null;
      await expect.poll(async () => (m = re.exec((await term.locator('.xterm-rows').textContent()) ?? '')) !== null).toBe(true);
      return [Number(m![1]), Number(m![2])];
    };
    const [rows1, cols1] = await sttySize('big');
    await page.setViewportSize({ width: 1000, height: 600 });
    // The terminal refits (its rows on the page), then tells the pty over the same socket the
    // typing goes through, so the next `stty size` sees the new size.
    await expect.poll(async () => term.locator('.xterm-rows > div').count()).toBeLessThan(rows1);
    await page.keyboard.type('clear\n');
    const [rows2, cols2] = await sttySize('small');
    expect(rows2, 'rows follow the window height').toBeLessThan(rows1);
    expect(cols2, 'columns follow the window width').toBeLessThan(cols1);
    await page.setViewportSize({ width: 1400, height: 900 });
  });
});

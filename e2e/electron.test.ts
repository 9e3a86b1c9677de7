// The desktop app through Playwright's _electron, where the Electron binary exists. On machines
// where it could not be downloaded (no access to GitHub) this is skipped, and says why.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { custom, needs } from '../test/support/needs';
import { ROOT } from './support';

const pathTxt = join(ROOT, 'node_modules', 'electron', 'path.txt');
const electronBin = existsSync(pathTxt) ? join(ROOT, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim()) : null;
// The Electron binary comes from GitHub, not from Debian: where it could not be had (or there is
// no display to open its window on), this test may skip even under CI=true, and the summary of
// `npm test` says why.
const ELECTRON = custom(
  'electron',
  'the Electron binary',
  () => (electronBin !== null && existsSync(electronBin) ? null : 'it is not installed here (its download from GitHub failed or was skipped); browser mode is tested instead'),
  { mayMissInCi: true },
);
const DISPLAY = custom('display', 'a display', () => (process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? null : 'DISPLAY and WAYLAND_DISPLAY are unset; run under Xvfb to test the desktop app'), {
  mayMissInCi: true,
});

describe('Electron desktop app', () => {
  it('the desktop app opens the lab', { timeout: 120_000, ...needs(ELECTRON, DISPLAY) }, async () => {
    const labDir = mkdtempSync(join(tmpdir(), 'zk-lab-electron-'));
    const app = await electron.launch({ executablePath: electronBin!, args: [ROOT], env: { ...process.env, ZK_LAB_DIR: labDir, ZK_LAB_NODE: process.execPath } });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('launch').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('launch').textContent()).toBe('Launch 5-node lab');
      expect(await page.evaluate(() => (window as unknown as { lab: { mode: string } }).lab.mode)).toBe('electron');
    } finally {
      await app.close();
      rmSync(labDir, { recursive: true, force: true });
    }
  });
});

// The desktop app through Playwright's _electron, where the Electron binary exists. On machines
// where it could not be downloaded (no access to GitHub) this says so and is skipped.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { ROOT } from './support';

const pathTxt = join(ROOT, 'node_modules', 'electron', 'path.txt');
const electronBin = existsSync(pathTxt) ? join(ROOT, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim()) : null;
const haveElectron = electronBin !== null && existsSync(electronBin);
const haveDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const reason = !haveElectron
  ? 'SKIPPED: the Electron binary is not installed here (its download from GitHub failed or was skipped); browser mode is tested instead'
  : !haveDisplay
    ? 'SKIPPED: no display (DISPLAY/WAYLAND_DISPLAY unset); run under Xvfb to test the desktop app'
    : 'the desktop app opens the lab';

describe('Electron desktop app', () => {
  it.skipIf(!haveElectron || !haveDisplay)(reason, { timeout: 120_000 }, async () => {
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

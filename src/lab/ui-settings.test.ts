import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readUiSettings, writeUiSetting } from './ui-settings';

describe('the UI settings file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zk-lab-ui-settings-'));
  const file = join(dir, 'labs', 'ui-settings.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps settings across reads, removes one set to null, and refuses bad names and huge values', () => {
    expect(readUiSettings(file)).toEqual({});
    writeUiSetting('theme', 'dark', file);
    writeUiSetting('locks.form', { clients: 8 }, file);
    expect(readUiSettings(file)).toEqual({ theme: 'dark', 'locks.form': { clients: 8 } });
    writeUiSetting('theme', null, file);
    expect(readUiSettings(file)).toEqual({ 'locks.form': { clients: 8 } });
    expect(() => writeUiSetting('../x', 1, file)).toThrow(/letters, digits/);
    expect(() => writeUiSetting('big', 'x'.repeat(70_000), file)).toThrow(/at most 65536/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'locks.form': { clients: 8 } });
  });

  it('reads a damaged file as no settings', () => {
    writeFileSync(file, '{not json');
    expect(readUiSettings(file)).toEqual({});
  });
});

describe('the remembered window', () => {
  it('takes a size and place a screen can show, and nothing else', async () => {
    const { windowBounds } = await import('./ui-settings');
    expect(windowBounds({ width: 1400, height: 900, x: 10, y: 20, maximized: false })).toEqual({ width: 1400, height: 900, x: 10, y: 20, maximized: false });
    expect(windowBounds({ width: 1400, height: 900 })).toEqual({ width: 1400, height: 900, maximized: false });
    expect(windowBounds({ width: 100, height: 900 })).toBeNull();
    expect(windowBounds('big')).toBeNull();
  });
});

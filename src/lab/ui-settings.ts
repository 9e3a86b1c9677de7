// The UI's remembered settings (theme, open view, each view's settings), kept by the backend in
// `<labs folder>/ui-settings.json`: the page's own storage cannot keep them, since every start
// serves the page from a new port (a new origin) and the desktop app and the browser differ.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { labsRoot } from './labdir';

/** A value larger than this is refused (a setting is a word or a small form, not data). */
export const MAX_SETTING_BYTES = 64 * 1024;
const MAX_KEYS = 200;

export function settingsFile(): string {
  return join(labsRoot(), 'ui-settings.json');
}

/** Every setting; an unreadable file counts as none (the UI falls back to its defaults). */
export function readUiSettings(file = settingsFile()): Record<string, unknown> {
  try {
    if (!existsSync(file)) return {};
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Sets one setting (null removes it); written whole to a temp file and renamed, so a crash leaves the old file. */
export function writeUiSetting(key: string, value: unknown, file = settingsFile()): void {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(key)) throw new Error(`A setting's name is letters, digits, ".", "_" or "-" (at most 100): ${JSON.stringify(key).slice(0, 120)}`);
  const text = JSON.stringify(value ?? null);
  if (text.length > MAX_SETTING_BYTES) throw new Error(`The setting ${key} is ${text.length} bytes; at most ${MAX_SETTING_BYTES} are kept.`);
  const all = readUiSettings(file);
  if (value === null || value === undefined) delete all[key];
  else all[key] = value;
  if (Object.keys(all).length > MAX_KEYS) throw new Error(`More than ${MAX_KEYS} UI settings; ${key} was not kept.`);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2));
  renameSync(tmp, file);
}

export interface WindowBounds {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized: boolean;
}

/** The desktop window's remembered size and place (setting `window`), when it is one a screen can show. */
export function windowBounds(v: unknown): WindowBounds | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const int = (x: unknown, min: number, max: number): number | null => (typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max ? x : null);
  const width = int(o.width, 640, 16_384);
  const height = int(o.height, 480, 16_384);
  if (width === null || height === null) return null;
  const x = int(o.x, -16_384, 16_384);
  const y = int(o.y, -16_384, 16_384);
  return { width, height, ...(x !== null && y !== null ? { x, y } : {}), maximized: o.maximized === true };
}

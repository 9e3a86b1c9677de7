// View settings that outlive the view and the app: kept in the renderer's localStorage (the
// Electron window's and the browser's alike), one JSON value per key, under "zk-lab:".
import { useEffect, useState } from 'react';

const PREFIX = 'zk-lab:';

/** The stored value of `key`, or `fallback` when there is none or it is not what `valid` accepts. */
export function readSetting<T>(key: string, fallback: T, valid: (v: unknown) => v is T = (v): v is T => typeof v === typeof fallback): T {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    if (raw === null) return fallback;
    const v: unknown = JSON.parse(raw);
    return valid(v) ? v : fallback;
  } catch {
    // no storage (a sandboxed page) or a value another version wrote: the default
    return fallback;
  }
}

export function writeSetting(key: string, value: unknown): void {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // full or unavailable: the setting lasts as long as the view
  }
}

/** useState whose value is remembered under `key` across views and restarts. */
export function useSetting<T>(key: string, fallback: T, valid?: (v: unknown) => v is T): [T, (v: T | ((old: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => readSetting(key, fallback, valid));
  useEffect(() => writeSetting(key, value), [key, value]);
  return [value, setValue];
}

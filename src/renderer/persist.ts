// View settings that outlive the view and the app. The backend keeps them (ui.settings, in
// <labs folder>/ui-settings.json): the page's own storage cannot, since every start serves it
// from a new port, a new origin. They are read once before the app renders (loadSettings) and
// written through as they change; without a backend answer the defaults hold.
import { useEffect, useState } from 'react';
import type { LabApi } from '../shared/contract';

let cache: Record<string, unknown> = {};
let backend: LabApi | null = null;

/** Reads every setting from the backend (once, before the first render). */
export async function loadSettings(lab: LabApi): Promise<void> {
  backend = lab;
  try {
    // A backend that does not answer soon must not keep the app from opening (it says why itself).
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), 3000));
    cache = (await Promise.race([lab.call({ method: 'ui.settings' }), late])) ?? {};
  } catch {
    // an older backend, or none: the defaults, and settings last while the page does
    cache = {};
  }
}

/** The stored value of `key`, or `fallback` when there is none or it is not what `valid` accepts. */
export function readSetting<T>(key: string, fallback: T, valid: (v: unknown) => v is T = (v): v is T => typeof v === typeof fallback): T {
  const v = cache[key];
  return v !== undefined && valid(v) ? v : fallback;
}

export function writeSetting(key: string, value: unknown): void {
  if (JSON.stringify(cache[key]) === JSON.stringify(value)) return;
  cache[key] = value;
  // A setting that could not be kept only lasts as long as the page: nothing to tell the person.
  void backend?.call({ method: 'ui.setting', key, value }).catch(() => {});
}

/** useState whose value is remembered under `key` across views and restarts. */
export function useSetting<T>(key: string, fallback: T, valid?: (v: unknown) => v is T): [T, (v: T | ((old: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => readSetting(key, fallback, valid));
  useEffect(() => writeSetting(key, value), [key, value]);
  return [value, setValue];
}

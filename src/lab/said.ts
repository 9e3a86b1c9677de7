// The backend's side of src/shared/said.ts: a progress step or an event detail carries its
// English (for zk-lab, --json and the logs) and its code and parameters (for the page).
import type { Progress } from '../shared/contract';
import { sayEnglish, type Said } from '../shared/said';

/** A progress step: the English sentence, and the code the page translates. */
export function step(s: Said, done: number, total: number): Progress {
  return { step: sayEnglish(s), done, total, said: s };
}

/** An event's detail and data: the English sentence, and the data with the code beside it (`said`). */
export function saidEvent(s: Said, data: Record<string, unknown> = {}): [string, Record<string, unknown>] {
  return [sayEnglish(s), { ...data, said: s }];
}

/** The same, as an event's `detail` and `data` fields. */
export function saidFields(s: Said, data: Record<string, unknown> = {}): { detail: string; data: Record<string, unknown> } {
  const [detail, withSaid] = saidEvent(s, data);
  return { detail, data: withSaid };
}

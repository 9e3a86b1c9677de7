// The backend's side of src/shared/last-lab.ts: after a launch, an opened dataDir or an attach
// succeeds it records what is open; destroying the lab or detaching forgets it (as closing a
// folder in VS Code: the next start opens nothing).
import { LAST_LAB_KEY, type LastLab } from '../shared/last-lab';
import { writeUiSetting } from './ui-settings';

type Entry = { kind: 'lab'; name: string } | { kind: 'attach'; connectString: string; saved: string | null; readOnly: boolean; users: string[] };

/** Resolves as `action` does; once it succeeded, records `entry` (null: forgets the last lab). */
export async function remembering<T>(action: Promise<T>, entry: Entry | null, file?: string): Promise<T> {
  const result = await action;
  try {
    const value: LastLab | null = entry ? { ...entry, at: Date.now() } : null;
    writeUiSetting(LAST_LAB_KEY, value, file);
  } catch {
    // Not kept (a read-only labs folder): the next start offers nothing; the action itself succeeded.
  }
  return result;
}

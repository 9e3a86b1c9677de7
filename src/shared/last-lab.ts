// What the lab had open when it was last used (the UI setting `lastLab`, kept by the backend in
// ui-settings.json), so a restart can take the person back to it, as VS Code reopens the last
// folder. A lab the lab launched needs none of it to come back: its folder is the lab, and the
// backend opens it at start (its members down until started, or adopted if they still run). An
// attached ensemble has no folder: this is how a restart knows it, and the page offers to attach
// again rather than doing it unasked (the ensemble is someone else's, maybe far away or gone,
// and a password given at attach is never kept outside a saved connection).
import { z } from 'zod';

export const LAST_LAB_KEY = 'lastLab';

export const LastLab = z.discriminatedUnion('kind', [
  /** A lab this backend launched (or opened from a dataDir) in its folder `name`. */
  z.object({ kind: z.literal('lab'), name: z.string(), at: z.number() }),
  /**
   * An ensemble attached by connect string; `saved`: by that saved connection's name (its auth is
   * in connections.json); `users`: the digest users it attached with (their passwords are not kept).
   */
  z.object({ kind: z.literal('attach'), connectString: z.string().min(3).max(2000), saved: z.string().max(100).nullable(), readOnly: z.boolean(), users: z.array(z.string()).max(8), at: z.number() }),
]);
export type LastLab = z.infer<typeof LastLab>;

/** The setting as read back: anything else (an older file, a hand edit) counts as none. */
export function parseLastLab(v: unknown): LastLab | null {
  const r = LastLab.safeParse(v);
  return r.success ? r.data : null;
}

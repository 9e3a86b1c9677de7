// A history: what clients asked of a register per znode (or of a lock) and what they saw, one
// operation per line in a file (the format is a contract, documented in the README under
// "Histories"). The checker (check.ts) reads these; the lab records them (src/lab/check, the lock
// playground) and the UI imports them.
import { z } from 'zod';

/** One operation as recorded: invocation and completion on one monotonic clock, in ms. */
export const HistoryOp = z
  .object({
    /** The client (one thread of operations, one at a time) that ran it. */
    process: z.number().int().nonnegative(),
    /** Its ZooKeeper session id, as hex ("0x1000..."), or "" when it never got one. */
    session: z.string(),
    /** The member (myid) it went through; 0 when unknown. */
    member: z.number().int().nonnegative(),
    /** A register's read, write, cas and sync (the session's member catches up with the leader); a lock's acquire and release. */
    f: z.enum(['read', 'write', 'cas', 'sync', 'acquire', 'release']),
    /** A znode path: the register's key (sync: the path synced), or the lock's path. */
    key: z.string().startsWith('/'),
    /** write: the value written; cas: the new value; read: the value read (null unless ok); sync, acquire, release: null. */
    value: z.string().nullable(),
    /** cas: the expected version; read: the version read (null unless ok); write, sync, acquire, release: null. */
    version: z.number().int().nonnegative().nullable(),
    invoke: z.number().nonnegative(),
    /** null when it never completed (then its result is unknown). */
    complete: z.number().nonnegative().nullable(),
    /** ok; fail (e.g. BadVersion: it did not happen); unknown (timeout, connection loss: it may have). */
    result: z.enum(['ok', 'fail', 'unknown']),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.complete !== null && o.complete < o.invoke) ctx.addIssue({ code: 'custom', message: `complete (${o.complete}) is before invoke (${o.invoke})` });
    if (o.complete === null && o.result !== 'unknown') ctx.addIssue({ code: 'custom', message: `an operation that never completed (complete null) has result "unknown", not "${o.result}"` });
    if (o.f === 'cas' && o.version === null) ctx.addIssue({ code: 'custom', message: 'a cas needs the expected version' });
    if ((o.f === 'write' || o.f === 'cas') && o.value === null) ctx.addIssue({ code: 'custom', message: `a ${o.f} needs the value it writes` });
    if (LOCK_OR_SYNC.has(o.f) && (o.value !== null || o.version !== null)) ctx.addIssue({ code: 'custom', message: `a ${o.f} has no value and no version (both null)` });
    if (o.f === 'read' && o.result === 'ok' && (o.value === null || o.version === null)) ctx.addIssue({ code: 'custom', message: 'an ok read needs the value and version it read' });
    if (o.f === 'write' && o.version !== null) ctx.addIssue({ code: 'custom', message: 'a write has no version (use cas for a write with an expected version)' });
  });
export type HistoryOp = z.infer<typeof HistoryOp>;

const LOCK_OR_SYNC: ReadonlySet<string> = new Set(['sync', 'acquire', 'release']);

/** Whether the operation is a lock's (its key is a lock, checked as a mutex), not a register's. */
export const isLockOp = (o: Pick<HistoryOp, 'f'>): boolean => o.f === 'acquire' || o.f === 'release';

export class HistoryFormatError extends Error {}

/** Reads a history file's text: one JSON object per line (blank lines skipped). Throws HistoryFormatError naming the line. */
export function parseHistory(text: string): HistoryOp[] {
  const ops: HistoryOp[] = [];
  const kinds = new Map<string, { lock: boolean; line: number }>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new HistoryFormatError(`line ${i + 1}: not JSON (${(e as Error).message}); each line is one operation as a JSON object`);
    }
    const r = HistoryOp.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const where = issue.path.length ? `field "${issue.path.join('.')}": ` : '';
      throw new HistoryFormatError(`line ${i + 1}: ${where}${issue.message}`);
    }
    const lock = isLockOp(r.data);
    const was = kinds.get(r.data.key);
    if (was === undefined) kinds.set(r.data.key, { lock, line: i + 1 });
    else if (was.lock !== lock) throw new HistoryFormatError(`line ${i + 1}: ${r.data.key} is ${was.lock ? 'a lock' : 'a register'} (line ${was.line}), and a key is either a register (read, write, cas, sync) or a lock (acquire, release)`);
    ops.push(r.data);
  }
  if (ops.length === 0) throw new HistoryFormatError('the history has no operations (one JSON object per line is expected)');
  return ops;
}

/** The file's text for a history: one operation per line, fields in the documented order. */
export function formatHistory(ops: readonly HistoryOp[]): string {
  return ops
    .map((o) =>
      JSON.stringify({ process: o.process, session: o.session, member: o.member, f: o.f, key: o.key, value: o.value, version: o.version, invoke: o.invoke, complete: o.complete, result: o.result }),
    )
    .join('\n')
    .concat(ops.length ? '\n' : '');
}

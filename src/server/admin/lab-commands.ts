// ZooKeeper Lab's own AdminServer commands (no ZooKeeper has them): the member's event log, every
// watch with its kind, where the bytes are (lab_du, du.ts), and the lab's faults (a slow learner, a stalled or full disk).
import type { ServerCore } from '../core';
import type { ClientConnection } from '../net/connection';
import { duCommandOf } from './du';
import type { Json } from './jackson';

/** The arguments with which a lab_* command changes the member (without them it only reads). */
const STATE_PARAMS: Record<string, string[]> = { lab_apply_delay: ['ms'], lab_disk: ['stall_ms', 'full'] };

/** Whether this call of a command changes the member (a lab fault): those need POST and the lab's secret. */
export function labStateChange(name: string, params: URLSearchParams): boolean {
  return (STATE_PARAMS[name] ?? []).some((p) => params.has(p));
}

/** Answers a lab_* command (an `error` key when its arguments are wrong). */
export function labCommand(name: string, params: URLSearchParams, core: ServerCore): { [k: string]: Json } {
  switch (name) {
    case 'lab_watches': {
      const rows: Json[] = [];
      const seen = new Set<string>();
      const kindOf = (table: 'data' | 'child', mode: number): string => (mode === 2 ? 'persistent-recursive' : mode === 1 ? 'persistent' : table);
      for (const [table, t] of [['data', core.tree.dataWatches], ['child', core.tree.childWatches]] as const) {
        for (const [path, ws] of t.entriesByPath()) {
          for (const [w, mode] of ws) {
            const conn = w as ClientConnection;
            const kind = kindOf(table, mode);
            const key = `${path}|${conn.sessionId}|${kind}`;
            if (seen.has(key)) continue; // persistent watches sit in both tables
            seen.add(key);
            rows.push({ path, session_id: conn.sessionId ?? 0n, kind, client: `${conn.remoteAddress}:${conn.remotePort}` });
          }
        }
      }
      return { watches: rows };
    }
    case 'lab_apply_delay': {
      const rep = core.replicator;
      if (!rep.applyDelay) return { error: 'Only a member of an ensemble applies commits from a leader; this server is standalone.' };
      const raw = params.get('ms');
      if (raw === null) return { apply_delay_ms: rep.applyDelay() };
      const ms = Number(raw);
      if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) return { error: `ms must be a whole number of milliseconds from 0 to 60000, not "${raw}".` };
      return { apply_delay_ms: rep.applyDelay(ms) };
    }
    case 'lab_disk': {
      // ?stall_ms=N (0 ends the stall) and/or ?full=true|false; without them, the faults in force.
      const diskFaults = core.diskFaults;
      if (!diskFaults) return { error: 'This member keeps its data in memory (lab.storage=memory): it has no disk to fault.' };
      const stall = params.get('stall_ms');
      const full = params.get('full');
      if (stall !== null) {
        const ms = Number(stall);
        if (!Number.isInteger(ms) || ms < 0 || ms > 120_000) return { error: `stall_ms must be a whole number of milliseconds from 0 to 120000, not "${stall}".` };
        diskFaults.stallMs = ms;
      }
      if (full !== null) {
        if (full !== 'true' && full !== 'false') return { error: `full must be true or false, not "${full}".` };
        diskFaults.full = full === 'true';
      }
      return { stall_ms: diskFaults.stallMs, full: diskFaults.full, write_failure: core.writeFailure ?? null };
    }
    case 'lab_du':
      return duCommandOf(core).answer(params);
    case 'lab_events': {
      const since = Number(params.get('since') ?? 0);
      const events = core.events.since(Number.isFinite(since) ? since : 0).map((e) => toJson(e));
      return { last_seq: core.events.lastSeq, pid: process.pid, events };
    }
    default:
      return { error: `Unknown command: ${name}` };
  }
}

/** Plain values of an event as JSON (bigints stay exact). */
function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object') {
    const o: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = toJson(x);
    return o;
  }
  return String(v);
}

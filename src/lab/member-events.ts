// What the lab keeps of the events a member logged about itself. Elections, roles, syncs and
// session expiries are rare and kept one by one; a leader's `proposal` and `commit` come once per
// transaction (thousands a second under the Load panel), so each poll's run of them is kept as
// one event that counts them and names the first and last zxid. Nothing the lab reads per
// transaction is lost: the Wire view has every PROPOSAL and COMMIT, and nothing reads these rows
// one transaction at a time.
import type { MemberEvent } from './admin';

/** Member event types that come once per transaction. */
export const PER_TXN_TYPES: ReadonlySet<string> = new Set(['proposal', 'commit']);

/**
 * The events of one poll of one member, with each run of per-transaction events of one type (in a
 * row, nothing else between) folded into one: `{type, seq, time, count, firstZxid, lastZxid}` at
 * the time of its last one. A run of one stays as it was.
 */
export function foldPerTxn(events: MemberEvent[]): MemberEvent[] {
  const out: MemberEvent[] = [];
  let run: MemberEvent[] = [];
  const flush = (): void => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) {
      const first = run[0]!;
      const last = run[run.length - 1]!;
      out.push({ seq: last.seq, time: last.time, type: first.type, sid: first.sid, count: run.length, firstZxid: first.zxid, lastZxid: last.zxid });
    }
    run = [];
  };
  for (const e of events) {
    if (PER_TXN_TYPES.has(e.type) && (run.length === 0 || run[0]!.type === e.type)) {
      run.push(e);
      continue;
    }
    flush();
    if (PER_TXN_TYPES.has(e.type)) run.push(e);
    else out.push(e);
  }
  flush();
  return out;
}

/** One line for people about an event a member logged (its fields, in ZooKeeper's words). */
export function describeMemberEvent(myid: number, e: MemberEvent): string {
  const fields = Object.entries(e)
    .filter(([k]) => !['seq', 'time', 'type', 'myid', 'sid'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `node ${myid} ${e.type}${fields ? ` ${fields}` : ''}`;
}

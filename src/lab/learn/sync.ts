// The seed's data recovery (§12.3 数据恢复 2): a follower that connects to the leader is compared
// by its last zxid and either rolled back or brought level. On the Wire capture: DIFF when it is a
// little behind (the leader sends the missing txns), SNAP when it is far behind (further back than
// the leader's committed log and worth more than a third of a snapshot, so the whole tree goes),
// TRUNC when it has a txn the leader never committed (it cuts its log back first).
import { connect, type ZkClient } from '../../client';
import type { Fault, WireMessage } from '../../shared/contract';
import { serving, syncWhy, zxidText, type Walk } from './control';

/** Txns written while the follower is away for SNAP: more than the leader's committed log (500) holds. */
const FAR_BEHIND = 600;

export async function syncModes(w: Walk): Promise<void> {
  const v0 = await serving(w, true);
  const leader = v0.leader!;
  const follower = v0.nodes.find((n) => n.role === 'follower')!.myid;
  const path = '/seed-walkthrough/sync';
  let writer: ZkClient | null = null;
  let hold: Fault | null = null;
  /** What the leader sent `to` to sync it after `since`: the first DIFF, TRUNC or SNAP. */
  const syncSent = async (since: number, from: () => number | null, to: number): Promise<WireMessage | null> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const m = w.lab.wire({ afterSeq: 0, fromMs: since, toMs: null, types: ['DIFF', 'TRUNC', 'SNAP'], members: [to], zxid: null, limit: 100 }).messages.find((x) => x.to === to && x.from === from());
      if (m || Date.now() > deadline) return m ?? null;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const rejoin = async (myid: number): Promise<{ since: number; leader: number }> => {
    const since = Date.now();
    await w.lab.node(myid, 'start');
    const v = await w.until(`member ${myid} to serve`, (x) => x.serving && ['follower', 'observer'].includes(w.role(x, myid)), 90_000);
    return { since, leader: v.leader! };
  };
  const said = (m: WireMessage | null): string => (m ? `${m.type} ${m.zxid ? zxidText(m.zxid) : ''} from ${m.from} to ${m.to}` : 'no DIFF, TRUNC or SNAP seen');
  try {
    await w.step(`Open a session through the members other than follower ${follower}`, async () => {
      writer = await connect(v0.nodes.filter((n) => n.myid !== follower && n.myid !== leader).map((n) => w.lab.address(n.myid)).join(','), { sessionTimeout: 10_000 });
      await writer.create('/seed-walkthrough', null).catch(() => undefined);
      await writer.create(path, null).catch(() => undefined);
    }, () => `session 0x${BigInt.asUintN(64, writer!.sessionId).toString(16)}`);
    const diff = await w.step(`Stop follower ${follower}, write 5 txns, start it again: it is a little behind`, async () => {
      await w.lab.node(follower, 'stop');
      await w.until(`member ${follower} down`, (x) => w.role(x, follower) === 'down');
      for (let i = 0; i < 5; i++) await writer!.setData(path, Buffer.from(`little ${i}`));
      const r = await rejoin(follower);
      return syncSent(r.since - 100, () => r.leader, follower);
    }, said);
    w.keyNext();
    const snap = await w.step(`Stop follower ${follower}, write ${FAR_BEHIND} txns of 1 KB, start it again: it is far behind`, async () => {
      await w.lab.node(follower, 'stop');
      await w.until(`member ${follower} down`, (x) => w.role(x, follower) === 'down');
      const kb = Buffer.alloc(1024, 'z');
      for (let i = 0; i < FAR_BEHIND; i += 50) await Promise.all(Array.from({ length: 50 }, () => writer!.setData(path, kb)));
      const r = await rejoin(follower);
      return syncSent(r.since - 100, () => r.leader, follower);
    }, said);
    const lead = w.lab.view()!.leader!;
    const learners = w.lab.view()!.nodes.filter((n) => n.myid !== lead && !n.observer).map((n) => n.myid);
    hold = await w.step(`Hold every PROPOSAL leader ${lead} sends, and write once: only the leader logs it`, async () => {
      // Through the session on the other members (the leader gets it forwarded): a session on
      // the killed leader alone would expire before it returns on a busy machine, and its
      // closing would be the new leader's first txn, which turns the TRUNC into a SNAP.
      const f = await w.lab.fault({ kind: 'hold', type: 'PROPOSAL', from: lead, to: null });
      void writer!.setData(path, Buffer.from('only the old leader has this')).catch(() => undefined);
      const deadline = Date.now() + 10_000;
      while (w.lab.wire({ afterSeq: 0, fromMs: f.startedAt - 100, toMs: null, types: ['PROPOSAL'], members: [lead], zxid: null, limit: 100 }).messages.filter((m) => m.status === 'held' && m.fields.path === path).length < learners.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await w.lab.node(lead, 'kill');
      return f;
    }, (f) => `${f.id}: ${f.description}; leader ${lead} killed with the proposal in its log`);
    await w.lab.heal(hold.id);
    hold = null;
    const trunc = await w.step(`The others elect a new leader; start ${lead} again: it has a txn the new leader never committed`, async () => {
      await w.until('a new leader', (x) => x.serving && x.leader !== null && x.leader !== lead);
      const r = await rejoin(lead);
      return syncSent(r.since - 100, () => r.leader, lead);
    }, said);
    w.finish(
      "when a follower connects, the leader compares its last zxid with its own history and either brings it level (the missing txns, DIFF, or the whole tree, SNAP, when it is too far behind) or has it roll back (TRUNC) what it never committed",
      `a little behind: ${said(diff)}; far behind (${FAR_BEHIND} txns): ${said(snap)}; ahead with an uncommitted txn: ${said(trunc)}${trunc?.type === 'SNAP' ? ` (${syncWhy(trunc, lead)})` : ''}`,
      diff?.type === 'DIFF' && snap?.type === 'SNAP' && trunc?.type === 'TRUNC',
    );
  } finally {
    if (hold) await w.lab.heal(hold.id).catch(() => undefined);
    await (writer as ZkClient | null)?.close().catch(() => undefined);
  }
}

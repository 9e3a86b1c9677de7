// The seed's claims about what a client sees (§9, §12.1): the write flow with a lagging follower
// and sync, and a session that outlives its member.
import { connect, CreateMode, type ZkClient } from '../../client';
import type { Fault } from '../../shared/contract';
import { zxidText, type Walk } from './control';

/**
 * How late the slow follower of the write-flow walkthrough applies commits: the write's
 * acknowledgement and the stale read must both land inside it on a busy machine, and the sync
 * that waits it out must stay under the read timeout of a 10 s session (2/3 of it, 6.7 s).
 */
const SLOW_APPLY_MS = 4000;

/** The session timeout of the session-moves walkthrough's cut-off client (short, so that it expires soon). */
const CUT_TIMEOUT_MS = 4000;

export async function writeFlow(w: Walk): Promise<void> {
  const v0 = await w.until('a serving ensemble', (v) => v.serving && v.leader !== null, 30_000).catch(() => {
    throw new Error('The ensemble is not serving now: start its members (Cluster view) and run this again.');
  });
  const leader = v0.leader!;
  const slow = v0.nodes.find((n) => n.role === 'follower')!.myid;
  const path = '/seed-walkthrough/flow';
  let writer: ZkClient | null = null;
  let reader: ZkClient | null = null;
  try {
    await w.step(`Open one session through the leader (member ${leader}) and one through follower ${slow}; ${path} holds "before"`, async () => {
      writer = await connect(w.lab.address(leader), { sessionTimeout: 10_000 });
      reader = await connect(w.lab.address(slow), { sessionTimeout: 10_000 });
      await writer.create('/seed-walkthrough', null).catch(() => undefined);
      await writer.create(path, Buffer.from('before')).catch(() => writer!.setData(path, Buffer.from('before')));
      await reader.sync(path);
    }, () => `two sessions; ${path} = "before" on every member`);
    await w.step(`Make follower ${slow} slow: it logs and acknowledges every proposal at once but applies each commit ${SLOW_APPLY_MS / 1000} s late (a lab fault)`, () => w.lab.applyDelay(slow, SLOW_APPLY_MS), () => `member ${slow} applies commits ${SLOW_APPLY_MS} ms late`);
    const write = await w.step('Write "after" through the leader: it proposes the txn, a majority acknowledges, it commits and answers', async () => {
      const t0 = Date.now();
      const stat = await writer!.setData(path, Buffer.from('after'));
      return { stat, ms: Date.now() - t0 };
    }, (r) => `acknowledged in ${r.ms} ms as zxid ${zxidText(r.stat.mzxid.toString(16))}`);
    w.keyNext();
    const stale = await w.step(`Read ${path} through follower ${slow} at once`, async () => (await reader!.getData(path)).data?.toString() ?? '', (d) => `"${d}"${d === 'before' ? ': the follower has the txn but has not applied its commit yet' : ''}`);
    const fresh = await w.step(`sync through follower ${slow}, then read again: sync returns once the follower has applied what the leader had committed`, async () => {
      const t0 = Date.now();
      await reader!.sync(path);
      const waited = Date.now() - t0;
      const { data, stat } = await reader!.getData(path);
      return { data: data?.toString() ?? '', waited, zxid: stat.mzxid };
    }, (r) => `"${r.data}" (zxid ${zxidText(r.zxid.toString(16))}) after a sync that waited ${r.waited} ms`);
    await w.step(`Clear the fault on member ${slow}`, () => w.lab.applyDelay(slow, 0), () => 'applies commits at once again');
    w.finish(
      'every write goes through the leader and is committed once a majority has it; a read is answered by the member the client is connected to, which may be behind, and sync brings it up to date first',
      `the write was acknowledged at zxid ${zxidText(write.stat.mzxid.toString(16))}; follower ${slow} then read "${stale}", and after sync "${fresh.data}"`,
      stale === 'before' && fresh.data === 'after' && fresh.zxid === write.stat.mzxid,
    );
  } finally {
    await w.lab.applyDelay(slow, 0).catch(() => undefined);
    await (writer as ZkClient | null)?.close().catch(() => undefined);
    await (reader as ZkClient | null)?.close().catch(() => undefined);
  }
}

export async function sessionMoves(w: Walk): Promise<void> {
  const v0 = await w.until('a serving ensemble', (v) => v.serving && v.leader !== null, 30_000).catch(() => {
    throw new Error('The ensemble is not serving now: start its members (Cluster view) and run this again.');
  });
  const member = v0.nodes.find((n) => n.role === 'follower')!.myid;
  const others = v0.nodes.filter((n) => n.myid !== member && !n.observer).map((n) => n.myid);
  let zk: ZkClient | null = null;
  let watcher: ZkClient | null = null;
  let cut: ZkClient | null = null;
  let fault: Fault | null = null;
  try {
    const path = await w.step(`Open a session through member ${member} only, and create an ephemeral znode with it`, async () => {
      // Its connect string lists member first and then the others, in that order, so it moves when member dies.
      zk = await connect([member, ...others].map((i) => w.lab.address(i)).join(','), { sessionTimeout: 10_000, shuffleHosts: false });
      await zk.create('/seed-walkthrough', null).catch(() => undefined);
      return zk.create('/seed-walkthrough/ephemeral-', Buffer.from('lives as long as its session'), { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    }, (p) => `${p}, session 0x${BigInt.asUintN(64, zk!.sessionId).toString(16)}`);
    watcher = await connect(others.map((i) => w.lab.address(i)).join(','), { sessionTimeout: 10_000 });
    const session = zk!.sessionId;
    w.keyNext();
    await w.step(`Kill member ${member}: the client reconnects to another member within the session timeout and keeps its session`, async () => {
      await w.lab.node(member, 'kill');
      const deadline = Date.now() + 20_000;
      while (zk!.state !== 'connected' || zk!.sessionId !== session || (await zk!.exists(path).catch(() => null)) === null) {
        if (Date.now() > deadline) throw new Error(`The session did not come back through another member within 20 s (state ${zk!.state}).`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }, () => `same session 0x${BigInt.asUintN(64, session).toString(16)}, now through another member; ${path} still there`);
    const stat = await watcher.exists(path);
    await w.step('Close the session: its ephemeral znode goes with it', async () => {
      await zk!.close();
      zk = null;
      const deadline = Date.now() + 20_000;
      while ((await watcher!.exists(path)) !== null) {
        if (Date.now() > deadline) throw new Error(`${path} is still there 20 s after its session closed.`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }, () => `${path} is gone`);
    await w.step(`Start member ${member} again`, async () => {
      await w.lab.node(member, 'start');
      return w.until(`member ${member} to serve`, (v) => ['leader', 'follower'].includes(w.role(v, member)));
    }, (v) => w.roles(v, [member]));
    const lone = await w.step(`Open a session with a ${CUT_TIMEOUT_MS / 1000} s timeout through member ${member} alone (nowhere else to go), with an ephemeral znode`, async () => {
      cut = await connect(w.lab.address(member), { sessionTimeout: CUT_TIMEOUT_MS });
      const p = await cut.create('/seed-walkthrough/ephemeral-', Buffer.from('expires with its session'), { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
      return { path: p, session: cut.sessionId, timeout: cut.sessionTimeout };
    }, (r) => `${r.path}, session 0x${BigInt.asUintN(64, r.session).toString(16)}, timeout ${r.timeout} ms`);
    w.keyNext();
    const expired = await w.step(`Cut the lab's clients off member ${member} for longer than the timeout: the ensemble expires the session and deletes its ephemeral znode`, async () => {
      fault = await w.lab.fault({ kind: 'client-cut', myid: member });
      const t0 = Date.now();
      const deadline = t0 + 30_000;
      while ((await watcher!.exists(lone.path)) !== null) {
        if (Date.now() > deadline) throw new Error(`${lone.path} is still there 30 s after its client was cut off.`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return Date.now() - t0;
    }, (ms) => `${lone.path} gone ${ms} ms after the cut (the other session saw it go)`);
    const told = await w.step('Heal the cut: the client reconnects and is told its session expired (SESSIONEXPIRED)', async () => {
      await w.lab.heal(fault!.id);
      fault = null;
      const deadline = Date.now() + 30_000;
      while (cut!.state !== 'expired' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const err = await cut!.exists('/').then(() => null, (e: Error & { code?: number }) => e);
      return { state: cut!.state, error: err ? `${err.code ?? ''} ${err.message}`.trim() : 'no error' };
    }, (r) => `client state ${r.state}; a request then fails with ${r.error}`);
    w.finish(
      'a session belongs to the ensemble, not to one server: it survives its server if the client reconnects within the session timeout, and expires if it does not, taking its ephemeral znodes with it; an ephemeral znode lives exactly as long as its session',
      `the ephemeral znode (owner 0x${BigInt.asUintN(64, stat?.ephemeralOwner ?? 0n).toString(16)}) outlived member ${member} and went with its session; a session cut off for longer than its ${lone.timeout} ms timeout lost its ephemeral znode ${expired} ms after the cut, and its client, back, was told: state ${told.state}, ${told.error}`,
      stat !== null && stat.ephemeralOwner === session && told.state === 'expired' && /SESSIONEXPIRED|-112|expired/i.test(told.error),
    );
  } finally {
    if (fault) await w.lab.heal((fault as Fault).id).catch(() => undefined);
    await (zk as ZkClient | null)?.close().catch(() => undefined);
    await (cut as ZkClient | null)?.close().catch(() => undefined);
    await (watcher as ZkClient | null)?.close().catch(() => undefined);
  }
}

// The register workload against real members of ours, with a fault in the middle, checked by
// the consistency checker: what ZooKeeper promises holds (the zookeeper model on the whole
// history, and linearizability of the writes and cas alone), and the recorded history is one the
// checker can fail on (the same history with one read changed is a violation).
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../../src/shared/check/check';
import type { HistoryOp } from '../../src/shared/check/history';
import { runRegister } from '../../src/lab/check/register';
import { needs, OUR_BUILD } from '../support/needs';
import { start, startEnsemble, waitFor, type OurEnsemble } from '../support/ourzk';

// Our members take the lab's state-changing commands (lab_apply_delay) only as a POST with the lab's
// secret, which the lab passes them in their environment: these members inherit this one.
const SECRET = 'c4'.repeat(24);
process.env.ZK_LAB_ADMIN_SECRET = SECRET;

let ens: OurEnsemble | null = null;
afterEach(async () => {
  await ens?.stop();
  ens = null;
});

describe('register workload on our ensemble', needs(OUR_BUILD), () => {
  it('under a leader kill: ok under the zookeeper model, writes linearizable', async () => {
    ens = await startEnsemble(3, { tickTime: 200 });
    const e = ens;
    await e.leader(30_000);
    const members = e.members.map((m) => ({ myid: m.sid, address: `127.0.0.1:${m.clientPort}` }));
    let recorded = 0;
    let killedAt = Infinity;
    const run = runRegister({ members, clients: 6, keys: 2, durationMs: 8000, root: '/check-test', sessionTimeoutMs: 6000 });
    // The fault once the workload is under way: kill the leader, and start it again once the
    // others have elected a new one.
    const fault = (async () => {
      const leader = await e.leader(30_000);
      await waitFor(async () => (recorded = (await leaderZxid(e)) ?? 0) > 50, 30_000, 'the workload to write');
      await leader.kill();
      killedAt = performance.now();
      await waitFor(async () => (await Promise.all(e.members.filter((m) => m !== leader).map((m) => m.mode()))).includes('leader'), 30_000, 'a new leader');
      await leader.restart();
    })();
    const [{ history }] = await Promise.all([run, fault]);
    expect(recorded).toBeGreaterThan(50);
    // The kill fell inside the run: its clients on the old leader lost it, and writes went on after.
    expect(history.some((o) => o.result === 'unknown')).toBe(true);
    expect(history.filter((o) => o.invoke > killedAt && o.result === 'ok' && o.f !== 'read').length).toBeGreaterThan(10);
    expect(history.filter((o) => o.result === 'ok' && o.f !== 'read').length).toBeGreaterThan(50);
    const zk = check(history, { model: 'zookeeper', timeLimitMs: 30_000 });
    expect(zk.verdict, JSON.stringify(zk.counterexample)).toBe('ok');
    const writes = check(history.filter((o) => o.f !== 'read'), { model: 'linearizable', timeLimitMs: 30_000 });
    expect(writes.verdict, JSON.stringify(writes.counterexample)).toBe('ok');
    // The same history with one acknowledged write's value read as never written: the checker fails it.
    const r = history.findIndex((o) => o.f === 'read' && o.result === 'ok' && o.version! > 0);
    const broken = history.map((o, i) => (i === r ? { ...o, value: 'never-written' } : o));
    expect(check(broken, { model: 'zookeeper' }).verdict).toBe('violation');
  });
});

describe('register workload through a slow follower', needs(OUR_BUILD), () => {
  it('its stale reads are not linearizable, and allowed by the zookeeper model', async () => {
    ens = await startEnsemble(3, { tickTime: 200 });
    const leader = await ens.leader(30_000);
    await ens.converged();
    const slow = ens.members.find((m) => m !== leader)!;
    // Clients 0 and 2 start at the leader, 1 and 3 at the follower that applies commits late.
    const members = [leader, slow].map((m) => ({ myid: m.sid, address: `127.0.0.1:${m.clientPort}` }));
    const setDelay = async (ms: number): Promise<void> => {
      const r = (await (await fetch(`http://127.0.0.1:${slow.adminPort}/commands/lab_apply_delay?ms=${ms}`, { method: 'POST', headers: { 'x-zk-lab-secret': SECRET } })).json()) as { apply_delay_ms: number };
      expect(r.apply_delay_ms).toBe(ms);
    };
    const { history } = await runRegister({ members, clients: 4, keys: 1, durationMs: 4000, reads: 0.8, writes: 0.2, root: '/check-slow', sessionTimeoutMs: 10_000, onConnected: () => setDelay(1000) });
    await setDelay(0);
    const viaSlow = history.filter((o) => o.member === slow.sid && o.f === 'read' && o.result === 'ok');
    expect(viaSlow.length).toBeGreaterThan(10);
    // The fault acted: some read through the slow member missed writes acknowledged half a second
    // before it began (one key: its version is the count of writes applied). Reads through any
    // follower may lag a few ms without the fault, which ZooKeeper allows; never half a second.
    // (Counted in time, not in writes: a busy machine makes fewer writes in the fault's second.)
    const missed = (r: (typeof history)[number]): number => history.filter((w) => w.f !== 'read' && w.result === 'ok' && w.complete! < r.invoke - 500).length - r.version!;
    expect(Math.max(...viaSlow.map(missed))).toBeGreaterThan(0);
    const lin = check(history, { model: 'linearizable', timeLimitMs: 30_000 });
    expect(lin.verdict).toBe('violation');
    // What no order explains is a read through the slow member that saw an older version.
    const c = history[lin.counterexample!.culprit]!;
    expect({ f: c.f, member: c.member }).toEqual({ f: 'read', member: slow.sid });
    expect(Math.min(...lin.counterexample!.could.map((s) => s.version))).toBeGreaterThan(c.version!);
    const zk = check(history, { model: 'zookeeper', timeLimitMs: 30_000 });
    expect(zk.verdict, JSON.stringify(zk.counterexample)).toBe('ok');
  });
});

describe('register workload with syncs through a slow follower', needs(OUR_BUILD), () => {
  it('a read after sync is current: ok under the zookeeper model, whose sync rule the checker applies', async () => {
    ens = await startEnsemble(3, { tickTime: 200 });
    const leader = await ens.leader(30_000);
    await ens.converged();
    const slow = ens.members.find((m) => m !== leader)!;
    const members = [leader, slow].map((m) => ({ myid: m.sid, address: `127.0.0.1:${m.clientPort}` }));
    const delay = (ms: number): Promise<Response> => fetch(`http://127.0.0.1:${slow.adminPort}/commands/lab_apply_delay?ms=${ms}`, { method: 'POST', headers: { 'x-zk-lab-secret': SECRET } });
    const { history } = await runRegister({ members, clients: 6, keys: 1, durationMs: 4000, reads: 0.6, writes: 0.1, syncs: 0.3, root: '/check-sync', sessionTimeoutMs: 10_000, onConnected: async () => void (await delay(1000)) });
    await delay(0);
    // Through the slow member: each ok sync, and the read its client made next.
    const pairs = history.flatMap((s, i) => {
      if (s.f !== 'sync' || s.result !== 'ok' || s.member !== slow.sid) return [];
      const r = history.slice(i + 1).find((o) => o.process === s.process);
      return r && r.f === 'read' && r.result === 'ok' ? [{ s, r }] : [];
    });
    expect(pairs.length).toBeGreaterThan(2);
    // Each such read saw every write acknowledged before its sync began (one key: its version counts them).
    for (const { s, r } of pairs) expect(r.version).toBeGreaterThanOrEqual(history.filter((w) => w.f !== 'read' && w.f !== 'sync' && w.result === 'ok' && w.complete! < s.invoke).length);
    const zk = check(history, { model: 'zookeeper', timeLimitMs: 30_000 });
    expect(zk.verdict, JSON.stringify(zk.counterexample)).toBe('ok');
    // The same history with one such read made stale (as old as its session's previous read, so
    // that it does not go back): allowed before a sync, a violation of the zookeeper model after one.
    const acked = (t: number): number => history.filter((w) => w.f !== 'read' && w.f !== 'sync' && w.result === 'ok' && w.complete! < t).length;
    const before = (r: HistoryOp): HistoryOp | undefined => history.filter((o) => o.process === r.process && o.f === 'read' && o.result === 'ok' && o.invoke < r.invoke).at(-1);
    const { s, r } = pairs.find((p) => (before(p.r)?.version ?? 0) < acked(p.s.invoke))!;
    const prev = before(r);
    const stale = history.map((o) => (o === r ? { ...o, value: prev?.value ?? '', version: prev?.version ?? 0 } : o));
    const bad = check(stale, { model: 'zookeeper', timeLimitMs: 30_000 });
    expect(bad.verdict).toBe('violation');
    expect(bad.counterexample!.ops.map((o) => o.index)).toContain(history.indexOf(s));
  });
});

describe('register workload at a rate', needs(OUR_BUILD), () => {
  it('paces its clients to the rate asked (never more operations than the rate allows), and without one runs unpaced', async () => {
    const zk = await start();
    try {
      const members = [{ myid: 1, address: zk.connectString }];
      // 40 operations a second for 1.5 s, 4 clients: at most 60, plus one each in flight at the end.
      const paced = await runRegister({ members, clients: 4, keys: 1, durationMs: 1500, rate: 40, root: '/check-rate' });
      expect(paced.history.length).toBeGreaterThan(0);
      expect(paced.history.length).toBeLessThanOrEqual(60 + 4);
      // Each client kept to its share: 15 calls in 1.5 s at most (one every 100 ms).
      for (const p of [0, 1, 2, 3]) expect(paced.history.filter((o) => o.process === p).length).toBeLessThanOrEqual(16);
      const free = await runRegister({ members, clients: 4, keys: 1, durationMs: 1500, root: '/check-unpaced' });
      expect(free.history.length).toBeGreaterThan(64);
    } finally {
      await zk.stop();
    }
  });
});

/** The leader's last zxid's counter (how many writes this epoch), or null without a leader. */
async function leaderZxid(e: OurEnsemble): Promise<number | null> {
  for (const m of e.members) {
    const s = await m.srvr();
    if (s.mode === 'leader' && s.zxid !== null) return Number(s.zxid & 0xffffffffn);
  }
  return null;
}

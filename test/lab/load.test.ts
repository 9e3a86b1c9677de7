// The Load panel's generator (src/lab/load.ts) against a real 3-member ensemble of ours: it
// reports every second with operations and latencies per member, counts the operations a dead
// leader takes with it by their ZooKeeper error code, carries on once a new leader serves,
// follows a change of mix, removes its znodes when stopped (and those of a run the lab could
// not clean up), and refuses bad settings with a sentence, having started nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ZkClient } from '../../src/client';
import { LOAD_ROOT, LoadGenerator, type LoadMember } from '../../src/lab/load';
import type { LoadSample } from '../../src/shared/contract';
import { check } from '../../src/shared/check/check';
import { formatHistory, parseHistory } from '../../src/shared/check/history';
import { fourLetter, startEnsemble, waitFor, type OurEnsemble } from '../support/ourzk';

let ens: OurEnsemble;
let members: LoadMember[];
let checker: ZkClient;

/**
 * What the lab's runs wrote, as the checker's member sees it once it caught up: the checker may be
 * on another member than the sessions that wrote (or removed) it, and ZooKeeper lets that member
 * lag until a sync (a fresh run read /s1 as absent right after it was created).
 */
async function seen(path: string): Promise<Awaited<ReturnType<ZkClient['exists']>>> {
  await checker.sync('/');
  return checker.exists(path);
}
const running: LoadGenerator[] = [];

beforeAll(async () => {
  ens = await startEnsemble(3);
  await ens.leader(60_000);
  members = ens.members.map((m) => ({ myid: m.myid, address: m.connectString }));
  checker = await connect(ens.connectString, { timeoutMs: 30_000 });
});

afterAll(async () => {
  for (const g of running) if (g.running) await g.stop().catch(() => undefined);
  await checker?.close();
  await ens?.stop();
});

/** Client connections every running member has open, from mntr. */
async function connections(): Promise<number> {
  let n = 0;
  for (const m of ens.members.filter((x) => x.running)) {
    const out = await fourLetter('127.0.0.1', m.clientPort, 'mntr');
    n += Number(/zk_num_alive_connections\s+(\d+)/.exec(out)?.[1] ?? 'NaN');
  }
  return n;
}

/** Waits until one of the samples that arrive from now on satisfies `pred`; returns it. */
function nextSample(samples: LoadSample[], pred: (s: LoadSample) => boolean, timeoutMs: number, what: string): Promise<LoadSample> {
  const from = samples.length;
  let found: LoadSample | undefined;
  return waitFor(
    () => {
      found = samples.slice(from).find(pred);
      return found !== undefined;
    },
    timeoutMs,
    `${what}; samples since: ${JSON.stringify(samples.slice(from).map((s) => [s.ops, s.errors, s.p99, s.waiting]))}`,
  ).then(() => found!);
}

const errorCount = (s: LoadSample): number => Object.values(s.errors).reduce((a, b) => a + b, 0);

describe('the Load generator on 3 members of ours', () => {
  it('refuses bad settings with a sentence and starts nothing', async () => {
    const before = await connections();
    const bad: [unknown, RegExp][] = [
      [{ sessions: 0 }, /sessions must be 1 to 32/],
      [{ sessions: 33 }, /sessions must be 1 to 32/],
      [{ sessions: 2.5 }, /sessions must be a whole number/],
      [{ rate: 0 }, /rate must be 1 to 5000 ops\/s/],
      [{ rate: 5001 }, /rate must be 1 to 5000 ops\/s/],
      [{ readPercent: 101 }, /reads must be 0 to 100 %/],
      [{ payloadBytes: -1 }, /payload must be 0 to 65536 bytes/],
      [{ payloadBytes: 70_000 }, /payload must be 0 to 65536 bytes/],
      [{ sessions: 'four' }, /sessions: /],
    ];
    for (const [settings, message] of bad) {
      await expect(LoadGenerator.start(members, settings)).rejects.toThrow(message);
      await expect(LoadGenerator.start(members, settings)).rejects.toThrow(/^Load settings refused \(nothing was changed\)/);
    }
    await expect(LoadGenerator.start([], {})).rejects.toThrow(/no member to send load to/);
    // Nothing connected, nothing created.
    expect(await connections()).toBe(before);
    expect(await seen(LOAD_ROOT)).toBeNull();
  });

  it('reports every second, counts what a dead leader takes with it, recovers, and cleans up', { timeout: 180_000 }, async () => {
    const samples: LoadSample[] = [];
    const gen = await LoadGenerator.start(members, { sessions: 4, rate: 200, readPercent: 80, payloadBytes: 128 }, { onSample: (s) => samples.push(s) });
    running.push(gen);
    expect(gen.settings).toEqual({ sessions: 4, rate: 200, readPercent: 80, payloadBytes: 128 });

    // Spread round-robin: sessions 0..3 are given members 1, 2, 3, 1 first, and are on them.
    const sessions = gen.sessionsView();
    expect(sessions.map((s) => s.home)).toEqual([1, 2, 3, 1]);
    expect(sessions.map((s) => s.myid)).toEqual([1, 2, 3, 1]);
    expect(sessions.every((s) => s.state === 'connected' && /^0x[0-9a-f]+$/.test(s.sessionId ?? ''))).toBe(true);
    expect((await checker.getChildren(gen.path)).sort()).toEqual(['owner', 's0', 's1', 's2', 's3']);

    // Seconds with operations, latencies and every member's share.
    // (A second of at least 50 operations: one in which only a few completed, as a loaded machine
    // can make the first, may hold no write of the one-in-five.)
    const busy = await nextSample(samples, (s) => s.ops >= 50 && s.members.every((m) => m.ops > 0), 30_000, 'a second of 50 operations or more in which every member served');
    expect(busy.reads + busy.writes).toBe(busy.ops);
    expect(busy.writes).toBeGreaterThan(0);
    expect(busy.reads).toBeGreaterThan(busy.writes);
    expect(busy.p50).not.toBeNull();
    expect(busy.p99!).toBeGreaterThanOrEqual(busy.p50!);
    expect(busy.max!).toBeGreaterThanOrEqual(busy.p99!);
    expect(busy.members.map((m) => m.myid)).toEqual([1, 2, 3]);
    expect(busy.members.map((m) => m.sessions)).toEqual([2, 1, 1]);
    expect(busy.members.reduce((a, m) => a + m.ops, 0)).toBe(busy.ops);
    expect(await seen(`${gen.path}/s0`)).not.toBeNull();

    // The leader hangs, then dies. A plain SIGKILL loses only what is in flight at that instant,
    // which at a light load may be nothing; a paused leader holds its sessions' operations (and
    // the writes its followers forward) in flight, so the kill that follows fails them for sure.
    const leader = await ens.leader();
    process.kill(leader.pid, 'SIGSTOP');
    await nextSample(samples, (s) => s.waiting > 0 && s.oldestWaitingMs !== null && s.oldestWaitingMs > 100, 30_000, 'operations held by the paused leader');
    await leader.kill();
    const failed = await nextSample(samples, (s) => errorCount(s) > 0, 60_000, 'failed operations after the leader died');
    expect(Object.keys(failed.errors).every((code) => /^[A-Z][A-Za-z]+$/.test(code))).toBe(true);
    expect(gen.totals().errors.ConnectionLoss ?? 0).toBeGreaterThan(0);

    // A new leader serves and the load goes on: whole seconds without an error, on the two left.
    const next = await ens.leader(60_000);
    expect(next.myid).not.toBe(leader.myid);
    const recovered = await nextSample(samples, (s) => s.ops >= 100 && errorCount(s) === 0 && s.waiting < 50, 90_000, 'a second of load without errors after the election');
    expect(recovered.members.find((m) => m.myid === leader.myid)!.ops).toBe(0);
    await waitFor(() => gen.sessionsView().every((s) => s.myid !== null && s.myid !== leader.myid), 30_000, 'every session on a live member');

    // A new mix from the next operation on: reads only.
    gen.update({ sessions: 4, rate: 200, readPercent: 100, payloadBytes: 128 });
    await nextSample(samples, (s) => s.reads > 0 && s.writes === 0, 30_000, 'a second of reads only');
    expect(() => gen.update({ sessions: 5, rate: 200, readPercent: 100, payloadBytes: 128 })).toThrow(/keeps its 4 sessions/);
    expect(() => gen.update({ sessions: 4, rate: 9000, readPercent: 100, payloadBytes: 128 })).toThrow(/rate must be 1 to 5000/);
    expect(gen.settings.rate).toBe(200);

    const result = await gen.stop();
    expect(result.ops).toBe(gen.totals().ops);
    expect(result.ops).toBeGreaterThan(0);
    expect(result.errors.ConnectionLoss).toBeGreaterThan(0);
    expect(result.p99!).toBeGreaterThanOrEqual(result.p50!);
    expect(result.members.find((m) => m.myid === leader.myid)!.ops).toBeGreaterThan(0);
    expect(result.cleanup).toBe(`removed ${gen.path} and its 5 znodes`);
    expect(await seen(gen.path)).toBeNull();
    expect(await seen(LOAD_ROOT)).toBeNull();
    expect(gen.running).toBe(false);
    await waitFor(() => gen.sessionsView().every((s) => s.state === 'closed'), 10_000, 'the sessions to close');

    // What the sessions saw is a history in the documented format: every operation, each
    // session's znode a register, the failed ones of unknown result; ZooKeeper kept its promises.
    const ops = parseHistory(formatHistory(gen.recorded()));
    expect(ops.filter((o) => o.result === 'ok').length).toBe(result.ops);
    expect(ops.filter((o) => o.result === 'unknown').length).toBeGreaterThan(0);
    expect(new Set(ops.map((o) => o.key))).toEqual(new Set([0, 1, 2, 3].map((i) => `${gen.path}/s${i}`)));
    expect(ops.some((o) => o.f === 'read' && o.result === 'ok' && o.version! > 0 && o.value !== '')).toBe(true);
    const v = check(ops, { model: 'zookeeper', timeLimitMs: 30_000 });
    expect(v.verdict, JSON.stringify(v.counterexample ?? v.undecided)).toBe('ok');
    // One read changed to a value never written: the checker fails it.
    const r = ops.findIndex((o) => o.f === 'read' && o.result === 'ok' && o.version! > 0);
    expect(check(ops.map((o, i) => (i === r ? { ...o, value: 'never-written' } : o)), { model: 'zookeeper' }).verdict).toBe('violation');
    // Bring the old leader back for the next test.
    await leader.launch();
    await waitFor(async () => (await leader.mode()) === 'follower', 60_000, 'the old leader to follow');
  });

  it('removes the znodes of a run that ended without cleaning up when the next one starts', { timeout: 60_000 }, async () => {
    const first = await LoadGenerator.start(members, { sessions: 2, rate: 50 });
    running.push(first);
    const aborted = first.abort('the test ended it');
    expect(aborted.cleanup).toMatch(new RegExp(`^left ${first.path}: the test ended it`));
    expect(await seen(`${first.path}/s1`)).not.toBeNull();
    // Its owner (an ephemeral of its first session) goes with the session.
    await waitFor(async () => (await seen(`${first.path}/owner`)) === null, 30_000, "the aborted run's owner to go");

    const second = await LoadGenerator.start(members, { sessions: 1, rate: 50 });
    running.push(second);
    expect(await seen(first.path)).toBeNull();
    expect(await checker.sync('/').then(() => checker.getChildren(LOAD_ROOT))).toEqual([second.path.slice(LOAD_ROOT.length + 1)]);
    expect((await second.stop()).cleanup).toMatch(/^removed /);
    expect(await seen(LOAD_ROOT)).toBeNull();
  });
});

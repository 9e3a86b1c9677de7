// The lock playground's run engine against a real 3-member ensemble of ours: 10 clients with
// each strategy keep mutual exclusion (the lab's interval stamps and the server-side "lowest
// child" check), the naive lock's herd costs clearly more watch notifications per acquisition
// than the seed's predecessor watch, and expiring the holder's session hands the lock to a
// waiter without overlap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, CreateMode, LockStats, type LockStatsSnapshot, type PlaygroundLock, type ZkClient } from '../../src/client';
import { LockRun, type LockMember } from '../../src/lab/locks/run';
import { check } from '../../src/shared/check/check';
import { formatHistory, parseHistory } from '../../src/shared/check/history';
import type { LockRunView, LockSettings } from '../../src/shared/contract';
import { startEnsemble, waitFor, type OurEnsemble } from '../support/ourzk';

let ens: OurEnsemble;
let members: LockMember[];

beforeAll(async () => {
  ens = await startEnsemble(3);
  await ens.leader(60_000);
  members = ens.members.map((m) => ({ myid: m.sid, host: '127.0.0.1', port: m.clientPort }));
}, 120_000);

afterAll(async () => {
  await ens?.stop();
});

const settings = (over: Partial<LockSettings>): LockSettings => ({
  clients: 10,
  strategy: 'seed',
  holdMs: 15,
  thinkMs: 0,
  durationMs: null,
  acquisitions: 60,
  lockPath: '/playground/lock',
  ...over,
});

/** Runs to its end and returns the final view (and the run). */
async function runToEnd(s: LockSettings, id: number): Promise<LockRunView & { run: LockRun }> {
  const run = new LockRun(id, s, members);
  try {
    await run.begin();
    await run.finished;
  } finally {
    await run.end('test over');
  }
  return { ...run.view(), run };
}

/** The run's recorded history, through its file format, checked as a mutex. */
function mutexVerdict(run: LockRun): { verdict: string; ops: number; acquires: number; explanation?: string } {
  const ops = parseHistory(formatHistory(run.history().ops));
  const v = check(ops, { model: 'zookeeper', timeLimitMs: 30_000 });
  return { verdict: v.verdict, ops: ops.length, acquires: ops.filter((o) => o.f === 'acquire' && o.result === 'ok').length, explanation: v.counterexample?.explanation };
}

describe('lock playground runs on 3 members', () => {
  const results: Record<string, LockRunView> = {};

  it.each(['seed', 'naive', 'mutex'] as const)('10 clients with the %s lock keep mutual exclusion', { timeout: 120_000 }, async (strategy) => {
    const v = await runToEnd(settings({ strategy, lockPath: `/playground/${strategy}` }), 1);
    results[strategy] = v;
    expect(v.phase).toBe('done');
    expect(v.stopReason).toBe('reached 60 acquisitions');
    expect(v.violations).toEqual([]);
    expect(v.counters.acquisitions).toBeGreaterThanOrEqual(60);
    // Every acquisition was also checked on the server while it was held (one whose connection
    // dropped under a loaded machine is not held any more, so its check does not count).
    const lost = v.log.filter((l) => / lost the lock: /.test(l.text)).length;
    expect(v.counters.serverChecks).toBeGreaterThanOrEqual(v.counters.acquisitions - lost);
    expect(v.counters.serverChecks).toBeLessThanOrEqual(v.counters.acquisitions);
    expect(new Set(v.clients.map((c) => c.sessionId)).size).toBe(10);
    // The sequence queue is fair: every client took the lock. The naive lock promises no order (a client may starve).
    if (strategy !== 'naive') expect(v.clients.every((c) => c.acquisitions >= 1)).toBe(true);
    if (process.env.LOCKS_VERBOSE) console.log(strategy, JSON.stringify(v.counters), v.clients.map((c) => `${c.id}@${c.member}:${c.acquisitions}`).join(' '));
    expect(v.clients.every((c) => c.state === 'stopped')).toBe(true);
    expect(v.counters.waitP50Ms).not.toBeNull();
    expect(v.counters.waitP99Ms!).toBeGreaterThanOrEqual(v.counters.waitP50Ms!);
    // Nothing is left in the queue once every session is closed.
    expect(v.children).toEqual([]);
    expect(v.holders).toEqual([]);
    // Its history (an acquire and a release per acquisition) is a mutex's.
    const h = mutexVerdict(v.run);
    expect(h.acquires).toBe(v.counters.acquisitions);
    expect(h.ops).toBeGreaterThanOrEqual(2 * v.counters.acquisitions);
    expect(h.verdict, h.explanation).toBe('ok');
  });

  it('the naive lock wakes the herd: far more notifications per acquisition than the seed lock', () => {
    const seed = results.seed!.counters.notificationsPerAcquisition!;
    const naive = results.naive!.counters.notificationsPerAcquisition!;
    const mutex = results.mutex!.counters.notificationsPerAcquisition!;
    // Each seed/mutex waiter watches only its predecessor: about one notification per acquisition.
    expect(seed).toBeLessThanOrEqual(1.5);
    expect(mutex).toBeLessThanOrEqual(1.5);
    // Each naive release wakes every waiter (up to 9 of 10 clients).
    expect(naive).toBeGreaterThan(2 * seed);
    expect(naive).toBeGreaterThan(3);
  });

  it('shows the queue live: sequence nodes in order, one holder, each waiter watching its predecessor', { timeout: 60_000 }, async () => {
    const run = new LockRun(2, settings({ holdMs: 200, acquisitions: null, durationMs: 60_000, lockPath: '/playground/queue' }), members);
    try {
      await run.begin();
      let seen: LockRunView | null = null;
      await waitFor(
        () => {
          const v = run.view();
          const waiting = v.clients.filter((c) => c.state === 'waiting' && c.watching !== null);
          // Every child owned: the queue can be read between a create and its reply reaching the client.
          if (v.holders.length === 1 && waiting.length >= 5 && v.children.length >= 6 && v.children.every((c) => c.client !== null)) seen = v;
          return seen !== null;
        },
        30_000,
        'a holder, at least 5 watching waiters, and every child owned by a client of the run',
      );
      const v = seen!;
      const names = v.children.map((c) => c.name);
      expect(names).toEqual([...names].sort((a, b) => a.slice(-10).localeCompare(b.slice(-10))));
      for (const c of v.clients.filter((x) => x.state === 'waiting' && x.watching !== null && x.node !== null)) {
        const mine = names.indexOf(c.node!);
        const watched = names.indexOf(c.watching!);
        // The child it watches is ahead of it in the queue (its predecessor when the read was taken).
        if (mine >= 0 && watched >= 0) expect(watched).toBeLessThan(mine);
      }
      // Each child of the lock path is owned by a client of the run.
      expect(v.children.every((c) => c.client !== null)).toBe(true);
    } finally {
      await run.end('test over');
    }
  });

  it("expiring the holder's session hands the lock to a waiter without overlap", { timeout: 120_000 }, async () => {
    // Each holds the lock for a minute (ending the run cuts a hold short): the holder the test
    // reads is still holding when its session expires. With a 2 s hold it could release first on
    // a loaded machine, and the test would expire a client that held nothing.
    const run = new LockRun(3, settings({ holdMs: 60_000, acquisitions: null, durationMs: 120_000, lockPath: '/playground/expire' }), members);
    try {
      await run.begin();
      await waitFor(() => run.view().holders.length === 1, 30_000, 'a holder');
      const holder = run.view().holders[0]!;
      const holderSession = run.view().clients.find((c) => c.id === holder)!.sessionId;
      const acquisitionsBefore = run.view().counters.acquisitions;
      await run.expire(holder);
      // Another client holds the lock next, and the old holder's session is gone from the server.
      await waitFor(() => run.view().holders.length === 1 && run.view().holders[0] !== holder, 30_000, 'a new holder');
      const v = run.view();
      expect(v.counters.acquisitions).toBe(acquisitionsBefore + 1);
      expect(v.clients.find((c) => c.id === holder)!.expirations).toBe(1);
      expect(v.log.some((l) => l.text.includes(`client ${holder} lost the lock`))).toBe(true);
      expect(v.log.some((l) => new RegExp(`client \\d+ took the lock [\\d]+ ms after client ${holder} lost it`).test(l.text))).toBe(true);
      expect(v.faults).toMatchObject([{ kind: 'expire', client: holder }]);
      // The expired client comes back with a new session and queues again.
      await waitFor(() => {
        const c = run.view().clients.find((x) => x.id === holder)!;
        return c.sessionId !== holderSession && (c.state === 'waiting' || c.state === 'holding' || c.state === 'thinking');
      }, 30_000, 'the expired client to come back with a new session');
      const probe = await connect(ens.connectString);
      try {
        // The probe's member may be behind the ones the lock clients wrote through: sync first.
        await probe.sync('/');
        const owners = await Promise.all(
          (await probe.getChildren('/playground/expire')).map(async (n) => (await probe.exists(`/playground/expire/${n}`))?.ephemeralOwner),
        );
        expect(owners.map((o) => `0x${BigInt.asUintN(64, o ?? 0n).toString(16)}`)).not.toContain(holderSession);
      } finally {
        await probe.close();
      }
      await run.end('test over');
      expect(run.view().violations).toEqual([]);
      // The expired holder's release is of unknown result (its node went with its session): still a mutex's history.
      const h = mutexVerdict(run);
      expect(h.verdict, h.explanation).toBe('ok');
    } finally {
      await run.end('test over');
    }
  });

  it('expiring a waiter puts it back at the end of the queue with a new session', { timeout: 120_000 }, async () => {
    const run = new LockRun(4, settings({ clients: 4, holdMs: 300, acquisitions: null, durationMs: 120_000, lockPath: '/playground/expire-waiter' }), members);
    try {
      await run.begin();
      await waitFor(() => run.view().clients.some((c) => c.state === 'waiting' && c.node !== null), 30_000, 'a waiter');
      const waiter = run.view().clients.find((c) => c.state === 'waiting' && c.node !== null)!;
      await run.expire(waiter.id);
      await waitFor(() => {
        const c = run.view().clients.find((x) => x.id === waiter.id)!;
        return c.expirations === 1 && c.sessionId !== waiter.sessionId && c.node !== null && c.node !== waiter.node;
      }, 30_000, 'the waiter to queue again with a new session and node');
      await waitFor(() => run.view().clients.find((x) => x.id === waiter.id)!.acquisitions > waiter.acquisitions, 30_000, 'the waiter to get the lock again');
      await run.end('test over');
      expect(run.view().violations).toEqual([]);
    } finally {
      await run.end('test over');
    }
  });
});

/** A "lock" that takes a sequence node and never waits: what the checks must catch. */
class NoWaitLock implements PlaygroundLock {
  private path: string | null = null;
  private n = 0;
  constructor(
    private readonly client: ZkClient,
    private readonly root: string,
  ) {}
  async acquire(): Promise<boolean> {
    this.path = await this.client.create(`${this.root}/seq-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    this.n++;
    return true;
  }
  async release(): Promise<void> {
    const p = this.path;
    this.path = null;
    if (p) await this.client.delete(p);
  }
  stats(): LockStatsSnapshot {
    return { ...LockStats.empty(), acquisitions: this.n };
  }
  ownNode(): string | null {
    return this.path;
  }
  watching(): string | null {
    return null;
  }
}

describe('lock playground checks', () => {
  it('catch a lock that does not exclude: overlaps with both clients, and holders whose node is not the lowest', { timeout: 60_000 }, async () => {
    const s = settings({ clients: 5, holdMs: 100, acquisitions: 20, lockPath: '/playground/broken' });
    const run = new LockRun(9, s, members, { makeLock: (client) => new NoWaitLock(client, s.lockPath) });
    try {
      await run.begin();
      await run.finished;
    } finally {
      await run.end('test over');
    }
    const v = run.view();
    const overlaps = v.violations.filter((x) => x.kind === 'overlap');
    const notLowest = v.violations.filter((x) => x.kind === 'not-lowest');
    expect(overlaps.length).toBeGreaterThan(0);
    expect(overlaps[0]!.clients).toHaveLength(2);
    expect(overlaps[0]!.detail).toMatch(/^client \d+ \(session 0x[0-9a-f]+, seq-\d{10}\) acquired the lock at \d\d:\d\d:\d\d\.\d{3} while client \d+ \(session 0x[0-9a-f]+, seq-\d{10}\) held it since/);
    expect(notLowest.length).toBeGreaterThan(0);
    expect(notLowest[0]!.detail).toMatch(/but the lowest child of \/playground\/broken is seq-\d{10}/);
    expect(v.log.some((l) => l.text.startsWith('MUTUAL EXCLUSION VIOLATED'))).toBe(true);
    // The recorded history is no mutex's either: the checker names an acquire while another held.
    const h = mutexVerdict(run);
    expect(h.verdict).toBe('violation');
    expect(h.explanation).toMatch(/process \d+'s acquire on \/playground\/broken .* held by process \d+/);
  });
});

describe('lock playground at the limits', () => {
  it('stopping while the sessions open is a stop: nothing is left open or queued', { timeout: 60_000 }, async () => {
    const run = new LockRun(12, settings({ clients: 20, acquisitions: null, durationMs: 60_000, lockPath: '/playground/early-stop' }), members);
    const begun = run.begin();
    await run.end('stopped at once');
    await begun;
    const v = run.view();
    expect(v.phase).toBe('done');
    expect(v.stopReason).toBe('stopped at once');
    expect(v.error).toBeNull();
    expect(v.clients.every((c) => c.state === 'stopped')).toBe(true);
    const probe = await connect(ens.connectString);
    try {
      await probe.sync('/'); // as above: its member may be behind the clients' deletes
      const left = await probe.getChildren('/playground/early-stop').catch(() => []);
      expect(left).toEqual([]);
    } finally {
      await probe.close();
    }
  });

  it('50 clients with the seed lock: every session opens, mutual exclusion holds', { timeout: 120_000 }, async () => {
    const v = await runToEnd(settings({ clients: 50, holdMs: 2, acquisitions: 150, lockPath: '/playground/fifty' }), 10);
    expect(v.phase).toBe('done');
    expect(new Set(v.clients.map((c) => c.sessionId)).size).toBe(50);
    // Spread over the members: every one of the 3 served some of the sessions.
    expect(new Set(v.clients.map((c) => c.member)).size).toBe(3);
    expect(v.violations).toEqual([]);
    expect(v.counters.acquisitions).toBeGreaterThanOrEqual(150);
    expect(v.counters.notificationsPerAcquisition!).toBeLessThanOrEqual(1.5);
  });

  it("killing a client's member moves its session to another member without losing mutual exclusion", { timeout: 120_000 }, async () => {
    const run = new LockRun(11, settings({ clients: 6, holdMs: 300, acquisitions: null, durationMs: 120_000, lockPath: '/playground/kill' }), members);
    let killed: (typeof ens.members)[number] | null = null;
    try {
      await run.begin();
      await waitFor(() => run.view().holders.length === 1, 30_000, 'a holder');
      // Kill the holder's member: its connection drops, so it stops counting itself the holder at once.
      const holder = run.view().holders[0]!;
      const myid = run.memberOf(holder)!;
      killed = ens.members.find((m) => m.sid === myid)!;
      await killed.kill();
      run.recordFault({ kind: 'kill-member', client: holder, member: myid, detail: `killed node ${myid}` });
      await waitFor(() => {
        const c = run.view().clients.find((x) => x.id === holder)!;
        return c.member !== null && c.member !== myid;
      }, 60_000, 'the holder to reconnect to another member');
      const before = run.view().counters.acquisitions;
      await waitFor(() => run.view().counters.acquisitions >= before + 3, 60_000, 'the lock to go round again');
      await run.end('test over');
      const v = run.view();
      expect(v.violations).toEqual([]);
      expect(mutexVerdict(run).verdict).toBe('ok');
      expect(v.log.some((l) => l.text === `client ${holder}: disconnected from node ${myid}`)).toBe(true);
      expect(v.log.some((l) => new RegExp(`^client ${holder}: session 0x[0-9a-f]+ reconnected on node \\d`).test(l.text))).toBe(true);
    } finally {
      await run.end('test over');
      if (killed) await killed.launch();
    }
  });
});

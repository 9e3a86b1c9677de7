// The seed's distributed lock (§10): its plain-API lock (ephemeral-sequential znodes, each waiter
// watching only the one before it) against a naive lock where every waiter watches one znode (the
// herd effect), run on the lab's lock playground so the Locks view shows them; Curator's
// InterProcessMutex taken twice and released twice (reentrant); and a holder whose session
// expires handing the lock on. Who watches what is read from the members' watch tables, the
// queue from the server's listing of the lock path, never from the walkthrough's own bookkeeping.
import { connect, InterProcessMutex, type ZkClient } from '../../client';
import type { LockRunView, LockSettings } from '../../shared/contract';
import type { WatchRow } from '../../shared/api';
import { listWatches } from '../watches';
import { serving, type Walk } from './control';

const CLIENTS = 5;
const BASE = '/seed-walkthrough/lock';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the playground's run is over, and returns its last view. */
async function runEnd(w: Walk, ms = 90_000): Promise<LockRunView> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = w.lab.locks.state();
    if (r && (r.phase === 'done' || r.phase === 'failed')) return r;
    if (Date.now() > deadline) {
      await w.lab.locks.stop('the walkthrough waited too long').catch(() => undefined);
      throw new Error(`The lock run did not end within ${ms / 1000} s; look at the Locks view.`);
    }
    await sleep(100);
  }
}

/** The watches the run's clients hold on the members now (their sessions only). */
async function runWatches(w: Walk, r: LockRunView): Promise<WatchRow[]> {
  const sessions = new Set(r.clients.map((c) => c.sessionId));
  const members = w.lab.view()!.nodes.filter((n) => n.role !== 'down').map((n) => ({ myid: n.myid, adminPort: n.adminPort }));
  return (await listWatches(members)).filter((x) => sessions.has(x.sessionId));
}

/**
 * Runs CLIENTS contenders with `strategy` on the playground and, while one holds and the others
 * wait, reads the members' watch tables once: who watches what, as the servers hold it.
 */
async function contend(w: Walk, strategy: LockSettings['strategy']): Promise<{ run: LockRunView; watches: WatchRow[] }> {
  const lockPath = `${BASE}/${strategy}`;
  await w.lab.locks.start({ clients: CLIENTS, strategy, holdMs: 300, thinkMs: 0, durationMs: 60_000, acquisitions: 15, lockPath });
  let watches: WatchRow[] = [];
  for (;;) {
    const r = w.lab.locks.state()!;
    if (r.phase !== 'running') break;
    if (r.holders.length === 1 && r.clients.filter((c) => c.state === 'waiting').length === CLIENTS - 1) {
      const rows = await runWatches(w, r);
      // A release between the two reads shows fewer waiters: read again at the next hold.
      if (rows.length === CLIENTS - 1) {
        watches = rows;
        break;
      }
    }
    await sleep(30);
  }
  return { run: await runEnd(w), watches };
}

const paths = (rows: WatchRow[]): string[] => [...new Set(rows.map((r) => r.path))];
const tail = (p: string): string => p.slice(BASE.length + 1);

export async function lock(w: Walk): Promise<void> {
  await serving(w);
  const going = w.lab.locks.state();
  if (going && going.phase !== 'done' && going.phase !== 'failed') throw new Error(`Lock run ${going.id} is going in the Locks view: stop it there, then run this walkthrough.`);
  const seed = await w.step(`The seed's lock on the lock playground: ${CLIENTS} clients, each an ephemeral-sequential znode under ${BASE}/seed; each waiter watches only the znode just before its own`, () => contend(w, 'seed'), ({ run, watches }) => `${run.counters.acquisitions} acquisitions, ${run.counters.notifications} watch notifications (${run.counters.notificationsPerAcquisition ?? '-'} per acquisition); while one held, the members held ${watches.length} watches on ${paths(watches).length} znodes (${paths(watches).map(tail).join(', ')}); mutual exclusion ${run.violations.length === 0 ? 'held' : 'VIOLATED'}`);
  w.keyNext();
  const naive = await w.step(`The naive lock for contrast: the same ${CLIENTS} clients all watch one znode, ${BASE}/naive/lock, so each release wakes every waiter (the herd effect)`, () => contend(w, 'naive'), ({ run, watches }) => `${run.counters.acquisitions} acquisitions, ${run.counters.notifications} watch notifications (${run.counters.notificationsPerAcquisition ?? '-'} per acquisition); while one held, the members held ${watches.length} watches on ${paths(watches).length} znode${paths(watches).length === 1 ? '' : 's'} (${paths(watches).map(tail).join(', ')}); mutual exclusion ${run.violations.length === 0 ? 'held' : 'VIOLATED'}`);

  const ids = w.lab.view()!.nodes.filter((n) => n.role !== 'down').map((n) => n.myid);
  const mutexPath = `${BASE}/mutex`;
  let a: ZkClient | null = null;
  let b: ZkClient | null = null;
  let reentrant: { afterTwo: string[]; bWhileTwo: boolean; afterOne: string[]; bWhileOne: boolean; afterBoth: string[]; bAfter: boolean };
  try {
    reentrant = await w.step(`Curator's InterProcessMutex is reentrant: client A acquires ${mutexPath} twice and releases it twice; client B tries to take it in between (1 s each); the lock path is listed by the server after each step`, async () => {
      a = await connect(w.lab.address(ids[0]!), { sessionTimeout: 10_000 });
      b = await connect(w.lab.address(ids[1 % ids.length]!), { sessionTimeout: 10_000 });
      const ma = new InterProcessMutex(a, mutexPath);
      const mb = new InterProcessMutex(b, mutexPath);
      const list = async (): Promise<string[]> => {
        await b!.sync(mutexPath);
        return (await b!.getChildren(mutexPath).catch(() => [] as string[])).sort();
      };
      await ma.acquire();
      await ma.acquire();
      const afterTwo = await list();
      const bWhileTwo = await mb.acquire(1000);
      await ma.release();
      const afterOne = await list();
      const bWhileOne = await mb.acquire(1000);
      await ma.release();
      const afterBoth = await list();
      const bAfter = await mb.acquire(5000);
      if (bAfter) await mb.release();
      return { afterTwo, bWhileTwo, afterOne, bWhileOne, afterBoth, bAfter };
    }, (r) => `A acquired twice: the server lists ${r.afterTwo.length} lock znode (${r.afterTwo.join(', ') || 'none'}); B ${r.bWhileTwo ? 'got it (!)' : 'timed out'}; A released once: ${r.afterOne.length} znode, B ${r.bWhileOne ? 'got it (!)' : 'timed out'}; A released again: ${r.afterBoth.length} znodes; then B ${r.bAfter ? 'got it' : 'did not get it'}`);
  } finally {
    await (a as ZkClient | null)?.close().catch(() => undefined);
    await (b as ZkClient | null)?.close().catch(() => undefined);
  }

  const handoff = await w.step('The holder\'s session expires: its ephemeral znode goes and the next waiter, watching it, takes the lock (3 clients of the seed\'s lock, each holding 3 s)', async () => {
    await w.lab.locks.start({ clients: 3, strategy: 'seed', holdMs: 3000, thinkMs: 0, durationMs: 60_000, acquisitions: null, lockPath: `${BASE}/handoff` });
    const held = await waitRun(w, (r) => r.holders.length === 1 && r.clients.filter((c) => c.state === 'waiting').length === 2, 'one holder and two waiters');
    const holder = held.holders[0]!;
    const node = held.clients.find((c) => c.id === holder)!.node;
    const t0 = Date.now();
    await w.lab.locks.fault(holder, 'expire');
    const next = await waitRun(w, (r) => r.holders.length === 1 && r.holders[0] !== holder, 'another client to hold the lock');
    const ms = Date.now() - t0;
    // The lock path as the server lists it now, read through a session of its own.
    const reader = await connect(w.lab.address(ids[0]!), { sessionTimeout: 10_000 });
    let listed: string[];
    try {
      await reader.sync(`${BASE}/handoff`);
      listed = (await reader.getChildren(`${BASE}/handoff`)).sort();
    } finally {
      await reader.close().catch(() => undefined);
    }
    const nextNode = w.lab.locks.state()!.clients.find((c) => c.id === next.holders[0])?.node ?? null;
    await w.lab.locks.stop('the walkthrough saw the handoff');
    const end = await runEnd(w);
    return { holder, node, next: next.holders[0]!, nextNode, ms, listed, violations: end.violations.length, log: end.log.map((l) => l.text).find((t) => /took the lock \d+ ms after client \d+ lost it/.test(t)) ?? null };
  }, (r) => `client ${r.holder} held with ${r.node}; its session expired and client ${r.next} took the lock within ${r.ms} ms; the server then listed ${r.listed.join(', ')}, the new holder's ${r.nextNode ?? '?'} first${r.log ? ` (${r.log})` : ''}`);

  const herd = (x: { run: LockRunView }): number => x.run.counters.notificationsPerAcquisition ?? 0;
  const seedPaths = paths(seed.watches);
  const naivePaths = paths(naive.watches);
  const reentrantOk = reentrant.afterTwo.length === 1 && !reentrant.bWhileTwo && reentrant.afterOne.length === 1 && !reentrant.bWhileOne && reentrant.afterBoth.length === 0 && reentrant.bAfter;
  const handedOn = handoff.node !== null && !handoff.listed.includes(handoff.node) && handoff.nextNode !== null && handoff.listed[0] === handoff.nextNode && handoff.violations === 0;
  w.finish(
    "the seed's lock queues clients as ephemeral-sequential znodes and each waiter watches only the znode before its own, so a release wakes one client, where a lock everyone watches wakes them all; Curator's InterProcessMutex is reentrant (acquired twice, released twice); a holder whose session ends loses its znode and the lock passes to the next",
    `with the seed's lock the members held ${seed.watches.length} watches on ${seedPaths.length} different znodes while one client held, and ${herd(seed)} notifications came per acquisition; with the naive lock ${naive.watches.length} watches on ${naivePaths.length} znode and ${herd(naive)} per acquisition; mutual exclusion held in both (${seed.run.violations.length + naive.run.violations.length} violations); InterProcessMutex taken twice kept one znode (${reentrant.afterTwo.join(', ') || 'none'}) until the second release, and B waited until then (${reentrant.bAfter ? 'then it got it' : 'and did not get it'}); after client ${handoff.holder}'s session expired its znode ${handoff.node} was gone and client ${handoff.next} held the lock ${handoff.ms} ms later`,
    seed.watches.length === CLIENTS - 1 && seedPaths.length === CLIENTS - 1 && naivePaths.length === 1 && naive.watches.length === CLIENTS - 1 && herd(naive) > herd(seed) + 1 && seed.run.violations.length === 0 && naive.run.violations.length === 0 && reentrantOk && handedOn,
  );
}

/** Polls the playground's run until `ok` (or fails, stopping the run, after 30 s). */
async function waitRun(w: Walk, ok: (r: LockRunView) => boolean, what: string): Promise<LockRunView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = w.lab.locks.state();
    if (r && ok(r)) return r;
    if (!r || r.phase === 'done' || r.phase === 'failed' || Date.now() > deadline) {
      await w.lab.locks.stop('the walkthrough gave up').catch(() => undefined);
      throw new Error(`Waited for ${what} in the lock run, in vain (${r ? r.phase : 'no run'}); look at the Locks view.`);
    }
    await sleep(50);
  }
}

// The register workload: N clients, each its own session, spread over the members, read, write,
// compare-and-set and sync a few znodes (keys) for a while (a sync is followed by a read of the
// same key, ZooKeeper's idiom for a read that is not stale) and record every operation in the history
// format (src/shared/check/history.ts): its call and its return on one monotonic clock
// (performance.now() of this process), its session and the member it went through, and its
// result: ok, fail (BadVersion: it did not happen), or unknown (connection loss, timeout, the
// session gone: it may or may not have happened). The checker (src/shared/check) then says
// whether ZooKeeper kept its promises. Each client runs one operation at a time (a closed loop),
// as the checker's model of a process asks.
import { performance } from 'node:perf_hooks';
import { BadVersionError, connect, NodeExistsError, type ZkClient } from '../../client';
import type { HistoryOp } from '../../shared/check/history';

export interface RegisterMember {
  myid: number;
  /** host:port of its client port (through the lab's network, for the lab's own runs). */
  address: string;
}

export interface RegisterOptions {
  members: readonly RegisterMember[];
  clients: number;
  keys: number;
  /** How long the clients run, ms. */
  durationMs: number;
  /** The znode under which the keys live (created if missing; the keys are created with empty data). */
  root: string;
  /** Shares of reads, writes and syncs; the rest are cas (default 0.5, 0.3 and 0). */
  reads?: number;
  writes?: number;
  syncs?: number;
  /** Operations per second, all clients together (each client paced to its share); 0 or absent: as fast as they go. */
  rate?: number;
  sessionTimeoutMs?: number;
  /** Called once every session is connected, before the first operation (a fault that new sessions would wait behind goes in here). */
  onConnected?: () => Promise<void>;
  /** Stops the run early (the operations in flight still complete or become unknown). */
  signal?: AbortSignal;
  /** Called as each operation completes (with its result), for progress. */
  onOperation?: (op: HistoryOp) => void;
}

export interface RegisterRun {
  history: HistoryOp[];
  /** The clock's origin (Date.now() when invoke time 0 was), to put faults and elections on the same axis. */
  epochMs: number;
}

const hex = (id: bigint): string => `0x${id.toString(16)}`;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

/** Creates `root` and its keys (empty data, version 0), through one member. */
async function prepare(o: RegisterOptions): Promise<string[]> {
  const c = await connect(o.members.map((m) => m.address).join(','), { sessionTimeout: o.sessionTimeoutMs ?? 6000, timeoutMs: 30_000 });
  try {
    const parts = o.root.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      await c.create(`/${parts.slice(0, i).join('/')}`, Buffer.alloc(0)).catch((e: unknown) => {
        if (!(e instanceof NodeExistsError)) throw e;
      });
    }
    const keys = Array.from({ length: o.keys }, (_, i) => `${o.root}/${i}`);
    for (const k of keys) await c.create(k, Buffer.alloc(0));
    return keys;
  } finally {
    await c.close();
  }
}

/** Runs the workload and returns what every client saw. The keys must not exist yet (a fresh `root`). */
export async function runRegister(o: RegisterOptions): Promise<RegisterRun> {
  if (o.members.length === 0) throw new Error('The register workload needs at least one member to talk to.');
  const keys = await prepare(o);
  const epochMs = Date.now() - performance.now();
  const history: HistoryOp[] = [];
  const pReads = o.reads ?? 0.5;
  const pWrites = o.writes ?? 0.3;
  const pSyncs = o.syncs ?? 0;
  const byAddress = new Map(o.members.map((m) => [m.address, m.myid]));
  const clients: ZkClient[] = [];
  try {
    // Each client starts at its own member and may move to the others when it loses it, as a
    // ZooKeeper client does; the history says which member each operation went through.
    for (let p = 0; p < o.clients; p++) {
      const order = o.members.map((_, i) => o.members[(p + i) % o.members.length]!.address);
      clients.push(await connect(order.join(','), { sessionTimeout: o.sessionTimeoutMs ?? 6000, shuffleHosts: false, timeoutMs: 30_000 }));
    }
    await o.onConnected?.();
    const end = performance.now() + o.durationMs;
    let n = 0;
    const lastSeen = new Map<string, number>();
    // Paced: client p's calls are `every` ms apart, the clients staggered over one interval (a
    // client that falls behind calls at once, never in a burst to catch up).
    const every = o.rate ? (o.clients * 1000) / o.rate : 0;
    const one = async (p: number): Promise<void> => {
      const c = clients[p]!;
      let due = performance.now() + (p * every) / o.clients;
      /** The key a sync just made current: the next operation reads it. */
      let synced: string | null = null;
      while (performance.now() < end && !o.signal?.aborted) {
        if (every > 0) {
          const wait = Math.min(due, end) - performance.now();
          if (wait > 0) await pause(wait, o.signal);
          if (performance.now() >= end || o.signal?.aborted) break;
          due = Math.max(due + every, performance.now());
        }
        const key: string = synced ?? keys[Math.floor(Math.random() * keys.length)]!;
        const x = Math.random();
        const f: HistoryOp['f'] = synced !== null || x < pReads ? 'read' : x < pReads + pWrites ? 'write' : x < pReads + pWrites + pSyncs ? 'sync' : 'cas';
        synced = null;
        const value = f === 'read' || f === 'sync' ? null : `${p}-${n++}`;
        // A cas expects the version this client last saw of the key: it fails when another came first.
        const version = f === 'cas' ? (lastSeen.get(`${p}${key}`) ?? 0) : null;
        const member = byAddress.get(c.connectedServer ?? '') ?? 0;
        const op: HistoryOp = { process: p, session: hex(c.sessionId), member, f, key, value, version, invoke: performance.now(), complete: null, result: 'unknown' };
        history.push(op);
        try {
          if (f === 'read') {
            const r = await c.getData(key);
            op.value = (r.data ?? Buffer.alloc(0)).toString('utf8');
            op.version = r.stat.version;
            lastSeen.set(`${p}${key}`, r.stat.version);
          } else if (f === 'sync') {
            await c.sync(key);
            synced = key;
          } else {
            const stat = await c.setData(key, Buffer.from(value!, 'utf8'), f === 'cas' ? version! : -1);
            lastSeen.set(`${p}${key}`, stat.version);
          }
          op.result = 'ok';
          op.complete = performance.now();
          o.onOperation?.(op);
        } catch (e) {
          const t = performance.now();
          if (e instanceof BadVersionError) {
            op.result = 'fail';
            op.complete = t;
          } else {
            // Connection loss, a timeout, the session expired: it may have happened. A read
            // with no result says nothing either way.
            op.complete = t;
            op.result = 'unknown';
            if (f === 'read') op.value = op.version = null;
          }
          o.onOperation?.(op);
          if (op.result === 'unknown') {
            if (c.state === 'closed' || c.state === 'expired' || c.state === 'authFailed') return;
          }
        }
      }
    };
    await Promise.all(clients.map((_, p) => one(p)));
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
  history.sort((a, b) => a.invoke - b.invoke);
  return { history, epochMs };
}

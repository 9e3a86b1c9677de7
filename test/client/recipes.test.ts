// The recipes against Apache ZooKeeper 3.8 and against our server: locks (mutual exclusion,
// reentrancy, predecessor-only watches vs the herd, timeouts, read/write), leader latch and
// selector, barriers, queue, shared count, service discovery, config push.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  ConfigWatcher,
  DistributedBarrier,
  DistributedDoubleBarrier,
  DistributedQueue,
  InterProcessMutex,
  InterProcessReadWriteLock,
  LeaderLatch,
  LeaderSelector,
  NaiveLock,
  SeedLock,
  ServiceDiscovery,
  serviceInstance,
  SharedCount,
  type ClientOptions,
  type PlaygroundLock,
  type ZkClient,
} from '../../src/client';
import { TARGETS, until, type Server } from './targets';

describe.each(TARGETS)('recipes against $name', (target) => {
  let server: Server;
  const clients: ZkClient[] = [];
  async function client(opts: ClientOptions = {}): Promise<ZkClient> {
    const c = await connect(server.connectString, { reconnectJitterMs: 20, spinDelayMs: 20, ...opts });
    clients.push(c);
    return c;
  }
  beforeAll(async () => {
    server = await target.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** N clients run `rounds` critical sections each; a read-modify-write counter must end exact. */
  async function contend(make: (zk: ZkClient, i: number) => PlaygroundLock, n: number, rounds: number, counter: string) {
    const zks = await Promise.all(Array.from({ length: n }, () => client()));
    await zks[0]!.create(counter, '0');
    let inside = 0;
    let maxInside = 0;
    const locks = zks.map((zk, i) => make(zk, i));
    await Promise.all(
      locks.map(async (lock, i) => {
        for (let r = 0; r < rounds; r++) {
          expect(await lock.acquire()).toBe(true);
          inside++;
          maxInside = Math.max(maxInside, inside);
          const v = Number((await zks[i]!.getData(counter)).data!.toString());
          await zks[i]!.setData(counter, String(v + 1));
          inside--;
          await lock.release();
        }
      }),
    );
    expect(maxInside).toBe(1);
    expect(Number((await zks[0]!.getData(counter)).data!.toString())).toBe(n * rounds);
    return locks;
  }

  it('InterProcessMutex excludes, names nodes like Curator, and is reentrant', async () => {
    const locks = await contend((zk) => new InterProcessMutex(zk, '/m/lock'), 4, 10, '/m-counter');
    expect(locks.reduce((a, l) => a + l.stats().acquisitions, 0)).toBe(40);

    const zk = await client();
    const m = new InterProcessMutex(zk, '/m/lock');
    await m.acquire();
    expect(m.getLockPath()).toMatch(/^\/m\/lock\/_c_[0-9a-f-]{36}-lock-\d{10}$/);
    await m.acquire();
    await m.release();
    expect(await zk.getChildren('/m/lock')).toHaveLength(1);
    await m.release();
    expect(await zk.getChildren('/m/lock')).toHaveLength(0);
    await expect(m.release()).rejects.toThrow('You do not own the lock: /m/lock');
  });

  it('InterProcessMutex gives up after a timeout and leaves no node behind', async () => {
    const [a, b] = [await client(), await client()];
    const holder = new InterProcessMutex(a, '/t/lock');
    await holder.acquire();
    const waiter = new InterProcessMutex(b, '/t/lock');
    expect(await waiter.acquire(200)).toBe(false);
    expect(await a.getChildren('/t/lock')).toHaveLength(1);
    expect(waiter.stats().timeouts).toBe(1);
    await holder.release();
    expect(await waiter.acquire(5000)).toBe(true);
    await waiter.release();
  });

  it('waiters watch only their predecessor; the naive lock wakes the whole herd', async () => {
    const n = 5;
    async function chain(make: (zk: ZkClient) => PlaygroundLock): Promise<number> {
      const zks = await Promise.all(Array.from({ length: n }, () => client()));
      const locks = zks.map(make);
      await locks[0]!.acquire();
      const order: number[] = [];
      const waiting = new Set(locks.slice(1));
      // A holder releases only once every waiter watches again: a waiter still between its
      // notification and its next watch would miss the release, and the count would depend on timing.
      const rearmed = (): boolean => [...waiting].every((l) => l.stats().watchesSet === l.stats().watchNotifications + 1);
      const done = locks.slice(1).map(async (l, i) => {
        await l.acquire();
        waiting.delete(l);
        order.push(i + 1);
        await until(rearmed, 'every waiter watching again');
        await l.release();
      });
      // Everyone is queued and watching before the first release.
      await until(() => locks.slice(1).every((l) => l.stats().watchesSet >= 1), 'all waiters watching');
      await locks[0]!.release();
      await Promise.all(done);
      return locks.reduce((a, l) => a + l.stats().watchNotifications, 0);
    }
    const ordered = await chain((zk) => new SeedLock(zk, '/herd-seq'));
    const herd = await chain((zk) => new NaiveLock(zk, '/herd-naive'));
    // n-1 waiters, one notification each vs every waiter woken at every release: 4+3+2+1.
    expect(ordered).toBe(n - 1);
    expect(herd).toBe(((n - 1) * n) / 2);
  });

  it('the seed lock and the naive lock exclude', async () => {
    await contend((zk) => new SeedLock(zk, '/seed-locks'), 3, 8, '/seed-counter');
    await contend((zk) => new NaiveLock(zk, '/naive/lock'), 3, 8, '/naive-counter');
  });

  it('InterProcessReadWriteLock shares reads and serialises writes', async () => {
    const zks = await Promise.all([client(), client(), client()]);
    const [r1, r2, w] = zks.map((zk) => new InterProcessReadWriteLock(zk, '/rw'));
    await r1!.readLock.acquire();
    expect(await r2!.readLock.acquire(2000)).toBe(true);
    expect(await w!.writeLock.acquire(200)).toBe(false);
    const writing = w!.writeLock.acquire();
    await until(async () => (await zks[0]!.getChildren('/rw')).some((c) => c.includes('__WRIT__')), 'the writer queued');
    // A reader arriving after a queued writer waits behind it.
    const r3 = new InterProcessReadWriteLock(zks[0]!, '/rw');
    expect(await r3.readLock.acquire(200)).toBe(false);
    await r1!.readLock.release();
    await r2!.readLock.release();
    await writing;
    // The writer may also read (downgrade).
    expect(await w!.readLock.acquire(1000)).toBe(true);
    await w!.readLock.release();
    await w!.writeLock.release();
  });

  it('LeaderLatch elects one leader and hands over when it closes', async () => {
    const latches = await Promise.all(['a', 'b', 'c'].map(async (id) => new LeaderLatch(await client(), '/latch', id)));
    for (const l of latches) await l.start();
    await until(() => latches.filter((l) => l.hasLeadership()).length === 1, 'one leader');
    const leader = latches.find((l) => l.hasLeadership())!;
    expect(await leader.getLeader()).toEqual({ id: leader.id, isLeader: true });
    expect((await leader.getParticipants()).map((p) => p.id).sort()).toEqual(['a', 'b', 'c']);
    await leader.close();
    const rest = latches.filter((l) => l !== leader);
    await until(() => rest.filter((l) => l.hasLeadership()).length === 1, 'a new leader');
    for (const l of rest) await l.close();
  });

  it('LeaderLatch gives up leadership when its session is lost and rejoins with a new one', async () => {
    const zk = await client({ renewSessionOnExpiry: true });
    const latch = new LeaderLatch(zk, '/latch2', 'survivor');
    const events: string[] = [];
    latch.on('isLeader', () => events.push('isLeader'));
    latch.on('notLeader', () => events.push('notLeader'));
    await latch.start();
    expect(await latch.await(5000)).toBe(true);
    const other = new LeaderLatch(await client(), '/latch2', 'other');
    await other.start();
    // End the session behind the latch's back: attach to it and close it.
    const thief = await connect(server.connectString, { sessionId: zk.sessionId, sessionPasswd: zk.sessionPasswd });
    await thief.close();
    await until(() => other.hasLeadership(), 'the other latch to lead');
    await until(async () => (await other.getParticipants()).map((p) => p.id).join() === 'other,survivor', 'the latch to rejoin behind');
    expect(events).toEqual(['isLeader', 'notLeader']);
    expect(latch.hasLeadership()).toBe(false);
    await other.close();
    await until(() => latch.hasLeadership(), 'the survivor to lead again');
    await latch.close();
  });

  it('LeaderSelector runs takeLeadership on one candidate at a time and requeues', async () => {
    let leading = 0;
    let overlap = false;
    const runs: string[] = [];
    const make = async (id: string) =>
      new LeaderSelector(
        await client(),
        '/selector',
        {
          async takeLeadership() {
            leading++;
            if (leading > 1) overlap = true;
            runs.push(id);
            await new Promise((r) => setTimeout(r, 20));
            leading--;
          },
        },
        { id, autoRequeue: true },
      );
    const sels = await Promise.all([make('x'), make('y')]);
    for (const s of sels) s.start();
    await until(() => runs.filter((r) => r === 'x').length >= 3 && runs.filter((r) => r === 'y').length >= 3, 'both to lead repeatedly');
    for (const s of sels) await s.close();
    expect(overlap).toBe(false);
  });

  it('DistributedBarrier holds waiters until removed; the double barrier enters and leaves together', async () => {
    const [a, b] = [await client(), await client()];
    const barrier = new DistributedBarrier(a, '/barriers/one');
    await barrier.setBarrier();
    expect(await new DistributedBarrier(b, '/barriers/one').waitOnBarrier(200)).toBe(false);
    const through = new DistributedBarrier(b, '/barriers/one').waitOnBarrier();
    await barrier.removeBarrier();
    expect(await through).toBe(true);

    const members = await Promise.all([client(), client(), client()]);
    const doubles = members.map((zk) => new DistributedDoubleBarrier(zk, '/barriers/double', 3));
    expect(await doubles[0]!.enter(200)).toBe(false);
    await doubles[0]!.leave(2000);
    expect(await Promise.all(doubles.map((d) => d.enter(10_000)))).toEqual([true, true, true]);
    expect(await Promise.all(doubles.map((d) => d.leave(10_000)))).toEqual([true, true, true]);
    expect(await members[0]!.getChildren('/barriers/double')).toEqual([]);
  });

  it('DistributedQueue delivers each item once, in order, also with lock safety', async () => {
    for (const lockPath of [undefined, '/queue-locks']) {
      const path = lockPath ? '/queue-safe' : '/queue';
      const producer = new DistributedQueue(await client(), path);
      await producer.start();
      const got: string[][] = [[], []];
      const consumers = await Promise.all(
        [0, 1].map(async (i) => new DistributedQueue(await client(), path, { lockPath, consumer: (item) => void got[i]!.push(item.toString()) })),
      );
      for (const c of consumers) await c.start();
      for (let i = 0; i < 20; i++) await producer.put(`item-${String(i).padStart(2, '0')}`);
      await producer.putMulti(['multi-a', 'multi-b']);
      await until(() => got[0]!.length + got[1]!.length === 22, 'every item consumed');
      const all = [...got[0]!, ...got[1]!];
      expect(new Set(all).size).toBe(22);
      for (const g of got) expect(g.filter((x) => x.startsWith('item')).slice().sort()).toEqual(g.filter((x) => x.startsWith('item')));
      for (const c of consumers) await c.close();
      expect(await producer.size()).toBe(0);
    }
  });

  it('SharedCount converges under compare-and-set from several clients', async () => {
    const counts = await Promise.all([client(), client()].map(async (zk) => new SharedCount(await zk, '/shared/count', 0)));
    for (const c of counts) await c.start();
    const seen: number[] = [];
    counts[1]!.on('valueChanged', (v) => seen.push(v));
    await Promise.all(
      counts.map(async (c) => {
        for (let done = 0; done < 10; ) {
          const v = c.getVersionedValue();
          if (await c.trySetCount(v, v.value + 1)) done++;
        }
      }),
    );
    await until(() => counts.every((c) => c.getCount() === 20), 'both counts at 20');
    expect(seen.length).toBeGreaterThan(0);
    for (const c of counts) c.close();
  });

  it('service discovery: ephemeral instances and a watch-driven instance list', async () => {
    const [a, b, reader] = [await client(), await client(), await client()];
    const da = new ServiceDiscovery(a, '/services');
    const db = new ServiceDiscovery(b, '/services');
    da.start();
    db.start();
    await da.registerService(serviceInstance('api', { id: 'a1', address: '10.0.0.1', port: 8080 }));
    const cache = new ServiceDiscovery(reader, '/services').serviceCache('api');
    await cache.start();
    expect(cache.getInstances().map((i) => i.id)).toEqual(['a1']);
    await db.registerService(serviceInstance('api', { id: 'b1', address: '10.0.0.2', port: 8080 }));
    await until(() => cache.getInstances().length === 2, 'the second instance');
    expect(await new ServiceDiscovery(reader, '/services').queryForNames()).toEqual(['api']);
    await b.close();
    await until(() => cache.getInstances().map((i) => i.id).join() === 'a1', 'the closed instance to vanish');
    const raw = JSON.parse((await reader.getData('/services/api/a1')).data!.toString());
    expect(Object.keys(raw)).toEqual(['name', 'id', 'address', 'port', 'sslPort', 'payload', 'registrationTimeUTC', 'serviceType', 'uriSpec', 'enabled']);
    await cache.close();
  });

  it('ConfigWatcher follows every published version and survives a reconnect', async () => {
    const [a, b] = [await client(), await client()];
    const w = new ConfigWatcher(a, '/config/app');
    const changes: string[] = [];
    w.on('change', (c) => changes.push(c.data?.toString() ?? 'null'));
    expect(await w.start()).toEqual({ data: null, version: -1 });
    const pub = new ConfigWatcher(b, '/config/app');
    await pub.publish('v1');
    await until(() => changes.includes('v1'), 'v1');
    a.dropConnection();
    await pub.publish('v2');
    await until(() => changes.includes('v2'), 'v2 after the reconnect');
    await pub.publish('v3');
    await until(() => changes.includes('v3'), 'v3');
    expect(w.get().data!.toString()).toBe('v3');
    await w.close();
  });
});

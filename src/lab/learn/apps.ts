// The seed's uses of ZooKeeper (§4, §12.2, §12.4), each built the way the seed describes on the
// lab's real members: a config znode every client watches (a push reaches all of them), workers
// that register ephemeral znodes as their heartbeat (the others see one leave), and service
// registration with soft load balancing (consumers pick the provider with the fewest connections
// and move when one dies). Who watches what is read from the members' watch tables; what each
// client learned is what the members sent it.
import { connect, CreateMode, eventTypeName, type WatchedEvent, type ZkClient } from '../../client';
import { listWatches } from '../watches';
import { serving, type Walk } from './control';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hex = (id: bigint): string => `0x${BigInt.asUintN(64, id).toString(16)}`;

/** Deletes `path` and everything under it (a walkthrough's own znodes from an earlier run). */
async function removeTree(zk: ZkClient, path: string): Promise<void> {
  const children = await zk.getChildren(path).catch(() => null);
  if (children === null) return;
  for (const c of children) await removeTree(zk, `${path}/${c}`);
  await zk.delete(path).catch(() => undefined);
}

/** Makes `path` and its parents as persistent znodes. */
async function mkdirs(zk: ZkClient, path: string): Promise<void> {
  let p = '';
  for (const part of path.split('/').slice(1)) {
    p += `/${part}`;
    await zk.create(p, null).catch(() => undefined);
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`Waited ${ms / 1000} s for ${what}; look at the Cluster view and the members' logs (Terminals).`);
    await sleep(20);
  }
}

/**
 * Ends a client's session as the ensemble would for a process that died: another connection
 * attaches to the session (id and password) and closes it; the client itself says nothing.
 */
async function endSession(zk: ZkClient): Promise<void> {
  const server = zk.connectedServer;
  if (!server) throw new Error('The client to end is not connected; run the walkthrough again.');
  const twin = await connect(server, { sessionId: zk.sessionId, sessionPasswd: Buffer.from(zk.sessionPasswd), shuffleHosts: false, sessionTimeout: zk.sessionTimeout, timeoutMs: 5000 });
  await twin.close(5000);
}

/** Sessions spread over the live members, one per name, each on member `ids[i % n]` only. */
async function sessions(w: Walk, ids: number[], count: number): Promise<{ zk: ZkClient; member: number }[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => ({ zk: await connect(w.lab.address(ids[i % ids.length]!), { sessionTimeout: 10_000 }), member: ids[i % ids.length]! })));
}

const WATCHERS = 5;
const WORKERS = 4;

/** §4.2 configuration management and §4.3/§4.4/§12.2 membership by ephemeral znodes. */
export async function configAndMembership(w: Walk): Promise<void> {
  const v0 = await serving(w);
  const ids = v0.nodes.filter((n) => n.role !== 'down').map((n) => n.myid);
  const config = '/seed-walkthrough/app/config';
  const group = '/seed-walkthrough/app/members';
  const open: ZkClient[] = [];
  try {
    const admin = await w.step(`Write the configuration to ${config}`, async () => {
      const zk = await connect(ids.map((m) => w.lab.address(m)).join(','), { sessionTimeout: 10_000 });
      open.push(zk);
      await removeTree(zk, '/seed-walkthrough/app');
      await mkdirs(zk, group);
      await zk.create(config, Buffer.from('timeout=30'));
      return zk;
    }, () => `${config} = "timeout=30"`);
    // Each watcher re-reads on every notification and sets its watch again (a one-shot watch).
    const watchers = await sessions(w, ids, WATCHERS);
    open.push(...watchers.map((x) => x.zk));
    const seen = watchers.map(() => [] as { value: string; at: number }[]);
    const read = (i: number): Promise<void> =>
      watchers[i]!.zk
        .getData(config, (e: WatchedEvent) => {
          if (eventTypeName(e.type) === 'NodeDataChanged') void read(i).catch(() => undefined);
        })
        .then(({ data }) => {
          seen[i]!.push({ value: data?.toString() ?? '', at: Date.now() });
        });
    const table = await w.step(`Start ${WATCHERS} clients spread over members ${ids.join(', ')}; each reads ${config} with a watch, and the members hold one watch per client`, async () => {
      await Promise.all(watchers.map((_, i) => read(i)));
      return waitWatches(w, (p) => p === config, WATCHERS);
    }, (rows) => `${rows.length} watches on ${config}: ${[...new Set(rows.map((r) => r.myid))].map((m) => `member ${m} ${rows.filter((r) => r.myid === m).length}`).join(', ')}`);
    w.keyNext();
    const push = async (value: string): Promise<{ sent: number; ms: number[] }> => {
      const sent = Date.now();
      await admin.setData(config, Buffer.from(value));
      await until(`every client to read "${value}"`, () => seen.every((s) => s.some((x) => x.value === value)));
      return { sent, ms: seen.map((s) => s.find((x) => x.value === value)!.at - sent) };
    };
    const first = await w.step('Push a new configuration: the members notify every watching client, which reads the new value and sets its watch again', () => push('timeout=60'), (r) => watchers.map((x, i) => `client ${i + 1} (member ${x.member}) in ${r.ms[i]} ms`).join(', '));
    const second = await w.step('Push again: the watches set again fire again', () => push('timeout=90'), (r) => watchers.map((_, i) => `client ${i + 1} in ${r.ms[i]} ms`).join(', '));

    // Membership: each worker registers an ephemeral znode and watches the group.
    const workers = await sessions(w, ids, WORKERS);
    open.push(...workers.map((x) => x.zk));
    const views = workers.map(() => [] as { list: string[]; at: number }[]);
    const list = (i: number): Promise<void> =>
      workers[i]!.zk
        .getChildren(group, (e: WatchedEvent) => {
          if (eventTypeName(e.type) === 'NodeChildrenChanged') void list(i).catch(() => undefined);
        })
        .then((c) => {
          views[i]!.push({ list: c.sort(), at: Date.now() });
        });
    const names = await w.step(`${WORKERS} workers each register an ephemeral znode under ${group} (their heartbeat: it lives as long as their session) and watch the group`, async () => {
      const made: string[] = [];
      for (const [i, x] of workers.entries()) made.push((await x.zk.create(`${group}/worker-`, Buffer.from(`worker ${i + 1} on member ${x.member}`), { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).slice(group.length + 1));
      await Promise.all(workers.map((_, i) => list(i)));
      await until('every worker to see the whole group', () => views.every((v) => v.at(-1)?.list.length === WORKERS));
      return made;
    }, (m) => `${m.join(', ')}; every worker lists ${WORKERS}`);
    const gone = names[0]!;
    w.keyNext();
    const leave = await w.step(`Worker 1 dies: the ensemble ends its session (closed from another connection; the worker says nothing), its ephemeral znode ${gone} goes, and the other workers are told`, async () => {
      const owner = (await admin.exists(`${group}/${gone}`))?.ephemeralOwner ?? 0n;
      const t0 = Date.now();
      await endSession(workers[0]!.zk);
      await until(`the other workers to see ${gone} leave`, () => views.slice(1).every((v) => v.at(-1)?.list.includes(gone) === false));
      const ms = views.slice(1).map((v) => v.find((x) => x.at >= t0 && !x.list.includes(gone))!.at - t0);
      await admin.sync(group);
      return { owner, ms, listed: (await admin.getChildren(group)).sort(), lists: views.slice(1).map((v) => v.at(-1)!.list) };
    }, (r) => `${gone} (owner ${hex(r.owner)}) is gone; the server lists ${r.listed.join(', ')}; workers 2–${WORKERS} saw it leave after ${r.ms.join(', ')} ms`);
    const pushed = first.ms.length === WATCHERS && second.ms.length === WATCHERS;
    const allSame = leave.lists.every((l) => l.join() === leave.listed.join());
    w.finish(
      'configuration written to one znode reaches every client that watches it as soon as it changes; workers that register ephemeral znodes under a group znode are seen by the others, and when one dies its znode goes and the others are told',
      `the members held ${table.length} watches on ${config}, one per client; the first push reached all ${WATCHERS} clients in ${Math.min(...first.ms)}–${Math.max(...first.ms)} ms and the second, with the watches set again, in ${Math.min(...second.ms)}–${Math.max(...second.ms)} ms; when worker 1's session ended its znode ${gone} went and the ${WORKERS - 1} others listed ${leave.listed.join(', ')} ${Math.min(...leave.ms)}–${Math.max(...leave.ms)} ms later`,
      table.length === WATCHERS && pushed && !leave.listed.includes(gone) && leave.listed.length === WORKERS - 1 && allSame,
    );
  } finally {
    await Promise.all(open.map((z) => z.close().catch(() => undefined)));
  }
}

/** Polls the members' watch tables until `count` watches on paths `match` are there (or 10 s). */
async function waitWatches(w: Walk, match: (path: string) => boolean, count: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const members = w.lab.view()!.nodes.filter((n) => n.role !== 'down').map((n) => ({ myid: n.myid, adminPort: n.adminPort }));
    const rows = (await listWatches(members)).filter((r) => match(r.path));
    if (rows.length >= count || Date.now() > deadline) return rows;
    await sleep(100);
  }
}

const PROVIDERS = 3;
const CONSUMERS = 6;

interface Provider {
  zk: ZkClient;
  name: string;
  address: string;
  connections: number;
}

/** §4.5 soft load balancing and §12.4 service registration and discovery. */
export async function discovery(w: Walk): Promise<void> {
  const v0 = await serving(w);
  const ids = v0.nodes.filter((n) => n.role !== 'down').map((n) => n.myid);
  const svc = '/seed-walkthrough/services/echo';
  const open: ZkClient[] = [];
  try {
    const providers: Provider[] = [];
    const reg = await w.step(`${PROVIDERS} providers of the service "echo" register: an ephemeral-sequential znode under ${svc} each, holding its address and its connection count`, async () => {
      const admin = await connect(ids.map((m) => w.lab.address(m)).join(','), { sessionTimeout: 10_000 });
      open.push(admin);
      await removeTree(admin, svc);
      await mkdirs(admin, svc);
      for (let i = 0; i < PROVIDERS; i++) {
        const zk = await connect(w.lab.address(ids[i % ids.length]!), { sessionTimeout: 10_000 });
        open.push(zk);
        const address = `127.0.0.1:${9001 + i}`;
        const path = await zk.create(`${svc}/provider-`, Buffer.from(JSON.stringify({ address, connections: 0 })), { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
        providers.push({ zk, name: path.slice(svc.length + 1), address, connections: 0 });
      }
      return admin;
    }, () => providers.map((p) => `${p.name} = ${p.address}`).join(', '));
    const admin = reg;
    /** A provider takes a connection: it updates its own znode (the count consumers balance on). */
    const accept = async (p: Provider, delta: number): Promise<void> => {
      p.connections += delta;
      await p.zk.setData(`${svc}/${p.name}`, Buffer.from(JSON.stringify({ address: p.address, connections: p.connections })));
    };
    // Consumers: each watches the provider list (a child watch set again on every change) and, when it has no provider or its provider left, picks the one with the fewest connections.
    const consumers = await sessions(w, ids, CONSUMERS);
    open.push(...consumers.map((x) => x.zk));
    const using: (string | null)[] = consumers.map(() => null);
    const moves: { consumer: number; from: string | null; to: string; at: number }[] = [];
    let picking = Promise.resolve();
    const pick = async (i: number): Promise<void> => {
      const zk = consumers[i]!.zk;
      const names = await zk.getChildren(svc, (e: WatchedEvent) => {
        if (eventTypeName(e.type) === 'NodeChildrenChanged') picking = picking.then(() => pick(i)).catch(() => undefined);
      });
      if (using[i] !== null && names.includes(using[i]!)) return;
      // The counts the last pick wrote through another member: sync so this member has them.
      await zk.sync(svc);
      // Soft load balancing: the counts as the providers last wrote them, read from the members.
      const counts = await Promise.all(names.map(async (n) => ({ name: n, ...(JSON.parse((await zk.getData(`${svc}/${n}`)).data!.toString()) as { address: string; connections: number }) })));
      const best = counts.sort((a, b) => a.connections - b.connections || a.name.localeCompare(b.name))[0];
      if (!best) return;
      const p = providers.find((x) => x.name === best.name)!;
      const from = using[i] ?? null;
      using[i] = p.name;
      moves.push({ consumer: i + 1, from, to: p.name, at: Date.now() });
      await accept(p, 1);
    };
    /** Each provider's connection count as the members hold it. */
    const counts = async (): Promise<{ name: string; connections: number }[]> => {
      await admin.sync(svc);
      const names = (await admin.getChildren(svc)).sort();
      return Promise.all(names.map(async (n) => ({ name: n, connections: (JSON.parse((await admin.getData(`${svc}/${n}`)).data!.toString()) as { connections: number }).connections })));
    };
    const text = (c: { name: string; connections: number }[]): string => c.map((x) => `${x.name} ${x.connections}`).join(', ');
    const spread = await w.step(`${CONSUMERS} consumers, one after the other, read the list and pick the provider with the fewest connections`, async () => {
      for (let i = 0; i < CONSUMERS; i++) {
        picking = picking.then(() => pick(i));
        await picking;
      }
      return counts();
    }, (c) => `connections per provider, as the members hold them: ${text(c)}`);
    const victim = providers[0]!;
    const onVictim = using.map((u, i) => (u === victim.name ? i + 1 : null)).filter((x): x is number => x !== null);
    w.keyNext();
    const moved = await w.step(`Provider ${victim.name} (${victim.address}) dies: its session ends, its znode goes, and the consumers that used it (${onVictim.join(', ')}) move to the provider with the fewest connections`, async () => {
      const t0 = Date.now();
      await endSession(victim.zk);
      await until('the consumers of the dead provider to move', () => onVictim.every((c) => using[c - 1] !== victim.name));
      await picking;
      const ms = onVictim.map((c) => moves.find((m) => m.consumer === c && m.from === victim.name)!.at - t0);
      return { ms, counts: await counts(), to: onVictim.map((c) => `${c}→${using[c - 1]}`) };
    }, (r) => `consumers ${r.to.join(', ')} after ${r.ms.join(', ')} ms; connections now ${text(r.counts)}`);
    const before = spread.map((x) => x.connections);
    const after = moved.counts.map((x) => x.connections);
    const even = (xs: number[]): boolean => xs.length > 0 && Math.max(...xs) - Math.min(...xs) <= 1;
    w.finish(
      'providers register their address under a service znode (ephemeral, so it goes when they do); consumers read the list, use the provider with the fewest connections, and when a provider goes the list they watch changes and they move to another',
      `${CONSUMERS} consumers spread over ${PROVIDERS} providers as ${text(spread)}; when ${victim.name} died its znode went, its consumers ${moved.to.join(', ')} moved within ${Math.max(...moved.ms)} ms, and the members then held ${text(moved.counts)}`,
      before.length === PROVIDERS && even(before) && after.length === PROVIDERS - 1 && even(after) && after.reduce((a, b) => a + b, 0) === CONSUMERS && !moved.counts.some((x) => x.name === victim.name),
    );
  } finally {
    await Promise.all(open.map((z) => z.close().catch(() => undefined)));
  }
}

// Our client against a standalone server — Apache ZooKeeper 3.8 and ours — with the same
// expectations: reads and writes, typed errors, create modes, chroot, watches of every kind,
// multi/multiRead, ACLs and auth, session re-attach and expiry, SetWatches after a reconnect,
// and bounded pipelining.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AddWatchMode,
  BadVersionError,
  connect,
  CreateMode,
  CREATOR_ALL_ACL,
  digestId,
  Err,
  EventType,
  IllegalArgumentError,
  KeeperState,
  MultiError,
  NoAuthError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  NoWatcherError,
  Ops,
  Perms,
  SessionExpiredError,
  WatcherType,
  ZkClient,
  netTransport,
  type ClientOptions,
  type Transport,
  type WatchedEvent,
} from '../../src/client';
import { TARGETS, until, type Server } from './targets';

describe.each(TARGETS)('client against $name', (target) => {
  let server: Server;
  const clients: ZkClient[] = [];

  /** A connected client that afterEach closes. */
  async function client(opts: ClientOptions & { chroot?: string } = {}): Promise<ZkClient> {
    const c = await connect(server.connectString + (opts.chroot ?? ''), { reconnectJitterMs: 50, spinDelayMs: 50, ...opts });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    server = await target.start({ extendedTypes: true });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates, reads, updates and deletes with Stat bookkeeping and typed errors', async () => {
    const zk = await client();
    expect(await zk.create('/crud', 'v0')).toBe('/crud');
    const { data, stat } = await zk.getData('/crud');
    expect(data!.toString()).toBe('v0');
    expect(stat.version).toBe(0);
    expect(stat.czxid).toBe(stat.mzxid);
    expect(stat.ephemeralOwner).toBe(0n);

    const s1 = await zk.setData('/crud', 'v1', 0);
    expect(s1.version).toBe(1);
    expect(s1.mzxid > stat.mzxid).toBe(true);
    const bad = await zk.setData('/crud', 'v2', 0).catch((e) => e);
    expect(bad).toBeInstanceOf(BadVersionError);
    expect(bad.code).toBe(Err.BADVERSION);
    expect(bad.message).toBe('KeeperErrorCode = BadVersion for /crud');

    const exists = await zk.create('/crud', 'again').catch((e) => e);
    expect(exists).toBeInstanceOf(NodeExistsError);
    expect(exists.message).toBe('KeeperErrorCode = NodeExists for /crud');
    const orphan = await zk.create('/nope/child').catch((e) => e);
    expect(orphan).toBeInstanceOf(NoNodeError);

    await zk.create('/crud/kid');
    expect((await zk.delete('/crud').catch((e) => e)).code).toBe(Err.NOTEMPTY);
    expect(await zk.delete('/crud').catch((e) => e)).toBeInstanceOf(NotEmptyError);
    const children = await zk.getChildren2('/crud');
    expect(children.children).toEqual(['kid']);
    expect(children.stat.numChildren).toBe(1);
    expect(children.stat.cversion).toBe(1);

    await zk.delete('/crud/kid');
    await zk.delete('/crud', 1);
    expect(await zk.exists('/crud')).toBeNull();
    expect(await zk.getData('/crud').catch((e) => e)).toBeInstanceOf(NoNodeError);
  });

  it('keeps null data distinct from empty data', async () => {
    const zk = await client();
    await zk.create('/nulldata', null);
    await zk.create('/emptydata', '');
    expect((await zk.getData('/nulldata')).data).toBeNull();
    expect((await zk.getData('/emptydata')).data).toEqual(Buffer.alloc(0));
    await zk.delete('/nulldata');
    await zk.delete('/emptydata');
  });

  it('rejects bad paths before sending anything', async () => {
    const zk = await client();
    const sent = zk.stats().sent;
    await expect(zk.create('noslash')).rejects.toThrow(IllegalArgumentError);
    await expect(zk.getData('/a//b')).rejects.toThrow('Invalid path string "/a//b" caused by empty node name specified @3');
    await expect(zk.create('/ttl-without', 'x', { mode: CreateMode.PERSISTENT, ttl: 100 })).rejects.toThrow('ttl not valid for createMode: PERSISTENT');
    await expect(zk.create('/t', 'x', { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 0 })).rejects.toThrow('ttl must be positive');
    await expect(zk.create('/m', 'x', { mode: 9 })).rejects.toThrow(IllegalArgumentError);
    expect(zk.stats().sent).toBe(sent);
  });

  it('creates sequential, ephemeral, container and TTL znodes', async () => {
    const zk = await client();
    await zk.create('/modes');
    const s1 = await zk.create('/modes/seq-', 'a', { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    const s2 = await zk.create('/modes/seq-', 'b', { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    expect(s1).toBe('/modes/seq-0000000000');
    expect(s2).toBe('/modes/seq-0000000001');
    const eph = await zk.create2('/modes/eph', 'e', { mode: CreateMode.EPHEMERAL });
    expect(eph.stat.ephemeralOwner).toBe(zk.sessionId);
    const es = await zk.create('/modes/es-', 'e', { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    expect(es).toMatch(/^\/modes\/es-\d{10}$/);
    expect((await zk.create('/modes/eph/child').catch((e) => e)).code).toBe(Err.NOCHILDRENFOREPHEMERALS);
    expect((await zk.getEphemerals('/modes')).sort()).toEqual([es, '/modes/eph'].sort());

    const cont = await zk.create2('/modes/cont', 'c', { mode: CreateMode.CONTAINER });
    expect(cont.stat.ephemeralOwner).toBe(0n);
    const ttl = await zk.create2('/modes/ttl', 't', { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 60_000 });
    expect(ttl.path).toBe('/modes/ttl');
    expect(ttl.stat.ephemeralOwner).toBe(0n);
    const ttlSeq = await zk.create('/modes/ttls-', 't', { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 60_000 });
    expect(ttlSeq).toMatch(/^\/modes\/ttls-\d{10}$/);

    // The ephemerals go with the session.
    await zk.close();
    const other = await client();
    expect(await other.exists('/modes/eph')).toBeNull();
    expect(await other.exists(es)).toBeNull();
    expect(await other.getAllChildrenNumber('/modes')).toBe(5);
  });

  it('adds the chroot on the way out and removes it on the way back', async () => {
    const root = await client();
    await root.create('/app');
    const zk = await client({ chroot: '/app' });
    expect(zk.chroot).toBe('/app');
    expect(await zk.create('/x', 'in chroot')).toBe('/x');
    expect((await root.getData('/app/x')).data!.toString()).toBe('in chroot');
    expect(await zk.create('/s-', '', { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).toMatch(/^\/s-\d{10}$/);
    expect((await zk.getEphemerals('/'))[0]).toMatch(/^\/s-\d{10}$/);
    expect(await zk.getChildren('/')).toContain('x');
    const events: WatchedEvent[] = [];
    await zk.getData('/x', (e) => events.push(e));
    await root.setData('/app/x', 'changed');
    await until(() => events.length === 1, 'the data watch under the chroot');
    expect(events[0]).toEqual({ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/x' });
    const multi = await zk.multi([Ops.create('/y'), Ops.create('/z-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })]);
    expect(multi[0]).toEqual({ op: 'create', path: '/y' });
    expect((multi[1] as { path: string }).path).toMatch(/^\/z-\d{10}$/);
    expect(await zk.sync('/')).toBe('/');
    // getConfig ignores the chroot.
    expect((await zk.getConfig()).stat).toBeDefined();
  });

  it('fires one-shot watches once, in order, before the reply that follows them', async () => {
    const zk = await client();
    const other = await client();
    await zk.create('/w');
    const log: string[] = [];
    const dataW = (e: WatchedEvent) => log.push(`data ${e.type} ${e.path}`);
    const childW = (e: WatchedEvent) => log.push(`child ${e.type} ${e.path}`);
    const existW = (e: WatchedEvent) => log.push(`exist ${e.type} ${e.path}`);
    await zk.getData('/w', dataW);
    await zk.getChildren('/w', childW);
    expect(await zk.exists('/w/kid', existW)).toBeNull();

    // The event reaches our watcher before our own write's promise resolves.
    await zk.setData('/w', 'x');
    expect(log).toEqual([`data ${EventType.NodeDataChanged} /w`]);
    await zk.create('/w/kid');
    expect(log.slice(1).sort()).toEqual([`child ${EventType.NodeChildrenChanged} /w`, `exist ${EventType.NodeCreated} /w/kid`].sort());

    // Fired watches are gone: nothing more arrives for further changes.
    await other.setData('/w', 'y');
    await other.create('/w/kid2');
    await zk.sync('/');
    expect(log).toHaveLength(3);

    // One watcher registered as data and child watch gets one NodeDeleted.
    const both: WatchedEvent[] = [];
    const bothW = (e: WatchedEvent) => both.push(e);
    await zk.getData('/w/kid', bothW);
    await zk.getChildren('/w/kid', bothW);
    await other.delete('/w/kid');
    await zk.sync('/');
    expect(both).toEqual([{ type: EventType.NodeDeleted, state: KeeperState.SyncConnected, path: '/w/kid' }]);
    expect(zk.stats().watches).toEqual({ data: 0, exist: 0, child: 0, persistent: 0, persistentRecursive: 0 });
  });

  it('sends watch: true events to the default watcher with state events', async () => {
    const zk = await client();
    const seen: WatchedEvent[] = [];
    zk.on('watchedEvent', (e) => seen.push(e));
    await zk.create('/dw');
    await zk.getData('/dw', true);
    await zk.delete('/dw');
    expect(seen).toEqual([{ type: EventType.NodeDeleted, state: KeeperState.SyncConnected, path: '/dw' }]);
    await zk.close();
    expect(seen.at(-1)).toEqual({ type: EventType.None, state: KeeperState.Closed, path: null });
  });

  it('keeps persistent and recursive watches until removed, with removal events', async () => {
    // The server keeps one mode per (path, connection), so the flat and the recursive watch
    // on /pw come from two clients.
    const zk = await client();
    const deepClient = await client();
    const other = await client();
    await zk.create('/pw');
    const flat: WatchedEvent[] = [];
    const deep: WatchedEvent[] = [];
    const flatW = (e: WatchedEvent) => flat.push(e);
    const deepW = (e: WatchedEvent) => deep.push(e);
    await zk.addWatch('/pw', flatW, AddWatchMode.PERSISTENT);
    await deepClient.addWatch('/pw', deepW, AddWatchMode.PERSISTENT_RECURSIVE);
    await other.setData('/pw', '1');
    await other.setData('/pw', '2');
    await other.create('/pw/a');
    await other.create('/pw/a/b');
    await other.setData('/pw/a/b', 'x');
    await other.delete('/pw/a/b');
    await zk.sync('/');
    await deepClient.sync('/');
    expect(flat.map((e) => `${e.type} ${e.path}`)).toEqual(['3 /pw', '3 /pw', '4 /pw']);
    expect(deep.map((e) => `${e.type} ${e.path}`)).toEqual(['3 /pw', '3 /pw', '1 /pw/a', '1 /pw/a/b', '3 /pw/a/b', '2 /pw/a/b']);

    await zk.removeWatches('/pw', WatcherType.Any, flatW);
    expect(flat.at(-1)).toEqual({ type: EventType.PersistentWatchRemoved, state: KeeperState.SyncConnected, path: '/pw' });
    await other.setData('/pw', '3');
    await zk.sync('/');
    expect(flat).toHaveLength(4);
    await deepClient.sync('/');
    expect(deep.at(-1)).toEqual({ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/pw' });
    expect(await zk.removeWatches('/pw', WatcherType.Any, flatW).catch((e) => e)).toBeInstanceOf(NoWatcherError);
    await deepClient.removeWatches('/pw', WatcherType.Any);
    const removedAt = deep.length;
    await other.setData('/pw', '4');
    await deepClient.sync('/');
    expect(deep.length).toBe(removedAt);
    expect(deep.at(-1)!.type).toBe(EventType.PersistentWatchRemoved);
  });

  it('removes one-shot watches before they fire, also where a persistent watch was', async () => {
    const zk = await client();
    const other = await client();
    await zk.create('/rw');
    await zk.create('/rw2');
    const one: WatchedEvent[] = [];
    const kids: WatchedEvent[] = [];
    await zk.getData('/rw', (e) => one.push(e));
    await zk.getChildren('/rw', (e) => kids.push(e));
    await zk.removeWatches('/rw', WatcherType.Data);
    await other.setData('/rw', '1');
    await other.create('/rw/kid');
    await zk.sync('/');
    expect(one).toEqual([{ type: EventType.DataWatchRemoved, state: KeeperState.SyncConnected, path: '/rw' }]);
    expect(kids.map((e) => e.type)).toEqual([EventType.NodeChildrenChanged]);

    // A persistent watch removed with checkWatches (one watcher) stays on the server, and a
    // later one-shot watch on the same path can still be removed.
    const p = () => undefined;
    await zk.addWatch('/rw2', p, AddWatchMode.PERSISTENT);
    await zk.removeWatches('/rw2', WatcherType.Any, p);
    const two: WatchedEvent[] = [];
    await zk.getData('/rw2', (e) => two.push(e));
    await zk.removeWatches('/rw2', WatcherType.Data);
    expect(two.map((e) => e.type)).toEqual([EventType.DataWatchRemoved]);
  });

  it('applies multi atomically and reports every slot when it fails', async () => {
    const zk = await client();
    await zk.create('/m', 'v');
    const ok = await zk.multi([Ops.check('/m', 0), Ops.create('/m/a', 'a'), Ops.setData('/m/a', 'aa'), Ops.delete('/m/a')]);
    expect(ok.map((r) => r.op)).toEqual(['check', 'create', 'setData', 'delete']);
    expect((ok[2] as { stat: { version: number } }).stat.version).toBe(1);

    const err = await zk.multi([Ops.create('/m/b'), Ops.check('/m', 9), Ops.create('/m/c')]).catch((e) => e);
    expect(err).toBeInstanceOf(MultiError);
    expect(err.code).toBe(Err.BADVERSION);
    expect(err.failedIndex).toBe(1);
    expect(err.results).toEqual([
      { op: 'error', err: 0 },
      { op: 'error', err: Err.BADVERSION },
      { op: 'error', err: Err.RUNTIMEINCONSISTENCY },
    ]);
    expect(await zk.exists('/m/b')).toBeNull();

    await zk.create('/m/r', 'read me');
    const reads = await zk.multiRead([Ops.getData('/m/r'), Ops.getChildren('/m'), Ops.getData('/m/none')]);
    expect((reads[0] as { data: Buffer }).data.toString()).toBe('read me');
    expect((reads[1] as { children: string[] }).children).toEqual(['r']);
    expect(reads[2]).toEqual({ op: 'error', err: Err.NONODE });
  });

  it('checks ACLs, adds digest auth, and answers whoAmI', async () => {
    const zk = await client();
    const stranger = await client();
    await zk.addAuth('digest', 'alice:secret');
    await zk.create('/acl', 'private', { acl: CREATOR_ALL_ACL });
    const { acl, stat } = await zk.getACL('/acl');
    expect(acl).toEqual([{ perms: Perms.ALL, id: { scheme: 'digest', id: digestId('alice:secret') } }]);
    expect(stat.aversion).toBe(0);
    const denied = await stranger.getData('/acl').catch((e) => e);
    expect(denied).toBeInstanceOf(NoAuthError);
    expect(denied.message).toBe('KeeperErrorCode = NoAuth for /acl');
    expect((await zk.whoAmI()).map((c) => `${c.authScheme}:${c.user}`).sort()).toEqual(['digest:alice', 'ip:127.0.0.1']);

    expect((await zk.setACL('/acl', CREATOR_ALL_ACL, 5).catch((e) => e)).code).toBe(Err.BADVERSION);
    await zk.setACL('/acl', [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }], 0);
    expect((await stranger.getData('/acl')).data!.toString()).toBe('private');
    expect((await stranger.setData('/acl', 'x').catch((e) => e)).code).toBe(Err.NOAUTH);
    // Without ADMIN, the ACL check comes before the version check.
    expect((await zk.setACL('/acl', CREATOR_ALL_ACL, 0).catch((e) => e)).code).toBe(Err.NOAUTH);
    expect((await stranger.create('/acl2', '', { acl: CREATOR_ALL_ACL }).catch((e) => e)).code).toBe(Err.INVALIDACL);
  });

  it('becomes authFailed when the server rejects credentials', async () => {
    const zk = await client();
    const states: string[] = [];
    zk.on('state', (s) => states.push(s));
    const err = await zk.addAuth('nosuchscheme', 'x').catch((e) => e);
    expect(err.code).toBe(Err.AUTHFAILED);
    expect(zk.state).toBe('authFailed');
    expect(states).toEqual(['authFailed']);
    expect((await zk.exists('/').catch((e) => e)).code).toBe(Err.AUTHFAILED);
  });

  it('re-attaches a session from another client with its password, and sees it expire', async () => {
    // a cannot reconnect while its gate is shut, so b holds the session alone.
    let gateOpen = true;
    const gated: Transport = (host, port) => (gateOpen ? netTransport(host, port) : netTransport('127.0.0.1', 1));
    const a = await client({ transport: gated });
    await a.create('/owned', '', { mode: CreateMode.EPHEMERAL });
    const states: string[] = [];
    const keeper: number[] = [];
    a.on('state', (s) => states.push(s));
    a.on('watchedEvent', (e) => keeper.push(e.state));
    gateOpen = false;
    a.dropConnection();

    // A wrong password gets the session refused. (ZooKeeper first closes whichever
    // connection holds the session, so this comes before b attaches.)
    const wrong = new ZkClient(server.connectString, { sessionId: a.sessionId, sessionPasswd: Buffer.alloc(16, 7), reconnectJitterMs: 10 });
    clients.push(wrong);
    await expect(wrong.waitConnected(10_000)).rejects.toBeInstanceOf(SessionExpiredError);
    expect(wrong.state).toBe('expired');

    const b = await client({ sessionId: a.sessionId, sessionPasswd: a.sessionPasswd });
    expect(b.sessionId).toBe(a.sessionId);
    expect(await b.getEphemerals('/')).toEqual(['/owned']);

    // Closing through b ends the session a also holds: a learns it when it reconnects.
    await b.close();
    gateOpen = true;
    await until(() => a.state === 'expired', 'a to see its session expired');
    expect(states).toEqual(['suspended', 'expired']);
    expect(keeper).toEqual([KeeperState.Disconnected, KeeperState.Expired]);
    expect(await a.exists('/').catch((e) => e)).toBeInstanceOf(SessionExpiredError);
    const c = await client();
    expect(await c.exists('/owned')).toBeNull();
  });

  it('starts a new session after expiry when asked to', async () => {
    const a = await client({ renewSessionOnExpiry: true });
    const first = a.sessionId;
    const b = await client({ sessionId: a.sessionId, sessionPasswd: a.sessionPasswd });
    await b.close();
    a.dropConnection();
    await until(() => a.state === 'connected' && a.sessionId !== first, 'a new session');
    expect(await a.create('/renewed', '', { mode: CreateMode.EPHEMERAL })).toBe('/renewed');
  });

  it('re-registers watches with SetWatches after a reconnect and catches up on missed changes', async () => {
    // A transport with a gate: while closed, connection attempts fail, so changes happen while
    // the client is certainly disconnected.
    let gateOpen = true;
    const gated: Transport = (host, port) => (gateOpen ? netTransport(host, port) : netTransport('127.0.0.1', 1));
    const zk = await client({ transport: gated });
    const other = await client();
    await zk.create('/sw');
    await zk.create('/sw/missed');
    await zk.create('/sw/later');
    const events: string[] = [];
    const w = (e: WatchedEvent) => events.push(`${e.type} ${e.path}`);
    await zk.getData('/sw/missed', w);
    await zk.getData('/sw/later', w);
    await zk.exists('/sw/born', w);
    await zk.getChildren('/sw', w);
    const rec: string[] = [];
    await zk.addWatch('/sw', (e) => rec.push(`${e.type} ${e.path}`), AddWatchMode.PERSISTENT_RECURSIVE);

    gateOpen = false;
    zk.dropConnection();
    expect(zk.state).toBe('suspended');
    await other.setData('/sw/missed', 'changed while away');
    await other.create('/sw/born');
    gateOpen = true;
    await until(() => zk.state === 'connected', 'the reconnect');
    await until(() => events.length >= 3, 'catch-up events from SetWatches');
    expect(events.sort()).toEqual([`1 /sw/born`, `3 /sw/missed`, `4 /sw`].sort());
    // Re-registered, not fired: still armed on the server.
    await other.setData('/sw/later', 'now');
    await until(() => events.includes('3 /sw/later'), 'the re-registered watch');
    // The server sends no catch-up events for persistent watches; the recursive watcher saw
    // the one-shot catch-ups below it (the client wakes every watcher an event concerns).
    expect(rec.sort()).toEqual(['1 /sw/born', '3 /sw/later', '3 /sw/missed']);
    await other.setData('/sw/born', 'x');
    await until(() => rec.includes('3 /sw/born'), 'the re-registered recursive watch');
  });

  it('pipelines many requests with a bounded number outstanding, replies in order', async () => {
    const zk = await client({ maxOutstanding: 16 });
    await zk.create('/pipe');
    const n = 500;
    const order: number[] = [];
    const all = Array.from({ length: n }, (_, i) =>
      zk.create(`/pipe/n-`, String(i), { mode: CreateMode.PERSISTENT_SEQUENTIAL }).then((p) => {
        order.push(i);
        return p;
      }),
    );
    const paths = await Promise.all(all);
    expect(order).toEqual([...Array(n).keys()]);
    expect(paths[n - 1]).toBe(`/pipe/n-${String(n - 1).padStart(10, '0')}`);
    expect(zk.stats().peakOutstanding).toBe(16);
    expect(await zk.getAllChildrenNumber('/pipe')).toBe(n);
  });

  it('fails requests in flight with ConnectionLoss when the connection drops, and carries on', async () => {
    const zk = await client();
    const inFlight = zk.exists('/');
    zk.dropConnection();
    expect((await inFlight.catch((e) => e)).code).toBe(Err.CONNECTIONLOSS);
    // Made while disconnected: waits for the next connection instead of failing.
    expect(await zk.exists('/')).not.toBeNull();
    expect(zk.state).toBe('connected');
  });
});

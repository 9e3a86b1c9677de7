// Our client against 3-member ensembles (Apache ZooKeeper 3.8 and ours): the session moves to
// another member when its server dies, keeps its ephemerals and watches; read-only mode when
// a member is cut off from its quorum.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, CreateMode, Err, EventType, KeeperState, NotReadOnlyError, type WatchedEvent, type ZkClient } from '../../src/client';
import { fourLetter, serverMode } from '../support/realzk';
import { TARGETS, until, type Ensemble } from './targets';

describe.each(TARGETS)('client against a 3-member ensemble of $name', (target) => {
  let ens: Ensemble | undefined;
  const clients: ZkClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await ens?.stop();
    ens = undefined;
  });

  it('moves the session to another member when its server dies, with ephemerals and watches', async () => {
    ens = await target.startEnsemble(3, { tickTime: 500 });
    const zk = await connect(ens.connectString, { sessionTimeout: 8000, reconnectJitterMs: 100, spinDelayMs: 100 });
    clients.push(zk);
    const other = await connect(ens.connectString, { sessionTimeout: 8000 });
    clients.push(other);
    const session = zk.sessionId;
    await zk.create('/eph', 'mine', { mode: CreateMode.EPHEMERAL });
    await zk.create('/watched', 'v0');
    const events: WatchedEvent[] = [];
    await zk.getData('/watched', (e) => events.push(e));
    const states: number[] = [];
    zk.on('watchedEvent', (e) => e.type === EventType.None && states.push(e.state));

    const first = zk.connectedServer!;
    const victim = ens.members.find((m) => m.connectString === first)!;
    await victim.kill();
    await until(() => zk.state === 'connected' && zk.connectedServer !== first, 'the session on another member', 30_000);
    expect(zk.sessionId).toBe(session);
    expect(states).toEqual([KeeperState.Disconnected, KeeperState.SyncConnected]);
    const { stat } = await zk.getData('/eph');
    expect(stat.ephemeralOwner).toBe(session);

    // The watch set on the dead member was re-registered on the new one.
    await until(async () => {
      try {
        await other.setData('/watched', 'v1');
        return true;
      } catch (e) {
        if ((e as { code?: number }).code === Err.CONNECTIONLOSS) return false;
        throw e;
      }
    }, 'a write through the other client');
    await until(() => events.length === 1, 'the data watch after the move');
    expect(events[0]).toEqual({ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/watched' });
    await victim.restart();
  });
});

// The same scripts against Apache ZooKeeper 3.8 and ours: any difference fails one of them.
describe.each(TARGETS.filter((t) => t.readOnlyMode))('read-only mode of $name', (target) => {
  let ens: Ensemble | undefined;
  const clients: ZkClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await ens?.stop();
    ens = undefined;
  });

  it('reads from a member cut off from its quorum, refuses writes, and returns to read/write', { timeout: 180_000 }, async () => {
    ens = await target.startEnsemble(3, { tickTime: 500, readOnly: true });
    const [m1, m2, m3] = ens.members as [Ensemble['members'][0], Ensemble['members'][0], Ensemble['members'][0]];
    const fast = { sessionTimeout: 8000, reconnectJitterMs: 100, spinDelayMs: 100 };
    const writer = await connect(m1.connectString, fast);
    clients.push(writer);
    await writer.create('/ro', 'before');
    // An ephemeral makes the session global (localSessionsEnabled is on for read-only mode).
    await writer.create('/writer', '', { mode: CreateMode.EPHEMERAL });
    const writerSession = writer.sessionId;

    await m2.kill();
    await m3.kill();
    await until(async () => (await serverMode(m1.clientPort)) === 'read-only', 'member 1 in read-only mode', 60_000);
    // A client that has never seen a read/write server gets a session from the read-only one.
    const zk = await connect(ens.connectString, { ...fast, canBeReadOnly: true, timeoutMs: 60_000 });
    clients.push(zk);
    expect(zk.state).toBe('readOnly');
    const roSession = zk.sessionId;
    const states: string[] = [];
    zk.on('state', (s) => states.push(s));
    expect((await zk.getData('/ro')).data!.toString()).toBe('before');
    expect(await zk.setData('/ro', 'after').catch((e) => e)).toBeInstanceOf(NotReadOnlyError);
    // ZooKeeper refuses to move a global session onto a read-only server: the writer waits.
    expect(writer.state).toBe('suspended');
    // A client that does not accept read-only servers is refused by this one.
    const strict = await connect(m1.connectString, { timeoutMs: 3000 }).catch((e) => e);
    expect(strict.code).toBe(Err.CONNECTIONLOSS);

    await m2.restart();
    await until(() => zk.state === 'connected', 'a read/write connection again', 60_000);
    expect(states.at(-1)).toBe('connected');
    expect(zk.sessionId).not.toBe(roSession);
    await zk.setData('/ro', 'after');
    await until(() => writer.state === 'connected', `the writer back on its session (now ${writer.state}, ${JSON.stringify(writer.stats())})`, 60_000);
    expect(writer.sessionId).toBe(writerSession);
    // Another session wrote 'after', maybe through another member: without sync this member may
    // not have applied it yet (a fresh-clone run read 'before' here), as ZooKeeper allows.
    await writer.sync('/ro');
    expect((await writer.getData('/ro')).data!.toString()).toBe('after');
    expect((await writer.exists('/writer'))!.ephemeralOwner).toBe(writerSession);
  });

  it('answers as a read-only server: four-letter words, AdminServer, what it refuses and what it serves', { timeout: 180_000 }, async () => {
    ens = await target.startEnsemble(3, { tickTime: 500, readOnly: true, admin: true });
    const [m1, m2, m3] = ens.members as [Ensemble['members'][0], Ensemble['members'][0], Ensemble['members'][0]];
    const word = (cmd: string): Promise<string> => fourLetter('127.0.0.1', m1.clientPort, cmd, 5000);
    // A member that leaves its quorum closes every client connection, as ZooKeeper does: a probe
    // in flight at that moment is reset (a full run saw ECONNRESET). While polling for the next
    // state, a reset is "not yet".
    const poll = (cmd: string): Promise<string> =>
      word(cmd).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return '';
        throw e;
      });
    const admin = async (cmd: string): Promise<Record<string, any>> => (await fetch(`http://127.0.0.1:${m1.adminPort}/commands/${cmd}`)).json();
    const writer = await connect(m1.connectString, { sessionTimeout: 8000 });
    await writer.create('/ro', 'before');
    await writer.create('/ro/child', 'c');
    await writer.close();
    expect(await word('isro')).toBe('rw');

    await m2.kill();
    await m3.kill();
    // While it looks for a leader and before the grace period ends, it serves nothing.
    await until(async () => (await poll('isro')) === 'null', 'member 1 not serving', 60_000);
    expect(await word('srvr')).toBe('This ZooKeeper instance is not currently serving requests\n');
    await until(async () => (await poll('isro')) === 'ro', 'member 1 read-only', 60_000);

    const srvr = (await word('srvr')).split('\n');
    expect(srvr[1]).toBe('READ-ONLY mode; serving only read-only clients');
    expect(srvr).toContain('Mode: read-only');
    const stat = (await word('stat')).split('\n');
    expect(stat.slice(1, 3)).toEqual(['READ-ONLY mode; serving only read-only clients', 'Clients:']);
    const mntr = await word('mntr');
    expect(mntr).toMatch(/^zk_server_state\tread-only$/m);
    expect(mntr).not.toMatch(/^zk_peer_state/m);
    const conf = await word('conf');
    expect(conf).toMatch(/^peerType=0$/m);
    expect(conf).not.toMatch(/^membership:/m);

    expect(await admin('is_read_only')).toMatchObject({ read_only: true, error: null });
    const stats = await admin('server_stats');
    expect(stats).toMatchObject({ read_only: true, error: null });
    expect(stats.server_stats.server_state).toBe('read-only');
    expect(await admin('zabstate')).toEqual({ command: 'zabstate', voting: false, zabstate: '', error: null });
    expect(await admin('leader')).toEqual({ command: 'leader', error: 'server is not initialized' });
    expect(await admin('voting_view')).toEqual({ command: 'voting_view', current_config: {}, error: null });

    const zk = await connect(m1.connectString, { sessionTimeout: 8000, canBeReadOnly: true, timeoutMs: 30_000 });
    clients.push(zk);
    expect(zk.state).toBe('readOnly');
    const code = (p: Promise<unknown>): Promise<number | string> => p.then(() => 'ok', (e: { code?: number }) => e.code ?? String(e));
    // ReadOnlyRequestProcessor's list, sync and check included; a multi whatever its ops.
    expect({
      create: await code(zk.create('/x')),
      create2: await code(zk.create2('/x')),
      container: await code(zk.create('/x', null, { mode: CreateMode.CONTAINER })),
      ttl: await code(zk.create('/x', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 1000 })),
      delete: await code(zk.delete('/ro/child')),
      setData: await code(zk.setData('/ro', 'x')),
      setACL: await code(zk.setACL('/ro', [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }])),
      sync: await code(zk.sync('/ro')),
      multiCheck: await code(zk.multi([{ op: 'check', path: '/ro', version: 0 }])),
      reconfig: await code(zk.reconfig({ leaving: '3' })),
    }).toEqual({ create: Err.NOTREADONLY, create2: Err.NOTREADONLY, container: Err.NOTREADONLY, ttl: Err.NOTREADONLY, delete: Err.NOTREADONLY, setData: Err.NOTREADONLY, setACL: Err.NOTREADONLY, sync: Err.NOTREADONLY, multiCheck: Err.NOTREADONLY, reconfig: Err.NOTREADONLY });
    // Reads come from the member's tree as it is.
    expect((await zk.getData('/ro')).data!.toString()).toBe('before');
    expect(await zk.getChildren('/ro')).toEqual(['child']);
    expect((await zk.exists('/ro/child'))!.dataLength).toBe(1);
    expect(await zk.exists('/nope')).toBeNull();
    expect((await zk.getACL('/ro')).acl).toEqual([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
    expect(await zk.getAllChildrenNumber('/ro')).toBe(1);
    expect(await zk.getEphemerals()).toEqual([]);
    expect((await zk.multiRead([{ op: 'getData', path: '/ro/child' }])).length).toBe(1);
    const watched: WatchedEvent[] = [];
    await zk.getData('/ro', (e) => watched.push(e));
    expect(await word('wchs')).toBe('1 connections watching 1 paths\nTotal watches:1\n');
    expect((await admin('server_stats')).server_stats.num_alive_client_connections).toBe(1);
    expect(await word('dump')).toMatch(/^SessionTracker dump:\nLocal Session Sets \(\d+\)\/\(1\):\n/);

    // Back in a quorum, the read-only server and every connection of it end.
    await m2.restart();
    await until(async () => (await word('isro')) === 'rw', 'member 1 read/write again', 60_000);
    await until(() => zk.state === 'connected', 'the client on a read/write server', 60_000);
    expect((await admin('is_read_only')).read_only).toBe(false);
  });
});

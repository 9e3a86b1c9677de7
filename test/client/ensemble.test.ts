// Our client against 3-member ensembles (Apache ZooKeeper 3.8 and ours): the session moves to
// another member when its server dies, keeps its ephemerals and watches; read-only mode when
// a member is cut off from its quorum.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, CreateMode, Err, EventType, KeeperState, NotReadOnlyError, type WatchedEvent, type ZkClient } from '../../src/client';
import { serverMode } from '../support/realzk';
import { realZk, TARGETS, until, type Ensemble } from './targets';

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

describe.skipIf(!realZk.readOnlyMode)('read-only mode against Apache ZooKeeper 3.8', () => {
  let ens: Ensemble | undefined;
  const clients: ZkClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await ens?.stop();
    ens = undefined;
  });

  it('reads from a member cut off from its quorum, refuses writes, and returns to read/write', { timeout: 180_000 }, async () => {
    ens = await realZk.startEnsemble(3, { tickTime: 500, readOnly: true });
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
    expect((await writer.getData('/ro')).data!.toString()).toBe('after');
    expect((await writer.exists('/writer'))!.ephemeralOwner).toBe(writerSession);
  });
});

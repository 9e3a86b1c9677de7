// Sessions, watches and reapers of our server, through raw wire requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Err, EventType, OpCode } from '../../src/protocol/codes';
import { Reader } from '../../src/protocol/jute';
import * as R from '../../src/protocol/records';
import { start, waitFor, type OurZk } from '../support/ourzk';
import { RawConn } from '../support/raw';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

async function session(zk: OurZk, timeOut = 1000): Promise<{ c: RawConn; id: bigint; passwd: Buffer; xid: () => number }> {
  const c = await RawConn.open(zk.clientPort);
  const r = R.ConnectResponse.decode((await c.handshake({ timeOut }))!);
  let x = 0;
  return { c, id: r.sessionId, passwd: r.passwd!, xid: () => ++x };
}

async function create(s: { c: RawConn; xid: () => number }, path: string, flags = 0, extra?: { ttl: bigint }): Promise<number> {
  const x = s.xid();
  if (extra) s.c.request(x, OpCode.createTTL, { codec: R.CreateTTLRequest, value: { path, data: Buffer.from('d'), acl: OPEN, flags, ttl: extra.ttl } });
  else s.c.request(x, OpCode.create, { codec: R.CreateRequest, value: { path, data: Buffer.from('d'), acl: OPEN, flags } });
  return (await s.c.reply()).err;
}

async function exists(s: { c: RawConn; xid: () => number }, path: string, watch = false): Promise<number> {
  s.c.request(s.xid(), OpCode.exists, { codec: R.PathWatchRequest, value: { path, watch } });
  return (await s.c.reply()).err;
}

/** Waits for the next notification (xid -1) on a connection. */
async function nextEvent(c: RawConn): Promise<{ type: number; path: string }> {
  for (;;) {
    const f = await c.next();
    if (!f) throw new Error('closed');
    const r = new Reader(f);
    const h = R.ReplyHeader.read(r);
    if (h.xid === -1) {
      const e = R.WatcherEvent.read(r);
      return { type: e.type, path: e.path };
    }
  }
}

describe('sessions, watches and reapers', () => {
  let zk: OurZk;
  beforeAll(async () => {
    zk = await start({ tickTime: 200, extendedTypes: true, config: { minSessionTimeout: 400, 'znode.container.checkIntervalMs': 200 } });
  });
  afterAll(async () => {
    await zk?.stop();
  });

  it('expires a silent session: its ephemerals go and their watchers hear NodeDeleted', async () => {
    const watcher = await session(zk, 10_000);
    // The owner's 400 ms session expires unless it speaks, and a raw connection sends no pings:
    // on a stalled machine it can expire before the watcher has set its watch (exists answers
    // NONODE). Then the watch was never set on a live node: start over with a new owner and path.
    let owner: Awaited<ReturnType<typeof session>>;
    let path = '';
    for (let attempt = 1; ; attempt++) {
      owner = await session(zk, 400);
      path = `/eph${attempt}`;
      // (A session that expired before its create has its connection closed: no reply.)
      const created = await create(owner, path, 1).catch(() => null);
      if (created === 0 && (await exists(watcher, path, true)) === 0) break;
      owner.c.close();
      expect(attempt, `the owner's session expired before the watch was set, ${attempt} times`).toBeLessThan(5);
    }
    owner.c.socket.pause(); // no pings from here on
    owner.c.socket.unref();
    expect(await nextEvent(watcher.c)).toEqual({ type: EventType.NodeDeleted, path });
    expect(await exists(watcher, path)).toBe(Err.NONODE);
    // the expired session cannot come back
    const back = await RawConn.open(zk.clientPort);
    const r = R.ConnectResponse.decode((await back.handshake({ sessionId: owner.id, passwd: owner.passwd }))!);
    expect(r.timeOut).toBe(0);
    // The lab's timeline hears of it as it does from an ensemble's leader (one SessionUpkeep for both).
    const events = await (await fetch(`http://127.0.0.1:${zk.adminPort}/commands/lab_events`)).text();
    expect(events).toMatch(new RegExp(`"type" : "session.expired",\\s*"sid" : 1,\\s*"session" : ${owner.id},\\s*"myid" : 0\\b`));
    owner.c.close();
    watcher.c.close();
  });

  it('lets a session re-attach from another connection and closes the old one', async () => {
    const s = await session(zk, 5000);
    expect(await create(s, '/moved', 1)).toBe(0);
    const again = await RawConn.open(zk.clientPort);
    const r = R.ConnectResponse.decode((await again.handshake({ sessionId: s.id, passwd: s.passwd, timeOut: 5000 }))!);
    expect(r.sessionId).toBe(s.id);
    await s.c.waitClosed();
    again.request(1, OpCode.getEphemerals, { codec: R.GetEphemeralsRequest, value: { prefixPath: '/' } });
    const rep = await again.reply();
    expect(R.GetEphemeralsResponse.read(rep.r).ephemerals).toEqual(['/moved']);
    again.close();
  });

  it('fires a one-shot data watch once, and setWatches reports what changed while away', async () => {
    const w = await session(zk, 5000);
    const writer = await session(zk, 5000);
    expect(await create(writer, '/once')).toBe(0);
    w.c.request(w.xid(), OpCode.getData, { codec: R.PathWatchRequest, value: { path: '/once', watch: true } });
    const got = await w.c.reply();
    const seenZxid = got.zxid;
    writer.c.request(writer.xid(), OpCode.setData, { codec: R.SetDataRequest, value: { path: '/once', data: Buffer.from('1'), version: -1 } });
    await writer.c.reply();
    expect(await nextEvent(w.c)).toEqual({ type: EventType.NodeDataChanged, path: '/once' });
    writer.c.request(writer.xid(), OpCode.setData, { codec: R.SetDataRequest, value: { path: '/once', data: Buffer.from('2'), version: -1 } });
    await writer.c.reply();
    // the watch is gone: a ping round trip shows no second event arrived before it
    w.c.request(-2, OpCode.ping);
    const f = await w.c.next();
    expect(R.ReplyHeader.decode(f!).xid).toBe(-2);
    // reconnect elsewhere with the zxid seen before the changes: setWatches answers at once
    const back = await RawConn.open(zk.clientPort);
    await back.handshake({ sessionId: w.id, passwd: w.passwd, timeOut: 5000 });
    back.request(-8, OpCode.setWatches, { codec: R.SetWatches, value: { relativeZxid: seenZxid, dataWatches: ['/once'], existWatches: ['/not-yet'], childWatches: [] } });
    expect(await nextEvent(back)).toEqual({ type: EventType.NodeDataChanged, path: '/once' });
    expect((await back.reply()).xid).toBe(-8);
    expect(await create(writer, '/not-yet')).toBe(0);
    expect(await nextEvent(back)).toEqual({ type: EventType.NodeCreated, path: '/not-yet' });
    back.close();
    writer.c.close();
  });

  it('keeps persistent recursive watches and never sends them NodeChildrenChanged', async () => {
    const w = await session(zk, 5000);
    const writer = await session(zk, 5000);
    w.c.request(w.xid(), OpCode.addWatch, { codec: R.AddWatchRequest, value: { path: '/tree', mode: 1 } });
    await w.c.reply();
    expect(await create(writer, '/tree')).toBe(0);
    expect(await create(writer, '/tree/a')).toBe(0);
    expect(await create(writer, '/tree/a/b')).toBe(0);
    expect([await nextEvent(w.c), await nextEvent(w.c), await nextEvent(w.c)]).toEqual([
      { type: EventType.NodeCreated, path: '/tree' },
      { type: EventType.NodeCreated, path: '/tree/a' },
      { type: EventType.NodeCreated, path: '/tree/a/b' },
    ]);
    w.c.close();
    writer.c.close();
  });

  it('reaps an emptied container and an expired TTL node', async () => {
    const s = await session(zk, 5000);
    expect(await create(s, '/box', 4)).toBe(0);
    expect(await create(s, '/box/item')).toBe(0);
    s.c.request(s.xid(), OpCode.delete, { codec: R.DeleteRequest, value: { path: '/box/item', version: -1 } });
    expect((await s.c.reply()).err).toBe(0);
    expect(await create(s, '/ttl', 5, { ttl: 300n })).toBe(0);
    await waitFor(async () => (await exists(s, '/box')) === Err.NONODE && (await exists(s, '/ttl')) === Err.NONODE, 10_000, 'container and TTL reaped');
    s.c.close();
  });
});

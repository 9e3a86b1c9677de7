// Our server on the wire, byte by byte: handshake sizes, out-of-band xids, error codes, and
// bad input that must close one connection and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Err, OpCode } from '../../src/protocol/codes';
import * as R from '../../src/protocol/records';
import { fourLetter, start, type OurZk } from '../support/ourzk';
import { RawConn } from '../support/raw';

describe('our server on the wire', () => {
  let zk: OurZk;
  beforeAll(async () => {
    zk = await start({ tickTime: 500, config: { '4lw.commands.whitelist': 'srvr,ruok,mntr,stat,cons' } });
  });
  afterAll(async () => {
    await zk?.stop();
  });

  it('answers a connect with exactly 37 payload bytes (41 with the length) and a 16-byte password', async () => {
    const c = await RawConn.open(zk.clientPort);
    const resp = (await c.handshake({ timeOut: 60_000 }))!;
    expect(resp.length).toBe(37);
    const r = R.ConnectResponse.decode(resp);
    expect(r.timeOut).toBe(10_000); // clamped to maxSessionTimeout = 20 ticks
    expect(r.passwd!.length).toBe(16);
    expect(r.sessionId >> 56n).toBe(1n);
    c.close();
  });

  it('refuses a client that has seen a newer zxid than the server', async () => {
    const c = await RawConn.open(zk.clientPort);
    expect(await c.handshake({ lastZxidSeen: 0x7fffffffn })).toBeNull();
  });

  it('rejects a wrong session password with timeout 0 and closes', async () => {
    const c = await RawConn.open(zk.clientPort);
    const first = R.ConnectResponse.decode((await c.handshake())!);
    const d = await RawConn.open(zk.clientPort);
    const bad = R.ConnectResponse.decode((await d.handshake({ sessionId: first.sessionId, passwd: Buffer.alloc(16, 1) }))!);
    expect(bad.timeOut).toBe(0);
    expect(bad.sessionId).toBe(0n);
    await d.waitClosed();
    // the right password re-attaches the session
    const e = await RawConn.open(zk.clientPort);
    const again = R.ConnectResponse.decode((await e.handshake({ sessionId: first.sessionId, passwd: first.passwd! }))!);
    expect(again.sessionId).toBe(first.sessionId);
    c.close();
    e.close();
  });

  it('answers ping with xid -2, exists on a missing node with -101, addWatch with a 4-byte body', async () => {
    const c = await RawConn.open(zk.clientPort);
    await c.handshake();
    c.request(-2, OpCode.ping);
    expect((await c.reply()).xid).toBe(-2);
    c.request(1, OpCode.exists, { codec: R.PathWatchRequest, value: { path: '/missing', watch: false } });
    const ex = await c.reply();
    expect([ex.xid, ex.err, ex.r.remaining()]).toEqual([1, Err.NONODE, 0]);
    c.request(2, OpCode.addWatch, { codec: R.AddWatchRequest, value: { path: '/w', mode: 1 } });
    const aw = await c.reply();
    expect([aw.xid, aw.err, aw.r.remaining()]).toEqual([2, 0, 4]);
    c.close();
  });

  it('answers a failed multi with header err 0 and per-op results 0 / code / -2', async () => {
    const c = await RawConn.open(zk.clientPort);
    await c.handshake();
    const { Writer } = await import('../../src/protocol/jute');
    const w = new Writer();
    const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
    R.MultiHeader.write(w, { type: 1, done: false, err: -1 });
    R.CreateRequest.write(w, { path: '/multi-a', data: null, acl, flags: 0 });
    R.MultiHeader.write(w, { type: 2, done: false, err: -1 });
    R.DeleteRequest.write(w, { path: '/multi-missing', version: -1 });
    R.MultiHeader.write(w, { type: 1, done: false, err: -1 });
    R.CreateRequest.write(w, { path: '/multi-b', data: null, acl, flags: 0 });
    R.MultiHeader.write(w, { type: -1, done: true, err: -1 });
    c.request(7, OpCode.multi, { codec: { write: (ww: any) => ww.raw(w.bytes()) }, value: null });
    const rep = await c.reply();
    expect(rep.err).toBe(0);
    const errs: number[] = [];
    for (;;) {
      const h = R.MultiHeader.read(rep.r);
      if (h.done) break;
      expect(h.type).toBe(-1);
      errs.push(R.ErrorResponse.read(rep.r).err);
    }
    expect(errs).toEqual([0, Err.NONODE, Err.RUNTIMEINCONSISTENCY]);
    c.close();
  });

  it('closes a connection that sends a bad frame length or a malformed record, and keeps serving others', async () => {
    const good = await RawConn.open(zk.clientPort);
    await good.handshake();
    const huge = await RawConn.open(zk.clientPort);
    const len = Buffer.alloc(4);
    len.writeInt32BE(0x7ffffff0);
    huge.socket.write(len);
    await huge.waitClosed();
    const neg = await RawConn.open(zk.clientPort);
    len.writeInt32BE(-7);
    neg.socket.write(len);
    await neg.waitClosed();
    const garbage = await RawConn.open(zk.clientPort);
    await garbage.handshake();
    // getData whose path claims 1000 bytes but carries 3
    const g = Buffer.alloc(8 + 4 + 3);
    g.writeInt32BE(1, 0);
    g.writeInt32BE(OpCode.getData, 4);
    g.writeInt32BE(1000, 8);
    garbage.sendFrame(g);
    await garbage.waitClosed();
    const unknownOp = await RawConn.open(zk.clientPort);
    await unknownOp.handshake();
    unknownOp.request(1, 9999);
    await unknownOp.waitClosed();
    good.request(1, OpCode.getData, { codec: R.PathWatchRequest, value: { path: '/zookeeper', watch: false } });
    expect((await good.reply()).err).toBe(0);
    good.close();
  });

  it('is not held up by a client that never reads its replies', async () => {
    const stalled = await RawConn.open(zk.clientPort);
    await stalled.handshake();
    stalled.socket.pause();
    for (let i = 0; i < 2000; i++) stalled.request(i + 1, OpCode.getData, { codec: R.PathWatchRequest, value: { path: '/zookeeper/config', watch: false } });
    const other = await RawConn.open(zk.clientPort);
    await other.handshake();
    other.request(1, OpCode.exists, { codec: R.PathWatchRequest, value: { path: '/', watch: false } });
    expect((await other.reply()).err).toBe(0);
    other.close();
    stalled.close();
  });

  it('survives a seeded storm of random request bodies and churning sockets', async () => {
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const ops = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 100, 101, 102, 103, 104, 105, 106, 107, -11, 11];
    for (let round = 0; round < 40; round++) {
      const c = await RawConn.open(zk.clientPort);
      await c.handshake();
      for (let i = 0; i < 10; i++) {
        const body = Buffer.alloc(rand(64));
        for (let j = 0; j < body.length; j++) body[j] = rand(256);
        // Sometimes a plausible path prefix, so decoding gets further before it fails.
        if (rand(2) === 0 && body.length >= 8) body.writeInt32BE(rand(12), 0);
        const head = Buffer.alloc(8);
        head.writeInt32BE(i + 1, 0);
        head.writeInt32BE(ops[rand(ops.length)]!, 4);
        c.sendFrame(Buffer.concat([head, body]));
      }
      c.close();
      // churn: sockets that connect and vanish before or during the handshake
      const d = await RawConn.open(zk.clientPort);
      if (rand(2) === 0) d.socket.write(Buffer.from([0, 0, 0, 45, 0, 0]));
      d.close();
    }
    expect(zk.running).toBe(true);
    // Every bad body was refused as bad input, none reached an internal error.
    expect(zk.log()).not.toMatch(/ERROR/);
    const ok = await RawConn.open(zk.clientPort);
    await ok.handshake();
    ok.request(1, OpCode.getChildren, { codec: R.PathWatchRequest, value: { path: '/', watch: false } });
    expect((await ok.reply()).err).toBe(0);
    ok.close();
  });

  it('answers four-letter words, honouring the whitelist', async () => {
    expect(await fourLetter('127.0.0.1', zk.clientPort, 'ruok')).toBe('imok');
    const srvr = await fourLetter('127.0.0.1', zk.clientPort, 'srvr');
    expect(srvr).toMatch(/^Zookeeper version: 3\.8\.\d+-/);
    expect(srvr).toMatch(/\nMode: standalone\n/);
    expect(srvr).toMatch(/\nZxid: 0x[0-9a-f]+\n/);
    expect(await fourLetter('127.0.0.1', zk.clientPort, 'dump')).toBe('dump is not executed because it is not in the whitelist.\n');
    expect(await fourLetter('127.0.0.1', zk.clientPort, 'mntr')).toMatch(/^zk_version\t3\.8/);
  });

  it('answers the AdminServer with Apache ZooKeeper field names', async () => {
    const get = async (name: string): Promise<any> => (await fetch(`http://127.0.0.1:${zk.adminPort}/commands/${name}`)).json();
    const stats = await get('server_stats');
    expect(stats.command).toBe('server_stats');
    expect(stats.error).toBeNull();
    expect(stats.server_stats.server_state).toBe('standalone');
    expect(await get('zabstate')).toMatchObject({ voting: false, zabstate: '', error: null });
    expect(await get('leader')).toMatchObject({ error: 'server is not initialized' });
    expect(await get('nope')).toEqual({ command: 'nope', error: 'Unknown command: nope' });
    expect(await get('mntr')).toMatchObject({ command: 'monitor', server_state: 'standalone', znode_count: 5 });
    const index = await (await fetch(`http://127.0.0.1:${zk.adminPort}/commands`)).text();
    expect(index).toContain('<a href="/commands/zabstate">zabstate</a><br/>');
  });
});

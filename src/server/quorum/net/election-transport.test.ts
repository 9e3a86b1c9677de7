// The election port on loopback: ZooKeeper's byte layouts, the larger-sid-connects rule, the
// send queue of one and the resend of the last message when a connection comes up.
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerState, NO_SID } from '../vote';
import { ElectionTransport } from './election-transport';
import { decodeHandshake, decodeNotification, encodeHandshake, encodeNotification } from './notification';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(probe: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const open: (ElectionTransport | Socket)[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) {
    if (t instanceof ElectionTransport) await t.close();
    else t.destroy();
  }
});

async function mesh(sids: number[]): Promise<{ t: Map<number, ElectionTransport>; got: Map<number, [number, string][]> }> {
  const ports = new Map<number, number>();
  for (const sid of sids) ports.set(sid, await freePort());
  const t = new Map<number, ElectionTransport>();
  const got = new Map<number, [number, string][]>();
  for (const sid of sids) {
    const peers = new Map(sids.filter((s) => s !== sid).map((s) => [s, { host: '127.0.0.1', port: ports.get(s)! }]));
    const tr = new ElectionTransport({ myid: sid, me: { host: '127.0.0.1', port: ports.get(sid)! }, peers });
    got.set(sid, []);
    tr.on('message', (from, b) => got.get(sid)!.push([from, b.toString()]));
    await tr.listen();
    open.push(tr);
    t.set(sid, tr);
  }
  return { t, got };
}

describe('notification bytes (FastLeaderElection.buildMsg)', () => {
  it('writes the 44-byte version-2 layout plus the config text', () => {
    const b = encodeNotification({ state: ServerState.FOLLOWING, leader: 3, zxid: 0x100000005n, electionEpoch: 7n, peerEpoch: 1n, version: 2, config: 'server.1=a:1:2:participant\nversion=0' });
    expect(b.length).toBe(44 + 36);
    expect(b.readInt32BE(0)).toBe(1);
    expect(b.readBigInt64BE(4)).toBe(3n);
    expect(b.readBigInt64BE(12)).toBe(0x100000005n);
    expect(b.readBigInt64BE(20)).toBe(7n);
    expect(b.readBigInt64BE(28)).toBe(1n);
    expect(b.readInt32BE(36)).toBe(2);
    expect(b.readInt32BE(40)).toBe(36);
    expect(b.toString('utf8', 44)).toBe('server.1=a:1:2:participant\nversion=0');
    expect(decodeNotification(b)).toEqual({ state: 1, leader: 3, zxid: 0x100000005n, electionEpoch: 7n, peerEpoch: 1n, version: 2, config: 'server.1=a:1:2:participant\nversion=0' });
  });

  it('reads the older 28- and 40-byte layouts and skips what is too short', () => {
    const b28 = Buffer.alloc(28);
    b28.writeInt32BE(0, 0);
    b28.writeBigInt64BE(2n, 4);
    b28.writeBigInt64BE(0x300000009n, 12);
    b28.writeBigInt64BE(4n, 20);
    expect(decodeNotification(b28)).toMatchObject({ leader: 2, zxid: 0x300000009n, peerEpoch: 3n, version: 0 });
    const b40 = Buffer.alloc(40);
    b40.writeInt32BE(2, 0);
    b40.writeBigInt64BE(5n, 4);
    b40.writeBigInt64BE(8n, 28);
    expect(decodeNotification(b40)).toMatchObject({ state: ServerState.LEADING, leader: 5, peerEpoch: 8n, version: 0 });
    expect(decodeNotification(Buffer.alloc(27))).toBeNull();
  });

  it('carries an observer proposal as Long.MIN_VALUE', () => {
    const b = encodeNotification({ state: ServerState.LOOKING, leader: NO_SID, zxid: -(1n << 63n), electionEpoch: 1n, peerEpoch: -(1n << 63n), version: 2, config: '' });
    expect(b.readBigInt64BE(4)).toBe(-(1n << 63n));
    expect(decodeNotification(b)?.leader).toBe(NO_SID);
  });

  it('writes the handshake as protocol version -65536, sid, length, host:port', () => {
    const b = encodeHandshake(4, '127.0.0.1:3888');
    expect(b.readBigInt64BE(0)).toBe(-65536n);
    expect(b.readBigInt64BE(8)).toBe(4n);
    expect(b.readInt32BE(16)).toBe(14);
    expect(b.toString('utf8', 20)).toBe('127.0.0.1:3888');
    expect(decodeHandshake(b)).toEqual({ sid: 4, address: '127.0.0.1:3888', used: 34 });
    expect(decodeHandshake(b.subarray(0, 25))).toBeNull();
    const old = Buffer.alloc(8);
    old.writeBigInt64BE(6n);
    expect(decodeHandshake(old)).toEqual({ sid: 6, address: null, used: 8 });
    const bad = Buffer.from(b);
    bad.writeInt32BE(4000, 16);
    expect(() => decodeHandshake(bad)).toThrow(/out of range/);
  });
});

describe('election connection manager (QuorumCnxManager)', () => {
  it('delivers messages between every pair, with one connection per pair', async () => {
    const { t, got } = await mesh([1, 2, 3]);
    for (const [from, tr] of t) for (const to of [1, 2, 3]) tr.send(to, Buffer.from(`${from}->${to}`));
    await waitFor(() => [...got.values()].every((g) => g.length === 3), 'every message');
    for (const [sid, g] of got) expect(g.map(([f, m]) => `${f}:${m}`).sort()).toEqual([1, 2, 3].map((f) => `${f}:${f}->${sid}`));
    for (const [sid, tr] of t) for (const other of [1, 2, 3]) if (other !== sid) expect(tr.isConnected(other)).toBe(true);
  });

  it('keeps only the connection dialled by the larger sid, and dials back a smaller one', async () => {
    const { t, got } = await mesh([5]);
    const five = t.get(5)!;
    const peerPort = await freePort();
    // A peer with the smaller sid 2 dials 5: 5 must hang up and dial 2 back at its address.
    const accepted: Socket[] = [];
    const fake = createServer((s) => accepted.push(s));
    await new Promise<void>((r) => fake.listen(peerPort, '127.0.0.1', () => r()));
    const port5 = (five as unknown as { opts: { me: { port: number } } }).opts.me.port;
    const s = connect(port5, '127.0.0.1');
    open.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write(encodeHandshake(2, `127.0.0.1:${peerPort}`));
    await new Promise<void>((r) => s.once('close', () => r()));
    await waitFor(() => accepted.length === 1, '5 to dial 2 back');
    const back = accepted[0]!;
    open.push(back);
    const first = await new Promise<Buffer>((r) => back.once('data', r));
    expect(decodeHandshake(first)).toMatchObject({ sid: 5, address: `127.0.0.1:${port5}` });
    // On that connection a framed message from 2 arrives as a message from 2.
    const payload = Buffer.from('hello from 2');
    const frame = Buffer.alloc(4 + payload.length);
    frame.writeInt32BE(payload.length);
    payload.copy(frame, 4);
    back.write(frame);
    await waitFor(() => got.get(5)!.length === 1, 'the message');
    expect(got.get(5)).toEqual([[2, 'hello from 2']]);
    fake.close();
  });

  it('keeps only the newest message for a peer that is down and sends it when it comes up', async () => {
    const portB = await freePort();
    const portA = await freePort();
    const a = new ElectionTransport({ myid: 1, me: { host: '127.0.0.1', port: portA }, peers: new Map([[2, { host: '127.0.0.1', port: portB }]]), connectTimeoutMs: 500 });
    open.push(a);
    await a.listen();
    a.send(2, Buffer.from('old'));
    a.send(2, Buffer.from('new'));
    const b = new ElectionTransport({ myid: 2, me: { host: '127.0.0.1', port: portB }, peers: new Map([[1, { host: '127.0.0.1', port: portA }]]) });
    open.push(b);
    const got: string[] = [];
    b.on('message', (_f, m) => got.push(m.toString()));
    await b.listen();
    // Election's timeout is what makes the manager dial again (connectAll); poll it like that.
    await waitFor(() => (a.connectAll(), got.length > 0), 'the queued message');
    expect(got).toEqual(['new']);
    // Restarting b: a resends its last message on the new connection.
    await b.close();
    const b2 = new ElectionTransport({ myid: 2, me: { host: '127.0.0.1', port: portB }, peers: new Map([[1, { host: '127.0.0.1', port: portA }]]) });
    open.push(b2);
    const again: string[] = [];
    b2.on('message', (_f, m) => again.push(m.toString()));
    await b2.listen();
    await waitFor(() => !a.isConnected(2), 'a to notice b went away');
    await waitFor(() => (a.connectAll(), again.length > 0), 'the resent message');
    expect(again).toEqual(['new']);
  });

  it('loops messages to itself back and reports peers coming and going', async () => {
    const { t, got } = await mesh([1, 2]);
    const ups: number[] = [];
    const downs: number[] = [];
    t.get(1)!.on('peerUp', (s) => ups.push(s));
    t.get(1)!.on('peerDown', (s) => downs.push(s));
    t.get(1)!.send(1, Buffer.from('self'));
    t.get(1)!.send(2, Buffer.from('x'));
    await waitFor(() => got.get(1)!.length === 1 && got.get(2)!.length === 1, 'messages');
    expect(got.get(1)).toEqual([[1, 'self']]);
    await waitFor(() => ups.includes(2), 'peer 2 up');
    await t.get(2)!.close();
    await waitFor(() => downs.includes(2), 'peer 2 down');
  });

  it('closes a connection that announces an oversized message', async () => {
    const { t, got } = await mesh([9]);
    const port = (t.get(9)! as unknown as { opts: { me: { port: number } } }).opts.me.port;
    const s = connect(port, '127.0.0.1');
    open.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
    const len = Buffer.alloc(4);
    len.writeInt32BE(600 * 1024);
    s.write(Buffer.concat([encodeHandshake(12, '127.0.0.1:1'), len]));
    await new Promise<void>((r) => s.once('close', () => r()));
    expect(got.get(9)).toEqual([]);
  });
});

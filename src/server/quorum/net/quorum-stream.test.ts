// The quorum port on loopback: every ZAB message survives the trip through ZooKeeper's packet
// layout, packets are written back to back without length prefix, and a SNAP's snapshot stream
// sits between the packets around it.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Writer } from '../../../protocol/jute';
import { QuorumPacket } from '../../../protocol/records';
import { encodeSnapStream, SnapStreamReader } from '../../storage/snapstream';
import { DataTree } from '../../tree/datatree';
import type { ZabMessage } from '../zab/types';
import { QuorumStream } from './quorum-stream';
import { PacketType, toPacket, wireTxn, type WireTxn } from './zab-codec';

let server: Server | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** A connected pair: the learner's end (remote = leader) and the leader's end (remote = learner). */
async function pair(): Promise<{ learner: QuorumStream; leader: QuorumStream }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer((s) => resolve(s));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const port = (server!.address() as { port: number }).port;
  const c = connect(port, '127.0.0.1');
  await new Promise<void>((r) => c.once('connect', () => r()));
  const s = await accepted;
  sockets.push(c, s);
  return { learner: new QuorumStream(c, 'leader'), leader: new QuorumStream(s, 'learner') };
}

function collect(stream: QuorumStream, n: number): Promise<ZabMessage<WireTxn>[]> {
  const got: ZabMessage<WireTxn>[] = [];
  return new Promise((resolve, reject) => {
    stream.on('message', (m) => {
      got.push(m);
      if (got.length === n) resolve(got);
    });
    stream.on('close', (why) => reject(new Error(`closed after ${got.length} messages: ${why}`)));
  });
}

const txn = wireTxn({ header: { clientId: 0x1234n, cxid: 7, zxid: 0x200000001n, time: 1700000000000n, type: 1 }, txn: { type: 1, path: '/a', data: Buffer.from('x'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], ephemeral: false, parentCVersion: 1 } });

describe('ZAB packets (Leader.java layouts)', () => {
  it('writes FOLLOWERINFO, LEADERINFO and ACKEPOCH as ZooKeeper does', () => {
    const fi = toPacket({ type: 'FOLLOWERINFO', acceptedEpoch: 3n, sid: 2, protocolVersion: 0x10000, configVersion: 0n });
    expect(fi.type).toBe(11);
    expect(fi.zxid).toBe(0x300000000n);
    expect(fi.data!.toString('hex')).toBe('0000000000000002' + '00010000' + '0000000000000000');
    const li = toPacket({ type: 'LEADERINFO', newEpoch: 4n, protocolVersion: 0x10000 });
    expect([li.type, li.zxid, li.data!.toString('hex')]).toEqual([17, 0x400000000n, '00010000']);
    const ae = toPacket({ type: 'ACKEPOCH', lastLoggedZxid: 0x300000009n, currentEpoch: -1n });
    expect([ae.type, ae.zxid, ae.data!.toString('hex')]).toEqual([18, 0x300000009n, 'ffffffff']);
    // A learner's PING answer carries a (maybe empty) array, never null; the leader's PING has none.
    expect(toPacket({ type: 'PING', zxid: 5n, touches: [] }, 'learner').data).toEqual(Buffer.alloc(0));
    expect(toPacket({ type: 'PING', zxid: 5n, touches: [] }, 'leader').data).toBeNull();
    const w = new Writer(64);
    QuorumPacket.write(w, toPacket({ type: 'UPTODATE' }));
    // int type, long zxid -1, buffer null (-1), vector null... authinfo empty (0).
    expect(w.bytes().toString('hex')).toBe('0000000c' + 'ffffffffffffffff' + 'ffffffff' + '00000000');
  });

  it('carries every message from leader to learner and back', async () => {
    const { learner, leader } = await pair();
    const down: ZabMessage<WireTxn>[] = [
      { type: 'LEADERINFO', newEpoch: 2n, protocolVersion: 0x10000 },
      { type: 'DIFF', zxid: 0x100000009n },
      { type: 'PROPOSAL', txn },
      { type: 'COMMIT', zxid: txn.zxid },
      { type: 'NEWLEADER', zxid: 0x200000000n, config: 'server.1=127.0.0.1:1:2:participant\nversion=0' },
      { type: 'UPTODATE' },
      { type: 'PING', zxid: 0x200000001n, touches: [] },
      { type: 'INFORM', txn },
      { type: 'SYNC' },
      { type: 'REVALIDATE_REPLY', sessionId: 0x100n, valid: true },
      { type: 'TRUNC', zxid: 0x100000003n },
    ];
    const up: ZabMessage<WireTxn>[] = [
      { type: 'FOLLOWERINFO', acceptedEpoch: 1n, sid: 3, protocolVersion: 0x10000, configVersion: 0n },
      { type: 'ACKEPOCH', lastLoggedZxid: 0x100000009n, currentEpoch: 1n },
      { type: 'ACK', zxid: 0x200000001n },
      { type: 'PING', zxid: 0x200000001n, touches: [{ sessionId: 0x100n, timeout: 6000 }, { sessionId: -5n, timeout: 4000 }] },
      { type: 'REQUEST', request: { sessionId: 0x100n, cxid: 9, type: 1, body: Buffer.from('body'), authinfo: [{ scheme: 'digest', id: 'u:x' }] } },
      { type: 'REVALIDATE', sessionId: 0x100n, timeout: 6000 },
    ];
    const gotDown = collect(learner, down.length);
    const gotUp = collect(leader, up.length);
    for (const m of down) leader.send(m);
    for (const m of up) learner.send(m);
    const d = await gotDown;
    expect(d.map((m) => m.type)).toEqual(down.map((m) => m.type));
    const p = d[2] as Extract<ZabMessage<WireTxn>, { type: 'PROPOSAL' }>;
    expect(p.txn.zxid).toBe(txn.zxid);
    expect(p.txn.txn).toEqual(txn.txn);
    expect(d[4]).toEqual(down[4]);
    expect(d[9]).toEqual(down[9]);
    const u = await gotUp;
    expect(u[0]).toEqual(up[0]);
    expect(u[1]).toEqual(up[1]);
    expect(u[3]).toEqual(up[3]);
    expect(u[4]).toEqual({ type: 'REQUEST', request: { ...(up[4] as { request: object }).request, body: Buffer.from('body') } });
    expect(u[5]).toEqual(up[5]);
  });

  it('sends the packets of one event-loop turn in one socket write, in order', async () => {
    const { learner, leader } = await pair();
    const got = collect(learner, 100);
    const sent: ZabMessage<WireTxn>[] = [];
    for (let i = 1; i <= 50; i++) {
      const t = wireTxn({ ...txn.txn, header: { ...txn.txn.header, zxid: 0x200000000n + BigInt(i) } });
      sent.push({ type: 'PROPOSAL', txn: t }, { type: 'COMMIT', zxid: t.zxid });
    }
    for (const m of sent) leader.send(m);
    expect(leader.writes).toBe(0);
    const m = await got;
    expect(leader.writes).toBe(1);
    expect(m.map((x) => (x.type === 'PROPOSAL' ? `P${x.txn.zxid}` : x.type === 'COMMIT' ? `C${x.zxid}` : x.type))).toEqual(
      sent.map((x) => (x.type === 'PROPOSAL' ? `P${x.txn.zxid}` : x.type === 'COMMIT' ? `C${x.zxid}` : x.type)),
    );
    // The next turn's packets are a write of their own.
    const more = collect(learner, 1);
    leader.send({ type: 'PING', zxid: 1n, touches: [] });
    await more;
    expect(leader.writes).toBe(2);
  });

  it('puts the snapshot stream after SNAP and keeps later packets behind it', async () => {
    const { learner, leader } = await pair();
    const tree = new DataTree();
    const sessions = new Map([[0x100n, 6000]]);
    const got = collect(learner, 4);
    leader.send({ type: 'LEADERINFO', newEpoch: 2n, protocolVersion: 0x10000 });
    leader.sendSnapshot(0n, encodeSnapStream(tree, sessions, { sliceSize: Number.MAX_SAFE_INTEGER }).then((s) => s.chunks));
    leader.send({ type: 'PROPOSAL', txn });
    leader.send({ type: 'NEWLEADER', zxid: 0x200000000n, config: '' });
    const m = await got;
    expect(m.map((x) => x.type)).toEqual(['LEADERINFO', 'SNAP', 'PROPOSAL', 'NEWLEADER']);
    const snap = m[1] as { type: 'SNAP'; image: SnapStreamReader };
    const into = new DataTree();
    const intoSessions = new Map<bigint, number>();
    snap.image.applyTo(into, intoSessions, 0n);
    expect([...intoSessions]).toEqual([[0x100n, 6000]]);
    expect(into.inspect('/zookeeper')).toBeTruthy();
  });

  it('closes on a packet type the cores do not speak', async () => {
    const { learner, leader } = await pair();
    const closed = new Promise<string>((r) => learner.on('close', r));
    const w = new Writer(32);
    QuorumPacket.write(w, { type: PacketType.COMMITANDACTIVATE, zxid: 1n, data: null, authinfo: [] });
    leader.socket.write(w.bytes());
    expect(await closed).toMatch(/unsupported packet COMMITANDACTIVATE/);
  });
});

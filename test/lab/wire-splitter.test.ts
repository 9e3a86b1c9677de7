// The relays' message cutter (src/protocol/wire.ts): whatever the chunking, the units it returns
// are the stream's bytes exactly, in order, each a whole message with its type; a SNAP's
// snapshot stream is passed through to its "BenWasHere"; the election handshake can be rewritten.
import { describe, expect, it } from 'vitest';
import { Writer } from '../../src/protocol/jute';
import { QuorumPacket } from '../../src/protocol/records';
import { ElectionSplitter, QuorumSplitter, readElectionHandshake, type WireUnit } from '../../src/protocol/wire';
import { encodeHandshake, encodeNotification } from '../../src/server/quorum/net/notification';
import { ServerState } from '../../src/server/quorum/vote';

function packet(type: number, zxid: bigint, data: Buffer | null = null, authinfo: { scheme: string; id: string }[] = []): Buffer {
  const w = new Writer(64);
  QuorumPacket.write(w, { type, zxid, data, authinfo });
  return w.bytes();
}

/** A SNAP's stream: two sessions, one ACL list, the root and /a, the end marker and the signature. */
function snapshotStream(): Buffer {
  const w = new Writer(256);
  w.int(2);
  w.long(1n);
  w.int(4000);
  w.long(2n);
  w.int(5000);
  w.int(1);
  w.long(1n);
  w.int(1);
  w.int(31);
  w.ustring('world');
  w.ustring('anyone');
  for (const [path, data] of [['', null], ['/a', Buffer.from('hello')]] as const) {
    w.ustring(path);
    w.buffer(data);
    w.long(-1n);
    for (let i = 0; i < 4; i++) w.long(BigInt(i));
    for (let i = 0; i < 3; i++) w.int(i);
    w.long(0n);
    w.long(7n);
  }
  w.ustring('/');
  w.ustring('BenWasHere');
  return w.bytes();
}

/** Feeds `bytes` in chunks of the given sizes (cycled). */
function feed(push: (b: Buffer) => WireUnit[], bytes: Buffer, sizes: number[]): WireUnit[] {
  const out: WireUnit[] = [];
  let i = 0;
  for (let off = 0; off < bytes.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, bytes.length - off);
    out.push(...push(Buffer.from(bytes.subarray(off, off + n))));
    off += n;
  }
  return out;
}

describe('QuorumSplitter', () => {
  const fromLeader = Buffer.concat([
    packet(17, 0x300000000n, Buffer.from([0, 1, 0, 0])),
    packet(15, 0x200000005n),
    snapshotStream(),
    packet(10, 0x300000000n, Buffer.from('server.1=...')),
    packet(12, -1n),
    packet(4, 0x300000001n),
    packet(5, 0x300000001n),
  ]);
  const fromLearner = Buffer.concat([packet(3, 0x300000001n), packet(1, -1n, Buffer.alloc(16), [{ scheme: 'digest', id: 'u:p' }]), packet(5, 0n, Buffer.alloc(12))]);

  for (const sizes of [[1], [3, 7], [64], [100_000]]) {
    it(`cuts a leader's stream into whole messages whatever the chunks (${sizes.join(',')} bytes)`, () => {
      const s = new QuorumSplitter(true);
      const got = feed((b) => s.push(b), fromLeader, sizes);
      expect(Buffer.concat(got.map((u) => u.bytes))).toEqual(fromLeader);
      const kinds = got.filter((u) => u.capture).map((u) => u.type);
      expect(kinds).toEqual(['LEADERINFO', 'SNAP', 'SNAPSHOT', 'NEWLEADER', 'UPTODATE', 'COMMIT', 'PING']);
      const snap = got.find((u) => u.type === 'SNAPSHOT' && u.capture)!;
      expect(snap.detail().fields.znodes).toBe(2);
      expect(got.find((u) => u.type === 'COMMIT')!.zxid).toBe(0x300000001n);
    });
  }

  it('reads a learner\'s packets, authinfo included', () => {
    const s = new QuorumSplitter(false);
    const got = feed((b) => s.push(b), fromLearner, [5]);
    expect(got.map((u) => u.type)).toEqual(['ACK', 'REQUEST', 'PING']);
    expect(Buffer.concat(got.map((u) => u.bytes))).toEqual(fromLearner);
    expect(got[2]!.detail().fields.touches).toBe(1);
  });

  it('passes on, whole and in order, bytes it cannot make sense of', () => {
    const s = new QuorumSplitter(true);
    const bad = Buffer.concat([packet(4, 1n), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff]), Buffer.from('rest')]);
    const got = feed((b) => s.push(b), bad, [4]);
    expect(Buffer.concat(got.map((u) => u.bytes))).toEqual(bad);
    expect(s.opaque).toBe(true);
  });
});

describe('ElectionSplitter', () => {
  const n = (leader: number, zxid: bigint) => encodeNotification({ state: ServerState.LOOKING, leader, zxid, electionEpoch: 3n, peerEpoch: 2n, version: 2, config: '' });
  const framed = (b: Buffer) => {
    const f = Buffer.concat([Buffer.alloc(4), b]);
    f.writeInt32BE(b.length, 0);
    return f;
  };

  it('reads the handshake and the notifications, and rewrites the address the other side connects back to', () => {
    const stream = Buffer.concat([encodeHandshake(2, '127.0.0.1:3888'), framed(n(2, 0x200000004n)), framed(n(3, 0x200000009n))]);
    const s = new ElectionSplitter(true, () => '127.0.0.1:40001');
    const got = feed((b) => s.push(b), stream, [3]);
    expect(got.map((u) => u.type)).toEqual(['CONNECT', 'NOTIFICATION', 'NOTIFICATION']);
    expect(readElectionHandshake(got[0]!.bytes)).toMatchObject({ sid: 2, address: '127.0.0.1:40001' });
    expect(got[0]!.detail().fields.originalAddress).toBe('127.0.0.1:3888');
    expect(got[2]!.detail().fields).toMatchObject({ leader: 3, zxid: '0x200000009', electionEpoch: 3, peerEpoch: 2, state: 'LOOKING' });
    expect(Buffer.concat(got.slice(1).map((u) => u.bytes))).toEqual(stream.subarray(encodeHandshake(2, '127.0.0.1:3888').length));
  });

  it('the accepting side sends notifications only', () => {
    const stream = Buffer.concat([framed(n(1, 5n)), framed(n(1, 6n))]);
    const got = feed((b) => new ElectionSplitter(false).push(b), stream, [stream.length]);
    expect(got.map((u) => u.type)).toEqual(['NOTIFICATION', 'NOTIFICATION']);
  });
});

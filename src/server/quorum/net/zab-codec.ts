// ZAB messages <-> QuorumPackets as ZooKeeper 3.8 writes them (Leader.java packet types, the
// payloads of LearnerHandler, Learner and Follower). A proposal's data is the txn as a log entry
// holds it (TxnHeader + record [+ TxnDigest]).
import { Reader, Writer } from '../../../protocol/jute';
import { ForwardedRequestHeader, LearnerInfo, RevalidateReply, SessionTimeout, type QuorumPacket } from '../../../protocol/records';
import { decodeLoggedTxn, encodeLoggedTxn, type LoggedTxn } from '../../../protocol/txn';
import { epochOf, zxidOf, type SessionTouch, type ZabMessage } from '../zab/types';

import { PACKET_NAME, PacketType } from '../../../protocol/quorum-packets';

export { PACKET_NAME, PacketType };

/** The runtime's txn: the decoded log entry and its bytes (encoded once, sent and logged as is). */
export interface WireTxn {
  zxid: bigint;
  txn: LoggedTxn;
  bytes: Buffer;
}

/** Proposals are encoded here first (no regrowth from a small buffer for 1 KiB of data), then copied out at their size. */
const scratch = new Writer(64 * 1024);

export function wireTxn(txn: LoggedTxn): WireTxn {
  scratch.pos = 0;
  return { zxid: txn.header.zxid, txn, bytes: Buffer.from(encodeLoggedTxn(txn, scratch)) };
}

export function wireTxnFromBytes(bytes: Buffer): WireTxn {
  const txn = decodeLoggedTxn(bytes);
  return { zxid: txn.header.zxid, txn, bytes };
}

export class ZabCodecError extends Error {}

const int4 = (v: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v, 0);
  return b;
};

function encodeTouches(touches: SessionTouch[]): Buffer {
  const w = new Writer(12 * touches.length + 4);
  for (const t of touches) SessionTimeout.write(w, { sessionId: t.sessionId, timeout: t.timeout });
  return w.bytes();
}

/**
 * The QuorumPacket for a message sent by `sender` (a SNAP's snapshot stream is written after it
 * separately).
 */
export function toPacket(m: ZabMessage<WireTxn>, sender: PacketSource = 'leader'): QuorumPacket {
  const p = (type: number, zxid: bigint, data: Buffer | null = null): QuorumPacket => ({ type, zxid, data, authinfo: [] });
  switch (m.type) {
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      return p(PacketType[m.type], zxidOf(m.acceptedEpoch, 0), LearnerInfo.encode({ serverid: BigInt(m.sid), protocolVersion: m.protocolVersion, configVersion: m.configVersion }));
    case 'LEADERINFO':
      return p(PacketType.LEADERINFO, zxidOf(m.newEpoch, 0), int4(m.protocolVersion));
    case 'ACKEPOCH':
      return p(PacketType.ACKEPOCH, m.lastLoggedZxid, int4(Number(m.currentEpoch)));
    case 'DIFF':
    case 'TRUNC':
    case 'SNAP':
      return p(PacketType[m.type], m.zxid);
    case 'PROPOSAL':
    case 'INFORM':
      return p(PacketType[m.type], m.txn.zxid, m.txn.bytes);
    case 'COMMIT':
    case 'ACK':
      return p(PacketType[m.type], m.zxid);
    case 'NEWLEADER':
      return p(PacketType.NEWLEADER, m.zxid, Buffer.from(m.config, 'utf8'));
    case 'UPTODATE':
      return p(PacketType.UPTODATE, -1n);
    case 'PING':
      // The leader's PING carries nothing; the learner's answer always carries its touches,
      // even none (LearnerHandler reads the data without a null check).
      return p(PacketType.PING, m.zxid, sender === 'learner' ? encodeTouches(m.touches) : null);
    case 'REQUEST': {
      const r = m.request;
      const w = new Writer(16 + (r.body?.length ?? 0));
      ForwardedRequestHeader.write(w, { sessionId: r.sessionId, cxid: r.cxid, type: r.type });
      if (r.body) w.raw(Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength));
      return { type: PacketType.REQUEST, zxid: -1n, data: w.bytes(), authinfo: r.authinfo };
    }
    case 'SYNC':
      return p(PacketType.SYNC, 0n);
    case 'REVALIDATE':
      return p(PacketType.REVALIDATE, -1n, SessionTimeout.encode({ sessionId: m.sessionId, timeout: m.timeout }));
    case 'REVALIDATE_REPLY':
      return p(PacketType.REVALIDATE, -1n, RevalidateReply.encode({ sessionId: m.sessionId, valid: m.valid }));
  }
}

/** Which end decodes: the same packet type means different things in each direction. */
export type PacketSource = 'leader' | 'learner';

/**
 * The message a packet carries. `from` says who sent it. Null for packet types the cores do not
 * handle (reconfig's COMMITANDACTIVATE / INFORMANDACTIVATE), which the caller reports.
 */
export function fromPacket(p: QuorumPacket, from: PacketSource): ZabMessage<WireTxn> | null {
  const data = p.data ?? Buffer.alloc(0);
  switch (p.type) {
    case PacketType.FOLLOWERINFO:
    case PacketType.OBSERVERINFO: {
      // LearnerHandler reads as much of LearnerInfo as there is.
      const sid = data.length >= 8 ? data.readBigInt64BE(0) : -1n;
      const protocolVersion = data.length >= 12 ? data.readInt32BE(8) : 0;
      const configVersion = data.length >= 20 ? data.readBigInt64BE(12) : 0n;
      return { type: p.type === PacketType.FOLLOWERINFO ? 'FOLLOWERINFO' : 'OBSERVERINFO', acceptedEpoch: epochOf(p.zxid), sid: Number(sid), protocolVersion, configVersion };
    }
    case PacketType.LEADERINFO:
      return { type: 'LEADERINFO', newEpoch: epochOf(p.zxid), protocolVersion: data.length >= 4 ? data.readInt32BE(0) : 0 };
    case PacketType.ACKEPOCH:
      if (data.length < 4) throw new ZabCodecError('ACKEPOCH without its epoch');
      return { type: 'ACKEPOCH', lastLoggedZxid: p.zxid, currentEpoch: BigInt(data.readInt32BE(0)) };
    case PacketType.DIFF:
      return { type: 'DIFF', zxid: p.zxid };
    case PacketType.TRUNC:
      return { type: 'TRUNC', zxid: p.zxid };
    case PacketType.SNAP:
      return { type: 'SNAP', zxid: p.zxid };
    case PacketType.PROPOSAL:
      return { type: 'PROPOSAL', txn: wireTxnFromBytes(Buffer.from(data)) };
    case PacketType.INFORM:
      return { type: 'INFORM', txn: wireTxnFromBytes(Buffer.from(data)) };
    case PacketType.COMMIT:
      return { type: 'COMMIT', zxid: p.zxid };
    case PacketType.ACK:
      return { type: 'ACK', zxid: p.zxid };
    case PacketType.NEWLEADER:
      return { type: 'NEWLEADER', zxid: p.zxid, config: data.toString('utf8') };
    case PacketType.UPTODATE:
      return { type: 'UPTODATE' };
    case PacketType.PING: {
      const touches: SessionTouch[] = [];
      if (from === 'learner') {
        const r = new Reader(data);
        while (r.remaining() >= 12) {
          const t = SessionTimeout.read(r);
          touches.push({ sessionId: t.sessionId, timeout: t.timeout });
        }
      }
      return { type: 'PING', zxid: p.zxid, touches };
    }
    case PacketType.REQUEST: {
      const r = new Reader(data);
      const h = ForwardedRequestHeader.read(r);
      const body = r.remaining() > 0 ? Buffer.from(r.raw(r.remaining())) : null;
      return { type: 'REQUEST', request: { sessionId: h.sessionId, cxid: h.cxid, type: h.type, body, authinfo: p.authinfo } };
    }
    case PacketType.SYNC:
      return { type: 'SYNC' };
    case PacketType.REVALIDATE: {
      if (from === 'learner') {
        const t = SessionTimeout.decode(Buffer.from(data));
        return { type: 'REVALIDATE', sessionId: t.sessionId, timeout: t.timeout };
      }
      const v = RevalidateReply.decode(Buffer.from(data));
      return { type: 'REVALIDATE_REPLY', sessionId: v.sessionId, valid: v.valid };
    }
    default:
      return null;
  }
}

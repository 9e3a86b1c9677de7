// Bytes of the election port (FastLeaderElection.buildMsg, QuorumCnxManager handshake) and the
// packet types of the quorum port (Leader.java), as Apache ZooKeeper 3.8 writes them.
import { JuteError, Reader, Writer } from '../../protocol/jute';

export const enum PeerState {
  LOOKING = 0,
  FOLLOWING = 1,
  LEADING = 2,
  OBSERVING = 3,
}

export const PEER_STATE_NAME = ['looking', 'following', 'leading', 'observing'] as const;

/** A vote as carried by a notification. */
export interface Notification {
  state: PeerState;
  /** Proposed leader's sid. */
  leader: number;
  /** Proposed leader's last zxid. */
  zxid: bigint;
  /** Sender's logical clock (election round). */
  electionEpoch: bigint;
  /** Proposed leader's currentEpoch. */
  peerEpoch: bigint;
  /** Dynamic config text the sender knows ('' if none). */
  config: string;
}

/** Notification layout, version 2 (44 + config bytes). */
export function encodeNotification(n: Notification): Buffer {
  const cfg = Buffer.from(n.config, 'utf8');
  const b = Buffer.alloc(44 + cfg.length);
  b.writeInt32BE(n.state, 0);
  b.writeBigInt64BE(BigInt(n.leader), 4);
  b.writeBigInt64BE(BigInt.asIntN(64, n.zxid), 12);
  b.writeBigInt64BE(BigInt.asIntN(64, n.electionEpoch), 20);
  b.writeBigInt64BE(BigInt.asIntN(64, n.peerEpoch), 28);
  b.writeInt32BE(2, 36);
  b.writeInt32BE(cfg.length, 40);
  cfg.copy(b, 44);
  return b;
}

/** Reads a notification; accepts the older 28- and 40-byte layouts; null when too short. */
export function decodeNotification(b: Buffer): Notification | null {
  if (b.length < 28) return null;
  const state = b.readInt32BE(0) as PeerState;
  const leader = Number(b.readBigInt64BE(4));
  const zxid = b.readBigInt64BE(12);
  const electionEpoch = b.readBigInt64BE(20);
  const peerEpoch = b.length >= 36 ? b.readBigInt64BE(28) : zxid >> 32n;
  let config = '';
  if (b.length >= 44 && b.readInt32BE(36) >= 2) {
    const len = b.readInt32BE(40);
    if (len > 0 && 44 + len <= b.length) config = b.toString('utf8', 44, 44 + len);
  }
  return { state, leader, zxid, electionEpoch, peerEpoch, config };
}

/** Election-port handshake of the connecting side: protocol version, sid, its election address. */
export function encodeHandshake(sid: number, electionAddress: string): Buffer {
  const addr = Buffer.from(electionAddress, 'utf8');
  const b = Buffer.alloc(20 + addr.length);
  b.writeBigInt64BE(-65536n, 0);
  b.writeBigInt64BE(BigInt(sid), 8);
  b.writeInt32BE(addr.length, 16);
  addr.copy(b, 20);
  return b;
}

/** Parses a handshake from the start of `b`: the sid and how many bytes it took; null if incomplete. */
export function decodeHandshake(b: Buffer): { sid: number; used: number } | null {
  if (b.length < 8) return null;
  const first = b.readBigInt64BE(0);
  if (first >= 0n) return { sid: Number(first), used: 8 }; // pre-3.5: just the sid
  if (b.length < 20) return null;
  const sid = Number(b.readBigInt64BE(8));
  const len = b.readInt32BE(16);
  if (len <= 0 || len > 2048) throw new JuteError(`election handshake address length ${len} is out of range`);
  if (b.length < 20 + len) return null;
  return { sid, used: 20 + len };
}

// QuorumPacket types (Leader.java)
export const Packet = {
  REQUEST: 1,
  PROPOSAL: 2,
  ACK: 3,
  COMMIT: 4,
  PING: 5,
  REVALIDATE: 6,
  SYNC: 7,
  INFORM: 8,
  COMMITANDACTIVATE: 9,
  NEWLEADER: 10,
  FOLLOWERINFO: 11,
  UPTODATE: 12,
  DIFF: 13,
  TRUNC: 14,
  SNAP: 15,
  OBSERVERINFO: 16,
  LEADERINFO: 17,
  ACKEPOCH: 18,
  INFORMANDACTIVATE: 19,
} as const;

export const PACKET_NAME: Record<number, string> = Object.fromEntries(Object.entries(Packet).map(([k, v]) => [v, k]));

/** LearnerInfo.protocolVersion / LEADERINFO payload: Zab 1.0 with config versions. */
export const ZAB_PROTOCOL_VERSION = 0x10000;

/** Encodes a REQUEST payload: sessionId, cxid, type, then the client's request body. */
export function encodeRequestPayload(sessionId: bigint, cxid: number, type: number, body: Buffer | null): Buffer {
  const w = new Writer(16 + (body?.length ?? 0));
  w.long(sessionId);
  w.int(cxid);
  w.int(type);
  if (body) w.raw(body);
  return Buffer.from(w.bytes());
}

/** Session touches a learner sends in its PING reply: repeated (long sessionId, int timeout). */
export function encodeTouches(touches: Map<bigint, number>): Buffer {
  const w = new Writer(12 * touches.size + 4);
  for (const [id, to] of touches) {
    w.long(id);
    w.int(to);
  }
  return Buffer.from(w.bytes());
}

export function decodeTouches(b: Buffer | null): [bigint, number][] {
  if (!b) return [];
  const r = new Reader(b);
  const out: [bigint, number][] = [];
  while (r.remaining() >= 12) out.push([r.long(), r.int()]);
  return out;
}

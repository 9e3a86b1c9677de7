// The election port's bytes: the connection handshake (QuorumCnxManager) and notifications
// (FastLeaderElection.buildMsg / WorkerReceiver), through the records of src/protocol.
import { JuteError, Reader, Writer } from '../../../protocol/jute';
import { ELECTION_MESSAGE_MAX, HANDSHAKE_ADDRESS_MAX } from '../../../protocol/limits';
import { ElectionHandshake, ElectionNotification } from '../../../protocol/records';
import type { Notification } from '../election/fle';
import { NO_SID, ServerState } from '../vote';

/** QuorumCnxManager.PROTOCOL_VERSION_V1: one election address. */
export const ELECTION_PROTOCOL_V1 = -65536n;
/** V2 carries several addresses joined by '|' (multiAddress). */
export const ELECTION_PROTOCOL_V2 = -65535n;
export { ELECTION_MESSAGE_MAX, HANDSHAKE_ADDRESS_MAX };

const LONG_MIN = -(1n << 63n);

/** A notification as bytes, format version 2. */
export function encodeNotification(n: Notification): Buffer {
  const w = new Writer(64 + n.config.length * 3);
  ElectionNotification.write(w, {
    state: n.state,
    leader: n.leader === NO_SID ? LONG_MIN : BigInt(n.leader),
    zxid: n.zxid,
    electionEpoch: n.electionEpoch,
    peerEpoch: n.peerEpoch,
    version: 2,
    config: n.config,
  });
  return w.bytes();
}

/**
 * Reads a notification in any layout ZooKeeper accepts: 28 bytes (no peerEpoch), 40 bytes (no
 * version), version 1 (no config) and version 2. Null for a message too short or malformed,
 * which the receiver skips.
 */
export function decodeNotification(b: Buffer): Notification | null {
  if (b.length < 28) return null;
  try {
    const r = new Reader(b);
    const state = r.int();
    const leaderLong = r.long();
    const zxid = r.long();
    const electionEpoch = r.long();
    let peerEpoch: bigint;
    let version = 0;
    let config = '';
    if (b.length === 28) {
      peerEpoch = BigInt.asUintN(64, zxid) >> 32n;
    } else {
      peerEpoch = r.long();
      if (b.length !== 40) version = r.int();
      if (version > 1) {
        const len = r.int();
        if (len < 0 || len > b.length) return null;
        config = r.raw(len).toString('utf8');
      }
    }
    if (state < ServerState.LOOKING || state > ServerState.OBSERVING) return null;
    const leader = leaderLong >= BigInt(Number.MIN_SAFE_INTEGER) && leaderLong <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(leaderLong) : NO_SID;
    return { state: state as ServerState, leader, zxid, electionEpoch, peerEpoch, version, config };
  } catch (e) {
    if (e instanceof JuteError) return null;
    throw e;
  }
}

/** The handshake the connecting side sends (protocol V1, one address). */
export function encodeHandshake(sid: number, electionAddress: string): Buffer {
  const w = new Writer(32 + electionAddress.length);
  ElectionHandshake.write(w, { protocolVersion: ELECTION_PROTOCOL_V1, sid: BigInt(sid), electionAddr: electionAddress });
  return w.bytes();
}

export class HandshakeError extends Error {}

/**
 * Reads a handshake from the start of `b`: the sid and how many bytes it took, or null if more
 * bytes are needed. A non-negative first long is the pre-3.5 form: just the sid.
 */
export function decodeHandshake(b: Buffer): { sid: number; address: string | null; used: number } | null {
  if (b.length < 8) return null;
  const first = b.readBigInt64BE(0);
  if (first >= 0n) return { sid: Number(first), address: null, used: 8 };
  if (first !== ELECTION_PROTOCOL_V1 && first !== ELECTION_PROTOCOL_V2) throw new HandshakeError(`unknown election protocol version ${first}`);
  if (b.length < 20) return null;
  const sid = b.readBigInt64BE(8);
  const len = b.readInt32BE(16);
  if (len <= 0 || len > HANDSHAKE_ADDRESS_MAX) throw new HandshakeError(`election handshake address length ${len} is out of range (1..${HANDSHAKE_ADDRESS_MAX})`);
  if (b.length < 20 + len) return null;
  return { sid: Number(sid), address: b.toString('utf8', 20, 20 + len), used: 20 + len };
}

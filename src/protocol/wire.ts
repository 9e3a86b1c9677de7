// What passes between two members, cut into messages as it streams: the quorum port's QuorumPackets
// (back to back, no length prefix; after a SNAP the snapshot stream ending "BenWasHere") and the
// election port's handshake and length-prefixed notifications. The lab's relays use it to find
// message boundaries (so that a fault holds whole messages, never half of one) and to decode
// what they capture for the Wire view. It reads exactly the bytes the members write, so it is the
// truth of the wire for our members and Apache ZooKeeper's alike.
import { OpCode } from './codes';
import { ELECTION_MESSAGE_MAX, QUORUM_PACKET_MAX } from './limits';
import { PACKET_NAME } from './quorum-packets';
import { JuteError, Reader } from './jute';
import { ForwardedRequestHeader, LearnerInfo, SessionTimeout } from './records';
import { decodeLoggedTxn, type Txn } from './txn';

/** Leader.java's packet types by number. */
export const QUORUM_PACKET: Record<number, string> = PACKET_NAME;

/** A quorum packet larger than this is not believed: the splitter stops cutting (jute.maxbuffer plus headroom). */
export const WIRE_PACKET_MAX = QUORUM_PACKET_MAX;
/** QuorumCnxManager.maxBuffer. */
export const ELECTION_FRAME_MAX = ELECTION_MESSAGE_MAX;

export type FieldValue = string | number | boolean | null;

/** What a message says, in fields and in one line. */
export interface WireDetail {
  fields: Record<string, FieldValue>;
  summary: string;
}

/** One message (or one piece of a snapshot stream) as it came. */
export interface WireUnit {
  bytes: Buffer;
  type: string;
  /** The packet's zxid (PROPOSAL, ACK, COMMIT, …), the vote's zxid for a notification, else null. */
  zxid: bigint | null;
  /** False for the pieces of a snapshot stream before its last: only whole messages are captured. */
  capture: boolean;
  /** Decodes the rest (only when the message is captured: a relay under load need not). */
  detail(): WireDetail;
}

const fixed = (d: WireDetail) => () => d;

export const hexZxid = (z: bigint): string => `0x${BigInt.asUintN(64, z).toString(16)}`;
const epochCounter = (z: bigint): string => {
  const u = BigInt.asUintN(64, z);
  return `${u >> 32n}/${u & 0xffffffffn}`;
};
const sessionHex = (s: bigint): string => `0x${BigInt.asUintN(64, s).toString(16)}`;

const STATE = ['LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING'];

/** The byte length of the jute string/buffer at `off` (4 + n), or -1 if not all there. */
function lengthPrefixed(b: Buffer, off: number, max: number): number {
  if (off + 4 > b.length) return -1;
  const n = b.readInt32BE(off);
  if (n < -1 || n > max) throw new JuteError(`length ${n} at byte ${off} is out of range`);
  const len = 4 + Math.max(0, n);
  return off + len > b.length ? -1 : len;
}

/** Where the QuorumPacket starting at `off` ends, or -1 when it has not all arrived. */
export function quorumPacketEnd(b: Buffer, off: number): number {
  let p = off + 12; // type, zxid
  const data = lengthPrefixed(b, p, WIRE_PACKET_MAX);
  if (data < 0) return -1;
  p += data;
  if (p + 4 > b.length) return -1;
  const ids = b.readInt32BE(p);
  p += 4;
  if (ids < -1 || ids > 4096) throw new JuteError(`authinfo count ${ids} is out of range`);
  for (let i = 0; i < ids; i++) {
    for (let k = 0; k < 2; k++) {
      const s = lengthPrefixed(b, p, 1 << 20);
      if (s < 0) return -1;
      p += s;
    }
  }
  return p;
}

/** An operation's name as ZooKeeper's OpCode spells it (create2 is a create). */
const OP_NAME: Record<number, string> = Object.fromEntries(Object.entries(OpCode).map(([k, v]) => [v, k === 'create2' ? 'create' : k]));
const opName = (type: number): string => OP_NAME[type] ?? `op${type}`;

function describeTxn(t: Txn): { op: string; path: string | null } {
  const op = opName(t.type);
  const path = 'path' in t ? t.path : null;
  return { op, path };
}

/** Decodes a QuorumPacket's meaning. `fromLeader`: who sent it (PING and REVALIDATE differ by direction). */
export function describeQuorumPacket(b: Buffer, fromLeader: boolean): WireDetail & { type: string; zxid: bigint | null } {
  const r = new Reader(b);
  const typeNo = r.int();
  const zxid = r.long();
  const data = r.buffer() ?? Buffer.alloc(0);
  const type = QUORUM_PACKET[typeNo] ?? `PACKET${typeNo}`;
  const fields: Record<string, FieldValue> = { packet: typeNo };
  const zx = (): void => {
    fields.zxid = hexZxid(zxid);
    fields.epochCounter = epochCounter(zxid);
  };
  let summary = type;
  let z: bigint | null = null;
  try {
    switch (type) {
      case 'FOLLOWERINFO':
      case 'OBSERVERINFO': {
        const info = data.length >= 12 ? LearnerInfo.decode(Buffer.concat([data, Buffer.alloc(Math.max(0, 20 - data.length))])) : null;
        fields.acceptedEpoch = Number(BigInt.asUintN(64, zxid) >> 32n);
        if (info) {
          fields.sid = Number(info.serverid);
          fields.protocolVersion = info.protocolVersion;
        }
        summary = `${type} sid ${fields.sid ?? '?'}, accepted epoch ${fields.acceptedEpoch}`;
        break;
      }
      case 'LEADERINFO':
        fields.newEpoch = Number(BigInt.asUintN(64, zxid) >> 32n);
        summary = `LEADERINFO new epoch ${fields.newEpoch}`;
        break;
      case 'ACKEPOCH':
        zx();
        z = zxid;
        fields.currentEpoch = data.length >= 4 ? data.readInt32BE(0) : null;
        summary = `ACKEPOCH current epoch ${fields.currentEpoch}, last logged ${hexZxid(zxid)}`;
        break;
      case 'DIFF':
      case 'TRUNC':
      case 'SNAP':
      case 'COMMIT':
      case 'ACK':
      case 'NEWLEADER':
        zx();
        z = zxid;
        summary = `${type} ${hexZxid(zxid)} (${epochCounter(zxid)})`;
        break;
      case 'PROPOSAL':
      case 'INFORM': {
        zx();
        z = zxid;
        try {
          const t = decodeLoggedTxn(data);
          const d = describeTxn(t.txn);
          fields.op = d.op;
          fields.path = d.path;
          fields.session = sessionHex(t.header.clientId);
          fields.cxid = t.header.cxid;
          summary = `${type} ${hexZxid(zxid)} ${d.op}${d.path ? ` ${d.path}` : ''}`;
        } catch {
          summary = `${type} ${hexZxid(zxid)}`;
        }
        break;
      }
      case 'PING': {
        if (!fromLeader) {
          const rr = new Reader(data);
          let n = 0;
          while (rr.remaining() >= 12) {
            SessionTimeout.read(rr);
            n++;
          }
          fields.touches = n;
          summary = `PING reply, ${n} session touch${n === 1 ? '' : 'es'}`;
        } else {
          zx();
          summary = 'PING';
        }
        break;
      }
      case 'REQUEST': {
        const rr = new Reader(data);
        const h = ForwardedRequestHeader.read(rr);
        fields.session = sessionHex(h.sessionId);
        fields.cxid = h.cxid;
        fields.op = opName(h.type);
        // The body starts with the path for every op that has one.
        if (rr.remaining() >= 4) {
          try {
            fields.path = rr.ustring();
          } catch {
            fields.path = null;
          }
        }
        summary = `REQUEST ${fields.op}${typeof fields.path === 'string' ? ` ${fields.path}` : ''} from session ${fields.session}`;
        break;
      }
      case 'REVALIDATE': {
        const rr = new Reader(data);
        fields.session = rr.remaining() >= 8 ? sessionHex(rr.long()) : null;
        if (fromLeader) fields.valid = rr.remaining() >= 1 ? rr.bool() : null;
        else fields.timeout = rr.remaining() >= 4 ? rr.int() : null;
        summary = `REVALIDATE session ${fields.session}${fromLeader ? (fields.valid ? ' valid' : ' expired') : ''}`;
        break;
      }
      case 'UPTODATE':
      case 'SYNC':
        break;
      default:
        zx();
        z = zxid;
    }
  } catch {
    // A payload we cannot read still has its type and zxid.
  }
  fields.dataBytes = data.length;
  return { type, zxid: z, fields, summary };
}

type SnapPhase = 'sessionCount' | 'sessions' | 'aclCount' | 'acls' | 'nodes' | 'signature' | 'done';

/** Finds the end of a SNAP's snapshot stream (sessions, ACL cache, znodes to "/", "BenWasHere"). */
class SnapshotSkipper {
  private phase: SnapPhase = 'sessionCount';
  private left = 0;
  znodes = 0;
  bytes = 0;

  /** Consumes whole items from b at off; returns the new offset. */
  advance(b: Buffer, off: number): number {
    for (;;) {
      let used = -1;
      switch (this.phase) {
        case 'sessionCount':
        case 'aclCount':
          if (off + 4 > b.length) return off;
          this.left = b.readInt32BE(off);
          if (this.left < 0) throw new JuteError(`snapshot count ${this.left} is negative`);
          this.phase = this.phase === 'sessionCount' ? 'sessions' : 'acls';
          used = 4;
          break;
        case 'sessions':
          if (this.left === 0) {
            this.phase = 'aclCount';
            continue;
          }
          if (off + 12 > b.length) return off;
          this.left--;
          used = 12;
          break;
        case 'acls': {
          if (this.left === 0) {
            this.phase = 'nodes';
            continue;
          }
          if (off + 12 > b.length) return off;
          const n = b.readInt32BE(off + 8);
          if (n < 0 || n > 1 << 20) throw new JuteError(`ACL list of ${n}`);
          let p = off + 12;
          for (let i = 0; i < n && p >= 0; i++) {
            if (p + 4 > b.length) return off;
            p += 4;
            for (let k = 0; k < 2; k++) {
              const s = lengthPrefixed(b, p, 1 << 20);
              if (s < 0) return off;
              p += s;
            }
          }
          this.left--;
          used = p - off;
          break;
        }
        case 'nodes': {
          const pathLen = lengthPrefixed(b, off, 1 << 20);
          if (pathLen < 0) return off;
          if (pathLen === 5 && b.toString('utf8', off + 4, off + 5) === '/') {
            this.phase = 'signature';
            used = 5;
            break;
          }
          const dataLen = lengthPrefixed(b, off + pathLen, WIRE_PACKET_MAX);
          if (dataLen < 0) return off;
          const total = pathLen + dataLen + 8 + 60;
          if (off + total > b.length) return off;
          this.znodes++;
          used = total;
          break;
        }
        case 'signature': {
          const s = lengthPrefixed(b, off, 64);
          if (s < 0) return off;
          this.phase = 'done';
          used = s;
          break;
        }
        case 'done':
          return off;
      }
      off += used;
      this.bytes += used;
    }
  }

  get done(): boolean {
    return this.phase === 'done';
  }
}

/** What both splitters share: the bytes not yet a whole message, and the fall-back to passing bytes on. */
abstract class StreamCutter {
  protected buf: Buffer = Buffer.alloc(0);
  /** After bytes it could not make sense of, it only passes them on. */
  opaque = false;

  /** Keeps the bytes from `off` on for the next chunk. */
  protected keep(out: WireUnit[], off: number): WireUnit[] {
    this.buf = off >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
    return out;
  }

  /** Not a stream we understand: pass the rest on as it is, from here on. */
  protected giveUp(out: WireUnit[], off: number): WireUnit[] {
    this.opaque = true;
    out.push(raw(this.buf.subarray(off)));
    this.buf = Buffer.alloc(0);
    return out;
  }
}

/** Cuts one direction of a quorum connection into messages. `fromLeader`: the leader writes this direction. */
export class QuorumSplitter extends StreamCutter {
  private snap: { zxid: bigint; skipper: SnapshotSkipper } | null = null;
  constructor(readonly fromLeader: boolean) {
    super();
  }

  push(chunk: Buffer): WireUnit[] {
    if (this.opaque) return [raw(chunk)];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: WireUnit[] = [];
    let off = 0;
    try {
      while (off < this.buf.length) {
        if (this.snap) {
          const end = this.snap.skipper.advance(this.buf, off);
          if (end === off) break;
          const done = this.snap.skipper.done;
          const sk = this.snap.skipper;
          const zxid = this.snap.zxid;
          out.push({
            bytes: this.buf.subarray(off, end),
            type: 'SNAPSHOT',
            zxid: done ? zxid : null,
            capture: done,
            detail: fixed({ fields: { zxid: hexZxid(zxid), znodes: sk.znodes, streamBytes: sk.bytes }, summary: `snapshot stream of ${sk.znodes} znodes (${sk.bytes} bytes) for SNAP ${hexZxid(zxid)}` }),
          });
          off = end;
          if (done) this.snap = null;
          continue;
        }
        const end = quorumPacketEnd(this.buf, off);
        if (end < 0) break;
        const bytes = this.buf.subarray(off, end);
        const typeNo = bytes.readInt32BE(0);
        const type = QUORUM_PACKET[typeNo] ?? `PACKET${typeNo}`;
        const zxid = bytes.readBigInt64BE(4);
        const fromLeader = this.fromLeader;
        out.push({
          bytes,
          type,
          zxid: ZXID_TYPES.has(type) ? zxid : null,
          capture: true,
          detail: () => {
            const d = describeQuorumPacket(bytes, fromLeader);
            return { fields: d.fields, summary: d.summary };
          },
        });
        off = end;
        if (type === 'SNAP' && this.fromLeader) this.snap = { zxid, skipper: new SnapshotSkipper() };
      }
    } catch {
      return this.giveUp(out, off);
    }
    return this.keep(out, off);
  }

  /** Bytes received but not yet a whole message. */
  get partial(): number {
    return this.buf.length;
  }
}

const ZXID_TYPES = new Set(['PROPOSAL', 'ACK', 'COMMIT', 'INFORM', 'DIFF', 'TRUNC', 'SNAP', 'NEWLEADER', 'ACKEPOCH', 'COMMITANDACTIVATE', 'INFORMANDACTIVATE']);

/** Bytes passed on as they came: a client connection's, or a stream the lab could not follow. */
export function raw(b: Buffer): WireUnit {
  return { bytes: b, type: 'BYTES', zxid: null, capture: false, detail: fixed({ fields: { bytes: b.length }, summary: `${b.length} bytes` }) };
}

/** A notification's vote, as FastLeaderElection reads it (every layout it accepts). */
export function describeNotification(b: Buffer): WireDetail & { type: string; zxid: bigint | null } {
  const fields: Record<string, FieldValue> = {};
  if (b.length < 28) return { type: 'NOTIFICATION', zxid: null, fields: { bytes: b.length }, summary: 'NOTIFICATION (too short)' };
  const state = b.readInt32BE(0);
  const leader = b.readBigInt64BE(4);
  const zxid = b.readBigInt64BE(12);
  const round = b.readBigInt64BE(20);
  const peerEpoch = b.length >= 36 ? b.readBigInt64BE(28) : BigInt.asUintN(64, zxid) >> 32n;
  fields.state = STATE[state] ?? String(state);
  fields.leader = Number(leader);
  fields.zxid = hexZxid(zxid);
  fields.epochCounter = epochCounter(zxid);
  fields.electionEpoch = Number(round);
  fields.peerEpoch = Number(peerEpoch);
  if (b.length >= 40) fields.version = b.readInt32BE(36);
  return {
    type: 'NOTIFICATION',
    zxid,
    fields,
    summary: `vote leader ${fields.leader}, zxid ${fields.zxid} (${fields.epochCounter}), peer epoch ${fields.peerEpoch}, round ${fields.electionEpoch}, ${String(fields.state).toLowerCase()}`,
  };
}

/** The connecting side's handshake at the start of `b`: its length, sid and address, or null if incomplete. */
export function readElectionHandshake(b: Buffer): { used: number; sid: number; address: string | null; version: bigint } | null {
  if (b.length < 8) return null;
  const first = b.readBigInt64BE(0);
  // A non-negative first long is the pre-3.5 form: just the sid.
  if (first >= 0n) return { used: 8, sid: Number(first), address: null, version: 0n };
  if (b.length < 20) return null;
  const sid = Number(b.readBigInt64BE(8));
  const len = b.readInt32BE(16);
  if (len < 0 || len > 4096) throw new JuteError(`election handshake address length ${len}`);
  if (b.length < 20 + len) return null;
  return { used: 20 + len, sid, address: b.toString('utf8', 20, 20 + len), version: first };
}

/** Encodes a handshake with another address (the relay's own, so that connect-backs come through the lab). */
export function encodeElectionHandshake(version: bigint, sid: number, address: string): Buffer {
  const a = Buffer.from(address, 'utf8');
  const b = Buffer.alloc(20 + a.length);
  b.writeBigInt64BE(version, 0);
  b.writeBigInt64BE(BigInt(sid), 8);
  b.writeInt32BE(a.length, 16);
  a.copy(b, 20);
  return b;
}

/**
 * Cuts one direction of an election connection into messages. The connecting side starts with
 * its handshake; then, both ways, each notification is an int length and that many bytes.
 * `rewriteAddress` replaces the handshake's election address (QuorumCnxManager connects back to it).
 */
export class ElectionSplitter extends StreamCutter {
  private handshake: boolean;

  constructor(
    initiator: boolean,
    private readonly rewriteAddress: ((address: string) => string) | null = null,
  ) {
    super();
    this.handshake = initiator;
  }

  push(chunk: Buffer): WireUnit[] {
    if (this.opaque) return [raw(chunk)];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: WireUnit[] = [];
    let off = 0;
    try {
      if (this.handshake) {
        const h = readElectionHandshake(this.buf);
        if (h === null) return out;
        this.handshake = false;
        let bytes = this.buf.subarray(0, h.used);
        let address = h.address;
        if (h.address !== null && this.rewriteAddress) {
          address = this.rewriteAddress(h.address);
          bytes = encodeElectionHandshake(h.version, h.sid, address);
        }
        out.push({
          bytes,
          type: 'CONNECT',
          zxid: null,
          capture: true,
          detail: fixed({ fields: { sid: h.sid, address, originalAddress: h.address, protocolVersion: Number(h.version) }, summary: `election connection from sid ${h.sid}${h.address ? ` (says it listens at ${h.address})` : ''}` }),
        });
        off = h.used;
      }
      while (off + 4 <= this.buf.length) {
        const n = this.buf.readInt32BE(off);
        if (n <= 0 || n > ELECTION_FRAME_MAX) throw new JuteError(`election frame of ${n} bytes`);
        if (off + 4 + n > this.buf.length) break;
        const bytes = this.buf.subarray(off, off + 4 + n);
        const zxid = n >= 20 ? bytes.readBigInt64BE(4 + 12) : null;
        out.push({
          bytes,
          type: 'NOTIFICATION',
          zxid,
          capture: true,
          detail: () => {
            const d = describeNotification(bytes.subarray(4));
            return { fields: d.fields, summary: d.summary };
          },
        });
        off += 4 + n;
      }
    } catch {
      return this.giveUp(out, off);
    }
    return this.keep(out, off);
  }
}

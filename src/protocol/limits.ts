// The limits of the wire and of a member, in one place: what the server, the client, the lab's
// Wire capture and the lab's UI read. Each says where ZooKeeper has the same limit.

/** jute.maxbuffer's default (0xfffff bytes, 1 MiB - 1): the largest client frame and znode data. */
export const JUTE_MAXBUFFER_DEFAULT = 0xfffff;
/** The smallest jute.maxbuffer a config may set. */
export const JUTE_MAXBUFFER_MIN = 1024;
/** A quorum packet larger than this closes the connection (jute.maxbuffer plus headroom: a SNAP's slices and big multis). */
export const QUORUM_PACKET_MAX = 64 * 1024 * 1024;
/** QuorumCnxManager's largest election message (PACKETMAXSIZE, 512 KiB). */
export const ELECTION_MESSAGE_MAX = 512 * 1024;
/** The longest election address in a handshake (QuorumCnxManager's maxBuffer for it). */
export const HANDSHAKE_ADDRESS_MAX = 2048;
/** Operations one multi may carry before it is refused as malformed. */
export const MULTI_OPS_MAX = 100_000;
/** Requests a connection may have queued before the member stops reading from it (back pressure). */
export const CONNECTION_PENDING_MAX = 1000;
/** Unsent reply bytes to one client before the member drops that client (it does not read). */
export const CONNECTION_WRITE_BUFFER_MAX = 32 * 1024 * 1024;
/** Txns the log writer group-commits at most in one fsync. */
export const LOG_BATCH_MAX = 1000;
/** A member's own event ring, served by lab_events (a leader emits about two per txn). */
export const MEMBER_EVENT_RING = 2000;
/** Snapshots recovery tries, newest first, before it gives up. */
export const RECOVERY_SNAPSHOTS_TRIED = 100;

/**
 * The limits that must agree with each other; an empty list when they do. Checked when a
 * member starts (with its jute.maxbuffer) and when the lab starts.
 */
export function checkWireLimits(juteMaxBuffer = JUTE_MAXBUFFER_DEFAULT): string[] {
  const out: string[] = [];
  if (juteMaxBuffer < JUTE_MAXBUFFER_MIN) out.push(`jute.maxbuffer ${juteMaxBuffer} is below ${JUTE_MAXBUFFER_MIN} bytes`);
  // A znode of jute.maxbuffer bytes travels in one PROPOSAL: the packet cap must leave room for it.
  if (juteMaxBuffer + 4096 > QUORUM_PACKET_MAX) out.push(`jute.maxbuffer ${juteMaxBuffer} leaves no room in a ${QUORUM_PACKET_MAX}-byte quorum packet: set it below ${QUORUM_PACKET_MAX - 4096}`);
  if (CONNECTION_WRITE_BUFFER_MAX < 2 * juteMaxBuffer) out.push(`a client's ${CONNECTION_WRITE_BUFFER_MAX}-byte reply buffer cannot hold two replies of jute.maxbuffer ${juteMaxBuffer}`);
  return out;
}

// What the session's connection (cnxn.ts) takes and tells: its states, the packets it carries,
// its options, the hooks the client above it gives, and its counters.
import type { Reader, Writer } from '../protocol/jute';
import type { WatcherEvent } from '../protocol/records';
import type { Transport } from './transport';

/** Client states. `suspended`: connection lost, session possibly alive, reconnecting. */
export type ClientState = 'connecting' | 'connected' | 'readOnly' | 'suspended' | 'expired' | 'authFailed' | 'closed';

/** A request waiting to be sent, or sent and waiting for its reply. */
export interface Packet {
  /** OpCode of the request. */
  type: number;
  /** Writes the request record after the header (nothing for header-only requests). */
  write?: (w: Writer) => void;
  /** Its reply arrived (in FIFO order): err from the ReplyHeader, r positioned at the body. */
  reply: (err: number, r: Reader, zxid: bigint) => void;
  /** It will never get a reply (connection lost, session gone, client closed). */
  fail: (err: number) => void;
  /** Fixed xid (SetWatches uses -8); otherwise the next one is assigned at send time. */
  xid?: number;
  /** When it was queued while no connection was up (for the disconnected wait limit). */
  queuedAt?: number;
}

export interface CnxnOptions {
  /** Requested session timeout, ms; the server clamps it to [2, 20] ticks. */
  sessionTimeout: number;
  /** Accept a read-only server (a member cut off from its quorum). */
  canBeReadOnly: boolean;
  /** At most this many requests sent and unanswered; the rest wait in order. */
  maxOutstanding: number;
  /** Pause after every host has been tried without success (StaticHostProvider: 1000). */
  spinDelayMs: number;
  /** Random pause before each reconnect, 0..this ms (ClientCnxn: 1000). */
  reconnectJitterMs: number;
  /** Frames above this length drop the connection (jute.maxbuffer for clients). */
  maxFrameLength: number;
  /** Requests made while disconnected fail with ConnectionLoss after waiting this long. */
  disconnectedRequestTimeoutMs: number;
  /** After expiry start a new session instead of staying expired (Curator does this). */
  renewSessionOnExpiry: boolean;
  transport: Transport;
  /** Attach to an existing session instead of creating one. */
  sessionId?: bigint;
  sessionPasswd?: Buffer;
  shuffleHosts: boolean;
}

export interface CnxnHooks {
  /** A watch notification (server path). */
  notification(ev: WatcherEvent): void;
  /** SetWatches/SetWatches2 packets to send after auth on a fresh connection. */
  watchPackets(relativeZxid: bigint): Packet[];
  /** State changed. */
  state(next: ClientState, prev: ClientState): void;
  /** A state event for the default watcher (KeeperState value). */
  keeperState(state: number): void;
  /** The session is gone (expired or closed): drop all watches. */
  sessionGone(): void;
  /** A connection attempt to `host` failed before the server answered (refused, timed out). */
  connectFailed?(host: string, reason: string): void;
}

/** Counters for the lab's client view. */
export interface CnxnStats {
  sent: number;
  received: number;
  pings: number;
  lastPingRttMs: number | null;
  connects: number;
  connectionLosses: number;
  outstanding: number;
  /** The most requests ever in flight at once on this client. */
  peakOutstanding: number;
  queued: number;
}

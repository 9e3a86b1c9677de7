// The lab's own caps, beside the wire's (src/protocol/limits.ts, re-exported here so the UI can
// say them where a person meets them). Checked when the lab's backend starts.
export * from '../protocol/limits';
import { checkWireLimits, JUTE_MAXBUFFER_DEFAULT } from '../protocol/limits';

/** Wire messages the backend keeps in memory (about 300 bytes each). */
export const WIRE_RING_CAP = 30_000;
/** Wire messages kept one by one per second; the rest are counted in folded entries. */
export const WIRE_BUDGET_PER_SECOND = 1500;
/** Wire messages the Wire view keeps from the live feed (older ones come from the backend's ring). */
export const WIRE_LIVE_CAP = 20_000;
/** Znodes one tree export may hold: more is a subtree to export in parts. */
export const EXPORT_MAX_NODES = 20_000;
/**
 * The largest message the lab's WebSocket takes (the backend's maxPayload; one over it closes the
 * connection, so the page must never send one): a znode's data of jute.maxbuffer as base64 in a
 * request, with room to spare. Larger documents (tree imports) go in chunks.
 */
export const WS_MESSAGE_MAX = 4 * 1024 * 1024;
/** A chunk of a tree import, in bytes of JSON at most (a single znode larger than this goes alone). */
export const IMPORT_CHUNK_BYTES = 512 * 1024;
/** Znodes in one chunk of a tree import at most. */
export const IMPORT_CHUNK_NODES = 2000;
/** The base64 data one import may carry in all (20 000 znodes of 1 MiB would be 27 GB). */
export const IMPORT_MAX_BYTES = 256 * 1024 * 1024;
/** The ports the lab gives its members and relays: below the ephemeral ranges. */
export const LAB_PORT_MIN = 20_000;
export const LAB_PORT_MAX = 32_700;
/** Load panel: operations scheduled and unanswered at most (later ones are skipped and counted). */
export const LOAD_WAITING_MAX = 50_000;
/** Load panel: operations sent in one turn of the event loop at most. */
export const LOAD_BURST_MAX = 2000;
/** A checked run records at most this many operations (it ends early there): the checker and the lab history keep them whole. */
export const CHECK_MAX_OPS = 100_000;

/** The caps that must agree with each other; an empty list when they do. */
export function checkLabLimits(): string[] {
  const out = checkWireLimits();
  if (WIRE_LIVE_CAP > WIRE_RING_CAP) out.push(`the Wire view keeps ${WIRE_LIVE_CAP} messages but the backend only ${WIRE_RING_CAP}`);
  if (WIRE_BUDGET_PER_SECOND > WIRE_RING_CAP) out.push(`a second's wire budget (${WIRE_BUDGET_PER_SECOND}) exceeds the ring (${WIRE_RING_CAP})`);
  if (LAB_PORT_MIN >= LAB_PORT_MAX || LAB_PORT_MAX > 32_767) out.push(`the lab's port range ${LAB_PORT_MIN}..${LAB_PORT_MAX} must lie below the ephemeral ports (32768)`);
  // The largest znode data (jute.maxbuffer) as base64, with its path, must fit one chunk message.
  const largestNode = Math.ceil((JUTE_MAXBUFFER_DEFAULT * 4) / 3) + 4096 + 1024;
  if (largestNode > WS_MESSAGE_MAX) out.push(`a znode of jute.maxbuffer (${JUTE_MAXBUFFER_DEFAULT} bytes) does not fit one ${WS_MESSAGE_MAX}-byte WebSocket message`);
  if (IMPORT_CHUNK_BYTES >= WS_MESSAGE_MAX) out.push(`an import chunk (${IMPORT_CHUNK_BYTES} bytes) must be smaller than a WebSocket message (${WS_MESSAGE_MAX})`);
  if (LOAD_BURST_MAX > LOAD_WAITING_MAX) out.push(`a load burst (${LOAD_BURST_MAX}) exceeds the operations allowed in flight (${LOAD_WAITING_MAX})`);
  return out;
}

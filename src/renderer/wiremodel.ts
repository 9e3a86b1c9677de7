// The Wire view's model: message types and their colours, the live buffer's merge, and the
// constants the view and its diagram share.
import { WIRE_LIVE_CAP } from '../shared/limits';
import type { WireCapture, WireMessage } from '../shared/contract';

/** Messages the view keeps from the live feed (the backend's ring has more; the scrubber asks it). */
export const LIVE_CAP = WIRE_LIVE_CAP;
/** How far back the scrubber reaches. */
export const SCRUB_MS = 5 * 60_000;
export const WINDOWS: Record<string, number> = { '2s': 2000, '5s': 5000, '10s': 10_000, '30s': 30_000, '1m': 60_000, '5m': 300_000 };
/** Rows of one window drawn at most (the newest kept; the rest are counted). */
export const MAX_ROWS = 4000;
/** In time scale, arrows drawn at most (they overlap; the rest are counted). */
export const MAX_TIME_ROWS = 1500;
export const ROW_H = 20;
/** Room above the first row for its arrow's label. */
export const TOP = 8;
export const VIEW_H = 540;
export const HEAD_H = 34;
export const GUTTER = 96;
/** A delivery later than this after sending is drawn where it lands in time (a slanted arrow). */
export const SLANT_MS = 2;

const SYNC_COLOR = '#c2255c';
const TYPE_COLOR: Record<string, string> = {
  PROPOSAL: '#1971c2',
  ACK: '#2b8a3e',
  COMMIT: '#0b7285',
  INFORM: '#5c940d',
  REQUEST: '#862e9c',
  PING: '#adb5bd',
  SYNC: '#495057',
  REVALIDATE: '#495057',
  NOTIFICATION: '#e67700',
  CONNECT: '#f08c00',
  FOLDED: '#868e96',
  FOLLOWERINFO: SYNC_COLOR,
  OBSERVERINFO: SYNC_COLOR,
  LEADERINFO: SYNC_COLOR,
  ACKEPOCH: SYNC_COLOR,
  NEWLEADER: SYNC_COLOR,
  UPTODATE: SYNC_COLOR,
  DIFF: SYNC_COLOR,
  TRUNC: SYNC_COLOR,
  SNAP: SYNC_COLOR,
  SNAPSHOT: SYNC_COLOR,
};
export const colorOf = (type: string): string => TYPE_COLOR[type] ?? '#495057';
/** The type filter's chips, by what the messages are for. */
export const TYPE_GROUPS: [string, string[]][] = [
  ['Broadcast', ['PROPOSAL', 'ACK', 'COMMIT', 'INFORM', 'REQUEST', 'SYNC', 'PING', 'REVALIDATE']],
  ['Sync', ['FOLLOWERINFO', 'OBSERVERINFO', 'LEADERINFO', 'ACKEPOCH', 'DIFF', 'TRUNC', 'SNAP', 'SNAPSHOT', 'NEWLEADER', 'UPTODATE']],
  ['Election', ['NOTIFICATION', 'CONNECT']],
];
/** A message's status in the catalogue. */
export const STATUS_KEY: Record<WireMessage['status'], string> = { delivered: 'wire.statusDelivered', held: 'wire.statusHeld', dropped: 'wire.statusDropped' };
/** Types a write's zxid runs through. */
export const WRITE_TYPES = new Set(['PROPOSAL', 'ACK', 'COMMIT', 'INFORM']);

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
/** A moment as hh:mm:ss.mmm, local time (written by hand: toLocaleTimeString is slow for thousands of rows). */
export const ms3 = (t: number): string => {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

/** Index of the message with this seq in a seq-ordered array, or -1. */
export function findSeq(arr: WireMessage[], seq: number): number {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = arr[mid]!.seq;
    if (s === seq) return mid;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Adds messages to a seq-ordered buffer: new ones at the end, known seqs replaced (a held message delivered or dropped). */
export function merge(buf: WireMessage[], incoming: WireMessage[]): WireMessage[] {
  let out = buf;
  let sorted = true;
  for (const m of incoming) {
    const last = out.at(-1);
    if (!last || m.seq > last.seq) {
      out.push(m);
      continue;
    }
    const i = findSeq(out, m.seq);
    if (i >= 0) out[i] = m;
    else {
      out.push(m);
      sorted = false;
    }
  }
  if (!sorted) out = out.sort((a, b) => a.seq - b.seq);
  return out.length > LIVE_CAP ? out.slice(out.length - LIVE_CAP) : out;
}

export type Scale = 'events' | 'time';
export type CaptureInfo = Omit<WireCapture, 'messages'>;

// zk-lab wire: the capture as JSON lines, then (--follow) the messages the backend pushes, with
// the same filters applied here as the backend applies to its query.
import type { WireMessage, WireQuery } from '../../shared/contract';

function zxidValue(hex: string): bigint | null {
  try {
    return BigInt(hex.startsWith('0x') ? hex : `0x${hex}`);
  } catch {
    return null;
  }
}

/** Whether a pushed message passes the query's filters (types, members at either end, zxid). */
export function matchesWire(q: WireQuery, m: WireMessage): boolean {
  if (q.types && !q.types.includes(m.type.toUpperCase())) return false;
  if (q.members && !q.members.includes(m.from) && !q.members.includes(m.to)) return false;
  if (q.zxid !== null) {
    const want = zxidValue(q.zxid);
    if (m.zxid === null || want === null || zxidValue(m.zxid) !== want) return false;
  }
  return true;
}

/** One line of zk-lab wire's output. */
export const wireLine = (m: WireMessage): string => `${JSON.stringify(m)}\n`;

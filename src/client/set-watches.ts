// The watches a client re-registers on a fresh connection (ClientCnxn.primeConnection): SetWatches,
// or SetWatches2 when persistent watches exist, in batches of at most SET_WATCHES_MAX_LENGTH
// path bytes, so that a client with many watches never sends one oversized packet.
import { OpCode } from '../protocol/codes';
import * as R from '../protocol/records';
import type { Packet } from './cnxn';
import type { WatchKind } from './watch-manager';

/** Java splits SetWatches into batches of about this many path characters (ClientCnxn.SET_WATCHES_MAX_LENGTH). */
const SET_WATCHES_MAX_LENGTH = 128 * 1024;

/** The packets for the watched paths in `snap` (client paths; `toServer` adds the chroot). */
export function setWatchesPackets(snap: Record<WatchKind, string[]>, relativeZxid: bigint, toServer: (path: string) => string): Packet[] {
  const lists: [WatchKind, string[]][] = (['data', 'exist', 'child', 'persistent', 'persistentRecursive'] as WatchKind[]).map((k) => [k, snap[k].map(toServer)]);
  const packets: Packet[] = [];
  let batch: Record<WatchKind, string[]> = { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] };
  let length = 0;
  const flush = () => {
    const b = batch;
    const v2 = b.persistent.length > 0 || b.persistentRecursive.length > 0;
    packets.push({
      type: v2 ? OpCode.setWatches2 : OpCode.setWatches,
      xid: -8,
      write: (w) => {
        const common = { relativeZxid, dataWatches: b.data, existWatches: b.exist, childWatches: b.child };
        if (v2) R.SetWatches2.write(w, { ...common, persistentWatches: b.persistent, persistentRecursiveWatches: b.persistentRecursive });
        else R.SetWatches.write(w, common);
      },
      reply: () => undefined,
      fail: () => undefined,
    });
    batch = { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] };
    length = 0;
  };
  for (const [kind, paths] of lists) {
    for (const p of paths) {
      if (length > 0 && length + p.length > SET_WATCHES_MAX_LENGTH) flush();
      batch[kind].push(p);
      length += p.length;
    }
  }
  if (length > 0) flush();
  return packets;
}

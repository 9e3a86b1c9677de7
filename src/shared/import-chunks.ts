// How the page cuts a tree export into chunks for the lab's WebSocket (tree.import.chunk): in
// order, each chunk at most IMPORT_CHUNK_NODES znodes and IMPORT_CHUNK_BYTES bytes of JSON; a
// znode larger than a chunk on its own goes alone (it still fits one message: checkLabLimits).
import type { TreeExportNode } from './contract';
import { IMPORT_CHUNK_BYTES, IMPORT_CHUNK_NODES, WS_MESSAGE_MAX } from './limits';

/** Bytes of JSON of one znode in a chunk (its share of the message). */
function nodeBytes(n: TreeExportNode): number {
  return n.path.length * 2 + (n.data?.length ?? 4) + 48;
}

export function chunkNodes(nodes: TreeExportNode[], maxBytes = IMPORT_CHUNK_BYTES, maxNodes = IMPORT_CHUNK_NODES): TreeExportNode[][] {
  const out: TreeExportNode[][] = [];
  let cur: TreeExportNode[] = [];
  let bytes = 0;
  for (const n of nodes) {
    const b = nodeBytes(n);
    if (cur.length > 0 && (cur.length >= maxNodes || bytes + b > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(n);
    bytes += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Why a znode of an export cannot be sent at all (its data alone is over the WebSocket's cap), or
 * null. Checked before anything is sent, so such a file changes nothing.
 */
export function oversizedNode(nodes: TreeExportNode[]): string | null {
  for (const n of nodes) {
    if (nodeBytes(n) + 256 > WS_MESSAGE_MAX) return `the znode ${n.path || '(the root)'} carries ${n.data?.length ?? 0} bytes of base64 data, more than the lab's ${WS_MESSAGE_MAX / 1024 / 1024} MiB message cap (a znode holds at most jute.maxbuffer, 1 MiB)`;
  }
  return null;
}

// The page's chunks of a tree import: in order, every node once, each chunk under its caps and
// its whole message under the WebSocket's.
import { describe, expect, it } from 'vitest';
import type { TreeExportNode } from './contract';
import { chunkNodes, oversizedNode } from './import-chunks';
import { IMPORT_CHUNK_NODES, WS_MESSAGE_MAX } from './limits';

const node = (i: number, dataBytes: number): TreeExportNode => ({ path: `/n${i}`, data: dataBytes > 0 ? 'A'.repeat(dataBytes) : null, kind: 'persistent' });

describe('chunkNodes', () => {
  it('keeps order and every node, under the node and byte caps, each message under the WebSocket cap', () => {
    const nodes = Array.from({ length: 9000 }, (_, i) => node(i, i % 97 === 0 ? 300_000 : i % 5 === 0 ? 2000 : 0));
    const chunks = chunkNodes(nodes);
    expect(chunks.flat()).toEqual(nodes);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(IMPORT_CHUNK_NODES);
      const message = JSON.stringify({ id: 1, request: { method: 'tree.import.chunk', upload: 'f'.repeat(16), nodes: c } });
      expect(message.length).toBeLessThan(WS_MESSAGE_MAX);
    }
    expect(chunks.length).toBeGreaterThan(9000 / IMPORT_CHUNK_NODES);
  });

  it('sends a znode of 1 MiB (jute.maxbuffer) as base64 alone in its chunk', () => {
    const big = node(1, Math.ceil((0xfffff * 4) / 3));
    const chunks = chunkNodes([node(0, 10), big, node(2, 10)]);
    expect(chunks).toEqual([[node(0, 10)], [big], [node(2, 10)]]);
    expect(oversizedNode([big])).toBeNull();
  });

  it('names a znode too large for any message before anything is sent', () => {
    expect(oversizedNode([node(0, 1), node(7, WS_MESSAGE_MAX)])).toMatch(/the znode \/n7 carries .* more than the lab's 4 MiB message cap/);
  });
});

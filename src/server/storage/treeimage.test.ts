import { describe, expect, it } from 'vitest';
import { OpCode, Perms } from '../../protocol/codes';
import type { ACL } from '../../protocol/records';
import { DataTree } from '../tree/datatree';
import { applyImage, captureTree, imageChunks, parseImage } from './treeimage';

const OPEN: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];

function treeOf(prefix: string, n: number): DataTree {
  const tree = new DataTree();
  let zxid = 0n;
  for (let i = 0; i < n; i++) {
    tree.processTxn(
      { clientId: 1n, cxid: 0, zxid: ++zxid, time: 1000n, type: OpCode.create },
      { type: OpCode.create, path: `/${prefix}${i}`, data: Buffer.from(`${prefix}-${i}`), acl: OPEN, ephemeral: false, parentCVersion: -1 },
    );
  }
  return tree;
}

describe('tree image of the compact store', () => {
  it('copies one tree when a SNAP replaces the tree while a snapshot is copied in slices', async () => {
    const tree = treeOf('old', 50);
    const capturing = captureTree(tree, new Map(), { sliceSize: 5 });
    // Between slices, the tree is replaced by another one (a follower taking a SNAP): ids of the
    // old store would read the new store's columns if the copy followed the tree.
    const replacement = parseImage(Buffer.concat([...imageChunks(await captureTree(treeOf('new', 80), new Map()))])).image;
    applyImage(tree, new Map(), replacement, 80n);
    const image = await capturing;
    const copy = parseImage(Buffer.concat([...imageChunks(image)])).image.tree;
    for (let i = 0; i < 50; i++) expect(copy.inspect(`/old${i}`)?.data?.toString()).toBe(`old-${i}`);
    expect(copy.inspect('/new0')).toBeUndefined();
    expect(tree.inspect('/new79')?.data?.toString()).toBe('new-79');
  });
});

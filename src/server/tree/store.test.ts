import { describe, expect, it } from 'vitest';
import { OpCode, Perms } from '../../protocol/codes';
import type { ACL } from '../../protocol/records';
import type { Txn } from '../../protocol/txn';
import { DataTree, NONE } from './datatree';
import { NodeStore } from './store';

const OPEN: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];

function applier(tree: DataTree) {
  let zxid = 0n;
  return (txn: Txn) => tree.processTxn({ clientId: 7n, cxid: 0, zxid: ++zxid, time: 1000n + zxid, type: txn.type }, txn);
}

const create = (path: string, data: Buffer | null): Txn => ({ type: OpCode.create, path, data, acl: OPEN, ephemeral: false, parentCVersion: -1 });

describe('compact znode store', () => {
  it('keeps memory bounded over a long run of creates, setData and deletes', () => {
    const tree = new DataTree();
    const apply = applier(tree);
    apply(create('/churn', null));
    const live: string[] = [];
    let next = 0;
    let peak = { idSlots: 0, slabBytes: 0 };
    let failed = 0;
    // 60 rounds of: 500 creates of 1 KiB, 500 setData, the oldest 500 deleted: at most ~1000
    // znodes (~1 MiB of data) live at once, 30 000 znodes and ~60 MiB of data through the store.
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < 500; i++) {
        const p = `/churn/n${next++}`;
        if (apply(create(p, Buffer.alloc(1024, next & 255))).err !== 0) failed++;
        live.push(p);
      }
      for (const p of live.slice(-500)) if (apply({ type: OpCode.setData, path: p, data: Buffer.alloc(1024, 1), version: -1 }).err !== 0) failed++;
      if (live.length > 500) for (const p of live.splice(0, 500)) if (apply({ type: OpCode.delete, path: p }).err !== 0) failed++;
      const f = tree.storeFootprint();
      if (round === 10) peak = { idSlots: f.idSlots, slabBytes: f.slabBytes };
      // After the first rounds nothing grows: ids are reused and garbage slabs are dropped or compacted.
      if (round > 10) {
        expect(f.idSlots).toBe(peak.idSlots);
        expect(f.slabBytes).toBeLessThanOrEqual(Math.max(peak.slabBytes, 4 * 1024 * 1024 + 8 * 1024 * 1024));
      }
    }
    expect(failed).toBe(0);
    const f = tree.storeFootprint();
    expect(f.znodes).toBe(4 + 1 + 500);
    // Live data is ~0.5 MiB: everything else was given back.
    expect(f.slabBytes).toBeLessThan(16 * 1024 * 1024);
    // Every live znode still reads back its own last write.
    for (const p of live) expect(tree.inspect(p)!.data).toEqual(Buffer.alloc(1024, 1));
  });

  it('moves live records out of a mostly dead slab, and data handed out earlier keeps its bytes', () => {
    const s = new NodeStore();
    const root = s.add('/', NONE);
    const ids: number[] = [];
    // ~10 MiB of 100-byte records: several slabs besides the current one.
    for (let i = 0; i < 100_000; i++) {
      const id = s.add(`/n${i}`, root);
      s.setData(id, Buffer.from(`value-${i}`.padEnd(100, '.')));
      ids.push(id);
    }
    const before = s.slabBytes;
    const held = s.data(ids[1]!)!;
    // Free all but every tenth: most slabs fall under a quarter live and are compacted.
    for (let i = 0; i < ids.length; i++) if (i % 10 !== 0) s.remove(ids[i]!);
    expect(s.slabBytes).toBeLessThan(before / 2);
    for (let i = 0; i < ids.length; i += 10) expect(s.data(ids[i]!)!.toString()).toBe(`value-${i}`.padEnd(100, '.'));
    expect(held.toString()).toBe('value-1'.padEnd(100, '.'));
    expect(s.childCount[root]).toBe(10_000);
  });

  it('writes a record larger than any slab so far when the slab it leaves is compacted into the new one', () => {
    const s = new NodeStore();
    const root = s.add('/', NONE);
    // The first slab (64 KiB) nearly full of 1000-byte records, then all but 10 freed: under a
    // quarter live, so leaving it compacts it into whatever slab comes next.
    const ids: number[] = [];
    for (let i = 0; i < 60; i++) {
      const id = s.add(`/n${i}`, root);
      s.setData(id, Buffer.alloc(1000, i));
      ids.push(id);
    }
    for (let i = 10; i < 60; i++) s.remove(ids[i]!);
    // 200 KB does not fit the 64 KiB slab: the next one is sized for it alone, and the moved
    // records must not take the room it needs (kazoo's suite crashed the server here).
    const big = s.add('/big', root);
    s.setData(big, Buffer.alloc(200_000, 7));
    expect(s.data(big)).toEqual(Buffer.alloc(200_000, 7));
    for (let i = 0; i < 10; i++) expect(s.data(ids[i]!)).toEqual(Buffer.alloc(1000, i));
  });

  it('links children so deletes anywhere in the list keep the rest', () => {
    const tree = new DataTree();
    const apply = applier(tree);
    apply(create('/p', null));
    for (const c of ['a', 'b', 'c', 'd', 'e']) apply(create(`/p/${c}`, Buffer.from(c)));
    for (const c of ['c', 'e', 'a']) apply({ type: OpCode.delete, path: `/p/${c}` });
    const id = tree.lookup('/p');
    expect(tree.childNames(id).sort()).toEqual(['b', 'd']);
    expect(tree.stat(id).numChildren).toBe(2);
    // A reused id starts clean: no stale children, data or counters.
    apply(create('/p/x', null));
    const x = tree.lookup('/p/x');
    expect(tree.childCount(x)).toBe(0);
    expect(tree.data(x)).toBeNull();
    expect(tree.version(x)).toBe(0);
    expect(tree.countDescendants('/')).toBe(3 + 1 + 3);
  });
});

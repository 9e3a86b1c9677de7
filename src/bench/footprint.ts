// Where a large tree's bytes go, measured in a process of its own (node --expose-gc, so the
// figures are of live memory, not of garbage not yet collected): the tree of the large bench's
// shape is built through processTxn, and the JS heap (path strings, the path index, the id ->
// path column) and the memory outside it (the store's column arrays and data slabs) are divided
// by the znode count. RSS also holds the runtime, garbage and allocator slack; these do not.
import { execFileSync } from 'node:child_process';
import { OpCode, Perms } from '../protocol/codes';
import { DataTree } from '../server/tree/datatree';

export interface Footprint {
  znodes: number;
  /** JS heap per znode once built (after full GCs). */
  heapPerZnode: number;
  /** Memory outside the JS heap per znode (typed-array columns and data slabs). */
  externalPerZnode: number;
  /** Of which data slabs (payload plus an 8-byte record header each). */
  slabPerZnode: number;
  /** Id slots allocated per live znode (the columns grow by half when full). */
  idSlotsPerZnode: number;
}

function measure(parents: number, perParent: number, payload: number): Footprint {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('footprint needs node --expose-gc');
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, external: m.external };
  };
  const before = used();
  const tree = new DataTree();
  const acl = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
  let zxid = 0x100000000n;
  const apply = (path: string, data: Buffer | null) =>
    tree.processTxn({ clientId: 1n, cxid: 0, zxid: ++zxid, time: 1_700_000_000_000n + zxid, type: OpCode.create }, { type: OpCode.create, path, data, acl, ephemeral: false, parentCVersion: -1 });
  apply('/large', null);
  for (let p = 0; p < parents; p++) {
    apply(`/large/p${p}`, null);
    for (let i = 0; i < perParent; i++) apply(`/large/p${p}/n${i}`, Buffer.alloc(payload, i & 0xff));
  }
  const after = used();
  const f = tree.storeFootprint();
  return {
    znodes: f.znodes,
    heapPerZnode: (after.heap - before.heap) / f.znodes,
    externalPerZnode: (after.external - before.external) / f.znodes,
    slabPerZnode: f.slabBytes / f.znodes,
    idSlotsPerZnode: f.idSlots / f.znodes,
  };
}

/** Runs the measurement in a fresh `node --expose-gc` (this file as its main). */
export function footprint(parents: number, perParent: number, payload: number): Footprint {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, String(parents), String(perParent), String(payload)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as Footprint;
}

if (require.main === module) {
  const [parents, perParent, payload] = process.argv.slice(2).map(Number);
  process.stdout.write(JSON.stringify(measure(parents!, perParent!, payload!)));
}

import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { indexState, READ_ACL, treeState, TxnGen } from '../../../test/storage/txngen';
import { Writer } from '../../protocol/jute';
import type { LoggedTxn } from '../../protocol/txn';
import { DataTree } from '../tree/datatree';
import { nodeDisk, type Disk, type DiskFile } from '../runtime/disk';
import { captureTree, type TreeImage } from './treeimage';
import { adler32 } from './adler32';
import { treeDigest } from './digest';
import { writeSnapshotFile } from './snapfile';
import { SnapStreamReader, encodeSnapStream } from './snapstream';
import type { SessionTable } from './types';

import { cleanUp, open, tempDir, workload } from '../../../test/storage/file-storage-kit';

afterEach(cleanUp);

describe('FileStorage: digests, epoch files and the SNAP stream', () => {
  it('checks the digest a ZooKeeper snapshot carries, and tells a fuzzy one from a damaged one', async () => {
    // ZooKeeper records the digest of the last txn it finished; we write snapshots with none
    // (zxid 0), so these files get one patched in, sealed again as ZooKeeper seals it.
    const withDigest = async (dir: string, image: TreeImage, zxid: bigint, digest: bigint) => {
      const { path } = await writeSnapshotFile(nodeDisk, join(dir, 'version-2'), image);
      const b = readFileSync(path);
      const seal2 = b.length - 13; // long adler32, ustring "/"
      b.writeBigInt64BE(zxid, seal2 - 20);
      b.writeBigInt64BE(digest, seal2 - 8);
      b.writeBigInt64BE(BigInt(adler32(b.subarray(0, seal2))), seal2);
      writeFileSync(path, b);
    };
    type Case = { name: string; build: (g: TxnGen) => Promise<{ image: TreeImage; zxid: bigint; digest: bigint; later?: LoggedTxn[] }>; after: number; says: RegExp };
    const cases: Case[] = [
      {
        name: 'taken between writes',
        build: async (g) => ({ image: await captureTree(g.tree, g.sessions), zxid: g.zxid, digest: treeDigest(g.tree) }),
        after: 3,
        says: /The tree digest at 0x100000010 matches the snapshot's\./,
      },
      {
        name: 'damaged, with no txn after it',
        build: async (g) => ({ image: await captureTree(g.tree, g.sessions), zxid: g.zxid, digest: treeDigest(g.tree) + 1n }),
        after: 0,
        says: /Warning: the tree digest at 0x100000010 is -?\d+ but snapshot\.100000010 recorded/,
      },
      {
        // The copy saw a later setACL (which changes no zxid) before the digest moved on.
        name: 'fuzzy at its own zxid',
        build: async (g) => {
          const at = g.zxid;
          const digest = treeDigest(g.tree);
          const later = [g.setACL('/app', READ_ACL)];
          const image = await captureTree(g.tree, g.sessions);
          return { image: { ...image, zxid: at }, zxid: at, digest, later };
        },
        after: 2,
        says: /differs from the one snapshot\.100000010 recorded, but the snapshot was taken while later txns were being applied, so the two cannot be compared \(ZooKeeper never/,
      },
      {
        // Digest for 0x...11; the copy already holds the create of 0x...12.
        name: 'fuzzy past its digest',
        build: async (g) => {
          const at = g.zxid;
          const later = [g.setData('/app', 'one more')];
          const zxid = g.zxid;
          const digest = treeDigest(g.tree);
          later.push(g.create('/late', 'seen by the copy'));
          const image = await captureTree(g.tree, g.sessions);
          return { image: { ...image, zxid: at }, zxid, digest, later };
        },
        after: 1,
        says: /The tree digest at 0x100000011 differs .* taken while txns were applied \(it holds a change from 0x100000012\), so the two cannot be compared\./,
      },
    ];
    for (const c of cases) {
      const dir = tempDir();
      const { storage } = await open(dir);
      const g = new TxnGen();
      for (const t of workload(g)) await storage.append(t);
      const built = await c.build(g);
      // Every txn the tree holds is in the log, and `after` more follow.
      for (const t of built.later ?? []) await storage.append(t);
      for (let i = 0; i < c.after; i++) await storage.append(g.create(`/after-${i}`));
      await storage.close();
      await withDigest(dir, built.image, built.zxid, built.digest);
      const again = await open(dir);
      const notes = again.result.notes.join('\n');
      expect(notes, c.name).toMatch(new RegExp(`Loaded snapshot\\.${built.image.zxid.toString(16)}`));
      expect(notes, c.name).toMatch(c.says);
      if (!c.says.source.startsWith('Warning')) expect(notes, c.name).not.toMatch(/Warning/);
      expect(treeState(again.tree), c.name).toEqual(treeState(g.tree));
    }
  });

  it('writes and reads the epoch files atomically as plain decimal', async () => {
    const dir = tempDir();
    const { storage } = await open(dir);
    expect(storage.readEpoch('currentEpoch')).toBeNull();
    storage.writeEpoch('acceptedEpoch', 7);
    storage.writeEpoch('currentEpoch', 6);
    expect(readFileSync(join(dir, 'version-2', 'acceptedEpoch'), 'utf8')).toBe('7');
    expect(storage.readEpoch('acceptedEpoch')).toBe(7);
    expect(storage.readEpoch('currentEpoch')).toBe(6);
    expect(readdirSync(join(dir, 'version-2')).some((n) => n.endsWith('.tmp'))).toBe(false);
    writeFileSync(join(dir, 'version-2', 'currentEpoch'), 'garbage');
    expect(() => storage.readEpoch('currentEpoch')).toThrow(/currentEpoch holds "garbage", not an epoch number/);
    appendFileSync(join(dir, 'version-2', 'acceptedEpoch'), '\n');
    expect(storage.readEpoch('acceptedEpoch')).toBe(7);
  });

  it('round-trips the tree and sessions through the SNAP stream, fed in small pieces', async () => {
    const g = new TxnGen();
    workload(g);
    const { zxid, chunks } = await encodeSnapStream(g.tree, g.sessions, { sliceSize: 3 });
    expect(zxid).toBe(g.zxid);
    const all = Buffer.concat([...chunks, Buffer.from('NEXT-PACKET')]);
    expect(all.subarray(all.length - 25, all.length - 11).toString('latin1')).toContain('BenWasHere');
    const reader = new SnapStreamReader();
    let rest: Buffer | null = null;
    for (let i = 0; i < all.length && rest === null; i += 7) rest = reader.push(all.subarray(i, i + 7));
    expect(rest).not.toBeNull();
    const tree = new DataTree();
    const sessions: SessionTable = new Map();
    reader.applyTo(tree, sessions, zxid);
    expect(treeState(tree)).toEqual(treeState(g.tree));
    expect(indexState(tree)).toEqual(indexState(g.tree));
    expect([...sessions]).toEqual([...g.sessions]);
    expect(tree.lastProcessedZxid).toBe(g.zxid);
    // What followed the stream is handed back, whatever the chunking.
    const consumed = Math.ceil((all.length - 11) / 7) * 7;
    expect(Buffer.concat([rest!, all.subarray(Math.min(consumed, all.length))]).toString()).toContain('PACKET');
  });

  it('refuses a SNAP stream with a znode before its parent or an unknown ACL index, and the live tree stays as it was', async () => {
    const g = new TxnGen();
    workload(g);
    const live = g.tree;
    const before = treeState(live);
    const w = new Writer(256);
    const node = (path: string, aclIndex: bigint) => {
      w.ustring(path);
      w.buffer(Buffer.from('x'));
      w.long(aclIndex);
      for (let i = 0; i < 4; i++) w.long(1n);
      for (let i = 0; i < 3; i++) w.int(0);
      w.long(0n);
      w.long(1n);
    };
    const stream = (build: () => void) => {
      w.pos = 0;
      w.int(0); // sessions
      w.int(0); // ACL table
      build();
      w.ustring('/');
      w.ustring('BenWasHere');
      return Buffer.from(w.bytes());
    };
    const cases: Array<[() => void, RegExp]> = [
      [() => { node('', -1n); node('/a/b', -1n); }, /znode \/a\/b comes before its parent \/a/],
      [() => { node('', -1n); node('/a', 7n); }, /znode \/a uses ACL index 7, which is not in the ACL cache/],
      [() => { node('/a', -1n); }, /znode \/a comes before its parent \//],
      [() => {}, /the data tree has no root znode/],
    ];
    for (const [build, why] of cases) {
      const reader = new SnapStreamReader();
      expect(() => reader.push(stream(build))).toThrow(why);
      expect(treeState(live)).toEqual(before);
    }
  });
});


describe('FileStorage on a failing disk', () => {
  /** The real disk, except that the chosen step of the txn log fails once armed. */
  function faultyDisk(fail: { on: 'write' | 'datasync' | null; code: string }): Disk {
    return {
      ...nodeDisk,
      async create(path, copy) {
        const real = await nodeDisk.create(path, copy);
        if (!basename(path).startsWith('log.')) return real;
        const guard = (step: 'write' | 'datasync') => {
          if (fail.on === step) {
            const e = new Error(`${fail.code}: simulated, ${step}`) as NodeJS.ErrnoException;
            e.code = fail.code;
            throw e;
          }
        };
        const h: DiskFile = {
          write: async (b, p) => {
            guard('write');
            await real.write(b, p);
          },
          datasync: async () => {
            guard('datasync');
            await real.datasync();
          },
          truncate: (l) => real.truncate(l),
          close: () => real.close(),
        };
        return h;
      },
    };
  }

  for (const [step, code] of [['write', 'ENOSPC'], ['datasync', 'EIO']] as const) {
    it(`rejects appends when ${step} fails with ${code}, acknowledges nothing after, and recovers what was durable`, async () => {
      const dir = tempDir();
      const fail = { on: null as 'write' | 'datasync' | null, code };
      const { storage } = await open(dir, { disk: faultyDisk(fail) });
      const g = new TxnGen();
      for (let i = 0; i < 5; i++) await storage.append(g.create(`/ok${i}`));
      const durable = treeState(g.tree);
      fail.on = step;
      const results = await Promise.allSettled([0, 1, 2].map((i) => storage.append(g.create(`/lost${i}`))));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      const reason = (results[0] as PromiseRejectedResult).reason as Error;
      expect(reason.message).toMatch(new RegExp(`The transaction log is not durable: ${step === 'write' ? 'writing' : 'fdatasync of'} log\\.100000001 .* failed with ${code}.*acknowledges no more writes`));
      fail.on = null; // even a healthy disk does not bring it back: the state is unknown
      await expect(storage.append(g.create('/later'))).rejects.toThrow(/not durable/);
      expect(storage.failure).toBe(reason);
      await storage.close();
      const again = await open(dir);
      const recovered = treeState(again.tree);
      // Every acknowledged znode is back; rejected txns may or may not be (never acknowledged).
      for (const p of Object.keys(durable)) if (p !== '/') expect(recovered[p]).toEqual(durable[p]);
      expect(recovered['/later']).toBeUndefined();
      if (step === 'write') expect(recovered['/lost0']).toBeUndefined();
    });
  }
});

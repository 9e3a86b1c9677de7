import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { indexState, DIGEST_ACL, treeState, TxnGen } from '../../../test/storage/txngen';
import { encodeLoggedTxn, type LoggedTxn } from '../../protocol/txn';
import { DataTree } from '../tree/datatree';
import { replayTxn, StorageError } from './recovery';
import { applyImage, captureTree, imageChunks, parseImage } from './treeimage';
import type { SessionTable } from './types';

import { cleanUp, commit, open, tempDir, waitUntil, workload } from '../../../test/storage/file-storage-kit';

afterEach(cleanUp);

describe('FileStorage', () => {
  it('starts an empty dataDir with snapshot.0, as ZooKeeper does', async () => {
    const dir = tempDir();
    const { result, tree, storage } = await open(dir);
    expect(result.lastZxid).toBe(0n);
    expect(result.notes.join(' ')).toMatch(/wrote snapshot\.0/);
    expect(readdirSync(join(dir, 'version-2'))).toEqual(['snapshot.0']);
    expect(storage.lastSnapshot()?.zxid).toBe(0n);
    expect(Object.keys(treeState(tree))).toEqual(['/', '/zookeeper', '/zookeeper/config', '/zookeeper/quota']);
  });

  it('recovers every acknowledged txn with the same znodes, data, ACLs, Stat and sessions', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir);
    const g = new TxnGen();
    for (const t of workload(g)) await commit(storage, tree, sessions, t);
    expect(treeState(tree)).toEqual(treeState(g.tree));
    await storage.close();

    const again = await open(dir);
    expect(again.result.lastZxid).toBe(g.zxid);
    expect(treeState(again.tree)).toEqual(treeState(g.tree));
    expect(indexState(again.tree)).toEqual(indexState(g.tree));
    expect([...again.sessions]).toEqual([...g.sessions]);
    expect(again.tree.ephemerals.get(0x100000aan)).toEqual(new Set(['/app/lock-0000000000']));
    expect(again.tree.containers).toEqual(new Set(['/app/c']));
    expect(again.tree.ttls).toEqual(new Set(['/app/ttl']));
  });

  it('loads from a snapshot plus the log after it, and from the snapshot alone', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir);
    const g = new TxnGen();
    const txns = workload(g);
    for (const t of txns.slice(0, 8)) await commit(storage, tree, sessions, t);
    await storage.snapshot();
    for (const t of txns.slice(8)) await commit(storage, tree, sessions, t);
    await storage.close();
    const again = await open(dir);
    expect(again.result.notes.join('\n')).toMatch(/Loaded snapshot\.1000000(08)?/);
    expect(treeState(again.tree)).toEqual(treeState(g.tree));
    expect([...again.sessions].sort()).toEqual([...g.sessions].sort());
    await again.storage.snapshot();
    await again.storage.close();
    const third = await open(dir);
    expect(third.result.notes.join('\n')).toMatch(new RegExp(`Loaded snapshot\\.${g.zxid.toString(16)}`));
    expect(treeState(third.tree)).toEqual(treeState(g.tree));
    expect(indexState(third.tree)).toEqual(indexState(g.tree));
  });

  it('group-commits: appends issued together share fsyncs, and all resolve in order', async () => {
    const dir = tempDir();
    const { storage } = await open(dir);
    const g = new TxnGen();
    const order: bigint[] = [];
    const txns = Array.from({ length: 2000 }, (_, i) => g.create(`/k${i}`, 'v'));
    await Promise.all(txns.map((t) => storage.append(t).then(() => order.push(t.header.zxid))));
    expect(order).toEqual(txns.map((t) => t.header.zxid));
    expect(storage.logStats.appends).toBe(2000);
    expect(storage.logStats.fsyncs).toBeGreaterThan(0);
    expect(storage.logStats.fsyncs).toBeLessThan(100);
    expect(storage.logStats.fsyncs).toBe(storage.logStats.batches);
  });

  it('does not sync at all with forceSync=no, and still recovers after a clean close', async () => {
    const dir = tempDir();
    const { storage } = await open(dir, { forceSync: false });
    const g = new TxnGen();
    for (let i = 0; i < 50; i++) await storage.append(g.create(`/k${i}`));
    expect(storage.logStats.fsyncs).toBe(0);
    await storage.close();
    const again = await open(dir);
    expect(treeState(again.tree)).toEqual(treeState(g.tree));
  });

  it('preallocates the log in preAllocSize blocks of zeros', async () => {
    const dir = tempDir();
    const { storage } = await open(dir, { preAllocSizeKb: 16 });
    const g = new TxnGen();
    await storage.append(g.create('/a', 'x'));
    const log = join(dir, 'version-2', 'log.100000001');
    expect(statSync(log).size).toBe(16 * 1024);
    for (let i = 0; i < 60; i++) await storage.append(g.create(`/b${i}`, 'y'.repeat(200)));
    expect(statSync(log).size % (16 * 1024)).toBe(0);
    expect(statSync(log).size).toBeGreaterThan(16 * 1024);
  });

  it('rejects a txn whose zxid is not after the last one logged', async () => {
    const dir = tempDir();
    const { storage } = await open(dir);
    const g = new TxnGen();
    const t = g.create('/a');
    await storage.append(t);
    await expect(storage.append(t)).rejects.toThrow(/not after the last logged txn 0x100000001/);
  });

  it('rolls the log and snapshots about every snapCount txns (randomised), without stopping appends', async () => {
    const dir = tempDir();
    const { storage, tree, sessions, logs } = await open(dir, { snapCount: 40, snapshotSliceSize: 3 });
    const g = new TxnGen();
    for (let i = 0; i < 200; i++) {
      const t = i % 3 === 2 ? g.setData(`/k${i - 1}`, `v${i}`) : g.create(`/k${i}`, `v${i}`);
      await commit(storage, tree, sessions, t);
    }
    await storage.snapshot();
    const names = readdirSync(join(dir, 'version-2'));
    const snaps = names.filter((n) => n.startsWith('snapshot.'));
    const logFiles = names.filter((n) => n.startsWith('log.'));
    // 200 txns, a snapshot every 21..40 txns: at least 5 rolls and snapshots.
    expect(logFiles.length).toBeGreaterThanOrEqual(6);
    expect(snaps.length).toBeGreaterThanOrEqual(6);
    expect(logs.filter((l) => l.startsWith('INFO Snapshot')).length).toBeGreaterThanOrEqual(6);
    await storage.close();
    const again = await open(dir);
    expect(treeState(again.tree)).toEqual(treeState(g.tree));
  });

  it('takes a fuzzy snapshot while txns keep changing the tree, and replay mends it', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir, { snapshotSliceSize: 2 });
    const g = new TxnGen();
    const s = 0x77n;
    await commit(storage, tree, sessions, g.createSession(s));
    for (let i = 0; i < 30; i++) await commit(storage, tree, sessions, g.create(`/p${i}`, 'a'));
    for (let i = 0; i < 30; i++) await commit(storage, tree, sessions, g.create(`/p${i}/e`, 'e', { ephemeralOwner: s }));
    // Start a snapshot, then change the tree while it is being copied in slices.
    const snap = storage.snapshot();
    for (let i = 0; i < 30; i++) {
      await commit(storage, tree, sessions, g.setData(`/p${i}`, `b${i}`));
      if (i % 3 === 0) await commit(storage, tree, sessions, g.delete(`/p${i}/e`));
      if (i % 5 === 0) await commit(storage, tree, sessions, g.create(`/p${i}/new`, 'n'));
    }
    await commit(storage, tree, sessions, g.closeSession(s));
    await commit(storage, tree, sessions, g.create('/p1/e', 'again', { ephemeralOwner: 0x88n }));
    await snap;
    await storage.close();
    const again = await open(dir);
    expect(treeState(again.tree)).toEqual(treeState(g.tree));
    expect(indexState(again.tree)).toEqual(indexState(g.tree));
  });

  it('copies a tree that changes between every slice parents-first, and replay from its zxid ends at the live tree', async () => {
    const g = new TxnGen();
    const s = 0x99n;
    g.createSession(s);
    g.create('/q', 'leaf');
    for (let i = 0; i < 10; i++) {
      g.create(`/p${i}`, 'a');
      g.create(`/p${i}/c`, 'c');
    }
    g.create('/p0/e', 'e', { ephemeralOwner: s });
    const znodesAtStart = (g.tree.nodeCount() - 1);
    const capturing = captureTree(g.tree, g.sessions, { sliceSize: 1 });
    const later: LoggedTxn[] = [];
    const changes: Array<() => LoggedTxn> = [
      () => g.delete('/q'),
      () => g.create('/q', 'again'), // a parent made again goes to the end of the map, before its child
      () => g.create('/q/c', 'child of the new /q'),
      () => g.create('/n', 'n'),
      () => g.create('/n/a', 'a'),
      () => g.create('/n/a/b', 'b'),
      () => g.setACL('/p3', DIGEST_ACL), // a list the tree had not met when the copy started
      () => g.setData('/p5', 'b'),
      () => g.delete('/p6/c'),
      () => g.closeSession(s),
    ];
    for (const change of changes) {
      later.push(change());
      await new Promise((r) => setImmediate(r));
    }
    const image = await capturing;
    // The copy was still going when the changes were done: it met the znodes made meanwhile.
    expect(image.nodeCount).toBeGreaterThan(znodesAtStart);
    const { image: parsed } = parseImage(Buffer.concat([...imageChunks(image)]));
    expect(parsed.tree.inspect('/q/c')).toBeDefined();
    expect(parsed.tree.inspect('/n/a/b')).toBeDefined();
    const tree = new DataTree();
    const sessions: SessionTable = new Map();
    applyImage(tree, sessions, parsed, image.zxid);
    for (const t of later) if (t.header.zxid > image.zxid) replayTxn(tree, sessions, t);
    expect(treeState(tree)).toEqual(treeState(g.tree));
    expect(indexState(tree)).toEqual(indexState(g.tree));
    expect([...sessions]).toEqual([...g.sessions]);
  });

  it('cuts a torn tail back to the last good txn with one note, and keeps appending after it', async () => {
    const dir = tempDir();
    const { storage } = await open(dir);
    const g = new TxnGen();
    for (let i = 0; i < 10; i++) await storage.append(g.create(`/k${i}`, 'v'));
    const durable = treeState(g.tree);
    const last = g.create('/torn', 'this write never finished');
    await storage.append(last);
    await storage.close();
    // Tear the last record: keep its first 20 bytes, zero the rest (what preallocated space shows).
    const log = join(dir, 'version-2', 'log.100000001');
    const fresh = readFileSync(log);
    let end = fresh.length;
    while (fresh[end - 1] === 0) end--;
    const lastStart = end - (13 + encodeLoggedTxn(last).length);
    fresh.fill(0, lastStart + 20, end);
    writeFileSync(log, fresh);

    const again = await open(dir);
    const notes = again.result.notes.filter((n) => /torn/.test(n));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/log\.100000001 ended in a torn write at byte \d+ \(a checksum mismatch\): truncated it back to the last good txn 0x10000000a/);
    expect(again.result.lastZxid).toBe(0x10000000an);
    const expected = durable;
    expect(treeState(again.tree)).toEqual(expected);
    expect(statSync(log).size).toBe(lastStart);
    // The next txn reuses the torn txn's zxid and goes to a new file.
    const g2 = new TxnGen(1n, 10n);
    const redo = g2.create('/after', 'ok');
    await again.storage.append(redo);
    await again.storage.close();
    const third = await open(dir);
    expect(third.result.lastZxid).toBe(0x10000000bn);
    expect(third.tree.inspect('/after')?.data?.toString()).toBe('ok');
  });

  it('stops with a sentence when a log is damaged in the middle', async () => {
    const dir = tempDir();
    const { storage } = await open(dir);
    const g = new TxnGen();
    for (let i = 0; i < 10; i++) await storage.append(g.create(`/k${i}`, 'value'));
    await storage.close();
    const log = join(dir, 'version-2', 'log.100000001');
    const pristine = readFileSync(log);
    const entryLen = pristine.readInt32BE(16 + 8) + 13;
    // Inside the fifth entry: four good txns before it, five after.
    const middle = Buffer.from(pristine);
    middle[16 + 4 * entryLen + 30]! ^= 0xff;
    writeFileSync(log, middle);
    await expect(open(dir)).rejects.toThrow(StorageError);
    await expect(open(dir)).rejects.toThrow(
      new RegExp(`Transaction log .*log\\.100000001 is damaged at byte ${16 + 4 * entryLen} \\(a checksum mismatch\\) and good txns follow the damage`),
    );
    // Inside the very first entry: the file has no good txn before the damage, but is not deleted.
    const first = Buffer.from(pristine);
    first[16 + 30]! ^= 0xff;
    writeFileSync(log, first);
    await expect(open(dir)).rejects.toThrow(/log\.100000001 is unreadable: it is damaged at byte 16 \(a checksum mismatch\) and good txns follow the damage/);
    expect(existsSync(log)).toBe(true);
  });

  it('falls back to an older snapshot when the newest is corrupt, and stops when none is usable', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir);
    const g = new TxnGen();
    for (let i = 0; i < 5; i++) await commit(storage, tree, sessions, g.create(`/k${i}`, 'v'));
    await storage.snapshot();
    for (let i = 5; i < 8; i++) await commit(storage, tree, sessions, g.create(`/k${i}`, 'v'));
    await storage.close();
    const newest = join(dir, 'version-2', 'snapshot.100000005');
    const buf = readFileSync(newest);
    buf[40]! ^= 0x55; // inside the tree: it no longer reads back whole
    writeFileSync(newest, buf);
    const again = await open(dir);
    expect(again.result.notes.join('\n')).toMatch(/Skipped 1 unusable newer snapshot\(s\) \(snapshot\.100000005 is corrupt: .*\); using snapshot\.0/s);
    expect(treeState(again.tree)).toEqual(treeState(g.tree));
    await again.storage.close();

    truncateSync(join(dir, 'version-2', 'snapshot.0'), 30);
    await expect(open(dir)).rejects.toThrow(/No usable snapshot in .*snapshot\.100000005 is corrupt.*snapshot\.0 is incomplete/s);
  });

  it('refuses logs without any snapshot', async () => {
    const dir = tempDir();
    const { storage } = await open(dir);
    await storage.append(new TxnGen().create('/a'));
    await storage.close();
    rmSync(join(dir, 'version-2', 'snapshot.0'));
    await expect(open(dir)).rejects.toThrow(/has transaction logs \(log\.100000001\) but .* has no snapshot/);
  });

  it('removes a trailing log file that holds no txn', async () => {
    const dir = tempDir();
    const { storage } = await open(dir);
    const g = new TxnGen();
    await storage.append(g.create('/a'));
    await storage.close();
    writeFileSync(join(dir, 'version-2', 'log.100000002'), Buffer.alloc(4096));
    const again = await open(dir);
    expect(again.result.notes.join('\n')).toMatch(/Removed log\.100000002: its file header was never written/);
    expect(existsSync(join(dir, 'version-2', 'log.100000002'))).toBe(false);
    expect(again.tree.inspect('/a')).toBeDefined();
  });

  it('keeps the log in dataLogDir when it is set', async () => {
    const dir = tempDir();
    const logDir = tempDir();
    const { storage } = await open(dir, { dataLogDir: logDir });
    const g = new TxnGen();
    await storage.append(g.create('/a'));
    expect(readdirSync(join(logDir, 'version-2'))).toEqual(['log.100000001']);
    expect(readdirSync(join(dir, 'version-2'))).toEqual(['snapshot.0']);
    expect(storage.dataDirSize()).toBe(statSync(join(logDir, 'version-2', 'log.100000001')).size);
    await storage.close();
    const again = await open(dir, { dataLogDir: logDir });
    expect(again.tree.inspect('/a')).toBeDefined();
    await again.storage.close();
    await expect(open(logDir, { dataLogDir: dir })).rejects.toThrow(/holds snapshot files/);
  });

  it('answers txnsAfter for DIFF and truncates for TRUNC', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir, { snapCount: 10 });
    const g = new TxnGen();
    const txns: LoggedTxn[] = [];
    for (let i = 0; i < 30; i++) {
      const t = g.create(`/k${i}`, 'v');
      txns.push(t);
      await commit(storage, tree, sessions, t);
    }
    expect(storage.txnsAfter(0x100000014n)!.map((t) => t.header.zxid)).toEqual(txns.slice(20).map((t) => t.header.zxid));
    expect(storage.txnsAfter(g.zxid)).toEqual([]);
    expect(storage.txnsAfter(0n)).toBeNull();

    await storage.truncate(0x100000011n);
    expect(storage.txnsAfter(0x100000010n)!.map((t) => t.header.zxid)).toEqual([0x100000011n]);
    for (const name of readdirSync(join(dir, 'version-2'))) {
      if (name.startsWith('snapshot.')) expect(BigInt('0x' + name.slice(9))).toBeLessThanOrEqual(0x100000011n);
    }
    // The log continues after the truncation point; a reload sees exactly that history.
    const g2 = new TxnGen(2n, 0n);
    await storage.append(g2.create('/new-epoch', 'e2'));
    await storage.close();
    const again = await open(dir);
    expect(again.result.lastZxid).toBe(0x200000001n);
    expect(again.tree.inspect('/k16')).toBeDefined();
    expect(again.tree.inspect('/k17')).toBeUndefined();
    expect(again.tree.inspect('/new-epoch')).toBeDefined();
  });

  it('drops the log files a SNAP image replaced, so no DIFF is ever served from that history (ZOOKEEPER-2846)', async () => {
    const dir = tempDir();
    const { storage, tree, logs } = await open(dir);
    // This member logged six txns of epoch 1; the leader committed a different history.
    const mine = new TxnGen();
    for (let i = 0; i < 6; i++) await storage.append(mine.create(`/never-committed-${i}`, 'x'));
    expect(storage.txnsAfter(0x100000002n)?.length).toBe(4);
    // SNAP: the leader's image (epoch 2) replaces the tree, then the snapshot is written.
    const leader = new TxnGen(2n, 0n);
    const image = new TxnGen(2n, 0n);
    for (const g of [leader, image]) for (const p of ['/a', '/b', '/c']) g.create(p, 'committed');
    tree.clearForLoad();
    tree.adoptLoaded(image.tree);
    await storage.snapshot({ replacesLog: true });
    expect(logs.some((l) => /Dropped 1 log file\(s\) of the history the leader's SNAP replaced: log\.100000001/.test(l))).toBe(true);
    // A learner at 0x100000002 must get SNAP (null), not the four never-committed txns.
    expect(storage.txnsAfter(0x100000002n)).toBeNull();
    // The proposals after the SNAP go to a new file; recovery is the image plus them.
    const t = leader.create('/d', 'after the snap');
    await storage.append(t);
    expect(storage.txnsAfter(0x200000003n)?.map((x) => x.header.zxid)).toEqual([0x200000004n]);
    await storage.close();
    const again = await open(dir);
    expect(treeState(again.tree)).toEqual(treeState(leader.tree));
    expect(again.tree.inspect('/never-committed-0')).toBeUndefined();
  });

  it('reloads into a fresh tree after truncate, and later snapshots are of that tree', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir);
    const g = new TxnGen();
    for (let i = 0; i < 10; i++) await commit(storage, tree, sessions, g.create(`/k${i}`, 'v'));
    await storage.truncate(0x100000005n);
    const fresh = new DataTree();
    const freshSessions: SessionTable = new Map();
    const r = await storage.load(fresh, freshSessions);
    expect(r.lastZxid).toBe(0x100000005n);
    expect(fresh.inspect('/k4')).toBeDefined();
    expect(fresh.inspect('/k5')).toBeUndefined();
    await storage.snapshot();
    expect(storage.lastSnapshot()?.zxid).toBe(0x100000005n);
    await storage.close();
    const again = await open(dir);
    expect(treeState(again.tree)).toEqual(treeState(fresh));
  });

  it('purges all but the newest snapRetainCount snapshots and the logs they need', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir, { snapCount: 10, autopurgeSnapRetainCount: 3 });
    const g = new TxnGen();
    for (let i = 0; i < 80; i++) await commit(storage, tree, sessions, g.create(`/k${i}`, 'v'));
    await storage.snapshot();
    const before = readdirSync(join(dir, 'version-2'));
    expect(before.filter((n) => n.startsWith('snapshot.')).length).toBeGreaterThan(3);
    const removed = storage.purge();
    const after = readdirSync(join(dir, 'version-2'));
    const snaps = after.filter((n) => n.startsWith('snapshot.')).map((n) => BigInt('0x' + n.slice(9))).sort();
    expect(snaps).toHaveLength(3);
    expect(removed.length).toBeGreaterThan(0);
    const oldestKept = snaps[0]!;
    const logs = after.filter((n) => n.startsWith('log.')).map((n) => BigInt('0x' + n.slice(4))).sort();
    expect(logs[0]).toBeLessThanOrEqual(oldestKept);
    await storage.close();
    const again = await open(dir);
    expect(treeState(again.tree)).toEqual(treeState(g.tree));
    // Each retained snapshot still recovers the whole tree on its own.
    for (const s of snaps.slice(1).reverse()) rmSync(join(dir, 'version-2', `snapshot.${s.toString(16)}`));
    await again.storage.close();
    const oldest = await open(dir);
    expect(treeState(oldest.tree)).toEqual(treeState(g.tree));
  });

  it('finds quotas again after a load, so later txns keep their stats current', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir);
    const g = new TxnGen();
    for (const t of [
      g.create('/app', 'a'),
      g.create('/zookeeper/quota/app', null),
      g.create('/zookeeper/quota/app/zookeeper_limits', 'count=10,bytes=-1'),
      g.create('/zookeeper/quota/app/zookeeper_stats', 'count=1,bytes=1'),
    ]) await commit(storage, tree, sessions, t);
    await storage.snapshot();
    await storage.close();
    const again = await open(dir);
    expect([...again.tree.quotaPaths]).toEqual(['/app']);
    const t = new TxnGen(1n, 4n, again.tree);
    const c = t.create('/app/kid', 'xyz');
    expect(c.header.zxid).toBe(0x100000005n);
    expect(again.tree.inspect('/zookeeper/quota/app/zookeeper_stats')!.data!.toString()).toBe('count=2,bytes=4');
  });

  it('runs autopurge at start and then every purgeInterval hours', async () => {
    const dir = tempDir();
    const first = await open(dir, { snapCount: 10 });
    const g = new TxnGen();
    for (let i = 0; i < 60; i++) await commit(first.storage, first.tree, first.sessions, g.create(`/k${i}`, 'v'));
    await first.storage.close();
    const count = () => readdirSync(join(dir, 'version-2')).filter((n) => n.startsWith('snapshot.')).length;
    expect(count()).toBeGreaterThan(3);
    const { logs } = await open(dir, { autopurgePurgeIntervalHours: 1 });
    await waitUntil(() => count() === 3);
    expect(logs.some((l) => l.startsWith('INFO Autopurge removed snapshot.'))).toBe(true);
  });

  it('reads gzip-compressed snapshots (zookeeper.snapshot.compression.method=gz)', async () => {
    const dir = tempDir();
    const { storage, tree, sessions } = await open(dir);
    const g = new TxnGen();
    for (const t of workload(g)) await commit(storage, tree, sessions, t);
    await storage.snapshot();
    await storage.close();
    const name = `snapshot.${g.zxid.toString(16)}`;
    const plain = join(dir, 'version-2', name);
    writeFileSync(`${plain}.gz`, gzipSync(readFileSync(plain)));
    rmSync(plain);
    const again = await open(dir);
    expect(again.result.notes.join('\n')).toMatch(new RegExp(`Loaded ${name}\\.gz`));
    expect(treeState(again.tree)).toEqual(treeState(g.tree));
  });
});

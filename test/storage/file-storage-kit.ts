// What the FileStorage tests share: temp dataDirs cleaned after each test, seeded snapshot
// rolls, stores opened and loaded like a member opens them, commits made like the server makes
// them, and one workload with every kind of txn.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, type FileStorageOptions } from '../../src/server/storage/file-storage';
import type { SessionTable } from '../../src/server/storage/types';
import { DataTree } from '../../src/server/tree/datatree';
import type { LoggedTxn } from '../../src/protocol/txn';
import { DIGEST_ACL, OPEN_ACL, READ_ACL, type TxnGen } from './txngen';

const dirs: string[] = [];
const stores: FileStorage[] = [];

/** Closes every store a test opened and removes its temp dirs (each test file's afterEach). */
export async function cleanUp(): Promise<void> {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'zk-storage-'));
  dirs.push(d);
  return d;
}

/** A seeded PRNG (mulberry32) so snapshot rolls repeat from run to run. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Polls a condition (autopurge runs on a timer), never a fixed sleep. */
export async function waitUntil(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function options(dataDir: string, o: Partial<FileStorageOptions> = {}): FileStorageOptions {
  return {
    dataDir,
    snapCount: 100000,
    preAllocSizeKb: 64,
    forceSync: true,
    autopurgeSnapRetainCount: 3,
    autopurgePurgeIntervalHours: 0,
    random: seeded(42),
    ...o,
  };
}

export async function open(dataDir: string, o: Partial<FileStorageOptions> = {}) {
  const logs: string[] = [];
  const storage = new FileStorage(options(dataDir, o), (level, msg) => logs.push(`${level} ${msg}`));
  stores.push(storage);
  const tree = new DataTree();
  const sessions: SessionTable = new Map();
  const result = await storage.load(tree, sessions);
  return { storage, tree, sessions, result, logs };
}

/** Appends and applies like the server: log, then apply, then tell storage. */
export async function commit(storage: FileStorage, tree: DataTree, sessions: SessionTable, t: LoggedTxn) {
  await storage.append(t);
  if (t.txn.type === -10) sessions.set(t.header.clientId, t.txn.timeOut);
  if (t.txn.type === -11) sessions.delete(t.header.clientId);
  tree.processTxn(t.header, t.txn);
  storage.applied(t.header.zxid);
}

export function workload(g: TxnGen): LoggedTxn[] {
  const s1 = 0x100000aan;
  const s2 = 0x100000bbn;
  return [
    g.createSession(s1, 30000),
    g.createSession(s2, 10000),
    g.create('/app', 'root of the app', { acl: DIGEST_ACL }),
    g.create('/app/config', null, { acl: READ_ACL }),
    g.create('/app/lock-0000000000', '', { ephemeralOwner: s1 }),
    g.create('/app/lock-0000000001', '', { ephemeralOwner: s2, type: 1 }),
    g.createContainer('/app/c'),
    g.create('/app/c/child', 'k'),
    g.createTTL('/app/ttl', 60000n),
    g.setData('/app', 'changed'),
    g.setACL('/app/config', OPEN_ACL),
    g.multi('/app/m', '/app', 'multi'),
    g.error(-101),
    g.delete('/app/c/child'),
    g.closeSession(s2),
    g.create('/bin', Buffer.alloc(3000, 7).toString('latin1')),
  ];
}


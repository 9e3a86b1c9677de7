// A real full disk: a small tmpfs (needs root to mount; skipped with a reason elsewhere).
// Appends that hit ENOSPC are rejected with a sentence, nothing after is acknowledged, the
// server stays up for reads and refuses writes, and everything acknowledged is recovered.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStorage } from '../../src/server/storage/file-storage';
import type { SessionTable } from '../../src/server/storage/types';
import { DataTree } from '../../src/server/tree/datatree';
import { start, type OurZk } from '../support/ourzk';
import { TxnGen } from './txngen';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client');

let mountPoint = '';
let mountError: string | null = null;

function mountTmpfs(sizeKb: number): void {
  mountPoint = mkdtempSync(join(tmpdir(), 'zk-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (e) {
    mountError = `cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]}); a full disk is covered by the fault-injection tests in src/server/storage`;
  }
}

function unmount(): void {
  if (!mountError && mountPoint) execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  if (mountPoint) rmSync(mountPoint, { recursive: true, force: true });
}

function storageOn(dataDir: string): FileStorage {
  return new FileStorage({
    dataDir,
    snapCount: 100000,
    preAllocSizeKb: 16,
    forceSync: true,
    autopurgeSnapRetainCount: 3,
    autopurgePurgeIntervalHours: 0,
  });
}

describe('a full disk (tmpfs)', () => {
  beforeAll(() => mountTmpfs(384));
  afterAll(() => unmount());

  it('rejects the append that hits ENOSPC and every one after it, and recovers what was acknowledged', async (ctx) => {
    if (mountError) ctx.skip(mountError);
    const dataDir = join(mountPoint, 'direct');
    const storage = storageOn(dataDir);
    await storage.load(new DataTree(), new Map());
    const g = new TxnGen();
    const acknowledged: string[] = [];
    let failure: Error | null = null;
    for (let i = 0; i < 1000 && !failure; i++) {
      const t = g.create(`/n${i}`, 'x'.repeat(3000));
      try {
        await storage.append(t);
        acknowledged.push(`/n${i}`);
      } catch (e) {
        failure = e as Error;
      }
    }
    expect(failure?.message).toMatch(/The transaction log is not durable: .*failed with ENOSPC \(no space left on device\).*acknowledges no more writes/);
    expect(acknowledged.length).toBeGreaterThan(10);
    await expect(storage.append(g.create('/after', 'x'))).rejects.toThrow(/ENOSPC/);
    await storage.close();

    const again = storageOn(dataDir);
    const tree = new DataTree();
    const sessions: SessionTable = new Map();
    const r = await again.load(tree, sessions);
    for (const p of acknowledged) expect(tree.inspect(p), p).toBeDefined();
    expect(tree.inspect('/after')).toBeUndefined();
    expect(r.lastZxid).toBeGreaterThanOrEqual(0x100000000n + BigInt(acknowledged.length));
    await again.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes our server refuse writes with an error but keep serving reads', async (ctx) => {
    if (mountError) ctx.skip(mountError);
    const dataDir = join(mountPoint, 'server');
    let zk: OurZk | null = null;
    let client: any = null;
    try {
      zk = await start({ config: { dataDir, preAllocSize: 16 } });
      client = zookeeper.createClient(zk.connectString, { sessionTimeout: 10000 });
      await new Promise<void>((resolve) => {
        client.once('connected', resolve);
        client.connect();
      });
      const call = <T>(fn: (cb: (err: any, v?: T) => void) => void) =>
        new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));
      const written: string[] = [];
      let error: any = null;
      for (let i = 0; i < 1000 && !error; i++) {
        try {
          written.push(await call<string>((cb) => client.create(`/n${i}`, Buffer.alloc(3000, 1), cb)));
        } catch (e) {
          error = e;
        }
      }
      expect(error, 'a write failed once the disk was full').not.toBeNull();
      expect(written.length).toBeGreaterThan(10);
      // Reads still work; further writes are refused, not acknowledged.
      const data = await call<Buffer>((cb) => client.getData(written[0]!, cb));
      expect(data.length).toBe(3000);
      // ZooKeeper's answer to a write it cannot log: SYSTEMERROR, not a hang or a closed connection.
      await expect(call((cb) => client.create('/refused', Buffer.from('x'), cb))).rejects.toMatchObject({ code: zookeeper.Exception.SYSTEM_ERROR });
      expect(zk.log()).toMatch(/ENOSPC/);
    } finally {
      client?.close();
      await zk?.kill();
      rmSync(dataDir, { recursive: true, force: true });
      if (zk) rmSync(zk.dir, { recursive: true, force: true });
    }
  });
});

// Recovery as the server shows it: bin/zk-server cuts a torn tail with one log line and serves
// every acknowledged write; a log damaged in the middle stops the start with a sentence that
// names the file, instead of serving a shortened tree.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type OurZk } from '../support/ourzk';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client');

const servers: OurZk[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

function call<T>(fn: (cb: (err: Error | null, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));
}

async function withClient<T>(zk: OurZk, f: (client: any) => Promise<T>): Promise<T> {
  const client = zookeeper.createClient(zk.connectString, { sessionTimeout: 10000 });
  await new Promise<void>((resolve) => {
    client.once('connected', resolve);
    client.connect();
  });
  try {
    return await f(client);
  } finally {
    client.close();
  }
}

/** The newest log file and the offset where its entries end (the rest is preallocated zeros). */
function logTail(zk: OurZk): { path: string; end: number; buf: Buffer } {
  const dir = join(zk.dataDir, 'version-2');
  const name = readdirSync(dir).filter((n) => n.startsWith('log.')).sort((a, b) => (BigInt('0x' + a.slice(4)) < BigInt('0x' + b.slice(4)) ? -1 : 1)).pop()!;
  const path = join(dir, name);
  const buf = readFileSync(path);
  let pos = 16;
  while (pos + 12 <= buf.length && buf.readInt32BE(pos + 8) > 0) pos += 13 + buf.readInt32BE(pos + 8);
  return { path, end: pos, buf };
}

describe('recovery at server start', () => {
  it('cuts a torn tail back with one log line and serves every acknowledged write', async () => {
    const zk = await start();
    servers.push(zk);
    await withClient(zk, async (c) => {
      for (let i = 0; i < 20; i++) await call((cb) => c.create(`/n${i}`, Buffer.from(`v${i}`), cb));
    });
    await zk.kill();
    // A write that was cut off: checksum and length, then only part of its bytes.
    const { path, end, buf } = logTail(zk);
    const torn = Buffer.alloc(60, 0x33);
    torn.writeInt32BE(500, 8);
    torn.copy(buf, end);
    writeFileSync(path, buf);
    await zk.restart();
    const lines = zk.log().split('\n').filter((l) => /torn write/.test(l));
    expect(lines).toHaveLength(1);
    // The preallocated zeros after it hold the claimed 500 bytes, so it fails its checksum.
    expect(lines[0]).toMatch(/log\.[0-9a-f]+ ended in a torn write at byte \d+ \(a checksum mismatch\): truncated it back to the last good txn 0x[0-9a-f]+; the torn txn was never acknowledged/);
    await withClient(zk, async (c) => {
      for (let i = 0; i < 20; i++) expect((await call<Buffer>((cb) => c.getData(`/n${i}`, cb))).toString()).toBe(`v${i}`);
      await call((cb) => c.create('/after', Buffer.from('ok'), cb));
    });
  });

  it('refuses to start on a log damaged in the middle, naming the file', async () => {
    const zk = await start();
    servers.push(zk);
    await withClient(zk, async (c) => {
      for (let i = 0; i < 20; i++) await call((cb) => c.create(`/n${i}`, Buffer.from(`v${i}`), cb));
    });
    await zk.kill();
    const { path, buf } = logTail(zk);
    buf[16 + 13 + 40]! ^= 0xff; // inside an early entry; good entries follow it
    writeFileSync(path, buf);
    await expect(zk.restart()).rejects.toThrow(/exited with \d+ while starting[\s\S]*Transaction log \S*log\.[0-9a-f]+ is damaged at byte \d+ \(a checksum mismatch\) and good txns follow the damage/);
  });
});

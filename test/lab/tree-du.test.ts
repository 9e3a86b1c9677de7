// Where the bytes are (tree.du): a member of ours computes, per child of a znode, its subtree's
// znode count and bytes (data + 76 + the path's UTF-8 bytes per znode: its snapshot record), sorted
// biggest first, and pages through 100 000 children under one parent. The figures are checked
// against what a client reads of the same znodes, not against the code's own arithmetic.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, Ops, type ZkClient } from '../../src/client';
import { needs, OUR_BUILD } from '../support/needs';
import { startBackend, type Backend } from './backend';

let dir: string;
let backend: Backend | null = null;
let zk: ZkClient | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zk-lab-du-'));
}, 60_000);

afterAll(async () => {
  await zk?.close();
  if (backend) {
    await backend.call({ method: 'destroy' }).catch(() => undefined);
    backend.close();
    backend.process.kill('SIGTERM');
    await new Promise((r) => (backend!.process.exitCode !== null ? r(null) : backend!.process.once('exit', r)));
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The record bytes of a znode as a snapshot holds it, from what a client reads of it. */
const record = (path: string, dataLength: number): number => 76 + Buffer.byteLength(path) + dataLength;

describe('tree.du', needs(OUR_BUILD), () => {
  it('sorts children by their subtrees\' bytes and znodes, as the member computes them, and pages 100 000 children', { timeout: 180_000 }, async () => {
    backend = await startBackend(dir);
    const lab = (await backend.call({ method: 'launch', size: 1, observers: 0, engines: 'ours' }))!;
    zk = await connect(`127.0.0.1:${lab.nodes[0]!.clientPort}`);
    await zk.create('/du', null);
    // Subtrees: few znodes with much data, many znodes with none, and a name with UTF-8 in it.
    await zk.create('/du/heavy', Buffer.alloc(5000, 1));
    await zk.create('/du/heavy/a', Buffer.alloc(20_000, 2));
    await zk.create('/du/many', null);
    await zk.multi(Array.from({ length: 200 }, (_, i) => Ops.create(`/du/many/n${i}`, null)));
    await zk.create('/du/zürich', Buffer.from('ü'));
    // 100 000 children under one parent, 1000 to a multi.
    await zk.create('/du/big', null);
    for (let i = 0; i < 100_000; i += 1000) await zk.multi(Array.from({ length: 1000 }, (_, j) => Ops.create(`/du/big/c${String(i + j).padStart(6, '0')}`, i + j === 4242 ? Buffer.alloc(3000) : null)));

    const byBytes = await backend.call({ method: 'tree.du', path: '/du', through: null, sort: 'bytes', offset: 0, limit: 10 });
    expect(byBytes.source).toBe('member 1');
    expect(byBytes.children.map((c) => c.name)).toEqual(['big', 'heavy', 'many', 'zürich']);
    const bigBytes = record('/du/big', 0) + 100_000 * record('/du/big/c000000', 0) + 3000;
    const heavyBytes = record('/du/heavy', 5000) + record('/du/heavy/a', 20_000);
    let manyBytes = record('/du/many', 0);
    for (let i = 0; i < 200; i++) manyBytes += record(`/du/many/n${i}`, 0);
    expect(byBytes.children).toEqual([
      { name: 'big', descendants: 100_000, bytes: bigBytes, dataBytes: 3000, numChildren: 100_000 },
      { name: 'heavy', descendants: 1, bytes: heavyBytes, dataBytes: 25_000, numChildren: 1 },
      { name: 'many', descendants: 200, bytes: manyBytes, dataBytes: 0, numChildren: 200 },
      { name: 'zürich', descendants: 0, bytes: record('/du/zürich', 2), dataBytes: 2, numChildren: 0 },
    ]);
    expect(byBytes.znode).toEqual({ name: 'du', descendants: 100_001 + 2 + 201 + 1, bytes: record('/du', 0) + bigBytes + heavyBytes + manyBytes + record('/du/zürich', 2), dataBytes: 28_002, numChildren: 4 });
    // By znode count, the data-heavy subtree falls behind the one with many znodes.
    const byCount = await backend.call({ method: 'tree.du', path: '/du', through: 1, sort: 'count', offset: 0, limit: 10 });
    expect(byCount.children.map((c) => c.name)).toEqual(['big', 'many', 'heavy', 'zürich']);

    // 100 000 children: the biggest first, then a later page, each a page only.
    const first = await backend.call({ method: 'tree.du', path: '/du/big', through: null, sort: 'bytes', offset: 0, limit: 500 });
    expect(first.total).toBe(100_000);
    expect(first.children).toHaveLength(500);
    expect(first.children[0]).toEqual({ name: 'c004242', descendants: 0, bytes: record('/du/big/c004242', 3000), dataBytes: 3000, numChildren: 0 });
    expect(first.children[1]!.name).toBe('c000000');
    const later = await backend.call({ method: 'tree.du', path: '/du/big', through: null, sort: 'name', offset: 99_990, limit: 500 });
    expect(later.children.map((c) => c.name)).toEqual(Array.from({ length: 10 }, (_, i) => `c0${99_990 + i}`));

    // A change shows at once: the member's listing is of its last zxid.
    await zk.setData('/du/zürich', Buffer.alloc(100_000));
    const after = await backend.call({ method: 'tree.du', path: '/du', through: null, sort: 'bytes', offset: 0, limit: 10 });
    expect(after.children.map((c) => c.name)).toEqual(['big', 'zürich', 'heavy', 'many']);
    await expect(backend.call({ method: 'tree.du', path: '/du/none', through: null, sort: 'bytes', offset: 0, limit: 10 })).rejects.toThrow('There is no znode /du/none on this member.');
  });
});

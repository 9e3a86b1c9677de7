// The Tree view's backend against a real server of ours: paged listings, search by prefix, live
// change notices for what is shown, and export/import of a subtree (all or nothing on bad input).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, CreateMode, Ops, type ZkClient } from '../../src/client';
import { TreeBrowser } from '../../src/lab/tree';
import { LabError } from '../../src/shared/errors';
import { start, waitFor, type OurZk } from '../support/ourzk';

let server: OurZk;
let zk: ZkClient;
let browser: TreeBrowser;
const changes: { path: string; what: string }[] = [];

beforeAll(async () => {
  server = await start({ extendedTypes: true });
  zk = await connect(server.connectString);
  browser = new TreeBrowser(
    () => server.connectString,
    () => server.connectString,
    (path, what) => changes.push({ path, what }),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zk?.close();
  await server?.stop();
});

describe('TreeBrowser', () => {
  it('refuses at once to read through a member the lab sees down, naming it (a coded error the page translates)', async () => {
    // Port 1 on 127.0.0.1: nothing listens there; a connect attempt would only fail after retries.
    const down = new TreeBrowser(() => server.connectString, (myid) => (myid === 4 ? '127.0.0.1:1' : server.connectString), () => {}, (myid) => myid === 4);
    const refused = await down.node('/', 4).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LabError);
    expect((refused as LabError).code).toBe('memberDownReadThrough');
    expect((refused as LabError).message).toBe('Member 4 is down: start it, or read through another member.');
    // Through the ensemble, or a member that is up, it reads as before.
    expect((await down.node('/', null)).stat.numChildren).toBeGreaterThan(0);
    await down.close();
  });

  it('pages a long child list and sees a new child after its watch fires', async () => {
    await zk.create('/many', null);
    const ops = Array.from({ length: 2500 }, (_, i) => Ops.create(`/many/c${String(i).padStart(5, '0')}`, null));
    for (let i = 0; i < ops.length; i += 500) await zk.multi(ops.slice(i, i + 500));
    const first = await browser.children('/many', null, 0, 1000);
    expect(first.total).toBe(2500);
    expect(first.children[0]).toBe('c00000');
    const third = await browser.children('/many', null, 2000, 1000);
    expect(third.children).toHaveLength(500);
    expect(third.children.at(-1)).toBe('c02499');
    await zk.create('/many/zz-new', null);
    await waitFor(() => changes.some((c) => c.path === '/many' && c.what === 'children'), 10_000, 'the child watch of /many to fire');
    // The cached listing is gone with the watch: the next page sees the new child.
    const again = await browser.children('/many', null, 2000, 1000);
    expect(again.total).toBe(2501);
    expect(again.children.at(-1)).toBe('zz-new');
  });

  it('tells when the data of a shown znode changes', async () => {
    await zk.create('/shown', Buffer.from('a'));
    await browser.node('/shown', null);
    await zk.setData('/shown', Buffer.from('b'));
    await waitFor(() => changes.some((c) => c.path === '/shown' && c.what === 'data'), 10_000, 'the data watch of /shown to fire');
  });

  it('searches by path prefix, one level at a time', async () => {
    await zk.create('/app', null);
    for (const n of ['config', 'conn', 'data']) await zk.create(`/app/${n}`, null);
    expect(await browser.search('/app/con', null, 50)).toEqual({ paths: ['/app/config', '/app/conn'], total: 2 });
    expect((await browser.search('/app/', null, 1)).total).toBe(3);
    expect(await browser.search('/nope/x', null, 50)).toEqual({ paths: [], total: 0 });
    await expect(browser.search('app', null, 50)).rejects.toThrow(/starts with "\/"/);
  });

  it('exports a subtree and imports it elsewhere, with each kind of znode', async () => {
    await zk.create('/src', Buffer.from('root'));
    await zk.create('/src/a', Buffer.from('{"x":1}'));
    await zk.create('/src/a/deep', Buffer.from([0, 1, 2, 255]));
    await zk.create('/src/empty', null);
    await zk.create('/src/eph', Buffer.from('e'), { mode: CreateMode.EPHEMERAL });
    await zk.create('/src/box', null, { mode: CreateMode.CONTAINER });
    await zk.create('/src/box/item', null);
    const doc = await browser.exportTree('/src', null);
    expect(doc.nodes.map((n) => [n.path, n.kind])).toEqual([
      ['', 'persistent'],
      ['/a', 'persistent'],
      // Clients see containers as persistent (ZooKeeper hides their owner), and so does an export.
      ['/box', 'persistent'],
      ['/empty', 'persistent'],
      ['/eph', 'ephemeral'],
      ['/a/deep', 'persistent'],
      ['/box/item', 'persistent'],
    ]);
    await zk.create('/copies', null);
    const r = await browser.importTree('/copies', JSON.parse(JSON.stringify(doc)), false, null);
    expect(r).toEqual({ root: '/copies/src', created: 7, updated: 0, skipped: 0, converted: 1, transactions: 1 });
    expect((await zk.getData('/copies/src/a/deep')).data).toEqual(Buffer.from([0, 1, 2, 255]));
    expect((await zk.getData('/copies/src')).data?.toString()).toBe('root');
    expect((await zk.exists('/copies/src/eph'))?.ephemeralOwner).toBe(0n);
    expect((await zk.getData('/copies/src/empty')).data).toBeNull();

    // Again: everything exists; without overwrite nothing changes, with it the data is set.
    await zk.setData('/copies/src/a', Buffer.from('changed'));
    expect(await browser.importTree('/copies', doc, false, null)).toMatchObject({ created: 0, skipped: 7 });
    expect((await zk.getData('/copies/src/a')).data?.toString()).toBe('changed');
    expect(await browser.importTree('/copies', doc, true, null)).toMatchObject({ created: 0, updated: 7 });
    expect((await zk.getData('/copies/src/a')).data?.toString()).toBe('{"x":1}');
  });

  it('refuses a bad export and writes nothing', async () => {
    const before = (await zk.getChildren('/')).sort();
    await expect(browser.importTree('/', { format: 'something-else' }, false, null)).rejects.toThrow(/not a tree export/);
    const doc = { format: 'zookeeper-lab-tree', version: 1, root: '/', exportedAt: 0, nodes: [
      { path: '', data: null, kind: 'persistent' },
      { path: '/ok', data: null, kind: 'persistent' },
      { path: '/bad//path', data: null, kind: 'persistent' },
    ] };
    await expect(browser.importTree('/', doc, false, null)).rejects.toThrow(/bad path.*Nothing was imported/);
    const orphan = { ...doc, nodes: [{ path: '', data: null, kind: 'persistent' }, { path: '/missing/child', data: null, kind: 'persistent' }] };
    await expect(browser.importTree('/', orphan, false, null)).rejects.toThrow(/does not exist.*Nothing was imported/);
    expect((await zk.getChildren('/')).sort()).toEqual(before);
  });
});

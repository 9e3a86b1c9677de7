// Judge: node-zookeeper-client (npm), an independent JavaScript implementation of the protocol,
// against our server: CRUD, sequential and ephemeral nodes, one-shot watches, ACL, transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client');
import { start, type OurZk } from '../support/ourzk';

function call<T>(fn: (cb: (err: Error | null, ...rest: any[]) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest.length <= 1 ? rest[0] : (rest as T)))));
}

describe('node-zookeeper-client against our server', () => {
  let zk: OurZk;
  let client: any;
  beforeAll(async () => {
    zk = await start({ tickTime: 500 });
    client = zookeeper.createClient(zk.connectString, { sessionTimeout: 5000 });
    await new Promise<void>((resolve) => {
      client.once('connected', resolve);
      client.connect();
    });
  });
  afterAll(async () => {
    client?.close();
    await zk?.stop();
  });

  it('creates, reads, updates and deletes with the right Stat', async () => {
    const path = await call<string>((cb) => client.create('/njs', Buffer.from('v1'), cb));
    expect(path).toBe('/njs');
    const [data, stat] = await call<[Buffer, any]>((cb) => client.getData('/njs', cb));
    expect(data.toString()).toBe('v1');
    expect(stat.version).toBe(0);
    const stat2 = await call<any>((cb) => client.setData('/njs', Buffer.from('v2'), 0, cb));
    expect(stat2.version).toBe(1);
    await expect(call((cb) => client.setData('/njs', Buffer.from('v3'), 0, cb))).rejects.toMatchObject({ code: zookeeper.Exception.BAD_VERSION });
    await call((cb) => client.remove('/njs', 1, cb));
    expect(await call((cb) => client.exists('/njs', cb))).toBeNull();
  });

  it('numbers sequential children and fires a one-shot child watch once', async () => {
    await call((cb) => client.create('/seq', cb));
    const events: string[] = [];
    await call((cb) => client.getChildren('/seq', (e: any) => events.push(e.getName()), cb));
    const a = await call<string>((cb) => client.create('/seq/n-', null, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb));
    const b = await call<string>((cb) => client.create('/seq/n-', null, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb));
    expect(a).toBe('/seq/n-0000000000');
    expect(b).toBe('/seq/n-0000000001');
    await call((cb) => client.exists('/', cb));
    expect(events).toEqual(['NODE_CHILDREN_CHANGED']);
  });

  it('commits a transaction atomically and rejects a failing one whole', async () => {
    const results = await call<any[]>((cb) => client.transaction().create('/tx').create('/tx/a').setData('/tx', Buffer.from('d'), -1).commit(cb));
    expect(results.length).toBe(3);
    // The check's BadVersion fails the whole transaction: its error is the failing op's.
    await expect(call((cb) => client.transaction().create('/tx/b').check('/tx', 99).commit(cb))).rejects.toMatchObject({ code: zookeeper.Exception.BAD_VERSION });
    expect(await call((cb) => client.exists('/tx/b', cb))).toBeNull();
  });

  it('enforces a digest ACL', async () => {
    const acl = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', 'bob:' + require('node:crypto').createHash('sha1').update('bob:pw').digest('base64')))];
    await call((cb) => client.create('/acl', Buffer.from('x'), acl, zookeeper.CreateMode.PERSISTENT, cb));
    await expect(call((cb) => client.getData('/acl', cb))).rejects.toMatchObject({ code: zookeeper.Exception.NO_AUTH });
    client.addAuthInfo('digest', Buffer.from('bob:pw'));
    const [data] = await call<[Buffer]>((cb) => client.getData('/acl', cb));
    expect(data.toString()).toBe('x');
  });
});

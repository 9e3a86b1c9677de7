// The Tree explorer's ACLs and auth (src/lab/tree-acl.ts), side by side on Apache ZooKeeper 3.8
// and our server, with the same expectations: a NoAuth names the permission missing and the
// znode whose ACL was checked (the parent for create), addauth digest gives the lab's session
// the identity, setAcl with a stale aclVersion names both versions and changes nothing, and a
// recursive setAcl reports progress and says how far it got when a znode refuses it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, digestId, Perms, type ACL, type ZkClient } from '../../src/client';
import { TreeBrowser } from '../../src/lab/tree';
import type { AclProgress } from '../../src/shared/contract';
import { TARGETS, type Server } from '../client/targets';

const alice = digestId('alice:secret');
const bob = digestId('bob:pw');
const only = (id: string, perms: number = Perms.ALL): ACL[] => [{ perms, id: { scheme: 'digest', id } }];
const world = (perms: number): ACL => ({ perms, id: { scheme: 'world', id: 'anyone' } });

describe.each(TARGETS)('the Tree explorer\'s ACLs against $name', (target) => {
  let server: Server;
  let owner: ZkClient;
  let tree: TreeBrowser;

  beforeAll(async () => {
    server = await target.start();
    owner = await connect(server.connectString, { authInfo: [{ scheme: 'digest', auth: 'alice:secret' }] });
    tree = new TreeBrowser(() => server.connectString, () => server.connectString);
  }, 90_000);
  afterAll(async () => {
    await tree?.close();
    await owner?.close();
    await server?.stop();
  });

  it('says which permission a NoAuth lacked, and on which znode', async () => {
    await owner.create('/private', 'p', { acl: only(alice) });
    await owner.create('/readable', 'r', { acl: [world(Perms.READ), ...only(alice)] });
    // Without ADMIN the server shows a digest's hash as x. No READ, and its ACL cannot be read either (getACL takes READ or ADMIN).
    await expect(tree.node('/private', null)).rejects.toThrow(
      /^NoAuth: reading \/private needs READ \(r\) on \/private, which its ACL does not grant to the lab's session \(ip:127\.0\.0\.1\); its ACL cannot be read either/,
    );
    await expect(tree.set('/readable', 'x', -1, null)).rejects.toThrow(`NoAuth: setting data of /readable needs WRITE (w) on /readable, which its ACL does not grant to the lab's session (ip:127.0.0.1); its ACL is world:anyone:r, digest:alice:x:cdrwa.`);
    await expect(tree.create('/readable/kid', '', 'persistent', undefined, null)).rejects.toThrow(/^NoAuth: creating \/readable\/kid needs CREATE \(c\) on \/readable \(the parent\)/);
    await owner.create('/readable/kept', '');
    await expect(tree.delete('/readable/kept', -1, false, null)).rejects.toThrow(/^NoAuth: deleting \/readable\/kept needs DELETE \(d\) on \/readable \(the parent\)/);
    expect((await owner.getData('/readable')).data!.toString()).toBe('r');
  });

  it('adds digest auth to the lab\'s session and shows its identities', async () => {
    expect(await tree.identities(null)).toEqual([{ scheme: 'ip', id: '127.0.0.1' }]);
    const ids = await tree.addAuth('alice', 'secret', null);
    expect(ids.map((i) => `${i.scheme}:${i.id}`)).toEqual(['digest:alice', 'ip:127.0.0.1']);
    expect((await tree.node('/private', null)).data).toBe(Buffer.from('p').toString('base64'));
    await expect(tree.addAuth('a:b', 'x', null)).rejects.toThrow(/no ":"/);
  });

  it('sets an ACL with its aclVersion, and a stale one is BadVersion naming both', async () => {
    await owner.create('/guarded', '', { acl: only(alice) });
    const rows = [{ scheme: 'digest', id: alice, perms: Perms.ALL }, { scheme: 'world', id: 'anyone', perms: Perms.READ }];
    expect(await tree.setAcl('/guarded', rows, 0, false, null, () => {})).toEqual({ aversion: 1, count: 1 });
    expect((await owner.getACL('/guarded')).acl).toEqual([...only(alice), world(Perms.READ)]);
    await expect(tree.setAcl('/guarded', rows, 0, false, null, () => {})).rejects.toThrow(
      'BadVersion: setting the ACL of /guarded expected aclVersion 0, but it is at aclVersion 1 now (someone changed its ACL since it was read). Nothing was changed',
    );
    // Bad rows are refused before anything is sent.
    await expect(tree.setAcl('/guarded', [{ scheme: 'digest', id: 'alice:secret', perms: 31 }], -1, false, null, () => {})).rejects.toThrow(/a plain password does not work there/);
    await expect(tree.setAcl('/guarded', [], -1, false, null, () => {})).rejects.toThrow(/at least one entry/);
    // What the server shows a session without ADMIN (the hash as x) cannot be sent back as it is.
    await expect(tree.setAcl('/guarded', [{ scheme: 'digest', id: 'alice:x', perms: 31 }], -1, false, null, () => {})).rejects.toThrow(/hid this digest's hash/);
    expect((await owner.exists('/guarded'))!.aversion).toBe(1);
  });

  it('sets an ACL over a subtree with progress, and says how far it got when a znode refuses', async () => {
    await owner.create('/sub', '');
    for (const a of ['a', 'b', 'c']) {
      await owner.create(`/sub/${a}`, '');
      for (let i = 0; i < 5; i++) await owner.create(`/sub/${a}/n${i}`, '');
    }
    const seen: (AclProgress | null)[] = [];
    const r = await tree.setAcl('/sub', [{ scheme: 'world', id: 'anyone', perms: Perms.READ | Perms.CREATE | Perms.ADMIN }], -1, true, null, (p) => seen.push(p));
    expect(r.count).toBe(19);
    expect(seen.at(-2)).toEqual({ path: '/sub', step: 'setting', done: 19, total: 19 });
    expect(seen.at(-1)).toBeNull();
    for (const p of ['/sub', '/sub/b', '/sub/c/n4']) expect((await owner.getACL(p)).acl).toEqual([world(Perms.READ | Perms.CREATE | Perms.ADMIN)]);

    // /sub2/m is bob's: readable, but nobody else may change its ACL.
    await owner.create('/sub2', '');
    for (const a of ['a', 'm', 'z']) await owner.create(`/sub2/${a}`, '', a === 'm' ? { acl: [...only(bob), world(Perms.READ)] } : {});
    const cdr = Perms.CREATE | Perms.DELETE | Perms.READ;
    await expect(tree.setAcl('/sub2', [{ scheme: 'world', id: 'anyone', perms: cdr }], -1, true, null, () => {})).rejects.toThrow(
      /^The ACL was set on 2 of 4 znodes under \/sub2, then: NoAuth: setting the ACL of \/sub2\/m needs ADMIN \(a\) on \/sub2\/m/,
    );
    expect((await owner.getACL('/sub2/a')).acl).toEqual([world(cdr)]);
    expect((await owner.getACL('/sub2/z')).acl).toEqual([world(Perms.ALL)]);
  });
});

import { describe, expect, it } from 'vitest';
import { Err, OpCode } from '../../protocol/codes';
import { Prep, formatSequence } from './prep';
import type { Request } from '../request';
import { DataTree } from '../tree/datatree';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const SESSION = 0x100n;

function setup(): { tree: DataTree; prep: Prep; zxid: { n: bigint }; write(body: any, sessionId?: bigint): any } {
  const tree = new DataTree();
  const prep = new Prep({ tree, sessionValid: (id) => id === SESSION || id === 0x200n, extendedTypesEnabled: true, skipACL: false, reconfigEnabled: false, standalone: true, now: () => 1000 });
  const zxid = { n: 0n };
  let cxid = 0;
  const write = (body: any, sessionId = SESSION): any => {
    const req: Request = { sessionId, cxid: ++cxid, type: body.type, body, authInfo: [{ scheme: 'ip', id: '127.0.0.1' }] };
    const t = prep.prepare(req, ++zxid.n);
    const r = tree.processTxn(t.header, t.txn);
    prep.applied(t.header.zxid);
    return { ...t.txn, result: r };
  };
  return { tree, prep, zxid, write };
}

const create = (path: string, flags = 0, data = 'x') => ({ type: OpCode.create, req: { path, data: Buffer.from(data), acl: OPEN, flags } });

describe('prep + apply', () => {
  it('creates with sequence suffixes from the parent cversion and keeps Stat bookkeeping', () => {
    const { tree, write } = setup();
    write(create('/app'));
    const a = write(create('/app/n-', 2));
    write(create('/app/plain'));
    const b = write(create('/app/n-', 2));
    expect(a.path).toBe('/app/n-0000000000');
    expect(b.path).toBe('/app/n-0000000002');
    write({ type: OpCode.delete, req: { path: '/app/plain', version: -1 } });
    const stat = tree.stat(tree.lookup('/app'));
    expect(stat.numChildren).toBe(2);
    // client-visible cversion = creates + deletes
    expect(stat.cversion).toBe(4);
    expect(stat.pzxid).toBe(5n);
  });

  it('turns failed checks into error txns that still take a zxid and change nothing', () => {
    const { tree, write } = setup();
    write(create('/a'));
    expect(write(create('/a'))).toMatchObject({ type: -1, err: Err.NODEEXISTS });
    expect(write(create('/no/parent'))).toMatchObject({ type: -1, err: Err.NONODE });
    expect(write(create('bad'))).toMatchObject({ type: -1, err: Err.BADARGUMENTS });
    expect(write({ type: OpCode.setData, req: { path: '/a', data: null, version: 7 } })).toMatchObject({ type: -1, err: Err.BADVERSION });
    expect(write({ type: OpCode.delete, req: { path: '/zookeeper', version: -1 } })).toMatchObject({ type: -1, err: Err.BADARGUMENTS });
    expect(write(create('/x', 0), 0x999n)).toMatchObject({ type: -1, err: Err.SESSIONEXPIRED });
    expect(write(create('/a/b', 9))).toMatchObject({ type: -1, err: Err.BADARGUMENTS });
    expect(tree.inspect('/a')!.version).toBe(0);
    expect(tree.lastProcessedZxid).toBe(8n);
  });

  it('refuses children under ephemerals and removes ephemerals on closeSession', () => {
    const { tree, write } = setup();
    write(create('/e', 1));
    expect(write(create('/e/c'))).toMatchObject({ type: -1, err: Err.NOCHILDRENFOREPHEMERALS });
    expect(tree.ephemerals.get(SESSION)).toEqual(new Set(['/e']));
    const close = write({ type: OpCode.closeSession }, SESSION);
    expect(close).toMatchObject({ type: -11, paths2Delete: ['/e'] });
    expect(tree.inspect('/e')).toBeUndefined();
  });

  it('applies a multi atomically or not at all', () => {
    const { tree, write } = setup();
    write(create('/m'));
    const ok = write({ type: OpCode.multi, ops: [create('/m/a'), { type: OpCode.setData, req: { path: '/m/a', data: Buffer.from('y'), version: 0 } }, { type: OpCode.check, req: { path: '/m', version: 0 } }] });
    expect(ok.type).toBe(14);
    expect(tree.inspect('/m/a')!.version).toBe(1);
    const bad = write({ type: OpCode.multi, ops: [create('/m/b'), { type: OpCode.check, req: { path: '/m', version: 5 } }, create('/m/c')] });
    expect(bad.txns.map((t: any) => t.err)).toEqual([0, Err.BADVERSION, Err.RUNTIMEINCONSISTENCY]);
    expect(tree.inspect('/m/b')).toBeUndefined();
  });

  it('checks ACLs and expands auth ids', () => {
    const { write } = setup();
    const secret = { type: OpCode.create, req: { path: '/s', data: null, acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], flags: 0 } };
    write(secret);
    expect(write({ type: OpCode.setData, req: { path: '/s', data: null, version: -1 } })).toMatchObject({ err: Err.NOAUTH });
    expect(write({ type: OpCode.create, req: { path: '/t', data: null, acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }], flags: 0 } })).toMatchObject({ err: Err.INVALIDACL });
    expect(write({ type: OpCode.create, req: { path: '/t', data: null, acl: [], flags: 0 } })).toMatchObject({ err: Err.INVALIDACL });
  });

  it('formats sequence numbers like %010d', () => {
    expect(formatSequence(7)).toBe('0000000007');
    expect(formatSequence(-5)).toBe('-000000005');
  });
});

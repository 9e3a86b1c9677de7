// Makes realistic txns for storage tests, the way the request pipeline would (zxids in order,
// parentCVersion = the parent's cversion + 1), and applies each to a live tree so a test can
// compare what storage recovers with what was acknowledged.
import { createHash } from 'node:crypto';
import { OpCode, Perms } from '../../src/protocol/codes';
import type { ACL } from '../../src/protocol/records';
import { parentOf } from '../../src/protocol/paths';
import type { LoggedTxn, Txn } from '../../src/protocol/txn';
import { DataTree } from '../../src/server/tree/datatree';
import type { SessionTable } from '../../src/server/storage/types';

export const OPEN_ACL: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
export const READ_ACL: ACL[] = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];
/** digest:bob:base64(sha1("bob:secret")), the id `addauth digest bob:secret` matches. */
export const BOB_DIGEST = `bob:${createHash('sha1').update('bob:secret').digest('base64')}`;
export const DIGEST_ACL: ACL[] = [
  { perms: Perms.ALL, id: { scheme: 'digest', id: BOB_DIGEST } },
  { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
];

export class TxnGen {
  readonly sessions: SessionTable = new Map();
  zxid: bigint;
  time = 1_700_000_000_000n;

  /** Txns from zxid epoch:counter+1 on, applied to `tree` (a fresh one unless given). */
  constructor(epoch = 1n, counter = 0n, readonly tree = new DataTree()) {
    this.zxid = (epoch << 32n) | counter;
  }

  private next(clientId: bigint, txn: Txn): LoggedTxn {
    this.zxid++;
    this.time += 7n;
    const t: LoggedTxn = { header: { clientId, cxid: Number(this.zxid & 0xffffn), zxid: this.zxid, time: this.time, type: txn.type }, txn };
    if (txn.type === OpCode.createSession) this.sessions.set(clientId, txn.timeOut);
    if (txn.type === OpCode.closeSession) this.sessions.delete(clientId);
    this.tree.processTxn(t.header, t.txn);
    return t;
  }

  private parentCVersion(path: string): number {
    return this.tree.inspect(parentOf(path))!.cversion + 1;
  }

  createSession(id: bigint, timeOut = 30000): LoggedTxn {
    return this.next(id, { type: OpCode.createSession, timeOut });
  }

  closeSession(id: bigint): LoggedTxn {
    const paths = [...(this.tree.ephemerals.get(id) ?? [])];
    return this.next(id, { type: OpCode.closeSession, paths2Delete: paths });
  }

  create(path: string, data: string | null = 'x', o: { acl?: ACL[]; ephemeralOwner?: bigint; type?: 1 | 15 } = {}): LoggedTxn {
    return this.next(o.ephemeralOwner ?? 0x1234n, {
      type: o.type ?? OpCode.create2,
      path,
      data: data === null ? null : Buffer.from(data),
      acl: o.acl ?? OPEN_ACL,
      ephemeral: o.ephemeralOwner !== undefined,
      parentCVersion: this.parentCVersion(path),
    });
  }

  createContainer(path: string): LoggedTxn {
    return this.next(0x1234n, { type: OpCode.createContainer, path, data: Buffer.from('c'), acl: OPEN_ACL, parentCVersion: this.parentCVersion(path) });
  }

  createTTL(path: string, ttl: bigint): LoggedTxn {
    return this.next(0x1234n, { type: OpCode.createTTL, path, data: Buffer.from('t'), acl: OPEN_ACL, parentCVersion: this.parentCVersion(path), ttl });
  }

  setData(path: string, data: string): LoggedTxn {
    const version = this.tree.inspect(path)!.version + 1;
    return this.next(0x1234n, { type: OpCode.setData, path, data: Buffer.from(data), version });
  }

  setACL(path: string, acl: ACL[]): LoggedTxn {
    const version = this.tree.inspect(path)!.aversion + 1;
    return this.next(0x1234n, { type: OpCode.setACL, path, acl, version });
  }

  delete(path: string): LoggedTxn {
    return this.next(0x1234n, { type: OpCode.delete, path });
  }

  /** A multi that creates `a` and sets `b`'s data. */
  multi(createPath: string, setPath: string, data: string): LoggedTxn {
    const txns: Txn[] = [
      { type: OpCode.create, path: createPath, data: Buffer.from(data), acl: OPEN_ACL, ephemeral: false, parentCVersion: this.parentCVersion(createPath) },
      { type: OpCode.setData, path: setPath, data: Buffer.from(data), version: this.tree.inspect(setPath)!.version + 1 },
    ];
    return this.next(0x1234n, { type: OpCode.multi, txns });
  }

  error(err: number): LoggedTxn {
    return this.next(0x1234n, { type: OpCode.error, err });
  }
}

/** Everything a snapshot keeps about a tree, in a form expect().toEqual compares. */
export function treeState(tree: DataTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of [...tree.entries()].map(([p]) => p).sort()) {
    const n = tree.inspect(path)!;
    out[path] = {
      data: n.data === null ? null : n.data.toString('base64'),
      acl: n.acl,
      czxid: n.czxid,
      mzxid: n.mzxid,
      ctime: n.ctime,
      mtime: n.mtime,
      version: n.version,
      cversion: n.cversion,
      aversion: n.aversion,
      ephemeralOwner: n.ephemeralOwner,
      pzxid: n.pzxid,
      children: [...n.children].sort(),
    };
  }
  return out;
}

/** The derived indexes a loaded tree must rebuild. */
export function indexState(tree: DataTree): Record<string, unknown> {
  return {
    ephemerals: [...tree.ephemerals].map(([s, p]) => [s, [...p].sort()]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    containers: [...tree.containers].sort(),
    ttls: [...tree.ttls].sort(),
  };
}

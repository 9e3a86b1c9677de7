// What a znode is besides its place in the store: the kinds its stored ephemeralOwner encodes
// (EphemeralType), and the record shapes that copy a znode in (a snapshot load) or out (inspect).
import { CONTAINER_EPHEMERAL_OWNER } from '../../protocol/codes';
import type { ACL } from '../../protocol/records';

/**
 * One znode's fields, copied out of the store: for tests and tools (inspect()), never the
 * request path. Longs are bigint, as on the wire; `cversion` is the stored (create-count) value.
 */
export interface ZnodeRecord {
  data: Buffer | null;
  acl: ACL[];
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: bigint;
  children: string[];
}


export type EphemeralKind = 'void' | 'normal' | 'container' | 'ttl';

/** Kind of a node from its stored ephemeralOwner (EphemeralType.get). */
export function ephemeralKind(owner: bigint, extendedTypes = true): EphemeralKind {
  if (owner === 0n) return 'void';
  if (owner === CONTAINER_EPHEMERAL_OWNER) return 'container';
  if (extendedTypes && owner < 0n && (BigInt.asUintN(64, owner) >> 56n) === 0xffn) {
    const extType = (BigInt.asUintN(64, owner) >> 40n) & 0xffffn;
    if (extType === 0n) return 'ttl';
  }
  return 'normal';
}

export function ttlOf(owner: bigint): bigint {
  return BigInt.asUintN(64, owner) & 0xffffffffffn;
}

export function ttlOwner(ttl: bigint): bigint {
  return BigInt.asIntN(64, (0xffn << 56n) | ttl);
}


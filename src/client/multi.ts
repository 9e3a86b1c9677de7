// multi (14) and multiRead (22): a sequence of MultiHeader + sub-request records ending with
// a done header, answered by MultiHeader + result records. Every record goes through
// src/protocol; this file only knows the sequence.
import { CreateMode, Err, OpCode } from '../protocol/codes';
import type { Reader, Writer } from '../protocol/jute';
import * as R from '../protocol/records';
import type { ACL, Stat } from '../protocol/records';

export type Data = Buffer | Uint8Array | string | null;

/** One write inside a multi (paths are client paths). */
export type Op =
  | { op: 'create'; path: string; data?: Data; acl?: ACL[]; mode?: number; ttl?: number | bigint; withStat?: boolean }
  | { op: 'delete'; path: string; version?: number }
  | { op: 'setData'; path: string; data: Data; version?: number }
  | { op: 'check'; path: string; version: number };

/** One read inside a multiRead. */
export type ReadOp = { op: 'getData'; path: string } | { op: 'getChildren'; path: string };

/** Per-op results. An `error` slot carries the op's code (0 for ops before the failing one). */
export type OpResult =
  | { op: 'create'; path: string; stat?: Stat }
  | { op: 'delete' }
  | { op: 'setData'; stat: Stat }
  | { op: 'check' }
  | { op: 'getData'; data: Buffer | null; stat: Stat }
  | { op: 'getChildren'; children: string[] }
  | { op: 'error'; err: number };

/** Builders mirroring Java's Op.create/delete/setData/check. */
export const Ops = {
  create: (path: string, data: Data = null, opts: { acl?: ACL[]; mode?: number; ttl?: number | bigint } = {}): Op => ({
    op: 'create',
    path,
    data,
    ...opts,
  }),
  delete: (path: string, version = -1): Op => ({ op: 'delete', path, version }),
  setData: (path: string, data: Data, version = -1): Op => ({ op: 'setData', path, data, version }),
  check: (path: string, version: number): Op => ({ op: 'check', path, version }),
  getData: (path: string): ReadOp => ({ op: 'getData', path }),
  getChildren: (path: string): ReadOp => ({ op: 'getChildren', path }),
};

export function toBuffer(data: Data | undefined): Buffer | null {
  if (data === null || data === undefined) return null;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

export function isTtlMode(mode: number): boolean {
  return mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
}

/** The opcode Java uses for a create with this mode (container and TTL have their own). */
export function createOpcode(mode: number, withStat: boolean): number {
  if (mode === CreateMode.CONTAINER) return OpCode.createContainer;
  if (isTtlMode(mode)) return OpCode.createTTL;
  return withStat ? OpCode.create2 : OpCode.create;
}

/** Writes a create request body (CreateRequest or CreateTTLRequest) with a server path. */
export function writeCreate(w: Writer, serverPath: string, data: Buffer | null, acl: ACL[], mode: number, ttl: bigint): void {
  if (isTtlMode(mode)) R.CreateTTLRequest.write(w, { path: serverPath, data, acl, flags: mode, ttl });
  else R.CreateRequest.write(w, { path: serverPath, data, acl, flags: mode });
}

/** A write op resolved to wire form: opcode and a body writer. */
export interface WireOp {
  type: number;
  write: (w: Writer) => void;
}

/** Writes the multi request body: each op behind a MultiHeader, then the done marker. */
export function writeMulti(w: Writer, ops: WireOp[]): void {
  for (const op of ops) {
    R.MultiHeader.write(w, { type: op.type, done: false, err: -1 });
    op.write(w);
  }
  R.MultiHeader.write(w, { type: -1, done: true, err: -1 });
}

/** Reads a multi/multiRead response; `serverToClient` strips the chroot from created paths. */
export function readMultiResponse(r: Reader, serverToClient: (p: string) => string): OpResult[] {
  const out: OpResult[] = [];
  for (;;) {
    const h = R.MultiHeader.read(r);
    if (h.done) break;
    switch (h.type) {
      case OpCode.create:
        out.push({ op: 'create', path: serverToClient(R.CreateResponse.read(r).path) });
        break;
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const res = R.Create2Response.read(r);
        out.push({ op: 'create', path: serverToClient(res.path), stat: res.stat });
        break;
      }
      case OpCode.delete:
        out.push({ op: 'delete' });
        break;
      case OpCode.setData:
        out.push({ op: 'setData', stat: R.SetDataResponse.read(r).stat });
        break;
      case OpCode.check:
        out.push({ op: 'check' });
        break;
      case OpCode.getData: {
        const res = R.GetDataResponse.read(r);
        out.push({ op: 'getData', data: res.data, stat: res.stat });
        break;
      }
      case OpCode.getChildren:
        out.push({ op: 'getChildren', children: R.GetChildrenResponse.read(r).children });
        break;
      case OpCode.error:
        out.push({ op: 'error', err: R.ErrorResponse.read(r).err });
        break;
      default:
        throw new Error(`multi response has an unknown result type ${h.type}`);
    }
  }
  return out;
}

/** Index of the op that made a multi fail (first non-zero error slot), or -1. */
export function firstFailure(results: OpResult[]): number {
  return results.findIndex((r) => r.op === 'error' && r.err !== Err.OK);
}

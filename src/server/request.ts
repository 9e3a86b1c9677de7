// A client request after framing: header fields plus its body decoded by opcode. Decoding
// happens once, at the edge (connection or quorum REQUEST); a body that does not decode closes
// that connection and touches nothing else.
import { Reader } from '../protocol/jute';
import { OpCode } from '../protocol/codes';
import { MULTI_OPS_MAX } from '../protocol/limits';
import * as R from '../protocol/records';
import type { Id } from '../protocol/records';

export type MultiOp =
  | { type: 1 | 15 | 19; req: ReturnType<typeof R.CreateRequest.decode> }
  | { type: 21; req: ReturnType<typeof R.CreateTTLRequest.decode> }
  | { type: 2; req: ReturnType<typeof R.DeleteRequest.decode> }
  | { type: 5; req: ReturnType<typeof R.SetDataRequest.decode> }
  | { type: 13; req: ReturnType<typeof R.CheckVersionRequest.decode> }
  | { type: 4 | 8; req: ReturnType<typeof R.PathWatchRequest.decode> };

export type RequestBody =
  | { type: 1 | 15 | 19; req: ReturnType<typeof R.CreateRequest.decode> }
  | { type: 21; req: ReturnType<typeof R.CreateTTLRequest.decode> }
  | { type: 2; req: ReturnType<typeof R.DeleteRequest.decode> }
  | { type: 3 | 4 | 8 | 12; req: ReturnType<typeof R.PathWatchRequest.decode> }
  | { type: 5; req: ReturnType<typeof R.SetDataRequest.decode> }
  | { type: 6 | 9 | 104; req: ReturnType<typeof R.PathRequest.decode> }
  | { type: 7; req: ReturnType<typeof R.SetACLRequest.decode> }
  | { type: 13; req: ReturnType<typeof R.CheckVersionRequest.decode> }
  | { type: 14 | 22; ops: MultiOp[] }
  | { type: 16; req: ReturnType<typeof R.ReconfigRequest.decode> }
  | { type: 17 | 18; req: ReturnType<typeof R.WatchesRequest.decode> }
  | { type: 101; req: ReturnType<typeof R.SetWatches.decode> }
  | { type: 105; req: ReturnType<typeof R.SetWatches2.decode> }
  | { type: 103; req: ReturnType<typeof R.GetEphemeralsRequest.decode> }
  | { type: 106; req: ReturnType<typeof R.AddWatchRequest.decode> }
  | { type: 11 | 107 | -11 };

/** A request in the server pipeline. */
export interface Request {
  sessionId: bigint;
  cxid: number;
  type: number;
  body: RequestBody | { type: -10; timeOut: number } | { type: 20; path: string };
  /** The auth ids of the connection that sent it (for ACL checks, also at the leader). */
  authInfo: Id[];
  /**
   * The request body as the client sent it (after the 8-byte RequestHeader): what a learner
   * forwards to the leader in a REQUEST packet. Absent for requests the server makes itself.
   */
  raw?: Buffer;
}

export class RequestDecodeError extends Error {}

/** Decodes the body of a request of opcode `type` (the request header is already read). */
export function decodeRequestBody(type: number, r: Reader): RequestBody {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { type, req: R.CreateRequest.read(r) };
    case OpCode.createTTL:
      return { type, req: R.CreateTTLRequest.read(r) };
    case OpCode.delete:
      return { type, req: R.DeleteRequest.read(r) };
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return { type, req: R.PathWatchRequest.read(r) };
    case OpCode.setData:
      return { type, req: R.SetDataRequest.read(r) };
    case OpCode.getACL:
    case OpCode.sync:
    case OpCode.getAllChildrenNumber:
      return { type, req: R.PathRequest.read(r) };
    case OpCode.setACL:
      return { type, req: R.SetACLRequest.read(r) };
    case OpCode.check:
      return { type, req: R.CheckVersionRequest.read(r) };
    case OpCode.multi:
    case OpCode.multiRead:
      return { type, ops: decodeMulti(type, r) };
    case OpCode.reconfig:
      return { type, req: R.ReconfigRequest.read(r) };
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      return { type, req: R.WatchesRequest.read(r) };
    case OpCode.setWatches:
      return { type, req: R.SetWatches.read(r) };
    case OpCode.setWatches2:
      return { type, req: R.SetWatches2.read(r) };
    case OpCode.getEphemerals:
      return { type, req: R.GetEphemeralsRequest.read(r) };
    case OpCode.addWatch:
      return { type, req: R.AddWatchRequest.read(r) };
    case OpCode.ping:
    case OpCode.whoAmI:
    case OpCode.closeSession:
      return { type };
    default:
      throw new RequestDecodeError(`unknown opcode ${type}`);
  }
}

function decodeMulti(type: number, r: Reader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (;;) {
    const h = R.MultiHeader.read(r);
    if (h.done) break;
    if (ops.length > MULTI_OPS_MAX) throw new RequestDecodeError('multi has too many operations');
    let op: MultiOp;
    switch (h.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        op = { type: h.type, req: R.CreateRequest.read(r) };
        break;
      case OpCode.createTTL:
        op = { type: h.type, req: R.CreateTTLRequest.read(r) };
        break;
      case OpCode.delete:
        op = { type: h.type, req: R.DeleteRequest.read(r) };
        break;
      case OpCode.setData:
        op = { type: h.type, req: R.SetDataRequest.read(r) };
        break;
      case OpCode.check:
        op = { type: h.type, req: R.CheckVersionRequest.read(r) };
        break;
      case OpCode.getData:
      case OpCode.getChildren:
        op = { type: h.type, req: R.PathWatchRequest.read(r) };
        break;
      default:
        throw new RequestDecodeError(`invalid type ${h.type} in multi`);
    }
    const isRead = op.type === OpCode.getData || op.type === OpCode.getChildren;
    if (isRead !== (type === OpCode.multiRead)) throw new RequestDecodeError('multi mixes read and write operations');
    ops.push(op);
  }
  return ops;
}

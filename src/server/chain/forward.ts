// A learner's write or sync on its way to the leader: the REQUEST packet a learner makes of a
// local request (Learner.request) and the request the leader decodes from it (LearnerHandler).
import { OpCode } from '../../protocol/codes';
import { Reader, Writer } from '../../protocol/jute';
import { decodeRequestBody, type Request } from '../request';
import type { ForwardedRequest } from '../quorum/zab/types';

/** The REQUEST a learner sends for a local request: the body as the client sent it. */
export function toForwarded(req: Request): ForwardedRequest {
  let body: Buffer | null = req.raw ?? null;
  if (req.body.type === OpCode.createSession) {
    const w = new Writer(4);
    w.int(req.body.timeOut);
    body = w.bytes();
  } else if (req.body.type === OpCode.closeSession) {
    body = null;
  }
  return { sessionId: req.sessionId, cxid: req.cxid, type: req.type, body, authinfo: req.authInfo };
}

/**
 * The leader's request for a learner's REQUEST; throws RequestDecodeError when the body does not
 * decode. A createSession without its timeout gets `defaultTimeout`.
 */
export function fromForwarded(f: ForwardedRequest, defaultTimeout: number): Request {
  const body = f.body ? Buffer.from(f.body.buffer, f.body.byteOffset, f.body.byteLength) : Buffer.alloc(0);
  const r = new Reader(body);
  const decoded: Request['body'] =
    f.type === OpCode.createSession
      ? { type: OpCode.createSession, timeOut: r.remaining() >= 4 ? r.int() : defaultTimeout }
      : f.type === OpCode.closeSession
        ? { type: OpCode.closeSession }
        : decodeRequestBody(f.type, r);
  // A literal, not `{ ...base, body }` (Node 20 copies a spread with extra keys slowly).
  return { sessionId: f.sessionId, cxid: f.cxid, type: f.type, authInfo: f.authinfo, body: decoded };
}

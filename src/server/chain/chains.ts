// The request path of each role, assembled in one place as ZooKeeper's setupRequestProcessors
// does. A connection decodes a request once (request.ts) and queues it in its FIFO
// (ServerCore.receive); replies leave in request order. Then:
//
//   every role, reads     FIFO head → final.read                                     (final.ts)
//   standalone, writes    prep → log (group fsync) → apply in zxid order → final.writeReply
//   leader, writes        prep → propose (PROPOSAL; the leader logs and ACKs too) → COMMIT once a
//                         quorum logged it → apply → final.writeReply
//   follower, writes      forward (REQUEST to the leader, whose chain preps and proposes) → the
//                         follower logs and ACKs the PROPOSAL → COMMIT → apply → final.writeReply
//   observer, writes      forward → INFORM (proposal and commit in one) → apply → final.writeReply
//   read-only server      refuse writes, sync and check with NOTREADONLY (read-only.ts); local
//                         sessions open and close without a txn
//   not serving           CONNECTIONLOSS
//
// `sync` goes to the leader in an ensemble and answers once everything committed before it was
// applied here; standalone, once every write in flight has applied. The stages themselves are
// in this folder (prep.ts, forward.ts, read-only.ts, final.ts) or belong to the member's runtime
// (the log and the ZAB cores: standalone.ts, quorum/peer.ts).
import { Err } from '../../protocol/codes';
import type { Request } from '../request';
import { refusesReadOnly } from './read-only';

export type ChainName = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only' | 'unavailable';

export interface Chain {
  readonly name: ChainName;
  /** The first stage's verdict: an error to answer at once, before the FIFO, or null to go on. */
  refuse(req: Request): number | null;
  /** A write (or createSession/closeSession): answered when its txn applies, or without one. */
  write(req: Request): void;
  /** `sync`: `done` once this member applied everything committed before it. */
  sync(req: Request, done: () => void): void;
}

/** What a member's runtime provides to the chains of its roles. */
export interface Stages {
  /** prep, then the role's way to commit: the standalone log, or a ZAB proposal. */
  prepare(req: Request): void;
  /** A learner's forward stage: the request goes to the leader as a REQUEST. */
  forward(req: Request): void;
  /** sync: locally (standalone) or through the leader. */
  sync(req: Request, done: () => void): void;
  /** Answers a write without a txn (an error), or drops what cannot be answered. */
  fail(req: Request, err: number): void;
}

const goOn = (): null => null;

/** Standalone and leader: the member preps its writes itself (then logs, or proposes). */
export function prepChain(name: 'standalone' | 'leader', s: Pick<Stages, 'prepare' | 'sync'>): Chain {
  return { name, refuse: goOn, write: (req) => s.prepare(req), sync: (req, done) => s.sync(req, done) };
}

/** Follower and observer: writes go to the leader's chain. */
export function learnerChain(name: 'follower' | 'observer', s: Pick<Stages, 'forward' | 'sync'>): Chain {
  return { name, refuse: goOn, write: (req) => s.forward(req), sync: (req, done) => s.sync(req, done) };
}

/** A read-only server: its own local-session writes, and NOTREADONLY first for the rest. */
export function readOnlyChain(write: (req: Request) => void): Chain {
  return {
    name: 'read-only',
    refuse: (req) => (refusesReadOnly(req) ? Err.NOTREADONLY : null),
    write,
    // Never reached: sync is refused first.
    sync: () => undefined,
  };
}

/** Between roles: writes fail with CONNECTIONLOSS (the connections close as the member stops serving). */
export function unavailableChain(s: Pick<Stages, 'fail'>): Chain {
  return { name: 'unavailable', refuse: goOn, write: (req) => s.fail(req, Err.CONNECTIONLOSS), sync: () => undefined };
}

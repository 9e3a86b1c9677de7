// Read-only mode (Q/ReadOnlyZooKeeperServer.java, Q/ReadOnlyRequestProcessor.java and the roZkMgr
// grace thread in QuorumPeer.run's LOOKING branch, ZooKeeper 3.8). With readonlymode.enabled, a
// member that has been LOOKING for max(2000 ms, tickTime) serves clients that accept read-only
// servers, from its data tree as it is, until it leaves LOOKING: then, as roZk.shutdown() does,
// the read-only service ends and every client connection of the member is closed.
//
// Sessions made here are local to this member (LearnerSessionTracker's LocalSessionTracker; no
// txn, no other member knows them) and die with the read-only service. A client that later finds
// a read/write server starts a new session there: the Java client and ours send session id 0
// while they have not seen a read/write server. Global sessions (those in the member's database)
// may not reconnect here (validateSession's "Refusing global session reconnection in RO mode").
//
// 3.8 gives a read-only server working sessions only with localSessionsEnabled=true: without it,
// ReadOnlyRequestProcessor answers the (global) createSession with a NOTREADONLY ReplyHeader in
// place of a ConnectResponse, which no client can read. This member always makes them local.
import { Err, OpCode } from '../../protocol/codes';
import type { Logger, ServerCore } from '../core';
import type { Request } from '../request';
import type { Clock, Timer } from '../runtime/clock';
import { SessionTracker } from '../session/tracker';

export interface ReadOnlyOptions {
  /** readonlymode.enabled */
  enabled: boolean;
  tickTime: number;
  /** Is the member still LOOKING (checked when the grace period ends)? */
  isLooking(): boolean;
  log: Logger;
  clock: Clock;
}

/** The read-only server of one member: at most one at a time, started and stopped by the peer. */
export class ReadOnlyServer {
  private graceTimer: Timer | null = null;
  private expiryTimer: Timer | null = null;
  /** The local sessions of the running read-only server; null while it does not run. */
  tracker: SessionTracker | null = null;

  constructor(
    private readonly core: ServerCore,
    private readonly opts: ReadOnlyOptions,
  ) {}

  /** True while it serves read-only clients. */
  get active(): boolean {
    return this.tracker !== null;
  }

  /**
   * The member starts looking for a leader: after the grace period, if it still looks, the
   * read-only server starts (the roZkMgr thread sleeps max(2000, tickTime), then checks LOOKING).
   */
  looking(): void {
    if (!this.opts.enabled || this.active || this.graceTimer !== null) return;
    this.opts.log('INFO', 'Attempting to start ReadOnlyZooKeeperServer');
    this.graceTimer = this.opts.clock.after(Math.max(2000, this.opts.tickTime), () => {
      this.graceTimer = null;
      if (this.opts.isLooking()) this.startup();
    });
  }

  private startup(): void {
    const tickTime = this.opts.tickTime;
    const tracker = new SessionTracker(this.core.serverId, tickTime, () => this.opts.clock.wall());
    this.tracker = tracker;
    this.expiryTimer = this.opts.clock.every(tickTime, () => this.expireSessions(tracker));
    this.opts.log('INFO', `Read-only server started, zxid 0x${this.core.lastProcessedZxid.toString(16)}: serving only read-only clients`);
  }

  /**
   * The member left LOOKING (roZkMgr.interrupt(), roZk.shutdown()): the local sessions are gone
   * and every client connection is closed (QuorumPeer.closeAllConnections).
   */
  stop(): void {
    this.graceTimer?.cancel();
    this.graceTimer = null;
    if (!this.active) return;
    this.expiryTimer?.cancel();
    this.expiryTimer = null;
    const sessions = this.tracker!.sessions.size;
    this.tracker = null;
    this.core.closeAllConnections('the read-only server shut down');
    this.opts.log('INFO', `Read-only server shut down; ${sessions} local session(s) ended`);
  }

  /**
   * A write-path request from a connection while read-only: a local createSession or closeSession
   * goes through (answered on a later turn, as a txn would be); anything else is refused.
   */
  submit(req: Request): void {
    const tracker = this.tracker;
    if (tracker === null) {
      this.core.answerLocally(req, Err.CONNECTIONLOSS);
      return;
    }
    if (req.type === OpCode.createSession) {
      const timeout = (req.body as { timeOut: number }).timeOut;
      tracker.add(req.sessionId, timeout);
      queueMicrotask(() => {
        if (this.tracker === tracker) this.core.sessionEstablished(req.sessionId, timeout);
      });
      return;
    }
    if (req.type === OpCode.closeSession && tracker.isAlive(req.sessionId)) {
      tracker.remove(req.sessionId);
      queueMicrotask(() => this.core.answerLocally(req, 0, true));
      return;
    }
    queueMicrotask(() => this.core.answerLocally(req, Err.NOTREADONLY));
  }

  /** A client of a local session sent something, or reconnects: is the session alive (and now extended)? */
  touch(sessionId: bigint, timeout?: number): boolean {
    return this.tracker?.touch(sessionId, timeout) ?? false;
  }

  /** LocalSessionTracker's expiry: the session is gone and its connection closes. */
  private expireSessions(tracker: SessionTracker): void {
    for (const s of tracker.takeExpired()) {
      tracker.remove(s.id);
      this.opts.log('INFO', `Expiring session 0x${BigInt.asUintN(64, s.id).toString(16)}, timeout of ${s.timeout}ms exceeded`);
      this.core.bySession.get(s.id)?.close('session expired');
    }
  }
}

// Session expiry and the container/TTL reaper (SessionTrackerImpl's expirer and ContainerManager),
// written once for whoever owns the sessions: the standalone server, or the leader of an
// ensemble. Both expire a session by submitting a closeSession to their own write path, log the
// same line and emit the same `session.expired` event; both reap by submitting deleteContainer.
import { OpCode } from '../../protocol/codes';
import type { QuorumEvent } from '../../protocol/events';
import type { TxnHeader, Txn } from '../../protocol/txn';
import type { ServerConfig } from '../config';
import type { Logger } from '../core';
import type { Request } from '../request';
import type { Clock, Timer } from '../runtime/clock';
import type { SessionTable } from '../storage/types';
import type { DataTree } from '../tree/datatree';
import { SessionTracker } from './tracker';

export interface UpkeepOwner {
  myid: number;
  tree: DataTree;
  log: Logger;
  /** Records an event about this member (the lab's timeline reads them from lab_events). */
  record(e: QuorumEvent): void;
  /** Runs a task in order with the owner's other inputs (the peer's input queue; at once standalone). */
  schedule(task: () => void): void;
  /** May the owner submit writes now (a serving leader; always standalone)? */
  serving(): boolean;
  /** Puts a request the server makes itself into the owner's write path. */
  submit(req: Request): void;
}

export class SessionUpkeep {
  readonly tracker: SessionTracker;
  private timers: Timer[] = [];

  constructor(
    private readonly cfg: ServerConfig,
    private readonly clock: Clock,
    private readonly owner: UpkeepOwner,
    sessions: SessionTable,
  ) {
    this.tracker = new SessionTracker(owner.myid, cfg.tickTime, () => clock.wall());
    for (const [id, timeout] of sessions) this.tracker.add(id, timeout);
  }

  /** Starts expiring sessions every tick and reaping every znode.container.checkIntervalMs. */
  start(): void {
    this.stop();
    this.tracker.rearmAll();
    const checkMs = Number(this.cfg.properties.get('znode.container.checkIntervalMs') ?? this.cfg.properties.get('zookeeper.znode.container.checkIntervalMs') ?? 60_000);
    this.timers.push(this.clock.every(this.cfg.tickTime, () => this.owner.schedule(() => this.expireSessions())));
    this.timers.push(this.clock.every(Number.isInteger(checkMs) && checkMs > 0 ? checkMs : 60_000, () => this.owner.schedule(() => this.reap())));
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  /** A write enters the owner's path: a session opens, or starts closing (no more requests). */
  submitted(req: Request): void {
    if (req.body.type === OpCode.createSession) this.tracker.add(req.sessionId, req.body.timeOut);
    if (req.body.type === OpCode.closeSession) this.tracker.setClosing(req.sessionId);
  }

  /** A txn was applied: the tracker follows the sessions it created or closed. */
  applied(header: TxnHeader, txn: Txn): void {
    if (txn.type === OpCode.closeSession) this.tracker.remove(header.clientId);
    if (txn.type === OpCode.createSession) this.tracker.add(header.clientId, txn.timeOut);
  }

  private expireSessions(): void {
    if (!this.owner.serving()) return;
    for (const s of this.tracker.takeExpired()) {
      this.owner.log('INFO', `Expiring session 0x${BigInt.asUintN(64, s.id).toString(16)}, timeout of ${s.timeout}ms exceeded`);
      this.owner.record({ type: 'session.expired', sid: this.owner.myid, session: s.id });
      this.owner.submit({ sessionId: s.id, cxid: 0, type: OpCode.closeSession, body: { type: OpCode.closeSession }, authInfo: [] });
    }
  }

  /** ContainerManager: empty containers that once had children, and expired TTL znodes. */
  private reap(): void {
    if (!this.owner.serving()) return;
    for (const path of this.owner.tree.reapable(BigInt(this.clock.wall()))) {
      this.owner.submit({ sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, body: { type: OpCode.deleteContainer, path }, authInfo: [] });
    }
  }
}

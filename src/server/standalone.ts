// Standalone writes: prep, log (group-committed by the store), apply in zxid order. Also the
// session tracker's expiry and the container/TTL reaper, which the leader runs in an ensemble.
import { Err, OpCode } from '../protocol/codes';
import type { LoggedTxn } from '../protocol/txn';
import type { ServerCore } from './core';
import { Prep } from './prep';
import type { Replicator } from './replicator';
import type { Request } from './request';
import { SessionTracker } from './session/tracker';

interface InFlight {
  t: LoggedTxn;
  req: Request;
  durable: boolean;
  afterApply: (() => void)[];
}

export class StandaloneReplicator implements Replicator {
  readonly tracker: SessionTracker;
  readonly prep: Prep;
  private lastZxid: bigint;
  private readonly inflight: InFlight[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly core: ServerCore) {
    const cfg = core.cfg;
    this.tracker = new SessionTracker(core.serverId, cfg.tickTime);
    this.prep = new Prep({
      tree: core.tree,
      sessionValid: (id) => this.tracker.isAlive(id),
      extendedTypesEnabled: cfg.extendedTypesEnabled,
      skipACL: cfg.skipACL,
      reconfigEnabled: cfg.reconfigEnabled,
      standalone: true,
      now: Date.now,
    });
    this.lastZxid = core.lastProcessedZxid;
    for (const [id, timeout] of core.sessionTable) this.tracker.add(id, timeout);
  }

  /** Starts the expiry and reaper timers. */
  start(): void {
    const cfg = this.core.cfg;
    this.timers.push(setInterval(() => this.expireSessions(), cfg.tickTime));
    const checkMs = Number(cfg.properties.get('znode.container.checkIntervalMs') ?? 60000);
    this.timers.push(setInterval(() => this.reapContainersAndTtls(), Number.isFinite(checkMs) && checkMs > 0 ? checkMs : 60000));
    for (const t of this.timers) t.unref();
  }

  submitWrite(req: Request): void {
    if (req.type === OpCode.closeSession) this.tracker.setClosing(req.sessionId);
    if (req.type === OpCode.createSession) this.tracker.add(req.sessionId, (req.body as { timeOut: number }).timeOut);
    this.lastZxid += 1n;
    const t = this.prep.prepare(req, this.lastZxid);
    const entry: InFlight = { t, req, durable: false, afterApply: [] };
    this.inflight.push(entry);
    this.core.storage.append(t).then(
      () => {
        entry.durable = true;
        this.applyDurable();
      },
      (e: Error) => this.diskFailed(e),
    );
  }

  private applyDurable(): void {
    while (this.inflight.length > 0 && this.inflight[0]!.durable) {
      const e = this.inflight.shift()!;
      const { header, txn } = e.t;
      this.core.applyCommitted(e.t);
      this.prep.applied(header.zxid);
      this.core.storage.applied(header.zxid);
      if (txn.type === OpCode.closeSession) this.tracker.remove(header.clientId);
      if (txn.type === OpCode.createSession) this.tracker.add(header.clientId, txn.timeOut);
      for (const f of e.afterApply) f();
    }
  }

  private diskFailed(e: Error): void {
    if (this.core.writeFailure === null) {
      this.core.writeFailure = e.message;
      this.core.log('ERROR', `Writing the transaction log failed (${e.message}); this server stops accepting writes. Free disk space or fix the disk, then restart it.`);
    }
    // Nothing after the failed append may be acknowledged: fail every write still in flight.
    const failed = this.inflight.splice(0);
    for (const f of failed) {
      if (f.req.type === OpCode.createSession) {
        this.core.pendingConnects.get(f.req.sessionId)?.close('disk failure');
        continue;
      }
      this.core.failWrite(f.req, Err.SYSTEMERROR);
    }
  }

  submitSync(_req: Request, done: () => void): void {
    const last = this.inflight[this.inflight.length - 1];
    if (last) last.afterApply.push(done);
    else queueMicrotask(done);
  }

  async revalidateSession(sessionId: bigint, timeout: number): Promise<boolean> {
    return this.tracker.touch(sessionId, timeout);
  }

  touchSession(sessionId: bigint, _timeout: number): void {
    this.tracker.touch(sessionId);
  }

  isServing(): boolean {
    return true;
  }

  mode(): string {
    return 'standalone';
  }

  quorumStatus(): null {
    return null;
  }

  private expireSessions(): void {
    for (const s of this.tracker.takeExpired()) {
      this.core.log('INFO', `Expiring session 0x${BigInt.asUintN(64, s.id).toString(16)}, timeout of ${s.timeout}ms exceeded`);
      this.submitWrite({ sessionId: s.id, cxid: 0, type: OpCode.closeSession, body: { type: OpCode.closeSession }, authInfo: [] });
    }
  }

  /** ContainerManager: empty containers that once had children, and expired TTL nodes. */
  private reapContainersAndTtls(): void {
    for (const path of this.core.tree.reapable(BigInt(Date.now()))) {
      this.submitWrite({ sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, body: { type: OpCode.deleteContainer, path }, authInfo: [] });
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}

// Standalone writes: prep, log (group-committed by the store), apply in zxid order. The session
// expiry and the container/TTL reaper are the same SessionUpkeep the leader runs in an ensemble.
import { Err, OpCode } from '../protocol/codes';
import type { LoggedTxn } from '../protocol/txn';
import type { ServerCore } from './core';
import { Prep } from './chain/prep';
import { prepChain, type Chain } from './chain/chains';
import type { Replicator } from './replicator';
import type { Request } from './request';
import type { Clock } from './runtime/clock';
import type { SessionTracker } from './session/tracker';
import { SessionUpkeep } from './session/upkeep';

interface InFlight {
  t: LoggedTxn;
  req: Request;
  durable: boolean;
  afterApply: (() => void)[];
}

export class StandaloneReplicator implements Replicator {
  readonly prep: Prep;
  private readonly upkeep: SessionUpkeep;
  private readonly path: Chain;
  private lastZxid: bigint;
  private readonly inflight: InFlight[] = [];

  constructor(
    private readonly core: ServerCore,
    clock: Clock,
  ) {
    const cfg = core.cfg;
    this.upkeep = new SessionUpkeep(
      cfg,
      clock,
      {
        myid: core.serverId,
        tree: core.tree,
        log: core.log,
        // Events carry the member's myid as server.started does: 0 standalone.
        record: (e) => core.events.emit(Object.assign({}, e, { myid: core.cfg.myid ?? 0 })),
        schedule: (task) => task(),
        serving: () => true,
        submit: (req) => this.submitWrite(req),
      },
      core.sessionTable,
    );
    const tracker = this.upkeep.tracker;
    this.prep = new Prep({
      tree: core.tree,
      sessionValid: (id) => tracker.isAlive(id),
      extendedTypesEnabled: cfg.extendedTypesEnabled,
      skipACL: cfg.skipACL,
      reconfigEnabled: cfg.reconfigEnabled,
      standalone: true,
      now: () => clock.wall(),
    });
    this.lastZxid = core.lastProcessedZxid;
    this.path = prepChain('standalone', {
      prepare: (req) => this.prepareAndLog(req),
      sync: (_req, done) => this.afterInFlight(done),
    });
  }

  chain(): Chain {
    return this.path;
  }

  submitWrite(req: Request): void {
    this.path.write(req);
  }

  submitSync(req: Request, done: () => void): void {
    this.path.sync(req, done);
  }

  /** Starts the expiry and reaper timers. */
  start(): void {
    this.upkeep.start();
  }

  /** prep, then the log: the txn applies once it and everything before it is durable. */
  private prepareAndLog(req: Request): void {
    this.upkeep.submitted(req);
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
      this.upkeep.applied(header, txn);
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
      this.core.answerLocally(f.req, Err.SYSTEMERROR);
    }
  }

  private afterInFlight(done: () => void): void {
    const last = this.inflight[this.inflight.length - 1];
    if (last) last.afterApply.push(done);
    else queueMicrotask(done);
  }

  async revalidateSession(sessionId: bigint, timeout: number): Promise<boolean> {
    return this.upkeep.tracker.touch(sessionId, timeout);
  }

  touchSession(sessionId: bigint, _timeout: number): void {
    this.upkeep.tracker.touch(sessionId);
  }

  isServing(): boolean {
    return true;
  }

  mode(): string {
    return 'standalone';
  }

  sessionOwner(): SessionTracker {
    return this.upkeep.tracker;
  }

  localSessions(): null {
    return null;
  }

  quorumStatus(): null {
    return null;
  }

  async close(): Promise<void> {
    this.upkeep.stop();
  }
}

// One lock-playground run: N contenders (each its own session, spread over the members) and the
// lab's own observer session, which reads the lock path's children so the queue drawn is the
// server's. The run stamps every acquisition (exclusion.ts), counts waits (an HdrHistogram)
// and watch notifications (the locks' own counters), and injects faults: a real session expiry
// (a second connection attaches to the session with its id and password and closes it, as
// ZooKeeper's own tests do).
import * as hdr from 'hdr-histogram-js';
import { setMaxListeners } from 'node:events';
import { connect, type PlaygroundLock, type ZkClient } from '../../client';
import { CreateMode, Err } from '../../protocol/codes';
import { ZkError } from '../../client';
import type { HistoryOp } from '../../shared/check/history';
import type { LockChildView, LockFault, LockHistoryCheck, LockRunView, LockSettings } from '../../shared/contract';
import { CHECK_MAX_OPS } from '../../shared/limits';
import { bySequence, Contender, now, sequenceOf } from './contender';
import { ExclusionChecker, type HoldInterval } from './exclusion';

export interface LockMember {
  myid: number;
  host: string;
  port: number;
}

export interface LockRunOptions {
  /** Requested session timeout of every contender (default 6000 ms). */
  sessionTimeoutMs?: number;
  /** How long a contender may take to open its session (default 15 s). */
  connectTimeoutMs?: number;
  /** How often the observer reads the queue (default 250 ms). */
  queueReadMs?: number;
  /** Makes each client's lock (default: the strategy's recipe); a test hands in a broken one to see the checks catch it. */
  makeLock?: (client: ZkClient, settings: LockSettings) => PlaygroundLock;
  /** Called whenever something the view shows changed (the caller throttles). */
  changed?: (phaseChanged: boolean) => void;
}

const LOG_KEEP = 200;

export class LockRun {
  phase: LockRunView['phase'] = 'connecting';
  readonly startedAt = Date.now();
  endedAt: number | null = null;
  stopReason: string | null = null;
  error: string | null = null;
  readonly faults: LockFault[] = [];
  private readonly contenders: Contender[] = [];
  private observer: ZkClient | null = null;
  private readonly checker = new ExclusionChecker();
  /** Waits in microseconds. */
  private readonly waits = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
  private acquisitions = 0;
  private serverChecks = 0;
  private children: LockChildView[] = [];
  /** Which client made each listed lock node (names are unique per lock path). */
  private readonly owners = new Map<string, number>();
  private readonly log: { time: number; text: string }[] = [];
  private readonly stop = new AbortController();
  private runningSince: number | null = null;
  private loops: Promise<void>[] = [];
  private durationTimer: NodeJS.Timeout | null = null;
  private queueTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** The last holder that lost the lock (not released it), to report the handoff. */
  private lostBy: { client: number; time: number } | null = null;
  private readonly sessionTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private markOver!: () => void;
  /** The run's history (acquire and release per client, src/shared/check/history.ts), its first CHECK_MAX_OPS operations. */
  private readonly ops: HistoryOp[] = [];
  /** now() at the history's time 0: when the clients began to contend. */
  private zero = 0;
  /** Its check as a mutex, which the playground runs once the run is over. */
  historyCheck: LockHistoryCheck = { ops: 0, phase: 'recording', checkRun: null, verdict: null, detail: null };
  /** Resolves once the run is over (done or failed). */
  readonly finished = new Promise<void>((r) => (this.markOver = r));

  constructor(
    readonly id: number,
    readonly settings: LockSettings,
    private readonly members: LockMember[],
    private readonly opts: LockRunOptions = {},
  ) {
    if (members.length === 0) throw new Error('There are no members to connect to: launch a lab (Cluster view) or attach to an ensemble first.');
    // Every client's loop listens for the run's stop (up to 50, each with its waits and sleeps).
    setMaxListeners(0, this.stop.signal);
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 6000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
  }

  private changed(phaseChanged = false): void {
    this.opts.changed?.(phaseChanged);
  }

  private note(text: string): void {
    this.log.push({ time: Date.now(), text });
    if (this.log.length > LOG_KEEP) this.log.splice(0, this.log.length - LOG_KEEP);
    this.changed();
  }

  private memberAt(server: string): number | null {
    return this.members.find((m) => `${m.host}:${m.port}` === server)?.myid ?? null;
  }

  /** Client i's connect string: its home member first, then the others (tried in that order). */
  private connectStringFor(i: number): string {
    const n = this.members.length;
    return Array.from({ length: n }, (_, k) => this.members[(i + k) % n]!)
      .map((m) => `${m.host}:${m.port}`)
      .join(',');
  }

  /**
   * Opens the observer and every contender's session (the view shows how many are connected),
   * makes the lock path, then lets them contend. Rejects, with everything closed again, if a
   * session cannot be opened.
   */
  async begin(): Promise<void> {
    try {
      this.observer = await connect(this.members.map((m) => `${m.host}:${m.port}`).join(','), { sessionTimeout: this.sessionTimeoutMs, timeoutMs: this.connectTimeoutMs });
    } catch (e) {
      await this.fail(`The lab could not open a session with the ensemble (${(e as Error).message}). Is it serving? The Cluster view shows whether it has a quorum.`);
      throw new Error(this.error!);
    }
    if (this.stop.signal.aborted) return this.stoppedWhileOpening();
    try {
      await this.makeLockPath();
      for (let i = 0; i < this.settings.clients; i++) {
        this.contenders.push(
          new Contender(
            {
              id: i + 1,
              connectString: this.connectStringFor(i),
              settings: this.settings,
              sessionTimeoutMs: this.sessionTimeoutMs,
              connectTimeoutMs: this.connectTimeoutMs,
              memberAt: (s) => this.memberAt(s),
              makeLock: this.opts.makeLock,
            },
            {
              acquired: (c, waitMs) => this.onAcquired(c, waitMs),
              ended: (c, how, why) => this.onEnded(c, how, why),
              serverCheck: (c, ok, detail) => this.onServerCheck(c, ok, detail),
              note: (text) => this.note(text),
              changed: () => this.changed(),
              record: (c, f, at) => this.record(c, f, at),
              complete: (op, result) => {
                op.complete = Math.round((now() - this.zero) * 1000) / 1000;
                op.result = result;
              },
            },
          ),
        );
      }
      this.changed();
      await Promise.all(
        this.contenders.map(async (c) => {
          await c.connect();
          this.changed();
        }),
      );
    } catch (e) {
      // Stopped while the sessions were opening: that is a stop, not a failure.
      if (this.stop.signal.aborted) return this.stoppedWhileOpening();
      await this.fail((e as Error).message);
      throw new Error(this.error!);
    }
    if (this.stop.signal.aborted) return this.stoppedWhileOpening();
    this.phase = 'running';
    this.runningSince = Date.now();
    this.zero = now();
    this.note(`${this.settings.clients} client(s) connected; contending for ${this.settings.lockPath} with the ${this.settings.strategy} lock`);
    this.changed(true);
    this.loops = this.contenders.map((c) => c.loop(this.stop.signal));
    if (this.settings.durationMs !== null) this.durationTimer = setTimeout(() => void this.end(`ran for ${this.settings.durationMs} ms`), this.settings.durationMs);
    const readQueue = async (): Promise<void> => {
      await this.readQueue();
      if (this.phase === 'running') this.queueTimer = setTimeout(() => void readQueue(), this.opts.queueReadMs ?? 250);
    };
    void readQueue();
  }

  /** end() ran while sessions were opening: close whatever opened after it. */
  private async stoppedWhileOpening(): Promise<void> {
    await this.end(this.stopReason ?? 'stopped');
    await Promise.all(this.contenders.map((c) => c.close()));
    await this.observer?.close().catch(() => undefined);
    this.observer = null;
  }

  /** The lock path and its parents, as persistent znodes (every strategy keeps its nodes under it). */
  private async makeLockPath(): Promise<void> {
    const parts = this.settings.lockPath.split('/').slice(1);
    let p = '';
    for (const part of parts) {
      p += '/' + part;
      try {
        await this.observer!.create(p, null, { mode: CreateMode.PERSISTENT });
      } catch (e) {
        if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw new Error(`Could not create ${p} for the lock (${(e as Error).message}).`);
      }
    }
  }

  private async readQueue(): Promise<void> {
    const obs = this.observer;
    if (!obs) return;
    try {
      const names = bySequence(await obs.getChildren(this.settings.lockPath));
      // A node being released is still listed for a moment after its client let go of it: remember owners.
      for (const c of this.contenders) {
        const n = c.nodeName;
        if (n !== null) this.owners.set(n, c.id);
      }
      const listed = new Set(names);
      for (const n of this.owners.keys()) if (!listed.has(n)) this.owners.delete(n);
      this.children = names.map((name) => ({ name, sequence: sequenceOf(name), client: this.owners.get(name) ?? null }));
      this.changed();
    } catch {
      // The observer is reconnecting (a member went down): the next read shows the queue again.
    }
  }

  private onAcquired(c: Contender, waitMs: number): HoldInterval {
    const t = now();
    const before = this.checker.count();
    const iv = this.checker.acquire(c.id, c.sessionHex, c.nodeName, t);
    if (this.checker.count() > before) this.note(`MUTUAL EXCLUSION VIOLATED: ${this.checker.violations.at(-1)?.detail ?? 'two holders at once'}`);
    this.acquisitions++;
    this.waits.recordValue(Math.max(1, Math.round(waitMs * 1000)));
    if (this.lostBy) {
      this.note(`client ${c.id} took the lock ${Math.round(t - this.lostBy.time)} ms after client ${this.lostBy.client} lost it`);
      this.lostBy = null;
    }
    const target = this.settings.acquisitions;
    if (target !== null && this.acquisitions >= target) void this.end(`reached ${target} acquisitions`);
    this.changed();
    return iv;
  }

  private onEnded(c: Contender, how: 'released' | 'lost' | 'stopped', why: string): void {
    const t = now();
    if (!this.checker.release(c.id, t, how)) return;
    // The release is called where the client stops acting as the holder (lost: when its
    // connection dropped); it takes effect by the time lock.release() answers, or its session ends.
    c.releaseOp = this.record(c, 'release', t);
    if (how === 'lost') {
      this.lostBy = { client: c.id, time: t };
      this.note(`client ${c.id} lost the lock: ${why}`);
    }
    this.changed();
  }

  private onServerCheck(c: Contender, ok: boolean, detail: string): void {
    this.serverChecks++;
    if (ok) return;
    const v = { kind: 'not-lowest' as const, time: Date.now(), clients: [c.id], detail: `client ${c.id} (session ${c.sessionHex}) holds the lock with ${c.nodeName ?? 'no node'}, but ${detail}` };
    this.checker.add(v);
    this.note(`MUTUAL EXCLUSION VIOLATED: ${v.detail}`);
  }

  /** A client's operation, called at `at` (now()), in the history (kept while under CHECK_MAX_OPS). */
  private record(c: Contender, f: 'acquire' | 'release', at: number): HistoryOp {
    const op: HistoryOp = { process: c.id, session: c.sessionHex, member: c.member ?? 0, f, key: this.settings.lockPath, value: null, version: null, invoke: Math.round((at - this.zero) * 1000) / 1000, complete: null, result: 'unknown' };
    if (this.ops.length < CHECK_MAX_OPS) this.ops.push(op);
    return op;
  }

  /** The run's history so far, in call order, and its time 0 as ms since 1970. */
  history(): { ops: HistoryOp[]; wall0: number } {
    return { ops: [...this.ops].sort((a, b) => a.invoke - b.invoke), wall0: this.zero };
  }

  private contender(id: number): Contender {
    const c = this.contenders.find((x) => x.id === id);
    if (!c) throw new Error(`There is no client ${id} in this run (it has ${this.contenders.length}).`);
    return c;
  }

  /** myid of the member client `id` is connected to, or null while it is not connected. */
  memberOf(id: number): number | null {
    return this.contender(id).member;
  }

  /** Clients connected to member `myid` now. */
  clientsOn(myid: number): number[] {
    return this.contenders.filter((c) => c.member === myid).map((c) => c.id);
  }

  /** Records a fault in the run (the playground injects it). */
  recordFault(f: Omit<LockFault, 'time'>): void {
    this.faults.push({ ...f, time: Date.now() });
    this.note(`fault: ${f.detail}`);
  }

  /**
   * Expires client `id`'s session for real: a second connection to the same member attaches to
   * the session (the server drops the client's own connection) and closes it, so the session
   * and its ephemeral lock node are gone. Retried if the client took its session back first.
   */
  async expire(id: number): Promise<void> {
    if (this.phase !== 'running') throw new Error('The run is not running: start one, then expire a session.');
    const c = this.contender(id);
    const server = c.client.connectedServer;
    if (!server || c.state === 'disconnected' || c.state === 'expired') {
      throw new Error(`Client ${id} is not connected right now (${c.state}); expire its session once it has reconnected.`);
    }
    const was = c.state;
    const sessionId = c.client.sessionId;
    const passwd = Buffer.from(c.client.sessionPasswd);
    this.recordFault({ kind: 'expire', client: id, member: c.member, detail: `expire client ${id}'s session ${c.sessionHex} (it was ${was}) through node ${c.member ?? '?'}` });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = c.expirations;
      try {
        const twin = await connect(server, { sessionId, sessionPasswd: passwd, shuffleHosts: false, sessionTimeout: this.sessionTimeoutMs, timeoutMs: 5000 });
        await twin.close(5000);
      } catch {
        // Already expired (the twin was refused): the client finds out as it reconnects.
      }
      if (await this.until(() => c.expirations > before || c.client.sessionId !== sessionId, this.sessionTimeoutMs + 5000)) return;
    }
    throw new Error(`Client ${id}'s session did not expire after 3 tries; look at the Cluster view (is the ensemble serving?) and try again.`);
  }

  /** Resolves true once `cond` holds (checked at every change), false after `ms`. */
  private until(cond: () => boolean, ms: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const started = Date.now();
      const tick = (): void => {
        if (cond()) return resolve(true);
        if (Date.now() - started > ms) return resolve(false);
        setTimeout(tick, 20);
      };
      tick();
    });
  }

  /** Stops the run: waiters give up, holders release, sessions close. Resolves when all is closed. */
  end(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      if (this.phase === 'running' || this.phase === 'connecting') this.phase = 'stopping';
      this.stopReason = reason;
      this.note(`stopping: ${reason}`);
      this.changed(true);
      if (this.durationTimer) clearTimeout(this.durationTimer);
      this.stop.abort();
      // A loop stuck on a dead ensemble (a release retrying) is cut short by closing its session.
      const settled = Promise.all(this.loops);
      const cap = new Promise<void>((r) => setTimeout(r, this.sessionTimeoutMs + 5000).unref());
      await Promise.race([settled, cap]);
      await Promise.all(this.contenders.map((c) => c.close()));
      await Promise.race([settled, cap]);
      if (this.queueTimer) clearTimeout(this.queueTimer);
      await this.readQueue();
      await this.observer?.close().catch(() => undefined);
      this.observer = null;
      if (this.phase !== 'failed') this.phase = 'done';
      this.endedAt = Date.now();
      this.changed(true);
      this.markOver();
    })();
    return this.stopping;
  }

  private async fail(error: string): Promise<void> {
    this.error = error;
    this.phase = 'failed';
    this.stopReason = 'failed to start';
    await Promise.all(this.contenders.map((c) => c.close()));
    await this.observer?.close().catch(() => undefined);
    this.observer = null;
    this.endedAt = Date.now();
    this.changed(true);
    this.markOver();
  }

  /** Whether the run is over (done or failed). */
  get over(): boolean {
    return this.phase === 'done' || this.phase === 'failed';
  }

  view(): LockRunView {
    const notifications = this.contenders.reduce((s, c) => s + c.view().notifications, 0);
    const watchesSet = this.contenders.reduce((s, c) => s + c.watchesSet(), 0);
    const elapsed = ((this.endedAt ?? Date.now()) - (this.runningSince ?? Date.now())) / 1000;
    const pct = (p: number): number | null => (this.waits.totalCount === 0 ? null : Math.round(this.waits.getValueAtPercentile(p) / 100) / 10);
    return {
      id: this.id,
      settings: this.settings,
      phase: this.phase,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      // A child read before its creator's reply came back gets its owner as soon as the reply is in.
      children: this.children.map((ch) => (ch.client !== null ? ch : { ...ch, client: this.contenders.find((c) => c.nodeName === ch.name)?.id ?? null })),
      holders: this.checker.holders(),
      clients: this.contenders.map((c) => c.view()),
      counters: {
        acquisitions: this.acquisitions,
        perSecond: elapsed > 0 ? Math.round((this.acquisitions / elapsed) * 10) / 10 : 0,
        waitP50Ms: pct(50),
        waitP99Ms: pct(99),
        waitMaxMs: this.waits.totalCount === 0 ? null : Math.round(this.waits.maxValue / 100) / 10,
        notifications,
        watchesSet,
        notificationsPerAcquisition: this.acquisitions === 0 ? null : Math.round((notifications / this.acquisitions) * 100) / 100,
        serverChecks: this.serverChecks,
      },
      violations: [...this.checker.violations],
      faults: [...this.faults],
      log: [...this.log],
      stopReason: this.stopReason,
      error: this.error,
      history: { ...this.historyCheck, ops: this.ops.length },
    };
  }

  /** Violations found, including any not kept in the list. */
  violationCount(): number {
    return this.checker.count();
  }
}

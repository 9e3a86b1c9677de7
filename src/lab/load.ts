// The Load panel's generator: K sessions of our own client library, spread over the lab's
// members, running a steady mix of getData and setData on znodes the lab owns
// (/zk-lab/load/run-<id>/s<i>, one per session) and telling every second what completed, how
// long it took and what failed (by ZooKeeper error code), in all and per member.
//
// Open loop: operation k is due at start + k/rate and goes out then, whatever became of the ones
// before it (while a session is disconnected the client holds it until the session is back), and
// its latency counts from that due time. A closed loop, which sends the next operation only when
// the last one is answered, stops sending while the ensemble stalls and reports a 2 s election
// as one slow operation among few ("coordinated omission"); here every operation due during the
// stall carries its share of it, so the chart shows what clients of the lab would have felt.
import { createHash, randomBytes } from 'node:crypto';
import { CHECK_MAX_OPS, LOAD_BURST_MAX, LOAD_WAITING_MAX } from '../shared/limits';
import type { HistoryOp } from '../shared/check/history';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { connect, CreateMode, NodeExistsError, NoNodeError, NotEmptyError, ZkError, type ZkClient } from '../client';
import { LoadSettings, type LoadMemberSample, type LoadSample, type LoadSession } from '../shared/contract';

/** Where every run lives; the lab owns /zk-lab. */
export const LOAD_ROOT = '/zk-lab/load';
/** Operations scheduled and unanswered at most; later ones are skipped (and counted) rather than held. */
const MAX_WAITING = LOAD_WAITING_MAX;
/** Operations sent in one turn of the event loop at most, when the generator has fallen behind. */
const MAX_BURST = LOAD_BURST_MAX;
/** How long stop() lets operations in flight finish. */
const DRAIN_MS = 5000;
/** The error name of operations the generator skipped because too many were waiting. */
export const SKIPPED = 'Skipped (backlog full)';
/** The error name of operations still unanswered when the run ended. */
export const UNANSWERED = 'Unanswered at stop';

/** A member the load may use: its myid and client address (host:port). */
export interface LoadMember {
  myid: number;
  address: string;
}

export interface LoadOptions {
  /** Called at the end of every second of the run (and once for the last, partial one). */
  onSample?: (s: LoadSample) => void;
  /** Session timeout asked for (the members clamp it to 2–20 ticks). */
  sessionTimeoutMs?: number;
  /** How long the sessions may take to connect before start() gives up. */
  connectTimeoutMs?: number;
  /**
   * Runs of this lab known to have ended without cleaning up (their owner may still look alive
   * until its session expires on the restarted members): removed at start with the ownerless ones.
   */
  removeRuns?: readonly string[];
}

/** What a run did, as the history keeps it. */
export interface LoadResult {
  startedAt: number;
  endedAt: number;
  settings: LoadSettings;
  path: string;
  ops: number;
  errors: Record<string, number>;
  p50: number | null;
  p99: number | null;
  max: number | null;
  members: { myid: number; ops: number; errors: number }[];
  cleanup: string;
}

/** Checks settings from outside; throws one sentence naming what is wrong. */
export function parseLoadSettings(input: unknown): LoadSettings {
  const r = LoadSettings.safeParse(input);
  if (r.success) return r.data;
  const what = r.error.issues.map((i) => {
    const field = i.path.join('.');
    return field && !i.message.startsWith(field) ? `${field}: ${i.message}` : i.message;
  });
  throw new Error(`Load settings refused (nothing was changed): ${what.join('; ')}.`);
}

/** The name of a failure as ZooKeeper calls it (ConnectionLoss, SessionExpired, …). */
function errorName(e: unknown): string {
  if (e instanceof ZkError) return e.codeName;
  return e instanceof Error ? e.name : 'Error';
}

function histogram(): hdr.Histogram {
  // Microseconds, 3 significant digits, from 1 µs to 10 minutes.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

/** A percentile of a histogram in µs, as ms with µs precision; null when it is empty. */
function ms(h: hdr.Histogram, percentile: number | 'max'): number | null {
  if (h.totalCount === 0) return null;
  const us = percentile === 'max' ? h.maxValue : h.getValueAtPercentile(percentile);
  return Math.round(us) / 1000;
}

interface Session {
  index: number;
  home: number;
  client: ZkClient;
  path: string;
}

interface MemberWindow {
  ops: number;
  errors: number;
  hist: hdr.Histogram;
}

/** One second being counted. */
class Window {
  ops = 0;
  reads = 0;
  writes = 0;
  errors = new Map<string, number>();
  sendLagMs = 0;
  readonly hist = histogram();
  readonly members = new Map<number, MemberWindow>();

  member(myid: number): MemberWindow {
    let m = this.members.get(myid);
    if (!m) this.members.set(myid, (m = { ops: 0, errors: 0, hist: histogram() }));
    return m;
  }

  get empty(): boolean {
    return this.ops === 0 && this.errors.size === 0;
  }

  reset(): void {
    this.ops = this.reads = this.writes = 0;
    this.errors.clear();
    this.sendLagMs = 0;
    this.hist.reset();
    for (const m of this.members.values()) {
      m.ops = m.errors = 0;
      m.hist.reset();
    }
  }
}

export class LoadGenerator {
  readonly startedAt = Date.now();
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private payload: Buffer;
  private readonly byAddress: Map<string, number>;
  /** Operations scheduled and unanswered: id -> due time (insertion order is due order). */
  private readonly pending = new Map<number, number>();
  private seq = 0;
  /** Write credit of the mix: every op adds (100 - reads%), a write spends 100. */
  private writeCredit = 0;
  private nextDue: number;
  private nextRoll: number;
  private paceTimer: NodeJS.Timeout | null = null;
  private rollTimer: NodeJS.Timeout | null = null;
  private readonly window = new Window();
  private readonly total = histogram();
  private totalOps = 0;
  private readonly totalErrors = new Map<string, number>();
  private readonly memberTotals = new Map<number, { ops: number; errors: number }>();
  private drained: (() => void) | null = null;
  private stopping: Promise<LoadResult> | null = null;
  /**
   * What the sessions saw, in the checker's history format (src/shared/check/history.ts): each
   * session's znode is a register, each session a process (its operations pipelined, which the
   * zookeeper model's session order covers). Values are the data's digests, the data the znodes
   * were created with being "" (the checker's first value), so payloads of any size record small.
   * At most CHECK_MAX_OPS operations, the run's first.
   */
  private readonly history: HistoryOp[] = [];
  /** performance.now() when the run started: time 0 of the history. */
  readonly clockStart = performance.now();

  private constructor(
    readonly members: readonly LoadMember[],
    private current: LoadSettings,
    readonly path: string,
    private readonly sessions: Session[],
    private readonly opts: LoadOptions,
    private readonly initial: Buffer,
  ) {
    this.payload = randomBytes(current.payloadBytes);
    this.byAddress = new Map(members.map((m) => [m.address, m.myid]));
    for (const m of members) this.memberTotals.set(m.myid, { ops: 0, errors: 0 });
    const now = performance.now();
    this.nextDue = now;
    this.nextRoll = now + 1000;
    this.pace();
    this.rollTimer = setTimeout(this.roll, 1000);
  }

  /**
   * Checks the settings, connects the sessions (session i is given member i mod n first, then
   * the others in order, so it moves on when its member goes), creates its znodes and starts.
   * Throws a sentence, with nothing left behind, when the settings are bad or the ensemble
   * does not serve.
   */
  static async start(members: readonly LoadMember[], input: unknown, opts: LoadOptions = {}): Promise<LoadGenerator> {
    const settings = parseLoadSettings(input);
    if (members.length === 0) throw new Error('There is no member to send load to: launch a lab first.');
    const runPath = `${LOAD_ROOT}/run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const connected = await Promise.allSettled(
      Array.from({ length: settings.sessions }, (_, i) => {
        const first = i % members.length;
        const order = [...members.slice(first), ...members.slice(0, first)];
        return connect(order.map((m) => m.address).join(','), {
          sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
          shuffleHosts: false,
          // A load generator outlives an expired session: it starts another and goes on.
          renewSessionOnExpiry: true,
          timeoutMs: opts.connectTimeoutMs ?? 15_000,
        });
      }),
    );
    const clients = connected.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = connected.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const closeAll = (): Promise<unknown> => Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    if (failed) {
      await closeAll();
      throw new Error(
        `Could not open ${settings.sessions - clients.length} of ${settings.sessions} load sessions (${(failed.reason as Error).message}); nothing was started. Does the ensemble serve? The Cluster view shows whether it has a quorum.`,
      );
    }
    const sessions: Session[] = clients.map((client, i) => ({ index: i, home: members[i % members.length]!.myid, client, path: `${runPath}/s${i}` }));
    const payload = randomBytes(settings.payloadBytes);
    try {
      const zk = clients[0]!;
      for (const p of ['/zk-lab', LOAD_ROOT]) await zk.create(p).catch((e: unknown) => (e instanceof NodeExistsError ? '' : Promise.reject(e)));
      await removeLeftovers(zk, opts.removeRuns ?? []);
      await zk.create(runPath);
      // A live run holds an ephemeral owner: a run without one is a leftover the next start removes.
      await zk.create(`${runPath}/owner`, null, { mode: CreateMode.EPHEMERAL });
      await Promise.all(sessions.map((s) => s.client.create(s.path, payload)));
    } catch (e) {
      await deleteRun(clients[0]!, runPath).catch(() => undefined);
      await closeAll();
      throw new Error(`Could not create the load's znodes under ${runPath} (${(e as Error).message}); nothing was started.`);
    }
    return new LoadGenerator(members, settings, runPath, sessions, opts, payload);
  }

  get settings(): LoadSettings {
    return this.current;
  }

  /** Changes rate, mix and payload from the next operation on; the number of sessions is fixed for a run. */
  update(input: unknown): LoadSettings {
    const next = parseLoadSettings(input);
    if (this.state !== 'running') throw new Error('The load is not running: start it with these settings instead.');
    if (next.sessions !== this.current.sessions) throw new Error(`A run keeps its ${this.current.sessions} sessions: stop it and start again to use ${next.sessions}.`);
    if (next.payloadBytes !== this.current.payloadBytes) this.payload = randomBytes(next.payloadBytes);
    this.current = next;
    return next;
  }

  /** The sessions: the member each was given first and the one it is connected to now. */
  sessionsView(): LoadSession[] {
    return this.sessions.map((s) => ({
      index: s.index,
      home: s.home,
      myid: this.memberOf(s.client),
      state: s.client.state,
      sessionId: s.client.sessionId === 0n ? null : `0x${BigInt.asUintN(64, s.client.sessionId).toString(16)}`,
    }));
  }

  /** Successful operations and errors by name since the start. */
  totals(): { ops: number; errors: Record<string, number> } {
    return { ops: this.totalOps, errors: Object.fromEntries(this.totalErrors) };
  }

  get running(): boolean {
    return this.state === 'running';
  }

  private memberOf(client: ZkClient): number | null {
    const at = client.state === 'connected' || client.state === 'readOnly' ? client.connectedServer : null;
    return at === null ? null : (this.byAddress.get(at) ?? null);
  }

  /** Sends every operation that is due, then sleeps until the next one is. */
  private readonly pace = (): void => {
    this.paceTimer = null;
    if (this.state !== 'running') return;
    const now = performance.now();
    let sent = 0;
    while (this.nextDue <= now && sent < MAX_BURST) {
      this.issue(this.nextDue, now);
      this.nextDue += 1000 / this.current.rate;
      sent++;
    }
    this.paceTimer = setTimeout(this.pace, sent >= MAX_BURST ? 0 : Math.max(0, this.nextDue - performance.now()));
  };

  private issue(due: number, now: number): void {
    const id = this.seq++;
    const s = this.sessions[id % this.sessions.length]!;
    this.writeCredit += 100 - this.current.readPercent;
    const write = this.writeCredit >= 100;
    if (write) this.writeCredit -= 100;
    this.window.sendLagMs = Math.max(this.window.sendLagMs, now - due);
    if (this.pending.size >= MAX_WAITING) {
      this.countError(SKIPPED, null);
      return;
    }
    this.pending.set(id, due);
    const sentTo = this.memberOf(s.client);
    const rec = this.record(s, write, sentTo);
    const op: Promise<unknown> = write ? s.client.setData(s.path, this.payload, -1) : s.client.getData(s.path);
    op.then(
      (r) => {
        if (rec) {
          rec.complete = performance.now() - this.clockStart;
          rec.result = 'ok';
          if (!write) {
            const got = r as { data: Buffer | null; stat: { version: number } };
            rec.value = this.digest(got.data ?? Buffer.alloc(0));
            rec.version = got.stat.version;
          }
        }
        this.done(id, due, write, this.memberOf(s.client) ?? sentTo);
      },
      (e: unknown) => {
        // Connection loss, a timeout, an expired session: it may or may not have happened.
        if (rec) rec.complete = performance.now() - this.clockStart;
        this.failed(id, e, sentTo ?? this.memberOf(s.client));
      },
    );
  }

  /** The data as the history names it: "" for what the znodes were created with, else a digest. */
  private digest(data: Buffer): string {
    return data.equals(this.initial) ? '' : createHash('sha1').update(data).digest('hex').slice(0, 16);
  }

  /** Records an operation as it goes out (unknown until it returns), while the history has room. */
  private record(s: Session, write: boolean, member: number | null): HistoryOp | null {
    if (this.history.length >= CHECK_MAX_OPS) return null;
    const op: HistoryOp = {
      process: s.index,
      session: s.client.sessionId === 0n ? '' : `0x${BigInt.asUintN(64, s.client.sessionId).toString(16)}`,
      member: member ?? 0,
      f: write ? 'write' : 'read',
      key: s.path,
      value: write ? this.digest(this.payload) : null,
      version: null,
      invoke: performance.now() - this.clockStart,
      complete: null,
      result: 'unknown',
    };
    this.history.push(op);
    return op;
  }

  /** The run's history so far (time 0 is its start; see `history`). */
  recorded(): readonly HistoryOp[] {
    return this.history;
  }

  private done(id: number, due: number, write: boolean, myid: number | null): void {
    if (!this.pending.delete(id)) return;
    const us = Math.max(1, Math.round((performance.now() - due) * 1000));
    const w = this.window;
    w.ops++;
    if (write) w.writes++;
    else w.reads++;
    w.hist.recordValue(us);
    if (myid !== null) {
      const m = w.member(myid);
      m.ops++;
      m.hist.recordValue(us);
      this.memberTotals.get(myid)!.ops++;
    }
    this.totalOps++;
    this.settled();
  }

  private failed(id: number, e: unknown, myid: number | null): void {
    if (!this.pending.delete(id)) return;
    this.countError(errorName(e), myid);
    this.settled();
  }

  private countError(name: string, myid: number | null, n = 1): void {
    this.window.errors.set(name, (this.window.errors.get(name) ?? 0) + n);
    this.totalErrors.set(name, (this.totalErrors.get(name) ?? 0) + n);
    if (myid !== null) {
      this.window.member(myid).errors += n;
      this.memberTotals.get(myid)!.errors += n;
    }
  }

  private settled(): void {
    if (this.pending.size === 0 && this.drained) this.drained();
  }

  /** Ends the second: one sample out, the window starts again. */
  private readonly roll = (): void => {
    this.rollTimer = null;
    this.emitSample();
    if (this.state === 'stopped') return;
    this.nextRoll += 1000;
    // A machine too busy to wake us on time skips seconds rather than bunching them.
    while (this.nextRoll <= performance.now()) this.nextRoll += 1000;
    this.rollTimer = setTimeout(this.roll, this.nextRoll - performance.now());
  };

  private emitSample(): void {
    const w = this.window;
    const now = performance.now();
    const oldest = this.pending.values().next();
    const connectedTo = new Map<number, number>();
    for (const s of this.sessions) {
      const m = this.memberOf(s.client);
      if (m !== null) connectedTo.set(m, (connectedTo.get(m) ?? 0) + 1);
    }
    const members: LoadMemberSample[] = this.members.map((m) => {
      const mw = w.members.get(m.myid);
      return {
        myid: m.myid,
        ops: mw?.ops ?? 0,
        errors: mw?.errors ?? 0,
        p50: mw ? ms(mw.hist, 50) : null,
        p99: mw ? ms(mw.hist, 99) : null,
        sessions: connectedTo.get(m.myid) ?? 0,
      };
    });
    const sample: LoadSample = {
      time: Date.now(),
      ops: w.ops,
      reads: w.reads,
      writes: w.writes,
      errors: Object.fromEntries(w.errors),
      p50: ms(w.hist, 50),
      p99: ms(w.hist, 99),
      max: ms(w.hist, 'max'),
      waiting: this.pending.size,
      oldestWaitingMs: oldest.done ? null : Math.round((now - oldest.value) * 1000) / 1000,
      sendLagMs: Math.round(w.sendLagMs * 1000) / 1000,
      members,
    };
    this.total.add(w.hist);
    w.reset();
    this.opts.onSample?.(sample);
  }

  /**
   * Stops sending, lets what is in flight finish (a few seconds at most), reports the last
   * partial second, removes the run's znodes and closes the sessions.
   */
  stop(): Promise<LoadResult> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<LoadResult> {
    this.state = 'stopping';
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = null;
    if (this.pending.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DRAIN_MS);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.drained = null;
    const cleanup = await this.cleanup();
    return this.end(cleanup);
  }

  /**
   * Ends the run at once, without waiting or cleaning up: the lab is going away with its members.
   * The run's znodes stay; the next run in this lab removes them.
   */
  abort(why: string): LoadResult {
    if (this.state === 'stopped') throw new Error('The load has ended already.');
    this.state = 'stopping';
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = null;
    return this.end(`left ${this.path}: ${why}; the next load run in this lab removes it`);
  }

  private end(cleanup: string): LoadResult {
    if (this.rollTimer) clearTimeout(this.rollTimer);
    this.rollTimer = null;
    if (this.pending.size > 0) this.countError(UNANSWERED, null, this.pending.size);
    this.pending.clear();
    this.state = 'stopped';
    if (!this.window.empty) this.emitSample();
    for (const s of this.sessions) void s.client.close().catch(() => undefined);
    return {
      startedAt: this.startedAt,
      endedAt: Date.now(),
      settings: this.current,
      path: this.path,
      ops: this.totalOps,
      errors: Object.fromEntries(this.totalErrors),
      p50: ms(this.total, 50),
      p99: ms(this.total, 99),
      max: ms(this.total, 'max'),
      members: [...this.memberTotals].map(([myid, t]) => ({ myid, ...t })),
      cleanup,
    };
  }

  /** Removes the run's znodes through whichever session is connected; says what became of them. */
  private async cleanup(): Promise<string> {
    const ready = this.sessions.find((s) => s.client.state === 'connected')?.client;
    let zk = ready;
    if (!zk) {
      zk = await Promise.any(this.sessions.map((s) => s.client.waitConnected(5000).then(() => s.client))).catch(() => undefined);
    }
    if (!zk) return `left ${this.path}: no session could reach the ensemble; the next load run removes it (or: deleteall ${this.path})`;
    try {
      const removed = await deleteRun(zk, this.path);
      await zk.delete(LOAD_ROOT).catch((e: unknown) => (e instanceof NotEmptyError || e instanceof NoNodeError ? undefined : Promise.reject(e)));
      return `removed ${this.path} and its ${removed} znodes`;
    } catch (e) {
      return `left ${this.path} (${(e as Error).message}); the next load run removes it (or: deleteall ${this.path})`;
    }
  }
}

/** Deletes a run's znode and its children (they have none of their own); returns how many children went. */
async function deleteRun(zk: ZkClient, path: string): Promise<number> {
  let children: string[];
  try {
    children = await zk.getChildren(path);
  } catch (e) {
    if (e instanceof NoNodeError) return 0;
    throw e;
  }
  await Promise.all(children.map((c) => zk.delete(`${path}/${c}`).catch((e: unknown) => (e instanceof NoNodeError ? undefined : Promise.reject(e)))));
  await zk.delete(path).catch((e: unknown) => (e instanceof NoNodeError ? undefined : Promise.reject(e)));
  return children.length;
}

/** Removes runs that ended without cleaning up: those named, and those whose owner is gone. */
async function removeLeftovers(zk: ZkClient, known: readonly string[]): Promise<void> {
  const runs = (await zk.getChildren(LOAD_ROOT)).filter((c) => c.startsWith('run-'));
  for (const r of runs) {
    const path = `${LOAD_ROOT}/${r}`;
    if (known.includes(path) || (await zk.exists(`${path}/owner`)) === null) await deleteRun(zk, path);
  }
}

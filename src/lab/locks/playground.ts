// The lock playground behind the UI: one run at a time, checked settings, faults, the run pushed
// a few times a second while it goes, and every run kept in the lab history (its row is written
// when it starts and completed when it ends).
import { pathError } from '../../protocol/paths';
import type { HistoryOp } from '../../shared/check/history';
import type { CheckRunSummary, LockFault, LockRunSummary, LockRunView, LockSettings } from '../../shared/contract';
import type { LabEventType } from '../../shared/events';
import { LockRun, type LockMember, type LockRunOptions } from './run';

/** Where runs are kept: the lab history (an attached ensemble has none: runs are then kept in memory). */
export interface LockRunStore {
  lockRunBegin(startedAt: number, settings: LockSettings): number;
  lockRunEnd(run: LockRunSummary): void;
  lockRuns(limit?: number): LockRunSummary[];
}

export interface PlaygroundDeps {
  /** Every member's client address, or [] without a lab. */
  members(): LockMember[];
  /** Whether the ensemble has a quorum now. */
  serving(): boolean;
  /** Kills member `myid` the way the Cluster view does (the supervisor's SIGKILL). */
  killMember(myid: number): Promise<void>;
  store(): LockRunStore | null;
  push(run: LockRunView): void;
  /** A line in the lab's event log. */
  record(type: LabEventType, detail: string, data: Record<string, unknown>): void;
  /** Checks a run's history (as a mutex) and keeps it with the lab's checked runs; null when there was nothing to check. */
  checkHistory?(name: string, ops: HistoryOp[], wall0: number): Promise<CheckRunSummary | null>;
  runOptions?: LockRunOptions;
}

/** Pushes at most this often while a run goes. */
const PUSH_MS = 200;

/** Checks settings beyond their types; returns the sentence that says what to change, or null. */
export function settingsError(s: LockSettings): string | null {
  if (!Number.isInteger(s.clients) || s.clients < 1 || s.clients > 50) return `A run has 1 to 50 clients, not ${s.clients}.`;
  if (s.holdMs < 0 || s.thinkMs < 0) return 'Hold and think times cannot be negative (0 or more ms).';
  if (s.durationMs === null && s.acquisitions === null) return 'Give a duration or a number of acquisitions (or both): the run stops at whichever comes first.';
  const reason = pathError(s.lockPath);
  if (reason !== null) return `The lock path ${JSON.stringify(s.lockPath)} is not a znode path: ${reason}`;
  if (s.lockPath === '/') return 'The lock path cannot be the root: give one such as /playground/lock.';
  if (s.lockPath === '/zookeeper' || s.lockPath.startsWith('/zookeeper/')) return '/zookeeper belongs to ZooKeeper itself: give another lock path, such as /playground/lock.';
  return null;
}

export class LockPlayground {
  private run: LockRun | null = null;
  private pushTimer: NodeJS.Timeout | null = null;
  /** Runs of an attached ensemble (no history to keep them in). */
  private readonly inMemory: LockRunSummary[] = [];
  private nextMemoryId = 1;
  private stored = new WeakSet<LockRun>();
  private store: LockRunStore | null = null;

  constructor(private readonly deps: PlaygroundDeps) {}

  /** The current or last run, or null. */
  state(): LockRunView | null {
    return this.run?.view() ?? null;
  }

  /** Starts a run; resolves once every client has its session and the run goes (rejects with what to do). */
  async start(settings: LockSettings): Promise<LockRunView> {
    const bad = settingsError(settings);
    if (bad) throw new Error(`${bad} Nothing was started.`);
    if (this.run && !this.run.over) throw new Error(`Lock run ${this.run.id} is still going: stop it first.`);
    const members = this.deps.members();
    if (members.length === 0) throw new Error('There is no lab: launch one (Cluster view) or attach to an ensemble first.');
    if (!this.deps.serving()) throw new Error('The ensemble has no quorum now, so no client can take a lock: start nodes in the Cluster view, then start the run.');
    const store = this.deps.store();
    const startedAt = Date.now();
    const id = store ? store.lockRunBegin(startedAt, settings) : this.nextMemoryId++;
    this.store = store;
    const run = new LockRun(id, settings, members, {
      ...this.deps.runOptions,
      changed: (phaseChanged) => this.schedulePush(phaseChanged),
    });
    this.run = run;
    this.deps.record('locks.started', `lock run ${id}: ${settings.clients} client(s), ${settings.strategy} lock on ${settings.lockPath}, hold ${settings.holdMs} ms, think ${settings.thinkMs} ms`, { run: id, ...settings });
    try {
      await run.begin();
    } catch (e) {
      this.finish(run);
      throw e;
    }
    void this.watchEnd(run);
    return run.view();
  }

  private async watchEnd(run: LockRun): Promise<void> {
    // The run ends by itself (duration, acquisitions) or by stop(); either way it is stored once.
    await run.finished;
    this.finish(run);
  }

  /** Stores the run's end (once) and pushes its final view. */
  private finish(run: LockRun): void {
    if (this.stored.has(run)) return;
    this.stored.add(run);
    const v = run.view();
    const summary: LockRunSummary = {
      id: v.id,
      startedAt: v.startedAt,
      endedAt: v.endedAt ?? Date.now(),
      settings: v.settings,
      counters: v.counters,
      violations: v.violations,
      faults: v.faults,
      stopReason: v.error ? `failed: ${v.error}` : v.stopReason,
    };
    const store = this.store;
    if (store) {
      try {
        store.lockRunEnd(summary);
      } catch {
        // The history was closed under the run (the lab went away); the row keeps its start.
      }
    } else {
      this.inMemory.unshift(summary);
    }
    void this.checkHistory(run);
    const verdict = run.violationCount() === 0 ? 'mutual exclusion held' : `MUTUAL EXCLUSION VIOLATED ${run.violationCount()} time(s)`;
    this.deps.record('locks.ended', `lock run ${v.id} ended (${summary.stopReason ?? 'stopped'}): ${v.counters.acquisitions} acquisitions, ${v.counters.notificationsPerAcquisition ?? '-'} notifications per acquisition, ${verdict}`, {
      run: v.id,
      acquisitions: v.counters.acquisitions,
      violations: run.violationCount(),
    });
    this.pushNow();
  }

  /** The run's recorded history, checked as a mutex beside the lab's own overlap check (in the background: a search may take seconds). */
  private async checkHistory(run: LockRun): Promise<void> {
    const check = this.deps.checkHistory;
    const { ops, wall0 } = run.history();
    const set = (c: Partial<LockRunView['history']>): void => {
      run.historyCheck = { ...run.historyCheck, ...c };
      this.pushNow();
    };
    if (!check || ops.length === 0) {
      set({ phase: 'done', detail: ops.length === 0 ? 'no acquisition was recorded: nothing to check' : 'not checked here' });
      return;
    }
    set({ phase: 'checking' });
    try {
      const kept = await check(`lock run ${run.id}`, ops, wall0);
      const v = kept?.verdicts.zookeeper ?? null;
      set({ phase: 'done', checkRun: kept?.id ?? null, verdict: v?.verdict ?? null, detail: v?.counterexample?.explanation ?? v?.undecided ?? null });
    } catch (e) {
      set({ phase: 'failed', detail: `The history could not be checked: ${(e as Error).message}` });
    }
  }

  private schedulePush(now: boolean): void {
    if (now) {
      this.pushNow();
      return;
    }
    if (this.pushTimer) return;
    this.pushTimer = setTimeout(() => this.pushNow(), PUSH_MS);
  }

  private pushNow(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = null;
    if (this.run) this.deps.push(this.run.view());
  }

  /** Stops the run under way; resolves with its final view once every session is closed. */
  async stop(reason = 'stopped from the playground'): Promise<LockRunView> {
    const run = this.run;
    if (!run || run.over) throw new Error('No lock run is going: start one first.');
    await run.end(reason);
    this.finish(run);
    return run.view();
  }

  /** Injects a fault on client `client` of the run under way. */
  async fault(client: number, kind: LockFault['kind']): Promise<LockRunView> {
    const run = this.run;
    if (!run || run.phase !== 'running') throw new Error('No lock run is going: start one, then inject faults into it.');
    if (kind === 'expire') {
      await run.expire(client);
      return run.view();
    }
    const myid = run.memberOf(client);
    if (myid === null) throw new Error(`Client ${client} is not connected to a member right now; wait until it has reconnected, then kill its member.`);
    const others = run.clientsOn(myid).filter((c) => c !== client);
    await this.deps.killMember(myid);
    run.recordFault({
      kind: 'kill-member',
      client,
      member: myid,
      detail: `killed node ${myid}, the member client ${client} uses${others.length ? ` (clients ${others.join(', ')} use it too)` : ''}`,
    });
    return run.view();
  }

  /** Past runs, newest first. */
  runs(limit = 50): LockRunSummary[] {
    const store = this.deps.store();
    return store ? store.lockRuns(limit) : this.inMemory.slice(0, limit);
  }

  /** The lab is going away: store the run as it stands now, then close its sessions in the background. */
  closeNow(reason: string): void {
    const run = this.run;
    if (!run) return;
    if (!run.over) {
      const ending = run.end(reason);
      run.stopReason = reason;
      this.finish(run);
      void ending;
    }
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = null;
    this.run = null;
  }
}

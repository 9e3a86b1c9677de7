// Checked runs behind the Load panel and zk-lab check run: one register workload at a time
// against the lab's members (register.ts), the faults of its schedule through the lab's own fault
// actions (faults.ts), then the history checked under both models (the zookeeper model and
// linearizability, side by side, so a person sees where they differ), and the whole run kept in
// the lab history: the operations (as the JSON-lines file they export to), the verdicts, and the
// faults and elections that happened meanwhile, on the history's time axis. Histories imported
// from a file are checked and kept the same way.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { connect, NoNodeError } from '../../client';
import { check, type CheckOptions, type Model, type Verdict } from '../../shared/check/check';
import { formatHistory, HistoryFormatError, parseHistory, type HistoryOp } from '../../shared/check/history';
import { CheckSettings, type CheckMark, type CheckRunSummary, type CheckRunView, type CheckVerdict, type HistoryEvent } from '../../shared/contract';
import { CHECK_MAX_OPS } from '../../shared/limits';
import type { LabEventType } from '../../shared/events';
import { runFaults, type FaultHost } from './faults';
import { runRegister, type RegisterMember } from './register';

/** Where every run's keys live; the lab owns /zk-lab. */
export const CHECK_ROOT = '/zk-lab/check';

/** The lab's events kept beside a run's history: what was done to the members and what the ensemble did. */
export const MARK_TYPES: ReadonlySet<string> = new Set([
  'node.killed',
  'node.stopped',
  'node.paused',
  'node.resumed',
  'node.started',
  'node.exited',
  'net.fault.started',
  'net.fault.healed',
  'ensemble.election.started',
  'ensemble.election.ended',
  'ensemble.leader.changed',
]);

export interface CheckStore {
  checkRun(run: Omit<CheckRunSummary, 'id'>, historyText: string): CheckRunSummary;
  checkRuns(limit?: number): CheckRunSummary[];
  checkRunHistory(id: number): { summary: CheckRunSummary; text: string } | null;
  events(sinceMs: number, limit?: number, types?: readonly string[]): HistoryEvent[];
}

export interface CheckHost extends Omit<FaultHost, 'log'> {
  /** The members the clients use (through the lab's network); throws a sentence when the lab may not be loaded. */
  members(): RegisterMember[];
  store(): CheckStore | null;
  push(run: CheckRunView): void;
  record(type: LabEventType, detail: string, data: Record<string, unknown>): void;
}

/** Pushes at most this often while a run goes. */
const PUSH_MS = 250;

/** Checks settings from outside; throws one sentence naming what is wrong. */
export function parseCheckSettings(input: unknown): CheckSettings {
  const r = CheckSettings.safeParse(input);
  if (r.success) return r.data;
  const what = r.error.issues.map((i) => {
    const field = i.path.join('.');
    return field && !i.message.startsWith(field) ? `${field}: ${i.message}` : i.message;
  });
  throw new Error(`Check settings refused (nothing was started): ${what.join('; ')}.`);
}

/**
 * The checker, off the backend's event loop where it can be: a search of many seconds would
 * otherwise stall the polls and pushes. From the sources (unit tests) there is no compiled
 * worker, and it runs inline.
 */
export function checkAside(ops: readonly HistoryOp[], opts: CheckOptions): Promise<Verdict> {
  const file = join(__dirname, 'worker.js');
  if (!existsSync(file)) return Promise.resolve(check(ops, opts));
  return new Promise((resolve, reject) => {
    const w = new Worker(file, { workerData: { ops, opts } });
    w.once('message', (v: Verdict) => resolve(v));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the checker's worker exited with ${code}`));
    });
  });
}

/** Both verdicts, one model after the other (each with the whole time limit). */
async function verdicts(ops: readonly HistoryOp[], timeLimitS: number): Promise<CheckRunSummary['verdicts']> {
  const one = async (model: Model): Promise<CheckVerdict> => (await checkAside(ops, { model, timeLimitMs: timeLimitS * 1000 })) as CheckVerdict;
  const zookeeper = await one('zookeeper');
  const linearizable = await one('linearizable');
  return { linearizable, zookeeper };
}

const round = (t: number): number => Math.round(t * 1000) / 1000;

export class CheckRuns {
  private current: CheckRunView | null = null;
  private abort: AbortController | null = null;
  private pushTimer: NodeJS.Timeout | null = null;
  /** Runs kept without a lab history (none today: an attached ensemble cannot run them), and imports then. */
  private readonly inMemory: { summary: CheckRunSummary; text: string }[] = [];

  constructor(private readonly host: CheckHost) {}

  state(): CheckRunView | null {
    return this.current;
  }

  runs(limit?: number): CheckRunSummary[] {
    return this.host.store()?.checkRuns(limit) ?? this.inMemory.map((r) => r.summary).reverse().slice(0, limit);
  }

  /** A kept run's history as the file it exports to. */
  exportRun(id: number): { name: string; text: string } {
    const r = this.host.store()?.checkRunHistory(id) ?? this.inMemory.find((x) => x.summary.id === id) ?? null;
    if (!r) throw new Error(`There is no checked run ${id} in this lab's history (it keeps the newest ${this.runs().length}).`);
    const name = r.summary.source === 'import' ? r.summary.name : `${r.summary.source === 'run' ? 'check' : r.summary.source}-run-${id}.jsonl`;
    return { name, text: r.text };
  }

  /** Starts a run; answers once it is under way (its sessions connecting). */
  start(input: unknown): CheckRunView {
    const settings = parseCheckSettings(input);
    if (this.current && (this.current.phase === 'connecting' || this.current.phase === 'running' || this.current.phase === 'checking')) {
      throw new Error('A checked run is going already: wait for its verdict, or stop it.');
    }
    const members = this.host.members();
    const view = this.host.view();
    if (!view?.serving) throw new Error('The ensemble has no quorum now, so the workload could not start: start members (Cluster view), then run it.');
    const run: CheckRunView = { phase: 'connecting', settings, startedAt: Date.now(), ops: 0, results: { ok: 0, fail: 0, unknown: 0 }, log: [], summary: null, error: null };
    this.current = run;
    const abort = new AbortController();
    this.abort = abort;
    this.host.record('check.started', `checked run: ${settings.clients} client(s) on ${settings.keys} key(s) for ${settings.seconds} s, faults: ${settings.faults}`, { ...settings });
    this.push(true);
    void this.go(run, members, abort).catch(() => undefined);
    return run;
  }

  /** Ends the run under way early: what was recorded is checked. */
  stop(): CheckRunView {
    const r = this.current;
    if (!r || !this.abort || (r.phase !== 'connecting' && r.phase !== 'running')) throw new Error('No checked run is recording: start one.');
    this.log(r, 'stopped early: the operations recorded so far are checked');
    this.abort.abort();
    this.push(true);
    return r;
  }

  /** The lab is going away: the run stops (its faults are healed as far as the lab still can). */
  reset(why: string): void {
    if (this.current && this.abort && !this.abort.signal.aborted && (this.current.phase === 'connecting' || this.current.phase === 'running')) {
      this.log(this.current, why);
      this.abort.abort();
    }
  }

  /** Checks a history file's text under both models and keeps it beside the runs. */
  async importHistory(name: string, text: string, timeLimitS: number): Promise<CheckRunSummary> {
    let ops: HistoryOp[];
    try {
      ops = parseHistory(text);
    } catch (e) {
      if (e instanceof HistoryFormatError) throw new Error(`${name} is not a history: ${e.message} (the README's "The history format" has it). Nothing was kept.`);
      throw e;
    }
    const t0 = Math.min(...ops.map((o) => o.invoke));
    const t1 = Math.max(...ops.map((o) => o.complete ?? o.invoke));
    const now = Date.now();
    const summary = { source: 'import' as const, settings: null, name, startedAt: now, endedAt: now + (t1 - t0), ops: ops.length, keys: new Set(ops.map((o) => o.key)).size, verdicts: await verdicts(ops, timeLimitS), marks: [], note: null };
    return this.keep(summary, formatHistory(ops));
  }

  /** The faults and elections since `wall0` (ms since 1970), on the axis of a history that starts then. */
  private marksSince(wall0: number): CheckMark[] {
    return (this.host.store()?.events(wall0, 5000, [...MARK_TYPES]) ?? [])
      .filter((e) => e.source === 'lab' && MARK_TYPES.has(e.type) && !(e.type === 'node.exited' && e.data.kind !== 'crashed'))
      .map((e) => ({ t: e.time - wall0, type: e.type, myid: e.myid, detail: e.detail }));
  }

  /**
   * Checks a history another of the lab's workloads recorded (the Load panel's steady load, a
   * lock-playground run; its time 0 at `wall0`) under both models and keeps it beside the runs, with the faults and
   * elections since. Resolves to null when there was nothing to check.
   */
  async keepRecorded(ops: readonly HistoryOp[], wall0: number, name: string, source: 'load' | 'lock' = 'load'): Promise<CheckRunSummary | null> {
    if (ops.length === 0) return null;
    const rounded = ops.map((o) => ({ ...o, invoke: round(o.invoke), complete: o.complete === null ? null : round(o.complete) }));
    const marks = this.marksSince(wall0);
    const v = await verdicts(rounded, 10);
    const note = ops.length >= CHECK_MAX_OPS ? `the run's first ${CHECK_MAX_OPS} operations` : null;
    const summary = this.keep({ source, settings: null, name, startedAt: wall0, endedAt: Date.now(), ops: ops.length, keys: new Set(ops.map((o) => o.key)).size, verdicts: v, marks, note }, formatHistory(rounded));
    this.host.record('check.ended', `${name} checked (run ${summary.id}): ${ops.length} operations; zookeeper model ${v.zookeeper?.verdict}, linearizable ${v.linearizable?.verdict}`, { run: summary.id, zookeeper: v.zookeeper?.verdict, linearizable: v.linearizable?.verdict });
    return summary;
  }

  private keep(summary: Omit<CheckRunSummary, 'id'>, text: string): CheckRunSummary {
    const store = this.host.store();
    if (store) return store.checkRun(summary, text);
    const kept = { summary: { ...summary, id: (this.inMemory.at(-1)?.summary.id ?? 0) + 1 }, text };
    this.inMemory.push(kept);
    if (this.inMemory.length > 20) this.inMemory.shift();
    return kept.summary;
  }

  private async go(run: CheckRunView, members: RegisterMember[], abort: AbortController): Promise<void> {
    const s = run.settings;
    const root = `${CHECK_ROOT}/run-${run.startedAt.toString(36)}`;
    const wall0 = Date.now();
    const t0 = performance.now();
    let faults: Promise<void> = Promise.resolve();
    const faultHost: FaultHost = { view: () => this.host.view(), fault: (spec) => this.host.fault(spec), heal: (id) => this.host.heal(id), log: (text) => this.log(run, text) };
    let history: HistoryOp[] = [];
    let note: string | null = null;
    try {
      const out = await runRegister({
        members,
        clients: s.clients,
        keys: s.keys,
        durationMs: s.seconds * 1000,
        root,
        reads: s.readPercent / 100,
        writes: s.writePercent / 100,
        syncs: s.syncPercent / 100,
        rate: s.rate,
        sessionTimeoutMs: 6000,
        signal: abort.signal,
        onConnected: async () => {
          run.phase = 'running';
          this.log(run, `${s.clients} session(s) connected; recording for ${s.seconds} s${s.faults === 'none' ? '' : ` with ${s.faults}`}`);
          faults = runFaults(s.faults, performance.now() + s.seconds * 1000, () => performance.now(), faultHost, abort.signal);
          this.push(true);
        },
        onOperation: (op) => {
          run.ops++;
          run.results[op.result]++;
          if (run.ops >= CHECK_MAX_OPS && !abort.signal.aborted) {
            note = `ended at ${CHECK_MAX_OPS} operations, the most a run keeps`;
            this.log(run, note);
            abort.abort();
          }
          this.push(false);
        },
      });
      history = out.history;
    } catch (e) {
      abort.abort();
      await faults;
      run.phase = 'failed';
      run.error = `The workload could not run: ${(e as Error).message}`;
      this.host.record('check.ended', `checked run failed: ${(e as Error).message}`, { error: (e as Error).message });
      this.push(true);
      return;
    }
    // The schedule ends by itself at the run's end; stopped early, it heals now.
    abort.abort();
    await faults;
    if (history.length === 0) {
      run.phase = 'failed';
      run.error = 'The run recorded no operation (stopped before its sessions worked): nothing to check.';
      this.push(true);
      return;
    }
    run.phase = 'checking';
    this.log(run, `checking ${history.length} operations under both models (at most ${s.timeLimitS} s each)`);
    this.push(true);
    // On the run's own axis: 0 is when it started; the faults and elections go on the same axis.
    const ops = history.map((o) => ({ ...o, invoke: round(o.invoke - t0), complete: o.complete === null ? null : round(o.complete - t0) }));
    const marks = this.marksSince(wall0);
    await this.removeKeys(members, root);
    try {
      const v = await verdicts(ops, s.timeLimitS);
      const summary = this.keep({ source: 'run', settings: s, name: `run of ${new Date(wall0).toISOString()}`, startedAt: wall0, endedAt: Date.now(), ops: ops.length, keys: s.keys, verdicts: v, marks, note }, formatHistory(ops));
      run.summary = summary;
      run.phase = 'done';
      this.host.record('check.ended', `checked run ${summary.id}: ${ops.length} operations; zookeeper model ${v.zookeeper?.verdict}, linearizable ${v.linearizable?.verdict}`, { run: summary.id, zookeeper: v.zookeeper?.verdict, linearizable: v.linearizable?.verdict });
    } catch (e) {
      run.phase = 'failed';
      run.error = `The checker failed: ${(e as Error).message}`;
    }
    this.push(true);
  }

  /** The run's keys go once it is recorded (best effort: a lab without a quorum keeps them, under /zk-lab/check). */
  private async removeKeys(members: RegisterMember[], root: string): Promise<void> {
    try {
      const c = await connect(members.map((m) => m.address).join(','), { sessionTimeout: 6000, timeoutMs: 5000 });
      try {
        for (const k of await c.getChildren(root)) await c.delete(`${root}/${k}`).catch(() => undefined);
        await c.delete(root).catch((e: unknown) => {
          if (!(e instanceof NoNodeError)) throw e;
        });
      } finally {
        await c.close();
      }
    } catch {
      // Left for a later look; the history is what matters.
    }
  }

  private log(run: CheckRunView, text: string): void {
    run.log.push({ time: Date.now(), text });
    if (run.log.length > 200) run.log.splice(0, run.log.length - 200);
  }

  /** Pushes the run now (a change of phase) or at most every PUSH_MS (progress). */
  private push(now: boolean): void {
    const r = this.current;
    if (!r) return;
    if (now) {
      if (this.pushTimer) clearTimeout(this.pushTimer);
      this.pushTimer = null;
      this.host.push(r);
      return;
    }
    this.pushTimer ??= setTimeout(() => {
      this.pushTimer = null;
      if (this.current) this.host.push(this.current);
    }, PUSH_MS);
  }
}

// The lab's history in one SQLite file (history.sqlite in the lab folder): the event log (what
// the lab did and saw, and what members logged about themselves; see src/shared/events.ts) and
// samples of role, epoch, zxid, connections and latency per node over time. It outlives the
// app, so the timeline does too.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { CheckRunSummary, HistoryEvent, LoadRunSummary, LockRunSummary, Sample } from '../shared/contract';

/**
 * Version 1: events(id,time,myid,type,detail), samples(time,myid,role,epoch,zxid_counter).
 * Version 2: events.source/data, samples.zxid/connections/outstanding/avg_latency.
 * Version 3: load_runs (the Load panel's runs).
 * Version 4: lock_runs (the lock playground's runs).
 * Version 5: wire_windows (kept windows of the Wire capture).
 * Version 6: check_runs (checked histories: the operations, the verdicts, the faults and elections beside them).
 */
const SCHEMA_VERSION = 6;
/** Checked runs kept: the newest ones (each holds its whole history, up to CHECK_MAX_OPS operations). */
export const CHECK_RUNS_KEPT = 20;
/** Samples older than this are dropped when a lab is opened. */
const KEEP_SAMPLES_MS = 7 * 24 * 3600_000;

/**
 * How much the history keeps at most, newest first (the README says these): a lab left running
 * for weeks, or under the Load panel for hours, must not fill the disk. About 300 bytes an event
 * and 60 a sample, so the history stays under ~150 MB.
 */
export interface HistoryCaps {
  events: number;
  samples: number;
  /** Saved windows of the Wire capture (each up to 30 000 messages). */
  wireWindows: number;
  /** Rows of load_runs and of lock_runs, each. */
  runs: number;
}
export const HISTORY_CAPS: HistoryCaps = { events: 200_000, samples: 1_000_000, wireWindows: 50, runs: 1000 };

export type EventSource = 'lab' | 'member';

export class History {
  private readonly db: Database.Database;
  private readonly insertEvent: Database.Statement;
  private readonly insertSample: Database.Statement;
  /** Rows written since the last prune, per table: pruning is a DELETE, done every so often rather than per row. */
  private eventsSincePrune = 0;
  private samplesSincePrune = 0;
  private readonly caps: HistoryCaps;

  constructor(dir: string, caps: Partial<HistoryCaps> = {}) {
    this.caps = { ...HISTORY_CAPS, ...caps };
    this.db = new Database(join(dir, 'history.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // Samples can be lost in a crash of the machine without harm; fsync per sample is not worth it.
    this.db.pragma('synchronous = NORMAL');
    this.migrate();
    this.insertEvent = this.db.prepare('INSERT INTO events (time, myid, source, type, detail, data) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertSample = this.db.prepare(
      'INSERT INTO samples (time, myid, role, epoch, zxid, zxid_counter, connections, outstanding, avg_latency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.prepare('DELETE FROM samples WHERE time < ?').run(Date.now() - KEEP_SAMPLES_MS);
    this.prune();
  }

  /** Rows a table may grow past its cap before the next prune (a tenth of the cap, at least 1). */
  private slack(cap: number): number {
    return Math.max(1, Math.floor(cap / 10));
  }

  /**
   * Drops the oldest rows of every table over its cap, keeping the newest. Events and samples are
   * pruned down to their cap once they are a tenth over it, so the DELETE runs rarely.
   */
  prune(): void {
    const keepNewest = (table: string, order: string, cap: number): void => {
      // The cap-th newest row's key; everything older goes. No row there: under the cap.
      const edge = this.db.prepare(`SELECT ${order} AS k FROM ${table} ORDER BY ${order} DESC LIMIT 1 OFFSET ?`).get(cap - 1) as { k: number } | undefined;
      if (edge) this.db.prepare(`DELETE FROM ${table} WHERE ${order} < ?`).run(edge.k);
    };
    const tx = this.db.transaction(() => {
      keepNewest('events', 'id', this.caps.events);
      // Samples of one poll share a time; rowid orders them as written (and only grows: the newest rows are never deleted).
      keepNewest('samples', 'rowid', this.caps.samples);
      keepNewest('wire_windows', 'id', this.caps.wireWindows);
      keepNewest('load_runs', 'id', this.caps.runs);
      keepNewest('lock_runs', 'id', this.caps.runs);
    });
    tx();
    this.eventsSincePrune = 0;
    this.samplesSincePrune = 0;
  }

  /** Prunes once events or samples grew a tenth past their caps since the last prune. */
  private maybePrune(): void {
    if (this.eventsSincePrune >= this.slack(this.caps.events) || this.samplesSincePrune >= this.slack(this.caps.samples)) this.prune();
  }

  /** Rows per table now (the lab's disk use, and the caps' tests). */
  counts(): { events: number; samples: number; wireWindows: number; loadRuns: number; lockRuns: number } {
    const n = (table: string): number => (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { events: n('events'), samples: n('samples'), wireWindows: n('wire_windows'), loadRuns: n('load_runs'), lockRuns: n('lock_runs') };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    const has = (table: string): boolean => this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    const migrate = this.db.transaction(() => {
      // A history of version 2 has the events and samples of today; only what came later is added.
      if (version < 2 && !has('events')) {
        this.db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, myid INTEGER, source TEXT NOT NULL, type TEXT NOT NULL, detail TEXT NOT NULL, data TEXT)');
      } else if (version < 2) {
        // A lab from version 1: every event it has was the lab's own.
        this.db.exec("ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'lab'");
        this.db.exec('ALTER TABLE events ADD COLUMN data TEXT');
      }
      if (version < 2 && !has('samples')) {
        this.db.exec(
          'CREATE TABLE samples (time INTEGER NOT NULL, myid INTEGER NOT NULL, role TEXT NOT NULL, epoch INTEGER, zxid TEXT, zxid_counter INTEGER, connections INTEGER, outstanding INTEGER, avg_latency REAL)',
        );
      } else if (version < 2) {
        for (const col of ['zxid TEXT', 'connections INTEGER', 'outstanding INTEGER', 'avg_latency REAL']) this.db.exec(`ALTER TABLE samples ADD COLUMN ${col}`);
      }
      this.db.exec('CREATE INDEX IF NOT EXISTS samples_time ON samples(time)');
      this.db.exec('CREATE INDEX IF NOT EXISTS events_time ON events(time)');
      if (!has('load_runs')) {
        this.db.exec(
          'CREATE TABLE load_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL, settings TEXT NOT NULL, path TEXT NOT NULL, ops INTEGER NOT NULL, errors TEXT NOT NULL, p50 REAL, p99 REAL, max REAL, members TEXT NOT NULL, reason TEXT NOT NULL, cleanup TEXT NOT NULL)',
        );
      }
      if (!has('lock_runs')) {
        // A row is written when a run starts (ended_at NULL until it ends), so a run cut short by a crash still shows.
        this.db.exec(
          'CREATE TABLE lock_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, ended_at INTEGER, settings TEXT NOT NULL, counters TEXT, violations TEXT, faults TEXT, stop_reason TEXT)',
        );
      }
      if (!has('wire_windows')) {
        // Windows of the Wire capture a person chose to keep: the messages as JSON lines.
        this.db.exec('CREATE TABLE wire_windows (id INTEGER PRIMARY KEY AUTOINCREMENT, saved_at INTEGER NOT NULL, from_ms REAL NOT NULL, to_ms REAL NOT NULL, label TEXT NOT NULL, count INTEGER NOT NULL, messages TEXT NOT NULL)');
      }
      if (!has('check_runs')) {
        // The history as the JSON-lines file it exports to; summary: the rest of CheckRunSummary as JSON.
        this.db.exec('CREATE TABLE check_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, summary TEXT NOT NULL, history TEXT NOT NULL)');
      }
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
    migrate();
  }

  /** Records one event and returns it as the UI sees it. */
  event(myid: number | null, source: EventSource, type: string, detail: string, data: Record<string, unknown> = {}, time = Date.now()): HistoryEvent {
    const r = this.insertEvent.run(time, myid, source, type, detail, JSON.stringify(data));
    this.eventsSincePrune++;
    this.maybePrune();
    return { id: Number(r.lastInsertRowid), time, myid, source, type, detail, data };
  }

  /** Records one sample per node in one transaction. */
  samples(rows: Sample[]): void {
    const tx = this.db.transaction((all: Sample[]) => {
      for (const s of all) this.insertSample.run(s.time, s.myid, s.role, s.epoch, s.zxid, s.zxidCounter, s.connections, s.outstanding, s.avgLatency);
    });
    tx(rows);
    this.samplesSincePrune += rows.length;
    this.maybePrune();
  }

  /** Events since `sinceMs`, oldest first, at most `limit` (the newest ones when there are more). */
  events(sinceMs = 0, limit = 5000, types?: readonly string[]): HistoryEvent[] {
    // Of some types only (a checked run's marks): the members' many events of a busy run must not crowd them out of the limit.
    const only = types ? ` AND type IN (${types.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare(`SELECT id, time, myid, source, type, detail, data FROM (SELECT * FROM events WHERE time >= ?${only} ORDER BY id DESC LIMIT ?) ORDER BY id`)
      .all(sinceMs, ...(types ?? []), limit) as { id: number; time: number; myid: number | null; source: EventSource; type: string; detail: string; data: string | null }[];
    return rows.map((r) => ({ ...r, data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : {} }));
  }

  /** Samples since `sinceMs`, oldest first. */
  samplesSince(sinceMs = 0): Sample[] {
    return this.db
      .prepare(
        'SELECT time, myid, role, epoch, zxid, zxid_counter AS zxidCounter, connections, outstanding, avg_latency AS avgLatency FROM samples WHERE time >= ? ORDER BY time, myid',
      )
      .all(sinceMs) as Sample[];
  }

  /** Keeps the summary of a finished load run and returns it with its id. */
  loadRun(run: Omit<LoadRunSummary, 'id'>): LoadRunSummary {
    const r = this.db
      .prepare('INSERT INTO load_runs (started_at, ended_at, settings, path, ops, errors, p50, p99, max, members, reason, cleanup) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(run.startedAt, run.endedAt, JSON.stringify(run.settings), run.path, run.ops, JSON.stringify(run.errors), run.p50, run.p99, run.max, JSON.stringify(run.members), run.reason, run.cleanup);
    this.prune();
    return { id: Number(r.lastInsertRowid), ...run };
  }

  /** The newest `limit` load runs, newest first. */
  loadRuns(limit = 50): LoadRunSummary[] {
    const rows = this.db.prepare('SELECT * FROM load_runs ORDER BY id DESC LIMIT ?').all(limit) as {
      id: number;
      started_at: number;
      ended_at: number;
      settings: string;
      path: string;
      ops: number;
      errors: string;
      p50: number | null;
      p99: number | null;
      max: number | null;
      members: string;
      reason: string;
      cleanup: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      settings: JSON.parse(r.settings) as LoadRunSummary['settings'],
      path: r.path,
      ops: r.ops,
      errors: JSON.parse(r.errors) as Record<string, number>,
      p50: r.p50,
      p99: r.p99,
      max: r.max,
      members: JSON.parse(r.members) as LoadRunSummary['members'],
      reason: r.reason,
      cleanup: r.cleanup,
    }));
  }

  /** Opens a lock-playground run's row and returns its id. */
  lockRunBegin(startedAt: number, settings: LockRunSummary['settings']): number {
    const id = Number(this.db.prepare('INSERT INTO lock_runs (started_at, settings) VALUES (?, ?)').run(startedAt, JSON.stringify(settings)).lastInsertRowid);
    this.prune();
    return id;
  }

  /** Writes how a lock-playground run ended. */
  lockRunEnd(run: LockRunSummary): void {
    this.db
      .prepare('UPDATE lock_runs SET ended_at = ?, counters = ?, violations = ?, faults = ?, stop_reason = ? WHERE id = ?')
      .run(run.endedAt, JSON.stringify(run.counters), JSON.stringify(run.violations), JSON.stringify(run.faults), run.stopReason, run.id);
  }

  /** The newest `limit` lock-playground runs, newest first (a run without an end was cut short). */
  lockRuns(limit = 50): LockRunSummary[] {
    const rows = this.db.prepare('SELECT * FROM lock_runs ORDER BY id DESC LIMIT ?').all(limit) as {
      id: number;
      started_at: number;
      ended_at: number | null;
      settings: string;
      counters: string | null;
      violations: string | null;
      faults: string | null;
      stop_reason: string | null;
    }[];
    const noCounters: LockRunSummary['counters'] = {
      acquisitions: 0,
      perSecond: 0,
      waitP50Ms: null,
      waitP99Ms: null,
      waitMaxMs: null,
      notifications: 0,
      watchesSet: 0,
      notificationsPerAcquisition: null,
      serverChecks: 0,
    };
    return rows.map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      settings: JSON.parse(r.settings) as LockRunSummary['settings'],
      counters: r.counters ? (JSON.parse(r.counters) as LockRunSummary['counters']) : noCounters,
      violations: r.violations ? (JSON.parse(r.violations) as LockRunSummary['violations']) : [],
      faults: r.faults ? (JSON.parse(r.faults) as LockRunSummary['faults']) : [],
      stopReason: r.stop_reason,
    }));
  }

  /** Keeps a checked run (its history as the file's text) and drops all but the newest CHECK_RUNS_KEPT; returns it with its id. */
  checkRun(run: Omit<CheckRunSummary, 'id'>, historyText: string): CheckRunSummary {
    const tx = this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO check_runs (started_at, summary, history) VALUES (?, ?, ?)').run(run.startedAt, JSON.stringify(run), historyText).lastInsertRowid);
      this.db.prepare('DELETE FROM check_runs WHERE id NOT IN (SELECT id FROM check_runs ORDER BY id DESC LIMIT ?)').run(CHECK_RUNS_KEPT);
      return id;
    });
    return { id: tx(), ...run };
  }

  /** The newest `limit` checked runs, newest first, without their histories. */
  checkRuns(limit = CHECK_RUNS_KEPT): CheckRunSummary[] {
    const rows = this.db.prepare('SELECT id, summary FROM check_runs ORDER BY id DESC LIMIT ?').all(limit) as { id: number; summary: string }[];
    return rows.map((r) => ({ ...(JSON.parse(r.summary) as Omit<CheckRunSummary, 'id'>), id: r.id }));
  }

  /** A kept run's history as the file's text, or null when it is not kept (any more). */
  checkRunHistory(id: number): { summary: CheckRunSummary; text: string } | null {
    const r = this.db.prepare('SELECT id, summary, history FROM check_runs WHERE id = ?').get(id) as { id: number; summary: string; history: string } | undefined;
    return r ? { summary: { ...(JSON.parse(r.summary) as Omit<CheckRunSummary, 'id'>), id: r.id }, text: r.history } : null;
  }

  /** Keeps a window of the Wire capture; returns its id. */
  wireWindow(fromMs: number, toMs: number, label: string, messages: unknown[]): number {
    const body = messages.map((m) => JSON.stringify(m)).join('\n');
    const id = Number(this.db.prepare('INSERT INTO wire_windows (saved_at, from_ms, to_ms, label, count, messages) VALUES (?, ?, ?, ?, ?, ?)').run(Date.now(), fromMs, toMs, label, messages.length, body).lastInsertRowid);
    this.prune();
    return id;
  }

  /** The saved windows of the Wire capture, newest first, without their messages. */
  wireWindows(limit = 50): { id: number; savedAt: number; fromMs: number; toMs: number; label: string; count: number }[] {
    return this.db.prepare('SELECT id, saved_at AS savedAt, from_ms AS fromMs, to_ms AS toMs, label, count FROM wire_windows ORDER BY id DESC LIMIT ?').all(limit) as never;
  }

  /** When the first event the history still has was recorded (the lab's launch, unless pruned since), or null for an empty history. */
  firstEventTime(): number | null {
    const r = this.db.prepare('SELECT MIN(time) AS t FROM events').get() as { t: number | null };
    return r.t;
  }

  close(): void {
    this.db.close();
  }
}

// The lab's history in one SQLite file (history.sqlite in the lab folder): the event log (what
// the lab did and saw, and what members logged about themselves; see src/shared/events.ts) and
// samples of role, epoch, zxid, connections and latency per node over time. It outlives the
// app, so the timeline does too.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { HistoryEvent, Sample } from '../shared/contract';

/** Version 1: events(id,time,myid,type,detail), samples(time,myid,role,epoch,zxid_counter). */
const SCHEMA_VERSION = 2;
/** Samples older than this are dropped when a lab is opened. */
const KEEP_SAMPLES_MS = 7 * 24 * 3600_000;

export type EventSource = 'lab' | 'member';

export class History {
  private readonly db: Database.Database;
  private readonly insertEvent: Database.Statement;
  private readonly insertSample: Database.Statement;

  constructor(dir: string) {
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
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    const has = (table: string): boolean => this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    const migrate = this.db.transaction(() => {
      if (!has('events')) {
        this.db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, myid INTEGER, source TEXT NOT NULL, type TEXT NOT NULL, detail TEXT NOT NULL, data TEXT)');
      } else {
        // A lab from version 1: every event it has was the lab's own.
        this.db.exec("ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'lab'");
        this.db.exec('ALTER TABLE events ADD COLUMN data TEXT');
      }
      if (!has('samples')) {
        this.db.exec(
          'CREATE TABLE samples (time INTEGER NOT NULL, myid INTEGER NOT NULL, role TEXT NOT NULL, epoch INTEGER, zxid TEXT, zxid_counter INTEGER, connections INTEGER, outstanding INTEGER, avg_latency REAL)',
        );
      } else {
        for (const col of ['zxid TEXT', 'connections INTEGER', 'outstanding INTEGER', 'avg_latency REAL']) this.db.exec(`ALTER TABLE samples ADD COLUMN ${col}`);
      }
      this.db.exec('CREATE INDEX IF NOT EXISTS samples_time ON samples(time)');
      this.db.exec('CREATE INDEX IF NOT EXISTS events_time ON events(time)');
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
    migrate();
  }

  /** Records one event and returns it as the UI sees it. */
  event(myid: number | null, source: EventSource, type: string, detail: string, data: Record<string, unknown> = {}, time = Date.now()): HistoryEvent {
    const r = this.insertEvent.run(time, myid, source, type, detail, JSON.stringify(data));
    return { id: Number(r.lastInsertRowid), time, myid, source, type, detail, data };
  }

  /** Records one sample per node in one transaction. */
  samples(rows: Sample[]): void {
    const tx = this.db.transaction((all: Sample[]) => {
      for (const s of all) this.insertSample.run(s.time, s.myid, s.role, s.epoch, s.zxid, s.zxidCounter, s.connections, s.outstanding, s.avgLatency);
    });
    tx(rows);
  }

  /** Events since `sinceMs`, oldest first, at most `limit` (the newest ones when there are more). */
  events(sinceMs = 0, limit = 5000): HistoryEvent[] {
    const rows = this.db
      .prepare('SELECT id, time, myid, source, type, detail, data FROM (SELECT * FROM events WHERE time >= ? ORDER BY id DESC LIMIT ?) ORDER BY id')
      .all(sinceMs, limit) as { id: number; time: number; myid: number | null; source: EventSource; type: string; detail: string; data: string | null }[];
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

  /** When the first event of the lab was recorded (its launch), or null for an empty history. */
  firstEventTime(): number | null {
    const r = this.db.prepare('SELECT MIN(time) AS t FROM events').get() as { t: number | null };
    return r.t;
  }

  close(): void {
    this.db.close();
  }
}

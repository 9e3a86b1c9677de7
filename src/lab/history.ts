// The lab's history in one SQLite file: events (role changes, elections, kills) and samples of
// role, epoch and zxid per node over time. It outlives the app, so the timeline does too.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { HistoryEvent, Sample } from '../shared/contract';

export class History {
  private readonly db: Database.Database;
  private readonly insertEvent: Database.Statement;
  private readonly insertSample: Database.Statement;

  constructor(dir: string) {
    this.db = new Database(join(dir, 'history.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, myid INTEGER, type TEXT NOT NULL, detail TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS samples (time INTEGER NOT NULL, myid INTEGER NOT NULL, role TEXT NOT NULL, epoch INTEGER, zxid_counter INTEGER);
      CREATE INDEX IF NOT EXISTS samples_time ON samples(time);
    `);
    this.insertEvent = this.db.prepare('INSERT INTO events (time, myid, type, detail) VALUES (?, ?, ?, ?)');
    this.insertSample = this.db.prepare('INSERT INTO samples (time, myid, role, epoch, zxid_counter) VALUES (?, ?, ?, ?, ?)');
  }

  event(myid: number | null, type: string, detail: string): HistoryEvent {
    const time = Date.now();
    const r = this.insertEvent.run(time, myid, type, detail);
    return { id: Number(r.lastInsertRowid), time, myid, type, detail };
  }

  sample(s: Sample): void {
    this.insertSample.run(s.time, s.myid, s.role, s.epoch, s.zxidCounter);
  }

  events(sinceMs = 0): HistoryEvent[] {
    return this.db.prepare('SELECT id, time, myid, type, detail FROM events WHERE time >= ? ORDER BY id').all(sinceMs) as HistoryEvent[];
  }

  samples(sinceMs = 0): Sample[] {
    return (this.db.prepare('SELECT time, myid, role, epoch, zxid_counter AS zxidCounter FROM samples WHERE time >= ? ORDER BY time').all(sinceMs) as Sample[]).map((s) => ({ ...s }));
  }

  close(): void {
    this.db.close();
  }
}

// The lab's SQLite history: what is written survives closing and reopening (an app restart),
// and a history written by the first schema opens and keeps its events.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECK_RUNS_KEPT, History } from './history';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zk-lab-history-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('History', () => {
  it('keeps events and samples across a close and reopen', () => {
    // Samples older than a week are dropped at open: these are recent.
    const t = Date.now() - 60_000;
    const h = new History(dir);
    const e1 = h.event(null, 'lab', 'lab.launched', 'launched 3 node(s)', { size: 3 }, t);
    const e2 = h.event(2, 'member', 'election.decided', 'node 2 election.decided leader=3', { seq: 7, time: t + 500, type: 'election.decided', leader: 3 }, t + 500);
    h.samples([
      { time: t + 1000, myid: 1, role: 'follower', epoch: 1, zxid: '100000003', zxidCounter: 3, connections: 0, outstanding: 0, avgLatency: 0.5 },
      { time: t + 1000, myid: 3, role: 'leader', epoch: 1, zxid: '100000003', zxidCounter: 3, connections: 2, outstanding: 0, avgLatency: 1.25 },
    ]);
    h.close();

    const again = new History(dir);
    expect(again.events()).toEqual([
      { id: e1.id, time: t, myid: null, source: 'lab', type: 'lab.launched', detail: 'launched 3 node(s)', data: { size: 3 } },
      { id: e2.id, time: t + 500, myid: 2, source: 'member', type: 'election.decided', detail: 'node 2 election.decided leader=3', data: { seq: 7, time: t + 500, type: 'election.decided', leader: 3 } },
    ]);
    expect(again.samplesSince(t + 500)).toEqual([
      { time: t + 1000, myid: 1, role: 'follower', epoch: 1, zxid: '100000003', zxidCounter: 3, connections: 0, outstanding: 0, avgLatency: 0.5 },
      { time: t + 1000, myid: 3, role: 'leader', epoch: 1, zxid: '100000003', zxidCounter: 3, connections: 2, outstanding: 0, avgLatency: 1.25 },
    ]);
    expect(again.samplesSince(t + 1001)).toEqual([]);
    expect(again.firstEventTime()).toBe(t);
    again.close();
  });

  it('returns the newest events when there are more than asked for, oldest first', () => {
    const h = new History(dir);
    for (let i = 0; i < 10; i++) h.event(i, 'lab', 'node.role', `event ${i}`, {}, 100 + i);
    expect(h.events(0, 3).map((e) => e.detail)).toEqual(['event 7', 'event 8', 'event 9']);
    expect(h.events(105).length).toBe(5);
    h.close();
  });

  it('opens a history of the first schema and keeps its events', () => {
    const db = new Database(join(dir, 'history.sqlite'));
    db.exec(`
      CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, myid INTEGER, type TEXT NOT NULL, detail TEXT NOT NULL);
      CREATE TABLE samples (time INTEGER NOT NULL, myid INTEGER NOT NULL, role TEXT NOT NULL, epoch INTEGER, zxid_counter INTEGER);
      INSERT INTO events (time, myid, type, detail) VALUES (${Date.now()}, 4, 'node.kill', 'node 4 killed (SIGKILL)');
      INSERT INTO samples VALUES (${Date.now()}, 4, 'leader', 1, 7);
    `);
    db.close();
    const h = new History(dir);
    expect(h.events()).toMatchObject([{ myid: 4, source: 'lab', type: 'node.kill', detail: 'node 4 killed (SIGKILL)', data: {} }]);
    expect(h.samplesSince()).toMatchObject([{ myid: 4, role: 'leader', epoch: 1, zxidCounter: 7, zxid: null }]);
    h.event(4, 'lab', 'node.started', 'node 4 started');
    expect(h.events().length).toBe(2);
    h.close();
  });
});

describe('History of load runs', () => {
  const run = {
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_060_000,
    settings: { sessions: 4, rate: 200, readPercent: 80, payloadBytes: 128 },
    path: '/zk-lab/load/run-abc',
    ops: 11_950,
    errors: { ConnectionLoss: 12 },
    p50: 0.61,
    p99: 1840.5,
    max: 2010.1,
    members: [
      { myid: 1, ops: 6000, errors: 12 },
      { myid: 2, ops: 5950, errors: 0 },
    ],
    reason: 'stopped from the Load panel',
    cleanup: 'removed /zk-lab/load/run-abc and its 4 znodes',
  };

  it('keeps load run summaries across a close and reopen, newest first', () => {
    const h = new History(dir);
    const a = h.loadRun(run);
    const b = h.loadRun({ ...run, startedAt: run.startedAt + 100_000, errors: {} });
    h.close();
    const again = new History(dir);
    expect(again.loadRuns()).toEqual([b, a]);
    expect(again.loadRuns(1)).toEqual([b]);
    expect(a).toEqual({ id: a.id, ...run });
    again.close();
  });

  it('adds the load runs to a history of version 2 and keeps its events', () => {
    const db = new Database(join(dir, 'history.sqlite'));
    db.exec(`
      CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, myid INTEGER, source TEXT NOT NULL, type TEXT NOT NULL, detail TEXT NOT NULL, data TEXT);
      CREATE TABLE samples (time INTEGER NOT NULL, myid INTEGER NOT NULL, role TEXT NOT NULL, epoch INTEGER, zxid TEXT, zxid_counter INTEGER, connections INTEGER, outstanding INTEGER, avg_latency REAL);
      INSERT INTO events (time, myid, source, type, detail, data) VALUES (${Date.now()}, 2, 'lab', 'node.killed', 'node 2 killed (SIGKILL)', '{}');
      PRAGMA user_version = 2;
    `);
    db.close();
    const h = new History(dir);
    expect(h.events()).toMatchObject([{ myid: 2, source: 'lab', type: 'node.killed' }]);
    expect(h.loadRuns()).toEqual([]);
    h.loadRun(run);
    expect(h.loadRuns().length).toBe(1);
    h.close();
  });
});

describe('History of lock-playground runs', () => {
  const settings = { clients: 10, strategy: 'naive' as const, holdMs: 20, thinkMs: 0, durationMs: 5000, acquisitions: null, lockPath: '/playground/lock' };
  const counters = { acquisitions: 180, perSecond: 36, waitP50Ms: 170.2, waitP99Ms: 301.5, waitMaxMs: 320, notifications: 1512, watchesSet: 1600, notificationsPerAcquisition: 8.4, serverChecks: 180 };

  it('keeps a run from its start (no end yet) to its end across a close and reopen', () => {
    const h = new History(dir);
    const id = h.lockRunBegin(1_700_000_000_000, settings);
    expect(h.lockRuns()).toEqual([{ id, startedAt: 1_700_000_000_000, endedAt: null, settings, counters: expect.objectContaining({ acquisitions: 0 }), violations: [], faults: [], stopReason: null }]);
    const violation = { kind: 'overlap' as const, time: 1_700_000_001_000, clients: [3, 4], detail: 'client 4 acquired the lock while client 3 held it' };
    const fault = { kind: 'expire' as const, time: 1_700_000_002_000, client: 3, member: 2, detail: "expire client 3's session" };
    h.lockRunEnd({ id, startedAt: 1_700_000_000_000, endedAt: 1_700_000_005_000, settings, counters, violations: [violation], faults: [fault], stopReason: 'ran for 5000 ms' });
    const later = h.lockRunBegin(1_700_000_010_000, { ...settings, strategy: 'seed' });
    h.close();
    const again = new History(dir);
    const runs = again.lockRuns();
    expect(runs.map((r) => r.id)).toEqual([later, id]);
    expect(runs[1]).toEqual({ id, startedAt: 1_700_000_000_000, endedAt: 1_700_000_005_000, settings, counters, violations: [violation], faults: [fault], stopReason: 'ran for 5000 ms' });
    expect(again.lockRuns(1).map((r) => r.id)).toEqual([later]);
    again.close();
  });

  it('adds the lock runs to a history of version 3 and keeps its load runs', () => {
    const h3 = new History(dir);
    h3.close();
    // Make it a version-3 history: without the lock_runs table, with one load run.
    const db = new Database(join(dir, 'history.sqlite'));
    db.exec(`DROP TABLE lock_runs; PRAGMA user_version = 3;
      INSERT INTO load_runs (started_at, ended_at, settings, path, ops, errors, members, reason, cleanup) VALUES (1, 2, '{}', '/x', 5, '{}', '[]', 'stopped', 'removed');`);
    db.close();
    const h = new History(dir);
    expect(h.loadRuns().map((r) => r.ops)).toEqual([5]);
    expect(h.lockRuns()).toEqual([]);
    h.lockRunBegin(3, settings);
    expect(h.lockRuns().length).toBe(1);
    h.close();
    const db2 = new Database(join(dir, 'history.sqlite'));
    expect(db2.pragma('user_version', { simple: true })).toBe(6);
    db2.close();
  });

  it('keeps windows of the Wire capture (version 5) and adds the table to a version-4 history', () => {
    const h4 = new History(dir);
    h4.close();
    const db = new Database(join(dir, 'history.sqlite'));
    db.exec('DROP TABLE wire_windows; PRAGMA user_version = 4;');
    db.close();
    const h = new History(dir);
    const msgs = [{ seq: 1, type: 'PROPOSAL' }, { seq: 2, type: 'ACK' }];
    const id = h.wireWindow(10, 20, 'one write', msgs);
    expect(h.wireWindows()).toEqual([{ id, savedAt: expect.any(Number), fromMs: 10, toMs: 20, label: 'one write', count: 2 }]);
    h.close();
    const db2 = new Database(join(dir, 'history.sqlite'));
    expect(db2.pragma('user_version', { simple: true })).toBe(6);
    const row = db2.prepare('SELECT messages FROM wire_windows WHERE id = ?').get(id) as { messages: string };
    expect(row.messages.split('\n').map((l) => JSON.parse(l))).toEqual(msgs);
    db2.close();
  });
});

describe('History of checked runs', () => {
  const run = {
    source: 'run' as const,
    settings: { clients: 4, keys: 2, seconds: 10, faults: 'kills' as const, rate: 0, readPercent: 50, writePercent: 30, syncPercent: 10, timeLimitS: 10 },
    name: 'run of 2026-12-07T18:00:00.000Z',
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_012_000,
    ops: 2,
    keys: 1,
    verdicts: { linearizable: null, zookeeper: { model: 'zookeeper' as const, ops: 2, keys: 1, verdict: 'ok' as const, perKey: [{ key: '/r/0', ops: 2, verdict: 'ok' as const, states: 3 }] } },
    marks: [{ t: 1500, type: 'node.killed', myid: 2, detail: 'node 2 killed (SIGKILL)' }],
    note: null,
  };
  const text = '{"process":0,"session":"0x1","member":1,"f":"write","key":"/r/0","value":"a","version":null,"invoke":1,"complete":2,"result":"ok"}\n';

  it('keeps a run with its history and marks across a reopen, and only the newest CHECK_RUNS_KEPT', () => {
    const h = new History(dir);
    const first = h.checkRun(run, text);
    expect(first).toEqual({ id: first.id, ...run });
    h.close();
    const again = new History(dir);
    expect(again.checkRuns()).toEqual([first]);
    expect(again.checkRunHistory(first.id)).toEqual({ summary: first, text });
    for (let i = 0; i < CHECK_RUNS_KEPT; i++) again.checkRun({ ...run, startedAt: run.startedAt + i + 1 }, text);
    const kept = again.checkRuns(100);
    expect(kept.length).toBe(CHECK_RUNS_KEPT);
    expect(kept.some((r) => r.id === first.id)).toBe(false);
    expect(again.checkRunHistory(first.id)).toBeNull();
    again.close();
  });

  it('adds the checked runs to a history of version 5 and keeps its load runs', () => {
    const old = new History(dir);
    old.loadRun({ startedAt: 1, endedAt: 2, settings: { sessions: 1, rate: 1, readPercent: 0, payloadBytes: 0 }, path: '/x', ops: 0, errors: {}, p50: null, p99: null, max: null, members: [], reason: 'r', cleanup: 'c' });
    old.close();
    const db = new Database(join(dir, 'history.sqlite'));
    db.exec('DROP TABLE check_runs; PRAGMA user_version = 5;');
    db.close();
    const h = new History(dir);
    expect(h.loadRuns().length).toBe(1);
    expect(h.checkRuns()).toEqual([]);
    h.checkRun(run, text);
    expect(h.checkRuns().length).toBe(1);
    h.close();
  });
});

describe('History caps', () => {
  const sample = (time: number, myid: number) => ({ time, myid, role: 'follower' as const, epoch: 1, zxid: '1', zxidCounter: 1, connections: 0, outstanding: 0, avgLatency: 0 });

  it('keeps at most its cap of events and samples, the newest, however many are written', () => {
    const h = new History(dir, { events: 100, samples: 50 });
    const t = Date.now();
    for (let i = 0; i < 1000; i++) h.event(null, 'lab', 'node.role', `event ${i}`, {}, t + i);
    for (let i = 0; i < 400; i++) h.samples([sample(t + i, 1), sample(t + i, 2)]);
    const c = h.counts();
    // Pruned down to the cap whenever a tenth past it: never more than cap + cap/10.
    expect(c.events).toBeGreaterThanOrEqual(100);
    expect(c.events).toBeLessThanOrEqual(110);
    expect(c.samples).toBeLessThanOrEqual(55);
    const events = h.events(0, 10_000);
    expect(events.at(-1)!.detail).toBe('event 999');
    expect(events[0]!.detail).toBe(`event ${1000 - c.events}`);
    const samples = h.samplesSince(0);
    expect(samples.at(-1)).toMatchObject({ time: t + 399, myid: 2 });
    expect(samples[0]!.time).toBeGreaterThan(t + 370);
    h.close();
  });

  it('prunes a history that was written under larger caps when it is opened', () => {
    const h = new History(dir);
    for (let i = 0; i < 300; i++) h.event(null, 'lab', 'node.role', `event ${i}`);
    h.close();
    const small = new History(dir, { events: 20 });
    expect(small.counts().events).toBe(20);
    expect(small.events().at(-1)!.detail).toBe('event 299');
    small.close();
  });

  it('keeps the newest wire windows and runs within their caps', () => {
    const h = new History(dir, { wireWindows: 3, runs: 2 });
    for (let i = 0; i < 5; i++) h.wireWindow(i, i + 1, `w${i}`, [{ seq: i }]);
    for (let i = 0; i < 4; i++) h.lockRunBegin(i, { clients: 2, strategy: 'seed', holdMs: 10, thinkMs: 10, durationMs: 1000, acquisitions: 0 } as never);
    expect(h.wireWindows().map((w) => w.label)).toEqual(['w4', 'w3', 'w2']);
    expect(h.lockRuns().map((r) => r.startedAt)).toEqual([3, 2]);
    h.close();
  });
});

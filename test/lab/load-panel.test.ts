// The Load panel in the lab backend (LabService + LoadPanel) on a real 3-member lab of ours:
// refuses what it cannot do and changes nothing, pushes a second at a time, marks a leader
// kill and the election on its charts, ends with the lab and keeps that run in the history,
// and the next run in the reopened lab removes the znodes the ended one had to leave.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client';
import { LabService } from '../../src/lab/service';
import type { HistoryEvent, LabView, LoadRunSummary, LoadSample, LoadStatus, Push } from '../../src/shared/contract';
import { needs, OUR_BUILD } from '../support/needs';
import { waitFor } from '../support/ourzk';

type LoadView = { status: LoadStatus; samples: LoadSample[]; marks: HistoryEvent[] };

describe('the Load panel in the lab backend', needs(OUR_BUILD), () => {
  let root: string;
  const labs: LabService[] = [];
  const pushes: Push[] = [];
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'zk-lab-load-'));
    process.env.ZK_LAB_DIR = root;
  });
  afterAll(() => {
    for (const l of labs) l.close();
    delete process.env.ZK_LAB_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  const open = (): LabService => {
    const lab = new LabService('load');
    labs.push(lab);
    lab.on('push', (p: Push) => pushes.push(p));
    return lab;
  };
  const loads = (): Extract<Push, { kind: 'load' }>[] => pushes.filter((p): p is Extract<Push, { kind: 'load' }> => p.kind === 'load');
  const serving = (lab: LabService) => (): boolean => {
    const v: LabView | null = lab.view();
    return !!v && v.serving && v.nodes.every((n) => n.role === 'leader' || n.role === 'follower');
  };

  it('runs a load, marks the election after a leader kill, and ends it with the lab', { timeout: 240_000 }, async () => {
    const lab = open();
    await expect(lab.handle({ method: 'load.start', settings: { sessions: 4, rate: 200, readPercent: 80, payloadBytes: 128 } })).rejects.toThrow(/There is no lab yet: launch one first/);
    await lab.handle({ method: 'launch', size: 3, observers: 0, engines: 'ours' });
    await waitFor(serving(lab), 90_000, 'a leader and two followers');

    // Bad settings: a sentence, and nothing starts.
    await expect(lab.handle({ method: 'load.start', settings: { sessions: 0, rate: 200, readPercent: 80, payloadBytes: 128 } })).rejects.toThrow(/sessions must be 1 to 32/);
    expect(loads()).toEqual([]);
    expect(((await lab.handle({ method: 'load.status' })) as LoadView).status.state).toBe('idle');
    await expect(lab.handle({ method: 'load.stop' })).rejects.toThrow(/No load is running/);

    const started = (await lab.handle({ method: 'load.start', settings: { sessions: 4, rate: 200, readPercent: 80, payloadBytes: 128 } })) as LoadStatus;
    expect(started.state).toBe('running');
    expect(started.sessions.map((s) => s.home)).toEqual([1, 2, 3, 1]);
    expect(started.path).toMatch(/^\/zk-lab\/load\/run-/);
    await expect(lab.handle({ method: 'load.start', settings: { sessions: 4, rate: 200, readPercent: 80, payloadBytes: 128 } })).rejects.toThrow(/running already/);
    await waitFor(() => loads().some((p) => p.sample !== null && p.sample.ops > 0), 30_000, 'a second of load pushed');

    // Kill the leader the way the panel does: the kill and the election come as marks.
    const leader = lab.view()!.leader!;
    await lab.handle({ method: 'node', myid: leader, action: 'kill' });
    const marked = (type: string): boolean => loads().some((p) => p.marks.some((m) => m.type === type));
    await waitFor(() => ['node.killed', 'ensemble.election.started', 'ensemble.election.ended', 'ensemble.leader.changed'].every(marked), 90_000, 'the kill and the election marked').catch(
      (e: Error) => {
        // Say what was seen: the marks, each member's role, and the tail of each member's log.
        const v = lab.view();
        const tails = (v?.nodes ?? []).map((n) => {
          let log = '';
          try {
            log = readFileSync(join(v!.dir, `node${n.myid}`, 'server.log'), 'utf8').split('\n').slice(-25).join('\n');
          } catch { /* no log */ }
          return `--- node ${n.myid} (${n.role}) ---\n${log}`;
        });
        const seen = loads().flatMap((p) => p.marks).map((m) => `${m.type}${m.myid ? ` ${m.myid}` : ''}`);
        throw new Error(`${e.message}; marks seen: ${seen.join(', ') || 'none'}\n${tails.join('\n')}`);
      },
    );
    const killed = loads().flatMap((p) => p.marks).find((m) => m.type === 'node.killed')!;
    expect(killed.myid).toBe(leader);
    // Only the lab's own events about the ensemble are marks; not the members' logs.
    expect(loads().flatMap((p) => p.marks).every((m) => m.source === 'lab')).toBe(true);
    await waitFor(() => loads().some((p) => p.sample !== null && p.sample.time > killed.time + 1000 && p.sample.ops > 0), 90_000, 'load served after the election');
    const view = (await lab.handle({ method: 'load.status' })) as LoadView;
    expect(view.samples.length).toBeGreaterThan(2);
    expect(view.marks.map((m) => m.type)).toContain('ensemble.election.ended');

    const updated = (await lab.handle({ method: 'load.update', settings: { sessions: 4, rate: 100, readPercent: 50, payloadBytes: 16 } })) as LoadStatus;
    expect(updated.settings).toEqual({ sessions: 4, rate: 100, readPercent: 50, payloadBytes: 16 });

    // The app closes: the load ends with the lab, and the history keeps the run.
    const path = started.path!;
    lab.close();
    expect(((await lab.handle({ method: 'load.status' })) as LoadView).status.state).toBe('idle');

    const again = open();
    const runs = (await again.handle({ method: 'load.runs' })) as LoadRunSummary[];
    expect(runs).toHaveLength(1);
    expect(runs[0]!).toMatchObject({ path, reason: 'the lab stopped', settings: { rate: 100, readPercent: 50 } });
    expect(runs[0]!.cleanup).toMatch(/^left \/zk-lab\/load\/run-.*the next load run in this lab removes it/);
    expect(runs[0]!.ops).toBeGreaterThan(0);

    // The next run in this lab removes what that one left.
    await again.handle({ method: 'startAll' });
    await waitFor(serving(again), 90_000, 'the reopened lab to serve');
    const next = (await again.handle({ method: 'load.start', settings: { sessions: 2, rate: 50, readPercent: 80, payloadBytes: 128 } })) as LoadStatus;
    const zk = await connect(again.view()!.nodes.map((n) => `127.0.0.1:${n.clientPort}`).join(','), { timeoutMs: 30_000 });
    try {
      // Our session may be on a member other than the one the lab's writes went through: a read
      // there may be behind them (ZooKeeper promises no more), so sync first, as a client must.
      await zk.sync('/');
      expect(await zk.exists(path)).toBeNull();
      expect(await zk.exists(next.path!)).not.toBeNull();
      const stopped = (await again.handle({ method: 'load.stop' })) as LoadRunSummary;
      expect(stopped.reason).toBe('stopped from the Load panel');
      await zk.sync('/');
      expect(await zk.exists('/zk-lab/load')).toBeNull();
    } finally {
      await zk.close();
    }
    expect(((await again.handle({ method: 'load.runs' })) as LoadRunSummary[]).map((r) => r.reason)).toEqual(['stopped from the Load panel', 'the lab stopped']);
  });

  it('refuses an attached ensemble: it is read-only to the lab', async () => {
    const lab = labs.at(-1)!;
    await lab.handle({ method: 'destroy' });
    await lab.handle({ method: 'attach', connectString: '127.0.0.1:1' });
    await expect(lab.handle({ method: 'load.start', settings: { sessions: 1, rate: 10, readPercent: 100, payloadBytes: 0 } })).rejects.toThrow(/attached.*read-only/);
    expect(((await lab.handle({ method: 'load.status' })) as LoadView).status.state).toBe('idle');
  });
});

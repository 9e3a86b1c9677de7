// The lab backend against real 3-member ensembles of each engine: launch, see one leader and
// its followers, kill the leader, see the election in the history with its reason and length,
// bring the old leader back at the leader's zxid, and find it all again after a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/lab/service';
import type { HistoryEvent, LabView, Sample } from '../../src/shared/contract';
import { caughtUp, labZxid } from '../support/caught-up';
import { untilLab } from '../support/lab-wait';
import { JAVA, needs, OUR_BUILD, ZK_ADMIN_JARS, ZK_JARS } from '../support/needs';

const engines = [
  ['ours', [OUR_BUILD]],
  ['apache', [JAVA, ZK_JARS, ZK_ADMIN_JARS]],
] as const;

const until = untilLab;

const roles = (v: LabView): string => v.nodes.map((n) => n.role).sort().join(',');

describe.each(engines)('the lab with a 3-member ensemble of %s', (engine, judges) => {
  let root: string;
  let lab: LabService;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), `zk-lab-ens-${engine}-`));
    process.env.ZK_LAB_DIR = root;
  });
  afterAll(async () => {
    lab?.close();
    delete process.env.ZK_LAB_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  it('elects, fails over on a leader kill, takes the old leader back, and keeps the story', { timeout: 240_000, ...needs(...judges) }, async () => {
    lab = new LabService(`ens-${engine}`);
    await lab.handle({ method: 'launch', size: 3, observers: 0, engines: engine });
    const first = await until(lab, (v) => roles(v) === 'follower,follower,leader', 90_000, 'a leader and two followers');
    const leader = first.nodes.find((n) => n.role === 'leader')!;
    expect(first.serving).toBe(true);
    expect(first.votersUp).toBe(3);
    expect(leader.epoch).toBeGreaterThan(0);
    await until(lab, (v) => v.nodes.every((n) => n.epoch === leader.epoch), 10_000, 'all members in the leader epoch');

    await lab.handle({ method: 'node', myid: leader.myid, action: 'kill' });
    const after = await until(lab, (v) => v.nodes.some((n) => n.role === 'leader' && n.myid !== leader.myid) && v.serving, 90_000, 'a new leader');
    const next = after.nodes.find((n) => n.role === 'leader')!;
    expect(next.epoch).toBeGreaterThan(leader.epoch!);
    expect(after.nodes.find((n) => n.myid === leader.myid)!.role).toBe('down');

    await lab.handle({ method: 'node', myid: leader.myid, action: 'start' });
    const back = await until(
      lab,
      (v) => {
        const old = v.nodes.find((n) => n.myid === leader.myid)!;
        const now = v.nodes.find((n) => n.role === 'leader');
        if (old.role !== 'follower' || now === undefined || old.lastZxid === null || now.lastZxid === null) return false;
        return caughtUp(labZxid(old.lastZxid), old.epoch === null ? null : BigInt(old.epoch), labZxid(now.lastZxid));
      },
      90_000,
      'the old leader to follow, caught up with the leader',
    );
    expect(back.nodes.find((n) => n.myid === leader.myid)!.epoch).toBe(next.epoch);

    const h = (await lab.handle({ method: 'history' })) as { events: HistoryEvent[]; samples: Sample[] };
    const labTypes = h.events.filter((e) => e.source === 'lab').map((e) => e.type);
    expect(labTypes.filter((t) => t === 'ensemble.election.ended').length).toBeGreaterThanOrEqual(2);
    const kill = h.events.findIndex((e) => e.type === 'node.killed' && e.myid === leader.myid);
    expect(kill).toBeGreaterThan(-1);
    const exit = h.events.find((e, i) => i > kill && e.type === 'node.exited' && e.myid === leader.myid)!;
    expect(exit.data).toMatchObject({ kind: 'killed', signal: 'SIGKILL' });
    const started = h.events.find((e, i) => i > kill && e.type === 'ensemble.election.started')!;
    expect(started.data.reason).toBe(`leader ${leader.myid} went down`);
    const ended = h.events.find((e, i) => i > kill && e.type === 'ensemble.election.ended')!;
    expect(ended.data).toMatchObject({ leader: next.myid, epoch: next.epoch });
    expect(ended.data.durationMs as number).toBeGreaterThanOrEqual(0);
    expect(h.events.find((e, i) => i > kill && e.type === 'ensemble.epoch.changed')!.data).toMatchObject({ epoch: next.epoch, previous: leader.epoch });
    if (engine === 'ours') {
      // Our members log their own side of it, into the same history.
      const member = h.events.filter((e) => e.source === 'member');
      expect(member.some((e) => e.type === 'election.decided' && e.myid === next.myid)).toBe(true);
      expect(member.some((e) => e.type === 'server.started')).toBe(true);
    }
    expect(new Set(h.samples.map((s) => s.myid))).toEqual(new Set([1, 2, 3]));
    expect(h.samples.some((s) => s.role === 'leader' && s.epoch === next.epoch && s.zxid !== null)).toBe(true);

    // The app closes (every node dies) and opens again: the lab and its history are there.
    lab.close();
    lab = new LabService(`ens-${engine}`);
    const reopened = lab.view()!;
    expect(reopened.nodes.map((n) => n.role)).toEqual(['down', 'down', 'down']);
    const again = (await lab.handle({ method: 'history' })) as { events: HistoryEvent[] };
    expect(again.events.length).toBeGreaterThanOrEqual(h.events.length);
    await lab.handle({ method: 'startAll' });
    await until(lab, (v) => roles(v) === 'follower,follower,leader', 90_000, 'the reopened lab to elect');
  });
});

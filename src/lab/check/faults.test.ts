// The checked run's fault schedule against a fake lab: the leader first, then another member each
// time, never the one just hit twice running; each fault healed after its hold; a fault the lab
// refuses logged and skipped; a run stopped mid-fault heals it before the schedule ends.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Fault, FaultSpec, LabView, NodeView } from '../../shared/contract';
import { rhythm, runFaults, type FaultHost } from './faults';

const node = (myid: number, role: NodeView['role']): NodeView =>
  ({ myid, role, observer: false }) as NodeView;

function fakeLab(leader: number, refuse: (spec: FaultSpec) => string | null = () => null) {
  const view: LabView = { name: 'x', dir: '/x', attached: false, size: 3, nodes: [node(1, 'follower'), node(2, 'follower'), node(3, 'follower')], votersUp: 3, quorumNeeded: 2, serving: true, leader };
  view.nodes[leader - 1] = node(leader, 'leader');
  const started: FaultSpec[] = [];
  const healed: string[] = [];
  const log: string[] = [];
  let n = 0;
  const host: FaultHost = {
    view: () => view,
    fault: async (spec) => {
      const why = refuse(spec);
      if (why) throw new Error(why);
      started.push(spec);
      return { id: `f${++n}`, spec, description: `${spec.kind} ${(spec as { myid: number }).myid}`, startedAt: Date.now(), held: 0 } as Fault;
    },
    heal: async (id) => void healed.push(id),
    log: (t) => void log.push(t),
  };
  return { host, started, healed, log };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the checked run fault schedule', () => {
  it('hits the leader first, then other members, and heals every fault it started', async () => {
    const lab = fakeLab(2);
    const ms = 30_000;
    const done = runFaults('mixed', Date.now() + ms, () => Date.now(), lab.host, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(ms + 1000);
    await done;
    const { quietMs, holdMs } = rhythm(ms);
    expect(lab.started.length).toBe(Math.floor((ms - 1000) / (quietMs + holdMs)));
    expect(lab.started[0]).toEqual({ kind: 'isolate', myid: 2 });
    expect(lab.started.map((s) => s.kind)).toEqual(['isolate', 'kill', 'pause', 'isolate', 'kill', 'pause'].slice(0, lab.started.length));
    for (let i = 1; i < lab.started.length; i++) expect((lab.started[i] as { myid: number }).myid).not.toBe((lab.started[i - 1] as { myid: number }).myid);
    expect(lab.healed).toEqual(lab.started.map((_, i) => `f${i + 1}`));
  });

  it('logs a refused fault and goes on; stopped mid-fault, it heals before it ends', async () => {
    const lab = fakeLab(1, (spec) => (spec.kind === 'kill' && spec.myid === 1 ? 'Member 1 is down already: start it first.' : null));
    const abort = new AbortController();
    const done = runFaults('kills', Date.now() + 60_000, () => Date.now(), lab.host, abort.signal);
    const { quietMs, holdMs } = rhythm(60_000);
    await vi.advanceTimersByTimeAsync(quietMs + 10);
    expect(lab.log[0]).toMatch(/the lab refused kill 1: Member 1 is down already/);
    expect(lab.started).toEqual([]);
    await vi.advanceTimersByTimeAsync(quietMs + 10);
    // The next fault goes to another member.
    expect(lab.started).toHaveLength(1);
    expect(lab.started[0]).toMatchObject({ kind: 'kill' });
    expect((lab.started[0] as { myid: number }).myid).not.toBe(1);
    expect(lab.healed).toEqual([]);
    abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(lab.healed).toEqual(['f1']);
    expect(holdMs).toBeGreaterThan(quietMs);
  });

  it('throws nothing with faults none', async () => {
    const lab = fakeLab(1);
    await runFaults('none', Date.now() + 10_000, () => Date.now(), lab.host, new AbortController().signal);
    expect(lab.started).toEqual([]);
  });
});

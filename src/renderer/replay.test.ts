import { describe, expect, it } from 'vitest';
import type { HistoryEvent, Sample } from '../shared/contract';
import { stateAt } from './replay';

const sample = (time: number, myid: number, role: string): Sample => ({ time, myid, role, epoch: role === 'down' ? null : 1, zxid: role === 'down' ? null : '100000000', zxidCounter: 0, connections: null, outstanding: null, avgLatency: null });
const event = (id: number, time: number, type: string, data: Record<string, unknown> = {}): HistoryEvent => ({ id, time, myid: null, source: 'lab', type, detail: `f1: isolate member 3`, data });

describe('the state of the lab at a past moment', () => {
  const samples = [sample(1000, 1, 'leader'), sample(1000, 2, 'follower'), sample(2000, 1, 'leader'), sample(2000, 2, 'down'), sample(3000, 1, 'leader'), sample(3000, 2, 'follower')];
  it('gives each member its last sample at or before the moment', () => {
    expect(stateAt(samples, [], 2500).members.map((m) => [m.myid, m.role])).toEqual([
      [1, 'leader'],
      [2, 'down'],
    ]);
    expect(stateAt(samples, [], 3000).members.map((m) => m.role)).toEqual(['leader', 'follower']);
  });

  it('knows no member where no sample lies near the moment (the lab was not running)', () => {
    expect(stateAt(samples, [], 60_000).members).toEqual([]);
  });

  it('lists the network faults in force then, and the events around', () => {
    const events = [event(1, 1500, 'net.fault.started', { id: 'f1' }), event(2, 2600, 'net.fault.healed', { id: 'f1' })];
    expect(stateAt(samples, events, 2000).faults).toEqual([{ id: 'f1', description: 'isolate member 3', startedAt: 1500 }]);
    expect(stateAt(samples, events, 2700).faults).toEqual([]);
    expect(stateAt(samples, events, 2000, 500).around.map((e) => e.id)).toEqual([1]);
  });

  it("takes the lab's kill of a member between two samples over the sample before it", () => {
    // Killed at 3200 and started again at 3600, before any sample saw it down.
    const events = [{ ...event(3, 3200, 'node.killed'), myid: 2 }, { ...event(4, 3600, 'node.started'), myid: 2 }];
    expect(stateAt(samples, events, 3300).members.map((m) => [m.myid, m.role])).toEqual([
      [1, 'leader'],
      [2, 'down'],
    ]);
    expect(stateAt(samples, events, 3700).members.find((m) => m.myid === 2)!.role).toBe('follower');
    expect(stateAt(samples, events, 3100).members.find((m) => m.myid === 2)!.role).toBe('follower');
  });
});

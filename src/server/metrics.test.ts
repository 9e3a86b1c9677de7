import { describe, expect, it } from 'vitest';
import { goDouble } from './admin/prometheus';
import { maxFds } from './admin/environment';
import { ServerMetrics, Summary } from './metrics';

describe("the member's metrics", () => {
  it('summarises as DefaultMetricsProvider: whole ms, avg to 4 decimals, Dropwizard quantiles', () => {
    const s = new Summary('x', true);
    expect([s.avg(), s.min, s.max, s.quantile(0.5)]).toEqual([0, 0, 0, 0]);
    for (const v of [3, 1, 2.4, 10]) s.add(v);
    expect([s.count, s.sum, s.min, s.max, s.avg()]).toEqual([4, 16, 1, 10, 4]);
    // Sorted 1 2 3 10: the median at position 2.5 lies halfway between 2 and 3; p99 is the largest.
    expect(s.quantileValue(0.5)).toBe(2.5);
    expect(s.quantile(0.5)).toBe(2);
    expect(s.quantile(0.99)).toBe(10);
  });

  it('times elections, syncs and unavailability from the member events as QuorumPeer does', () => {
    const m = new ServerMetrics(1000);
    const at = (time: number, e: Record<string, unknown>) => m.event({ seq: 0, time, type: String(e.type), ...e });
    at(1100, { type: 'role.changed', role: 'looking' });
    at(1100, { type: 'election.started' });
    at(1300, { type: 'election.decided' });
    at(1300, { type: 'role.changed', role: 'following' });
    at(1350, { type: 'zab.phase', phase: 'synchronization' });
    at(1420, { type: 'learner.upToDate' });
    at(1420, { type: 'zab.phase', phase: 'broadcast' });
    const d = new Map(m.dump());
    expect(d.get('looking_count')).toBe(1);
    expect([d.get('cnt_election_time'), d.get('sum_election_time')]).toEqual([1, 200]);
    expect([d.get('cnt_follower_sync_time'), d.get('sum_follower_sync_time')]).toEqual([1, 70]);
    // Unavailable from the start (1000) until broadcast; not a leader, so not a leader's.
    expect([d.get('cnt_unavailable_time'), d.get('sum_unavailable_time')]).toEqual([1, 420]);
    expect(d.get('cnt_leader_unavailable_time')).toBe(0);
    expect(d.has('p50_readlatency') && !d.has('p50_election_time')).toBe(true);
  });

  it('writes doubles as the Prometheus Java client, and reads the open-files limit from Linux only', () => {
    expect([0, 8, 0.5, 1234567.5, 12345678, 1e-4, NaN, Infinity].map(goDouble)).toEqual(['0.0', '8.0', '0.5', '1234567.5', '1.2345678E7', '1.0E-4', 'NaN', '+Inf']);
    expect(maxFds('linux', () => 'Limit  Soft Limit  Hard Limit  Units\nMax open files            1024                 524288               files\n')).toBe(1024);
    expect(maxFds('darwin', () => 'never read')).toBe(-1);
    expect(maxFds('linux', () => { throw new Error('no /proc'); })).toBe(-1);
  });
});

// The member's metrics in Apache ZooKeeper 3.8's names (ServerMetrics and the gauges its servers
// register), for mntr / monitor and the Prometheus endpoint (prometheus.ts). Only quantities
// this server has are here, each measured where ZooKeeper measures its own; a 3.8 key we have no
// quantity for is left out, never answered with a made-up value (README: "mntr and Prometheus").
//
// Summaries are DefaultMetricsProvider's: avg/min/max/cnt/sum of whole milliseconds (BASIC), and
// for ADVANCED ones p50/p95/p99/p999 too, read from a uniform sample of 1028 observations as
// Dropwizard's UniformReservoir keeps it (every summary keeps one: Prometheus gets a median of each).
import type { MemberEvent } from './events';

const RESERVOIR = 1028;

export class Summary {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  private readonly sample: number[] = [];

  constructor(
    readonly name: string,
    readonly advanced: boolean,
  ) {}

  add(value: number): void {
    const v = Math.round(value); // ZooKeeper adds longs (ms, counts)
    if (this.count === 0 || v < this.min) this.min = v;
    if (this.count === 0 || v > this.max) this.max = v;
    this.count++;
    this.sum += v;
    const s = this.sample;
    // Vitter's algorithm R, as UniformReservoir: every observation so far equally likely kept.
    if (s.length < RESERVOIR) s.push(v);
    else {
      const i = Math.floor(Math.random() * this.count);
      if (i < RESERVOIR) s[i] = v;
    }
  }

  /** avg as AvgMinMaxCounter gives it: sum/count, rounded to 4 decimals (0 before any). */
  avg(): number {
    return this.count === 0 ? 0 : Math.round((this.sum / this.count) * 10000) / 10000;
  }

  /** Dropwizard UniformSnapshot.getValue(q), truncated to a long as ZooKeeper's mntr prints it. */
  quantile(q: number): number {
    return Math.trunc(this.quantileValue(q));
  }

  /** The q-quantile of the sample, interpolated as Dropwizard's UniformSnapshot does (0 before any). */
  quantileValue(q: number): number {
    const s = this.sample;
    if (s.length === 0) return 0;
    const v = [...s].sort((a, b) => a - b);
    const pos = q * (v.length + 1);
    const index = Math.floor(pos);
    if (index < 1) return v[0]!;
    if (index >= v.length) return v[v.length - 1]!;
    const lower = v[index - 1]!;
    const upper = v[index]!;
    return lower + (pos - index) * (upper - lower);
  }
}

/** mntr's quantiles of an ADVANCED summary. */
export const MNTR_QUANTILES: [string, number][] = [['p50', 0.5], ['p95', 0.95], ['p99', 0.99], ['p999', 0.999]];

export class ServerMetrics {
  /** Counters, in ServerMetrics' names. */
  readonly counters = new Map<string, number>([
    ['looking_count', 0],
    ['connection_request_count', 0],
    ['bytes_received_count', 0],
    ['proposal_count', 0],
    ['commit_count', 0],
    ['diff_count', 0],
    ['snap_count', 0],
  ]);
  readonly summaries = new Map<string, Summary>();

  // The times between a member's events (QuorumPeer's start_fle, unavailableStartTime, Follower's sync start).
  private lookingSince: number | null = null;
  private unavailableSince: number | null;
  private syncSince: number | null = null;
  private role: string | null = null;
  /** Since when this member leads (Leader's leaderStartTime), or null. */
  leadingSince: number | null = null;

  constructor(startedAt: number) {
    // A member is unavailable from its start until it first serves (3.8 sets unavailableStartTime at startup too).
    this.unavailableSince = startedAt;
    for (const name of ['fsynctime', 'snapshottime', 'dbinittime', 'sync_processor_batch_size', 'election_time', 'follower_sync_time', 'observer_sync_time', 'unavailable_time', 'leader_unavailable_time', 'node_created_watch_count', 'node_deleted_watch_count', 'node_changed_watch_count', 'node_children_watch_count']) {
      this.summaries.set(name, new Summary(name, false));
    }
    for (const name of ['readlatency', 'updatelatency']) this.summaries.set(name, new Summary(name, true));
  }

  count(name: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  observe(name: string, value: number): void {
    this.summaries.get(name)!.add(value);
  }

  /** Where ZooKeeper's QuorumPeer, Leader and Learner record theirs, from the member's own events. */
  event(e: MemberEvent): void {
    const t = e.time;
    switch (e.type) {
      case 'election.started':
        this.count('looking_count');
        this.lookingSince = t;
        break;
      case 'election.decided':
        if (this.lookingSince !== null) this.observe('election_time', t - this.lookingSince);
        this.lookingSince = null;
        break;
      case 'role.changed':
        this.role = e.role as string;
        this.leadingSince = e.role === 'leading' ? t : null;
        if (e.role === 'looking') this.unavailableSince ??= t;
        break;
      case 'zab.phase':
        if (e.phase === 'synchronization') this.syncSince = t;
        if (e.phase === 'broadcast' && this.unavailableSince !== null) {
          // QuorumPeer.setZabState(BROADCAST): unavailable since it went LOOKING; a leader's also apart.
          this.observe('unavailable_time', t - this.unavailableSince);
          if (this.role === 'leading') this.observe('leader_unavailable_time', t - this.unavailableSince);
          this.unavailableSince = null;
        }
        break;
      case 'learner.upToDate':
        if (this.syncSince !== null) this.observe(this.role === 'observing' ? 'observer_sync_time' : 'follower_sync_time', t - this.syncSince);
        this.syncSince = null;
        break;
      case 'leader.sync':
        if (e.mode === 'DIFF') this.count('diff_count');
        else if (e.mode === 'SNAP') this.count('snap_count');
        break;
      case 'proposal':
        this.count('proposal_count');
        break;
      case 'commit':
        this.count('commit_count');
        break;
    }
  }

  /** A request answered to its client: a txn (a write, even one refused) or not (reads, ping, sync), as ServerStats.updateLatency. */
  answered(latencyMs: number, txn: boolean): void {
    this.observe(txn ? 'updatelatency' : 'readlatency', latencyMs);
  }

  /** WatchManager.triggerWatch: how many watchers one event on one table fired (none fired: not counted). */
  watchesFired(type: number, n: number): void {
    if (n === 0) return;
    const name = WATCH_SUMMARY[type];
    if (name) this.observe(name, n);
  }

  /** mntr's lines of the counters and summaries, in DefaultMetricsProvider's names. */
  dump(): [string, number | { double: number }][] {
    const out: [string, number | { double: number }][] = [...this.counters];
    for (const s of this.summaries.values()) {
      out.push([`avg_${s.name}`, { double: s.avg() }], [`min_${s.name}`, s.min], [`max_${s.name}`, s.max], [`cnt_${s.name}`, s.count], [`sum_${s.name}`, s.sum]);
      if (s.advanced) for (const [p, q] of MNTR_QUANTILES) out.push([`${p}_${s.name}`, s.quantile(q)]);
    }
    return out;
  }
}

/** Watcher.Event.EventType codes to ServerMetrics' summaries. */
const WATCH_SUMMARY: Record<number, string> = { 1: 'node_created_watch_count', 2: 'node_deleted_watch_count', 3: 'node_changed_watch_count', 4: 'node_children_watch_count' };

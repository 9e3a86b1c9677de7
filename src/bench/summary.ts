// From per-round results to the comparison rows: the median of each metric over the rounds for
// each side, the ours/theirs ratio, and its target. Pure, so the tests can check it.
import { median, ratio, type Target } from './format';
import type { RoundResult, Workload } from './compare';
import { WORKLOADS } from './compare';

/** One line of the comparison. */
export interface MetricRow {
  key: string;
  label: string;
  unit: string;
  ours: number | null;
  theirs: number | null;
  ratio: number | null;
  target?: Target;
  /** Each round's value, for the JSON (drift shows there). */
  oursRounds: (number | null)[];
  theirsRounds: (number | null)[];
}

export const TARGETS = {
  throughput: { better: 'higher', ratio: 1.5 },
  cpuPerOp: { better: 'lower', ratio: 0.5 },
  lightP50: { better: 'lower', ratio: 0.5 },
  coldStart: { better: 'lower', ratio: 0.2 },
  failover: { better: 'lower', ratio: 0.3 },
  rss: { better: 'lower', ratio: 0.25 },
  restart: { better: 'lower', ratio: 0.5 },
} satisfies Record<string, Target>;

const WORKLOAD_LABEL: Record<Workload, string> = {
  get: 'getData 1 KiB',
  set: 'setData 1 KiB',
  create: 'create+delete eph-seq',
  mix: '90/10 get/set',
};

type Pick = (r: RoundResult) => number | null | undefined;

/** Builds every comparison row from the rounds of both sides. */
export function summarise(rounds: RoundResult[]): MetricRow[] {
  const ours = rounds.filter((r) => r.impl === 'ours');
  const theirs = rounds.filter((r) => r.impl === 'zookeeper');
  const rows: MetricRow[] = [];
  // No metric is negative: LoadGen reports -1 for the percentiles of a window with no completed op.
  const value = (v: number | null | undefined): number | null => (v === null || v === undefined || !(v >= 0) ? null : v);
  const add = (key: string, label: string, unit: string, pick: Pick, target?: Target) => {
    const o = ours.map((r) => value(pick(r)));
    const t = theirs.map((r) => value(pick(r)));
    const om = median(o.filter((x): x is number => x !== null));
    const tm = median(t.filter((x): x is number => x !== null));
    if (om === null && tm === null) return;
    rows.push({ key, label, unit, ours: om, theirs: tm, ratio: ratio(om, tm), target, oursRounds: o, theirsRounds: t });
  };
  for (const w of WORKLOADS) add(`saturation.${w}.opsPerSec`, `${WORKLOAD_LABEL[w]}: throughput`, 'ops/s', (r) => r.saturation[w]?.opsPerSec, TARGETS.throughput);
  for (const w of WORKLOADS) add(`saturation.${w}.p99Ms`, `${WORKLOAD_LABEL[w]}: p99 at saturation`, 'ms', (r) => r.saturation[w]?.p99Ms);
  for (const w of WORKLOADS) add(`saturation.${w}.cpuUsPerOp`, `${WORKLOAD_LABEL[w]}: server CPU per op`, 'us', (r) => r.saturation[w]?.cpuUsPerOp, TARGETS.cpuPerOp);
  for (const w of WORKLOADS) add(`light.${w}.p50Ms`, `${WORKLOAD_LABEL[w]}: p50, one in flight`, 'ms', (r) => r.light[w]?.p50Ms, TARGETS.lightP50);
  for (const w of WORKLOADS) add(`light.${w}.p99Ms`, `${WORKLOAD_LABEL[w]}: p99, one in flight`, 'ms', (r) => r.light[w]?.p99Ms);
  add('saturation.set.fsyncsPerSec', 'setData saturation: fdatasyncs/s (all members)', '/s', (r) => r.saturation.set?.fsyncsPerSec);
  add('saturation.set.txnsPerFsync', 'setData saturation: txns per fdatasync', '', (r) => {
    const s = r.saturation.set;
    return s && s.txnsPerSec !== null && s.fsyncsPerSec ? (s.txnsPerSec * (r.rss.length > 1 ? r.rss.length : 1)) / s.fsyncsPerSec : null;
  });
  add('coldStartMs', 'cold start: launch to first write', 'ms', (r) => r.coldStartMs, TARGETS.coldStart);
  add('failoverMs', 'failover: kill -9 leader to first write after (Java client)', 'ms', (r) => r.failover?.killToFirstWriteMs, TARGETS.failover);
  add('failoverProbeMs', 'failover: kill -9 leader to first write (wire probe)', 'ms', (r) => r.failover?.killToProbeWriteMs);
  add('rssMaxMember', 'RSS per member after the workloads (largest)', 'MiB', (r) => (r.rss.length ? Math.max(...r.rss) / 1048576 : null), TARGETS.rss);
  add('peakRssMaxMember', 'peak RSS per member (VmHWM, largest)', 'MiB', (r) => (r.peakRss.length ? Math.max(...r.peakRss) / 1048576 : null));
  return rows;
}

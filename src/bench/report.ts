// The results file (docs/bench/latest.json) and the report rendered from it (docs/bench/README.md).
// Each kind of run (standalone, ensembles, large tree, profile) replaces its own section, so the
// report always shows the latest figures of every part.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FsyncCompare, RoundResult } from './compare';
import type { SelfTime } from './cpuprofile';
import type { Floors } from './floors';
import { markdownTable, meets, mib, num, ratio, ratioText, textTable, type Target } from './format';
import type { Footprint } from './footprint';
import type { LargeResult } from './large';
import type { MetricRow } from './summary';
import { TARGETS } from './summary';

export interface Environment {
  date: string;
  machine: { cores: number; cpuModel: string; ramBytes: number; disk: string; kernel: string };
  versions: { node: string; java: string; zookeeper: string; ours: string };
  zkHeap: string;
  note: string;
  /** /proc/loadavg (1, 5, 15 min) when the run started and when it ended: how busy the machine was. */
  loadAverage?: { start: string; end?: string };
}

export interface ComparisonSection {
  env: Environment;
  servers: number;
  quick: boolean;
  rounds: number;
  settings: Record<string, number | string>;
  floors: Floors;
  rows: MetricRow[];
  fsync: FsyncCompare[] | null;
  raw: RoundResult[];
}

export interface LargeSection {
  env: Environment;
  parents: number;
  perParent: number;
  payload: number;
  results: LargeResult[];
  /** Where our bytes go, in-process (absent from runs before issue 13's store). */
  footprint?: Footprint;
}

export interface ProfileSection {
  env: Environment;
  workloads: { workload: string; opsPerSec: number; cpuprofile: string; flamegraph: string; top: SelfTime[] }[];
}

/** Every member of an ensemble profiled at once (`--servers N --profile`): leader and a follower. */
export interface EnsembleProfile {
  env: Environment;
  servers: number;
  workloads: {
    workload: string;
    opsPerSec: number;
    cpuUsPerOp: number | null;
    members: { myid: number; role: string; cpuprofile: string; flamegraph: string; idlePercent: number; top: SelfTime[] }[];
  }[];
}

export interface Results {
  comparisons: Record<string, ComparisonSection>;
  large?: LargeSection;
  profile?: ProfileSection;
  /** By ensemble size. */
  profileEnsembles?: Record<string, EnsembleProfile>;
  notes?: string[];
}

export function loadResults(path: string): Results {
  if (!existsSync(path)) return { comparisons: {} };
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Results;
    r.comparisons ??= {};
    return r;
  } catch {
    return { comparisons: {} };
  }
}

export function saveResults(path: string, r: Results): void {
  writeFileSync(path, JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
}

const sectionName = (servers: number) => (servers === 1 ? 'standalone' : `ensemble of ${servers}`);

/** The comparison as rows of text cells: metric, ours, theirs, ratio and verdict. */
export function comparisonCells(rows: MetricRow[]): string[][] {
  const out = [['metric', 'unit', 'ours', 'ZooKeeper 3.8', 'ours/theirs (target)']];
  for (const r of rows) out.push([r.label, r.unit, num(r.ours), num(r.theirs), ratioText(r.ratio, r.target)]);
  return out;
}

/** The text table printed at the end of a run. */
export function comparisonText(c: ComparisonSection): string {
  const f = c.floors;
  return [
    `${sectionName(c.servers)}, ${c.rounds} rounds A B A B, medians:`,
    textTable(comparisonCells(c.rows)),
    `floors: 1 KiB write+fdatasync p50 ${num(f.fdatasync1KiB.p50Ms)} ms (p99 ${num(f.fdatasync1KiB.p99Ms)}), loopback TCP round trip p50 ${num(f.loopbackRtt.p50Ms)} ms (p99 ${num(f.loopbackRtt.p99Ms)})`,
  ].join('\n');
}

export function largeCells(l: LargeSection): string[][] {
  const o = l.results.find((r) => r.impl === 'ours');
  const t = l.results.find((r) => r.impl === 'zookeeper');
  const row = (label: string, pick: (r: LargeResult) => number | null, fmt: (v: number | null) => string, target?: Target) => [
    label,
    fmt(o ? pick(o) : null),
    fmt(t ? pick(t) : null),
    ratioText(ratio(o ? pick(o) : null, t ? pick(t) : null), target),
  ];
  return [
    ['metric', 'ours', 'ZooKeeper 3.8', 'ours/theirs (target)'],
    row('znodes created', (r) => r.znodes, num),
    row('load rate (creates/s, pipelined, 1000 in flight)', (r) => r.createsPerSec, num, TARGETS.throughput),
    row('RSS once loaded', (r) => r.rssLoaded, mib, TARGETS.rss),
    row('RSS of the restarted member', (r) => r.rssRestarted, mib, TARGETS.rss),
    row('dataDir size', (r) => r.dataDirBytes, mib),
    row('longest snapshot during the load (ms, as the server reports it)', (r) => r.snapshotMaxMs, num),
    row('snapshots taken during the load', (r) => r.snapshots, num),
    row('kill -9, restart to a read of the last znode (ms)', (r) => r.restartMs, num, TARGETS.restart),
  ];
}

/** The large section's account of where our bytes go, from the in-process footprint. */
function footprintText(l: LargeSection): string[] {
  const f = l.footprint;
  const o = l.results.find((r) => r.impl === 'ours');
  if (!f || !o) return [];
  const b = (v: number) => v.toFixed(0);
  const live = f.heapPerZnode + f.externalPerZnode;
  return [
    `Where our bytes go (the same tree built in a process of its own, measured after full GCs): ${b(live)} bytes per`,
    `znode live, ${b(f.heapPerZnode)} on the JS heap (the path string, its entry in the path index, the id -> path`,
    `column) and ${b(f.externalPerZnode)} outside it: ${b(f.slabPerZnode)} of data slabs (the ${l.payload}-byte payload and an 8-byte`,
    `record header) and the rest typed-array columns (${b(f.externalPerZnode - f.slabPerZnode)}: 96 bytes per id slot, ${f.idSlotsPerZnode.toFixed(2)} slots per`,
    `znode as the columns grow by half when full). The member's RSS once loaded is ${b(o.rssLoaded / o.znodes)} bytes per znode and`,
    `after a restart ${b(o.rssRestarted / o.znodes)}: besides the live bytes it holds the Node runtime (~45 MiB), garbage the`,
    'collector has not returned, and the buffers of the snapshot read at start.',
    '',
    ...rssTargetText(l, live),
  ];
}

/** What stands between the restarted member's RSS and its target, from the same figures. */
function rssTargetText(l: LargeSection, live: number): string[] {
  const o = l.results.find((r) => r.impl === 'ours');
  const t = l.results.find((r) => r.impl === 'zookeeper');
  if (!o || !t || o.rssRestarted <= TARGETS.rss.ratio * t.rssRestarted) return [];
  const budget = (TARGETS.rss.ratio * t.rssRestarted) / o.znodes;
  return [
    `The restarted member's RSS target (<= ${TARGETS.rss.ratio}x ZooKeeper's ${mib(t.rssRestarted)}) is ${budget.toFixed(0)} bytes per znode all included,`,
    `below the ${live.toFixed(0)} live bytes per znode above: the ${l.payload}-byte payloads alone are ${l.payload} of them. Our RSS once`,
    `loaded is compared with ZooKeeper's while its JVM still holds the garbage of the load (its heap is -Xmx${l.env.zkHeap}); once`,
    'restarted both hold little garbage. Closing the rest needs paths stored as interned components (the heap share)',
    'and the runtime and the allocator slack measured and cut; the store itself is near its floor for this payload.',
    '',
  ];
}

function envText(e: Environment): string {
  const m = e.machine;
  return [
    `- Date: ${e.date}`,
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${(m.ramBytes / 1073741824).toFixed(1)} GiB RAM, disk ${m.disk}, Linux ${m.kernel}`,
    `- Versions: ours ${e.versions.ours} on Node ${e.versions.node}; ${e.versions.zookeeper} on ${e.versions.java}; ZooKeeper's JVM: -Xmx${e.zkHeap}, default (G1) collector, full JIT`,
    `- ${e.note}`,
    ...(e.loadAverage ? [`- Load average (1/5/15 min) at the start ${e.loadAverage.start}${e.loadAverage.end ? `, at the end ${e.loadAverage.end}` : ''}: other work on the machine during the run.`] : []),
  ].join('\n');
}

const METHOD = `## What each number means

- **Load generator**: \`bench/java/LoadGen.java\`, Apache ZooKeeper's own Java client (async API), the same
  program and the same arguments against both servers. It runs on the same machine as the servers.
- **Saturation**: many sessions, each keeping many requests in flight (see settings); throughput is
  completed operations per second over the measured window after a warm-up; p99 is the latency of one
  request from issue to callback, under that load.
- **Workloads**: getData of a 1 KiB znode (100 keys), setData of 1 KiB, create of an ephemeral-sequential
  znode followed by its delete (one op = both requests, two txns), and 90 % getData / 10 % setData.
- **Light load**: one session, one request in flight: p50 and p99 of the service latency.
- **Server CPU per op**: utime + stime of every member process (from \`/proc/<pid>/stat\`) over exactly the
  measured window (LoadGen prints markers), divided by the operations completed.
- **fsyncs**: \`cnt_fsynctime\` of \`mntr\` (ZooKeeper's own metric; ours exposes the txn log's fdatasync count
  under the same name); txns from the advance of the zxid (\`srvr\`).
- **Cold start**: from spawning all members to the first successful create, probed with a fresh socket every
  few ms by a minimal wire-level client (\`src/bench/probe.ts\`, no reconnect back-off).
- **Failover** (ensembles): \`bench/java/Failover.java\` keeps a write load (8 sessions × 4 in flight); the
  leader gets SIGKILL; the number is the time from the kill to the completion of the first successful write
  issued after the kill. It includes the Java client's own reconnect delay (a random 0–1 s sleep before each
  reconnect; the first of 8 sessions to get through counts). The wire-probe line times the same kill with
  the minimal client of the cold start (a fresh socket every few ms to the surviving members): the
  server side alone.
- **RSS**: VmRSS of each member after the workloads (the largest member is compared); peak is VmHWM.
- **Rounds**: each round launches fresh members of one side, runs everything, tears them down, then the
  other side (A B A B …); the table shows the median of the rounds, the JSON has every round.
- Both sides get the same zoo.cfg values (tickTime 2000, initLimit 10, syncLimit 5, forceSync=yes,
  snapCount and preAllocSize at their defaults, AdminServer on, 4lw whitelist *) on the same disk.
- Ratios are ours / ZooKeeper's. Targets: throughput ≥ 1.5×, CPU per op ≤ 0.5×, light-load p50 ≤ 0.5×,
  cold start ≤ 0.2×, failover ≤ 0.3×, RSS ≤ 0.25×, restart of the 1 M-znode member ≤ 0.5×.`;

/** One line per target: the ratio in every section that measured it, and whether it is met. */
export function targetsAtAGlance(r: Results): string[] {
  const lines: string[][] = [['target', 'where', 'ours/theirs', 'met']];
  const keys = Object.keys(r.comparisons).sort((a, b) => (a === 'standalone' ? -1 : b === 'standalone' ? 1 : a.localeCompare(b)));
  for (const key of keys) {
    for (const row of r.comparisons[key]!.rows) {
      if (!row.target) continue;
      const ok = meets(row.ratio, row.target);
      lines.push([`${row.target.better === 'higher' ? '>=' : '<='} ${row.target.ratio}x`, `${sectionName(r.comparisons[key]!.servers)}: ${row.label}`, row.ratio === null ? '-' : `${row.ratio.toFixed(2)}x`, ok === null ? '-' : ok ? 'yes' : 'no']);
    }
  }
  if (r.large) {
    for (const cells of largeCells(r.large).slice(1)) {
      const m = /^([\d.]+)x (met|MISSED) \((>=|<=) ([\d.]+)x\)$/.exec(cells[3]!);
      if (m) lines.push([`${m[3]} ${m[4]}x`, `large tree: ${cells[0]}`, `${m[1]}x`, m[2] === 'met' ? 'yes' : 'no']);
    }
  }
  if (lines.length === 1) return [];
  return ['## Targets at a glance', '', markdownTable(lines), ''];
}

/** The markdown report of everything in `r`. */
export function renderReport(r: Results, notes = ''): string {
  const parts = [
    '# Benchmark: ours side by side with Apache ZooKeeper 3.8',
    '',
    'Written by `npm run bench` after `npm run build:node` (`-- --servers 3|5`, `--quick`, `--rounds N`, `--large`,',
    '`--profile`; `--report` only re-renders this file); every figure comes from [latest.json](latest.json), each',
    'kind of run replacing its own section. Timings are measured, never asserted by tests. Run it on an idle machine:',
    'the load generator shares the cores with the servers, so absolute numbers are lower than on a',
    'dedicated client host, and both sides pay the same.',
    '',
  ];
  parts.push(...targetsAtAGlance(r));
  const order = (k: string) => (k === 'standalone' ? '0' : k);
  for (const key of Object.keys(r.comparisons).sort((a, b) => order(a).localeCompare(order(b)))) {
    const c = r.comparisons[key]!;
    const f = c.floors;
    parts.push(
      `## ${sectionName(c.servers)[0]!.toUpperCase()}${sectionName(c.servers).slice(1)}${c.quick ? ' (quick run)' : ''}`,
      '',
      envText(c.env),
      `- Rounds: ${c.rounds} per side, interleaved; settings: ${Object.entries(c.settings).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      '',
      markdownTable(comparisonCells(c.rows)),
      '',
      `Floors of this machine: a 1 KiB write + fdatasync takes p50 ${num(f.fdatasync1KiB.p50Ms)} ms (p99 ${num(f.fdatasync1KiB.p99Ms)} ms, ${f.fdatasync1KiB.samples} samples); a loopback TCP round trip (64 bytes, two processes) p50 ${num(f.loopbackRtt.p50Ms)} ms (p99 ${num(f.loopbackRtt.p99Ms)} ms).`,
      '',
    );
    if (c.fsync) {
      parts.push(
        'Our server, setData 1 KiB at saturation, forceSync on and off:',
        '',
        markdownTable([
          ['forceSync', 'writes/s', 'txns/s', 'fdatasyncs/s', 'txns per fdatasync', 'p50 ms'],
          ...c.fsync.map((x) => [x.forceSync ? 'yes' : 'no', num(x.writesPerSec), num(x.txnsPerSec), num(x.fsyncsPerSec), x.fsyncsPerSec ? num((x.txnsPerSec ?? 0) / x.fsyncsPerSec) : '-', num(x.p50Ms)]),
        ]),
        '',
      );
    }
  }
  if (r.large) {
    const l = r.large;
    parts.push(
      `## Large tree: ${num(l.parents * l.perParent)} znodes of ${l.payload} bytes under ${l.parents} parents`,
      '',
      envText(l.env),
      '- Loaded by `bench/java/LargeTree.java` (Java client, 4 sessions, 1000 async creates in flight) into one',
      '  standalone member; snapshots at the default snapCount (100 000). ZooKeeper\'s JVM gets the heap named above.',
      '  Restart: SIGKILL, then launch on the same dataDir until a getData of the last znode succeeds (ZooKeeper',
      '  also writes a fresh snapshot before it serves, as it always does at start).',
      '',
      markdownTable(largeCells(l)),
      '',
      ...footprintText(l),
    );
  }
  if (r.profile) {
    parts.push('## Where our time goes (node --cpu-prof)', '', envText(r.profile.env), '');
    for (const w of r.profile.workloads) {
      parts.push(
        `### ${w.workload} at saturation (${num(w.opsPerSec)} ops/s while profiled)`,
        '',
        `Profile: [${w.cpuprofile}](${w.cpuprofile}) (open in Chrome DevTools or speedscope); flame graph: [${w.flamegraph}](${w.flamegraph}).`,
        '',
        markdownTable([['self time', '%', 'function'], ...w.top.map((t) => [`${num(t.selfMs)} ms`, `${t.percent.toFixed(1)}%`, t.fn])]),
        '',
      );
    }
  }
  for (const e of Object.values(r.profileEnsembles ?? {})) {
    parts.push(`## Where our time goes in an ensemble of ${e.servers} (node --cpu-prof on every member)`, '', envText(e.env), '');
    for (const w of e.workloads) {
      parts.push(`### ${w.workload} at saturation (${num(w.opsPerSec)} ops/s, ${num(w.cpuUsPerOp)} us of server CPU per op while profiled)`, '');
      for (const m of w.members) {
        parts.push(
          `${m.role} (myid ${m.myid}), idle ${m.idlePercent.toFixed(0)}% of the time: profile [${m.cpuprofile}](${m.cpuprofile}), flame graph [${m.flamegraph}](${m.flamegraph}).`,
          '',
          markdownTable([['self time', '%', 'function'], ...m.top.slice(0, 15).map((t) => [`${num(t.selfMs)} ms`, `${t.percent.toFixed(1)}%`, t.fn])]),
          '',
        );
      }
    }
  }
  if (r.notes?.length) parts.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  if (notes.trim()) parts.push(notes.trim(), '');
  parts.push(METHOD, '');
  return parts.join('\n');
}

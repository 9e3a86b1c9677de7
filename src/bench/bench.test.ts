// The bench's own pure pieces: number and table formatting, ratios against targets, /proc
// parsing, the per-round summary, cpuprofile self time, and the command line. No timings here.
import { describe, expect, it } from 'vitest';
import { flameGraphSvg, idleShare, topSelfTime, type CpuProfile } from './cpuprofile';
import { markdownTable, median, meets, mib, num, ratio, ratioText, textTable } from './format';
import { parseArgs } from './main';
import { parseProcStat, parseProcStatus } from './procfs';
import type { RoundResult, WorkloadResult } from './compare';
import { summarise, TARGETS } from './summary';
import { renderReport, targetsAtAGlance, type ComparisonSection, type EnsembleProfile } from './report';

describe('format', () => {
  it('computes ours/theirs and judges it against the target direction', () => {
    expect(ratio(30, 20)).toBe(1.5);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(null, 3)).toBeNull();
    expect(meets(1.5, TARGETS.throughput)).toBe(true);
    expect(meets(1.49, TARGETS.throughput)).toBe(false);
    expect(meets(0.5, TARGETS.cpuPerOp)).toBe(true);
    expect(meets(0.51, TARGETS.cpuPerOp)).toBe(false);
    expect(meets(null, TARGETS.rss)).toBeNull();
    expect(ratioText(1.923, TARGETS.throughput)).toBe('1.92x met (>= 1.5x)');
    expect(ratioText(0.7, TARGETS.lightP50)).toBe('0.70x MISSED (<= 0.5x)');
    expect(ratioText(0.7)).toBe('0.70x');
    expect(ratioText(null, TARGETS.rss)).toBe('-');
  });

  it('prints numbers with sensible precision', () => {
    expect(num(22281.4)).toBe('22,281');
    expect(num(28.44)).toBe('28.4');
    expect(num(1.234)).toBe('1.23');
    expect(num(0.0834)).toBe('0.083');
    expect(num(0)).toBe('0');
    expect(num(null)).toBe('-');
    expect(num(NaN)).toBe('-');
    expect(mib(115 * 1048576)).toBe('115.0 MiB');
  });

  it('takes medians of odd and even lists, ignoring non-numbers', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 5])).toBe(5);
    expect(median([])).toBeNull();
  });

  it('aligns text tables and escapes markdown cells', () => {
    const t = textTable([
      ['metric', 'ours'],
      ['get', '22,281'],
      ['cold start', '252'],
    ]).split('\n');
    expect(t[0]).toBe('metric      ours');
    expect(t[1]).toBe('----------  ------');
    expect(t[2]).toBe('get         22,281');
    expect(t[3]).toBe('cold start     252');
    expect(markdownTable([['a', 'b'], ['x|y', '1']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | 1 |');
  });
});

describe('procfs', () => {
  it('reads utime and stime after a command name with spaces and parentheses', () => {
    const line = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 567 0 0 20 0 11 0 98765 1000000 25000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    expect(parseProcStat(line)).toEqual({ utime: 1234, stime: 567 });
    expect(() => parseProcStat('garbage')).toThrow(/not a \/proc/);
  });

  it('reads VmRSS and VmHWM in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  120000 kB\nVmRSS:\t  118000 kB\nThreads:\t11\n';
    expect(parseProcStatus(status)).toEqual({ rss: 118000 * 1024, peak: 120000 * 1024 });
    expect(() => parseProcStatus('Name:\tx\n')).toThrow(/VmRSS/);
  });
});

function workload(opsPerSec: number, cpuUsPerOp: number, p50Ms = 0.1): WorkloadResult {
  return { ops: opsPerSec * 8, seconds: 8, opsPerSec, p50Ms, p99Ms: p50Ms * 10, errors: 0, cpuUsPerOp, fsyncsPerSec: 100, txnsPerSec: opsPerSec };
}

function round(impl: 'ours' | 'zookeeper', n: number, scale: number): RoundResult {
  const w = (x: number) => workload(x * scale, 50 / scale);
  return {
    impl,
    round: n,
    coldStartMs: 1000 / scale,
    saturation: { get: w(1000), set: w(500), create: w(200), mix: w(800) },
    light: { get: w(1), set: w(1), create: w(1), mix: w(1) },
    rss: [100 * 1048576 / scale],
    peakRss: [110 * 1048576 / scale],
    failover: null,
  };
}

describe('summarise', () => {
  it('takes the median of the rounds per side and the ratio of the medians', () => {
    const rows = summarise([round('ours', 1, 2), round('zookeeper', 1, 1), round('ours', 2, 4), round('zookeeper', 2, 1), round('ours', 3, 3), round('zookeeper', 3, 1)]);
    const get = rows.find((r) => r.key === 'saturation.get.opsPerSec')!;
    expect(get.ours).toBe(3000);
    expect(get.theirs).toBe(1000);
    expect(get.ratio).toBe(3);
    expect(get.oursRounds).toEqual([2000, 4000, 3000]);
    expect(get.target).toEqual(TARGETS.throughput);
    const rss = rows.find((r) => r.key === 'rssMaxMember')!;
    expect(rss.ours).toBeCloseTo(100 / 3);
    // A window with no completed op (LoadGen prints -1) counts as missing, not as a latency.
    const empty = round('zookeeper', 4, 1);
    empty.light.get = { ...empty.light.get, ops: 0, p50Ms: -1, p99Ms: -1 };
    const withEmpty = summarise([round('ours', 1, 2), round('zookeeper', 1, 1), empty]).find((r) => r.key === 'light.get.p50Ms')!;
    expect(withEmpty.theirsRounds).toEqual([0.1, null]);
    expect(withEmpty.theirs).toBe(0.1);
    // No ensemble, no failover: the row is left out rather than shown empty.
    expect(rows.find((r) => r.key === 'failoverMs')).toBeUndefined();
  });
});

describe('cpuprofile', () => {
  // root -> main -> (hot, net); each sample owns the gap to the next: hot 3 ms, main 2 ms, net 1 ms.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
      { id: 2, callFrame: { functionName: 'main', url: 'file:///x/dist/server/main.js', lineNumber: 9, columnNumber: 0 }, children: [3, 4] },
      { id: 3, callFrame: { functionName: 'hot', url: 'file:///x/dist/protocol/jute.js', lineNumber: 41, columnNumber: 0 } },
      { id: 4, callFrame: { functionName: '', url: 'node:net', lineNumber: 0, columnNumber: 0 } },
    ],
    startTime: 0,
    endTime: 7000,
    samples: [3, 3, 4, 3, 2, 2, 2],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000],
  };

  it('sums self time per function, largest first, with file and line', () => {
    const top = topSelfTime(profile);
    expect(top[0]).toEqual({ fn: 'hot (protocol/jute.js:42)', selfMs: 3, percent: 50 });
    expect(top.map((t) => t.fn)).toEqual(['hot (protocol/jute.js:42)', 'main (server/main.js:10)', '(anonymous) (node:net:1)']);
  });

  it('says how much of the sampled time was idle', () => {
    expect(idleShare(profile)).toBe(0);
    const idle: CpuProfile = {
      ...profile,
      nodes: [...profile.nodes.map((n) => (n.id === 1 ? { ...n, children: [2, 5] } : n)), { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } }],
      samples: [...profile.samples, 5, 5],
      timeDeltas: [...profile.timeDeltas, 1000, 1000],
    };
    // The last sample owns no gap: 7 busy ms and 1 idle ms were sampled.
    expect(idleShare(idle)).toBeCloseTo(12.5);
  });

  it('draws a flame graph with a box per frame', () => {
    const svg = flameGraphSvg(profile, 'test');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<title>hot (protocol/jute.js:42) — 3.0 ms (50.00%)</title>');
    expect(svg.match(/<rect /g)!.length).toBe(5);
  });
});

describe('command line', () => {
  it('accepts the documented flags and refuses others with a sentence', () => {
    expect(parseArgs(['--servers', '3', '--quick'])).toMatchObject({ servers: 3, quick: true, rounds: 2 });
    expect(parseArgs(['--large']).large).toBe(true);
    expect(parseArgs(['--report']).report).toBe(true);
    expect(() => parseArgs(['--servers', '4'])).toThrow(/1, 3 or 5/);
    expect(() => parseArgs(['--rounds', '1'])).toThrow(/at least 2/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
  });
});

describe('report', () => {
  it('lists every target with its ratio and verdict, standalone first', () => {
    const rounds = [round('ours', 1, 2), round('zookeeper', 1, 1), round('ours', 2, 2), round('zookeeper', 2, 1)];
    const section = (servers: number) => ({ servers, rows: summarise(rounds) }) as unknown as ComparisonSection;
    const lines = targetsAtAGlance({ comparisons: { ensemble3: section(3), standalone: section(1) } });
    expect(lines[0]).toBe('## Targets at a glance');
    const table = lines[2]!.split('\n');
    expect(table[2]).toBe('| >= 1.5x | standalone: getData 1 KiB: throughput | 2.00x | yes |');
    expect(table.some((l) => l === '| <= 0.25x | ensemble of 3: RSS per member after the workloads (largest) | 0.50x | no |')).toBe(true);
    expect(targetsAtAGlance({ comparisons: {} })).toEqual([]);
  });

  it('renders an ensemble profile per workload and member role', () => {
    const env = { date: 'd', machine: { cores: 2, cpuModel: 'x', ramBytes: 1, disk: 'd', kernel: 'k' }, versions: { node: 'n', java: 'j', zookeeper: 'z', ours: 'o' }, zkHeap: '1g', note: '' };
    const member = (role: string, myid: number) => ({ myid, role, cpuprofile: `p-${role}.cpuprofile`, flamegraph: `f-${role}.svg`, idlePercent: 40, top: [{ fn: 'writeBuffer', selfMs: 12, percent: 7.5 }] });
    const e: EnsembleProfile = { env, servers: 3, workloads: [{ workload: 'set', opsPerSec: 5000, cpuUsPerOp: 150, members: [member('leader', 3), member('follower', 1)] }] };
    const md = renderReport({ comparisons: {}, profileEnsembles: { '3': e } });
    expect(md).toContain('## Where our time goes in an ensemble of 3 (node --cpu-prof on every member)');
    expect(md).toContain('### set at saturation (5,000 ops/s, 150 us of server CPU per op while profiled)');
    expect(md).toContain('leader (myid 3), idle 40% of the time: profile [p-leader.cpuprofile](p-leader.cpuprofile)');
    expect(md).toContain('| 12.0 ms | 7.5% | writeBuffer |');
  });
});

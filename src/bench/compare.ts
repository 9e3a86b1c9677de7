// One round of the side-by-side comparison for one implementation: launch fresh members (cold
// start), the four workloads at saturation and at light load with the servers' CPU time and
// fsync counts over each measured window, memory, and (ensembles) failover.
import { Cluster, mntr, fourLetter, type Impl, type Member } from './members';
import { startJava, runJavaJson, type LoadResult } from './java';
import { untilSuccess } from './probe';

export const WORKLOADS = ['get', 'set', 'create', 'mix'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface BenchSettings {
  servers: number;
  quick: boolean;
  zkHeap: string;
  classDir: string;
  baseDir?: string;
  /** Saturation: sessions x in flight per session. */
  satSessions: number;
  satInflight: number;
  warmupMs: number;
  durationMs: number;
  lightWarmupMs: number;
  lightDurationMs: number;
  payload: number;
  log: (msg: string) => void;
}

export interface WorkloadResult extends LoadResult {
  /** Server CPU (all members, user + system) per operation, in microseconds. */
  cpuUsPerOp: number | null;
  /** fdatasyncs of the txn log per second over the window, all members (mntr cnt_fsynctime). */
  fsyncsPerSec: number | null;
  /** Txns committed per second over the window (zxid advance). */
  txnsPerSec: number | null;
}

export interface RoundResult {
  impl: Impl;
  round: number;
  coldStartMs: number;
  saturation: Record<Workload, WorkloadResult>;
  light: Record<Workload, WorkloadResult>;
  /** Resident memory of each member after the workloads, and the peak, in bytes. */
  rss: number[];
  peakRss: number[];
  failover: FailoverResult | null;
}

export interface FailoverResult {
  /** Kill to the first successful create of a fresh wire-level probe on a surviving member (no client back-off). */
  killToProbeWriteMs: number | null;
  killToFirstWriteMs: number;
  issuedAfterKillMs: number;
  okBeforeKill: number;
  failedAfterKill: number;
}

async function zxidOf(m: Member): Promise<bigint | null> {
  const z = /Zxid: 0x([0-9a-f]+)/.exec(await fourLetter(m.clientPort, 'srvr', 2000))?.[1];
  return z === undefined ? null : BigInt(`0x${z}`);
}

async function counters(cluster: Cluster): Promise<{ fsyncs: number | null; zxid: bigint | null }> {
  const live = cluster.members.filter((m) => m.running);
  const stats = await Promise.all(live.map((m) => mntr(m.clientPort)));
  const f = stats.map((s) => Number(s.get('cnt_fsynctime')));
  const zxids = (await Promise.all(live.map(zxidOf))).filter((z): z is bigint => z !== null);
  return {
    fsyncs: f.every((x) => Number.isFinite(x)) ? f.reduce((a, b) => a + b, 0) : null,
    zxid: zxids.length ? zxids.reduce((a, b) => (b > a ? b : a)) : null,
  };
}

/** Runs LoadGen once; reads CPU and counters at its measure-start / measure-end markers. */
export async function measure(cluster: Cluster, s: BenchSettings, workload: Workload, sessions: number, inflight: number, warmupMs: number, durationMs: number): Promise<WorkloadResult> {
  type Counters = { fsyncs: number | null; zxid: bigint | null };
  const at: { cpu0: number; cpu1: number; c0: Promise<Counters> | null; c1: Promise<Counters> | null } = { cpu0: 0, cpu1: 0, c0: null, c1: null };
  const r = await runJavaJson<LoadResult>(s.classDir, 'LoadGen', [cluster.connectString, workload, sessions, inflight, warmupMs, durationMs, s.payload], (line) => {
    if (line === 'measure-start') {
      at.cpu0 = cluster.cpuSeconds();
      at.c0 = counters(cluster);
    } else if (line === 'measure-end') {
      at.cpu1 = cluster.cpuSeconds();
      at.c1 = counters(cluster);
    }
  });
  const a = at.c0 ? await at.c0 : null;
  const b = at.c1 ? await at.c1 : null;
  const { cpu0, cpu1 } = at;
  const secs = r.seconds;
  return {
    ...r,
    cpuUsPerOp: r.ops > 0 && cpu1 > 0 ? ((cpu1 - cpu0) / r.ops) * 1e6 : null,
    fsyncsPerSec: a?.fsyncs != null && b?.fsyncs != null ? (b.fsyncs - a.fsyncs) / secs : null,
    txnsPerSec: a?.zxid != null && b?.zxid != null ? Number(b.zxid - a.zxid) / secs : null,
  };
}

/** Kills the leader under a write load; the time to the first successful write issued after. */
export async function failover(cluster: Cluster, s: BenchSettings): Promise<FailoverResult> {
  const leader = await cluster.leader();
  const run = startJava(s.classDir, 'Failover', [cluster.connectString, 8, 4, s.payload, 60_000]);
  let result: Omit<FailoverResult, 'killToProbeWriteMs'> | null = null;
  let probe: Promise<number | null> = Promise.resolve(null);
  for await (const line of run.lines) {
    if (line === 'ready') {
      await new Promise((r) => setTimeout(r, 1000));
      const survivors = cluster.members.filter((m) => m !== leader).map((m) => m.clientPort);
      const killAt = Date.now();
      const t0 = performance.now();
      leader.child!.kill('SIGKILL');
      run.child.stdin!.write(`${killAt}\n`);
      probe = untilSuccess(survivors, (i) => ({ kind: 'create', path: `/failover-probe-${i}` }), 60_000).then(
        (t) => t - t0,
        () => null,
      );
    } else if (line.startsWith('{')) {
      result = JSON.parse(line) as FailoverResult;
    }
  }
  if (!result) throw new Error(`Failover probe ended without a result: ${((run.child as { stderrLines?: string[] }).stderrLines ?? []).slice(-10).join('\n')}`);
  await leader.kill();
  return { ...result, killToProbeWriteMs: await probe };
}

/** One implementation, one round: fresh members from launch to teardown. */
export async function runRound(impl: Impl, round: number, s: BenchSettings, config: Record<string, string | number | boolean> = {}): Promise<RoundResult> {
  const cluster = await Cluster.create({ impl, servers: s.servers, zkHeap: s.zkHeap, config, baseDir: s.baseDir });
  try {
    const t0 = performance.now();
    cluster.spawnAll();
    const ports = cluster.members.map((m) => m.clientPort);
    const t1 = await untilSuccess(ports, (i) => ({ kind: 'create', path: `/coldstart-${i}` }), 120_000, () => cluster.members.every((m) => m.running));
    const coldStartMs = t1 - t0;
    s.log(`  ${impl} round ${round}: cold start ${coldStartMs.toFixed(0)} ms`);
    await cluster.waitServing();
    const saturation = {} as Record<Workload, WorkloadResult>;
    for (const w of WORKLOADS) {
      saturation[w] = await measure(cluster, s, w, s.satSessions, s.satInflight, s.warmupMs, s.durationMs);
      s.log(`  ${impl} round ${round}: ${w} saturation ${saturation[w].opsPerSec.toFixed(0)} ops/s, cpu ${saturation[w].cpuUsPerOp?.toFixed(1)} us/op`);
    }
    const light = {} as Record<Workload, WorkloadResult>;
    for (const w of WORKLOADS) {
      light[w] = await measure(cluster, s, w, 1, 1, s.lightWarmupMs, s.lightDurationMs);
      s.log(`  ${impl} round ${round}: ${w} light p50 ${light[w].p50Ms.toFixed(3)} ms p99 ${light[w].p99Ms.toFixed(3)} ms`);
    }
    const mem = cluster.members.map((m) => m.memory());
    let fo: FailoverResult | null = null;
    if (s.servers >= 3) {
      fo = await failover(cluster, s);
      s.log(`  ${impl} round ${round}: failover ${fo.killToFirstWriteMs} ms (wire probe ${fo.killToProbeWriteMs?.toFixed(0)} ms)`);
    }
    return { impl, round, coldStartMs, saturation, light, rss: mem.map((m) => m.rss), peakRss: mem.map((m) => m.peak), failover: fo };
  } catch (e) {
    const logs = cluster.members.map((m) => `--- member ${m.myid}:\n${m.log().slice(-2000)}`).join('\n');
    throw new Error(`${(e as Error).message}\n${logs}`);
  } finally {
    await cluster.destroy();
  }
}

export interface FsyncCompare {
  forceSync: boolean;
  writesPerSec: number;
  txnsPerSec: number | null;
  fsyncsPerSec: number | null;
  p50Ms: number;
}

/** Our server's setData saturation with forceSync on and off: what the disk costs a write. */
export async function fsyncOnOff(s: BenchSettings): Promise<FsyncCompare[]> {
  const out: FsyncCompare[] = [];
  for (const forceSync of [true, false]) {
    const cluster = await Cluster.create({ impl: 'ours', servers: 1, zkHeap: s.zkHeap, config: { forceSync: forceSync ? 'yes' : 'no' }, baseDir: s.baseDir });
    try {
      cluster.spawnAll();
      await cluster.waitServing();
      const r = await measure(cluster, s, 'set', s.satSessions, s.satInflight, s.warmupMs, s.durationMs);
      out.push({ forceSync, writesPerSec: r.opsPerSec, txnsPerSec: r.txnsPerSec, fsyncsPerSec: r.fsyncsPerSec, p50Ms: r.p50Ms });
      s.log(`  ours forceSync=${forceSync ? 'yes' : 'no'}: ${r.opsPerSec.toFixed(0)} writes/s, ${r.fsyncsPerSec?.toFixed(0)} fsyncs/s`);
    } finally {
      await cluster.destroy();
    }
  }
  return out;
}

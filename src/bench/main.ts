// npm run bench [-- --servers 1|3|5] [--quick] [--rounds N] [--large] [--profile] [--report] [--checker]
// Our server side by side with Apache ZooKeeper 3.8 on this machine, driven by the same Java
// load generator; prints a table of ours/theirs ratios and writes docs/bench/latest.json and
// docs/bench/README.md. See docs/bench/README.md for what each number means.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fsyncOnOff, measure, runRound, type BenchSettings, type RoundResult, type Workload } from './compare';
import { flameGraphSvg, idleShare, topSelfTime, type CpuProfile } from './cpuprofile';
import { runCheckerBench } from './checker';
import { measureFloors } from './floors';
import { compileLoadGenerators } from './java';
import { footprint } from './footprint';
import { runLarge } from './large';
import { Cluster } from './members';
import { machineInfo } from './procfs';
import { comparisonText, largeCells, loadResults, renderReport, saveResults, type EnsembleProfile, type Environment } from './report';
import { summarise } from './summary';
import { textTable } from './format';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'docs', 'bench');

export interface Args {
  servers: number;
  quick: boolean;
  rounds: number;
  large: boolean;
  profile: boolean;
  /** Only render docs/bench/README.md again from latest.json and bench/NOTES.md. */
  report: boolean;
  /** Only the consistency checker on generated histories (docs/bench/checker.md). */
  checker: boolean;
  zkHeap: string;
}

/** Parses the command line; a bad flag is an error that says what is accepted. */
export function parseArgs(argv: string[]): Args {
  const a: Args = { servers: 1, quick: false, rounds: 2, large: false, profile: false, report: false, checker: false, zkHeap: '' };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${f} needs a value`);
      return v;
    };
    if (f === '--servers') {
      a.servers = Number(value());
      if (![1, 3, 5].includes(a.servers)) throw new Error(`--servers must be 1, 3 or 5, not ${argv[i]}`);
    } else if (f === '--quick') a.quick = true;
    else if (f === '--rounds') {
      a.rounds = Number(value());
      if (!Number.isInteger(a.rounds) || a.rounds < 2) throw new Error(`--rounds must be an integer of at least 2 (A B A B), not ${argv[i]}`);
    } else if (f === '--large') a.large = true;
    else if (f === '--profile') a.profile = true;
    else if (f === '--report') a.report = true;
    else if (f === '--checker') a.checker = true;
    else if (f === '--zk-heap') a.zkHeap = value();
    else throw new Error(`unknown option ${f}; use --servers 1|3|5, --quick, --rounds N, --large, --profile, --report, --checker, --zk-heap SIZE`);
  }
  return a;
}

function log(msg: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
}

function sh(cmd: string): string {
  try {
    return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function versions(): Environment['versions'] {
  const java = sh('java -version 2>&1 | head -2 | tail -1') || 'java (unknown)';
  const deb = sh("dpkg-query -W -f='${Version}' zookeeper");
  const zookeeper = deb ? `Apache ZooKeeper (Debian package ${deb})` : 'Apache ZooKeeper 3.8 (Debian)';
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const commit = sh(`git -C '${ROOT}' rev-parse --short HEAD`);
  return { node: process.version, java, zookeeper, ours: commit ? `${pkg.version} (git ${commit})` : pkg.version };
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

function environment(zkHeap: string): Environment {
  return {
    loadAverage: { start: loadAverage() },
    date: new Date().toISOString(),
    machine: machineInfo(tmpdir()),
    versions: versions(),
    zkHeap,
    note: 'The load generator (JVM) runs on the same machine and shares its cores with the servers under test.',
  };
}

function settingsFor(a: Args, classDir: string): BenchSettings {
  return {
    servers: a.servers,
    quick: a.quick,
    zkHeap: a.zkHeap || '1g',
    classDir,
    satSessions: 16,
    satInflight: 16,
    warmupMs: a.quick ? 1500 : 3000,
    durationMs: a.quick ? 3000 : 8000,
    lightWarmupMs: a.quick ? 1000 : 2000,
    lightDurationMs: a.quick ? 2000 : 5000,
    payload: 1024,
    log,
  };
}

async function comparison(a: Args, classDir: string): Promise<void> {
  const s = settingsFor(a, classDir);
  const env = environment(s.zkHeap);
  log(`floors of this machine (fdatasync in ${tmpdir()}, loopback round trip)`);
  const floors = await measureFloors(tmpdir(), a.quick);
  const raw: RoundResult[] = [];
  for (let round = 1; round <= a.rounds; round++) {
    for (const impl of ['ours', 'zookeeper'] as const) {
      log(`round ${round}: ${impl}, ${a.servers === 1 ? 'standalone' : `${a.servers} members`}`);
      raw.push(await runRound(impl, round, s));
    }
  }
  let fsync = null;
  if (a.servers === 1) {
    log('our server with forceSync on and off');
    fsync = await fsyncOnOff(s);
  }
  finished(env);
  const section = {
    env,
    servers: a.servers,
    quick: a.quick,
    rounds: a.rounds,
    settings: {
      'saturation sessions': s.satSessions,
      'in flight per session': s.satInflight,
      'warm-up ms': s.warmupMs,
      'measured ms': s.durationMs,
      'light-load warm-up ms': s.lightWarmupMs,
      'light-load measured ms': s.lightDurationMs,
      'payload bytes': s.payload,
    },
    floors,
    rows: summarise(raw),
    fsync,
    raw,
  };
  const results = loadResults(join(OUT, 'latest.json'));
  results.comparisons[a.servers === 1 ? 'standalone' : `ensemble${a.servers}`] = section;
  write(results);
  console.log(comparisonText(section));
}

async function large(a: Args, classDir: string): Promise<void> {
  const zkHeap = a.zkHeap || '3g';
  const env = environment(zkHeap);
  const parents = a.quick ? 100 : 1000;
  const perParent = 1000;
  const out = [];
  for (const impl of ['ours', 'zookeeper'] as const) {
    log(`large tree: ${impl}`);
    out.push(await runLarge(impl, { parents, perParent, payload: 100, zkHeap, classDir, log }));
  }
  log('large tree: where our bytes go (in-process footprint)');
  const fp = footprint(parents, perParent, 100);
  finished(env);
  const results = loadResults(join(OUT, 'latest.json'));
  results.large = { env, parents, perParent, payload: 100, results: out, footprint: fp };
  write(results);
  console.log(textTable(largeCells(results.large)));
}

/** Runs each profiled workload against a fresh member of ours started with --cpu-prof. */
async function profile(a: Args, classDir: string): Promise<void> {
  if (a.servers > 1) {
    await profileEnsemble(a, classDir);
    return;
  }
  const s = settingsFor({ ...a, servers: 1 }, classDir);
  const env = environment(s.zkHeap);
  const workloads: { workload: string; opsPerSec: number; cpuprofile: string; flamegraph: string; top: ReturnType<typeof topSelfTime> }[] = [];
  mkdirSync(OUT, { recursive: true });
  for (const w of ['get', 'set', 'create', 'mix'] as Workload[]) {
    const profDir = mkdtempSync(join(tmpdir(), 'zkbench-prof-'));
    const cluster = await Cluster.create({ impl: 'ours', servers: 1, zkHeap: s.zkHeap, config: {}, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
    let opsPerSec = 0;
    try {
      cluster.spawnAll();
      await cluster.waitServing();
      const r = await measure(cluster, s, w, s.satSessions, s.satInflight, s.warmupMs, s.durationMs);
      opsPerSec = r.opsPerSec;
      log(`profiled ${w}: ${r.opsPerSec.toFixed(0)} ops/s, ${r.cpuUsPerOp?.toFixed(1)} us/op`);
    } finally {
      await cluster.destroy();
    }
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`node --cpu-prof wrote no profile into ${profDir}`);
    const p = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
    const name = `profile-${w}.cpuprofile`;
    copyFileSync(join(profDir, file), join(OUT, name));
    const svg = `flamegraph-${w}.svg`;
    writeFileSync(join(OUT, svg), flameGraphSvg(p, `ours, ${w} at saturation (${s.satSessions} sessions x ${s.satInflight} in flight)`));
    rmSync(profDir, { recursive: true, force: true });
    workloads.push({ workload: w, opsPerSec, cpuprofile: name, flamegraph: svg, top: topSelfTime(p, 25) });
  }
  finished(env);
  const results = loadResults(join(OUT, 'latest.json'));
  results.profile = { env, workloads };
  write(results);
  for (const w of workloads) {
    console.log(`\n${w.workload}: top self time`);
    console.log(textTable([['ms', '%', 'function'], ...w.top.slice(0, 15).map((t) => [t.selfMs.toFixed(0), t.percent.toFixed(1), t.fn])]));
  }
}

/**
 * The write workloads against a fresh ensemble of ours with every member under --cpu-prof: where
 * the leader's and a follower's time goes (the request path spans members, so one profile is not
 * enough). The idle share says how much of the measured window a member waited.
 */
async function profileEnsemble(a: Args, classDir: string): Promise<void> {
  const s = settingsFor(a, classDir);
  const env = environment(s.zkHeap);
  const workloads: EnsembleProfile['workloads'] = [];
  mkdirSync(OUT, { recursive: true });
  for (const w of ['set', 'create'] as Workload[]) {
    const profDir = mkdtempSync(join(tmpdir(), 'zkbench-prof-'));
    const cluster = await Cluster.create({ impl: 'ours', servers: a.servers, zkHeap: s.zkHeap, config: {}, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
    let opsPerSec = 0;
    let cpuUsPerOp: number | null = null;
    const roles = new Map<number, { myid: number; role: string }>();
    try {
      cluster.spawnAll();
      await cluster.waitServing();
      const leader = await cluster.leader();
      for (const m of cluster.members) roles.set(m.pid, { myid: m.myid, role: m === leader ? 'leader' : 'follower' });
      const r = await measure(cluster, s, w, s.satSessions, s.satInflight, s.warmupMs, s.durationMs);
      opsPerSec = r.opsPerSec;
      cpuUsPerOp = r.cpuUsPerOp;
      log(`profiled ${w} on ${a.servers} members: ${r.opsPerSec.toFixed(0)} ops/s, ${r.cpuUsPerOp?.toFixed(1)} us/op`);
    } finally {
      await cluster.destroy();
    }
    const members: EnsembleProfile['workloads'][number]['members'] = [];
    for (const file of readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'))) {
      const pid = Number(/^CPU\.\d+\.\d+\.(\d+)\./.exec(file)?.[1]);
      const who = roles.get(pid);
      if (!who) continue;
      const p = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
      // The leader and the first follower are kept; further followers look like the first.
      if (who.role === 'follower' && members.some((m) => m.role === 'follower')) continue;
      const name = `profile-ensemble${a.servers}-${w}-${who.role}.cpuprofile`;
      copyFileSync(join(profDir, file), join(OUT, name));
      const svg = `flamegraph-ensemble${a.servers}-${w}-${who.role}.svg`;
      writeFileSync(join(OUT, svg), flameGraphSvg(p, `ours, ${a.servers} members, ${w} at saturation: ${who.role} (myid ${who.myid})`));
      members.push({ ...who, cpuprofile: name, flamegraph: svg, idlePercent: idleShare(p), top: topSelfTime(p, 25) });
    }
    rmSync(profDir, { recursive: true, force: true });
    members.sort((x, y) => (x.role === y.role ? 0 : x.role === 'leader' ? -1 : 1));
    workloads.push({ workload: w, opsPerSec, cpuUsPerOp, members });
  }
  finished(env);
  const results = loadResults(join(OUT, 'latest.json'));
  results.profileEnsembles ??= {};
  results.profileEnsembles[String(a.servers)] = { env, servers: a.servers, workloads };
  write(results);
  for (const w of workloads) {
    for (const m of w.members) {
      console.log(`\n${w.workload}, ${m.role} (myid ${m.myid}), idle ${m.idlePercent.toFixed(0)}%: top self time`);
      console.log(textTable([['ms', '%', 'function'], ...m.top.slice(0, 15).map((t) => [t.selfMs.toFixed(0), t.percent.toFixed(1), t.fn])]));
    }
  }
}

/** Notes the load average at the end of the run in the section it made. */
function finished(env: Environment): void {
  if (env.loadAverage) env.loadAverage.end = loadAverage();
}

function write(results: ReturnType<typeof loadResults>): void {
  mkdirSync(OUT, { recursive: true });
  saveResults(join(OUT, 'latest.json'), results);
  const notesPath = join(ROOT, 'bench', 'NOTES.md');
  const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : '';
  writeFileSync(join(OUT, 'README.md'), renderReport(results, notes));
  log(`wrote ${join(OUT, 'latest.json')} and ${join(OUT, 'README.md')}`);
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.checker) {
    console.log(runCheckerBench(join(OUT, 'checker.md'), log));
    log(`wrote ${join(OUT, 'checker.md')}`);
    return;
  }
  if (a.report) {
    const results = loadResults(join(OUT, 'latest.json'));
    // The rows are derived from the rounds: derive them again with the current rules.
    for (const c of Object.values(results.comparisons)) c.rows = summarise(c.raw);
    write(results);
    return;
  }
  if (!existsSync(join(ROOT, 'dist', 'server', 'main.js'))) throw new Error('dist/server/main.js is missing; run npm run build:node first');
  const classDir = compileLoadGenerators();
  try {
    if (a.profile) await profile(a, classDir);
    else if (a.large) await large(a, classDir);
    else await comparison(a, classDir);
  } finally {
    rmSync(classDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: Error) => {
      console.error(`bench failed: ${e.message}`);
      process.exit(1);
    },
  );
}

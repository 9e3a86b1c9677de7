// Starts each node as its own child process in its own process group (bin/zk-server <zoo.cfg>,
// or Apache ZooKeeper's QuorumPeerMain), stops (SIGTERM), kills (SIGKILL), pauses (SIGSTOP) and
// resumes (SIGCONT) it, and notices every exit: the ones the lab asked for and the crashes.
//
// Why process groups: a signal to the group reaches whatever the node started (a JVM's helpers,
// a wrapper's child), and a node in its own group does not take the app's Ctrl-C or the
// terminal's hang-up as its own. Why a pid file: a process group does not die with its parent,
// so if the app itself is killed (SIGKILL, a crash) the nodes live on; the next start of the lab
// reads pids.json and kills the groups it finds there, checking /proc first so that a recycled
// pid of some other program is never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabSpec, NodeSpec } from './labdir';
import { nodeDir } from './labdir';

/** bin/zk-server of this checkout. */
export const ZK_SERVER = resolve(__dirname, '..', '..', 'bin', 'zk-server');
const OUR_SERVER_JS = resolve(__dirname, '..', '..', 'dist', 'server', 'main.js');

const JAVA_DIR = '/usr/share/java';
/** Apache ZooKeeper 3.8 from Debian, with the Jetty jars its AdminServer needs. */
const APACHE_JARS = ['zookeeper.jar', 'slf4j-simple.jar', 'jetty9-server.jar', 'jetty9-servlet.jar', 'jetty9-http.jar', 'jetty9-util.jar', 'jetty9-io.jar', 'jetty9-security.jar', 'jetty9-util-ajax.jar', 'servlet-api.jar', 'jackson-core.jar', 'jackson-databind.jar', 'jackson-annotations.jar'];
const JAVA = '/usr/bin/java';

/** How long a SIGTERM may take before the lab escalates to SIGKILL. */
const STOP_GRACE_MS = 15_000;

/** Whether Java and Debian's ZooKeeper jars are here, so a node can run Apache ZooKeeper. */
export function apacheAvailable(): boolean {
  return existsSync(JAVA) && APACHE_JARS.every((j) => existsSync(join(JAVA_DIR, j)));
}

/** Whether our server is built (bin/zk-server runs dist/server/main.js). */
export function oursAvailable(): boolean {
  return existsSync(ZK_SERVER) && existsSync(OUR_SERVER_JS);
}

/** The command line that runs one node: [file, args]. */
export function nodeCommand(lab: LabSpec, spec: NodeSpec): [string, string[]] {
  const cfg = join(nodeDir(lab, spec.myid), 'zoo.cfg');
  if (spec.engine === 'apache') {
    return [
      JAVA,
      [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-cp',
        APACHE_JARS.map((j) => join(JAVA_DIR, j)).join(':'),
        '-Dzookeeper.extendedTypesEnabled=true',
        '-Dznode.container.checkIntervalMs=1000',
        ...(lab.readOnly ? ['-Dreadonlymode.enabled=true'] : []),
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        cfg,
      ],
    ];
  }
  return [ZK_SERVER, [cfg]];
}

/** Why a node went down, as the supervisor saw it. */
export type ExitKind = 'killed' | 'stopped' | 'crashed';

export interface NodeProcess {
  myid: number;
  child: ChildProcess | null;
  pid: number | null;
  startedAt: number | null;
  paused: boolean;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Why it went down last, in words. */
  lastExit: string | null;
  /** The signal the lab sent on purpose, so an exit after it is not called a crash. */
  expecting: 'SIGKILL' | 'SIGTERM' | null;
}

export interface ExitReport {
  myid: number;
  kind: ExitKind;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** In words, with what to do when it was a crash. */
  how: string;
}

interface PidRecord {
  myid: number;
  pid: number;
}

export class Supervisor {
  readonly procs = new Map<number, NodeProcess>();
  private readonly pidFile: string;

  constructor(
    private readonly lab: LabSpec,
    private readonly onExit: (report: ExitReport) => void,
  ) {
    this.pidFile = join(lab.dir, 'pids.json');
    for (const n of lab.nodes) {
      this.procs.set(n.myid, { myid: n.myid, child: null, pid: null, startedAt: null, paused: false, exitCode: null, exitSignal: null, lastExit: null, expecting: null });
    }
  }

  /**
   * Kills the node process groups a previous run of the app left behind (their pids are in
   * pids.json) and returns how many it killed. Only processes whose command line names this
   * lab's folder are touched.
   */
  reapOrphans(): number {
    if (!existsSync(this.pidFile)) return 0;
    let killed = 0;
    let records: PidRecord[] = [];
    try {
      const raw = JSON.parse(readFileSync(this.pidFile, 'utf8')) as unknown;
      // Older labs wrote a bare list of pids.
      if (Array.isArray(raw)) records = raw.map((r) => (typeof r === 'number' ? { myid: 0, pid: r } : (r as PidRecord))).filter((r) => Number.isInteger(r.pid) && r.pid > 1);
    } catch {
      // An unreadable pid file has nothing we can trust to reap.
    }
    for (const { pid } of records) {
      if (!this.ownsProcess(pid)) continue;
      try {
        process.kill(-pid, 'SIGKILL');
        killed++;
      } catch {
        try {
          // Not a group leader (a lab from before process groups): the process alone.
          process.kill(pid, 'SIGKILL');
          killed++;
        } catch {
          // gone between the check and the kill
        }
      }
    }
    this.savePids();
    return killed;
  }

  /** Whether `pid` is a live node process of this lab (its command line names the lab folder). */
  private ownsProcess(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.lab.dir);
    } catch {
      return false;
    }
  }

  private savePids(): void {
    const records: PidRecord[] = [...this.procs.values()].filter((p) => p.pid !== null).map((p) => ({ myid: p.myid, pid: p.pid! }));
    // Written whole and renamed, so a crash mid-write never leaves half a pid file.
    const tmp = `${this.pidFile}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(records));
      renameSync(tmp, this.pidFile);
    } catch (e) {
      // The lab folder was removed (the lab destroyed) while its last nodes were exiting.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  isRunning(myid: number): boolean {
    const p = this.procs.get(myid);
    return !!p && p.child !== null && p.child.exitCode === null && p.child.signalCode === null;
  }

  /** Starts node `myid` in a process group of its own; its output goes to node<N>/server.log. */
  start(myid: number): void {
    const p = this.procs.get(myid);
    const spec = this.lab.nodes.find((n) => n.myid === myid);
    if (!p || !spec) throw new Error(`There is no node ${myid} in this lab.`);
    if (this.isRunning(myid)) return;
    if (spec.engine === 'apache' && !apacheAvailable()) {
      throw new Error(`Node ${myid} runs Apache ZooKeeper, which is not installed here: install Debian's zookeeper, libjetty9-java and default-jre-headless packages.`);
    }
    if (spec.engine !== 'apache' && !oursAvailable()) {
      throw new Error(`Node ${myid} runs our server, which is not built: run \`npm run build\` and try again.`);
    }
    const dir = nodeDir(this.lab, myid);
    const [file, args] = nodeCommand(this.lab, spec);
    const log = openSync(join(dir, 'server.log'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: dir, stdio: ['ignore', log, log], detached: true, env: { ...process.env, ZK_LAB_ADMIN_SECRET: this.lab.adminSecret ?? '' } });
    } finally {
      closeSync(log);
    }
    p.child = child;
    p.pid = child.pid ?? null;
    p.startedAt = Date.now();
    p.paused = false;
    p.exitCode = null;
    p.exitSignal = null;
    p.lastExit = null;
    p.expecting = null;
    this.savePids();
    child.once('error', (e) => {
      // spawn itself failed (ENOENT, EACCES): there will be no 'exit' with a pid to reap.
      if (p.child !== child) return;
      this.exited(p, null, null, `could not start: ${e.message}`);
    });
    child.once('exit', (code, signal) => {
      if (p.child !== child) return;
      this.exited(p, code, signal, null);
    });
  }

  private exited(p: NodeProcess, code: number | null, signal: NodeJS.Signals | null, failure: string | null): void {
    const expected = p.expecting;
    const kind: ExitKind = expected === 'SIGKILL' ? 'killed' : expected === 'SIGTERM' ? 'stopped' : 'crashed';
    const log = join(nodeDir(this.lab, p.myid), 'server.log');
    let how: string;
    if (failure) how = `${failure}; see ${log}`;
    else if (kind === 'killed') how = 'killed by SIGKILL';
    else if (kind === 'stopped') how = signal ? `stopped by ${signal}` : `stopped (exit status ${code})`;
    else how = signal ? `crashed: killed by ${signal} from outside the lab; see ${log}` : `crashed: exited with status ${code}; see ${log}`;
    p.exitCode = code;
    p.exitSignal = signal;
    p.lastExit = how;
    p.child = null;
    p.pid = null;
    p.startedAt = null;
    p.paused = false;
    p.expecting = null;
    this.savePids();
    this.onExit({ myid: p.myid, kind, code, signal, how });
  }

  /** Sends a signal to a running node's process group; resolves when a kill or stop has taken effect. */
  async signal(myid: number, sig: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const p = this.procs.get(myid);
    if (!p || !p.child || !this.isRunning(myid)) throw new Error(`Node ${myid} is not running; start it first.`);
    const child = p.child;
    const pid = child.pid!;
    if (sig === 'SIGKILL' || sig === 'SIGTERM') p.expecting = sig;
    // A stopped process cannot act on SIGTERM until it runs again.
    if (sig === 'SIGTERM' && p.paused) killGroup(pid, 'SIGCONT');
    killGroup(pid, sig);
    if (sig === 'SIGSTOP') p.paused = true;
    if (sig === 'SIGCONT') p.paused = false;
    if (sig === 'SIGKILL' || sig === 'SIGTERM') {
      const gone = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
      if (sig === 'SIGTERM') {
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
        await gone;
        clearTimeout(timer);
      } else {
        await gone;
      }
    }
  }

  /** Kills every node's process group at once, synchronously (the app is closing); returns those it killed. */
  killAll(): { myid: number; pid: number }[] {
    const killed: { myid: number; pid: number }[] = [];
    for (const [myid, p] of this.procs) {
      if (p.child && p.child.pid && p.child.exitCode === null && p.child.signalCode === null) {
        p.expecting = 'SIGKILL';
        killGroup(p.child.pid, 'SIGKILL');
        killed.push({ myid, pid: p.child.pid });
      }
    }
    return killed;
  }

  /** Resolves when no node process of this supervisor is left. */
  async allExited(): Promise<void> {
    await Promise.all(
      [...this.procs.values()].map((p) => {
        const c = p.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
        return new Promise<void>((r) => c.once('exit', () => r()));
      }),
    );
  }
}

/** Signals a whole process group (the node and anything it started). */
function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

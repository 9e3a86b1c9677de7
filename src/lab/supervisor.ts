// Starts each node as its own child process in its own process group (bin/zk-server <zoo.cfg>,
// or Apache ZooKeeper's QuorumPeerMain), stops (SIGTERM), kills (SIGKILL), pauses (SIGSTOP) and
// resumes (SIGCONT) it, and notices every exit: the ones the lab asked for and the crashes.
//
// Why process groups: a signal to the group reaches whatever the node started (a JVM's helpers,
// a wrapper's child), and a node in its own group does not take the app's Ctrl-C or the
// terminal's hang-up as its own. Why a pid file: a process group does not die with its parent,
// so if the app itself is killed (SIGKILL, a crash) the nodes live on; the next start of the lab
// reads pids.json and adopts the members it finds there still running (their command line names
// their own zoo.cfg in this lab, so a recycled pid of some other program is never taken): it
// watches them by pid, signals them and stops them as if it had started them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { command } from './admin';
import { pauseUnsupported, treeKillCommand } from './platform';
import { commandLineOf, pidAlive } from './procinfo';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabSpec, NodeSpec } from './labdir';
import { nodeDir, superDigest } from './labdir';

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
  return existsSync(OUR_SERVER_JS);
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
        // reconfig's superuser (zoo.cfg names it too; this holds before any class reads it).
        `-Dzookeeper.DigestAuthenticationProvider.superDigest=${superDigest(lab)}`,
        ...(lab.readOnly ? ['-Dreadonlymode.enabled=true'] : []),
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        cfg,
      ],
    ];
  }
  // Node itself, not bin/zk-server (a POSIX shell script): no shell on the run path. Under
  // Electron, its binary runs the script as plain Node.
  return [process.execPath, [OUR_SERVER_JS, cfg]];
}

/** The environment of a member process. */
function memberEnv(lab: LabSpec): NodeJS.ProcessEnv {
  return { ...process.env, ZK_LAB_ADMIN_SECRET: lab.adminSecret ?? '', ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
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
  /**
   * A member an earlier backend of this lab started and this one adopted: no ChildProcess, so it
   * is watched by its pid (and its exit status is not known).
   */
  adopted: { pid: number; exited: Promise<void>; timer: NodeJS.Timeout } | null;
}

/** How often an adopted member's pid is checked for its end. */
const ADOPTED_POLL_MS = 250;

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
  /** The lab had stopped it with SIGSTOP (so an adopted member is known to be paused). */
  paused?: boolean;
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
      this.procs.set(n.myid, { myid: n.myid, child: null, pid: null, startedAt: null, paused: false, exitCode: null, exitSignal: null, lastExit: null, expecting: null, adopted: null });
    }
  }

  /**
   * Takes over the members an earlier backend of this lab left running (their pids are in
   * pids.json): each one whose command line still names its own zoo.cfg in this lab is adopted,
   * watched by its pid from now on. Processes a lab of an older layout recorded without their
   * myid are killed instead (reaped), as before. Returns both lists.
   */
  adoptOrphans(): { adopted: { myid: number; pid: number }[]; reaped: number } {
    const adopted: { myid: number; pid: number }[] = [];
    let reaped = 0;
    if (!existsSync(this.pidFile)) return { adopted, reaped };
    let records: PidRecord[] = [];
    try {
      const raw = JSON.parse(readFileSync(this.pidFile, 'utf8')) as unknown;
      // Older labs wrote a bare list of pids.
      if (Array.isArray(raw)) records = raw.map((r) => (typeof r === 'number' ? { myid: 0, pid: r } : (r as PidRecord))).filter((r) => Number.isInteger(r.pid) && r.pid > 1);
    } catch {
      // An unreadable pid file has nothing we can trust to adopt or reap.
    }
    for (const r of records) {
      const p = this.procs.get(r.myid);
      if (p && p.pid === null && this.ownsProcess(r.pid, r.myid)) {
        this.adopt(p, r.pid, r.paused === true);
        adopted.push({ myid: r.myid, pid: r.pid });
      } else if (!p && this.ownsProcess(r.pid, null)) {
        killGroup(r.pid, 'SIGKILL');
        reaped++;
      }
    }
    this.savePids();
    return { adopted, reaped };
  }

  /** Kills what adoptOrphans would adopt (a lab opened to be destroyed, say); returns how many. */
  reapOrphans(): number {
    const { adopted, reaped } = this.adoptOrphans();
    for (const a of adopted) {
      const p = this.procs.get(a.myid)!;
      p.expecting = 'SIGKILL';
      killGroup(a.pid, 'SIGKILL');
    }
    return adopted.length + reaped;
  }

  /**
   * Whether `pid` is a live member process of this lab: its command line names node `myid`'s
   * zoo.cfg (any node's, for a record without a myid).
   */
  private ownsProcess(pid: number, myid: number | null): boolean {
    const line = commandLineOf(pid);
    if (line === null) return false;
    if (myid !== null) return line.includes(join(nodeDir(this.lab, myid), 'zoo.cfg'));
    return line.includes(this.lab.dir);
  }

  private adopt(p: NodeProcess, pid: number, paused: boolean): void {
    let resolveExit!: () => void;
    const exited = new Promise<void>((r) => (resolveExit = r));
    const timer = setInterval(() => {
      if (pidAlive(pid)) return;
      clearInterval(timer);
      if (p.adopted?.pid === pid) this.exited(p, null, null, null);
      resolveExit();
    }, ADOPTED_POLL_MS);
    timer.unref();
    p.adopted = { pid, exited, timer };
    p.pid = pid;
    // When it started is not known: the lab has watched it since now.
    p.startedAt = Date.now();
    p.paused = paused;
    p.exitCode = null;
    p.exitSignal = null;
    p.lastExit = null;
    p.expecting = null;
  }

  private savePids(): void {
    const records: PidRecord[] = [...this.procs.values()].filter((p) => p.pid !== null).map((p) => ({ myid: p.myid, pid: p.pid!, ...(p.paused ? { paused: true } : {}) }));
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

  /** A member a reconfig adds (membership.ts): watched from now on, not started yet. */
  addMember(myid: number): void {
    if (!this.procs.has(myid)) this.procs.set(myid, { myid, child: null, pid: null, startedAt: null, paused: false, exitCode: null, exitSignal: null, lastExit: null, expecting: null, adopted: null });
  }

  /** A member that left the lab (stopped first): no longer watched or in pids.json. */
  forgetMember(myid: number): void {
    if (this.isRunning(myid)) throw new Error(`Node ${myid} still runs; stop it first.`);
    this.procs.delete(myid);
    this.savePids();
  }

  isRunning(myid: number): boolean {
    const p = this.procs.get(myid);
    if (!p) return false;
    if (p.adopted) return true;
    return p.child !== null && p.child.exitCode === null && p.child.signalCode === null;
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
      child = spawn(file, args, { cwd: dir, stdio: ['ignore', log, log], detached: true, env: memberEnv(this.lab), windowsHide: true });
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
    p.adopted = null;
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
    else if (kind === 'stopped') how = signal ? `stopped by ${signal}` : code !== null ? `stopped (exit status ${code})` : 'stopped';
    else if (p.adopted) how = `crashed: it ended while the lab watched it by its pid (an earlier backend started it, so its exit status is unknown); see ${log}`;
    else how = signal ? `crashed: killed by ${signal} from outside the lab; see ${log}` : `crashed: exited with status ${code}; see ${log}`;
    p.exitCode = code;
    p.exitSignal = signal;
    p.lastExit = how;
    p.child = null;
    if (p.adopted) clearInterval(p.adopted.timer);
    p.adopted = null;
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
    if (!p || !this.isRunning(myid) || p.pid === null) throw new Error(`Node ${myid} is not running; start it first.`);
    const noPause = sig === 'SIGSTOP' || sig === 'SIGCONT' ? pauseUnsupported(process.platform) : null;
    if (noPause) throw new Error(noPause);
    const child = p.child;
    const adopted = p.adopted;
    const pid = p.pid;
    if (sig === 'SIGKILL' || sig === 'SIGTERM') p.expecting = sig;
    // A stopped process cannot act on SIGTERM until it runs again.
    if (sig === 'SIGTERM' && p.paused) killGroup(pid, 'SIGCONT');
    killGroup(pid, sig);
    if (sig === 'SIGSTOP') p.paused = true;
    if (sig === 'SIGCONT') p.paused = false;
    if (sig === 'SIGSTOP' || sig === 'SIGCONT') this.savePids();
    if (sig === 'SIGKILL' || sig === 'SIGTERM') {
      const gone = adopted ? adopted.exited : new Promise<void>((r) => (child!.exitCode !== null || child!.signalCode !== null ? r() : child!.once('exit', () => r())));
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
      if (this.isRunning(myid) && p.pid !== null) {
        p.expecting = 'SIGKILL';
        killGroup(p.pid, 'SIGKILL');
        killed.push({ myid, pid: p.pid });
      }
    }
    return killed;
  }

  /** Resolves when no node process of this supervisor is left. */
  async allExited(): Promise<void> {
    await Promise.all(
      [...this.procs.values()].map((p) => {
        if (p.adopted) return p.adopted.exited;
        const c = p.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
        return new Promise<void>((r) => c.once('exit', () => r()));
      }),
    );
  }
}

/**
 * Signals a whole process group (the node and anything it started); on Windows, which has no
 * groups and no signals but a kill, taskkill ends the process tree.
 */
function killGroup(pid: number, sig: NodeJS.Signals): void {
  const tree = sig === 'SIGKILL' || sig === 'SIGTERM' ? treeKillCommand(process.platform, pid, sig) : null;
  if (tree) {
    const r = spawnSync(tree[0], tree[1], { stdio: 'ignore', windowsHide: true });
    // A console program may refuse a polite taskkill: the grace period then ends in /F.
    if (r.status === 0 || sig === 'SIGTERM') return;
  }
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

/** The last lines of a log file, for an error message (empty when it cannot be read). */
function logTail(path: string, lines: number): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Waits until member `myid` answers on its AdminServer; says why when its process ends first or `ms` passes. */
export async function waitAdmin(sup: Supervisor, lab: LabSpec, myid: number, ms: number): Promise<void> {
  const n = lab.nodes.find((x) => x.myid === myid)!;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!sup.isRunning(myid)) {
      const p = sup.procs.get(myid)!;
      const log = join(nodeDir(lab, myid), 'server.log');
      throw new Error(`Node ${myid} ${p.lastExit ?? 'stopped'} while starting; read its log (Terminals → node ${myid} → Log) or ${log}. It ends:\n${logTail(log, 8)}`);
    }
    try {
      await command(n.adminPort, 'zabstate');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`Node ${myid} did not open its AdminServer on port ${n.adminPort} within ${ms / 1000} s; read ${join(nodeDir(lab, myid), 'server.log')}.`);
}

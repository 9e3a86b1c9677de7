// Starts each node as its own process (bin/zk-server <zoo.cfg>), stops (SIGTERM), kills
// (SIGKILL), pauses (SIGSTOP) and resumes (SIGCONT) it, and notices exits. A pid file lets the
// next start of the lab clean up nodes a crashed app left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabSpec } from './labdir';
import { nodeDir } from './labdir';

/** bin/zk-server of this checkout. */
export const ZK_SERVER = resolve(__dirname, '..', '..', 'bin', 'zk-server');

const JAVA_DIR = '/usr/share/java';
/** Apache ZooKeeper 3.8 from Debian, with the Jetty jars its AdminServer needs. */
const APACHE_JARS = ['zookeeper.jar', 'slf4j-simple.jar', 'jetty9-server.jar', 'jetty9-servlet.jar', 'jetty9-http.jar', 'jetty9-util.jar', 'jetty9-io.jar', 'jetty9-security.jar', 'jetty9-util-ajax.jar', 'servlet-api.jar', 'jackson-core.jar', 'jackson-databind.jar', 'jackson-annotations.jar'];

/** Whether Java and Debian's ZooKeeper jars are here, so a node can run Apache ZooKeeper. */
export function apacheAvailable(): boolean {
  return existsSync('/usr/bin/java') && APACHE_JARS.every((j) => existsSync(join(JAVA_DIR, j)));
}

export interface NodeProcess {
  myid: number;
  child: ChildProcess | null;
  pid: number | null;
  startedAt: number | null;
  paused: boolean;
  exitCode: number | null;
  /** Why it went down last, in words. */
  lastExit: string | null;
}

export class Supervisor {
  readonly procs = new Map<number, NodeProcess>();
  private readonly pidFile: string;

  constructor(
    private readonly lab: LabSpec,
    private readonly onExit: (myid: number, how: string) => void,
  ) {
    this.pidFile = join(lab.dir, 'pids.json');
    for (const n of lab.nodes) this.procs.set(n.myid, { myid: n.myid, child: null, pid: null, startedAt: null, paused: false, exitCode: null, lastExit: null });
  }

  /** Kills node processes a previous run of the app left behind (their pids are in pids.json). */
  reapOrphans(): number {
    if (!existsSync(this.pidFile)) return 0;
    let killed = 0;
    try {
      const pids = JSON.parse(readFileSync(this.pidFile, 'utf8')) as number[];
      for (const pid of pids) {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          if (cmd.includes(this.lab.dir)) {
            process.kill(pid, 'SIGKILL');
            killed++;
          }
        } catch {
          // gone already
        }
      }
    } catch {
      // unreadable pid file: nothing to reap
    }
    this.savePids();
    return killed;
  }

  private savePids(): void {
    const pids = [...this.procs.values()].map((p) => p.pid).filter((p): p is number => p !== null);
    writeFileSync(this.pidFile, JSON.stringify(pids));
  }

  isRunning(myid: number): boolean {
    const p = this.procs.get(myid);
    return !!p && p.child !== null && p.child.exitCode === null && p.child.signalCode === null;
  }

  start(myid: number): void {
    const p = this.procs.get(myid);
    if (!p) throw new Error(`There is no node ${myid} in this lab.`);
    if (this.isRunning(myid)) return;
    const dir = nodeDir(this.lab, myid);
    const log = openSync(join(dir, 'server.log'), 'a');
    const spec = this.lab.nodes.find((n) => n.myid === myid)!;
    const child =
      spec.engine === 'apache'
        ? spawn(
            'java',
            ['-Xmx256m', '-cp', APACHE_JARS.map((j) => join(JAVA_DIR, j)).join(':'), '-Dzookeeper.extendedTypesEnabled=true', '-Dznode.container.checkIntervalMs=1000', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(dir, 'zoo.cfg')],
            { cwd: dir, stdio: ['ignore', log, log] },
          )
        : spawn(ZK_SERVER, [join(dir, 'zoo.cfg')], { cwd: dir, stdio: ['ignore', log, log] });
    closeSync(log);
    p.child = child;
    p.pid = child.pid ?? null;
    p.startedAt = Date.now();
    p.paused = false;
    p.exitCode = null;
    this.savePids();
    child.once('exit', (code, signal) => {
      if (p.child !== child) return;
      p.exitCode = code;
      p.lastExit = signal ? `killed by ${signal}` : `exited with status ${code}`;
      p.child = null;
      p.pid = null;
      p.startedAt = null;
      p.paused = false;
      this.savePids();
      this.onExit(myid, p.lastExit);
    });
  }

  /** Sends a signal to a running node; resolves when a kill or stop has taken effect. */
  async signal(myid: number, sig: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const p = this.procs.get(myid);
    if (!p || !p.child || !this.isRunning(myid)) throw new Error(`Node ${myid} is not running; start it first.`);
    const child = p.child;
    if (sig === 'SIGTERM' && p.paused) child.kill('SIGCONT');
    child.kill(sig);
    if (sig === 'SIGSTOP') p.paused = true;
    if (sig === 'SIGCONT') p.paused = false;
    if (sig === 'SIGKILL' || sig === 'SIGTERM') {
      await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
    }
  }

  /** Kills every node (the app is closing). */
  killAll(): void {
    for (const p of this.procs.values()) {
      if (p.child && p.child.exitCode === null) {
        try {
          p.child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}

// Real Apache ZooKeeper 3.8 (Debian's package) as a child process for tests: a standalone
// server or an N-member ensemble on free loopback ports, each in its own temp dir.
//
//   const zk = await start({ admin: true });          // standalone
//   const ens = await startEnsemble(3);                // 3 participants
//   await ens.members[0]!.kill(); await ens.members[0]!.restart();
//   await zk.stop(); await ens.stop();                 // kill by PID, remove temp dirs
//
// Readiness is observed, not slept for: start() returns once `srvr` on the client port
// answers with a Mode line (the server is serving requests).
import { reservePort } from '../../src/lab/ports';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JAVA, requireAll, ZK_ADMIN_JARS, ZK_JARS } from './needs';

const JAVA_DIR = '/usr/share/java';
/**
 * zookeeper.jar's manifest Class-Path carries its own dependencies (netty, jetty server and
 * servlet, jackson, commons-cli, slf4j-api...). What it lacks: an slf4j binding (so logs are
 * visible), and the Jetty pieces the AdminServer needs at runtime.
 */
const BASE_JARS = ['zookeeper.jar', 'slf4j-simple.jar'];
const ADMIN_JARS = [
  'jetty9-server.jar',
  'jetty9-servlet.jar',
  'jetty9-http.jar',
  'jetty9-util.jar',
  'jetty9-io.jar',
  'jetty9-security.jar',
  'jetty9-util-ajax.jar',
  'servlet-api.jar',
  'jackson-core.jar',
  'jackson-databind.jar',
  'jackson-annotations.jar',
];
const MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
const LOG_TAIL_LINES = 300;

/** Options shared by start() and startEnsemble(). */
export interface RealZkOptions {
  /** tickTime in ms (default 2000, ZooKeeper's). Session timeouts are clamped to [2, 20] ticks. */
  tickTime?: number;
  /** Start the Jetty AdminServer on a free port (default false). */
  admin?: boolean;
  /** zookeeper.extendedTypesEnabled=true: TTL nodes (default false). */
  extendedTypes?: boolean;
  /**
   * readonlymode.enabled=true: a member cut off from its quorum serves reads (default false).
   * Also sets localSessionsEnabled=true (without it 3.8 answers a new read-only session with
   * a NOTREADONLY reply header instead of a ConnectResponse, and no client can connect) and
   * localSessionsUpgradingEnabled=true (so sessions that create ephemerals become global).
   */
  readOnly?: boolean;
  /** Extra zoo.cfg lines, key -> value (written after ours, so they win). */
  config?: Record<string, string | number | boolean>;
  /** Extra JVM system properties (-Dkey=value). */
  systemProperties?: Record<string, string>;
  /** How long to wait for the server to serve (default 60 s). */
  startTimeoutMs?: number;
  /** slf4j-simple log level: trace, debug, info, warn, error (default info). */
  logLevel?: string;
  /**
   * Log through log4j 1.2 (Debian's slf4j-log4j12 binding) in ZooKeeper 3.8's own layout
   * (LOG4J_PATTERN), at `zookeeper.root.logger` = `<logLevel>,CONSOLE`, instead of slf4j-simple.
   */
  log4j?: boolean;
}

/** ZooKeeper 3.8's conf/logback.xml pattern, as log4j 1.2 writes it. */
export const LOG4J_PATTERN = '%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n';
const LOG4J_JARS = ['zookeeper.jar', 'slf4j-log4j12.jar', 'log4j-1.2.jar'];

/** A running ZooKeeper server process (standalone or one ensemble member). */
export interface RealZk {
  /** 127.0.0.1:clientPort — for an ensemble member only this member. */
  readonly connectString: string;
  readonly clientPort: number;
  /** AdminServer HTTP port, or 0 when the AdminServer is off. */
  readonly adminPort: number;
  /** PID of the running JVM (0 while killed). */
  readonly pid: number;
  readonly dataDir: string;
  /** myid (1 for standalone). */
  readonly myid: number;
  /** The last lines the JVM logged, for failure messages. */
  log(): string;
  /** Stops the JVM (SIGTERM, then SIGKILL) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** An ensemble member that can be crashed and brought back with its dataDir intact. */
export interface RealZkMember extends RealZk {
  readonly quorumPort: number;
  readonly electionPort: number;
  /** SIGKILL the JVM and wait for it to exit; dataDir is kept. */
  kill(): Promise<void>;
  /** Start the JVM again on the same ports and dataDir; resolves once it serves. */
  restart(opts?: { waitServing?: boolean }): Promise<void>;
  /** True while the JVM is running. */
  readonly running: boolean;
}

export interface RealEnsemble {
  /** Every member's 127.0.0.1:clientPort, comma-separated, in myid order. */
  readonly connectString: string;
  readonly members: RealZkMember[];
  /** The member whose srvr says Mode: leader right now (polls until there is one). */
  leader(timeoutMs?: number): Promise<RealZkMember>;
  /** Stops every member and removes the ensemble's temp dir. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // If the test runner dies between start and stop, do not leave JVMs behind.
    process.once('exit', () => {
      for (const c of live) if (c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
    });
  }
}

/**
 * Test servers listen below the kernel's ephemeral port range (Linux 32768-60999; macOS and
 * Windows 49152-65535). A port in that range can be taken, while its server is down between a
 * kill and a restart, by the source port of any outgoing connection on the machine or by any
 * listen(0): a five-member test once found a member's client port "in use by another program"
 * when it restarted it 18 s after a kill, with the suite's other tests connecting all the while.
 * Below the range only another test picking the same port at random could: each chosen port is
 * reserved in the folder the lab's own ports use (src/lab/ports.ts), which other processes skip.
 * The lab's own ports are 20000-32700 (src/lab/ports.ts), so the tests' servers stay under them.
 */
const PORT_LOW = 10_000;
const PORT_HIGH = 19_999;

/** Binds 127.0.0.1:port, or resolves null where it is taken. */
function tryBind(port: number): Promise<import('node:net').Server | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(srv));
  });
}

/** A free TCP port on 127.0.0.1, below the ephemeral range. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Several distinct free ports at once (held together so they cannot collide), below the ephemeral range. */
export async function freePorts(n: number): Promise<number[]> {
  const held: import('node:net').Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < n; tries++) {
      if (tries > 2000) throw new Error(`no ${n} free ports between ${PORT_LOW} and ${PORT_HIGH}`);
      const port = PORT_LOW + Math.floor(Math.random() * (PORT_HIGH - PORT_LOW + 1));
      if (ports.includes(port)) continue;
      const srv = await tryBind(port);
      if (srv === null) continue;
      held.push(srv);
      // Another test file's server (a parallel worker) may have picked the same port and not bound it yet.
      if (!reservePort(port)) continue;
      ports.push(port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
  return ports;
}

/** Sends a four-letter word to host:port and returns the whole answer (the server closes). */
export function fourLetter(host: string, port: number, cmd: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${cmd} to ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(cmd));
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** The srvr Mode (standalone, leader, follower, observer, read-only) or null if not serving. */
export async function serverMode(port: number, host = '127.0.0.1'): Promise<string | null> {
  try {
    const out = await fourLetter(host, port, 'srvr', 2000);
    const m = /^Mode: (\S+)/m.exec(out);
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}

function classpath(admin: boolean, log4j: boolean): string {
  return [...(log4j ? LOG4J_JARS : BASE_JARS), ...(admin ? ADMIN_JARS : [])].map((j) => join(JAVA_DIR, j)).join(':');
}

function cfgText(lines: Record<string, string | number | boolean>): string {
  return Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

interface ProcSpec {
  dir: string;
  cfgPath: string;
  admin: boolean;
  opts: RealZkOptions;
  clientPort: number;
}

/** One JVM's life: spawn, collect its log tail, wait for serving, stop. */
class ZkProcess {
  child: ChildProcess | null = null;
  private tail: string[] = [];
  private partial = '';

  constructor(private readonly spec: ProcSpec) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return [...this.tail, this.partial].join('\n');
  }

  private collect(d: Buffer): void {
    const text = this.partial + d.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.tail.push(l);
    if (this.tail.length > LOG_TAIL_LINES) this.tail.splice(0, this.tail.length - LOG_TAIL_LINES);
  }

  spawn(): void {
    const { opts } = this.spec;
    const props: Record<string, string> = {
      'org.slf4j.simpleLogger.defaultLogLevel': opts.logLevel ?? 'info',
      'org.slf4j.simpleLogger.showDateTime': 'true',
      'zookeeper.admin.enableServer': String(this.spec.admin),
      ...(opts.extendedTypes ? { 'zookeeper.extendedTypesEnabled': 'true' } : {}),
      ...(opts.readOnly ? { 'readonlymode.enabled': 'true' } : {}),
      ...(opts.log4j ? this.log4jProps() : {}),
      ...(opts.systemProperties ?? {}),
    };
    const args = [
      // Small, quick-starting JVMs: tests run several on two shared cores.
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Xshare:auto',
      ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`),
      '-cp',
      classpath(this.spec.admin, opts.log4j ?? false),
      MAIN_CLASS,
      this.spec.cfgPath,
    ];
    const child = spawn('java', args, { cwd: this.spec.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => this.collect(d));
    child.stderr!.on('data', (d: Buffer) => this.collect(d));
    child.on('error', (e) => this.collect(Buffer.from(`spawn error: ${e.message}\n`)));
    trackChild(child);
    this.child = child;
  }

  /** log4j.properties beside zoo.cfg (the root logger from -Dzookeeper.root.logger, as Debian's). */
  private log4jProps(): Record<string, string> {
    const file = join(this.spec.dir, 'log4j.properties');
    writeFileSync(
      file,
      [
        'log4j.rootLogger=${zookeeper.root.logger}',
        'log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender',
        'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout',
        `log4j.appender.CONSOLE.layout.ConversionPattern=${LOG4J_PATTERN}`,
      ].join('\n') + '\n',
    );
    return { 'log4j.configuration': `file:${file}`, 'zookeeper.root.logger': `${(this.spec.opts.logLevel ?? 'info').toUpperCase()},CONSOLE` };
  }

  /** Resolves once srvr answers with a Mode line; rejects if the JVM exits first. */
  async waitServing(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let delay = 50;
    for (;;) {
      if (!this.running) {
        throw new Error(`ZooKeeper (port ${this.spec.clientPort}) exited before serving:\n${this.log()}`);
      }
      const mode = await serverMode(this.spec.clientPort);
      if (mode !== null) return mode;
      if (Date.now() > deadline) {
        throw new Error(`ZooKeeper (port ${this.spec.clientPort}) not serving after ${timeoutMs} ms:\n${this.log()}`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 500);
    }
  }

  /** Sends `signal`, escalates to SIGKILL after `graceMs`, resolves when the JVM is gone. */
  async terminate(signal: NodeJS.Signals, graceMs = 5000): Promise<void> {
    const child = this.child;
    if (child === null) return;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(child.pid!, signal);
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    this.child = null;
  }
}

function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts a standalone ZooKeeper 3.8 on free loopback ports; resolves once it serves. */
export async function start(opts: RealZkOptions = {}): Promise<RealZk> {
  requireAll(JAVA, ZK_JARS, ...(opts.admin ? [ZK_ADMIN_JARS] : []));
  const dir = makeTempDir('realzk-');
  try {
    const admin = opts.admin ?? false;
    const [clientPort, adminPort] = await freePorts(2);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const cfgPath = join(dir, 'zoo.cfg');
    writeFileSync(
      cfgPath,
      cfgText({
        tickTime: opts.tickTime ?? 2000,
        dataDir,
        clientPort: clientPort!,
        clientPortAddress: '127.0.0.1',
        maxClientCnxns: 0,
        '4lw.commands.whitelist': '*',
        'admin.enableServer': admin,
        ...(admin ? { 'admin.serverAddress': '127.0.0.1', 'admin.serverPort': adminPort! } : {}),
        ...(opts.config ?? {}),
      }),
    );
    const proc = new ZkProcess({ dir, cfgPath, admin, opts, clientPort: clientPort! });
    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      await proc.terminate('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    };
    proc.spawn();
    try {
      await proc.waitServing(opts.startTimeoutMs ?? 60_000);
    } catch (e) {
      await stop();
      throw e;
    }
    return {
      connectString: `127.0.0.1:${clientPort}`,
      clientPort: clientPort!,
      adminPort: admin ? adminPort! : 0,
      get pid() {
        return proc.pid;
      },
      dataDir,
      myid: 1,
      log: () => proc.log(),
      stop,
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Starts an N-member ensemble (myid 1..N, all participants); resolves once all serve. */
export async function startEnsemble(size: number, opts: RealZkOptions = {}): Promise<RealEnsemble> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`ensemble size must be a positive integer, got ${size}`);
  requireAll(JAVA, ZK_JARS, ...(opts.admin ? [ZK_ADMIN_JARS] : []));
  const dir = makeTempDir('realzk-ens-');
  const admin = opts.admin ?? false;
  const ports = await freePorts(size * 4);
  const layout = Array.from({ length: size }, (_, i) => ({
    myid: i + 1,
    clientPort: ports[i * 4]!,
    quorumPort: ports[i * 4 + 1]!,
    electionPort: ports[i * 4 + 2]!,
    adminPort: ports[i * 4 + 3]!,
  }));
  const serverLines: Record<string, string> = {};
  for (const m of layout) {
    serverLines[`server.${m.myid}`] = `127.0.0.1:${m.quorumPort}:${m.electionPort}`;
  }
  const procs: ZkProcess[] = [];
  const members: RealZkMember[] = layout.map((m) => {
    const memberDir = join(dir, `node${m.myid}`);
    const dataDir = join(memberDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'myid'), `${m.myid}\n`);
    const cfgPath = join(memberDir, 'zoo.cfg');
    writeFileSync(
      cfgPath,
      cfgText({
        tickTime: opts.tickTime ?? 2000,
        initLimit: 10,
        syncLimit: 5,
        dataDir,
        clientPort: m.clientPort,
        clientPortAddress: '127.0.0.1',
        maxClientCnxns: 0,
        '4lw.commands.whitelist': '*',
        'admin.enableServer': admin,
        ...(admin ? { 'admin.serverAddress': '127.0.0.1', 'admin.serverPort': m.adminPort } : {}),
        ...serverLines,
        ...(opts.readOnly ? { localSessionsEnabled: true, localSessionsUpgradingEnabled: true } : {}),
        ...(opts.config ?? {}),
      }),
    );
    const proc = new ZkProcess({ dir: memberDir, cfgPath, admin, opts, clientPort: m.clientPort });
    procs.push(proc);
    const member: RealZkMember = {
      connectString: `127.0.0.1:${m.clientPort}`,
      clientPort: m.clientPort,
      adminPort: admin ? m.adminPort : 0,
      quorumPort: m.quorumPort,
      electionPort: m.electionPort,
      get pid() {
        return proc.pid;
      },
      get running() {
        return proc.running;
      },
      dataDir,
      myid: m.myid,
      log: () => proc.log(),
      stop: () => proc.terminate('SIGTERM'),
      kill: () => proc.terminate('SIGKILL'),
      async restart(o = {}) {
        if (proc.running) throw new Error(`member ${m.myid} is still running; kill() it first`);
        proc.spawn();
        if (o.waitServing ?? true) await proc.waitServing(opts.startTimeoutMs ?? 60_000);
      },
    };
    return member;
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(procs.map((p) => p.terminate('SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of procs) p.spawn();
    await Promise.all(procs.map((p) => p.waitServing(opts.startTimeoutMs ?? 90_000)));
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    connectString: members.map((m) => m.connectString).join(','),
    members,
    async leader(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const m of members) {
          if (m.running && (await serverMode(m.clientPort)) === 'leader') return m;
        }
        if (Date.now() > deadline) throw new Error(`no leader after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}

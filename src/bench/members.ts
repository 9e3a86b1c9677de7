// The servers under test as child processes: our members (node dist/server/main.js) and
// Apache ZooKeeper 3.8's (java, Debian's jars), standalone or as an ensemble, each member with
// its own zoo.cfg and dataDir written from the same values, so both run the same configuration.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cpuSeconds, memoryOf } from './procfs';

export type Impl = 'ours' | 'zookeeper';

export const IMPL_NAMES: Record<Impl, string> = { ours: 'ours', zookeeper: 'ZooKeeper 3.8' };

const ROOT = resolve(__dirname, '..', '..');
const JAVA_DIR = '/usr/share/java';
/** zookeeper.jar's manifest brings netty, jackson and the rest; these add logging and Jetty (AdminServer). */
const ZK_JARS = [
  'zookeeper.jar', 'slf4j-simple.jar', 'jetty9-server.jar', 'jetty9-servlet.jar', 'jetty9-http.jar', 'jetty9-util.jar',
  'jetty9-io.jar', 'jetty9-security.jar', 'jetty9-util-ajax.jar', 'servlet-api.jar', 'jackson-core.jar',
  'jackson-databind.jar', 'jackson-annotations.jar',
];

export interface ClusterOptions {
  impl: Impl;
  /** 1: standalone; more: an ensemble of participants. */
  servers: number;
  /** ZooKeeper's JVM heap, e.g. '1g' (zkServer.sh's default is 1000m). */
  zkHeap: string;
  /** zoo.cfg values both sides get besides ports and dirs. */
  config: Record<string, string | number | boolean>;
  /** Extra node flags for our members (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** Where temp dirs go (the disk under test). */
  baseDir?: string;
}

/** A free TCP port on 127.0.0.1, several at once so they cannot collide. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<Server>((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => res(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** Sends a four-letter word and returns the answer ('' when the member does not answer). */
export function fourLetter(port: number, word: string, timeoutMs = 3000): Promise<string> {
  return new Promise((res) => {
    const sock = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('connect', () => sock.write(word));
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      res(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** mntr as a key -> value map (keys without the zk_ prefix). */
export async function mntr(port: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const line of (await fourLetter(port, 'mntr')).split('\n')) {
    const m = /^zk_(\S+)\s+(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** srvr's Mode (standalone, leader, follower) or null when the member does not serve. */
export async function modeOf(port: number): Promise<string | null> {
  return /^Mode: (\S+)/m.exec(await fourLetter(port, 'srvr', 1500))?.[1] ?? null;
}

/** One member: its ports, files and process. */
export class Member {
  child: ChildProcess | null = null;
  private output: string[] = [];
  private outputBytes = 0;
  /** Listeners for output lines (e.g. the snapshot log line). */
  readonly lineListeners: ((line: string) => void)[] = [];
  private partial = '';

  constructor(
    readonly impl: Impl,
    readonly myid: number,
    readonly clientPort: number,
    readonly adminPort: number,
    readonly dir: string,
    readonly dataDir: string,
    readonly cfgPath: string,
    private readonly command: () => { cmd: string; args: string[] },
  ) {}

  get pid(): number {
    return this.running ? this.child!.pid! : 0;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last output lines, for error messages. */
  log(): string {
    return this.output.join('') + this.partial;
  }

  spawn(): void {
    const { cmd, args } = this.command();
    const child = spawn(cmd, args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (b: Buffer): void => {
      const text = this.partial + b.toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const l of lines) {
        for (const f of this.lineListeners) f(l);
        this.output.push(l + '\n');
        this.outputBytes += l.length + 1;
      }
      while (this.outputBytes > 100_000 && this.output.length > 1) this.outputBytes -= this.output.shift()!.length;
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (e) => this.output.push(`spawn error: ${e.message}\n`));
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.child = child;
  }

  /** SIGKILL and wait for the exit (dataDir kept). */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM (a clean shutdown: a node --cpu-prof profile is written), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    await this.signal('SIGTERM');
    clearTimeout(timer);
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(sig);
    await exited;
  }

  /** CPU seconds used so far (0 when not running). */
  cpuSeconds(): number {
    return this.running ? cpuSeconds(this.pid) : 0;
  }

  memory(): { rss: number; peak: number } {
    return this.running ? memoryOf(this.pid) : { rss: 0, peak: 0 };
  }

  mode(): Promise<string | null> {
    return modeOf(this.clientPort);
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
});

/** Members of one implementation with their temp dir. */
export class Cluster {
  private constructor(
    readonly impl: Impl,
    readonly root: string,
    readonly members: Member[],
  ) {}

  /** Writes zoo.cfg, myid and dataDir for every member; starts nothing. */
  static async create(o: ClusterOptions): Promise<Cluster> {
    const root = mkdtempSync(join(o.baseDir ?? tmpdir(), `zkbench-${o.impl}-`));
    const ports = await freePorts(o.servers * 4);
    const layout = Array.from({ length: o.servers }, (_, i) => ({
      myid: i + 1,
      client: ports[i * 4]!,
      admin: ports[i * 4 + 1]!,
      quorum: ports[i * 4 + 2]!,
      election: ports[i * 4 + 3]!,
    }));
    const serverLines = o.servers > 1 ? layout.map((s) => `server.${s.myid}=127.0.0.1:${s.quorum}:${s.election};127.0.0.1:${s.client}`) : [];
    const members = layout.map((s) => {
      const dir = join(root, `node${s.myid}`);
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      if (o.servers > 1) writeFileSync(join(dataDir, 'myid'), `${s.myid}\n`);
      const cfg: Record<string, string | number | boolean> = {
        tickTime: 2000,
        initLimit: 10,
        syncLimit: 5,
        dataDir,
        clientPort: s.client,
        clientPortAddress: '127.0.0.1',
        maxClientCnxns: 0,
        '4lw.commands.whitelist': '*',
        'admin.enableServer': true,
        'admin.serverAddress': '127.0.0.1',
        'admin.serverPort': s.admin,
        forceSync: 'yes',
        ...o.config,
      };
      const cfgPath = join(dir, 'zoo.cfg');
      writeFileSync(cfgPath, Object.entries(cfg).map(([k, v]) => `${k}=${v}`).join('\n') + '\n' + serverLines.map((l) => l + '\n').join(''));
      const command = (): { cmd: string; args: string[] } =>
        o.impl === 'ours'
          ? { cmd: process.execPath, args: [...(o.nodeFlags ?? []), join(ROOT, 'dist', 'server', 'main.js'), cfgPath] }
          : {
              cmd: 'java',
              args: [
                `-Xmx${o.zkHeap}`,
                '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
                '-Dzookeeper.admin.enableServer=true',
                '-cp',
                ZK_JARS.map((j) => join(JAVA_DIR, j)).join(':'),
                'org.apache.zookeeper.server.quorum.QuorumPeerMain',
                cfgPath,
              ],
            };
      return new Member(o.impl, s.myid, s.client, s.admin, dir, dataDir, cfgPath, command);
    });
    return new Cluster(o.impl, root, members);
  }

  get connectString(): string {
    return this.members.map((m) => `127.0.0.1:${m.clientPort}`).join(',');
  }

  /** Spawns every member at once. */
  spawnAll(): void {
    for (const m of this.members) m.spawn();
  }

  /** Waits until every running member says a Mode (and, in an ensemble, one is leader). */
  async waitServing(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const m of this.members) {
        if (m.child && !m.running) throw new Error(`${IMPL_NAMES[this.impl]} member ${m.myid} exited while starting:\n${m.log().slice(-3000)}`);
      }
      const modes = await Promise.all(this.members.filter((m) => m.running).map((m) => m.mode()));
      const ready = modes.every((x) => x !== null) && (this.members.length === 1 || modes.filter((x) => x === 'leader').length === 1);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`${IMPL_NAMES[this.impl]} members did not all serve within ${timeoutMs} ms (modes ${modes.join(', ')})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The member that says Mode: leader (the only member when standalone). */
  async leader(timeoutMs = 60_000): Promise<Member> {
    if (this.members.length === 1) return this.members[0]!;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const m of this.members) if (m.running && (await m.mode()) === 'leader') return m;
      if (Date.now() > deadline) throw new Error(`no ${IMPL_NAMES[this.impl]} leader within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Total CPU seconds of the running members. */
  cpuSeconds(): number {
    return this.members.reduce((a, m) => a + m.cpuSeconds(), 0);
  }

  /** Stops every member (SIGTERM) and removes the temp dir. */
  async destroy(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()));
    rmSync(this.root, { recursive: true, force: true });
  }
}

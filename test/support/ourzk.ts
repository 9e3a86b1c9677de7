// Our server (bin/zk-server) as a real child process for tests, with the same shape as
// realzk.ts so a suite can run against both:
//
//   const zk = await start({ tickTime: 500 });
//   ... connect to zk.connectString ...
//   await zk.kill(); await zk.restart();   // SIGKILL and start again on the same dataDir
//   await zk.stop();                       // SIGTERM (then SIGKILL), temp dir removed
//
// Readiness is observed (srvr answers with a Mode line), never slept for.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { caughtUp } from './caught-up';
import { freePorts, serverMode } from './realzk';

export { freePort, freePorts, fourLetter, serverMode } from './realzk';

const ROOT = resolve(__dirname, '..', '..');
export const ZK_SERVER_BIN = join(ROOT, 'bin', 'zk-server');

export interface OurZkOptions {
  tickTime?: number;
  /** Start the AdminServer on a free port (default true). */
  admin?: boolean;
  extendedTypes?: boolean;
  /**
   * readonlymode.enabled=true (in zoo.cfg for ours): a member cut off from its quorum serves
   * read-only clients. Also writes localSessionsEnabled and localSessionsUpgradingEnabled, as
   * realzk.ts does for Apache's members; ours makes read-only sessions local either way.
   */
  readOnly?: boolean;
  /** Extra zoo.cfg lines. */
  config?: Record<string, string | number | boolean>;
  /** Extra environment for the server process (e.g. ZOO_LOG4J_PROP). */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface OurZk {
  readonly connectString: string;
  readonly clientPort: number;
  readonly adminPort: number;
  readonly pid: number;
  readonly dataDir: string;
  readonly dir: string;
  readonly cfgPath: string;
  readonly myid: number;
  readonly running: boolean;
  log(): string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
});

/** Polls `probe` until it returns true or the time is up (a condition, not a sleep). */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 250);
  }
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Starts one standalone member of ours. */
export async function start(opts: OurZkOptions = {}): Promise<OurZk> {
  const dir = mkdtempSync(join(tmpdir(), 'ourzk-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const [clientPort, adminPort] = await freePorts(2);
  const lines: Record<string, string | number | boolean> = {
    tickTime: opts.tickTime ?? 2000,
    dataDir,
    clientPort: clientPort!,
    clientPortAddress: '127.0.0.1',
    '4lw.commands.whitelist': '*',
    'admin.enableServer': opts.admin ?? true,
    'admin.serverAddress': '127.0.0.1',
    'admin.serverPort': adminPort!,
    maxClientCnxns: 0,
    ...(opts.extendedTypes ? { extendedTypesEnabled: true } : {}),
    ...(opts.config ?? {}),
  };
  const cfgPath = join(dir, 'zoo.cfg');
  writeFileSync(cfgPath, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  let child: ChildProcess | null = null;
  let output = '';

  const launch = async (): Promise<void> => {
    const c = spawn(ZK_SERVER_BIN, [cfgPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    child = c;
    live.add(c);
    c.once('exit', () => live.delete(c));
    const onData = (b: Buffer): void => {
      output += b.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    c.stdout!.on('data', onData);
    c.stderr!.on('data', onData);
    await waitFor(
      async () => {
        if (c.exitCode !== null) throw new Error(`zk-server exited with ${c.exitCode} while starting:\n${output}`);
        return (await serverMode(clientPort!)) !== null;
      },
      opts.startTimeoutMs ?? 30_000,
      `our server on port ${clientPort} to serve`,
    );
  };
  try {
    await launch();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const handle: OurZk = {
    connectString: `127.0.0.1:${clientPort}`,
    clientPort: clientPort!,
    adminPort: opts.admin === false ? 0 : adminPort!,
    get pid() {
      return child?.exitCode === null ? (child.pid ?? 0) : 0;
    },
    dataDir,
    dir,
    cfgPath,
    myid: 1,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    log: () => output,
    async kill() {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await waitExit(child);
      }
    },
    async restart() {
      await handle.kill();
      await launch();
    },
    async stop() {
      if (child && child.exitCode === null && child.signalCode === null) {
        const c = child;
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        await waitExit(c);
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}



export interface OurMember extends OurZk {
  readonly sid: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  /** srvr's Mode line (leader, follower, observer) or null when not serving. */
  mode(): Promise<string | null>;
  /** srvr's Zxid, or null when not serving. */
  zxid(): Promise<bigint | null>;
  /** srvr's Mode and Zxid from one srvr (nulls when not serving). */
  srvr(): Promise<{ mode: string | null; zxid: bigint | null }>;
  /** The member's event log from its AdminServer (lab_events). */
  events(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** Start the process (again) on the same ports and dataDir without waiting for it to serve. */
  launch(): Promise<void>;
}

export interface OurEnsemble {
  readonly connectString: string;
  readonly members: OurMember[];
  /** The member that says Mode: leader (waits until there is exactly one among running members). */
  leader(timeoutMs?: number): Promise<OurMember>;
  /** Waits until every running member serves at the same zxid (or a leader at 0x<epoch>00000000 whose learners serve in its epoch); returns it. */
  converged(timeoutMs?: number): Promise<bigint>;
  stop(): Promise<void>;
}

/** The currentEpoch file of a member's dataDir, or null before it has one. */
function currentEpochOf(dataDir: string): bigint | null {
  try {
    return BigInt(readFileSync(join(dataDir, 'version-2', 'currentEpoch'), 'utf8').trim());
  } catch {
    return null;
  }
}

async function srvrOf(port: number): Promise<{ mode: string | null; zxid: bigint | null }> {
  try {
    const { fourLetter } = await import('./realzk');
    const out = await fourLetter('127.0.0.1', port, 'srvr', 2000);
    const mode = /Mode: (\S+)/.exec(out)?.[1] ?? null;
    const z = mode === null ? undefined : /Zxid: 0x([0-9a-f]+)/.exec(out)?.[1];
    return { mode, zxid: z === undefined ? null : BigInt(`0x${z}`) };
  } catch {
    return { mode: null, zxid: null };
  }
}

/**
 * Starts an ensemble of our members (one process each). With `oneByOne`, each member is started
 * only once the previous one answers on its AdminServer, as the seed's first election example does.
 */
export async function startEnsemble(size: number, opts: OurZkOptions & { oneByOne?: boolean; observers?: number[] } = {}): Promise<OurEnsemble> {
  const root = mkdtempSync(join(tmpdir(), 'ourens-'));
  const ports = await freePorts(size * 4);
  const servers = Array.from({ length: size }, (_, i) => ({
    sid: i + 1,
    client: ports[i * 4]!,
    admin: ports[i * 4 + 1]!,
    quorum: ports[i * 4 + 2]!,
    election: ports[i * 4 + 3]!,
  }));
  const serverLines = servers.map((s) => `server.${s.sid}=127.0.0.1:${s.quorum}:${s.election}${opts.observers?.includes(s.sid) ? ':observer' : ''};127.0.0.1:${s.client}`);
  const members: OurMember[] = [];
  for (const s of servers) {
    const dir = join(root, `node${s.sid}`);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'myid'), `${s.sid}\n`);
    const lines: Record<string, string | number | boolean> = {
      tickTime: opts.tickTime ?? 200,
      initLimit: 10,
      syncLimit: 5,
      dataDir,
      clientPort: s.client,
      clientPortAddress: '127.0.0.1',
      '4lw.commands.whitelist': '*',
      'admin.serverAddress': '127.0.0.1',
      'admin.serverPort': s.admin,
      maxClientCnxns: 0,
      ...(opts.extendedTypes ? { extendedTypesEnabled: true } : {}),
      ...(opts.readOnly ? { 'readonlymode.enabled': true, localSessionsEnabled: true, localSessionsUpgradingEnabled: true } : {}),
      ...(opts.config ?? {}),
    };
    const cfgPath = join(dir, 'zoo.cfg');
    writeFileSync(cfgPath, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n' + serverLines.join('\n') + '\n');
    let child: ChildProcess | null = null;
    let output = '';
    const launch = async (): Promise<void> => {
      const c = spawn(ZK_SERVER_BIN, [cfgPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      live.add(c);
      c.once('exit', () => live.delete(c));
      const onData = (b: Buffer): void => {
        output += b.toString();
        if (output.length > 400_000) output = output.slice(-200_000);
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', onData);
      await waitFor(
        async () => {
          if (c.exitCode !== null) throw new Error(`zk-server ${s.sid} exited with ${c.exitCode}:\n${output}`);
          try {
            return (await fetch(`http://127.0.0.1:${s.admin}/commands/zabstate`)).ok;
          } catch {
            return false;
          }
        },
        opts.startTimeoutMs ?? 30_000,
        `member ${s.sid} to open its AdminServer`,
      );
    };
    const m: OurMember = {
      sid: s.sid,
      quorumPort: s.quorum,
      electionPort: s.election,
      connectString: `127.0.0.1:${s.client}`,
      clientPort: s.client,
      adminPort: s.admin,
      get pid() {
        return child?.exitCode === null ? (child.pid ?? 0) : 0;
      },
      dataDir,
      dir,
      cfgPath,
      myid: s.sid,
      get running() {
        return child !== null && child.exitCode === null && child.signalCode === null;
      },
      log: () => output,
      launch,
      async kill() {
        if (child && child.exitCode === null && child.signalCode === null) {
          const c = child;
          c.kill('SIGKILL');
          await waitExit(c);
        }
      },
      async restart() {
        await m.kill();
        await launch();
      },
      async stop() {
        if (child && child.exitCode === null && child.signalCode === null) {
          const c = child;
          c.kill('SIGTERM');
          const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
          await waitExit(c);
          clearTimeout(timer);
        }
      },
      async mode() {
        return (await srvrOf(s.client)).mode;
      },
      async zxid() {
        return (await srvrOf(s.client)).zxid;
      },
      srvr() {
        return srvrOf(s.client);
      },
      async events() {
        const r = await (await fetch(`http://127.0.0.1:${s.admin}/commands/lab_events`)).json();
        return r.events;
      },
    };
    members.push(m);
  }
  if (opts.oneByOne) {
    for (const m of members) await m.launch();
  } else {
    await Promise.all(members.map((m) => m.launch()));
  }
  const ensemble: OurEnsemble = {
    connectString: members.map((m) => m.connectString).join(','),
    members,
    async leader(timeoutMs = 30_000) {
      let found: OurMember | null = null;
      await waitFor(
        async () => {
          const modes = await Promise.all(members.map(async (m) => (m.running ? await m.mode() : null)));
          const leaders = members.filter((_, i) => modes[i] === 'leader');
          found = leaders.length === 1 ? leaders[0]! : null;
          return found !== null;
        },
        timeoutMs,
        'exactly one leader',
      );
      return found!;
    },
    async converged(timeoutMs = 30_000) {
      let z = 0n;
      let last: (bigint | null)[] = [];
      try {
        await waitFor(
          async () => {
            const running = members.filter((m) => m.running);
            const states = await Promise.all(running.map((m) => m.srvr()));
            const zs = states.map((x) => x.zxid);
            last = zs;
            if (zs.some((x) => x === null)) return false;
            z = zs[0]!;
            if (zs.every((x) => x === z)) return true;
            const leaders = states.filter((x) => x.mode === 'leader');
            if (leaders.length !== 1) return false;
            z = leaders[0]!.zxid!;
            return running.every((m, i) => caughtUp(zs[i]!, currentEpochOf(m.dataDir), z));
          },
          timeoutMs,
          'every running member to serve at the same zxid',
        );
      } catch (e) {
        // Say which member lagged and what it last logged: a timeout alone cannot be debugged.
        const running = members.filter((m) => m.running);
        const detail = running.map((m, i) => `member ${m.sid}: ${last[i] === null || last[i] === undefined ? 'not serving' : `zxid 0x${last[i]!.toString(16)}`}\n${m.log().split('\n').slice(-15).join('\n')}`).join('\n---\n');
        throw new Error(`${(e as Error).message}\n${detail}`);
      }
      return z;
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
  return ensemble;
}

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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts, serverMode } from './realzk';

export { freePort, freePorts, fourLetter, serverMode } from './realzk';

const ROOT = resolve(__dirname, '..', '..');
export const ZK_SERVER_BIN = join(ROOT, 'bin', 'zk-server');

export interface OurZkOptions {
  tickTime?: number;
  /** Start the AdminServer on a free port (default true). */
  admin?: boolean;
  extendedTypes?: boolean;
  /** Extra zoo.cfg lines. */
  config?: Record<string, string | number | boolean>;
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
    const c = spawn(ZK_SERVER_BIN, [cfgPath], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  await launch();

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



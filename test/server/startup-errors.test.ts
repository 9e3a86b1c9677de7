// bin/zk-server refuses what it cannot run with one sentence on stderr and exit status 1, at
// once: an unusable dataDir or dataLogDir (under /proc, Node's own recursive mkdir spun forever
// at full CPU, printing nothing), a dataDir that is a file, a client port in use.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs, OUR_BUILD } from '../support/needs';
import { freePort, ZK_SERVER_BIN } from '../support/ourzk';

let dir: string;
/** Servers still running: a hung one (the bug this guards against) is killed by PID in afterAll. */
const live = new Set<number>();

/** Runs bin/zk-server on a zoo.cfg with these lines until it exits (killed by PID if the test ends first). */
async function run(lines: Record<string, string | number>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const cfg = join(dir, `zoo-${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(cfg, Object.entries({ tickTime: 2000, ...lines }).map(([k, v]) => `${k}=${v}\n`).join(''));
  const child = spawn(ZK_SERVER_BIN, [cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) live.add(child.pid);
  child.once('exit', () => child.pid && live.delete(child.pid));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { status, stdout, stderr };
}

describe('bin/zk-server refuses an unusable setup with one sentence', needs(OUR_BUILD), () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zk-startup-'));
  });
  afterAll(() => {
    for (const pid of live) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(process.platform !== 'linux')('a dataDir under /proc', async () => {
    const r = await run({ dataDir: '/proc/nc-nope', clientPort: await freePort() });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('zk-server: dataDir /proc/nc-nope is not usable (ENOENT); make it a writable directory or point dataDir in zoo.cfg elsewhere.\n');
  });

  it.skipIf(process.platform !== 'linux')('a dataLogDir under /proc', async () => {
    const r = await run({ dataDir: join(dir, 'data'), dataLogDir: '/proc/nc-nope/log', clientPort: await freePort() });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^zk-server: dataLogDir \/proc\/nc-nope\/log is not usable \(ENOENT\); .*\n$/);
  });

  it('a dataDir that is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await run({ dataDir: file, clientPort: await freePort() });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`zk-server: dataDir ${file} is not usable (ENOTDIR); make it a writable directory or point dataDir in zoo.cfg elsewhere.\n`);
  });

  it('a client port in use', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await run({ dataDir: join(dir, 'data2'), clientPort: port, clientPortAddress: '127.0.0.1', 'admin.enableServer': 'false' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`zk-server: Client port 127.0.0.1:${port} is already in use by another program; stop it or choose another port in zoo.cfg.\n`);
    } finally {
      taken.close();
    }
  });
});

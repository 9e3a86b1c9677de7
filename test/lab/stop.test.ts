// Stopping `npm start` from every door stops everything the lab started, and says what it
// stopped: SIGTERM to the npm process (npm passes it to the shell it runs start.mjs under, which
// dies without passing it on, so start.mjs must notice), SIGHUP to the whole process group (the
// terminal closed) and Ctrl-C (SIGINT to the group). Real processes, checked by pid.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabView, TerminalInfo } from '../../src/shared/contract';
import { LAB_BUILD, needs } from '../support/needs';
import { waitFor } from '../support/ourzk';
import { alive, connectBackend, ROOT } from './backend';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** The parent pid of a live process (Linux). */
function ppidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function stopFrom(door: 'SIGTERM to npm' | 'SIGHUP to the group' | 'SIGINT to the group'): Promise<{ out: string; pids: number[] }> {
  const root = mkdtempSync(join(tmpdir(), 'zk-lab-stop-'));
  // detached: npm leads a process group of its own, as in a terminal, which the test can signal.
  const npm = spawn('npm', ['start', '--', '--browser', '--no-open'], { cwd: ROOT, detached: true, env: { ...process.env, ZK_LAB_DIR: root }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pids = new Set<number>([npm.pid!]);
  cleanup.push(() => {
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  });
  let out = '';
  npm.stdout.on('data', (d) => (out += d));
  npm.stderr.on('data', (d) => (out += d));
  await waitFor(() => /ZooKeeper Lab: http/.test(out), 60_000, `npm start to print the lab's address (it printed: ${out})`);
  const url = /ZooKeeper Lab: (http\S+)/.exec(out)![1]!;
  const lock = JSON.parse(readFileSync(join(root, 'default.lock'), 'utf8')) as { pid: number };
  const backend = await connectBackend(url, npm);
  const lab = await backend.call({ method: 'launch', size: 3, observers: 0, engines: 'ours' });
  const term = await backend.call({ method: 'terminal.open', myid: 1, kind: 'zkcli', cols: 80, rows: 24 });
  backend.close();
  const members = lab!.nodes.map((n) => n.pid!);
  // npm → sh → node scripts/start.mjs → node dist/web/main.js (the backend) → members
  const startMjs = ppidOf(lock.pid);
  for (const pid of [lock.pid, startMjs, ...members]) pids.add(pid);

  if (door === 'SIGTERM to npm') process.kill(npm.pid!, 'SIGTERM');
  else process.kill(-npm.pid!, door === 'SIGHUP to the group' ? 'SIGHUP' : 'SIGINT');
  await waitFor(() => [...pids].every((p) => !alive(p)), 30_000, `every process of the lab to end (${door}); still alive: ${[...pids].filter(alive).join(', ')}`);
  const stopped = /ZooKeeper Lab stopped \(.*\): (.*)\n/.exec(out);
  expect(stopped, out).not.toBeNull();
  const memberList = members.map((p, i) => `${i + 1} \\(pid ${p}\\)`).join(', ');
  const title = term.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^members ${memberList}; terminal "${title}" \\(pid (\\d+)\\); the backend \\(pid ${lock.pid}\\)\\.$`).exec(stopped![1]!);
  expect(m, stopped![1]).not.toBeNull();
  expect(alive(Number(m![1]))).toBe(false); // the zkCli shell's process
  return { out, pids: [...pids] };
}

describe('npm start stops everything it started, from every door', needs(LAB_BUILD), () => {
  it('SIGTERM to the npm process', { timeout: 120_000 }, async () => {
    const { out } = await stopFrom('SIGTERM to npm');
    expect(out).toMatch(/ZooKeeper Lab: the process that started it \(pid \d+\) went away; stopping the lab\./);
  });

  it('SIGHUP to the process group (the terminal closed)', { timeout: 120_000 }, async () => {
    const { out } = await stopFrom('SIGHUP to the group');
    expect(out).toMatch(/ZooKeeper Lab stopped \(SIGHUP\)/);
  });

  it('Ctrl-C (SIGINT to the process group)', { timeout: 120_000 }, async () => {
    const { out } = await stopFrom('SIGINT to the group');
    expect(out).toMatch(/ZooKeeper Lab stopped \(SIGINT\)/);
  });
});

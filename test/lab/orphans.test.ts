// No node outlives the lab unwatched: a clean stop of the backend takes its nodes along, and after
// a crash of the backend (SIGKILL, nothing runs on the way out) the next start adopts them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent, LabView } from '../../src/shared/contract';
import { needs, OUR_BUILD } from '../support/needs';
import { waitFor } from '../support/ourzk';
import { alive, BACKEND, startBackend, stopProcess, type Backend } from './backend';

const started: Backend[] = [];
const leftPids: number[] = [];
let labDir: string | null = null;

afterEach(async () => {
  for (const b of started.splice(0)) {
    b.close();
    await stopProcess(b.process);
  }
  for (const pid of leftPids.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  if (labDir) rmSync(labDir, { recursive: true, force: true });
  labDir = null;
});

async function launchOne(b: Backend): Promise<number> {
  await b.call({ method: 'launch', size: 1, observers: 0, engines: 'ours' });
  const view = await b.until((l) => l?.nodes[0]?.role === 'standalone', 30_000, 'the node to serve');
  const pid = view!.nodes[0]!.pid!;
  leftPids.push(pid);
  return pid;
}

describe('node processes never outlive the lab', needs(OUR_BUILD), () => {
  it('a SIGTERM to the backend stops its nodes', { timeout: 90_000 }, async () => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-orphans-'));
    const b = await startBackend(labDir);
    started.push(b);
    const pid = await launchOne(b);
    await stopProcess(b.process, 'SIGTERM');
    await waitFor(() => !alive(pid), 10_000, 'the node to die with the backend');
  });

  it('after a SIGKILL of the backend, its next start adopts the members still running, serves through them and can stop them', { timeout: 120_000 }, async () => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-orphans-'));
    const first = await startBackend(labDir);
    started.push(first);
    await first.call({ method: 'launch', size: 3, observers: 0, engines: 'ours' });
    const before = (await first.until((l) => !!l && l.nodes.filter((n) => n.role === 'leader').length === 1 && l.nodes.filter((n) => n.role === 'follower').length === 2, 60_000, 'a leader and two followers'))!;
    const pids = before.nodes.map((n) => n.pid!);
    leftPids.push(...pids);
    await stopProcess(first.process, 'SIGKILL');
    // Their own process groups kept the members alive through the crash.
    for (const pid of pids) expect(alive(pid)).toBe(true);

    const second = await startBackend(labDir);
    started.push(second);
    // The same processes, not new ones; with the lab's relays open again they form a quorum again.
    const after = (await second.until((l) => !!l && l.nodes.some((n) => n.role === 'leader') && l.nodes.filter((n) => n.role === 'follower').length === 2, 60_000, 'the adopted members to serve'))!;
    expect(after.nodes.map((n) => n.pid)).toEqual(pids);
    const h = await second.call({ method: 'history' });
    expect(h.events.find((e) => e.type === 'lab.adopted')).toMatchObject({ source: 'lab', data: { members: before.nodes.map((n) => ({ myid: n.myid, pid: n.pid })) } });
    expect(h.events.some((e) => e.type === 'lab.orphans')).toBe(false);

    // The lab acts on an adopted member as on one it started: a kill is a kill, seen and recorded.
    const follower = after.nodes.find((n) => n.role === 'follower')!;
    await second.call({ method: 'node', myid: follower.myid, action: 'kill' });
    expect(alive(follower.pid!)).toBe(false);
    await second.until((l) => l?.nodes.find((n) => n.myid === follower.myid)?.role === 'down', 10_000, 'the killed member to show down');
    const h2 = await second.call({ method: 'history' });
    expect(h2.events.filter((e) => e.type === 'node.exited' && e.myid === follower.myid).at(-1)).toMatchObject({ detail: `node ${follower.myid} killed by SIGKILL`, data: { kind: 'killed' } });
    // And a clean stop of this backend takes the adopted members along.
    await stopProcess(second.process, 'SIGTERM');
    for (const pid of pids) await waitFor(() => !alive(pid), 10_000, `member pid ${pid} to stop with the backend`);
  });

  it('a second backend for the same lab refuses to start and says where the first one is', { timeout: 60_000 }, async () => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-orphans-'));
    const first = await startBackend(labDir);
    started.push(first);
    const pid = await launchOne(first);
    const second = spawnSync(process.execPath, [BACKEND], { env: { ...process.env, ZK_LAB_DIR: labDir }, encoding: 'utf8', timeout: 30_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`ZooKeeper Lab is already running for lab "default" (pid ${first.process.pid}): open ${first.url}`);
    // It touched nothing: the first one's node still runs.
    expect(alive(pid)).toBe(true);
  });

  it('destroying a lab kills its nodes and removes its folder, and a new one can be launched', { timeout: 90_000 }, async () => {
    labDir = mkdtempSync(join(tmpdir(), 'zk-lab-orphans-'));
    const b = await startBackend(labDir);
    started.push(b);
    const pid = await launchOne(b);
    await expect(b.call({ method: 'launch', size: 1, observers: 0, engines: 'ours' })).rejects.toThrow('There is a lab already: destroy it (or detach) before launching another.');
    expect(await b.call({ method: 'destroy' })).toBeNull();
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(labDir, 'default'))).toBe(false);
    expect(await b.call({ method: 'state' })).toBeNull();
    await launchOne(b);
  });
});

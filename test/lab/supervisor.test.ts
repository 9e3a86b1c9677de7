// The supervisor with real node processes (our bin/zk-server, standalone): process groups,
// start, pause/resume, stop, kill, and a crash told apart from what the lab asked for.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAdmin } from '../../src/lab/admin';
import { createLab, type LabSpec } from '../../src/lab/labdir';
import { Supervisor, type ExitReport } from '../../src/lab/supervisor';
import { needs, OUR_BUILD } from '../support/needs';
import { waitFor } from '../support/ourzk';

/** Field 5 of /proc/<pid>/stat is the process group; field 3 the state (T: stopped). */
function procStat(pid: number): { state: string; pgid: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, pgid: Number(fields[2]) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Supervisor with our server', needs(OUR_BUILD), () => {
  let root: string;
  let lab: LabSpec;
  let sup: Supervisor;
  const exits: ExitReport[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'zk-lab-sup-'));
    process.env.ZK_LAB_DIR = root;
    lab = await createLab('sup', 1);
    sup = new Supervisor(lab, (r) => exits.push(r));
  });
  afterAll(async () => {
    sup?.killAll();
    await sup?.allExited();
    delete process.env.ZK_LAB_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  const serving = async (): Promise<boolean> => (await readAdmin(lab.nodes[0]!.adminPort)).role === 'standalone';

  it('starts a node in a process group of its own and records its pid', async () => {
    sup.start(1);
    const pid = sup.procs.get(1)!.pid!;
    expect(procStat(pid).pgid).toBe(pid);
    expect(JSON.parse(readFileSync(join(lab.dir, 'pids.json'), 'utf8'))).toEqual([{ myid: 1, pid }]);
    await waitFor(serving, 20_000, 'node 1 to serve');
  });

  it('pauses and resumes the whole group', async () => {
    const pid = sup.procs.get(1)!.pid!;
    await sup.signal(1, 'SIGSTOP');
    await waitFor(() => procStat(pid).state === 'T', 5000, 'node 1 to stop');
    expect(sup.procs.get(1)!.paused).toBe(true);
    await sup.signal(1, 'SIGCONT');
    await waitFor(() => procStat(pid).state !== 'T', 5000, 'node 1 to run again');
    await waitFor(serving, 10_000, 'node 1 to serve after SIGCONT');
  });

  it('stops with SIGTERM (also a paused node) and calls it stopped', async () => {
    await sup.signal(1, 'SIGSTOP');
    await sup.signal(1, 'SIGTERM');
    expect(sup.isRunning(1)).toBe(false);
    expect(exits.at(-1)).toMatchObject({ myid: 1, kind: 'stopped' });
    expect(JSON.parse(readFileSync(join(lab.dir, 'pids.json'), 'utf8'))).toEqual([]);
  });

  it('kills with SIGKILL and calls it killed', async () => {
    sup.start(1);
    await waitFor(serving, 20_000, 'node 1 to serve');
    await sup.signal(1, 'SIGKILL');
    expect(exits.at(-1)).toMatchObject({ myid: 1, kind: 'killed', signal: 'SIGKILL', how: 'killed by SIGKILL' });
  });

  it('calls a death the lab did not ask for a crash, and says where the log is', async () => {
    sup.start(1);
    const pid = sup.procs.get(1)!.pid!;
    await waitFor(serving, 20_000, 'node 1 to serve');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !sup.isRunning(1), 5000, 'node 1 to be seen dead');
    expect(exits.at(-1)).toMatchObject({ myid: 1, kind: 'crashed', signal: 'SIGKILL' });
    expect(exits.at(-1)!.how).toContain(join(lab.dir, 'node1', 'server.log'));
    expect(alive(pid)).toBe(false);
  });

  it('reaps the nodes an earlier supervisor of the same lab left running', async () => {
    sup.start(1);
    const pid = sup.procs.get(1)!.pid!;
    await waitFor(serving, 20_000, 'node 1 to serve');
    // A second supervisor is what the next start of the app makes; the first one "crashed".
    const next = new Supervisor(lab, () => {});
    expect(next.reapOrphans()).toBe(1);
    await waitFor(() => !alive(pid) || procStat(pid).state === 'Z', 5000, 'the orphan to die');
    await waitFor(() => !sup.isRunning(1), 5000, 'the first supervisor to see it');
    // Nothing left to reap, and a pid that is not the lab's is never touched.
    expect(next.reapOrphans()).toBe(0);
  });

  it('adopts a member an earlier supervisor left running, with its pause, and never a pid that is not the lab\'s', async () => {
    sup.start(1);
    const pid = sup.procs.get(1)!.pid!;
    await waitFor(serving, 20_000, 'node 1 to serve');
    await sup.signal(1, 'SIGSTOP');
    expect(JSON.parse(readFileSync(join(lab.dir, 'pids.json'), 'utf8'))).toEqual([{ myid: 1, pid, paused: true }]);
    const adoptedExits: ExitReport[] = [];
    const next = new Supervisor(lab, (r) => adoptedExits.push(r));
    expect(next.adoptOrphans()).toEqual({ adopted: [{ myid: 1, pid }], reaped: 0 });
    expect(next.isRunning(1)).toBe(true);
    expect(next.procs.get(1)).toMatchObject({ pid, paused: true });
    await next.signal(1, 'SIGCONT');
    await waitFor(() => procStat(pid).state !== 'T', 5000, 'node 1 to run again');
    await waitFor(serving, 10_000, 'node 1 to serve after SIGCONT');
    // Ended from outside: the adopting supervisor sees it by its pid and calls it a crash.
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !next.isRunning(1), 5000, 'the adopted member to be seen dead');
    expect(adoptedExits.at(-1)).toMatchObject({ myid: 1, kind: 'crashed', code: null, signal: null });
    expect(adoptedExits.at(-1)!.how).toMatch(/exit status is unknown.*server\.log/);
    await waitFor(() => !sup.isRunning(1), 5000, 'the first supervisor to see it');

    // A recorded pid now used by another program (here: this test's own process) is left alone.
    writeFileSync(join(lab.dir, 'pids.json'), JSON.stringify([{ myid: 1, pid: process.pid }]));
    const third = new Supervisor(lab, () => {});
    expect(third.adoptOrphans()).toEqual({ adopted: [], reaped: 0 });
    expect(third.isRunning(1)).toBe(false);
  });
});

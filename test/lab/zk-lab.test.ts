// bin/zk-lab end to end, as a person or a script uses it, in fresh lab folders under a temp
// ZK_LAB_DIR: launch (which starts the backend in the background), status, node actions, a
// fault from the shell (isolate the leader: the rest elect, heal: it rejoins), the wire capture,
// shutdown (the folder stays), start again, destroy. Bad arguments get one sentence, a non-zero
// exit status, and change nothing. Every backend and member pid seen is killed afterwards, even
// when a test fails.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Fault, NetView, WireMessage } from '../../src/shared/contract';
import { caughtUp } from '../support/caught-up';
import { needs, OUR_BUILD } from '../support/needs';
import { waitFor } from '../support/ourzk';
import { alive, ROOT } from './backend';

const CLI = join(ROOT, 'bin', 'zk-lab');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** What `zk-lab status --json` prints (the README documents the fields). */
interface StatusDoc {
  dir: string;
  name: string;
  url: string;
  backendPid: number;
  serving: boolean;
  leader: number | null;
  votersUp: number;
  quorumNeeded: number;
  nodes: { myid: number; role: string; pid: number | null; clientPort: number; labClientPort: number | null; adminPort: number; epoch: number | null; lastZxid: string | null; engine: string; observer: boolean }[];
  network: { enabled: boolean; reason: string | null } | null;
  faults: Fault[];
}

let root: string;
/** Pids to kill after the test: backends (by pid) and members (by process group). */
const backends = new Set<number>();
const members = new Set<number>();

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'zk-lab-cli-'));
});

afterEach(async () => {
  for (const pid of backends) if (alive(pid)) process.kill(pid, 'SIGTERM');
  await waitFor(() => [...backends].every((p) => !alive(p)), 20_000, 'the backends to stop').catch(() => {
    for (const pid of backends) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  for (const pid of members) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  backends.clear();
  members.clear();
  rmSync(root, { recursive: true, force: true });
});

/** Notes the backend of a lab (its lock file) so that it is killed after the test. */
function noteBackend(name: string): void {
  const lock = join(root, `${name}.lock`);
  if (!existsSync(lock)) return;
  try {
    backends.add((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid);
  } catch {
    // being written
  }
}

/** Runs bin/zk-lab with ZK_LAB_DIR=root. */
function zk(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, args, { env: { ...process.env, ZK_LAB_DIR: root }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      for (const name of ['default', 'faults', 'learn']) noteBackend(name);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs a command that must succeed with --json and returns its document. */
/** A walkthrough's --json verdict; when there is none, the error says what zk-lab said instead. */
function verdictOf<T>(r: Run): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`zk-lab printed no verdict (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  }
}

async function json<T>(...args: string[]): Promise<T> {
  const r = await zk(...args, '--json');
  expect(r.status, `zk-lab ${args.join(' ')}: ${r.stderr}`).toBe(0);
  const doc = JSON.parse(r.stdout) as T;
  const d = doc as Partial<StatusDoc>;
  if (Array.isArray(d.nodes)) for (const n of d.nodes) if (n.pid) members.add(n.pid);
  if (typeof d.backendPid === 'number') backends.add(d.backendPid);
  return doc;
}

const status = (...dir: string[]): Promise<StatusDoc> => json<StatusDoc>('status', ...dir);

/** What must not change when a command is refused: who runs, in which role, and the faults. */
const snapshot = (s: StatusDoc): unknown => ({ nodes: s.nodes.map((n) => [n.myid, n.pid, n.role === 'down' ? 'down' : 'up']), faults: s.faults.map((f) => f.id), backend: s.backendPid });

/** A refused command: the exit status, one sentence on stderr containing `words`, nothing on stdout. */
async function refused(code: number, words: string, ...args: string[]): Promise<void> {
  const r = await zk(...args);
  expect(r.status, `zk-lab ${args.join(' ')} exits ${code}`).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, `zk-lab ${args.join(' ')} says one sentence`).toHaveLength(1);
  expect(lines[0]).toMatch(/^zk-lab: .+[.]$/);
  expect(lines[0]).toContain(words);
}

/** Every member serving at its leader's zxid (or synced in the leader's epoch before its first write). */
function converged(s: StatusDoc): boolean {
  const l = s.nodes.find((n) => n.role === 'leader');
  if (!l || l.lastZxid === null || !s.serving) return false;
  return s.nodes.every((n) => n === l || (n.role === 'follower' && n.lastZxid !== null && caughtUp(BigInt(n.lastZxid), n.epoch === null ? null : BigInt(n.epoch), BigInt(l.lastZxid!))));
}

async function statusUntil(pred: (s: StatusDoc) => boolean, ms: number, what: string, ...dir: string[]): Promise<StatusDoc> {
  let last: StatusDoc | null = null;
  await waitFor(
    async () => {
      last = await status(...dir);
      return pred(last);
    },
    ms,
    `${what}; last status: ${JSON.stringify((last as StatusDoc | null)?.nodes.map((n) => [n.myid, n.role, n.epoch, n.lastZxid]))}`,
  );
  return last!;
}

// Without the CLI built (dist/lab/cli), bin/zk-lab says so and every test here fails.
describe('bin/zk-lab', needs(OUR_BUILD), () => {
  it('launches a lab, acts on its members, refuses bad arguments without changing anything, shuts it down, starts it again and destroys it', { timeout: 240_000 }, async () => {
    const dir = join(root, 'default');
    await refused(3, 'There is no lab in', 'status');

    const launched = await json<StatusDoc & { backendStarted: boolean }>('launch', '--nodes', '3');
    expect(launched).toMatchObject({ dir, name: 'default', serving: true, backendStarted: true, votersUp: 3, quorumNeeded: 2 });
    expect(launched.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+$/);
    expect(launched.nodes.map((n) => n.myid)).toEqual([1, 2, 3]);
    expect(launched.nodes.filter((n) => n.role === 'leader')).toHaveLength(1);
    for (const n of launched.nodes) {
      expect(n.pid).toBeGreaterThan(0);
      expect(alive(n.pid!)).toBe(true);
      expect(n.clientPort).toBeGreaterThan(0);
      expect(n.adminPort).toBeGreaterThan(0);
    }
    // The backend runs in the background, found through its lock, writing to the lab's backend.log.
    expect(JSON.parse(readFileSync(join(root, 'default.lock'), 'utf8')).pid).toBe(launched.backendPid);
    expect(alive(launched.backendPid)).toBe(true);
    expect(readFileSync(join(dir, 'backend.log'), 'utf8')).toContain('ZooKeeper Lab: http://127.0.0.1:');

    await refused(1, 'already', 'launch');
    const before = await statusUntil(converged, 30_000, 'every member serving');
    expect(before.backendPid).toBe(launched.backendPid);

    // Bad arguments: one sentence, a non-zero status, and the lab as it was.
    const follower = before.nodes.find((n) => n.role === 'follower')!.myid;
    await refused(2, 'There is no member 9 in this lab', 'node', 'kill', '9');
    await refused(2, 'There is no member 9 in this lab', 'fault', 'isolate', '9');
    await refused(2, 'There is no member 7 in this lab', 'fault', 'partition', '1,2|3,7');
    await refused(2, 'There is no member 8 in this lab', 'wire', '--member', '8');
    await refused(2, 'There is no message type "COMMITS" to hold', 'fault', 'hold', 'COMMITS', '--to', '1');
    await refused(2, 'There is no node action "explode"', 'node', 'explode', '1');
    await refused(2, 'is not a member\'s myid', 'node', 'kill', 'leader');
    await refused(2, 'There is no fault f99 in force', 'fault', 'heal', 'f99');
    await refused(2, 'has no option --force', 'status', '--force');
    await refused(2, 'There is no command "restart"', 'restart');
    await refused(2, `Node ${follower} is not paused`, 'node', 'resume', String(follower));
    expect(snapshot(await status())).toEqual(snapshot(before));

    // A member down: actions and faults on it are refused, and change nothing.
    const killed = await json<StatusDoc>('node', 'kill', String(follower));
    expect(killed.nodes.find((n) => n.myid === follower)!.role).toBe('down');
    const down = await status();
    await refused(2, `Node ${follower} is down, so the fault would do nothing`, 'fault', 'isolate', String(follower));
    await refused(2, `Node ${follower} is down, so the fault would do nothing`, 'fault', 'pause', String(follower));
    await refused(2, `Node ${follower} is down already`, 'node', 'stop', String(follower));
    expect(snapshot(await status())).toEqual(snapshot(down));
    const restarted = await json<StatusDoc>('node', 'start', String(follower));
    expect(restarted.nodes.find((n) => n.myid === follower)!.role).not.toBe('down');
    await statusUntil(converged, 60_000, 'the restarted member to catch up');

    // Shutdown: members and backend stop, the folder stays; start all brings the lab back.
    const pids = (await status()).nodes.map((n) => n.pid!);
    const down1 = await json<{ dir: string; backendPid: number; members: { myid: number; pid: number }[] }>('shutdown');
    expect(down1).toMatchObject({ dir, backendPid: launched.backendPid });
    expect(down1.members.map((m) => m.pid).sort()).toEqual([...pids].sort());
    expect(alive(launched.backendPid)).toBe(false);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(join(root, 'default.lock'))).toBe(false);
    expect(existsSync(join(dir, 'lab.json'))).toBe(true);
    await refused(3, 'is shut down', 'status');
    await refused(1, 'exists but is shut down', 'launch');

    const again = await json<StatusDoc>('node', 'start', 'all');
    expect(again.serving).toBe(true);
    expect(again.backendPid).not.toBe(launched.backendPid);
    await refused(2, 'Every member runs already', 'node', 'start', 'all');

    // Destroy: members, folder and backend gone.
    const gone = await json<{ dir: string; destroyed: boolean; backendPid: number }>('destroy');
    expect(gone).toMatchObject({ dir, destroyed: true, backendPid: again.backendPid });
    expect(existsSync(dir)).toBe(false);
    expect(alive(again.backendPid)).toBe(false);
    for (const n of again.nodes) expect(alive(n.pid!)).toBe(false);
    await refused(3, 'There is no lab in', 'status');
    await refused(3, 'nothing to destroy', 'destroy');
  });

  it('isolates the leader from the shell: the rest elect a new leader, heal brings the old one back as a follower; the wire shows the votes', { timeout: 240_000 }, async () => {
    const dirFlag = ['--dir', join(root, 'faults')];
    const launched = await json<StatusDoc>('launch', '--nodes', '3', ...dirFlag);
    expect(launched.network).toEqual({ enabled: true, reason: null });
    for (const n of launched.nodes) expect(n.labClientPort).toBeGreaterThan(0);
    const first = await statusUntil(converged, 30_000, 'every member serving', ...dirFlag);
    const old = first.nodes.find((n) => n.role === 'leader')!;

    // --follow prints the election's notifications as they come, until Ctrl-C.
    const follow = spawn(CLI, ['wire', '--follow', '--type', 'NOTIFICATION', '--limit', '1', ...dirFlag], { env: { ...process.env, ZK_LAB_DIR: root }, stdio: ['ignore', 'pipe', 'pipe'] });
    let followed = '';
    follow.stdout.on('data', (b: Buffer) => (followed += b.toString()));
    const followExit = new Promise<number | null>((r) => follow.once('close', (code) => r(code)));
    try {
      const f = Fault.parse(await json('fault', 'isolate', String(old.myid), ...dirFlag));
      expect(f.spec).toEqual({ kind: 'isolate', myid: old.myid });
      const listed = NetView.parse(await json('fault', 'list', ...dirFlag));
      expect(listed.faults.map((x) => x.id)).toEqual([f.id]);
      expect((await status(...dirFlag)).faults.map((x) => x.id)).toEqual([f.id]);

      const split = await statusUntil(
        (s) => s.nodes.some((n) => n.role === 'leader' && n.myid !== old.myid && n.epoch! > old.epoch!) && s.votersUp >= 2,
        60_000,
        'the two others to elect a leader in a higher epoch',
        ...dirFlag,
      );
      const next = split.nodes.find((n) => n.role === 'leader' && n.myid !== old.myid)!;

      const healed = NetView.parse(await json('fault', 'heal', f.id, ...dirFlag));
      expect(healed.faults).toEqual([]);
      const back = await statusUntil((s) => converged(s) && s.nodes.find((n) => n.myid === old.myid)!.role === 'follower', 90_000, 'the old leader to rejoin as a follower', ...dirFlag);
      expect(back.nodes.find((n) => n.myid === old.myid)!.epoch).toBeGreaterThanOrEqual(next.epoch!);

      // The capture: JSON lines, each a WireMessage, filtered by type.
      const r = await zk('wire', '--type', 'NOTIFICATION', '--limit', '50', ...dirFlag);
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(50);
      for (const line of lines) expect(WireMessage.parse(JSON.parse(line)).type).toBe('NOTIFICATION');
      await waitFor(() => followed.split('\n').filter(Boolean).length >= 2, 30_000, 'wire --follow to print notifications');
      for (const line of followed.trim().split('\n')) expect(WireMessage.parse(JSON.parse(line)).type).toBe('NOTIFICATION');
    } finally {
      follow.kill('SIGINT');
    }
    expect(await followExit).toBe(0);

    const destroyed = await json<{ destroyed: boolean }>('destroy', ...dirFlag);
    expect(destroyed.destroyed).toBe(true);
    expect(existsSync(join(root, 'faults'))).toBe(false);
  });

  it('runs the seed walkthroughs from the shell: list, a destructive one refused without --yes (nothing changed), zxid with --yes and its verdict as JSON', { timeout: 240_000 }, async () => {
    const dirFlag = ['--dir', join(root, 'learn')];
    // The list needs no lab: it is the catalogue.
    const list = await json<{ walkthroughs: { id: string; seedSection: string; erases: string | null }[] }>('walkthrough', 'list', ...dirFlag);
    expect(list.walkthroughs.map((w) => w.id)).toEqual(expect.arrayContaining(['election-from-empty', 'election-after-failure', 'majority', 'write-flow', 'session-moves', 'partition', 'write-via-follower', 'recovery-committed', 'recovery-discarded', 'zxid', 'node-types']));
    for (const w of list.walkthroughs) expect(w.seedSection).toMatch(/§\d/);
    expect(list.walkthroughs.filter((w) => w.erases !== null).map((w) => w.id)).toEqual(['election-from-empty']);
    await refused(3, 'There is no lab in', 'walkthrough', 'run', 'zxid', ...dirFlag);

    await json<StatusDoc>('launch', '--nodes', '3', '--observers', '1', ...dirFlag);
    const up = (s: StatusDoc): boolean => s.serving && s.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role));
    const before = await statusUntil(up, 30_000, 'every member serving', ...dirFlag);
    // Without --yes, a walkthrough that erases data says what and changes nothing.
    await refused(2, 'would erase every znode', 'walkthrough', 'run', 'election-from-empty', ...dirFlag);
    const after = await status(...dirFlag);
    expect(snapshot(after)).toEqual(snapshot(before));
    expect(after.nodes.map((n) => n.lastZxid)).toEqual(before.nodes.map((n) => n.lastZxid));

    // --yes on one that erases nothing is accepted; the verdict is read from the members.
    const r = await zk('walkthrough', 'run', 'zxid', '--yes', '--json', ...dirFlag);
    const verdict = verdictOf<{ id: string; seedSays: string; labSaw: string; agrees: boolean }>(r);
    expect(Object.keys(verdict).sort()).toEqual(['agrees', 'id', 'labSaw', 'seedSays']);
    expect(verdict.agrees, `${verdict.labSaw}\n${r.stderr}`).toBe(true);
    expect(r.status).toBe(0);
    expect(verdict.id).toBe('zxid');
    expect(verdict.labSaw).toMatch(/Three writes at \d+\/\d+ \(0x[0-9a-f]+\)/);
    // Its steps went to stderr as they happened.
    expect(r.stderr).toMatch(/\[1\] Open a session/);
    // It leaves the lab serving with every member up.
    const end = await statusUntil(up, 60_000, 'every member serving after the walkthrough', ...dirFlag);
    for (const n of end.nodes) if (n.pid) members.add(n.pid);

    // Roles: the observer (member 4) is told of the write (INFORM) but not asked to vote; read from the wire.
    const roles = await zk('walkthrough', 'run', 'roles', '--json', ...dirFlag);
    const rv = verdictOf<{ agrees: boolean; labSaw: string }>(roles);
    expect(rv.agrees, `${rv.labSaw}\n${roles.stderr}`).toBe(true);
    expect(rv.labSaw).toMatch(/^1 leader \(\d\), followers \d, \d, observer 4 .+ proposed to \d, \d, acknowledged by [\d, ]+, and sent to 4 as INFORM/);

    await json('destroy', ...dirFlag);
  });

  it("sends a member console command from the shell: a four-letter word and an AdminServer command, each answer as the member gave it; a command or member the lab lacks refused", { timeout: 120_000 }, async () => {
    await refused(3, 'There is no lab in', 'console', '1', 'srvr');
    await json<StatusDoc>('launch', '--nodes', '3');
    const s = await statusUntil((x) => x.serving && x.leader !== null, 30_000, 'a leader');
    const leader = s.leader!;
    const follower = s.nodes.find((n) => n.role === 'follower')!.myid;
    // A four-letter word, as text: what the member said, nothing added.
    const srvr = await zk('console', String(leader), 'srvr');
    expect(srvr.status, srvr.stderr).toBe(0);
    expect(srvr.stdout).toMatch(/^Zookeeper version: .+\n(.*\n)*Mode: leader\n/);
    expect((await zk('console', String(follower), 'ruok')).stdout).toBe('imok\n');
    // An AdminServer command, as JSON: where it went, the HTTP status, the member's own JSON.
    const zab = await json<{ myid: number; kind: string; command: string; sentTo: string; status: number; ok: boolean; text: string }>('console', String(follower), 'zabstate');
    expect(zab).toMatchObject({ myid: follower, kind: 'admin', command: 'zabstate', status: 200, ok: true });
    expect(zab.sentTo).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${s.nodes.find((n) => n.myid === follower)!.adminPort}/commands/zabstate$`));
    expect(JSON.parse(zab.text)).toMatchObject({ command: 'zabstate', zabstate: 'broadcast' });
    // ruok is both: the four-letter word unless --admin.
    expect(await json('console', '1', 'ruok')).toMatchObject({ kind: '4lw', text: 'imok' });
    expect(await json('console', '1', 'ruok', '--admin')).toMatchObject({ kind: 'admin', status: 200 });
    // Refused before anything is sent.
    await refused(2, '"kill" is neither a four-letter word nor an AdminServer command', 'console', '1', 'kill');
    await refused(2, '"srvr" is not an AdminServer command', 'console', '1', 'srvr', '--admin');
    await refused(2, 'There is no member 9 in this lab', 'console', '9', 'srvr');
    // A member that is down: said at once, exit 1.
    await json('node', 'kill', String(follower));
    const down = await zk('console', String(follower), 'srvr');
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(new RegExp(`Member ${follower} did not answer srvr`));
    await json('destroy');
  });
});

// zk-lab open-datadir, judged with a dataDir Apache ZooKeeper 3.8 itself wrote: kazoo writes
// nested trees, sequential and ephemeral znodes (its session left open), ACLs and enough txns for
// several snapshots and logs (snapCount 100) into a real server; the lab opens a copy of that
// live dataDir on three members of ours, and every znode (data, Stat, ACL) read through kazoo
// from each member is what kazoo read from the real server. A truncated snapshot, a corrupt log
// and a foreign file are refused in one sentence, with nothing left behind (no lab, no staging
// copy) and the original untouched.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JAVA, KAZOO, needs, OUR_BUILD, ZK_JARS } from '../support/needs';
import { waitFor } from '../support/ourzk';
import { start, type RealZk } from '../support/realzk';
import { alive, ROOT, startBackend, type Backend } from './backend';

const CLI = join(ROOT, 'bin', 'zk-lab');
const KAZOO_SCRIPT = join(__dirname, 'datadir-kazoo.py');
const PYTHON = '/usr/bin/python3';

let root: string;
let work: string;
let zk: RealZk | null = null;
/** A backend the test started (zk-lab then uses it and leaves it running after a refusal). */
let backend: Backend | null = null;
const backends = new Set<number>();
const members = new Set<number>();

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'zk-lab-datadir-'));
  work = mkdtempSync(join(tmpdir(), 'zk-lab-datadir-src-'));
});

afterEach(async () => {
  await zk?.stop();
  zk = null;
  backend?.close();
  backend = null;
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
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** bin/zk-lab with ZK_LAB_DIR=root; notes the backend it started so that it is stopped after. */
async function zkLab(...args: string[]): Promise<Run> {
  const r = await run(CLI, args, { ...process.env, ZK_LAB_DIR: root });
  const lock = join(root, 'default.lock');
  if (existsSync(lock)) backends.add((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid);
  return r;
}

type Dump = Record<string, { data: string | null; stat: Record<string, number>; acl: string[] }>;

async function dump(hosts: string): Promise<Dump> {
  const r = await run(PYTHON, [KAZOO_SCRIPT, 'dump', hosts]);
  expect(r.status, `kazoo dump of ${hosts}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as Dump;
}

/** The znodes whose data, Stat or ACL differ, each as one line (a diff of 3000 znodes would take vitest minutes to print). */
function differences(expected: Dump, got: Dump): string[] {
  const out: string[] = [];
  for (const path of new Set([...Object.keys(expected), ...Object.keys(got)])) {
    const a = JSON.stringify(expected[path] ?? null);
    const b = JSON.stringify(got[path] ?? null);
    if (a !== b) out.push(`${path}: expected ${a}, got ${b}`);
  }
  return out.slice(0, 10);
}

/** Every file of a folder with its bytes' hash: what "unchanged" means. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) out[n] = createHash('sha256').update(readFileSync(join(dir, n))).digest('hex');
  return out;
}

/** Nothing of a lab in the labs folder: no lab folder, no staging copy (and no lock, unless the test's own backend runs). */
function nothingLeft(): void {
  expect(readdirSync(root).filter((n) => n !== 'ui-settings.json' && !(backend && n === 'default.lock'))).toEqual([]);
}

/** A copy of the real dataDir's version-2, changed by `spoil`, opened: refused with `words`, nothing left behind. */
async function refusedCopy(version2: string, words: RegExp, spoil: (dir: string) => void): Promise<void> {
  const dir = mkdtempSync(join(work, 'bad-'));
  const v2 = join(dir, 'version-2');
  execFileSync('cp', ['-r', version2, v2]);
  spoil(v2);
  const before = contents(v2);
  const r = await zkLab('open-datadir', dir, '--nodes', '3');
  expect(r.status, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const last = r.stderr.trim().split('\n').pop()!;
  expect(last).toMatch(/^zk-lab: .+[.]$/);
  expect(last).toMatch(words);
  if (!backend) await waitFor(() => [...backends].every((p) => !alive(p)), 20_000, 'the backend zk-lab started to stop');
  nothingLeft();
  expect(contents(v2)).toEqual(before);
}

function execFileSync(file: string, args: string[]): void {
  const r = spawnSync(file, args);
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr.toString()}`);
}

describe('zk-lab open-datadir', needs(OUR_BUILD, JAVA, ZK_JARS, KAZOO), () => {
  it('opens a dataDir Apache ZooKeeper wrote on three members, every znode identical through kazoo; refuses a truncated, corrupt or foreign file leaving nothing', { timeout: 300_000 }, async () => {
    // A long session timeout: the writer's session (and its ephemerals) must outlive the test.
    // Logs preallocated 256 KB at a time (not 64 MB): still zero-padded, a dozen of them cheap to hash.
    zk = await start({ config: { maxSessionTimeout: 600_000, preAllocSize: 256 }, systemProperties: { 'zookeeper.snapCount': '100' } });
    const w = await run(PYTHON, [KAZOO_SCRIPT, 'write', zk.connectString, '3000']);
    expect(w.status, `kazoo write: ${w.stderr}`).toBe(0);
    const expected = await dump(zk.connectString);
    expect(Object.keys(expected).length).toBeGreaterThan(2500);
    const v2 = join(zk.dataDir, 'version-2');
    const files = readdirSync(v2);
    expect(files.filter((f) => f.startsWith('snapshot.')).length, files.join(' ')).toBeGreaterThanOrEqual(3);
    expect(files.filter((f) => f.startsWith('log.')).length, files.join(' ')).toBeGreaterThanOrEqual(3);
    const ephemerals = Object.entries(expected).filter(([, z]) => z.stat.ephemeralOwner !== 0);
    expect(ephemerals.map(([p]) => p.replace(/\d{10}$/, 'N')).sort()).toEqual(['/live/lock-N', '/live/lock-N', '/live/member-a']);

    // Refused, each in one sentence, nothing left behind and the copy untouched.
    const snaps = files.filter((f) => f.startsWith('snapshot.')).sort((a, b) => Number(BigInt(`0x${a.split('.')[1]}`) - BigInt(`0x${b.split('.')[1]}`)));
    const logs = files.filter((f) => f.startsWith('log.')).sort((a, b) => Number(BigInt(`0x${a.split('.')[1]}`) - BigInt(`0x${b.split('.')[1]}`)));
    await refusedCopy(v2, new RegExp(`${snaps.at(-1)!.replace('.', '\\.')} is incomplete`), (d) => {
      const f = join(d, snaps.at(-1)!);
      truncateSync(f, statSync(f).size - 100);
    });
    // The rest through a backend that runs already (zk-lab leaves it running after a refusal).
    backend = await startBackend(root);
    backends.add(backend.process.pid!);
    await refusedCopy(v2, new RegExp(`${logs[0]!.replace('.', '\\.')} is (corrupt|truncated or torn) at byte`), (d) => {
      const f = join(d, logs[0]!);
      const b = readFileSync(f);
      b[200] = b[200]! ^ 0xff;
      writeFileSync(f, b);
    });
    await refusedCopy(v2, /log\.1 is not a ZooKeeper transaction log: its magic number is/, (d) => writeFileSync(join(d, 'log.1'), Buffer.from('\x89PNG\r\n\x1a\n this is a picture, not a txn log')));
    await refusedCopy(v2, /holds no ZooKeeper data/, (d) => {
      for (const f of readdirSync(d)) rmSync(join(d, f));
      writeFileSync(join(d, 'notes.txt'), 'nothing here');
    });

    // Opened on three members: every znode reads back identical through kazoo from each.
    const original = contents(v2);
    const r = await zkLab('open-datadir', zk.dataDir, '--nodes', '3', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Copying .*MB of .*MB/);
    expect(r.stderr).toMatch(/\d+ znodes/);
    const doc = JSON.parse(r.stdout) as { serving: boolean; backendPid: number; nodes: { myid: number; pid: number | null; clientPort: number; adminPort: number }[]; opened: { znodes: number; snapshots: number; logs: number; ephemerals: number; lastZxid: string } };
    backends.add(doc.backendPid);
    for (const n of doc.nodes) if (n.pid) members.add(n.pid);
    expect(doc.serving).toBe(true);
    expect(doc.opened.snapshots).toBe(snaps.length);
    expect(doc.opened.logs).toBe(logs.length);
    expect(doc.opened.ephemerals).toBe(3);
    const dumps = await Promise.all(doc.nodes.map((n) => dump(`127.0.0.1:${n.clientPort}`)));
    doc.nodes.forEach((n, i) => {
      expect(Object.keys(dumps[i]!).length, `member ${n.myid}'s znodes`).toBe(Object.keys(expected).length);
      expect(differences(expected, dumps[i]!), `znodes that differ through member ${n.myid}`).toEqual([]);
    });
    // Where the bytes are under /tree: our member's lab_du and the reader's du of Apache's own
    // newest snapshot (how the lab sizes an Apache member) agree (nothing under /tree changed after it).
    const ours = (await (await fetch(`http://127.0.0.1:${doc.nodes[0]!.adminPort}/commands/lab_du?path=/tree&sort=bytes&limit=1000`)).json()) as { children: unknown[]; znode: unknown };
    const fromSnapshot = spawnSync(process.execPath, [join(ROOT, 'dist', 'server', 'datadir-main.js'), 'du', v2, '/tree', 'bytes', '0', '1000']);
    const apache = (JSON.parse(fromSnapshot.stdout.toString()) as { result: { children: unknown[]; znode: unknown; snapshot: string } }).result;
    expect(apache.snapshot).toBe(snaps.at(-1));
    expect(apache.children.length).toBeGreaterThan(40);
    expect(apache.children).toEqual(ours.children);
    expect(apache.znode).toEqual(ours.znode);
    // The original was only read (the live server may have written on; what was there is unchanged).
    const now = contents(v2);
    for (const [name, hash] of Object.entries(original)) if (name.startsWith('snapshot.')) expect(now[name], name).toBe(hash);
  });
});

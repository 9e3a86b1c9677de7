// Storage interop with Apache ZooKeeper 3.8 (Debian's package): ZooKeeper's own tools read our
// files; a dataDir written by ZooKeeper opens in our FileStorage with the same znodes, data,
// ACLs, Stat and sessions; a dataDir written by our FileStorage opens in ZooKeeper the same.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../src/server/storage/file-storage';
import { SNAPSHOT_PREFIX, zxidFromName } from '../../src/server/storage/names';
import type { SessionTable } from '../../src/server/storage/types';
import { DataTree } from '../../src/server/tree/datatree';
import { fourLetter, start as startRealZk, type RealZk } from '../support/realzk';
import { start as startOurZk, waitFor } from '../support/ourzk';
import { DIGEST_ACL, READ_ACL, TxnGen } from './txngen';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const ZKTREE = join(__dirname, 'zktree.py');
const TOOL_CP = '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-nop.jar';

interface DumpedNode {
  data: string | null;
  acl: Array<[number, string, string]>;
  stat: Record<string, string>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'zk-interop-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function realZk(opts: Parameters<typeof startRealZk>[0]): Promise<RealZk> {
  const zk = await startRealZk(opts);
  cleanups.push(() => zk.stop());
  return zk;
}

async function dump(connect: string): Promise<Record<string, DumpedNode>> {
  const { stdout } = await run(PYTHON, [ZKTREE, 'dump', connect], { maxBuffer: 64 << 20, timeout: 60_000 });
  return JSON.parse(stdout);
}

/** Our tree as the dump shows ZooKeeper's: what a client reads back. */
function ourView(tree: DataTree): Record<string, DumpedNode> {
  const out: Record<string, DumpedNode> = {};
  for (const [path, id] of tree.entries()) {
    const n = tree.inspect(path)!;
    const s = tree.stat(id);
    out[path] = {
      data: n.data === null ? null : n.data.toString('base64'),
      acl: n.acl.map((a) => [a.perms, a.id.scheme, a.id.id]),
      stat: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, String(v)])),
    };
  }
  return out;
}

/** Runs zktree.py populate against `connect`; its session (with ephemerals) stays open until cleanup. */
async function populate(connect: string): Promise<bigint> {
  const child: ChildProcess = spawn(PYTHON, [ZKTREE, 'populate', connect], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  let out = '';
  let errText = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (errText += b.toString()));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`populate exited with ${child.exitCode}:\n${errText}`);
    return /READY [0-9a-f]+/.test(out);
  }, 60_000, 'kazoo to populate the server');
  return BigInt('0x' + /READY ([0-9a-f]+)/.exec(out)![1]);
}

async function sigkillPid(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await waitFor(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, 30_000, `pid ${pid} to exit`);
}

async function loadOurs(dataDir: string) {
  const storage = new FileStorage({
    dataDir,
    snapCount: 100000,
    preAllocSizeKb: 65536,
    forceSync: true,
    autopurgeSnapRetainCount: 3,
    autopurgePurgeIntervalHours: 0,
  });
  cleanups.push(() => storage.close());
  const tree = new DataTree();
  const sessions: SessionTable = new Map();
  const result = await storage.load(tree, sessions);
  return { storage, tree, sessions, result };
}

describe('storage interop with Apache ZooKeeper 3.8', () => {
  it('opens a dataDir written by ZooKeeper (snapshots, rolled logs, digests) with the same tree and sessions', async () => {
    // preAllocSize (KB; zoo.cfg passes it on as zookeeper.preAllocSize): each log file is otherwise
    // 64 MB of preallocated zeros, and the dataDir is copied once per snapshot below: gigabytes
    // of copying, which on a busy machine took this test past its time limit.
    const zk = await realZk({ extendedTypes: true, config: { snapCount: 16, preAllocSize: 64 } });
    const sessionId = await populate(zk.connectString);
    const cli = '/usr/share/zookeeper/bin/zkCli.sh';
    // One zkCli.sh (one JVM) for the three creates: each JVM start costs seconds on a busy machine.
    const shell = spawnSync(cli, ['-server', zk.connectString], { input: 'create -c /ctr container\ncreate /ctr/kid k\ncreate -t 3600000 /ttl ttl\nquit\n', encoding: 'utf8', timeout: 60_000 });
    // (zkCli prints Created to stderr when its input is not a terminal.)
    expect(shell.stdout + shell.stderr).toMatch(/Created \/ctr\b[\s\S]*Created \/ctr\/kid[\s\S]*Created \/ttl/);
    const expected = await dump(zk.connectString);
    expect(Object.keys(expected).length).toBeGreaterThan(60);

    // Crash it, as a machine would: every acknowledged txn is in its log.
    await sigkillPid(zk.pid);
    const copy = tempDir();
    cpSync(zk.dataDir, copy, { recursive: true });
    const files = readdirSync(join(copy, 'version-2'));
    expect(files.filter((f) => f.startsWith('log.')).length).toBeGreaterThan(1);
    expect(files.filter((f) => f.startsWith('snapshot.')).length).toBeGreaterThan(1);

    const ours = await loadOurs(copy);
    expect(ourView(ours.tree)).toEqual(expected);
    expect(ours.sessions.get(sessionId)).toBeGreaterThan(0);
    expect(ours.tree.ephemerals.get(sessionId)?.size).toBe(2);
    expect(ours.tree.containers).toEqual(new Set(['/ctr']));
    expect(ours.tree.ttls).toEqual(new Set(['/ttl']));
    const notes = ours.result.notes.join('\n');
    expect(notes).not.toMatch(/Warning/);
    // Each of ZooKeeper's snapshots, loaded as the newest: the tree digests we compute match the
    // ones ZooKeeper recorded. A snapshot taken while txns were being applied can hold changes its
    // digest does not (fuzzy), and is then set aside with a note; a snapshot taken between writes
    // must match, and at least one of them is.
    let matched = 0;
    const snapshots = files.filter((f) => f.startsWith('snapshot.') && f !== 'snapshot.0');
    for (const snap of snapshots) {
      const one = tempDir();
      cpSync(copy, one, { recursive: true });
      for (const other of snapshots) if (zxidFromName(other, SNAPSHOT_PREFIX) > zxidFromName(snap, SNAPSHOT_PREFIX)) rmSync(join(one, 'version-2', other));
      const loaded = await loadOurs(one);
      const said = loaded.result.notes.join('\n');
      expect(said).toContain(`Loaded ${snap}:`);
      expect(said).not.toMatch(/Warning/);
      expect(said).toMatch(/The tree digest at 0x[0-9a-f]+ (matches the snapshot's|differs from the one .* but the snapshot was taken while)/);
      if (/matches the snapshot's/.test(said)) matched++;
      expect(ourView(loaded.tree)).toEqual(expected);
    }
    expect(matched, `digest notes of ${snapshots.join(', ')}`).toBeGreaterThan(0);

    // Our server (bin/zk-server) serves the same tree from another copy of that dataDir.
    const serverCopy = tempDir();
    cpSync(zk.dataDir, serverCopy, { recursive: true });
    const server = await startOurZk({ extendedTypes: true, config: { dataDir: serverCopy } });
    cleanups.push(() => server.stop());
    expect(await dump(server.connectString)).toEqual(expected);
  });

  it('writes a dataDir that ZooKeeper\'s tools read and ZooKeeper opens with the same tree', async () => {
    const dir = tempDir();
    const storage = new FileStorage({
      dataDir: dir,
      snapCount: 20,
      preAllocSizeKb: 65536,
      forceSync: true,
      autopurgeSnapRetainCount: 3,
      autopurgePurgeIntervalHours: 0,
      random: () => 0.5,
    });
    const tree = new DataTree();
    const sessions: SessionTable = new Map();
    await storage.load(tree, sessions);
    const g = new TxnGen();
    g.time = BigInt(Date.now());
    const s1 = 0x1000000abcdef01n;
    const txns = [
      g.createSession(s1, 30000),
      g.create('/app', 'root of the app', { acl: DIGEST_ACL }),
      g.create('/app/config', '', { acl: READ_ACL }),
      g.create('/app/nulldata', null),
      g.create('/app/eph', 'mine', { ephemeralOwner: s1 }),
      g.createContainer('/app/ctr'),
      g.create('/app/ctr/kid', 'k'),
      g.createTTL('/app/ttl', 3_600_000n),
      g.multi('/app/m', '/app', 'multi'),
    ];
    for (let i = 0; i < 40; i++) txns.push(g.create(`/app/seq-${String(i).padStart(10, '0')}`, `item ${i}`));
    for (let i = 0; i < 40; i += 3) txns.push(g.setData(`/app/seq-${String(i).padStart(10, '0')}`, 'changed'));
    for (let i = 1; i < 40; i += 7) txns.push(g.delete(`/app/seq-${String(i).padStart(10, '0')}`));
    txns.push(g.setACL('/app/config', DIGEST_ACL), g.create('/bin', Buffer.alloc(9000, 0x5a).toString('latin1')));
    for (const t of txns) {
      await storage.append(t);
      if (t.txn.type === -10) sessions.set(t.header.clientId, t.txn.timeOut);
      tree.processTxn(t.header, t.txn);
      storage.applied(t.header.zxid);
    }
    await storage.close();
    const v2 = join(dir, 'version-2');
    const logs = readdirSync(v2).filter((f) => f.startsWith('log.')).sort();
    const snaps = readdirSync(v2).filter((f) => f.startsWith('snapshot.'));
    expect(logs.length).toBeGreaterThan(2);
    expect(snaps.length).toBeGreaterThan(2);

    // TxnLogToolkit (3.8's LogFormatter) reads every entry of every log, checksums included.
    let logged = 0;
    for (const log of logs) {
      const { stdout } = await run('java', ['-cp', TOOL_CP, 'org.apache.zookeeper.server.persistence.TxnLogToolkit', '-d', join(v2, log)], { timeout: 60_000 });
      expect(stdout).toMatch(/ZooKeeper Transactional Log File with dbid 0 txnlog format version 2/);
      expect(stdout).not.toMatch(/CRC/i);
      const m = /EOF reached after (\d+) txns/.exec(stdout);
      expect(m, stdout).not.toBeNull();
      logged += Number(m![1]);
    }
    expect(logged).toBe(txns.length);
    const { stdout: tk } = await run('java', ['-cp', TOOL_CP, 'org.apache.zookeeper.server.persistence.TxnLogToolkit', '-d', join(v2, logs[0]!)], { timeout: 60_000 });
    expect(tk).toMatch(/createSession/);
    expect(tk).toMatch(/\/app/);

    // SnapshotFormatter reads the newest snapshot: every znode with its Stat, and the session.
    const newest = snaps.sort((a, b) => (BigInt('0x' + a.slice(9)) < BigInt('0x' + b.slice(9)) ? 1 : -1))[0]!;
    const { stdout: snapText } = await run('java', ['-cp', TOOL_CP, 'org.apache.zookeeper.server.SnapshotFormatter', '-d', join(v2, newest)], { timeout: 60_000, maxBuffer: 64 << 20 });
    expect(snapText).toMatch(/ZNode Details \(count=\d+\)/);
    expect(snapText).toMatch(/\/app\/config/);
    expect(snapText).toMatch(new RegExp(`0x${s1.toString(16)}`));

    // ZooKeeper itself opens the dataDir and serves the same tree.
    const zk = await realZk({ extendedTypes: true, config: { dataDir: dir } });
    const theirs = await dump(zk.connectString);
    expect(theirs).toEqual(ourView(g.tree));
    const dumped = await fourLetter('127.0.0.1', zk.clientPort, 'dump');
    expect(dumped).toMatch(new RegExp(`0x${s1.toString(16)}:\\s+/app/eph`));
  });

  it('a dataDir written by our server (bin/zk-server) opens in ZooKeeper with the same tree', async () => {
    const ours = await startOurZk({ extendedTypes: true, config: { snapCount: 16 } });
    cleanups.push(() => ours.stop());
    await populate(ours.connectString);
    const expected = await dump(ours.connectString);
    expect(Object.keys(expected).length).toBeGreaterThan(50);
    await ours.kill();
    const copy = tempDir();
    cpSync(ours.dataDir, copy, { recursive: true });
    const zk = await realZk({ extendedTypes: true, config: { dataDir: copy } });
    expect(await dump(zk.connectString)).toEqual(expected);
  });
});

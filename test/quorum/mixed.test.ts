// Beyond a reimplementation: one ensemble of two of our members and one Apache ZooKeeper 3.8
// member (Debian). It elects, replicates writes whichever member takes them, fails over from a
// real leader to ours, and the real member rejoins and catches up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts, serverMode, waitFor as waitUntil, ZK_SERVER_BIN } from '../support/ourzk';
import { fourLetter } from '../support/realzk';
import { JAVA, needs, OUR_BUILD, ZK_JARS } from '../support/needs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client');

const JARS = '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar';

describe('a mixed ensemble: our members and Apache ZooKeeper 3.8', needs(JAVA, ZK_JARS, OUR_BUILD), () => {
  const root = mkdtempSync(join(tmpdir(), 'mixed-'));
  const children = new Set<ChildProcess>();
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all([...children].map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    rmSync(root, { recursive: true, force: true });
  });

  it('elects, replicates and fails over across implementations', { timeout: 240_000 }, async () => {
    const ports = await freePorts(9);
    const sids = [1, 2, 3];
    const cfgs = sids.map((sid) => {
      const dir = join(root, `n${sid}`);
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(join(dir, 'data', 'myid'), `${sid}\n`);
      const lines = [
        'tickTime=200', 'initLimit=10', 'syncLimit=5', `dataDir=${join(dir, 'data')}`, `clientPort=${ports[(sid - 1) * 3]}`,
        'clientPortAddress=127.0.0.1', '4lw.commands.whitelist=*', 'admin.enableServer=false',
        ...sids.map((s) => `server.${s}=127.0.0.1:${ports[(s - 1) * 3 + 1]}:${ports[(s - 1) * 3 + 2]}`),
      ];
      writeFileSync(join(dir, 'zoo.cfg'), lines.join('\n') + '\n');
      return { sid, cfg: join(dir, 'zoo.cfg'), clientPort: ports[(sid - 1) * 3]! };
    });
    // The tail of each member's output, shown when a wait times out.
    const logs = new Map<number, string>();
    const launch = (sid: number): ChildProcess => {
      const c = cfgs[sid - 1]!;
      const child =
        sid === 3
          ? spawn('java', ['-cp', JARS, '-Dorg.slf4j.simpleLogger.defaultLogLevel=info', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', c.cfg], { stdio: ['ignore', 'pipe', 'pipe'] })
          : spawn(ZK_SERVER_BIN, [c.cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (b: Buffer): void => void logs.set(sid, ((logs.get(sid) ?? '') + b.toString()).slice(-40000));
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      children.add(child);
      return child;
    };
    const waitFor = async (probe: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> => {
      try {
        await waitUntil(probe, ms, what);
      } catch (e) {
        const tails = sids.map((sid) => `---- member ${sid}${sid === 3 ? ' (Apache ZooKeeper)' : ''}:\n${(logs.get(sid) ?? '').split('\n').slice(-60).join('\n')}`);
        throw new Error(`${(e as Error).message}\n${tails.join('\n')}`);
      }
    };
    const mode = (sid: number): Promise<string | null> => serverMode(cfgs[sid - 1]!.clientPort);
    const zxid = async (sid: number): Promise<string | null> => /Zxid: (0x[0-9a-f]+)/.exec(await fourLetter('127.0.0.1', cfgs[sid - 1]!.clientPort, 'srvr').catch(() => ''))?.[1] ?? null;

    // The real member starts first and, with the highest sid, leads.
    const real = launch(3);
    // Let the JVM open its election port first, so that the three vote together.
    const { connect } = await import('node:net');
    const electionPort = ports[2 * 3 + 2]!;
    await waitFor(
      () => new Promise<boolean>((r) => {
        const s = connect(electionPort, '127.0.0.1', () => { s.destroy(); r(true); });
        s.once('error', () => r(false));
      }),
      60_000,
      'the real member to open its election port',
    );
    launch(1);
    launch(2);
    await waitFor(async () => (await mode(3)) === 'leader' && (await mode(1)) === 'follower' && (await mode(2)) === 'follower', 60_000, 'real member 3 leading ours');
    // Before the first write of its epoch a leader reports the epoch's first zxid (Leader.startZkServer).
    expect(await zxid(3)).toBe('0x100000000');

    const client = zookeeper.createClient(cfgs.map((c) => `127.0.0.1:${c.clientPort}`).join(','), { sessionTimeout: 6000 });
    await new Promise<void>((r) => {
      client.once('connected', r);
      client.connect();
    });
    const create = (p: string): Promise<string> => new Promise((res, rej) => client.create(p, Buffer.from(p), (e: Error | null, path: string) => (e ? rej(e) : res(path))));
    for (let i = 0; i < 20; i++) await create(`/mixed-${i}`);

    // Kill the real leader: one of ours takes over with a higher epoch.
    const epochBefore = BigInt((await zxid(1))!) >> 32n;
    real.kill('SIGKILL');
    await waitFor(async () => (await mode(2)) === 'leader' || (await mode(1)) === 'leader', 30_000, 'one of ours to lead');
    // Ours does as the real leader did: 0x<epoch>00000000 until the epoch's first write.
    const ourLeader = (await mode(2)) === 'leader' ? 2 : 1;
    expect(await zxid(ourLeader)).toBe(`0x${(epochBefore + 1n).toString(16)}00000000`);
    for (let i = 20; i < 40; i++) await create(`/mixed-${i}`);

    // The real member comes back and follows our leader, catching up.
    launch(3);
    await waitFor(async () => (await mode(3)) === 'follower', 60_000, 'the real member to follow ours');
    await waitFor(async () => {
      const zs = await Promise.all(sids.map(zxid));
      return zs.every((z) => z !== null && z === zs[0]);
    }, 30_000, 'all three at the same zxid');
    expect(BigInt((await zxid(3))!) >> 32n).toBeGreaterThan(epochBefore);
    client.close();

    // The real member serves every write, including those it never saw as a member.
    const direct = zookeeper.createClient(`127.0.0.1:${cfgs[2]!.clientPort}`, { sessionTimeout: 6000 });
    await new Promise<void>((r) => {
      direct.once('connected', r);
      direct.connect();
    });
    const kids: string[] = await new Promise((res, rej) => direct.getChildren('/', (e: Error | null, k: string[]) => (e ? rej(e) : res(k))));
    direct.close();
    for (let i = 0; i < 40; i++) expect(kids).toContain(`mixed-${i}`);
  });
});

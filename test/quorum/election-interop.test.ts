// Our election (pure FLE core + election-port transport) against a real Apache ZooKeeper 3.8
// member on loopback: the two sides must read each other's handshakes and notifications and
// agree on the leader by ZooKeeper's vote order. Members 1 and 2 are ours (election only, no
// quorum port), member 3 is a real ZooKeeper JVM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ELECTION_DEFAULTS, FastLeaderElection, type ElectionAction, type Notification } from '../../src/server/quorum/election/fle';
import { ElectionTransport } from '../../src/server/quorum/net/election-transport';
import { decodeNotification, encodeNotification } from '../../src/server/quorum/net/notification';
import { QuorumVerifier, ServerState } from '../../src/server/quorum/vote';
import { JAVA, needs, ZK_JARS } from '../support/needs';
import { freePorts, waitFor } from '../support/ourzk';

const JARS = ['/usr/share/java/zookeeper.jar', '/usr/share/java/slf4j-simple.jar'];

/** One of our members, election only: the FLE core on a real election port with real timers. */
class ElectionOnlyMember {
  readonly core: FastLeaderElection;
  readonly transport: ElectionTransport;
  readonly received: { from: number; n: Notification }[] = [];
  decided: { leader: number; state: ServerState } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();

  constructor(
    readonly sid: number,
    ports: Map<number, number>,
    configText: string,
    private readonly lastZxid: bigint,
    private readonly epoch: bigint,
  ) {
    const qv = new QuorumVerifier([1, 2, 3]);
    this.core = new FastLeaderElection({ myid: sid, qv, configText, ...ELECTION_DEFAULTS }, { lastLoggedZxid: lastZxid, currentEpoch: epoch });
    const peers = new Map([...ports].filter(([s]) => s !== sid).map(([s, port]) => [s, { host: '127.0.0.1', port }]));
    this.transport = new ElectionTransport({ myid: sid, me: { host: '127.0.0.1', port: ports.get(sid)! }, peers });
    this.transport.on('message', (from, b) => {
      const n = decodeNotification(b);
      if (!n) return;
      this.received.push({ from, n });
      this.exec(this.core.step({ type: 'notification', now: this.now(), from, n }).actions);
    });
    this.transport.on('peerUp', (s) => this.exec(this.core.step({ type: 'peerUp', sid: s }).actions));
    this.transport.on('peerDown', (s) => this.exec(this.core.step({ type: 'peerDown', sid: s }).actions));
  }

  private now(): number {
    return Date.now() - this.started;
  }

  async start(): Promise<void> {
    await this.transport.listen();
    this.exec(this.core.step({ type: 'lookForLeader', now: this.now(), lastLoggedZxid: this.lastZxid, currentEpoch: this.epoch }).actions);
  }

  private exec(actions: ElectionAction[]): void {
    for (const a of actions) {
      if (a.type === 'send') this.transport.send(a.to, encodeNotification(a.n));
      else if (a.type === 'connectAll') this.transport.connectAll();
      else if (a.type === 'timer') {
        if (this.timer) clearTimeout(this.timer);
        this.timer = a.at === null ? null : setTimeout(() => this.exec(this.core.step({ type: 'timeout', now: this.now() }).actions), Math.max(0, a.at - this.now()));
      } else if (a.type === 'decided') this.decided = { leader: a.leader, state: a.state };
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.transport.close();
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

/** Members 1 and 2 (ours) and 3 (a real ZooKeeper JVM) with the given (zxid, epoch) of ours. */
async function ensemble(ours: Record<1 | 2, [bigint, bigint]>, startNow: number[] = [1, 2]): Promise<{ ours: ElectionOnlyMember[]; zkLog: () => string }> {
  const [e1, e2, e3, q1, q2, q3, client] = (await freePorts(7)) as [number, number, number, number, number, number, number];
  const electionPorts = new Map([
    [1, e1],
    [2, e2],
    [3, e3],
  ]);
  const quorumPorts = new Map([
    [1, q1],
    [2, q2],
    [3, q3],
  ]);
  const servers = [1, 2, 3].map((s) => `server.${s}=127.0.0.1:${quorumPorts.get(s)}:${electionPorts.get(s)}:participant`);
  const configText = `${servers.join('\n')}\nversion=0`;
  const dir = mkdtempSync(join(tmpdir(), 'fle-interop-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'myid'), '3\n');
  writeFileSync(
    join(dir, 'zoo.cfg'),
    ['tickTime=200', 'initLimit=10', 'syncLimit=5', `dataDir=${join(dir, 'data')}`, `clientPort=${client}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', ...servers].join('\n') + '\n',
  );
  const members = ([1, 2] as const).map((sid) => new ElectionOnlyMember(sid, electionPorts, configText, ours[sid][0], ours[sid][1]));
  for (const m of members) cleanup.push(() => m.stop());
  let log = '';
  const zk: ChildProcess = spawn('java', ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dorg.slf4j.simpleLogger.defaultLogLevel=info', '-cp', JARS.join(':'), 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(dir, 'zoo.cfg')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (d: Buffer): void => {
    log = (log + d.toString()).slice(-200_000);
  };
  zk.stdout!.on('data', collect);
  zk.stderr!.on('data', collect);
  cleanup.push(async () => {
    if (zk.exitCode === null && zk.signalCode === null) {
      const gone = new Promise((r) => zk.once('exit', r));
      zk.kill('SIGKILL');
      await gone;
    }
  });
  // Two of three are a majority: ours must not start before the real member can vote.
  const { connect } = await import('node:net');
  await waitFor(
    () =>
      new Promise<boolean>((r) => {
        const s = connect(e3, '127.0.0.1', () => {
          s.destroy();
          r(true);
        });
        s.once('error', () => r(false));
      }),
    60_000,
    'the real member to open its election port',
  );
  for (const m of members) if (startNow.includes(m.sid)) await m.start();
  return { ours: members, zkLog: () => log };
}

describe('election against a real ZooKeeper 3.8 member', needs(JAVA, ZK_JARS), () => {
  it('from empty, ZooKeeper and our members agree that the largest sid (the real member 3) leads', { timeout: 90_000 }, async () => {
    const { ours, zkLog } = await ensemble({ 1: [0n, 0n], 2: [0n, 0n] }, [1]);
    const [one, two] = ours as [ElectionOnlyMember, ElectionOnlyMember];
    // Member 1 and the real member 3 are a majority: each must count the other's vote.
    await waitFor(() => one.decided !== null, 60_000, 'member 1 to decide').catch((e) => {
      throw new Error(`${(e as Error).message}\n${zkLog().slice(-4000)}`);
    });
    expect(one.decided).toEqual({ leader: 3, state: ServerState.FOLLOWING });
    await waitFor(() => /LEADING/.test(zkLog()), 30_000, 'ZooKeeper to lead');
    // Member 2 comes late and ends up with the same leader.
    await two.start();
    await waitFor(() => two.decided !== null, 60_000, 'member 2 to decide');
    expect(two.decided).toEqual({ leader: 3, state: ServerState.FOLLOWING });
  });

  it('ZooKeeper votes for our member with the highest zxid, and follows it', { timeout: 90_000 }, async () => {
    const { ours, zkLog } = await ensemble({ 1: [0x100000003n, 1n], 2: [0x100000005n, 1n] });
    await waitFor(() => ours.every((m) => m.decided !== null), 60_000, 'our members to decide').catch((e) => {
      throw new Error(`${(e as Error).message}\n${zkLog().slice(-4000)}`);
    });
    expect(ours[1]!.decided).toEqual({ leader: 2, state: ServerState.LEADING });
    expect(ours[0]!.decided).toEqual({ leader: 2, state: ServerState.FOLLOWING });
    // The real member changed its vote to our member 2 (its own zxid is 0).
    await waitFor(() => ours.some((m) => m.received.some(({ from, n }) => from === 3 && n.leader === 2 && n.zxid === 0x100000005n && n.peerEpoch === 1n)), 30_000, 'ZooKeeper to vote for member 2');
    await waitFor(() => /FOLLOWING/.test(zkLog()), 30_000, 'ZooKeeper to follow member 2');
  });
});

// Real ensembles of our members (one process each): elections as the seed tells them, failover
// under write load with nothing acknowledged lost, and catch-up of a restarted member.
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode } from '../../src/protocol/codes';
import * as R from '../../src/protocol/records';
import { startEnsemble, waitFor, type OurEnsemble, type OurMember } from '../support/ourzk';
import { RawConn } from '../support/raw';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client');

let ensemble: OurEnsemble | null = null;
afterEach(async () => {
  await ensemble?.stop();
  ensemble = null;
});

/** The children of `path` as member `m` itself serves them (a direct connection). */
async function childrenOn(m: OurMember, path: string): Promise<string[]> {
  const c = await RawConn.open(m.clientPort);
  try {
    await c.handshake();
    c.request(1, OpCode.sync, { codec: R.PathRequest, value: { path } });
    await c.reply();
    c.request(2, OpCode.getChildren, { codec: R.PathWatchRequest, value: { path, watch: false } });
    const rep = await c.reply();
    return rep.err === 0 ? R.GetChildrenResponse.read(rep.r).children : [];
  } finally {
    c.close();
  }
}

function connectClient(connectString: string): Promise<any> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: 6000, retries: 0 });
  return new Promise((resolve) => {
    client.once('connected', () => resolve(client));
    client.connect();
  });
}

describe('ensembles of our members', () => {
  it("elects member 3 when five members start one by one from empty (the seed's first example)", async () => {
    ensemble = await startEnsemble(5, { oneByOne: false, tickTime: 200 }).catch((e) => {
      throw e;
    });
    // Restart them one by one from empty, as the seed tells it.
    await Promise.all(ensemble.members.map((m) => m.kill()));
    const { rmSync } = await import('node:fs');
    for (const m of ensemble.members) rmSync(`${m.dataDir}/version-2`, { recursive: true, force: true });
    const [m1, m2, m3, m4, m5] = ensemble.members as [OurMember, OurMember, OurMember, OurMember, OurMember];
    await m1.launch();
    await m2.launch();
    await waitFor(async () => (await m2.events()).some((e) => e.type === 'election.started'), 10_000, 'member 2 looking');
    await m3.launch();
    const leader = await ensemble.leader();
    expect(leader.sid).toBe(3);
    await m4.launch();
    await m5.launch();
    await waitFor(async () => (await m4.mode()) === 'follower' && (await m5.mode()) === 'follower', 20_000, 'members 4 and 5 following');
    expect((await ensemble.leader()).sid).toBe(3);
  });

  it('fails over when the leader is killed under write load; every acknowledged write is on every member', async () => {
    ensemble = await startEnsemble(3, { tickTime: 200 });
    const first = await ensemble.leader();
    const client = await connectClient(ensemble.connectString);
    await new Promise<void>((res, rej) => client.create('/load', (e: Error | null) => (e ? rej(e) : res())));
    const acked: string[] = [];
    let stop = false;
    let inflight = 0;
    const writer = (async () => {
      while (!stop) {
        if (inflight >= 8) {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        inflight++;
        client.create('/load/n-', Buffer.from('v'), zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, (e: Error | null, path: string) => {
          inflight--;
          if (!e) acked.push(path);
        });
        await new Promise((r) => setImmediate(r));
      }
    })();
    await waitFor(() => acked.length >= 200, 30_000, '200 acknowledged writes');
    const epochBefore = (await first.zxid())! >> 32n;
    await first.kill();
    const second = await ensemble.leader();
    expect(second.sid).not.toBe(first.sid);
    const countAtKill = acked.length;
    await waitFor(() => acked.length >= countAtKill + 200, 60_000, '200 more acknowledged writes after the failover');
    stop = true;
    await writer;
    await waitFor(() => inflight === 0, 30_000, 'in-flight writes to settle');
    client.close();
    // The old leader comes back as a follower and catches up.
    await first.launch();
    await waitFor(async () => (await first.mode()) === 'follower', 30_000, 'the old leader to rejoin as a follower');
    const zxid = await ensemble.converged();
    expect(zxid >> 32n).toBeGreaterThan(epochBefore);
    for (const m of ensemble.members) {
      const names = new Set(await childrenOn(m, '/load'));
      const missing = acked.filter((p) => !names.has(p.slice('/load/'.length)));
      expect(missing, `member ${m.sid} misses acknowledged writes`).toEqual([]);
    }
    // Sequence numbers never repeated.
    expect(new Set(acked).size).toBe(acked.length);
  });

  it('catches up a member that lost its dataDir by SNAP, and one that was down by DIFF', async () => {
    ensemble = await startEnsemble(3, { tickTime: 200 });
    const leader = await ensemble.leader();
    const followers = ensemble.members.filter((m) => m !== leader);
    const [a, b] = followers as [OurMember, OurMember];
    const client = await connectClient(leader.connectString);
    const once = (p: string): Promise<void> => new Promise((res, rej) => client.create(p, Buffer.from('x'), (e: Error | null) => (e ? rej(e) : res())));
    // Killing a follower of three leaves a leader that must keep its one other follower synced
    // within syncLimit (1 s at this tickTime): on a loaded machine it may step down and the
    // client sees a connection loss while the two elect again. A client retries then, as any
    // ZooKeeper client must; the create is idempotent (it exists if the lost try took effect).
    const code = (e: unknown): number | undefined => (e as { code?: number }).code;
    const create = async (p: string): Promise<void> => {
      for (let tries = 1; ; tries++) {
        try {
          return await once(p);
        } catch (e) {
          if (tries > 1 && code(e) === -110) return; // NODE_EXISTS: the lost try had created it
          if (code(e) !== -4 || tries >= 5) throw e; // anything but CONNECTION_LOSS is a failure
          await waitFor(async () => client.getState().name === 'SYNC_CONNECTED', 30_000, 'the client to reconnect');
        }
      }
    };
    await create('/catchup');
    await a.kill();
    for (let i = 0; i < 20; i++) await create(`/catchup/${i}`);
    await a.launch();
    await waitFor(async () => (await a.mode()) === 'follower', 30_000, 'member a following again');
    const { rmSync } = await import('node:fs');
    await b.kill();
    rmSync(`${b.dataDir}/version-2`, { recursive: true, force: true });
    await create('/catchup/after');
    await b.launch();
    await waitFor(async () => (await b.mode()) === 'follower', 30_000, 'member b following again');
    await ensemble.converged();
    client.close();
    const syncs = (await leader.events()).filter((e) => e.type === 'leader.sync');
    expect(syncs.some((e) => e.learner === a.sid && e.mode === 'DIFF')).toBe(true);
    expect(syncs.some((e) => e.learner === b.sid && e.mode === 'SNAP')).toBe(true);
    expect((await childrenOn(b, '/catchup')).length).toBe(21);
    expect((await childrenOn(a, '/catchup')).length).toBe(21);
  });
});

// TRUNC on real processes: a leader logs a proposal no follower will ever log (both followers are
// frozen with SIGSTOP, then killed with it unread in their sockets), then dies. The followers elect a new leader in a higher epoch without
// it; when the old leader comes back it is ahead in the old epoch, so the new leader tells it to
// truncate its log to the last committed zxid. The unacknowledged write is gone everywhere;
// everything acknowledged is everywhere.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, NoNodeError, type ZkClient } from '../../src/client';
import { scanLog } from '../../src/server/storage/txnlog';
import { startEnsemble, waitFor, type OurEnsemble } from '../support/ourzk';

let ensemble: OurEnsemble | null = null;
const clients: ZkClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await ensemble?.stop();
  ensemble = null;
});

/** Every zxid in a member's transaction log files on disk. */
function loggedZxids(dataDir: string): bigint[] {
  const dir = join(dataDir, 'version-2');
  return readdirSync(dir)
    .filter((f) => f.startsWith('log.'))
    .flatMap((f) => scanLog(readFileSync(join(dir, f))).entries.map((e) => e.zxid));
}

describe('TRUNC', () => {
  it('a returning leader drops the proposal only it logged; acknowledged writes stay everywhere', async () => {
    // syncLimit 5 x tickTime 1000: the lone leader keeps leading (and logging) for a while.
    ensemble = await startEnsemble(3, { tickTime: 1000 });
    const leader = await ensemble.leader();
    const followers = ensemble.members.filter((m) => m !== leader);
    const zk = await connect(leader.connectString, { sessionTimeout: 20_000 });
    clients.push(zk);
    await zk.create('/acked', Buffer.from('committed by a quorum'));
    const committed = (await zk.exists('/acked'))!.mzxid;
    await ensemble.converged();

    // Frozen followers keep their connections, so the leader keeps leading for syncLimit ticks.
    for (const f of followers) process.kill(f.pid, 'SIGSTOP');
    // The leader proposes and logs this write, but no follower acknowledges it: it never commits.
    const lost = zk.create('/never-acked', Buffer.from('only in the old leader\'s log')).then(
      () => 'acknowledged',
      (e: Error) => e.name,
    );
    await waitFor(() => loggedZxids(leader.dataDir).some((z) => z > committed), 20_000, "the leader's own log to hold the proposal");
    const orphan = loggedZxids(leader.dataDir).find((z) => z > committed)!;
    await leader.kill();
    // Killed while frozen: the proposal waiting in their sockets dies with them.
    for (const f of followers) await f.kill();
    expect(await lost).not.toBe('acknowledged');

    // The followers come back and elect a leader of a higher epoch that never saw the proposal.
    for (const f of followers) await f.launch();
    const next = await ensemble.leader(60_000);
    expect(followers).toContain(next);
    await leader.launch();
    await waitFor(async () => (await leader.mode()) === 'follower', 60_000, 'the old leader to follow');
    await ensemble.converged(60_000);

    const syncs = (await next.events()).filter((e) => e.type === 'leader.sync' && e.learner === leader.sid);
    expect(syncs.map((e) => e.mode)).toContain('TRUNC');
    expect(loggedZxids(leader.dataDir)).not.toContain(orphan);
    for (const m of ensemble.members) {
      const c = await connect(m.connectString, { sessionTimeout: 20_000 });
      clients.push(c);
      expect((await c.getData('/acked')).data?.toString(), `member ${m.sid}`).toBe('committed by a quorum');
      await expect(c.getData('/never-acked'), `member ${m.sid}`).rejects.toBeInstanceOf(NoNodeError);
    }
  });
});

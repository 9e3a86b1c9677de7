// Dynamic reconfiguration on real member processes: a committed reconfig is the config of every
// member (its /zookeeper/config, its AdminServer voting_view), survives restarts and elections,
// and changes the quorum arithmetic: once a voter leaves, the remaining two need each other.
import { afterEach, describe, expect, it } from 'vitest';
import { BadVersionError, connect, type ZkClient } from '../../src/client';
import { startEnsemble, waitFor, type OurEnsemble, type OurMember } from '../support/ourzk';

let ensemble: OurEnsemble | null = null;
const clients: ZkClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await ensemble?.stop();
  ensemble = null;
});

async function configOf(m: OurMember): Promise<{ text: string; version: string }> {
  const c = await connect(m.connectString, { reconnectJitterMs: 50 });
  try {
    const { data } = await c.getConfig();
    const text = data?.toString('utf8') ?? '';
    return { text, version: /version=([0-9a-f]+)$/.exec(text)?.[1] ?? '' };
  } finally {
    await c.close();
  }
}

async function votingView(m: OurMember): Promise<Record<string, { learner_type: string }>> {
  const r = await (await fetch(`http://127.0.0.1:${m.adminPort}/commands/voting_view`)).json();
  return r.current_config;
}

describe('reconfig on an ensemble of our members', () => {
  it('is adopted by every member, survives an election, and changes who counts toward the quorum', async () => {
    ensemble = await startEnsemble(3, { tickTime: 200, config: { reconfigEnabled: true, skipACL: 'yes' } });
    const leader = await ensemble.leader();
    await ensemble.converged();
    const admin = await connect(ensemble.connectString, { reconnectJitterMs: 50 });
    clients.push(admin);
    const before = await configOf(leader);
    expect(before.version).toBe('0');

    // Member 3 (not the leader, so the test controls which member stays) leaves the voters.
    const leaving = ensemble.members.find((m) => m !== leader)!;
    const { data, stat } = await admin.reconfig({ leaving: String(leaving.sid), fromConfig: 0n });
    const text = data!.toString('utf8');
    expect(text).not.toContain(`server.${leaving.sid}=`);
    expect(text).toMatch(new RegExp(`version=${stat.mzxid.toString(16)}$`));
    // A reconfig against the old version is refused and changes nothing.
    await expect(admin.reconfig({ leaving: String(leader.sid), fromConfig: 0n })).rejects.toBeInstanceOf(BadVersionError);

    const stayers = ensemble.members.filter((m) => m !== leaving);
    await ensemble.converged();
    for (const m of stayers) {
      await waitFor(async () => (await configOf(m)).text === text, 20_000, `member ${m.sid} to adopt the new config`);
      expect(Object.keys(await votingView(m)).sort()).toEqual(stayers.map((s) => String(s.sid)).sort());
    }

    // The config is in the log: restarting every remaining member (one election later) keeps it.
    // The member that left keeps running; it no longer counts.
    for (const m of stayers) await m.restart();
    const newLeader = await ensemble.leader(60_000);
    expect(stayers).toContain(newLeader);
    for (const m of stayers) expect((await configOf(m)).text).toBe(text);

    // With two voters a majority is both: losing the follower stops the leader serving (with
    // the three of zoo.cfg, the member that left and is still running would make two of three).
    const follower = stayers.find((m) => m !== newLeader)!;
    await follower.kill();
    await waitFor(async () => (await newLeader.mode()) === null, 30_000, 'the leader to stop serving without its only other voter');
  });
});

// An observer (`:observer` on its server line) follows the leader's commits, forwards writes and
// never votes: the ensemble keeps its quorum arithmetic over the three participants only.
import { afterEach, describe, expect, it } from 'vitest';
import { startEnsemble, waitFor, type OurEnsemble } from '../support/ourzk';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client');

let ensemble: OurEnsemble | null = null;
afterEach(async () => {
  await ensemble?.stop();
  ensemble = null;
});

describe('observers', () => {
  it('serve reads and writes, see every commit, and do not count toward the quorum', async () => {
    ensemble = await startEnsemble(4, { observers: [4], tickTime: 200 });
    const observer = ensemble.members[3]!;
    await waitFor(async () => (await observer.mode()) === 'observer', 30_000, 'member 4 observing');
    const leader = await ensemble.leader();
    expect(leader.sid).not.toBe(4);
    const client = zookeeper.createClient(observer.connectString, { sessionTimeout: 6000 });
    await new Promise<void>((r) => {
      client.once('connected', r);
      client.connect();
    });
    const path: string = await new Promise((res, rej) => client.create('/via-observer', Buffer.from('o'), (e: Error | null, p: string) => (e ? rej(e) : res(p))));
    expect(path).toBe('/via-observer');
    await ensemble.converged();
    const status = await (await fetch(`http://127.0.0.1:${leader.adminPort}/commands/mntr`)).json();
    expect(status.synced_observers).toBe(1);
    expect(status.synced_followers).toBe(2);
    const voting = await (await fetch(`http://127.0.0.1:${observer.adminPort}/commands/voting_view`)).json();
    expect(voting.current_config['4'].learner_type).toBe('observer');
    // Two participants down: the observer cannot make a quorum, so the ensemble stops serving.
    const others = ensemble.members.filter((m) => m !== observer && m !== leader);
    await others[0]!.kill();
    await others[1]!.kill();
    await waitFor(async () => (await observer.mode()) === null && (await leader.mode()) === null, 30_000, 'the ensemble to stop serving without a quorum');
    client.close();
  });
});

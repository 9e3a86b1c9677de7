// The lab's slow-learner fault (AdminServer lab_apply_delay): a follower that applies commits
// late serves stale reads until `sync`, exactly the seed's warning about reading through a
// follower; clearing the fault applies everything at once, in order.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, NoNodeError, type ZkClient } from '../../src/client';
import { start, startEnsemble, type OurEnsemble, type OurZk } from '../support/ourzk';

// The members take it from their environment, as the lab passes it: lab faults need it (POST).
const SECRET = 'f6'.repeat(24);
process.env.ZK_LAB_ADMIN_SECRET = SECRET;

let ensemble: OurEnsemble | null = null;
let single: OurZk | null = null;
const clients: ZkClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await ensemble?.stop();
  await single?.stop();
  ensemble = null;
  single = null;
});

async function admin(port: number, query: string): Promise<Record<string, unknown>> {
  const change = query.includes('ms=');
  const init = change ? { method: 'POST', headers: { 'x-zk-lab-secret': SECRET } } : {};
  return (await fetch(`http://127.0.0.1:${port}/commands/lab_apply_delay${query}`, init)).json() as Promise<Record<string, unknown>>;
}

describe('lab_apply_delay', () => {
  it('makes a follower read stale until sync, and clearing it catches up in order', async () => {
    // Sessions of 20 s: a sync waits for the late applies, and pings queue behind it, as in ZooKeeper.
    ensemble = await startEnsemble(3, { tickTime: 1000 });
    const leader = await ensemble.leader();
    await ensemble.converged();
    const follower = ensemble.members.find((m) => m !== leader)!;
    // Sessions first: a new session is a commit too, and would wait for the late apply.
    const writer = await connect(leader.connectString, { sessionTimeout: 20_000 });
    const reader = await connect(follower.connectString, { sessionTimeout: 20_000 });
    clients.push(writer, reader);
    // A minute late, the longest the fault allows: every stale read below happens well within
    // it, however slow the machine (with 3 s, a stall between the write and the read could let
    // the follower apply first). Clearing the fault applies what waits at once.
    expect(await admin(follower.adminPort, '?ms=60000')).toMatchObject({ apply_delay_ms: 60_000, error: null });
    expect(await admin(follower.adminPort, '')).toMatchObject({ apply_delay_ms: 60_000 });
    expect(await admin(follower.adminPort, '?ms=soon')).toMatchObject({ error: expect.stringContaining('whole number') });

    await writer.create('/flow', Buffer.from('v1'));
    // Committed by a quorum and acknowledged, but not applied on the slow follower yet.
    await expect(reader.getData('/flow')).rejects.toBeInstanceOf(NoNodeError);
    // A sync waits for the late apply: it has not returned while the commit waits (a round trip
    // to the follower later), and returns once the fault is cleared and the commit applied.
    let synced = false;
    const sync = reader.sync('/flow').then(() => {
      synced = true;
    });
    expect(await admin(follower.adminPort, '')).toMatchObject({ apply_delay_ms: 60_000 });
    expect(synced).toBe(false);
    expect(await admin(follower.adminPort, '?ms=0')).toMatchObject({ apply_delay_ms: 0 });
    await sync;
    expect((await reader.getData('/flow')).data?.toString()).toBe('v1');

    // Clearing the fault applies what waits, in zxid order.
    expect(await admin(follower.adminPort, '?ms=60000')).toMatchObject({ apply_delay_ms: 60_000 });
    for (let i = 2; i <= 5; i++) await writer.setData('/flow', Buffer.from(`v${i}`));
    expect((await reader.getData('/flow')).data?.toString()).toBe('v1');
    expect(await admin(follower.adminPort, '?ms=0')).toMatchObject({ apply_delay_ms: 0 });
    const { data, stat } = await reader.getData('/flow');
    expect(data?.toString()).toBe('v5');
    expect(stat.version).toBe(4);
  });

  it('is refused by a standalone server', async () => {
    single = await start();
    expect(await admin(single.adminPort, '?ms=100')).toMatchObject({ error: expect.stringContaining('standalone') });
  });
});

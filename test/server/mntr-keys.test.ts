// mntr answers ZooKeeper 3.8's keys for the quantities our server has, judged side by side with a
// real 3.8 server: the same requests on both, then their mntr compared key by key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, type ZkClient } from '../../src/client/client';
import { JAVA, needs, ZK_JARS } from '../support/needs';
import { parseMntr } from '../support/mntr';
import { fourLetter, start as startOurs, startEnsemble as startOurEnsemble, waitFor, type OurEnsemble, type OurZk } from '../support/ourzk';
import { start as startReal, type RealZk } from '../support/realzk';

const SAMPLES = join(__dirname, 'zk-3.8-samples');

async function mntr(port: number): Promise<Map<string, string>> {
  return parseMntr(await fourLetter('127.0.0.1', port, 'mntr'));
}

/** The same requests on either server: 2 creates and 1 setData, 4 reads, a data and a child watch fired once each. */
async function workload(connectString: string): Promise<void> {
  const zk: ZkClient = await connect(connectString, { sessionTimeout: 10_000 });
  try {
    await zk.create('/m', 'a');
    await zk.getData('/m', true);
    await zk.getChildren('/m', true);
    await zk.setData('/m', 'b');
    await zk.create('/m/c', 'c');
    await zk.exists('/m/c');
  } finally {
    await zk.close();
  }
}

describe('mntr: ZooKeeper 3.8 keys', needs(JAVA, ZK_JARS), () => {
  const started: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('a standalone member: every key of ours is one 3.8 answers, and the counts agree after the same requests', { timeout: 120_000 }, async () => {
    const real: RealZk = await startReal();
    started.push(real);
    const ours: OurZk = await startOurs({ admin: false });
    started.push(ours);
    await workload(real.connectString);
    await workload(ours.connectString);
    const [r, o] = [await mntr(real.clientPort), await mntr(ours.clientPort)];
    const extra = [...o.keys()].filter((k) => !r.has(k));
    expect(extra, 'keys of ours that 3.8 does not answer').toEqual([]);
    console.log(`mntr, standalone: ours answers ${o.size} of the ${r.size} keys 3.8 answers`);
    // The quantities both count the same way for the same requests (times differ by machine and engine).
    const same = [
      'znode_count', 'ephemerals_count', 'approximate_data_size', 'watch_count', 'global_sessions', 'num_alive_connections',
      'connection_request_count', 'last_client_response_size', 'min_client_response_size', 'max_client_response_size',
      'cnt_readlatency', 'cnt_updatelatency', 'cnt_fsynctime', 'cnt_sync_processor_batch_size', 'sum_sync_processor_batch_size',
      'cnt_snapshottime', 'cnt_dbinittime', 'cnt_election_time', 'looking_count', 'proposal_count',
      ...['created', 'deleted', 'changed', 'children'].flatMap((w) => [`cnt_node_${w}_watch_count`, `sum_node_${w}_watch_count`]),
    ];
    expect(Object.fromEntries(same.map((k) => [k, o.get(k)]))).toEqual(Object.fromEntries(same.map((k) => [k, r.get(k)])));
    // And the values were measured: the requests moved them.
    expect(Number(o.get('cnt_updatelatency'))).toBe(5); // createSession, 2 creates, setData, closeSession
    expect(Number(o.get('cnt_node_changed_watch_count'))).toBe(1);
    // Percentiles of an ADVANCED summary lie within its min and max.
    const [min, p50, max] = ['min', 'p50', 'max'].map((p) => Number(o.get(`${p}_updatelatency`)));
    expect(min).toBeLessThanOrEqual(p50!);
    expect(p50).toBeLessThanOrEqual(max!);
  });

  it('members of an ensemble: the leader and a follower answer keys a 3.8 leader and follower answer, with the election and sync measured', { timeout: 120_000 }, async () => {
    const ens: OurEnsemble = await startOurEnsemble(3);
    started.push(ens);
    const leader = await ens.leader();
    await ens.converged();
    const zk = await connect(leader.connectString);
    await zk.create('/q', 'x');
    await zk.close();
    const follower = ens.members.find((m) => m !== leader)!;
    await waitFor(async () => Number((await mntr(follower.clientPort)).get('cnt_follower_sync_time')) >= 1, 20_000, 'the follower to report its sync');
    for (const [role, member] of [['leader', leader], ['follower', follower]] as const) {
      const sample = parseMntr(readFileSync(join(SAMPLES, `${role}-4lw-mntr.txt`), 'utf8'));
      const o = await mntr(member.clientPort);
      expect([...o.keys()].filter((k) => !sample.has(k)), `keys of our ${role} that a 3.8 ${role} does not answer`).toEqual([]);
      console.log(`mntr, ${role}: ours answers ${o.size} of the ${sample.size} keys a 3.8 ${role} answers`);
      expect(o.get('quorum_size')).toBe('3');
      expect(Number(o.get('cnt_election_time'))).toBeGreaterThanOrEqual(1);
      expect(Number(o.get('looking_count'))).toBeGreaterThanOrEqual(1);
      // Once since it started, or more where a busy machine made it elect again.
      expect(Number(o.get('cnt_unavailable_time'))).toBeGreaterThanOrEqual(1);
    }
    const l = await mntr(leader.clientPort);
    expect(Number(l.get('leader_uptime'))).toBeGreaterThan(0);
    expect(Number(l.get('cnt_leader_unavailable_time'))).toBeGreaterThanOrEqual(1);
    expect(Number(l.get('diff_count')) + Number(l.get('snap_count'))).toBeGreaterThanOrEqual(2); // a sync per follower (more if one rejoined)
    expect(Number(l.get('proposal_count'))).toBeGreaterThanOrEqual(3); // createSession, create, closeSession
    expect(l.get('commit_count')).toBe(l.get('proposal_count'));
    const f = await mntr(follower.clientPort);
    expect(f.has('leader_uptime')).toBe(false);
    expect(f.has('cnt_leader_unavailable_time')).toBe(true);
  });
});

// The seed's election claims (§6, §3): members started one by one from empty, the election after
// a failure decided by (epoch, zxid, sid), and the majority rule.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect, CreateMode, type ZkClient } from '../../client';
import { failuresTolerated } from '../../shared/walkthroughs';
import type { WireMessage } from '../../shared/contract';
import { serving, zxidCounter, zxidText, type Walk } from './control';

/** The seed's vote triple, (epoch, zxid counter, sid), with the zxid in hex beside. */
function vote(epoch: number | string | null, hex: string | null, sid: number): string {
  return `(${epoch ?? '?'}, ${zxidCounter(hex)}, ${sid}) [zxid ${zxidText(hex)}]`;
}

export async function electionFromEmpty(w: Walk): Promise<void> {
  const ids = [1, 2, 3, 4, 5];
  await w.step('Stop all five members', async () => {
    for (const i of ids) if (w.role(w.lab.view()!, i) !== 'down') await w.lab.node(i, 'stop');
    return w.until('every member to be down', (v) => ids.every((i) => w.role(v, i) === 'down'));
  }, () => 'all down');
  await w.step('Empty every dataDir (myid stays): every member starts from zxid 0', async () => {
    for (const i of ids) {
      const dir = join(w.lab.nodeDir(i), 'data', 'version-2');
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }
    // Epochs start again at 1: the history must not take the next leader for a stale reading.
    w.lab.erased();
  }, () => 'version-2 removed on all five');
  await w.step('Start member 1: alone it is no majority of five, so it keeps LOOKING', async () => {
    await w.lab.node(1, 'start');
    return w.until('member 1 to look for a leader', (v) => w.role(v, 1) === 'looking');
  }, (v) => w.roles(v, [1]));
  await w.step('Start member 2: two of five are still no majority; both LOOKING', async () => {
    await w.lab.node(2, 'start');
    return w.until('members 1 and 2 to look', (v) => [1, 2].every((i) => w.role(v, i) === 'looking'));
  }, (v) => w.roles(v, [1, 2]));
  w.keyNext();
  const three = await w.step('Start member 3: three of five are a majority, and among equal zxids the highest sid wins', async () => {
    await w.lab.node(3, 'start');
    return w.until('a leader among 1, 2 and 3', (v) => v.serving && v.leader !== null);
  }, (v) => `leader ${v.leader}; ${w.roles(v, [1, 2, 3])}`);
  const all = await w.step('Start members 4 and 5: a leader is there already, so they follow it', async () => {
    await w.lab.node(4, 'start');
    await w.lab.node(5, 'start');
    return w.until('all five serving', (v) => ids.every((i) => ['leader', 'follower'].includes(w.role(v, i))));
  }, (v) => w.roles(v, ids));
  w.finish('member 3 becomes the leader and stays the leader when 4 and 5 join', `leader ${three.leader} after member 3 started, leader ${all.leader} with all five`, three.leader === 3 && all.leader === 3);
}

export async function electionAfterFailure(w: Walk): Promise<void> {
  const start = w.lab.view()!;
  if (!start.serving || start.leader !== 3 || start.nodes.some((n) => !['leader', 'follower'].includes(n.role))) {
    throw new Error(`This walkthrough starts where the first one ends: all five serving with member 3 leading (now: ${start.leader === null ? 'no leader' : `leader ${start.leader}`}). Run "Election from empty" first.`);
  }
  await w.step('Kill members 4 and 5: they will miss the next write', async () => {
    await w.lab.node(4, 'kill');
    await w.lab.node(5, 'kill');
    return w.until('4 and 5 down and 1, 2, 3 serving', (v) => w.role(v, 4) === 'down' && w.role(v, 5) === 'down' && v.serving);
  }, (v) => w.roles(v, [1, 2, 3, 4, 5]));
  const behind = start.nodes.find((n) => n.myid === 4)!.lastZxid;
  const ahead = await w.step('Write one znode: the quorum 1, 2, 3 commits it, so their zxid moves one ahead of 4 and 5', async () => {
    const zk = await connect([1, 2, 3].map((i) => w.lab.address(i)).join(','), { sessionTimeout: 10_000 });
    try {
      await zk.create('/seed-walkthrough', null).catch(() => undefined);
      await zk.create('/seed-walkthrough/write-', Buffer.from('committed by 1, 2 and 3 only'), { mode: CreateMode.PERSISTENT_SEQUENTIAL });
      await zk.sync('/');
    } finally {
      await zk.close();
    }
    return w.until('1, 2 and 3 at the same newer zxid', (v) => {
      const zs = [1, 2, 3].map((i) => v.nodes.find((n) => n.myid === i)!.lastZxid);
      return zs.every((z) => z !== null && z === zs[0] && z !== behind);
    });
  }, (v) => `1, 2, 3 at ${zxidText(v.nodes.find((n) => n.myid === 1)!.lastZxid)}; 4 and 5 stopped at ${zxidText(behind)}`);
  // 1 and 2 cast their own votes as soon as 3 dies (then 1 adopts 2's): the wire is read from here.
  const t3 = Date.now();
  w.keyNext();
  await w.step('Kill the leader, member 3: members 1 and 2 alone are no majority of five', async () => {
    await w.lab.node(3, 'kill');
    return w.until('the ensemble to stop serving', (v) => !v.serving && w.role(v, 3) === 'down');
  }, (v) => w.roles(v, [1, 2, 3]));
  const zx = ahead.nodes.find((n) => n.myid === 1)!.lastZxid;
  const ep = ahead.nodes.find((n) => n.myid === 1)!.epoch;
  const elected = await w.step(`Start member 4, which is behind: 1, 2 and 4 vote with (epoch, zxid, sid) = ${vote(ep, zx, 1)}, ${vote(ep, zx, 2)}, ${vote(ep, behind, 4)}`, async () => {
    await w.lab.node(4, 'start');
    return w.until('a leader among 1, 2 and 4', (v) => v.serving && v.leader !== null);
  }, (v) => `leader ${v.leader}; ${w.roles(v, [1, 2, 4])}`);
  // The votes as they crossed the lab's network: each member's first vote for itself in this election.
  const votes = w.lab.wire({ afterSeq: 0, fromMs: t3 - 100, toMs: null, types: ['NOTIFICATION'], members: [1, 2, 4], zxid: null, limit: 5000 }).messages;
  const own = (m: number): WireMessage | undefined => votes.find((x) => x.from === m && x.fields.leader === m && x.fields.state === 'LOOKING');
  const table = [1, 2, 4].map((m) => {
    const n = own(m);
    return n ? vote(n.fields.peerEpoch as number, String(n.fields.zxid), m) : `(member ${m}'s own vote not seen)`;
  });
  await w.step('Start 3 and 5 again: they follow the new leader and catch up', async () => {
    await w.lab.node(3, 'start');
    await w.lab.node(5, 'start');
    return w.until('all five serving', (v) => v.nodes.every((n) => ['leader', 'follower'].includes(n.role)));
  }, (v) => `${w.roles(v, [1, 2, 3, 4, 5])}; epoch ${v.nodes.find((n) => n.myid === v.leader)?.epoch}`);
  w.finish(
    'among the votes (epoch, zxid, sid) the highest epoch wins, then the highest zxid, then the highest sid: with (1, 8, 1), (1, 8, 2), (1, 7, 4) member 2 wins',
    `the members' own votes on the wire: ${table.join(', ')}; leader ${elected.leader}`,
    elected.leader === 2,
  );
}

/**
 * Whether the ensemble commits a write now, asked of the members themselves: a new session (itself
 * a transaction) and a sequential znode, through the voters still up. No answer within the limit
 * (longer than the leader takes to notice it lost its quorum) means no quorum.
 */
async function commits(w: Walk, through: number[]): Promise<{ ok: boolean; ms: number; zxid: bigint | null }> {
  const t0 = Date.now();
  let zk: ZkClient | null = null;
  try {
    zk = await connect(through.map((i) => w.lab.address(i)).join(','), { sessionTimeout: 6000, timeoutMs: PROBE_MS });
    await zk.create('/seed-walkthrough', null).catch(() => undefined);
    const p = await withTimeout(zk.create('/seed-walkthrough/majority-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }), PROBE_MS - (Date.now() - t0));
    const stat = await zk.exists(p);
    return { ok: true, ms: Date.now() - t0, zxid: stat?.czxid ?? null };
  } catch {
    return { ok: false, ms: Date.now() - t0, zxid: null };
  } finally {
    await zk?.close(1000).catch(() => undefined);
  }
}

/** How long a write may take before the walkthrough counts the ensemble as not serving. */
const PROBE_MS = 8000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no answer')), Math.max(0, ms));
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}

/**
 * The seed: an ensemble serves while more than half of its voters are up. Followers are killed one
 * by one until it stops serving; after each kill a write is tried through the members still up,
 * so "serving" is what the members did, not what the arithmetic says. On an even-sized lab the
 * verdict also says what one member fewer tolerates: as many failures.
 */
export async function majority(w: Walk): Promise<void> {
  const v0 = await serving(w, true);
  const voters = v0.nodes.filter((n) => !n.observer).map((n) => n.myid);
  const size = voters.length;
  const followers = voters.filter((m) => m !== v0.leader);
  const quorum = Math.floor(size / 2) + 1;
  // Kill until the ensemble should stop: one more than the failures it tolerates.
  const kills = size - quorum + 1;
  const seen: string[] = [];
  const killed: number[] = [];
  let tolerated: number | null = null;
  for (let k = 0; k < kills; k++) {
    const victim = followers[k]!;
    const up = size - (k + 1);
    if (k === kills - 1) w.keyNext();
    const r = await w.step(`Kill follower ${victim}: ${up} of ${size} voters left (${quorum} make a majority); then try a write through the members still up`, async () => {
      await w.lab.node(victim, 'kill');
      killed.push(victim);
      await w.until(`member ${victim} to be down`, (x) => w.role(x, victim) === 'down');
      const live = voters.filter((m) => !killed.includes(m));
      const probe = await commits(w, live);
      // The Cluster view agrees with what the members did (the leader steps down without a quorum).
      const v = await w.until(probe.ok ? 'the ensemble to show it serves' : 'the ensemble to show it stopped serving', (x) => x.serving === probe.ok, 30_000);
      return { probe, v };
    }, ({ probe, v }) => `${v.votersUp} of ${size} up, ${probe.ok ? `serving: a write committed in ${probe.ms} ms (zxid ${zxidText(probe.zxid)}), leader ${v.leader}` : `not serving: no write committed within ${PROBE_MS / 1000} s; ${w.roles(v, voters.filter((m) => !killed.includes(m)))}`}`);
    seen.push(`${up} up: ${r.probe.ok ? 'serving' : 'not serving'}`);
    if (!r.probe.ok) {
      tolerated = k;
      break;
    }
  }
  if (tolerated === null) tolerated = kills;
  const last = killed.at(-1)!;
  const back = await w.step(`Start follower ${last} again: ${size - killed.length + 1} of ${size}, a majority again`, async () => {
    await w.lab.node(last, 'start');
    await w.until('the ensemble to serve again', (x) => x.serving && x.leader !== null, 60_000);
    return commits(w, voters.filter((m) => m === last || !killed.includes(m)));
  }, (p) => (p.ok ? `serving: a write committed in ${p.ms} ms` : 'still not serving'));
  const rest = killed.slice(0, -1);
  if (rest.length > 0) {
    await w.step(`Start ${rest.join(' and ')}: all ${v0.nodes.length} serve`, async () => {
      for (const m of rest) await w.lab.node(m, 'start');
      return w.until(`all ${v0.nodes.length} serving`, (x) => x.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 60_000);
    }, (x) => w.roles(x, x.nodes.map((n) => n.myid)));
  }
  const expected = failuresTolerated(size);
  const even = size % 2 === 0 && size >= 2;
  const claim = even
    ? `an ensemble serves while more than half of its voters are up: ${size} members need ${quorum}, so they survive ${expected} failure${expected === 1 ? '' : 's'}, the same as ${size - 1} members; that is why an odd number of servers is recommended`
    : `an ensemble serves while more than half of its voters are up: ${size} members survive ${expected} failure${expected === 1 ? '' : 's'} (a majority of ${quorum} remains) but not ${expected + 1}`;
  const observed = `${size} voters: ${seen.join('; ')}; ${size - killed.length + 1} up again: ${back.ok ? 'serving' : 'not serving'}; ${tolerated} failure${tolerated === 1 ? '' : 's'} survived${even ? `, as many as the same rule gives ${size - 1} voters (${failuresTolerated(size - 1)}; run this on a ${size - 1}-member lab to see it)` : ''}`;
  w.finish(claim, observed, tolerated === expected && back.ok && (!even || tolerated === failuresTolerated(size - 1)));
}

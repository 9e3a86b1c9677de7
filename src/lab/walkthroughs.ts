// The seed's claims as runnable walkthroughs: each one does to the lab what the tutorial
// describes (start members one by one from empty, kill the leader and a lagging member, take
// followers away until there is no majority, move a session by killing its member) with the
// lab's real actions, shows every step as it happens and ends with what the seed says beside
// what the ensemble did. Nothing here is simulated: the verdict is read from the members.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect, CreateMode, type ZkClient } from '../client';
import type { Fault, FaultSpec, LabView, NodeAction, WalkthroughId, WalkthroughState, WireCapture, WireMessage, WireQuery } from '../shared/contract';

export interface WalkthroughControl {
  view(): LabView | null;
  node(myid: number, action: NodeAction): Promise<unknown>;
  /** The folder of node `myid` (its dataDir is `data` inside). */
  nodeDir(myid: number): string;
  /** A client address per member. */
  address(myid: number): string;
  record(type: 'walkthrough.started' | 'walkthrough.ended', detail: string, data: Record<string, unknown>): void;
  /** Sets the lab fault that makes member `myid` apply commits `ms` late (our server only). */
  applyDelay(myid: number, ms: number): Promise<void>;
  /** Starts a fault of the lab's network (throws a sentence when there is no network). */
  fault(spec: FaultSpec): Promise<Fault>;
  heal(id: string): Promise<void>;
  /** The Wire capture. */
  wire(query: WireQuery): WireCapture;
  push(state: WalkthroughState): void;
}

interface Step {
  text: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  observed: string;
}

const TITLES: Record<WalkthroughId, string> = {
  'election-from-empty': 'Election from empty: five members started one by one',
  'election-after-failure': 'Election after a failure: leader 3 and member 5 down, 4 behind',
  majority: 'Majority: how many members can go before the ensemble stops',
  'session-moves': 'A session outlives its member; its ephemeral znode lives as long as the session',
  partition: 'A partition: the majority side elects and serves, the minority side stops serving',
  'write-via-follower': 'A write sent to a follower is forwarded to the leader',
  'recovery-committed': 'Recovery, case 1: a write a majority acknowledged survives its leader',
  'recovery-discarded': 'Recovery, case 2: a proposal nobody else saw is discarded',
  'write-flow': 'The write flow: the leader commits with a majority; a follower can lag until sync',
};

/**
 * How late the slow follower of the write-flow walkthrough applies commits: the write's
 * acknowledgement and the stale read must both land inside it on a busy machine, and the sync
 * that waits it out must stay under the read timeout of a 10 s session (2/3 of it, 6.7 s).
 */
const SLOW_APPLY_MS = 4000;

/** One line per zxid as people read it: 0x<epoch><counter> and (epoch e, counter c). */
function zxidText(hex: string | null): string {
  if (hex === null) return 'unknown';
  const z = BigInt(`0x${hex}`);
  return `0x${hex} (epoch ${z >> 32n}, counter ${z & 0xffffffffn})`;
}

export class Walkthroughs {
  private state: WalkthroughState | null = null;
  private stopping = false;

  constructor(private readonly lab: WalkthroughControl) {}

  current(): WalkthroughState | null {
    return this.state;
  }

  /** Throws, saying what to do, when walkthrough `id` cannot run on the lab as it is. */
  check(id: WalkthroughId): void {
    if (this.state?.running) throw new Error(`"${this.state.title}" is running; wait for it or stop it.`);
    const view = this.lab.view();
    if (!view) throw new Error('There is no lab yet: launch a 5-node lab first.');
    if (view.attached) throw new Error('This ensemble is attached: walkthroughs stop and start members, so they run on a lab the lab launched.');
    const anyEnsemble: WalkthroughId[] = ['session-moves', 'write-via-follower', 'recovery-committed', 'recovery-discarded'];
    if (!anyEnsemble.includes(id) && (view.nodes.length !== 5 || view.nodes.some((n) => n.observer))) {
      throw new Error('This walkthrough follows the seed: it needs a lab of 5 voting members. Destroy this lab and launch a 5-node one without observers.');
    }
    if ((anyEnsemble.includes(id) || id === 'write-flow') && view.nodes.filter((n) => !n.observer).length < 3) throw new Error('This walkthrough needs an ensemble: launch a lab of 3 or 5 members.');
    if (id === 'write-flow' && view.nodes.some((n) => n.engine !== 'ours')) throw new Error('The write flow slows a follower down with a fault only our server has: launch a lab of our server (not Apache ZooKeeper).');
  }

  /** Runs a walkthrough; resolves when it has ended (the UI follows the pushes). */
  async run(id: WalkthroughId): Promise<WalkthroughState> {
    this.check(id);
    this.stopping = false;
    this.state = { id, title: TITLES[id], running: true, steps: [], verdict: null, passed: null, error: null, startedAt: Date.now(), endedAt: null };
    this.lab.record('walkthrough.started', `walkthrough started: ${TITLES[id]}`, { id });
    this.publish();
    try {
      if (id === 'election-from-empty') await this.electionFromEmpty();
      else if (id === 'election-after-failure') await this.electionAfterFailure();
      else if (id === 'majority') await this.majority();
      else if (id === 'write-flow') await this.writeFlow();
      else if (id === 'partition') await this.partition();
      else if (id === 'write-via-follower') await this.writeViaFollower();
      else if (id === 'recovery-committed') await this.recoveryCommitted();
      else if (id === 'recovery-discarded') await this.recoveryDiscarded();
      else await this.sessionMoves();
    } catch (e) {
      const s = this.state;
      const running = s.steps.find((x) => x.status === 'running');
      if (running) running.status = 'failed';
      s.error = (e as Error).message;
      s.passed = false;
    } finally {
      this.state.running = false;
      this.state.endedAt = Date.now();
      this.lab.record('walkthrough.ended', `walkthrough ended: ${this.state.title}: ${this.state.passed ? 'as the seed says' : this.state.error ?? 'not as the seed says'}`, { id, passed: this.state.passed });
      this.publish();
    }
    return this.state;
  }

  /** Asks a running walkthrough to stop after its current step. */
  stop(): void {
    if (this.state?.running) this.stopping = true;
  }

  private publish(): void {
    if (this.state) this.lab.push(structuredClone(this.state));
  }

  private async step<T>(text: string, body: () => Promise<T>, observe: (r: T) => string = () => ''): Promise<T> {
    if (this.stopping) throw new Error('Stopped on request; the lab is as the last step left it.');
    const step: Step = { text, status: 'running', observed: '' };
    this.state!.steps.push(step);
    this.publish();
    const r = await body();
    step.status = 'done';
    step.observed = observe(r);
    this.publish();
    return r;
  }

  private finish(claim: string, observed: string, passed: boolean): void {
    this.state!.verdict = `The seed says: ${claim}. The lab saw: ${observed}.`;
    this.state!.passed = passed;
  }

  /** Polls the lab's view (the poller reads every member a few times a second) until `ok`. */
  private async until(what: string, ok: (v: LabView) => boolean, ms = 60_000): Promise<LabView> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = this.lab.view();
      if (!v) throw new Error('The lab was closed during the walkthrough.');
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`Waited ${ms / 1000} s for ${what}; look at the Cluster view and the members' logs (Terminals).`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private role(v: LabView, myid: number): string {
    return v.nodes.find((n) => n.myid === myid)?.role ?? 'down';
  }

  private roles(v: LabView, ids: number[]): string {
    return ids.map((i) => `${i} ${this.role(v, i)}`).join(', ');
  }

  private async electionFromEmpty(): Promise<void> {
    const ids = [1, 2, 3, 4, 5];
    await this.step('Stop all five members', async () => {
      for (const i of ids) if (this.role(this.lab.view()!, i) !== 'down') await this.lab.node(i, 'stop');
      return this.until('every member to be down', (v) => ids.every((i) => this.role(v, i) === 'down'));
    }, () => 'all down');
    await this.step('Empty every dataDir (myid stays): every member starts from zxid 0', async () => {
      for (const i of ids) {
        const dir = join(this.lab.nodeDir(i), 'data', 'version-2');
        if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
      }
    }, () => 'version-2 removed on all five');
    await this.step('Start member 1: alone it is no majority of five, so it keeps LOOKING', async () => {
      await this.lab.node(1, 'start');
      return this.until('member 1 to look for a leader', (v) => this.role(v, 1) === 'looking');
    }, (v) => this.roles(v, [1]));
    await this.step('Start member 2: two of five are still no majority; both LOOKING', async () => {
      await this.lab.node(2, 'start');
      return this.until('members 1 and 2 to look', (v) => [1, 2].every((i) => this.role(v, i) === 'looking'));
    }, (v) => this.roles(v, [1, 2]));
    const three = await this.step('Start member 3: three of five are a majority, and among equal zxids the highest sid wins', async () => {
      await this.lab.node(3, 'start');
      return this.until('a leader among 1, 2 and 3', (v) => v.serving && v.leader !== null);
    }, (v) => `leader ${v.leader}; ${this.roles(v, [1, 2, 3])}`);
    const all = await this.step('Start members 4 and 5: a leader is there already, so they follow it', async () => {
      await this.lab.node(4, 'start');
      await this.lab.node(5, 'start');
      return this.until('all five serving', (v) => ids.every((i) => ['leader', 'follower'].includes(this.role(v, i))));
    }, (v) => this.roles(v, ids));
    this.finish('member 3 becomes the leader and stays the leader when 4 and 5 join', `leader ${three.leader} after member 3 started, leader ${all.leader} with all five`, three.leader === 3 && all.leader === 3);
  }

  private async electionAfterFailure(): Promise<void> {
    const start = this.lab.view()!;
    if (!start.serving || start.leader !== 3 || start.nodes.some((n) => !['leader', 'follower'].includes(n.role))) {
      throw new Error(`This walkthrough starts where the first one ends: all five serving with member 3 leading (now: ${start.leader === null ? 'no leader' : `leader ${start.leader}`}). Run "Election from empty" first.`);
    }
    await this.step('Kill members 4 and 5: they will miss the next write', async () => {
      await this.lab.node(4, 'kill');
      await this.lab.node(5, 'kill');
      return this.until('4 and 5 down and 1, 2, 3 serving', (v) => this.role(v, 4) === 'down' && this.role(v, 5) === 'down' && v.serving);
    }, (v) => this.roles(v, [1, 2, 3, 4, 5]));
    const behind = start.nodes.find((n) => n.myid === 4)!.lastZxid;
    const ahead = await this.step('Write one znode: the quorum 1, 2, 3 commits it, so their zxid moves one ahead of 4 and 5', async () => {
      const zk = await connect([1, 2, 3].map((i) => this.lab.address(i)).join(','), { sessionTimeout: 10_000 });
      try {
        await zk.create('/seed-walkthrough', null).catch(() => undefined);
        await zk.create('/seed-walkthrough/write-', Buffer.from('committed by 1, 2 and 3 only'), { mode: CreateMode.PERSISTENT_SEQUENTIAL });
        await zk.sync('/');
      } finally {
        await zk.close();
      }
      return this.until('1, 2 and 3 at the same newer zxid', (v) => {
        const zs = [1, 2, 3].map((i) => v.nodes.find((n) => n.myid === i)!.lastZxid);
        return zs.every((z) => z !== null && z === zs[0] && z !== behind);
      });
    }, (v) => `1, 2, 3 at ${zxidText(v.nodes.find((n) => n.myid === 1)!.lastZxid)}; 4 and 5 stopped at ${zxidText(behind)}`);
    await this.step('Kill the leader, member 3: members 1 and 2 alone are no majority of five', async () => {
      await this.lab.node(3, 'kill');
      return this.until('the ensemble to stop serving', (v) => !v.serving && this.role(v, 3) === 'down');
    }, (v) => this.roles(v, [1, 2, 3]));
    const zx = ahead.nodes.find((n) => n.myid === 1)!.lastZxid;
    const elected = await this.step(`Start member 4, which is behind: 1, 2 and 4 vote with (epoch, zxid, sid) = (…, ${zx}, 1), (…, ${zx}, 2), (…, ${behind}, 4)`, async () => {
      await this.lab.node(4, 'start');
      return this.until('a leader among 1, 2 and 4', (v) => v.serving && v.leader !== null);
    }, (v) => `leader ${v.leader}; ${this.roles(v, [1, 2, 4])}`);
    await this.step('Start 3 and 5 again: they follow the new leader and catch up', async () => {
      await this.lab.node(3, 'start');
      await this.lab.node(5, 'start');
      return this.until('all five serving', (v) => v.nodes.every((n) => ['leader', 'follower'].includes(n.role)));
    }, (v) => `${this.roles(v, [1, 2, 3, 4, 5])}; epoch ${v.nodes.find((n) => n.myid === v.leader)?.epoch}`);
    this.finish('member 2 wins: 1 and 2 have the newest zxid, and of those 2 has the higher sid', `leader ${elected.leader}`, elected.leader === 2);
  }

  private async majority(): Promise<void> {
    const v0 = await this.until('a serving ensemble of five', (v) => v.serving && v.leader !== null, 30_000).catch(() => {
      throw new Error('The ensemble is not serving now: start its members (Cluster view) and run this again.');
    });
    const followers = v0.nodes.filter((n) => n.myid !== v0.leader).map((n) => n.myid);
    const seen: string[] = [];
    for (let k = 0; k < 3; k++) {
      const victim = followers[k]!;
      const up = 5 - (k + 1);
      const expectServing = up >= 3;
      const v = await this.step(`Kill follower ${victim}: ${up} of 5 left, ${expectServing ? 'still a majority: the ensemble serves' : 'no majority: the leader steps down and nobody serves'}`, async () => {
        await this.lab.node(victim, 'kill');
        return this.until(expectServing ? `the ensemble to serve with ${up} members` : 'the ensemble to stop serving', (x) => this.role(x, victim) === 'down' && x.serving === expectServing && (expectServing ? x.leader !== null : true));
      }, (x) => `${x.votersUp} of 5 up, ${x.serving ? `serving, leader ${x.leader}` : 'not serving'}`);
      seen.push(`${up} up: ${v.serving ? 'serving' : 'not serving'}`);
    }
    const back = await this.step(`Start follower ${followers[2]} again: 3 of 5, a majority again`, async () => {
      await this.lab.node(followers[2]!, 'start');
      return this.until('the ensemble to serve again', (x) => x.serving && x.leader !== null);
    }, (x) => `serving, leader ${x.leader}`);
    await this.step(`Start ${followers[0]} and ${followers[1]}: all five serve`, async () => {
      await this.lab.node(followers[0]!, 'start');
      await this.lab.node(followers[1]!, 'start');
      return this.until('all five serving', (x) => x.nodes.every((n) => ['leader', 'follower'].includes(n.role)));
    }, (x) => this.roles(x, [1, 2, 3, 4, 5]));
    this.finish('five members survive two failures (a majority of 3 remains) but not three', `${seen.join('; ')}; 3 up again: ${back.serving ? 'serving' : 'not serving'}`, seen.join(';') === '4 up: serving;3 up: serving;2 up: not serving' && back.serving);
  }

  private async writeFlow(): Promise<void> {
    const v0 = await this.until('a serving ensemble', (v) => v.serving && v.leader !== null, 30_000).catch(() => {
      throw new Error('The ensemble is not serving now: start its members (Cluster view) and run this again.');
    });
    const leader = v0.leader!;
    const slow = v0.nodes.find((n) => n.role === 'follower')!.myid;
    const path = '/seed-walkthrough/flow';
    let writer: ZkClient | null = null;
    let reader: ZkClient | null = null;
    try {
      await this.step(`Open one session through the leader (member ${leader}) and one through follower ${slow}; ${path} holds "before"`, async () => {
        writer = await connect(this.lab.address(leader), { sessionTimeout: 10_000 });
        reader = await connect(this.lab.address(slow), { sessionTimeout: 10_000 });
        await writer.create('/seed-walkthrough', null).catch(() => undefined);
        await writer.create(path, Buffer.from('before')).catch(() => writer!.setData(path, Buffer.from('before')));
        await reader.sync(path);
      }, () => `two sessions; ${path} = "before" on every member`);
      await this.step(`Make follower ${slow} slow: it logs and acknowledges every proposal at once but applies each commit ${SLOW_APPLY_MS / 1000} s late (a lab fault)`, () => this.lab.applyDelay(slow, SLOW_APPLY_MS), () => `member ${slow} applies commits ${SLOW_APPLY_MS} ms late`);
      const write = await this.step('Write "after" through the leader: it proposes the txn, a majority acknowledges, it commits and answers', async () => {
        const t0 = Date.now();
        const stat = await writer!.setData(path, Buffer.from('after'));
        return { stat, ms: Date.now() - t0 };
      }, (r) => `acknowledged in ${r.ms} ms as zxid ${zxidText(r.stat.mzxid.toString(16))}`);
      const stale = await this.step(`Read ${path} through follower ${slow} at once`, async () => (await reader!.getData(path)).data?.toString() ?? '', (d) => `"${d}"${d === 'before' ? ': the follower has the txn but has not applied its commit yet' : ''}`);
      const fresh = await this.step(`sync through follower ${slow}, then read again: sync returns once the follower has applied what the leader had committed`, async () => {
        const t0 = Date.now();
        await reader!.sync(path);
        const waited = Date.now() - t0;
        const { data, stat } = await reader!.getData(path);
        return { data: data?.toString() ?? '', waited, zxid: stat.mzxid };
      }, (r) => `"${r.data}" (zxid ${zxidText(r.zxid.toString(16))}) after a sync that waited ${r.waited} ms`);
      await this.step(`Clear the fault on member ${slow}`, () => this.lab.applyDelay(slow, 0), () => 'applies commits at once again');
      this.finish(
        'every write goes through the leader and is committed once a majority has it; a read is answered by the member the client is connected to, which may be behind, and sync brings it up to date first',
        `the write was acknowledged at zxid ${zxidText(write.stat.mzxid.toString(16))}; follower ${slow} then read "${stale}", and after sync "${fresh.data}"`,
        stale === 'before' && fresh.data === 'after' && fresh.zxid === write.stat.mzxid,
      );
    } finally {
      await this.lab.applyDelay(slow, 0).catch(() => undefined);
      await (writer as ZkClient | null)?.close().catch(() => undefined);
      await (reader as ZkClient | null)?.close().catch(() => undefined);
    }
  }

  /** The seed: a partitioned ensemble keeps serving on the side with a majority; the other side stops until it heals. */
  private async partition(): Promise<void> {
    const v0 = await this.until('a serving ensemble of five', (v) => v.serving && v.leader !== null && v.nodes.every((n) => n.role === 'leader' || n.role === 'follower'), 30_000).catch(() => {
      throw new Error('The ensemble is not serving with all five members now: start its members (Cluster view) and run this again.');
    });
    const oldLeader = v0.leader!;
    const oldEpoch = v0.nodes.find((n) => n.myid === oldLeader)!.epoch ?? 0;
    // The leader and one follower on the small side: the leader itself must lose its quorum.
    const minority = [oldLeader, v0.nodes.find((n) => n.myid !== oldLeader)!.myid].sort((a, b) => a - b);
    const majority = v0.nodes.map((n) => n.myid).filter((m) => !minority.includes(m));
    const path = '/seed-walkthrough/partition';
    let fault: Fault | null = null;
    let client: ZkClient | null = null;
    try {
      fault = await this.step(`Partition the network: ${minority.join(',')} (the leader and one follower) | ${majority.join(',')} (a majority of 3 of 5)`, () => this.lab.fault({ kind: 'partition', groups: [minority, majority] }), (f) => `${f.id}: ${f.description}`);
      const split = await this.step(`The majority side elects a leader among ${majority.join(', ')} in a higher epoch and serves`, () => this.until('a leader on the majority side', (x) => x.leader !== null && majority.includes(x.leader) && (x.nodes.find((n) => n.myid === x.leader)!.epoch ?? 0) > oldEpoch && majority.every((m) => ['leader', 'follower'].includes(this.role(x, m)))), (x) => `leader ${x.leader} in epoch ${x.nodes.find((n) => n.myid === x.leader)!.epoch}; ${this.roles(x, majority)}`);
      const minorityRoles = await this.step(`The minority side (${minority.join(', ')}) has no quorum: old leader ${oldLeader} steps down and neither member serves`, () => this.until('the minority to stop serving', (x) => minority.every((m) => !['leader', 'follower'].includes(this.role(x, m))), 30_000), (x) => this.roles(x, minority));
      const written = await this.step(`Write ${path} through the majority side`, async () => {
        client = await connect(majority.map((m) => this.lab.address(m)).join(','), { sessionTimeout: 10_000 });
        await client.create('/seed-walkthrough', null).catch(() => undefined);
        await client.create(path, Buffer.from('written during the partition')).catch(() => client!.setData(path, Buffer.from('written during the partition')));
        return (await client.exists(path))!.mzxid;
      }, (z) => `acknowledged at zxid ${zxidText(z.toString(16))}`);
      const refused = await this.step(`Try a session through old leader ${oldLeader} on the minority side: it does not serve, so the session cannot start`, async () => {
        try {
          const c = await connect(this.lab.address(oldLeader), { sessionTimeout: 4000, timeoutMs: 4000 });
          await c.close();
          return false;
        } catch {
          return true;
        }
      }, (r) => (r ? 'no session within 4 s: the minority serves nobody' : 'it answered (it should not have)'));
      await this.step(`Heal the partition: ${minority.join(' and ')} rejoin as followers of ${split.leader}`, async () => {
        await this.lab.heal(fault!.id);
        fault = null;
        return this.until('all five serving under one leader', (x) => x.leader === split.leader && x.nodes.every((n) => ['leader', 'follower'].includes(n.role)), 90_000);
      }, (x) => this.roles(x, [1, 2, 3, 4, 5]));
      const seen = await this.step(`Read ${path} through old leader ${oldLeader} after sync`, async () => {
        const c = await connect(this.lab.address(oldLeader), { sessionTimeout: 10_000 });
        try {
          await c.sync(path);
          return (await c.getData(path)).data?.toString() ?? '';
        } finally {
          await c.close();
        }
      }, (d) => `"${d}"`);
      this.finish(
        'a partitioned ensemble keeps serving on the side that holds a majority of its voters, the other side stops serving (reads too, unless read-only mode is on), and when the partition heals the minority rejoins as followers and catches up',
        `majority ${majority.join(',')} elected ${split.leader} (epoch ${split.nodes.find((n) => n.myid === split.leader)!.epoch}) and took a write at ${zxidText(written.toString(16))}; minority ${minority.join(',')}: ${this.roles(minorityRoles, minority)}, ${refused ? 'refusing sessions' : 'still answering'}; after the heal old leader ${oldLeader} read "${seen}"`,
        refused && seen === 'written during the partition',
      );
    } finally {
      if (fault) await this.lab.heal(fault.id).catch(() => undefined);
      await (client as ZkClient | null)?.close().catch(() => undefined);
    }
  }

  /** The seed: a follower forwards a write to the leader (REQUEST), which proposes, collects ACKs, commits; the follower answers. */
  private async writeViaFollower(): Promise<void> {
    const v0 = await this.until('a serving ensemble', (v) => v.serving && v.leader !== null, 30_000).catch(() => {
      throw new Error('The ensemble is not serving now: start its members (Cluster view) and run this again.');
    });
    const leader = v0.leader!;
    const follower = v0.nodes.find((n) => n.role === 'follower')!.myid;
    const voters = v0.nodes.filter((n) => !n.observer).length;
    const path = '/seed-walkthrough/via-follower';
    let client: ZkClient | null = null;
    try {
      await this.step(`Open a session through follower ${follower} only`, async () => {
        client = await connect(this.lab.address(follower), { sessionTimeout: 10_000 });
        await client.create('/seed-walkthrough', null).catch(() => undefined);
        await client.delete(path).catch(() => undefined);
      }, () => `session 0x${client!.sessionId.toString(16)} on member ${follower}`);
      const made = await this.step(`Create ${path} through follower ${follower}`, async () => {
        const sent = Date.now();
        await client!.create(path, Buffer.from('via a follower'));
        const answered = Date.now();
        return { zxid: (await client!.exists(path))!.czxid, sent, answered };
      }, (r) => `acknowledged by follower ${follower} at zxid ${zxidText(r.zxid.toString(16))}`);
      const hex = `0x${made.zxid.toString(16)}`;
      const flow = await this.step(`Find the write on the wire: REQUEST ${follower} → ${leader}, then PROPOSAL, ACKs and COMMIT by zxid ${hex}`, async () => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const all = this.lab.wire({ afterSeq: 0, fromMs: made.sent - 1000, toMs: null, types: ['REQUEST', 'PROPOSAL', 'ACK', 'COMMIT'], members: null, zxid: null, limit: 5000 }).messages;
          const request = all.find((m) => m.type === 'REQUEST' && m.from === follower && m.to === leader && m.fields.path === path) ?? null;
          const mine = all.filter((m) => m.zxid === hex);
          const pick = (t: string): WireMessage[] => mine.filter((m) => m.type === t);
          const r = { request, proposals: pick('PROPOSAL'), acks: pick('ACK'), commits: pick('COMMIT') };
          if ((request && r.commits.some((c) => c.to === follower)) || Date.now() > deadline) return r;
          await new Promise((res) => setTimeout(res, 100));
        }
      }, (r) => `REQUEST ${r.request ? `${r.request.from} → ${r.request.to} (${r.request.fields.op} ${r.request.fields.path})` : 'not seen'}; PROPOSAL to ${r.proposals.map((m) => m.to).join(', ') || 'nobody'}; ACK from ${r.acks.map((m) => m.from).join(', ') || 'nobody'}; COMMIT to ${r.commits.map((m) => m.to).join(', ') || 'nobody'}`);
      const quorum = Math.floor(voters / 2) + 1;
      // The leader's own log counts as one acknowledgement.
      const acked = flow.acks.length + 1;
      const commitToFollower = flow.commits.find((c) => c.to === follower);
      const ordered = flow.request !== null && flow.proposals.length > 0 && commitToFollower !== undefined && flow.request.time <= Math.min(...flow.proposals.map((m) => m.time)) && Math.min(...flow.proposals.map((m) => m.time)) <= commitToFollower.time;
      this.finish(
        'a client may send a write to any server; a follower forwards it to the leader, the leader proposes it to every follower, commits once a majority has acknowledged it, and the follower answers its client once it has the commit',
        `follower ${follower} forwarded the create (REQUEST) to leader ${leader}; the leader proposed ${hex} to ${flow.proposals.length} learner(s), had ${acked} of ${voters} acknowledgements counting its own (${quorum} needed) and sent COMMIT${commitToFollower ? `; follower ${follower} got its COMMIT and answered its client` : ''}`,
        ordered && acked >= quorum,
      );
    } finally {
      await (client as ZkClient | null)?.close().catch(() => undefined);
    }
  }

  /** Opens a session through each member in `myids` (before a hold: creating a session is a txn too). */
  private async sessions(myids: number[]): Promise<Map<number, ZkClient>> {
    const out = new Map<number, ZkClient>();
    for (const m of myids) out.set(m, await connect(this.lab.address(m), { sessionTimeout: 10_000 }));
    return out;
  }

  /** The seed's recovery case 1: a proposal acknowledged by a majority is committed by the next leader. */
  private async recoveryCommitted(): Promise<void> {
    const v0 = await this.until('a serving ensemble with every member up', (v) => v.serving && v.leader !== null && v.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 30_000).catch(() => {
      throw new Error('The ensemble is not serving with every member up now: start its members (Cluster view) and run this again.');
    });
    const leader = v0.leader!;
    const learners = v0.nodes.filter((n) => n.myid !== leader).map((n) => n.myid);
    const path = '/seed-walkthrough/committed';
    let hold: Fault | null = null;
    let clients = new Map<number, ZkClient>();
    try {
      await this.step(`Open a session through leader ${leader} and one through each learner (${learners.join(', ')})`, async () => {
        clients = await this.sessions([leader, ...learners]);
        const w = clients.get(leader)!;
        await w.create('/seed-walkthrough', null).catch(() => undefined);
        await w.delete(path).catch(() => undefined);
        for (const m of learners) await clients.get(m)!.sync('/');
      }, () => `${clients.size} sessions`);
      hold = await this.step(`Hold every COMMIT leader ${leader} sends (the learners still get PROPOSALs and ACK them)`, () => this.lab.fault({ kind: 'hold', type: 'COMMIT', from: leader, to: null }), (f) => `${f.id}: ${f.description}`);
      const zxid = await this.step(`Create ${path} through leader ${leader}: a majority acknowledges, the leader commits and answers OK`, async () => {
        await clients.get(leader)!.create(path, Buffer.from('acknowledged'));
        return (await clients.get(leader)!.exists(path))!.czxid;
      }, (z) => `OK at zxid ${zxidText(z.toString(16))}`);
      const before = await this.step(`Read ${path} through each learner: they logged it but have not applied it (no COMMIT reached them)`, async () => {
        const seen: string[] = [];
        for (const m of learners) seen.push(`${m}: ${(await clients.get(m)!.exists(path)) ? 'has it' : 'not yet'}`);
        return seen;
      }, (r) => r.join(', '));
      const after = await this.step(`Kill leader ${leader} before any COMMIT goes out; the learners elect a new leader`, async () => {
        await this.lab.node(leader, 'kill');
        return this.until('a new leader', (x) => x.leader !== null && x.leader !== leader && x.serving);
      }, (x) => `leader ${x.leader} in epoch ${x.nodes.find((n) => n.myid === x.leader)!.epoch}`);
      await this.lab.heal(hold.id);
      hold = null;
      const seen = await this.step(`Read ${path} through each learner after sync`, async () => {
        const out: string[] = [];
        for (const m of learners) {
          const c = clients.get(m)!;
          await c.sync(path);
          const d = await c.getData(path).then((r) => r.data?.toString() ?? '', () => null);
          out.push(`${m}: ${d === null ? 'missing' : `"${d}"`}`);
        }
        return out;
      }, (r) => r.join(', '));
      await this.step(`Start ${leader} again: it rejoins as a follower`, async () => {
        await this.lab.node(leader, 'start');
        return this.until('every member serving', (x) => x.serving && x.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 90_000);
      }, (x) => this.roles(x, x.nodes.map((n) => n.myid)));
      const notApplied = before.every((b) => b.endsWith('not yet'));
      const everywhere = seen.every((x) => x.endsWith('"acknowledged"'));
      this.finish(
        'a proposal that a majority has acknowledged is committed even if the leader dies before it sends COMMIT: the new leader is one of the members that logged it, and it commits it everywhere',
        `the client got OK for zxid ${zxidText(zxid.toString(16))}; before the kill the learners said ${before.join(', ')}; after leader ${after.leader} took over: ${seen.join(', ')}`,
        notApplied && everywhere,
      );
    } finally {
      if (hold) await this.lab.heal(hold.id).catch(() => undefined);
      for (const c of clients.values()) await c.close().catch(() => undefined);
    }
  }

  /** The seed's recovery case 2: a proposal only the old leader logged is thrown away (TRUNC) when it returns. */
  private async recoveryDiscarded(): Promise<void> {
    const v0 = await this.until('a serving ensemble with every member up', (v) => v.serving && v.leader !== null && v.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 30_000).catch(() => {
      throw new Error('The ensemble is not serving with every member up now: start its members (Cluster view) and run this again.');
    });
    const leader = v0.leader!;
    const learners = v0.nodes.filter((n) => n.myid !== leader).map((n) => n.myid);
    const path = '/seed-walkthrough/discarded';
    let hold: Fault | null = null;
    let writer: ZkClient | null = null;
    try {
      await this.step(`Open a session through leader ${leader}`, async () => {
        writer = await connect(this.lab.address(leader), { sessionTimeout: 4000 });
        await writer.create('/seed-walkthrough', null).catch(() => undefined);
        await writer.delete(path).catch(() => undefined);
      }, () => `session 0x${writer!.sessionId.toString(16)}`);
      hold = await this.step(`Hold every PROPOSAL leader ${leader} sends: only the leader will log the next write`, () => this.lab.fault({ kind: 'hold', type: 'PROPOSAL', from: leader, to: null }), (f) => `${f.id}: ${f.description}`);
      const since = Date.now();
      let acked = false;
      const pending = writer!.create(path, Buffer.from('never')).then(
        () => (acked = true),
        () => undefined,
      );
      const proposal = await this.step(`Create ${path} through leader ${leader}: it logs and proposes it, nobody else gets it, no majority acknowledges, the client waits`, async () => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const held = this.lab.wire({ afterSeq: 0, fromMs: since - 100, toMs: null, types: ['PROPOSAL'], members: null, zxid: null, limit: 1000 }).messages.filter((m) => m.status === 'held' && m.fields.path === path);
          if (held.length >= learners.length || Date.now() > deadline) return held;
          await new Promise((r) => setTimeout(r, 100));
        }
      }, (h) => (h.length > 0 ? `PROPOSAL ${h[0]!.zxid} held to ${h.map((m) => m.to).join(', ')}; the client has no answer` : 'no held PROPOSAL seen'));
      await this.step(`Kill leader ${leader}; the others elect a leader that never saw the proposal`, async () => {
        await this.lab.node(leader, 'kill');
        await pending;
        await this.lab.heal(hold!.id);
        hold = null;
        return this.until('a new leader', (x) => x.leader !== null && x.leader !== leader && x.serving);
      }, (x) => `leader ${x.leader}; the client's create ${acked ? 'was acknowledged (it should not have been)' : 'failed: never acknowledged'}`);
      const restartedAt = Date.now();
      const back = await this.step(`Start ${leader} again: it has the proposal in its log, the new leader has not, so it is told to TRUNC`, async () => {
        await this.lab.node(leader, 'start');
        return this.until('every member serving', (x) => x.serving && x.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 90_000);
      }, (x) => this.roles(x, x.nodes.map((n) => n.myid)));
      const trunc = this.lab.wire({ afterSeq: 0, fromMs: restartedAt - 100, toMs: null, types: ['TRUNC', 'DIFF', 'SNAP'], members: null, zxid: null, limit: 100 }).messages.find((m) => m.to === leader && m.from === back.leader);
      const where = await this.step(`Look for ${path} on every member (sync first)`, async () => {
        const out: string[] = [];
        for (const n of back.nodes) {
          const c = await connect(this.lab.address(n.myid), { sessionTimeout: 10_000 });
          try {
            await c.sync('/');
            out.push(`${n.myid}: ${(await c.exists(path)) ? 'has it' : 'no'}`);
          } finally {
            await c.close();
          }
        }
        return out;
      }, (r) => `${trunc ? `${trunc.type} ${trunc.zxid} from ${trunc.from} to ${trunc.to}; ` : ''}${r.join(', ')}`);
      this.finish(
        "a proposal only the old leader logged was never acknowledged; the new leader never saw it, and when the old leader comes back it must truncate its log to the new leader's history, so the write is nowhere",
        `the proposal ${proposal[0]?.zxid ?? '(not seen)'} was held to ${proposal.length} learner(s) and ${acked ? 'acknowledged' : 'never acknowledged'}; when ${leader} returned, leader ${back.leader} synced it by ${trunc ? `${trunc.type} ${trunc.zxid}` : '(not seen on the wire)'}; ${path}: ${where.join(', ')}`,
        !acked && proposal.length > 0 && trunc?.type === 'TRUNC' && where.every((w) => w.endsWith('no')),
      );
    } finally {
      if (hold) await this.lab.heal(hold.id).catch(() => undefined);
      await (writer as ZkClient | null)?.close().catch(() => undefined);
    }
  }

  private async sessionMoves(): Promise<void> {
    const v0 = await this.until('a serving ensemble', (v) => v.serving && v.leader !== null, 30_000).catch(() => {
      throw new Error('The ensemble is not serving now: start its members (Cluster view) and run this again.');
    });
    const member = v0.nodes.find((n) => n.role === 'follower')!.myid;
    const others = v0.nodes.filter((n) => n.myid !== member && !n.observer).map((n) => n.myid);
    let zk: ZkClient | null = null;
    let watcher: ZkClient | null = null;
    try {
      const path = await this.step(`Open a session through member ${member} only, and create an ephemeral znode with it`, async () => {
        // Its connect string lists member first and then the others, in that order, so it moves when member dies.
        zk = await connect([member, ...others].map((i) => this.lab.address(i)).join(','), { sessionTimeout: 10_000, shuffleHosts: false });
        await zk.create('/seed-walkthrough', null).catch(() => undefined);
        return zk.create('/seed-walkthrough/ephemeral-', Buffer.from('lives as long as its session'), { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
      }, (p) => `${p}, session 0x${BigInt.asUintN(64, zk!.sessionId).toString(16)}`);
      watcher = await connect(others.map((i) => this.lab.address(i)).join(','), { sessionTimeout: 10_000 });
      const session = zk!.sessionId;
      await this.step(`Kill member ${member}: the client reconnects to another member within the session timeout and keeps its session`, async () => {
        await this.lab.node(member, 'kill');
        const deadline = Date.now() + 20_000;
        while (zk!.state !== 'connected' || zk!.sessionId !== session || (await zk!.exists(path).catch(() => null)) === null) {
          if (Date.now() > deadline) throw new Error(`The session did not come back through another member within 20 s (state ${zk!.state}).`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }, () => `same session 0x${BigInt.asUintN(64, session).toString(16)}, now through another member; ${path} still there`);
      const stat = await watcher.exists(path);
      await this.step('Close the session: its ephemeral znode goes with it', async () => {
        await zk!.close();
        zk = null;
        const deadline = Date.now() + 20_000;
        while ((await watcher!.exists(path)) !== null) {
          if (Date.now() > deadline) throw new Error(`${path} is still there 20 s after its session closed.`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }, () => `${path} is gone`);
      await this.step(`Start member ${member} again`, async () => {
        await this.lab.node(member, 'start');
        return this.until(`member ${member} to serve`, (v) => ['leader', 'follower'].includes(this.role(v, member)));
      }, (v) => this.roles(v, [member]));
      this.finish(
        'a session belongs to the ensemble, not to one server: it survives its server; an ephemeral znode lives exactly as long as its session',
        `the ephemeral znode (owner 0x${BigInt.asUintN(64, stat?.ephemeralOwner ?? 0n).toString(16)}) outlived member ${member} and went with its session`,
        stat !== null && stat.ephemeralOwner === session,
      );
    } finally {
      await (zk as ZkClient | null)?.close().catch(() => undefined);
      await (watcher as ZkClient | null)?.close().catch(() => undefined);
    }
  }
}

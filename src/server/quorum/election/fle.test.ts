// Fast Leader Election core on a synchronous in-test network with a logical clock: the vote
// order, the seed's two examples, late joiners, observers, finalize wait and back-off.
import { describe, expect, it } from 'vitest';
import { betterVote, NO_SID, QuorumVerifier, ServerState } from '../vote';
import { ELECTION_DEFAULTS, FastLeaderElection, type ElectionAction, type Notification } from './fle';

interface Decision {
  leader: number;
  state: ServerState;
  electionEpoch: bigint;
}

/** Members on a lossless network; delivers in FIFO order and fires timers in time order. */
class Net {
  readonly cores = new Map<number, FastLeaderElection>();
  readonly up = new Set<number>();
  readonly decided = new Map<number, Decision>();
  private queue: { from: number; to: number; n: Notification }[] = [];
  private timers = new Map<number, number>();
  now = 0;

  constructor(voters: number[], observers: number[] = [], zxids: Record<number, [bigint, bigint]> = {}) {
    const qv = new QuorumVerifier(voters);
    for (const sid of [...voters, ...observers]) {
      const [zxid, epoch] = zxids[sid] ?? [0n, 0n];
      this.cores.set(sid, new FastLeaderElection({ myid: sid, qv, configText: '', ...ELECTION_DEFAULTS }, { lastLoggedZxid: zxid, currentEpoch: epoch }));
    }
  }

  private exec(sid: number, actions: ElectionAction[]): void {
    for (const a of actions) {
      if (a.type === 'send') this.queue.push({ from: sid, to: a.to, n: a.n });
      else if (a.type === 'timer') {
        if (a.at === null) this.timers.delete(sid);
        else this.timers.set(sid, a.at);
      } else if (a.type === 'decided') this.decided.set(sid, { leader: a.leader, state: a.state, electionEpoch: a.electionEpoch });
    }
  }

  start(sid: number, zxid = 0n, epoch = 0n): void {
    this.up.add(sid);
    this.decided.delete(sid);
    for (const other of this.up) {
      if (other === sid) continue;
      this.exec(sid, this.cores.get(sid)!.step({ type: 'peerUp', sid: other }).actions);
      this.exec(other, this.cores.get(other)!.step({ type: 'peerUp', sid }).actions);
    }
    this.exec(sid, this.cores.get(sid)!.step({ type: 'lookForLeader', now: this.now, lastLoggedZxid: zxid, currentEpoch: epoch }).actions);
  }

  /** Delivers messages (to live members only) and fires timers until nothing is left to do or `untilMs`. */
  run(untilMs = this.now + 10_000): void {
    for (let i = 0; i < 100_000; i++) {
      const m = this.queue.shift();
      if (m) {
        if (this.up.has(m.to)) this.exec(m.to, this.cores.get(m.to)!.step({ type: 'notification', now: this.now, from: m.from, n: m.n }).actions);
        continue;
      }
      const next = [...this.timers].filter(([s]) => this.up.has(s)).sort((a, b) => a[1] - b[1])[0];
      if (!next || next[1] > untilMs) return;
      this.now = Math.max(this.now, next[1]);
      this.timers.delete(next[0]);
      this.exec(next[0], this.cores.get(next[0])!.step({ type: 'timeout', now: this.now }).actions);
    }
    throw new Error('the election network did not settle');
  }
}

describe('vote order (totalOrderPredicate)', () => {
  const qv = new QuorumVerifier([1, 2, 3, 4, 5]);
  it('prefers the higher peerEpoch, then the higher zxid, then the higher sid', () => {
    expect(betterVote({ leader: 1, zxid: 5n, peerEpoch: 2n }, { leader: 5, zxid: 9n, peerEpoch: 1n }, qv)).toBe(true);
    expect(betterVote({ leader: 1, zxid: 9n, peerEpoch: 1n }, { leader: 5, zxid: 8n, peerEpoch: 1n }, qv)).toBe(true);
    expect(betterVote({ leader: 2, zxid: 8n, peerEpoch: 1n }, { leader: 1, zxid: 8n, peerEpoch: 1n }, qv)).toBe(true);
    expect(betterVote({ leader: 1, zxid: 8n, peerEpoch: 1n }, { leader: 2, zxid: 8n, peerEpoch: 1n }, qv)).toBe(false);
    expect(betterVote({ leader: 2, zxid: 8n, peerEpoch: 1n }, { leader: 2, zxid: 8n, peerEpoch: 1n }, qv)).toBe(false);
  });
  it('never lets a non-voter win', () => {
    expect(betterVote({ leader: 9, zxid: 99n, peerEpoch: 9n }, { leader: 1, zxid: 0n, peerEpoch: 0n }, qv)).toBe(false);
    expect(betterVote({ leader: NO_SID, zxid: 0n, peerEpoch: 0n }, { leader: 1, zxid: 0n, peerEpoch: 0n }, qv)).toBe(false);
  });
  it('counts a quorum as strictly more than half of the voters', () => {
    expect(qv.containsQuorum([1, 2])).toBe(false);
    expect(qv.containsQuorum([1, 2, 3])).toBe(true);
    expect(qv.containsQuorum([1, 2, 9, 10])).toBe(false);
    expect(new QuorumVerifier([1, 2, 3, 4]).containsQuorum([1, 2])).toBe(false);
    expect(new QuorumVerifier([1, 2, 3, 4]).containsQuorum([1, 2, 4])).toBe(true);
  });
});

describe('Fast Leader Election core', () => {
  it('five members started one by one from empty: member 3 leads (seed example 1)', () => {
    const net = new Net([1, 2, 3, 4, 5]);
    net.start(1);
    net.run();
    expect(net.decided.size).toBe(0);
    net.start(2);
    net.run();
    expect(net.decided.size).toBe(0); // 2 of 5 is no majority
    net.start(3);
    net.run();
    expect(net.decided.get(3)).toMatchObject({ leader: 3, state: ServerState.LEADING });
    expect(net.decided.get(1)).toMatchObject({ leader: 3, state: ServerState.FOLLOWING });
    expect(net.decided.get(2)).toMatchObject({ leader: 3, state: ServerState.FOLLOWING });
    net.start(4);
    net.run();
    expect(net.decided.get(4)).toMatchObject({ leader: 3, state: ServerState.FOLLOWING });
    net.start(5);
    net.run();
    expect(net.decided.get(5)).toMatchObject({ leader: 3, state: ServerState.FOLLOWING });
  });

  it('zxids 8,8,8,7,7 with leader 3 and member 5 down: among (1,8,1), (1,8,2), (1,7,4) member 2 wins (seed example 2)', () => {
    const net = new Net([1, 2, 3, 4, 5]);
    net.start(1, 8n, 1n);
    net.start(2, 8n, 1n);
    net.start(4, 7n, 1n);
    net.run();
    for (const sid of [1, 2, 4]) expect(net.decided.get(sid)?.leader).toBe(2);
    expect(net.decided.get(2)?.state).toBe(ServerState.LEADING);
    expect(net.decided.get(1)?.state).toBe(ServerState.FOLLOWING);
    expect(net.decided.get(4)?.state).toBe(ServerState.FOLLOWING);
  });

  it('a higher epoch beats a higher zxid and a higher sid', () => {
    const net = new Net([1, 2, 3]);
    net.start(1, 5n, 2n);
    net.start(2, 9n, 1n);
    net.start(3, 9n, 1n);
    net.run();
    for (const sid of [1, 2, 3]) expect(net.decided.get(sid)?.leader).toBe(1);
  });

  it('a restarted member follows the established leader even from a later round', () => {
    const net = new Net([1, 2, 3]);
    net.start(1);
    net.start(2);
    net.start(3);
    net.run();
    expect(net.decided.get(3)?.state).toBe(ServerState.LEADING);
    // Member 1 restarts with a much higher round than everyone else: it must still follow 3.
    const one = net.cores.get(1)!;
    one.logicalclock = 40n;
    net.start(1);
    net.run();
    expect(net.decided.get(1)).toMatchObject({ leader: 3, state: ServerState.FOLLOWING });
  });

  it('an observer follows the voters decision and is never proposed', () => {
    const net = new Net([1, 2, 3], [9], { 9: [100n, 9n] });
    net.start(9, 100n, 9n);
    net.start(1);
    net.start(2);
    net.start(3);
    net.run();
    expect(net.decided.get(9)).toMatchObject({ leader: 3, state: ServerState.OBSERVING });
    for (const sid of [1, 2]) expect(net.decided.get(sid)?.leader).toBe(3);
  });

  it('waits finalizeWait after reaching a quorum before deciding', () => {
    const net = new Net([1, 2, 3]);
    net.start(2);
    net.start(3);
    const before = net.now;
    net.run();
    expect(net.decided.get(3)?.state).toBe(ServerState.LEADING);
    expect(net.now - before).toBeGreaterThanOrEqual(ELECTION_DEFAULTS.finalizeWaitMs);
  });

  it('arms the finalize timer again when it fires a millisecond early (the member still decides)', () => {
    const qv = new QuorumVerifier([1, 2, 3]);
    const core = new FastLeaderElection({ myid: 1, qv, configText: '', ...ELECTION_DEFAULTS }, { lastLoggedZxid: 0n, currentEpoch: 0n });
    core.step({ type: 'peerUp', sid: 2 });
    core.step({ type: 'lookForLeader', now: 0, lastLoggedZxid: 0n, currentEpoch: 0n });
    const vote = (leader: number): Notification => ({ state: ServerState.LOOKING, leader, zxid: 0n, electionEpoch: 1n, peerEpoch: 0n, version: 2, config: '' });
    core.step({ type: 'notification', now: 5, from: 2, n: vote(2) });
    const out = core.step({ type: 'notification', now: 6, from: 1, n: vote(2) });
    const armed = out.actions.find((a) => a.type === 'timer') as { at: number } | undefined;
    expect(armed?.at).toBe(6 + ELECTION_DEFAULTS.finalizeWaitMs);
    // Node's timers run on a cached loop clock and can fire before the deadline by our clock.
    const early = core.step({ type: 'timeout', now: armed!.at - 1 });
    expect(early.actions.some((a) => a.type === 'decided')).toBe(false);
    expect(early.actions).toContainEqual({ type: 'timer', at: armed!.at });
    const onTime = core.step({ type: 'timeout', now: armed!.at });
    expect(onTime.actions).toContainEqual(expect.objectContaining({ type: 'decided', leader: 2, state: ServerState.FOLLOWING }));
  });

  it('backs off the notification interval from 200 ms doubling up to 60 s while alone', () => {
    const qv = new QuorumVerifier([1, 2, 3]);
    const core = new FastLeaderElection({ myid: 1, qv, configText: '', ...ELECTION_DEFAULTS }, { lastLoggedZxid: 0n, currentEpoch: 0n });
    core.step({ type: 'peerUp', sid: 2 });
    let out = core.step({ type: 'lookForLeader', now: 0, lastLoggedZxid: 0n, currentEpoch: 0n });
    const timers: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t = out.actions.find((a) => a.type === 'timer');
      expect(t && t.type === 'timer' && t.at !== null).toBe(true);
      const at = (t as { at: number }).at;
      timers.push(at);
      out = core.step({ type: 'timeout', now: at });
      expect(out.actions.filter((a) => a.type === 'send').length).toBe(3);
    }
    const gaps = timers.map((t, i) => t - (timers[i - 1] ?? 0));
    expect(gaps.slice(0, 5)).toEqual([200, 400, 800, 1600, 3200]);
    expect(Math.max(...gaps)).toBe(60_000);
  });

  it('asks to dial everyone instead of resending when no peer is connected', () => {
    const qv = new QuorumVerifier([1, 2, 3]);
    const core = new FastLeaderElection({ myid: 1, qv, configText: '', ...ELECTION_DEFAULTS }, { lastLoggedZxid: 0n, currentEpoch: 0n });
    core.step({ type: 'lookForLeader', now: 0, lastLoggedZxid: 0n, currentEpoch: 0n });
    const out = core.step({ type: 'timeout', now: 200 });
    expect(out.actions.some((a) => a.type === 'connectAll')).toBe(true);
    expect(out.actions.some((a) => a.type === 'send')).toBe(false);
  });
});

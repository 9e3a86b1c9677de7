// Fast Leader Election as a pure state machine, driven by a tiny in-process network: the seed's
// two examples and the vote order.
import { describe, expect, it } from 'vitest';
import { betterVote, Election, type ElectionAction } from './election';
import { PeerState, type Notification } from './messages';

/** Runs cores on a synchronous network with a fake clock until no message is in flight. */
class Net {
  readonly cores = new Map<number, Election>();
  private queue: { from: number; to: number; n: Notification }[] = [];
  private timers = new Map<number, number>();
  now = 0;
  decided = new Map<number, { leader: number; state: PeerState }>();

  constructor(readonly voters: number[], readonly up: Set<number>) {
    for (const sid of voters) this.cores.set(sid, new Election(sid, new Set(voters), ''));
  }

  private exec(sid: number, actions: ElectionAction[]): void {
    for (const a of actions) {
      if (a.kind === 'send') {
        const targets = a.to === 'all' ? this.voters.filter((v) => v !== sid) : [a.to];
        for (const to of targets) this.queue.push({ from: sid, to, n: a.n });
      } else if (a.kind === 'timer') this.timers.set(sid, this.now + a.inMs);
      else this.decided.set(sid, { leader: a.leader, state: a.state });
    }
  }

  start(sid: number, zxid: bigint, epoch: bigint): void {
    this.up.add(sid);
    this.exec(sid, this.cores.get(sid)!.start(zxid, epoch, this.now));
  }

  /** Delivers messages (to live members only) and fires timers until everything settled. */
  run(maxSteps = 10_000): void {
    for (let i = 0; i < maxSteps; i++) {
      const m = this.queue.shift();
      if (m) {
        if (this.up.has(m.to)) this.exec(m.to, this.cores.get(m.to)!.receive(m.from, m.n, this.now));
        continue;
      }
      const next = [...this.timers].filter(([s]) => this.up.has(s)).sort((a, b) => a[1] - b[1])[0];
      if (!next || this.decided.size === this.up.size) return;
      this.now = next[1];
      this.timers.delete(next[0]);
      this.exec(next[0], this.cores.get(next[0])!.tick(this.now));
    }
  }
}

describe('Fast Leader Election core', () => {
  it('orders votes by epoch, then zxid, then sid', () => {
    expect(betterVote({ leader: 1, zxid: 5n, peerEpoch: 2n }, { leader: 9, zxid: 9n, peerEpoch: 1n })).toBe(true);
    expect(betterVote({ leader: 1, zxid: 9n, peerEpoch: 1n }, { leader: 9, zxid: 8n, peerEpoch: 1n })).toBe(true);
    expect(betterVote({ leader: 2, zxid: 8n, peerEpoch: 1n }, { leader: 1, zxid: 8n, peerEpoch: 1n })).toBe(true);
  });

  it('five members started one by one from empty: member 3 leads (seed example 1)', () => {
    const net = new Net([1, 2, 3, 4, 5], new Set());
    net.start(1, 0n, 0n);
    net.run();
    expect(net.decided.size).toBe(0);
    net.start(2, 0n, 0n);
    net.run();
    expect(net.decided.size).toBe(0); // 2 of 5 is no majority
    net.start(3, 0n, 0n);
    net.run();
    expect(net.decided.get(3)).toEqual({ leader: 3, state: PeerState.LEADING });
    expect(net.decided.get(1)?.leader).toBe(3);
    expect(net.decided.get(2)?.leader).toBe(3);
    net.start(4, 0n, 0n);
    net.run();
    net.start(5, 0n, 0n);
    net.run();
    expect(net.decided.get(4)).toEqual({ leader: 3, state: PeerState.FOLLOWING });
    expect(net.decided.get(5)).toEqual({ leader: 3, state: PeerState.FOLLOWING });
  });

  it('zxids 8,8,8,7,7 with leader 3 and member 5 down: among (1,8,1), (1,8,2), (1,7,4) member 2 wins (seed example 2)', () => {
    const net = new Net([1, 2, 3, 4, 5], new Set());
    net.start(1, 8n, 1n);
    net.start(2, 8n, 1n);
    net.start(4, 7n, 1n);
    net.run();
    for (const sid of [1, 2, 4]) expect(net.decided.get(sid)?.leader).toBe(2);
    expect(net.decided.get(2)?.state).toBe(PeerState.LEADING);
  });
});

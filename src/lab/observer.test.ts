// The rules that turn polls into the lab's events, step by step through a failover.
import { describe, expect, it } from 'vitest';
import type { Role } from '../shared/contract';
import { EnsembleObserver, servingLeader, type ObservedNode } from './observer';

function nodes(spec: string, epoch: number | null = 1, zxid = '100000000'): ObservedNode[] {
  // One letter a node: L leader, F follower, O observer, ? looking, s starting, d down, S standalone.
  const roles: Record<string, Role> = { L: 'leader', F: 'follower', O: 'observer', '?': 'looking', s: 'starting', d: 'down', S: 'standalone', p: 'paused' };
  return [...spec].map((c, i) => ({ myid: i + 1, observer: c === 'O', running: c !== 'd', role: roles[c]!, epoch: c === '?' || c === 's' || c === 'd' ? null : epoch, lastZxid: c === 'd' ? null : zxid }));
}

const types = (events: { type: string }[]): string[] => events.map((e) => e.type);

describe('servingLeader', () => {
  it('needs exactly one leader with a majority of voters behind it', () => {
    expect(servingLeader(nodes('LFFFF'))?.myid).toBe(1);
    expect(servingLeader(nodes('LFF??'))?.myid).toBe(1);
    expect(servingLeader(nodes('LF???'))).toBeNull();
    expect(servingLeader(nodes('LFLFF'))).toBeNull();
    // Observers do not count toward the quorum.
    expect(servingLeader(nodes('L??OO'))).toBeNull();
    expect(servingLeader(nodes('LF?OO'))?.myid).toBe(1);
  });
});

describe('EnsembleObserver', () => {
  it('sees a launch, a leader kill, the election after it and the old leader rejoining', () => {
    const o = new EnsembleObserver();
    expect(types(o.observe(1000, nodes('sdddd')))).toEqual(['ensemble.election.started']);
    expect(types(o.observe(1100, nodes('?s???')))).toEqual(['node.role', 'node.role', 'node.role']);
    const elected = o.observe(1500, nodes('FFFLF'));
    expect(types(elected)).toEqual([
      ...['node.role', 'node.up', 'node.role', 'node.up', 'node.role', 'node.up', 'node.role', 'node.up', 'node.role', 'node.up'],
      ...['ensemble.election.ended', 'ensemble.leader.changed', 'ensemble.epoch.changed'],
    ]);
    expect(elected.find((e) => e.type === 'ensemble.election.ended')).toMatchObject({ myid: 4, data: { leader: 4, epoch: 1, durationMs: 500 } });

    // The leader is killed: it goes down, and the ensemble has no leader.
    const killed = o.observe(2000, nodes('FFFdF'));
    expect(types(killed)).toEqual(['node.role', 'ensemble.election.started']);
    expect(killed[1]!.data).toMatchObject({ reason: 'leader 4 went down', previousLeader: 4 });
    expect(types(o.observe(2100, nodes('???d?')))).toEqual(['node.role', 'node.role', 'node.role', 'node.role']);
    // The survivors elect node 5 in a new epoch; they were up all along (no node.up).
    const reelected = o.observe(2600, nodes('FFFdL', 2, '200000000'));
    expect(types(reelected)).toEqual(['node.role', 'node.role', 'node.role', 'node.role', 'ensemble.election.ended', 'ensemble.leader.changed', 'ensemble.epoch.changed']);
    expect(reelected.find((e) => e.type === 'ensemble.leader.changed')!.detail).toBe('node 5 leads (was node 4)');
    expect(reelected.find((e) => e.type === 'ensemble.epoch.changed')!.data).toMatchObject({ epoch: 2, previous: 1 });

    // Restarted, the old leader passes through starting and looking and comes back a follower.
    expect(types(o.observe(3000, nodes('FFFsL', 2)))).toEqual([]);
    expect(types(o.observe(3100, nodes('FFF?L', 2)))).toEqual(['node.role']);
    const back = o.observe(3500, nodes('FFFFL', 2));
    expect(types(back)).toEqual(['node.role', 'node.up']);
    expect(back[1]!.detail).toBe('node 4 is up: follower in epoch 2 at zxid 0x100000000');
  });

  it('says why an election started when the leader is alive but lost its quorum', () => {
    const o = new EnsembleObserver();
    o.observe(0, nodes('LFF'));
    const lost = o.observe(10, nodes('?dd'));
    expect(lost.find((e) => e.type === 'ensemble.election.started')!.data.reason).toBe('leader 1 is looking');
  });

  it('says a leader that stopped answering stopped answering', () => {
    const o = new EnsembleObserver();
    o.observe(0, nodes('LFF'));
    expect(o.observe(10, nodes('sFF')).find((e) => e.type === 'ensemble.election.started')!.data.reason).toBe('leader 1 stopped answering');
  });

  it('does not start an election while every voter is down', () => {
    const o = new EnsembleObserver();
    expect(o.observe(0, nodes('ddd'))).toEqual([]);
  });

  it('leaves a standalone server out of elections', () => {
    const o = new EnsembleObserver();
    expect(o.observe(0, nodes('s'))).toEqual([]);
    expect(types(o.observe(10, nodes('S')))).toEqual(['node.up']);
    expect(types(o.observe(20, nodes('d')))).toEqual(['node.role']);
  });

  it('ignores pauses as role changes', () => {
    const o = new EnsembleObserver();
    o.observe(0, nodes('LFF'));
    expect(o.observe(10, nodes('LFp'))).toEqual([]);
    expect(o.observe(20, nodes('LFF'))).toEqual([]);
  });
});

describe('EnsembleObserver and elections between two polls', () => {
  it('records an election it never saw in progress: a new leader in a higher epoch, the old one down', () => {
    const o = new EnsembleObserver();
    o.observe(0, nodes('LFF', 1));
    const after = o.observe(250, nodes('dLF', 2));
    expect(types(after)).toEqual(['node.role', 'node.role', 'ensemble.election.started', 'ensemble.election.ended', 'ensemble.leader.changed', 'ensemble.epoch.changed']);
    expect(after.find((e) => e.type === 'ensemble.election.started')!.data).toMatchObject({ reason: 'between two polls', previousLeader: 1 });
    expect(after.find((e) => e.type === 'ensemble.election.ended')!.data).toMatchObject({ leader: 2, epoch: 2, durationMs: 250 });
    // The same leader in the same epoch, polled again: nothing.
    expect(o.observe(500, nodes('dLF', 2))).toEqual([]);
  });
});

describe('EnsembleObserver and stale readings', () => {
  it('does not end an election on a leader that reports the old epoch', () => {
    const o = new EnsembleObserver();
    o.observe(0, nodes('LFF', 1));
    o.observe(10, nodes('dFF', 1));
    o.observe(20, nodes('d??', 1));
    // Node 2 says leader in epoch 1 (not caught up): not the end of the election.
    expect(o.observe(30, nodes('dLF', 1))).toEqual([{ myid: 2, type: 'node.role', detail: 'node 2: looking → leader', data: expect.objectContaining({ from: 'looking', to: 'leader' }) }, expect.objectContaining({ type: 'node.role', myid: 3 })]);
    expect(types(o.observe(40, nodes('dLF', 2)))).toEqual(['ensemble.election.ended', 'ensemble.leader.changed', 'ensemble.epoch.changed']);
  });

  it('ends the election after the members\' logs were erased, though the new epoch is not higher (election from empty, then after a failure)', () => {
    const o = new EnsembleObserver();
    o.observe(0, nodes('FFFFL', 3, '300000005'));
    // Every member stopped and its log erased; 1, 2 and 3 start and 3 leads in epoch 1.
    expect(types(o.observe(50, nodes('ddddd')))).not.toContain('ensemble.election.started');
    o.forgetEpoch();
    expect(types(o.observe(100, nodes('?dddd')))).toContain('ensemble.election.started');
    const first = o.observe(200, nodes('FFLdd', 1, '100000000'));
    expect(first.find((e) => e.type === 'ensemble.election.ended')?.data).toMatchObject({ leader: 3, epoch: 1, durationMs: 100 });
    expect(first.find((e) => e.type === 'ensemble.leader.changed')?.detail).toBe('node 3 leads (was node 5)');
    // Then leader 3 dies and 2 leads in epoch 2: still lower than the 3 seen before the erase.
    expect(types(o.observe(300, nodes('??ddd', 1)))).toContain('ensemble.election.started');
    const second = o.observe(400, nodes('FLdFd', 2, '200000000'));
    expect(second.find((e) => e.type === 'ensemble.election.ended')?.data).toMatchObject({ leader: 2, epoch: 2, durationMs: 100 });
    expect(second.find((e) => e.type === 'ensemble.leader.changed')?.detail).toBe('node 2 leads (was node 3)');
  });
});

// The ZAB cores' ordering contract, step by step: nothing that depends on a durable write leaves
// before the write is reported durable, commits happen in zxid order with a quorum, and the
// limits (initLimit, syncLimit, the zxid counter) end a role.
import { describe, expect, it } from 'vitest';
import { QuorumVerifier } from '../vote';
import { LeaderCore, type LeaderAction } from './leader';
import { LearnerCore, type LearnerAction } from './learner';
import { zxidOf, type ZabConfig, type ZabMessage, type ZabStorageView } from './types';

interface T {
  zxid: bigint;
}
const cfg = (myid: number, over: Partial<ZabConfig> = {}): ZabConfig => ({ myid, initLimit: 5, syncLimit: 2, commitLogCount: 500, configText: 'cfg', zxidCounterLimit: 0xffffffff, ...over });
const view = (last: bigint): ZabStorageView<T> => ({ lastProcessedZxid: () => last, snapshotZxid: () => 0n, txnsAfter: () => [] });
const sends = (actions: (LeaderAction<T> | LearnerAction<T>)[]) => actions.filter((a) => a.type === 'send').map((a) => (a as { msg: ZabMessage<T> }).msg);
const find = <K extends string>(actions: { type: string }[], type: K) => actions.find((a) => a.type === type) as (Extract<LeaderAction<T> | LearnerAction<T>, { type: K }>) | undefined;

describe('learner core', () => {
  function synced(): LearnerCore<T> {
    const l = new LearnerCore<T>(cfg(2), 1, false, { acceptedEpoch: 1n, currentEpoch: 1n }, view(zxidOf(1n, 3)));
    l.step({ type: 'start' });
    l.step({ type: 'connected' });
    l.step({ type: 'message', msg: { type: 'LEADERINFO', newEpoch: 2n, protocolVersion: 0x10000 } });
    l.step({ type: 'persisted', seq: 1 });
    l.step({ type: 'message', msg: { type: 'DIFF', zxid: zxidOf(1n, 3) } });
    l.step({ type: 'message', msg: { type: 'NEWLEADER', zxid: zxidOf(2n, 0), config: 'cfg' } });
    l.step({ type: 'persisted', seq: 2 });
    l.step({ type: 'message', msg: { type: 'UPTODATE' } });
    expect(l.serving).toBe(true);
    return l;
  }

  it('sends ACKEPOCH only once the new acceptedEpoch is on disk', () => {
    const l = new LearnerCore<T>(cfg(2), 1, false, { acceptedEpoch: 1n, currentEpoch: 1n }, view(zxidOf(1n, 3)));
    expect(l.step({ type: 'start' }).actions).toContainEqual({ type: 'connect' });
    expect(sends(l.step({ type: 'connected' }).actions)).toEqual([{ type: 'FOLLOWERINFO', acceptedEpoch: 1n, sid: 2, protocolVersion: 0x10000, configVersion: 0n }]);
    const out = l.step({ type: 'message', msg: { type: 'LEADERINFO', newEpoch: 2n, protocolVersion: 0x10000 } });
    expect(find(out.actions, 'persistEpoch')).toMatchObject({ name: 'acceptedEpoch', epoch: 2n, seq: 1 });
    expect(sends(out.actions)).toEqual([]);
    expect(sends(l.step({ type: 'persisted', seq: 1 }).actions)).toEqual([{ type: 'ACKEPOCH', lastLoggedZxid: zxidOf(1n, 3), currentEpoch: 1n }]);
  });

  it('refuses a leader whose epoch is older than its accepted epoch', () => {
    const l = new LearnerCore<T>(cfg(2), 1, false, { acceptedEpoch: 5n, currentEpoch: 4n }, view(0n));
    l.step({ type: 'start' });
    l.step({ type: 'connected' });
    const out = l.step({ type: 'message', msg: { type: 'LEADERINFO', newEpoch: 3n, protocolVersion: 0x10000 } });
    expect(find(out.actions, 'ended')?.reason).toMatch(/less than accepted epoch/);
  });

  it('acks NEWLEADER only after the synced txns and then currentEpoch are on disk', () => {
    const l = new LearnerCore<T>(cfg(2), 1, false, { acceptedEpoch: 1n, currentEpoch: 1n }, view(zxidOf(1n, 3)));
    l.step({ type: 'start' });
    l.step({ type: 'connected' });
    l.step({ type: 'message', msg: { type: 'LEADERINFO', newEpoch: 2n, protocolVersion: 0x10000 } });
    l.step({ type: 'persisted', seq: 1 });
    l.step({ type: 'message', msg: { type: 'DIFF', zxid: zxidOf(1n, 5) } });
    l.step({ type: 'message', msg: { type: 'PROPOSAL', txn: { zxid: zxidOf(1n, 4) } } });
    l.step({ type: 'message', msg: { type: 'COMMIT', zxid: zxidOf(1n, 4) } });
    l.step({ type: 'message', msg: { type: 'PROPOSAL', txn: { zxid: zxidOf(2n, 1) } } });
    const nl = l.step({ type: 'message', msg: { type: 'NEWLEADER', zxid: zxidOf(2n, 0), config: 'cfg' } });
    // Older epochs' txns first; nothing acknowledged, nothing applied yet.
    expect(find(nl.actions, 'persistTxns')).toEqual({ type: 'persistTxns', seq: 2, txns: [{ zxid: zxidOf(1n, 4) }] });
    expect(sends(nl.actions)).toEqual([]);
    const a = l.step({ type: 'persisted', seq: 2 });
    expect(a.actions.filter((x) => x.type === 'persistEpoch' || x.type === 'persistTxns')).toEqual([
      { type: 'persistEpoch', seq: 3, name: 'currentEpoch', epoch: 2n },
      { type: 'persistTxns', seq: 4, txns: [{ zxid: zxidOf(2n, 1) }] },
    ]);
    expect(sends(a.actions)).toEqual([]);
    expect(sends(l.step({ type: 'persisted', seq: 3 }).actions)).toEqual([]);
    expect(sends(l.step({ type: 'persisted', seq: 4 }).actions)).toEqual([{ type: 'ACK', zxid: zxidOf(2n, 0) }]);
    // UPTODATE: ack it, ack what was logged, apply what was committed.
    const up = l.step({ type: 'message', msg: { type: 'UPTODATE' } });
    expect(sends(up.actions)).toEqual([
      { type: 'ACK', zxid: zxidOf(2n, 0) },
      { type: 'ACK', zxid: zxidOf(1n, 4) },
      { type: 'ACK', zxid: zxidOf(2n, 1) },
    ]);
    expect(find(up.actions, 'apply')?.txns).toEqual([{ zxid: zxidOf(1n, 4) }]);
  });

  it('acks a proposal once it is on disk and applies commits in order', () => {
    const l = synced();
    const p = l.step({ type: 'message', msg: { type: 'PROPOSAL', txn: { zxid: zxidOf(2n, 1) } } });
    expect(find(p.actions, 'persistTxns')).toMatchObject({ seq: 3 });
    expect(sends(p.actions)).toEqual([]);
    expect(sends(l.step({ type: 'persisted', seq: 3 }).actions)).toEqual([{ type: 'ACK', zxid: zxidOf(2n, 1) }]);
    expect(find(l.step({ type: 'message', msg: { type: 'COMMIT', zxid: zxidOf(2n, 1) } }).actions, 'apply')?.txns).toEqual([{ zxid: zxidOf(2n, 1) }]);
    l.step({ type: 'message', msg: { type: 'PROPOSAL', txn: { zxid: zxidOf(2n, 2) } } });
    l.step({ type: 'message', msg: { type: 'PROPOSAL', txn: { zxid: zxidOf(2n, 3) } } });
    expect(find(l.step({ type: 'message', msg: { type: 'COMMIT', zxid: zxidOf(2n, 3) } }).actions, 'ended')?.reason).toMatch(/Committing 0x200000003, but the next pending txn is 0x200000002/);
  });

  it('answers PING with the session touches collected since the last one', () => {
    const l = synced();
    l.step({ type: 'touch', sessionId: 7n, timeout: 4000 });
    expect(sends(l.step({ type: 'message', msg: { type: 'PING', zxid: 9n, touches: [] } }).actions)).toEqual([{ type: 'PING', zxid: 9n, touches: [{ sessionId: 7n, timeout: 4000 }] }]);
    expect(sends(l.step({ type: 'message', msg: { type: 'PING', zxid: 9n, touches: [] } }).actions)).toEqual([{ type: 'PING', zxid: 9n, touches: [] }]);
  });

  it('gives up after syncLimit ticks without a packet from the leader', () => {
    const l = synced();
    for (let i = 0; i < 4; i++) expect(find(l.step({ type: 'tick' }).actions, 'ended')).toBeUndefined();
    expect(find(l.step({ type: 'tick' }).actions, 'ended')?.reason).toMatch(/no packet from leader 1 for 2 ticks/);
  });
});

describe('leader core', () => {
  /** Leader 1 of voters 1,2,3 with learners on cids 12 and 13, established. */
  function established(over: Partial<ZabConfig> = {}): LeaderCore<T> {
    const l = new LeaderCore<T>(cfg(1, over), new QuorumVerifier([1, 2, 3]), { acceptedEpoch: 1n, currentEpoch: 1n }, view(zxidOf(1n, 3)));
    l.step({ type: 'start' });
    for (const sid of [2, 3]) l.step({ type: 'message', cid: 10 + sid, msg: { type: 'FOLLOWERINFO', acceptedEpoch: 1n, sid, protocolVersion: 0x10000, configVersion: 0n } });
    l.step({ type: 'persisted', seq: 1 });
    for (const sid of [2, 3]) l.step({ type: 'message', cid: 10 + sid, msg: { type: 'ACKEPOCH', lastLoggedZxid: zxidOf(1n, 3), currentEpoch: 1n } });
    l.step({ type: 'persisted', seq: 2 });
    for (const sid of [2, 3]) l.step({ type: 'message', cid: 10 + sid, msg: { type: 'ACK', zxid: zxidOf(2n, 0) } });
    expect(l.serving).toBe(true);
    return l;
  }

  it('seeds its DIFF history from the txns the member kept in memory, without reading its log', () => {
    const kept = [1, 2, 3, 4, 5].map((c) => ({ zxid: zxidOf(1n, c) }));
    const v: ZabStorageView<T> = {
      lastProcessedZxid: () => zxidOf(1n, 5),
      snapshotZxid: () => 0n,
      committedLog: () => kept,
      txnsAfter: () => {
        throw new Error('the log was read');
      },
    };
    const l = new LeaderCore<T>(cfg(1), new QuorumVerifier([1, 2, 3]), { acceptedEpoch: 1n, currentEpoch: 1n }, v);
    l.step({ type: 'start' });
    l.step({ type: 'message', cid: 12, msg: { type: 'FOLLOWERINFO', acceptedEpoch: 1n, sid: 2, protocolVersion: 0x10000, configVersion: 0n } });
    l.step({ type: 'persisted', seq: 1 });
    l.step({ type: 'message', cid: 12, msg: { type: 'ACKEPOCH', lastLoggedZxid: zxidOf(1n, 3), currentEpoch: 1n } });
    const sync = l.step({ type: 'persisted', seq: 2 });
    expect(sends(sync.actions).map((m) => (m.type === 'PROPOSAL' ? `PROPOSAL ${m.txn.zxid}` : m.type))).toEqual([
      'DIFF',
      `PROPOSAL ${zxidOf(1n, 4)}`,
      'COMMIT',
      `PROPOSAL ${zxidOf(1n, 5)}`,
      'COMMIT',
      'NEWLEADER',
    ]);
  });

  it('chooses the epoch above every accepted epoch of a quorum and writes it before LEADERINFO', () => {
    const l = new LeaderCore<T>(cfg(1), new QuorumVerifier([1, 2, 3]), { acceptedEpoch: 4n, currentEpoch: 4n }, view(0n));
    l.step({ type: 'start' });
    const out = l.step({ type: 'message', cid: 7, msg: { type: 'FOLLOWERINFO', acceptedEpoch: 6n, sid: 2, protocolVersion: 0x10000, configVersion: 0n } });
    expect(find(out.actions, 'persistEpoch')).toMatchObject({ name: 'acceptedEpoch', epoch: 7n });
    expect(sends(out.actions)).toEqual([]);
    expect(sends(l.step({ type: 'persisted', seq: 1 }).actions)).toEqual([{ type: 'LEADERINFO', newEpoch: 7n, protocolVersion: 0x10000 }]);
  });

  it('drops a learner that is ahead of it in discovery', () => {
    const l = new LeaderCore<T>(cfg(1), new QuorumVerifier([1, 2, 3]), { acceptedEpoch: 1n, currentEpoch: 1n }, view(zxidOf(1n, 3)));
    l.step({ type: 'start' });
    l.step({ type: 'message', cid: 7, msg: { type: 'FOLLOWERINFO', acceptedEpoch: 1n, sid: 2, protocolVersion: 0x10000, configVersion: 0n } });
    l.step({ type: 'persisted', seq: 1 });
    const out = l.step({ type: 'message', cid: 7, msg: { type: 'ACKEPOCH', lastLoggedZxid: zxidOf(1n, 9), currentEpoch: 1n } });
    expect(find(out.actions, 'close')?.reason).toMatch(/ahead of the leader/);
  });

  it('counts its own ACK only once its log write is durable, and commits in zxid order with a quorum', () => {
    const l = established();
    const p1 = l.step({ type: 'propose', txn: { zxid: zxidOf(2n, 1) } });
    expect(find(p1.actions, 'persistTxns')).toMatchObject({ seq: 3 });
    expect(sends(p1.actions).filter((m) => m.type === 'PROPOSAL')).toHaveLength(2);
    l.step({ type: 'propose', txn: { zxid: zxidOf(2n, 2) } });
    // Follower 2 acks the second first: nothing commits out of order.
    expect(find(l.step({ type: 'message', cid: 12, msg: { type: 'ACK', zxid: zxidOf(2n, 2) } }).actions, 'apply')).toBeUndefined();
    expect(find(l.step({ type: 'message', cid: 12, msg: { type: 'ACK', zxid: zxidOf(2n, 1) } }).actions, 'apply')).toBeUndefined();
    // The leader's own write of both becomes durable: 1 and 2 each have a quorum {1, 2}.
    const out = l.step({ type: 'persisted', seq: 4 });
    expect(out.actions.filter((a) => a.type === 'apply').map((a) => (a as { txns: T[] }).txns[0]!.zxid)).toEqual([zxidOf(2n, 1), zxidOf(2n, 2)]);
    expect(sends(out.actions).filter((m) => m.type === 'COMMIT')).toHaveLength(4);
  });

  it('with unsafeCommit (the checker tests\' broken member) commits on its own log write and holds the broadcast for two ticks', () => {
    const l = established({ unsafeCommit: true });
    const p = l.step({ type: 'propose', txn: { zxid: zxidOf(2n, 1) } });
    // Nothing leaves for the learners yet.
    expect(sends(p.actions)).toEqual([]);
    // The leader's own write alone commits it: no learner has even seen it.
    const own = l.step({ type: 'persisted', seq: 3 });
    expect(find(own.actions, 'apply')?.txns).toEqual([{ zxid: zxidOf(2n, 1) }]);
    expect(sends(own.actions)).toEqual([]);
    // Three half ticks later it is still held; the fourth sends the PROPOSAL and COMMIT to each learner, in order, before its PING.
    for (let i = 0; i < 3; i++) expect(sends(l.step({ type: 'tick' }).actions).filter((m) => m.type !== 'PING')).toEqual([]);
    const tick = l.step({ type: 'tick' });
    const to = (cid: number): string[] => tick.actions.filter((a) => a.type === 'send' && a.cid === cid).map((a) => (a as { msg: ZabMessage<T> }).msg.type);
    expect(to(12)).toEqual(['PROPOSAL', 'COMMIT', 'PING']);
    expect(to(13)).toEqual(['PROPOSAL', 'COMMIT', 'PING']);
    // Without the switch the same write waits for a learner's ACK.
    const safe = established();
    safe.step({ type: 'propose', txn: { zxid: zxidOf(2n, 1) } });
    expect(find(safe.step({ type: 'persisted', seq: 3 }).actions, 'apply')).toBeUndefined();
  });

  it('answers a sync once the last proposal before it has committed', () => {
    const l = established();
    expect(l.step({ type: 'sync', id: 1 }).actions).toContainEqual({ type: 'syncDone', id: 1 });
    l.step({ type: 'propose', txn: { zxid: zxidOf(2n, 1) } });
    expect(l.step({ type: 'sync', id: 2 }).actions.some((a) => a.type === 'syncDone')).toBe(false);
    l.step({ type: 'message', cid: 12, msg: { type: 'ACK', zxid: zxidOf(2n, 1) } });
    expect(l.step({ type: 'persisted', seq: 3 }).actions).toContainEqual({ type: 'syncDone', id: 2 });
  });

  it('pings a learner joining an established leader only once its DIFF, TRUNC or SNAP is on the way', () => {
    // Apache ZooKeeper's learner exits (code 13) on any first sync packet that is not one of those.
    // A long syncLimit: the silent learners of this test stay counted while it ticks.
    const l = new LeaderCore<T>(cfg(1, { syncLimit: 50, initLimit: 50 }), new QuorumVerifier([1, 2, 3, 4, 5]), { acceptedEpoch: 1n, currentEpoch: 1n }, view(zxidOf(1n, 3)));
    l.step({ type: 'start' });
    for (const sid of [2, 3]) l.step({ type: 'message', cid: 10 + sid, msg: { type: 'FOLLOWERINFO', acceptedEpoch: 1n, sid, protocolVersion: 0x10000, configVersion: 0n } });
    l.step({ type: 'persisted', seq: 1 });
    for (const sid of [2, 3]) l.step({ type: 'message', cid: 10 + sid, msg: { type: 'ACKEPOCH', lastLoggedZxid: zxidOf(1n, 3), currentEpoch: 1n } });
    l.step({ type: 'persisted', seq: 2 });
    for (const sid of [2, 3]) l.step({ type: 'message', cid: 10 + sid, msg: { type: 'ACK', zxid: zxidOf(2n, 0) } });
    expect(l.serving).toBe(true);
    const pingsTo = (cid: number, n: number): number => {
      let count = 0;
      for (let i = 0; i < n; i++) {
        const out = l.step({ type: 'tick' });
        count += out.actions.filter((a) => a.type === 'send' && 'cid' in a && a.cid === cid && a.msg.type === 'PING').length;
      }
      return count;
    };
    const info = l.step({ type: 'message', cid: 40, msg: { type: 'FOLLOWERINFO', acceptedEpoch: 2n, sid: 4, protocolVersion: 0x10000, configVersion: 0n } });
    expect(sends(info.actions)[0]).toMatchObject({ type: 'LEADERINFO' });
    // Between LEADERINFO and its ACKEPOCH: ticks ping the others, not this learner.
    expect(pingsTo(40, 4)).toBe(0);
    expect(pingsTo(12, 4)).toBeGreaterThan(0);
    const synced = l.step({ type: 'message', cid: 40, msg: { type: 'ACKEPOCH', lastLoggedZxid: zxidOf(1n, 3), currentEpoch: -1n } });
    expect(sends(synced.actions)[0]?.type).toMatch(/^(DIFF|TRUNC|SNAP)$/);
    expect(pingsTo(40, 4)).toBeGreaterThan(0);
  });

  it('steps down when the zxid counter reaches its limit', () => {
    const l = established({ zxidCounterLimit: 2 });
    l.step({ type: 'propose', txn: { zxid: zxidOf(2n, 1) } });
    expect(find(l.step({ type: 'propose', txn: { zxid: zxidOf(2n, 2) } }).actions, 'ended')?.reason).toMatch(/rolled over/);
  });

  it('steps down when no quorum of learners has been heard within syncLimit', () => {
    const l = established();
    let ended: string | undefined;
    for (let i = 0; i < 40 && !ended; i++) {
      const out = l.step({ type: 'tick' });
      ended = find(out.actions, 'ended')?.reason;
    }
    expect(ended).toMatch(/no packet|Not sufficient followers synced/);
  });
});

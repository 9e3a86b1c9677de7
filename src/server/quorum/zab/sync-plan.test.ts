// How a leader chooses DIFF, TRUNC or SNAP (LearnerHandler.syncFollower), case by case.
import { describe, expect, it } from 'vitest';
import { planSync, type LeaderHistory } from './sync-plan';
import { zxidOf } from './types';

const z = (epoch: number, counter: number): bigint => zxidOf(BigInt(epoch), counter);
const t = (epoch: number, counter: number) => ({ zxid: z(epoch, counter) });

/** A leader whose history is 1_1..1_5 then 2_1..2_3, all in memory and in the log. */
function leader(over: Partial<LeaderHistory<{ zxid: bigint }>> = {}): LeaderHistory<{ zxid: bigint }> {
  const history = [t(1, 1), t(1, 2), t(1, 3), t(1, 4), t(1, 5), t(2, 1), t(2, 2), t(2, 3)];
  return {
    lastProcessedZxid: z(2, 3),
    committedLog: history,
    committedLogComplete: true,
    committedLogBase: 0n,
    snapshotZxid: 0n,
    txnsAfter: (after) => history.filter((x) => x.zxid > after),
    logSyncLimitBytes: -1,
    txnSize: () => 100,
    ...over,
  };
}

const zxids = (p: { txns: { zxid: bigint }[] }) => p.txns.map((x) => x.zxid);

describe('planSync (LearnerHandler.syncFollower)', () => {
  it('DIFF with nothing to send when the learner is exactly where the leader is', () => {
    expect(planSync(z(2, 3), leader())).toEqual({ mode: 'DIFF', zxid: z(2, 3), txns: [], currentZxid: z(2, 3) });
  });

  it('DIFF with the missing txns when the learner has a prefix of the history', () => {
    const p = planSync(z(1, 4), leader());
    expect(p.mode).toBe('DIFF');
    expect(p.zxid).toBe(z(2, 3));
    expect(zxids(p)).toEqual([z(1, 5), z(2, 1), z(2, 2), z(2, 3)]);
  });

  it('TRUNC to the leader when the learner is ahead of everything the leader has', () => {
    expect(planSync(z(2, 7), leader())).toMatchObject({ mode: 'TRUNC', zxid: z(2, 3), txns: [] });
  });

  it('TRUNC to the last common txn, then the rest, when the learner forked in the same epoch', () => {
    // The learner logged 1_6 of epoch 1, which the leader never had.
    const h = leader({ committedLog: [t(1, 1), t(1, 2), t(1, 3), t(1, 4), t(1, 5), t(1, 7), t(2, 1)], lastProcessedZxid: z(2, 1) });
    const p = planSync(z(1, 6), h);
    expect(p.mode).toBe('TRUNC');
    expect(p.zxid).toBe(z(1, 5));
    expect(zxids(p)).toEqual([z(1, 7), z(2, 1)]);
  });

  it('SNAP when the learner forked in an older epoch than the leader history continues in', () => {
    // The learner has 1_6 (never committed); the leader went from 1_5 straight to epoch 2.
    expect(planSync(z(1, 6), leader()).mode).toBe('SNAP');
  });

  it('a leader at the first zxid of its epoch (no write yet): DIFF from memory, TRUNC past it, SNAP at that zxid with no history', () => {
    // Established in epoch 3 with its history ending at 2_3: Leader.startZkServer put it at 3_0.
    const h = leader({ lastProcessedZxid: z(3, 0) });
    expect(planSync(z(3, 0), h)).toEqual({ mode: 'DIFF', zxid: z(3, 0), txns: [], currentZxid: z(3, 0) });
    const behind = planSync(z(2, 1), h);
    expect(behind).toMatchObject({ mode: 'DIFF', zxid: z(2, 3) });
    expect(zxids(behind)).toEqual([z(2, 2), z(2, 3)]);
    expect(planSync(z(2, 3), h)).toEqual({ mode: 'DIFF', zxid: z(2, 3), txns: [], currentZxid: z(2, 3) });
    expect(planSync(z(2, 5), h)).toMatchObject({ mode: 'TRUNC', zxid: z(2, 3) });
    // An empty ensemble's first leader (1_0) and a learner at 0: as ZooKeeper, SNAP at 1_0.
    const empty = leader({ lastProcessedZxid: z(1, 0), committedLog: [], txnsAfter: () => [] });
    expect(planSync(0n, empty)).toEqual({ mode: 'SNAP', zxid: z(1, 0), txns: [], currentZxid: z(1, 0) });
  });

  it('SNAP when the learner is older than the newest snapshot', () => {
    const h = leader({ committedLog: [t(2, 1), t(2, 2), t(2, 3)], committedLogComplete: false, snapshotZxid: z(1, 5) });
    const p = planSync(z(1, 2), h);
    expect(p).toMatchObject({ mode: 'SNAP', zxid: z(2, 3) });
  });

  it('DIFF from the log after the snapshot when memory does not reach back far enough', () => {
    const h = leader({ committedLog: [t(2, 2), t(2, 3)], committedLogComplete: false, snapshotZxid: z(1, 3) });
    const p = planSync(z(1, 4), h);
    expect(p.mode).toBe('DIFF');
    expect(zxids(p)).toEqual([z(1, 5), z(2, 1), z(2, 2), z(2, 3)]);
  });

  it('SNAP instead of a DIFF from the log larger than snapshotSizeFactor of the snapshot', () => {
    const h = leader({ committedLog: [t(2, 3)], committedLogComplete: false, snapshotZxid: z(1, 1), logSyncLimitBytes: 250 });
    expect(planSync(z(1, 2), h).mode).toBe('SNAP');
    expect(planSync(z(2, 1), { ...h, committedLog: [t(2, 3)] }).mode).toBe('DIFF');
  });

  it('SNAP when the log does not reach back and memory does not either', () => {
    const h = leader({ committedLog: [t(2, 3)], committedLogComplete: false, snapshotZxid: z(1, 1), txnsAfter: () => null });
    expect(planSync(z(1, 2), h).mode).toBe('SNAP');
  });

  it('DIFF for a learner at an epoch boundary zxid (counter 0) inside the history', () => {
    const p = planSync(z(2, 0), leader());
    expect(p.mode).toBe('DIFF');
    expect(zxids(p)).toEqual([z(2, 1), z(2, 2), z(2, 3)]);
  });

  it('an empty learner of an empty leader gets an empty DIFF', () => {
    expect(planSync(0n, leader({ committedLog: [], lastProcessedZxid: 0n, txnsAfter: () => [] }))).toEqual({ mode: 'DIFF', zxid: 0n, txns: [], currentZxid: 0n });
  });
});

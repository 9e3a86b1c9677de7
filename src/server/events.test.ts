// The member event ring behind lab_events: sequence numbers, `since`, and the oldest events
// giving way once the ring is full.
import { describe, expect, it } from 'vitest';
import { EventLog } from './events';

describe('EventLog', () => {
  it('numbers events and returns those after a seq, oldest first', () => {
    const log = new EventLog(10);
    for (let i = 1; i <= 4; i++) log.emit({ type: 'proposal', zxid: BigInt(i) });
    expect(log.lastSeq).toBe(4);
    expect(log.since(0).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(log.since(2).map((e) => e.zxid)).toEqual([3n, 4n]);
    expect(log.since(4)).toEqual([]);
    expect(log.since(-5).length).toBe(4);
    const e = log.since(3)[0]!;
    expect(e).toMatchObject({ type: 'proposal', zxid: 4n, seq: 4 });
    expect(typeof e.time).toBe('number');
  });

  it('keeps the newest `capacity` events once full', () => {
    const log = new EventLog(5);
    for (let i = 1; i <= 12; i++) log.emit({ type: 'commit', n: i });
    expect(log.since(0).map((e) => e.n)).toEqual([8, 9, 10, 11, 12]);
    expect(log.since(10).map((e) => e.seq)).toEqual([11, 12]);
  });

  it('copies the event it is given', () => {
    const log = new EventLog();
    const e = { type: 'x', v: 1 };
    log.emit(e);
    e.v = 2;
    expect(log.since(0)[0]!.v).toBe(1);
    expect(e).toEqual({ type: 'x', v: 2 });
  });
});

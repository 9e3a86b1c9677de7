// A member's per-transaction events reach the history folded, one row per run of them.
import { describe, expect, it } from 'vitest';
import type { MemberEvent } from './admin';
import { foldPerTxn } from './member-events';

const ev = (seq: number, type: string, extra: Record<string, unknown> = {}): MemberEvent => ({ seq, time: 1000 + seq, type, sid: 3, ...extra });

describe('foldPerTxn', () => {
  it('folds each run of proposals or commits into one event with the count and the zxids', () => {
    const events = [
      ev(1, 'role.changed', { role: 'leading', leader: 3 }),
      ...Array.from({ length: 500 }, (_, i) => ev(2 + i, 'proposal', { zxid: `0x1000000${(i + 1).toString(16).padStart(2, '0')}` })),
      ...Array.from({ length: 400 }, (_, i) => ev(502 + i, 'commit', { zxid: `z${i + 1}` })),
      ev(902, 'session.expired', { session: '0x1' }),
      ev(903, 'commit', { zxid: 'z401' }),
    ];
    const out = foldPerTxn(events);
    expect(out.map((e) => e.type)).toEqual(['role.changed', 'proposal', 'commit', 'session.expired', 'commit']);
    expect(out[1]).toEqual({ seq: 501, time: 1501, type: 'proposal', sid: 3, count: 500, firstZxid: '0x100000001', lastZxid: events[500]!.zxid });
    expect(out[2]).toMatchObject({ seq: 901, count: 400, firstZxid: 'z1', lastZxid: 'z400' });
    // A run of one is kept as the member wrote it.
    expect(out[4]).toEqual(ev(903, 'commit', { zxid: 'z401' }));
  });

  it('keeps rare events one by one and in order', () => {
    const events = [ev(1, 'election.started'), ev(2, 'vote.sent'), ev(3, 'election.decided')];
    expect(foldPerTxn(events)).toEqual(events);
  });
});

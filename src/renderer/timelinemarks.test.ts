import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../shared/contract';
import { lineOffset, markLabels } from './timelinemarks';

const ev = (id: number, time: number, type: string, myid: number): HistoryEvent => ({ id, time, source: 'lab', type, myid, detail: '', data: {} });

describe('the Timeline markers', () => {
  const start = 0;
  const end = 15 * 60_000;
  it('makes one label of five stops within a second in a 15-minute window', () => {
    const marks = [1, 2, 3, 4, 5].map((n) => ev(n, 60_000 + n * 150, 'node.stopped', n));
    const labels = markLabels(marks, start, end, 1000);
    expect(labels.map((l) => l.text)).toEqual(['stopped 1, 2, 3, 4, 5']);
    expect(labels[0]!.ids).toEqual([1, 2, 3, 4, 5]);
  });

  it('puts labels of different kinds that are close on different rows, and far ones on the first', () => {
    const marks = [ev(1, 60_000, 'node.killed', 3), ev(2, 61_000, 'node.started', 3), ev(3, 600_000, 'node.killed', 1)];
    const labels = markLabels(marks, start, end, 1000);
    expect(labels.map((l) => [l.text, l.row])).toEqual([
      ['killed 3', 0],
      ['started 3', 1],
      ['killed 1', 0],
    ]);
  });

  it('shifts the lines of seven members apart, centred on the value', () => {
    const offsets = Array.from({ length: 7 }, (_, i) => lineOffset(i, 7));
    expect(new Set(offsets).size).toBe(7);
    expect(offsets.reduce((a, b) => a + b, 0)).toBe(0);
  });
});

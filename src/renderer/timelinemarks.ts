// The Timeline's fault markers as labels that do not overlap: marks of one kind close together
// (stopping all five members) become one label ("stopped 1, 2, 3, 4, 5"), and labels still too
// close to each other go on different rows; and each member's line is shifted a few pixels so
// that members with the same epoch or zxid (most of the time, all of them) are all visible.
import type { HistoryEvent } from '../shared/contract';
import { t } from './i18n';

export interface MarkLabel {
  /** Where the label sits (the first mark of its group). */
  time: number;
  text: string;
  /** 0 for the top row, then 1, 2, … */
  row: number;
  /** The marks it stands for. */
  ids: number[];
}

/** A mark's type (node.killed → killed) in the UI's language; a type the catalogue has not is shown as it is. */
export function markName(type: string): string {
  const key = MARK_KEY[type];
  return key ? t(key) : type;
}
const MARK_KEY: Record<string, string> = { killed: 'timeline.markKilled', stopped: 'timeline.markStopped', paused: 'timeline.markPaused', 'net.fault.started': 'timeline.markFault' };

/** Roughly how many px a label of `text` takes at 10 px (for the overlap check). */
const charPx = 6;

/**
 * Groups and rows for the labels of `marks` on an axis from `start` to `end` drawn `widthPx` wide.
 * Marks of one type within `groupPx` of the group's first mark form one label.
 */
export function markLabels(marks: HistoryEvent[], start: number, end: number, widthPx: number, groupPx = 24, rows = 3): MarkLabel[] {
  const span = Math.max(1, end - start);
  const px = (t: number): number => ((t - start) / span) * widthPx;
  const sorted = [...marks].sort((a, b) => a.time - b.time);
  const groups: { type: string; time: number; myids: number[]; ids: number[] }[] = [];
  for (const m of sorted) {
    const type = m.type.replace(/^node\./, '');
    const g = groups.findLast((x) => x.type === type && px(m.time) - px(x.time) <= groupPx);
    if (g) {
      if (m.myid !== null && !g.myids.includes(m.myid)) g.myids.push(m.myid);
      g.ids.push(m.id);
    } else groups.push({ type, time: m.time, myids: m.myid === null ? [] : [m.myid], ids: [m.id] });
  }
  // Each row remembers where its last label ends; a label takes the first row it fits in.
  const ends = Array.from({ length: rows }, () => -Infinity);
  return groups.map((g) => {
    const text = `${markName(g.type)} ${g.myids.sort((a, b) => a - b).join(', ')}`.trim();
    const x = px(g.time);
    let row = ends.findIndex((e) => x - e >= 4);
    if (row < 0) row = ends.indexOf(Math.min(...ends));
    // A CJK character is about twice as wide as a Latin one.
    ends[row] = x + [...text].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0) * charPx;
    return { time: g.time, text, row, ids: g.ids };
  });
}

/**
 * The vertical shift in px of member i of n: centred on the true value, 3 px apart, so lines
 * that coincide are drawn side by side (the tooltip still gives the exact values).
 */
export function lineOffset(i: number, n: number): number {
  return (i - (n - 1) / 2) * 3;
}

/** Dash patterns, so that colour is not the only thing telling members apart. */
export const DASHES = ['', '8 3', '2 3', '12 3 2 3', '4 4', '1 2', '16 4'];

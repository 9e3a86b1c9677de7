// The Wire view's space-time diagram: a lane per member, an arrow per message, time downwards,
// only the rows on screen drawn; arrow keys move between messages.
import { Card, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { LabView, WireMessage } from '../shared/contract';
import { ROLE_CSS } from './format';
import { useTranslation } from './i18n';
import { colorOf, GUTTER, HEAD_H, ms3, ROW_H, SLANT_MS, STATUS_KEY, TOP, VIEW_H, type Scale } from './wiremodel';

interface DiagramProps {
  rows: WireMessage[];
  lanes: number[];
  view: LabView | null;
  scale: Scale;
  from: number;
  to: number;
  live: boolean;
  selected: WireMessage | null;
  follow: string | null;
  onPick: (m: WireMessage | null) => void;
  toggleLive: () => void;
  tick: number;
}

/** The space-time diagram: lanes, arrows, times on the left and each message's line on the right. */
export function Diagram({ rows, lanes, view, scale, from, to, live, selected, follow, onPick, toggleLive, tick }: DiagramProps) {
  const { t } = useTranslation();
  const { ref: outer, width: outerW } = useElementSize();
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const stick = useRef(true);
  const laneW = lanes.length <= 3 ? 128 : lanes.length <= 5 ? 108 : 86;
  const lanesW = Math.max(1, lanes.length) * laneW;
  const summaryW = Math.max(240, (outerW || 900) - GUTTER - lanesW - 14);
  const width = GUTTER + lanesW + summaryW;
  const laneX = new Map(lanes.map((id, i) => [id, GUTTER + laneW * (i + 0.5)]));
  const roles = new Map((view?.nodes ?? []).map((n) => [n.myid, n.role]));
  const timeH = VIEW_H - 16;
  const height = scale === 'events' ? Math.max(VIEW_H - 4, TOP + rows.length * ROW_H + ROW_H) : timeH + 8;

  /** y of a moment: by rows (interpolated between the rows around it) or by the clock. */
  const times = rows.map((m) => m.time);
  const yOf = (t: number): number => {
    if (scale === 'time') return 8 + ((t - from) / Math.max(1, to - from)) * timeH;
    if (rows.length === 0) return 0;
    let lo = 0;
    let hi = times.length - 1;
    if (t <= times[0]!) return TOP + ROW_H / 2;
    if (t >= times[hi]!) return TOP + hi * ROW_H + ROW_H / 2 + Math.min(ROW_H * 0.9, (t - times[hi]!) / 5);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const t0 = times[lo]!;
    const t1 = times[lo + 1] ?? t0;
    return TOP + lo * ROW_H + ROW_H / 2 + (t1 > t0 ? ((t - t0) / (t1 - t0)) * ROW_H : 0);
  };
  const ySend = (i: number, m: WireMessage): number => (scale === 'events' ? TOP + i * ROW_H + ROW_H / 2 : yOf(m.time));

  // Live: stay at the newest rows unless the person scrolled up.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (stick.current && scale === 'events') el.scrollTop = el.scrollHeight;
  }, [rows.length, tick, scale]);

  const firstRow = Math.min(rows.length, Math.max(0, Math.floor(scrollTop / ROW_H) - 8));
  const lastRow = Math.min(rows.length - 1, Math.ceil((scrollTop + VIEW_H) / ROW_H) + 8);
  const visible: { m: WireMessage; i: number }[] = [];
  if (scale === 'events') {
    for (let i = firstRow; i <= lastRow; i++) visible.push({ m: rows[i]!, i });
    // Slanted arrows that start above the screen and end on it.
    for (let i = 0; i < firstRow; i++) {
      const m = rows[i]!;
      if (m.deliveredAt !== null && m.deliveredAt - m.time > SLANT_MS && yOf(m.deliveredAt) >= scrollTop) visible.push({ m, i });
    }
  } else rows.forEach((m, i) => visible.push({ m, i }));

  const selIndex = selected ? rows.findIndex((m) => m.seq === selected.seq) : -1;
  const move = (d: number): void => {
    if (rows.length === 0) return;
    const i = selIndex < 0 ? (d > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, selIndex + d));
    onPick(rows[i]!);
    const el = scroller.current;
    if (el && scale === 'events') {
      const y = TOP + i * ROW_H;
      if (y < el.scrollTop) el.scrollTop = y;
      else if (y + ROW_H > el.scrollTop + VIEW_H) el.scrollTop = y + ROW_H - VIEW_H;
    }
  };

  let lastLabelY = -100;
  const labelled = new Set<number>();
  if (scale === 'time') {
    rows.forEach((m, i) => {
      const y = yOf(m.time);
      if (y - lastLabelY >= 12) {
        labelled.add(i);
        lastLabelY = y;
      }
    });
  }

  return (
    <Card withBorder p={0} ref={outer} data-testid="wire-diagram" data-rows={rows.length} data-scale={scale}>
      <div style={{ overflowX: 'auto' }}>
        <div style={{ width, position: 'relative' }}>
          <svg width={width} height={HEAD_H} style={{ display: 'block', borderBottom: '1px solid var(--mantine-color-gray-3)', background: 'var(--mantine-color-gray-0)' }}>
            <text x={10} y={21} fontSize={11} fill="#868e96">
              {t('wire.colTime')}
            </text>
            {lanes.map((id) => (
              <g key={id} data-testid={`wire-lane-${id}`}>
                <text x={laneX.get(id)!} y={15} fontSize={12} fontWeight={700} textAnchor="middle" fill="#212529">
                  {t('wire.node', { myid: id })}
                </text>
                <text x={laneX.get(id)!} y={28} fontSize={10} textAnchor="middle" fill={ROLE_CSS[roles.get(id) ?? ''] ?? '#868e96'}>
                  {roles.has(id) ? t(`role.${roles.get(id)!}`) : ''}
                </text>
              </g>
            ))}
            <text x={GUTTER + lanesW + 8} y={21} fontSize={11} fill="#868e96">
              {t('wire.colMessage')}
            </text>
          </svg>
          <div
            ref={scroller}
            tabIndex={0}
            role="listbox"
            aria-label={t('wire.diagramAria')}
            style={{ height: VIEW_H, overflowY: scale === 'events' ? 'auto' : 'hidden', outline: 'none' }}
            onScroll={(e) => {
              const el = e.currentTarget;
              setScrollTop(el.scrollTop);
              stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_H * 2;
            }}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') move(1);
              else if (e.key === 'ArrowUp') move(-1);
              else if (e.key === 'Escape') onPick(null);
              else if (e.key === ' ') toggleLive();
              else if (e.key === 'Enter' && selected) onPick(selected);
              else return;
              e.preventDefault();
            }}
            data-testid="wire-scroller"
          >
            {rows.length === 0 ? (
              <Text c="dimmed" size="sm" p="md" data-testid="wire-empty">
                {live ? t('wire.emptyLive') : t('wire.emptyPaused')}
              </Text>
            ) : (
              <svg width={width} height={height} style={{ display: 'block' }}>
                <ArrowHeads types={[...new Set(rows.map((m) => m.type))].sort().join(',')} />
                {lanes.map((id) => (
                  <line key={id} x1={laneX.get(id)!} x2={laneX.get(id)!} y1={0} y2={height} stroke="#dee2e6" strokeWidth={2} />
                ))}
                {scale === 'time' && <TimeTicks from={from} to={to} yOf={yOf} width={width} />}
                {visible.map(({ m, i }) => {
                  const y = ySend(i, m);
                  const prev = i > 0 ? rows[i - 1]! : null;
                  const gap = scale === 'events' && prev ? m.time - prev.time : 0;
                  return (
                    <Row
                      key={m.seq}
                      m={m}
                      y={y}
                      yEnd={m.deliveredAt !== null && (scale === 'time' || m.deliveredAt - m.time > SLANT_MS) ? Math.max(y, yOf(m.deliveredAt)) : y}
                      x1={laneX.get(m.from) ?? GUTTER}
                      x2={laneX.get(m.to) ?? GUTTER}
                      lanesRight={GUTTER + lanesW}
                      width={width}
                      summaryW={summaryW}
                      scale={scale}
                      gap={gap}
                      showText={scale === 'events' || labelled.has(i)}
                      selected={selected?.seq === m.seq}
                      followed={follow !== null && m.zxid === follow}
                      dim={follow !== null && m.zxid !== follow}
                      onPick={onPick}
                    />
                  );
                })}
              </svg>
            )}
          </div>
        </div>
      </div>
    </Card>
  );
}

/** One arrowhead per type on screen (and one for the selected message); drawn again only when the set of types changes. */
const ArrowHeads = memo(function ArrowHeads({ types }: { types: string }) {
  return (
    <defs>
      {[...types.split(','), 'SEL'].map((t) => (
        <marker key={t} id={`w-arrow-${t}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill={t === 'SEL' ? '#1c7ed6' : colorOf(t)} />
        </marker>
      ))}
    </defs>
  );
});

function TimeTicks({ from, to, yOf, width }: { from: number; to: number; yOf: (t: number) => number; width: number }) {
  const span = to - from;
  const step = [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000].find((s) => span / s <= 12) ?? 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return (
    <g>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={0} x2={width} y1={yOf(t)} y2={yOf(t)} stroke="#f1f3f5" />
          <text x={6} y={yOf(t) - 2} fontSize={10} fill="#868e96">
            {ms3(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

interface RowProps {
  m: WireMessage;
  y: number;
  yEnd: number;
  x1: number;
  x2: number;
  lanesRight: number;
  width: number;
  summaryW: number;
  scale: Scale;
  gap: number;
  showText: boolean;
  selected: boolean;
  followed: boolean;
  dim: boolean;
  onPick: (m: WireMessage) => void;
}

/** One message: its arrow (delivered), stub and marker (held, dropped) or band (FOLDED), and its line of text. */
const Row = memo(RowView);

function RowView({ m, y, yEnd, x1, x2, lanesRight, width, summaryW, scale, gap, showText, selected, followed, dim, onPick }: RowProps) {
  const { t } = useTranslation();
  const color = selected ? '#1c7ed6' : colorOf(m.type);
  const opacity = dim ? 0.28 : 1;
  const strokeW = selected || followed ? 2.6 : 1.5;
  const maxChars = Math.max(10, Math.floor((summaryW - 12) / 5.8));
  const line = `${m.status !== 'delivered' ? `[${t(STATUS_KEY[m.status])}] ` : ''}${m.summary}`;
  const summary = line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
  const textX = lanesRight + 8;
  const hitH = scale === 'events' ? ROW_H : 8;
  const dir = x2 >= x1 ? 1 : -1;
  const stubEnd = x1 + (x2 - x1) * 0.62;
  const midX = (x1 + x2) / 2;
  let shape: React.ReactNode;
  if (m.type === 'FOLDED') {
    // Messages of one direction in one second, counted but not kept: a dotted band with the count.
    const count = m.fields.count ?? '?';
    shape = (
      <g>
        <line x1={x1} y1={y} x2={x2 - dir * 2} y2={y} stroke="#868e96" strokeWidth={5} strokeOpacity={0.35} strokeDasharray="2 3" />
        <line x1={x1} y1={y} x2={x2 - dir * 2} y2={y} stroke="#868e96" strokeWidth={1.2} markerEnd="url(#w-arrow-FOLDED)" />
        <text x={midX} y={y - 4} fontSize={9.5} fontWeight={700} textAnchor="middle" fill="#495057" stroke="white" strokeWidth={3} paintOrder="stroke">
          {t('wire.foldedBand', { count: String(count) })}
        </text>
      </g>
    );
  } else if (m.status === 'held') {
    shape = (
      <g>
        <line x1={x1} y1={y} x2={stubEnd} y2={y} stroke={color} strokeWidth={strokeW} strokeDasharray="5 3" />
        <rect x={stubEnd - (dir > 0 ? 0 : 30)} y={y - 7} width={30} height={14} rx={3} fill="white" stroke="#7048e8" strokeWidth={1.5} />
        <text x={stubEnd + dir * 15} y={y + 4} fontSize={9} fontWeight={700} textAnchor="middle" fill="#7048e8">
          {t('wire.held')}
        </text>
      </g>
    );
  } else if (m.status === 'dropped') {
    shape = (
      <g>
        <line x1={x1} y1={y} x2={stubEnd} y2={y} stroke={color} strokeWidth={strokeW} strokeDasharray="1 3" />
        <g stroke="#e03131" strokeWidth={2.4} strokeLinecap="round">
          <line x1={stubEnd - 5} y1={y - 5} x2={stubEnd + 5} y2={y + 5} />
          <line x1={stubEnd - 5} y1={y + 5} x2={stubEnd + 5} y2={y - 5} />
        </g>
      </g>
    );
  } else {
    shape = <line x1={x1} y1={y} x2={x2 - dir * 2} y2={yEnd} stroke={color} strokeWidth={strokeW} markerEnd={`url(#w-arrow-${selected ? 'SEL' : m.type})`} />;
  }
  return (
    <g
      data-testid="wire-msg"
      data-seq={m.seq}
      data-type={m.type}
      data-from={m.from}
      data-to={m.to}
      data-zxid={m.zxid ?? ''}
      data-status={m.status}
      data-time={m.time}
      aria-selected={selected}
      opacity={opacity}
      style={{ cursor: 'pointer' }}
      onClick={() => onPick(m)}
    >
      <title>{`${m.type} ${m.from} → ${m.to} · ${t(STATUS_KEY[m.status])} · ${m.summary}`}</title>
      {(selected || followed) && <rect x={0} y={y - hitH / 2} width={width} height={hitH} fill={selected ? '#d0ebff' : '#fff3bf'} />}
      <rect x={0} y={y - hitH / 2} width={width} height={hitH} fill="transparent" />
      {scale === 'events' && gap > 1000 && (
        <g>
          <line x1={0} x2={width} y1={y - ROW_H / 2} y2={y - ROW_H / 2} stroke="#ced4da" strokeDasharray="2 4" />
        </g>
      )}
      {scale === 'events' && (
        <text x={6} y={y + 4} fontSize={10} fill="#868e96" fontFamily="monospace">
          {gap > 1000 ? t('wire.gap', { s: (gap / 1000).toFixed(1) }) : ms3(m.time).slice(-9)}
        </text>
      )}
      {shape}
      {showText && m.type !== 'FOLDED' && (
        <text x={m.status !== 'delivered' ? (x1 + stubEnd) / 2 : yEnd - y > ROW_H / 2 ? x1 + (x2 - x1) * 0.3 : midX} y={yEnd - y > ROW_H / 2 ? y + (yEnd - y) * 0.3 - 4 : y - 4} fontSize={9.5} fontWeight={700} textAnchor="middle" fill={color} stroke="white" strokeWidth={3} paintOrder="stroke">
          {m.type}
        </text>
      )}
      {showText && (
        <text x={textX} y={y + 4} fontSize={10.5} fill={m.status === 'delivered' ? '#343a40' : m.status === 'held' ? '#7048e8' : '#e03131'}>
          {summary}
        </text>
      )}
    </g>
  );
}


// The Load panel's two live charts, one point a second: throughput (operations completed, and
// failed) and latency (p50, p99, max, and how long the oldest unanswered operation has waited)
// on a log axis, so that 0.5 ms and a 2 s election fit on one chart. The ensemble's events in
// the window are drawn on both: elections shaded, kills and new leaders as vertical lines.
//
// recharts (already the Timeline's library, and what @mantine/charts wraps) rather than uPlot:
// five minutes at one point a second is 300 points a line, well within what SVG draws smoothly,
// and its reference lines and areas give the marks with labels for free.
import { Card, Group, Text, Title } from '@mantine/core';
import { memo, useMemo } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryEvent, LoadSample } from '../shared/contract';
import { clock } from './format';
import { t, useTranslation } from './i18n';

/** A latency for people: "0.42 ms", "12 ms", "1.84 s". */
export function msText(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 10) return `${v.toFixed(1)} ms`;
  if (v < 1000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(2)} s`;
}

/** A tick of the log axis (a power of ten): "0.1 ms", "100 ms", "10 s". */
function tickText(v: number): string {
  return v < 1000 ? `${Number(v.toPrecision(1))} ms` : `${v / 1000} s`;
}

export const errorTotal = (s: LoadSample): number => Object.values(s.errors).reduce((a, b) => a + b, 0);

interface Span {
  from: number;
  to: number | null;
}

/** The short label of a mark on the charts. */
function markLabel(e: HistoryEvent): string {
  switch (e.type) {
    case 'node.killed':
      return t('load.markKill', { myid: e.myid });
    case 'node.stopped':
      return t('load.markStop', { myid: e.myid });
    case 'node.paused':
      return t('load.markPause', { myid: e.myid });
    case 'node.resumed':
      return t('load.markResume', { myid: e.myid });
    case 'node.started':
      return t('load.markStart', { myid: e.myid });
    case 'node.exited':
      return t('load.markCrash', { myid: e.myid });
    case 'ensemble.leader.changed':
      return t('load.markLeads', { myid: e.myid });
    default:
      return '';
  }
}

function markColor(e: HistoryEvent): string {
  if (e.type === 'ensemble.leader.changed') return '#0ca678';
  if (e.type === 'node.started' || e.type === 'node.resumed') return '#1c7ed6';
  return '#e03131';
}

/** Elections as spans, from the lab's ensemble.election.started / ended events. */
function electionSpans(marks: HistoryEvent[]): Span[] {
  const spans: Span[] = [];
  for (const e of marks) {
    if (e.type === 'ensemble.election.started') spans.push({ from: e.time, to: null });
    else if (e.type === 'ensemble.election.ended') {
      const open = spans.at(-1);
      if (open && open.to === null) open.to = e.time;
    }
  }
  return spans;
}

/** Powers of ten around the data, for a log axis that reads at a glance. */
function logTicks(values: number[]): { domain: [number, number]; ticks: number[] } {
  const pos = values.filter((v) => v > 0);
  // Below 10 µs is noise on a lab machine; such values sit on the axis.
  const lo = pos.length ? Math.max(0.01, Math.pow(10, Math.floor(Math.log10(Math.min(...pos))))) : 0.1;
  const hi = pos.length ? Math.pow(10, Math.ceil(Math.log10(Math.max(...pos)))) : 100;
  const ticks: number[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(Number(t.toPrecision(1)));
  return { domain: [lo, Math.max(hi, lo * 10)], ticks };
}

/** A row (0, 1, 2) for each label, so that labels closer than about a label's width (7 % of the axis) sit on different rows. */
function labelRows(labels: { key: string; time: number }[], start: number, end: number): Map<string, number> {
  const gap = 0.07 * (end - start);
  const last = [-Infinity, -Infinity, -Infinity];
  const out = new Map<string, number>();
  for (const { key, time } of [...labels].sort((a, b) => a.time - b.time)) {
    let row = last.findIndex((t) => time - t >= gap);
    if (row < 0) row = last.indexOf(Math.min(...last));
    last[row] = time;
    out.set(key, row);
  }
  return out;
}

interface Props {
  samples: LoadSample[];
  marks: HistoryEvent[];
  /** The run's target, drawn as a dashed line on the throughput chart. */
  rate: number | null;
}

/** Both charts; drawn again only when a second or a mark arrives. */
export const LoadCharts = memo(function LoadCharts({ samples, marks, rate }: Props) {
  const { t } = useTranslation();
  const rows = useMemo(
    () =>
      samples.map((s) => ({
        time: s.time,
        ops: s.ops,
        errors: errorTotal(s),
        p50: s.p50,
        p99: s.p99,
        max: s.max,
        // A log axis has no 0: a second with nothing waiting has no point.
        oldest: s.oldestWaitingMs !== null && s.oldestWaitingMs > 0 ? s.oldestWaitingMs : null,
      })),
    [samples],
  );
  const spans = useMemo(() => electionSpans(marks), [marks]);
  const lines = marks.filter((m) => markLabel(m) !== '');
  const start = (samples[0]?.time ?? Date.now()) - 1000;
  const end = Math.max(samples.at(-1)?.time ?? Date.now(), start + 10_000);
  const latency = useMemo(() => logTicks(rows.flatMap((r) => [r.p50, r.p99, r.max, r.oldest].filter((v): v is number => v !== null))), [rows]);

  // Marks close in time take the next row of labels down, so that "kill 2", "election" and "3 leads" within a second stay readable.
  const labelRow = labelRows([...spans.map((s) => ({ key: `e${s.from}`, time: Math.max(s.from, start) })), ...lines.map((m) => ({ key: String(m.id), time: m.time }))], start, end);
  const offset = (key: string): number => 5 + 13 * (labelRow.get(key) ?? 0);

  const overlay = (withLabels: boolean) => [
    ...spans.map((s) => (
      <ReferenceArea
        key={`e${s.from}`}
        x1={Math.max(s.from, start)}
        x2={s.to ?? end}
        fill="#fab005"
        fillOpacity={0.18}
        ifOverflow="hidden"
        label={withLabels ? { value: t('load.markElection'), position: 'insideTopLeft', offset: offset(`e${s.from}`), fontSize: 10, fill: '#e67700' } : undefined}
      />
    )),
    ...lines
      .filter((m) => m.time >= start)
      .map((m) => (
        <ReferenceLine
          key={m.id}
          x={m.time}
          stroke={markColor(m)}
          strokeDasharray="4 2"
          label={withLabels ? { value: markLabel(m), position: 'insideTopLeft', offset: offset(String(m.id)), fontSize: 10, fill: markColor(m) } : undefined}
        />
      )),
  ];

  return (
    <>
      <Card withBorder data-testid="load-chart-throughput" data-points={samples.length}>
        <Group justify="space-between">
          <Title order={5}>{t('load.throughput')}</Title>
          <Text size="xs" c="dimmed">
            {rate !== null ? t('load.throughputHintRate', { rate }) : t('load.throughputHint')}
          </Text>
        </Group>
        <ResponsiveContainer width="100%" height={200}>
          <ComposedChart data={rows} margin={{ top: 16, right: 16, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="time" type="number" scale="time" domain={[start, end]} tickFormatter={clock} allowDataOverflow />
            <YAxis width={56} allowDecimals={false} />
            <Tooltip labelFormatter={(v) => clock(Number(v))} />
            <Legend />
            {overlay(true)}
            {rate !== null && <ReferenceLine y={rate} stroke="#868e96" strokeDasharray="6 3" />}
            <Line type="linear" dataKey="ops" name={t('load.seriesOps')} stroke="#0ca678" strokeWidth={2} dot={false} isAnimationActive={false} />
            <Line type="linear" dataKey="errors" name={t('load.seriesFailed')} stroke="#e03131" strokeWidth={2} dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </Card>
      <Card withBorder data-testid="load-chart-latency" data-points={samples.length}>
        <Group justify="space-between">
          <Title order={5}>{t('load.latency')}</Title>
          <Text size="xs" c="dimmed">
            {t('load.latencyHint')}
          </Text>
        </Group>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={rows} margin={{ top: 16, right: 16, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="time" type="number" scale="time" domain={[start, end]} tickFormatter={clock} allowDataOverflow />
            <YAxis width={64} scale="log" domain={latency.domain} ticks={latency.ticks} tickFormatter={tickText} allowDataOverflow />
            <Tooltip labelFormatter={(v) => clock(Number(v))} formatter={(v) => msText(typeof v === 'number' ? v : null)} />
            <Legend />
            {overlay(false)}
            <Line type="linear" dataKey="p50" name="p50" stroke="#1c7ed6" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
            <Line type="linear" dataKey="p99" name="p99" stroke="#f08c00" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
            <Line type="linear" dataKey="max" name="max" stroke="#adb5bd" strokeWidth={1} dot={false} isAnimationActive={false} connectNulls={false} />
            <Line type="linear" dataKey="oldest" name={t('load.seriesOldest')} stroke="#e03131" strokeWidth={1.5} strokeDasharray="5 3" dot={false} isAnimationActive={false} connectNulls={false} />
          </LineChart>
        </ResponsiveContainer>
      </Card>
    </>
  );
});

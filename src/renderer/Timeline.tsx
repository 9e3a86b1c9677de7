// Role, epoch and zxid of every node over time, from the lab's SQLite history (so it is all
// there again after the app restarts), with elections shaded and kills and stops marked.
import { Button, Card, Group, RangeSlider, SegmentedControl, Stack, Text, Title, Tooltip as MTooltip } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryEvent, Sample } from '../shared/contract';
import { FAULT_TYPES } from '../shared/events';
import { clock, ROLE_CSS } from './format';
import { eventText, useTranslation } from './i18n';
import { useSetting } from './persist';
import { ReplayBar } from './Replay';
import { offerHistory, replayAt, useReplay } from './replay';
import { DASHES, lineOffset, markLabels, markName } from './timelinemarks';
import type { ViewProps } from './views';

const COLORS = ['#0ca678', '#1c7ed6', '#f08c00', '#ae3ec9', '#e03131', '#2f9e44', '#5f3dc4', '#c2255c', '#1098ad'];
const RANGES = { '15m': 15 * 60_000, '1h': 3600_000, all: Number.POSITIVE_INFINITY } as const;
type Range = keyof typeof RANGES;
/** The zoom range's scale (the window as thousandths of the history loaded), and its narrowest window. */
const ZOOM_MAX = 1000;
const MIN_SPAN = 5;
/** Fill patterns for the states that do not serve, so that colour is not the only cue. */
const ROLE_PATTERN: Record<string, string> = {
  down: 'repeating-linear-gradient(135deg, rgba(255,255,255,0.55) 0 3px, transparent 3px 7px)',
  looking: 'radial-gradient(circle, rgba(255,255,255,0.7) 1.2px, transparent 1.6px) 0 0 / 6px 6px',
  starting: 'repeating-linear-gradient(45deg, rgba(0,0,0,0.18) 0 2px, transparent 2px 6px)',
  paused: 'repeating-linear-gradient(90deg, rgba(255,255,255,0.6) 0 2px, transparent 2px 6px)',
};
/** The role's name on its stretch: dark on the light fills. */
const ROLE_TEXT: Record<string, string> = { looking: '#212529', starting: '#212529', paused: '#212529', 'read-only': '#212529' };
const roleFill = (role: string): string => (ROLE_PATTERN[role] ? `${ROLE_PATTERN[role]}, ${ROLE_CSS[role] ?? '#868e96'}` : (ROLE_CSS[role] ?? '#868e96'));
/** Points per line at most; longer histories are thinned for drawing. */
const MAX_POINTS = 1500;

interface Span {
  from: number;
  to: number | null;
}

export function Timeline({ lab, view }: ViewProps) {
  const { t, i18n } = useTranslation();
  const [range, setRange] = useSetting<Range>('timeline.range', '15m', (v): v is Range => typeof v === 'string' && v in RANGES);
  const [samples, setSamples] = useState<Sample[]>([]);
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  const [now, setNow] = useState(Date.now());
  const since = useRef(0);

  useEffect(() => {
    let stop = false;
    since.current = range === 'all' ? 0 : Date.now() - RANGES[range];
    setSamples([]);
    setEvents([]);
    // The first call loads the range; later ones only what is new since.
    const load = async (): Promise<void> => {
      const from = since.current;
      const h = await lab.call({ method: 'history', sinceMs: from });
      if (stop) return;
      const last = Math.max(from, ...h.samples.map((s) => s.time + 1), ...h.events.map((e) => e.time + 1));
      since.current = last;
      const cut = range === 'all' ? 0 : Date.now() - RANGES[range];
      setSamples((old) => [...old.filter((s) => s.time >= cut), ...h.samples]);
      setEvents((old) => {
        const seen = new Set(old.map((e) => e.id));
        return [...old.filter((e) => e.time >= cut), ...h.events.filter((e) => !seen.has(e.id))];
      });
      setNow(Date.now());
    };
    void load();
    const t = setInterval(() => void load(), 1000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [lab, range]);

  const ids = useMemo(() => (view ? view.nodes.map((n) => n.myid) : [...new Set(samples.map((s) => s.myid))].sort((a, b) => a - b)), [view, samples]);
  const rows = useMemo(() => toRows(samples), [samples]);
  const elections = useMemo(() => electionSpans(events), [events]);
  const labActions = useMemo(() => events.filter((e) => e.source === 'lab'), [events]);
  const faults = labActions.filter((e) => FAULT_TYPES.includes(e.type));
  const first = samples[0]?.time ?? now;
  const last = Math.max(now, first + 1000);
  // Zoom and pan: the window shown, as fractions of the range loaded (0–1000); [0, 1000] is all of it.
  const [zoom, setZoom] = useState<[number, number]>([0, ZOOM_MAX]);
  const start = first + ((last - first) * zoom[0]) / ZOOM_MAX;
  const end = first + ((last - first) * zoom[1]) / ZOOM_MAX;
  const { ref: chartBox, width: chartWidth } = useElementSize();
  // The scrubber's moments are read from what this view loaded.
  useEffect(() => offerHistory(samples, events), [samples, events]);
  const { at } = useReplay();
  // The plot is the card less the y axis and margins.
  const labels = useMemo(() => markLabels(faults, start, end, Math.max(200, chartWidth - 90)), [faults, start, end, chartWidth, i18n.language]); // eslint-disable-line react-hooks/exhaustive-deps

  if (samples.length === 0) {
    return (
      <Stack>
        <Header range={range} setRange={setRange} />
        <Text c="dimmed">{view ? t('timeline.noSamples') : t('timeline.noLab')}</Text>
      </Stack>
    );
  }

  const marks = (
    <>
      {elections.map((s) => (
        <ReferenceArea key={`e${s.from}`} x1={s.from} x2={s.to ?? end} fill="#fab005" fillOpacity={0.15} ifOverflow="hidden" />
      ))}
      {faults.map((e) => (
        <ReferenceLine key={e.id} x={e.time} stroke="#e03131" strokeDasharray="4 2" />
      ))}
      {/* One label per group of marks, on the row where it does not cover another. */}
      {labels.map((l) => (
        <ReferenceLine
          key={`l${l.ids[0]}`}
          x={l.time}
          stroke="none"
          label={(p: { viewBox?: { x?: number; y?: number } }) => (
            <text x={(p.viewBox?.x ?? 0) + 3} y={(p.viewBox?.y ?? 0) + 10 + l.row * 11} fontSize={10} fill="#e03131" data-testid="timeline-mark-label">
              {l.text}
            </text>
          )}
        />
      ))}
    </>
  );
  const chart = (title: string, key: 'epoch' | 'zxid', testid: string) => (
    <Card withBorder data-testid={testid} ref={key === 'epoch' ? chartBox : undefined}>
      <Title order={5}>{title}</Title>
      <Text size="xs" c="dimmed">
        {t('timeline.apart')}
      </Text>
      <ResponsiveContainer width="100%" height={190}>
        <LineChart data={rows} margin={{ top: 14, right: 16, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="time" type="number" scale="time" domain={[start, end]} tickFormatter={clock} allowDataOverflow />
          <YAxis width={60} allowDecimals={false} />
          <Tooltip labelFormatter={(v) => clock(Number(v))} />
          <Legend />
          {marks}
          {ids.map((id, i) => (
            <Line
              key={id}
              type="stepAfter"
              dataKey={`${key}${id}`}
              name={t('timeline.node', { myid: id })}
              stroke={COLORS[i % COLORS.length]}
              strokeDasharray={DASHES[i % DASHES.length]}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
              className={`tl-series tl-node-${id}`}
              style={{ transform: `translateY(${lineOffset(i, ids.length)}px)` }}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Card>
  );

  return (
    <Stack>
      <Header range={range} setRange={setRange} />
      <ReplayBar start={first} end={last} />
      <ZoomBar zoom={zoom} setZoom={setZoom} start={start} end={end} />
      <RoleLanes ids={ids} samples={samples} start={start} end={end} last={last} elections={elections} faults={faults} actions={labActions} at={at} />
      {chart(t('timeline.epochChart'), 'epoch', 'chart-epoch')}
      {chart(t('timeline.zxidChart'), 'zxid', 'chart-zxid')}
    </Stack>
  );
}

function Header({ range, setRange }: { range: Range; setRange: (r: Range) => void }) {
  const { t } = useTranslation();
  return (
    <Group justify="space-between">
      <Title order={3}>{t('timeline.title')}</Title>
      <Group>
        <Text size="xs" c="dimmed">
          {t('timeline.key')}
        </Text>
        <SegmentedControl
          size="xs"
          value={range}
          onChange={(v) => setRange(v as Range)}
          data={[
            { value: '15m', label: t('timeline.last15') },
            { value: '1h', label: t('timeline.lastHour') },
            { value: 'all', label: t('timeline.whole') },
          ]}
          data-testid="timeline-range"
        />
      </Group>
    </Group>
  );
}

/** Zoom and pan on the time axis: a range over the loaded history, and buttons to narrow, widen and move it. */
function ZoomBar({ zoom, setZoom, start, end }: { zoom: [number, number]; setZoom: (z: [number, number]) => void; start: number; end: number }) {
  const { t } = useTranslation();
  const span = zoom[1] - zoom[0];
  const clampTo = (a: number, b: number): [number, number] => {
    const w = Math.max(MIN_SPAN, Math.min(ZOOM_MAX, b - a));
    const from = Math.max(0, Math.min(ZOOM_MAX - w, a));
    return [Math.round(from), Math.round(from + w)];
  };
  const centre = (zoom[0] + zoom[1]) / 2;
  return (
    <Card withBorder p="xs" data-testid="timeline-zoom" data-from={zoom[0]} data-to={zoom[1]}>
      <Group gap="sm" wrap="nowrap">
        <Text size="xs" fw={600} w={170}>
          {t('timeline.zoomShown', { from: clock(start), to: clock(end) })}
        </Text>
        <RangeSlider style={{ flex: 1 }} min={0} max={ZOOM_MAX} minRange={MIN_SPAN} value={zoom} onChange={(v) => setZoom(clampTo(v[0], v[1]))} label={null} aria-label={t('timeline.zoomAria')} data-testid="timeline-zoom-range" />
        <Button.Group>
          <Button size="compact-xs" variant="default" onClick={() => setZoom(clampTo(zoom[0] - span / 4, zoom[1] - span / 4))} disabled={zoom[0] === 0} data-testid="timeline-pan-left">
            {t('timeline.panLeft')}
          </Button>
          <Button size="compact-xs" variant="default" onClick={() => setZoom(clampTo(centre - span / 4, centre + span / 4))} disabled={span <= MIN_SPAN} data-testid="timeline-zoom-in">
            {t('timeline.zoomIn')}
          </Button>
          <Button size="compact-xs" variant="default" onClick={() => setZoom(clampTo(centre - span, centre + span))} disabled={span >= ZOOM_MAX} data-testid="timeline-zoom-out">
            {t('timeline.zoomOut')}
          </Button>
          <Button size="compact-xs" variant="default" onClick={() => setZoom(clampTo(zoom[0] + span / 4, zoom[1] + span / 4))} disabled={zoom[1] === ZOOM_MAX} data-testid="timeline-pan-right">
            {t('timeline.panRight')}
          </Button>
          <Button size="compact-xs" variant="default" onClick={() => setZoom([0, ZOOM_MAX])} disabled={span >= ZOOM_MAX} data-testid="timeline-zoom-all">
            {t('timeline.zoomAll')}
          </Button>
        </Button.Group>
      </Group>
    </Card>
  );
}

/**
 * A lane per node, its role over time told three ways: colour, a fill pattern for the states
 * that do not serve (down striped, looking dotted, starting and paused hatched), and the role's
 * name written in every stretch wide enough for it; `start`–`end` is the window shown.
 */
function RoleLanes({ ids, samples, start, end, last: dataEnd, elections, faults, actions, at }: { ids: number[]; samples: Sample[]; start: number; end: number; last: number; elections: Span[]; faults: HistoryEvent[]; actions: HistoryEvent[]; at: number | null }) {
  const { t: tr } = useTranslation();
  const { ref: laneBox, width: laneW } = useElementSize();
  /** How many px of the lane a stretch takes in the window shown (clipped to it). */
  const px = (a: number, b: number): number => (laneW * Math.max(0, Math.min(b, end) - Math.max(a, start))) / Math.max(1, end - start);
  const x = (t: number): string => `${(100 * (t - start)) / Math.max(1, end - start)}%`;
  const w = (a: number, b: number): string => `${(100 * Math.max(0, b - a)) / Math.max(1, end - start)}%`;
  const lanes = ids.map((id) => {
    const mine = samples.filter((s) => s.myid === id);
    const segs: { from: number; to: number; role: string }[] = [];
    for (let i = 0; i < mine.length; i++) {
      const s = mine[i]!;
      const to = mine[i + 1]?.time ?? dataEnd;
      const last = segs.at(-1);
      if (last && last.role === s.role && last.to >= s.time - 5000) last.to = to;
      else segs.push({ from: s.time, to, role: s.role });
    }
    return { id, segs };
  });
  const roles = [...new Set(samples.map((s) => s.role))];
  return (
    <Card withBorder data-testid="chart-role">
      <Group justify="space-between" mb="xs">
        <Title order={5}>{tr('timeline.role')}</Title>
        <Group gap="xs">
          {roles.map((r) => (
            <Group key={r} gap={4}>
              <div style={{ width: 14, height: 10, borderRadius: 2, background: roleFill(r) }} data-testid={`role-key-${r}`} data-pattern={ROLE_PATTERN[r] ? 'true' : 'false'} />
              <Text size="xs">{tr(`role.${r}`)}</Text>
            </Group>
          ))}
        </Group>
      </Group>
      <Stack gap={6}>
        {lanes.map((l) => (
          <Group key={l.id} gap="xs" wrap="nowrap">
            <Text size="xs" w={50}>
              {tr('timeline.node', { myid: l.id })}
            </Text>
            <div ref={l.id === lanes[0]?.id ? laneBox : undefined} style={{ position: 'relative', flex: 1, height: 18, background: '#f1f3f5', borderRadius: 3, overflow: 'hidden' }} data-testid={`lane-${l.id}`}>
              {elections.map((s) => (
                <div key={`e${s.from}`} style={{ position: 'absolute', left: x(s.from), width: w(s.from, s.to ?? end), top: 0, bottom: 0, background: 'rgba(250,176,5,0.25)' }} />
              ))}
              {at !== null && <div style={{ position: 'absolute', left: x(at), width: 2, top: 0, bottom: 0, background: '#7048e8', zIndex: 1 }} />}
              {l.segs.map((s) => (
                <MTooltip key={s.from} label={tr('timeline.segment', { myid: l.id, role: tr(`role.${s.role}`), from: clock(s.from), to: clock(s.to) })}>
                  <div
                    data-role={s.role}
                    data-testid="lane-segment"
                    style={{ position: 'absolute', left: x(s.from), width: w(s.from, s.to), top: 1, bottom: 1, background: roleFill(s.role), opacity: 0.9, overflow: 'hidden', whiteSpace: 'nowrap', fontSize: 10, lineHeight: '16px', paddingLeft: 3, color: ROLE_TEXT[s.role] ?? '#fff', fontWeight: 600 }}
                  >
                    {/* The role's name where the stretch on screen is wide enough to hold it. */}
                    {px(s.from, s.to) >= tr(`role.${s.role}`).length * 6.5 + 8 ? tr(`role.${s.role}`) : ''}
                  </div>
                </MTooltip>
              ))}
              {faults
                .filter((e) => e.myid === l.id)
                .map((e) => (
                  <MTooltip key={e.id} label={tr('timeline.markTip', { time: clock(e.time), detail: eventText(e) })}>
                    {/* A second after the mark (the member's state once the fault took hold), but
                        before the lab's next action on this member (a restart can follow a kill within that
                        second) and not past now. */}
                    <div
                      role="button"
                      aria-label={tr('timeline.markAria', { myid: l.id, what: markName(e.type.replace(/^node\./, '')), time: clock(e.time) })}
                      onClick={() => replayAt(Math.min(e.time + 1000, (actions.find((x) => x.myid === l.id && x.time > e.time)?.time ?? Infinity) - 1, Math.max(end, Date.now()) - 1))}
                      data-testid={`lane-mark-${l.id}`}
                      data-type={e.type}
                      style={{ position: 'absolute', left: x(e.time), width: 5, top: 0, bottom: 0, background: '#c92a2a', cursor: 'pointer' }}
                    />
                  </MTooltip>
                ))}
            </div>
          </Group>
        ))}
        <Group justify="space-between" ml={58}>
          <Text size="xs" c="dimmed">
            {clock(start)}
          </Text>
          <Text size="xs" c="dimmed">
            {clock(end)}
          </Text>
        </Group>
      </Stack>
    </Card>
  );
}

/** One row per sampling time with every node's epoch and zxid counter, thinned to MAX_POINTS. */
function toRows(samples: Sample[]): Record<string, number | null>[] {
  const byTime = new Map<number, Record<string, number | null>>();
  for (const s of samples) {
    const row = byTime.get(s.time) ?? { time: s.time };
    // A node that is down or electing has no epoch or zxid to draw: a gap in its line.
    const serving = s.role !== 'down' && s.role !== 'starting';
    row[`epoch${s.myid}`] = serving ? s.epoch : null;
    row[`zxid${s.myid}`] = serving ? s.zxidCounter : null;
    byTime.set(s.time, row);
  }
  const rows = [...byTime.values()].sort((a, b) => a.time! - b.time!);
  if (rows.length <= MAX_POINTS) return rows;
  const step = rows.length / MAX_POINTS;
  return Array.from({ length: MAX_POINTS }, (_, i) => rows[Math.floor(i * step)]!).concat(rows.at(-1)!);
}

/** Elections as time spans, from the lab's ensemble.election.started / ended events. */
function electionSpans(events: HistoryEvent[]): Span[] {
  const spans: Span[] = [];
  for (const e of events) {
    if (e.type === 'ensemble.election.started') spans.push({ from: e.time, to: null });
    else if (e.type === 'ensemble.election.ended') {
      const open = spans.at(-1);
      if (open && open.to === null) open.to = e.time;
    }
  }
  return spans;
}

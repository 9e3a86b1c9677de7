import { Card, Group, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryEvent, LabApi, LabView, Sample } from '../shared/contract';

const COLORS = ['#0ca678', '#1c7ed6', '#f08c00', '#ae3ec9', '#e03131', '#2f9e44', '#5f3dc4'];
const ROLE_LEVEL: Record<string, number> = { down: 0, looking: 1, starting: 1, paused: 1, follower: 2, observer: 2, 'read-only': 2, leader: 3, standalone: 3 };

/** Role, epoch and zxid per node over time, from the lab's SQLite history, with kills and elections marked. */
export function Timeline({ lab, view }: { lab: LabApi; view: LabView | null }) {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  useEffect(() => {
    let stop = false;
    const load = async (): Promise<void> => {
      const h = await lab.call<{ events: HistoryEvent[]; samples: Sample[] }>({ method: 'history', sinceMs: Date.now() - 15 * 60_000 });
      if (!stop) {
        setSamples(h.samples);
        setEvents(h.events);
      }
    };
    void load();
    const t = setInterval(() => void load(), 2000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [lab]);
  if (!view) return <Text>Launch a lab to see its timeline.</Text>;
  const ids = view.nodes.map((n) => n.myid);
  const byTime = new Map<number, Record<string, number | null>>();
  for (const s of samples) {
    const t = Math.floor(s.time / 1000) * 1000;
    const row = byTime.get(t) ?? { time: t };
    row[`role${s.myid}`] = ROLE_LEVEL[s.role] ?? 0;
    row[`epoch${s.myid}`] = s.epoch;
    row[`zxid${s.myid}`] = s.zxidCounter;
    byTime.set(t, row);
  }
  const rows = [...byTime.values()].sort((a, b) => (a.time as number) - (b.time as number));
  const marks = events.filter((e) => /kill|stop|leader.changed|election.started/.test(e.type));
  const fmt = (t: number): string => new Date(t).toLocaleTimeString();
  const chart = (title: string, key: string, ticks?: number[], tickFormatter?: (v: number) => string) => (
    <Card withBorder data-testid={`chart-${key}`}>
      <Title order={5}>{title}</Title>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="time" type="number" domain={['dataMin', 'dataMax']} tickFormatter={fmt} />
          <YAxis width={80} ticks={ticks} tickFormatter={tickFormatter} allowDecimals={false} />
          <Tooltip labelFormatter={(v) => fmt(Number(v))} />
          <Legend />
          {marks.map((e) => (
            <ReferenceLine key={e.id} x={Math.floor(e.time / 1000) * 1000} stroke={/kill|stop/.test(e.type) ? '#e03131' : '#f08c00'} strokeDasharray="4 2" />
          ))}
          {ids.map((id, i) => (
            <Line key={id} type="stepAfter" dataKey={`${key}${id}`} name={`node ${id}`} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Card>
  );
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Timeline</Title>
        <Text size="sm" c="dimmed">
          red lines: kills and stops · orange: elections and leader changes · last 15 minutes
        </Text>
      </Group>
      {chart('Role', 'role', [0, 1, 2, 3], (v) => ['down', 'looking', 'following', 'leading'][v] ?? '')}
      {chart('Epoch', 'epoch')}
      {chart('zxid counter (within the epoch)', 'zxid')}
    </Stack>
  );
}

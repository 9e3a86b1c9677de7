// The Wire view's filters: chips per message type (with counts) and the scrubber over the last
// minutes of the capture.
import { Button, Chip, Group, Slider, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import type { WireMessage } from '../shared/contract';
import { clock } from './format';
import { useTranslation } from './i18n';
import { colorOf, ms3, TYPE_GROUPS } from './wiremodel';

/** The type groups' names in the catalogue. */
const GROUP_LABEL: Record<string, string> = { Broadcast: 'wire.groupBroadcast', Sync: 'wire.groupSync', Election: 'wire.groupElection', Other: 'wire.groupOther' };

/** Chips per message type, with how many of each the window holds; none chosen: every type. */
export function TypeFilter({ types, setTypes, counts, foldPings }: { types: string[]; setTypes: (f: (t: string[]) => string[]) => void; counts: Map<string, number>; foldPings: boolean }) {
  const { t: tr } = useTranslation();
  const known = new Set(TYPE_GROUPS.flatMap(([, ts]) => ts));
  const other = [...counts.keys()].filter((t) => !known.has(t) && t !== 'FOLDED');
  const groups: [string, string[]][] = other.length > 0 ? [...TYPE_GROUPS, ['Other', other]] : TYPE_GROUPS;
  return (
    <Stack gap={4} mt="xs" data-testid="wire-types">
      {groups.map(([label, ts]) => (
        <Group key={label} gap={4} wrap="wrap">
          <Text size="xs" fw={500} w={66}>
            {tr(GROUP_LABEL[label] ?? 'wire.groupOther')}
          </Text>
          {ts.map((t) => {
            const n = counts.get(t) ?? 0;
            return (
              <Chip
                key={t}
                size="xs"
                variant="outline"
                checked={types.includes(t)}
                onChange={() => setTypes((old) => (old.includes(t) ? old.filter((x) => x !== t) : [...old, t]))}
                wrapperProps={{ 'data-testid': `wire-type-${t}`, 'data-count': n }}
                styles={{ label: { color: n === 0 ? 'var(--mantine-color-gray-5)' : colorOf(t), fontWeight: 600 } }}
              >
                {t}
                {n > 0 ? ` ${n}` : ''}
                {t === 'PING' && foldPings && n > 0 ? tr('wire.chipFolded') : ''}
              </Chip>
            );
          })}
          {label === 'Broadcast' && types.length > 0 && (
            <Button size="compact-xs" variant="subtle" onClick={() => setTypes(() => [])} data-testid="wire-types-all">
              {tr('wire.allTypes')}
            </Button>
          )}
        </Group>
      ))}
    </Stack>
  );
}

/** The scrubber: where the window sits in the last minutes, over how busy the wire was. */
export function Scrubber({ buf, tick, min, max, from, to, live, onScrub }: { buf: WireMessage[]; tick: number; min: number; max: number; from: number; to: number; live: boolean; onScrub: (v: number) => void }) {
  const { t } = useTranslation();
  const BINS = 120;
  const bins = useMemo(() => {
    const b = new Array<number>(BINS).fill(0);
    const span = max - min;
    for (const m of buf) {
      if (m.time < min || m.time > max) continue;
      const i = Math.min(BINS - 1, Math.floor(((m.time - min) / span) * BINS));
      b[i] = b[i]! + (m.type === 'FOLDED' ? Number(m.fields.count ?? 1) : 1);
    }
    return b;
    // Every two seconds or so is enough for an overview of five minutes.
  }, [buf, Math.floor(tick / 8), Math.floor(min / 2000), live]); // eslint-disable-line react-hooks/exhaustive-deps
  const top = Math.max(1, ...bins);
  const x = (t: number): number => Math.max(0, Math.min(1000, ((t - min) / (max - min)) * 1000));
  return (
    <div style={{ marginTop: 10 }}>
      <svg width="100%" height={28} viewBox="0 0 1000 28" preserveAspectRatio="none" aria-hidden style={{ display: 'block' }}>
        <rect x={x(from)} y={0} width={Math.max(2, x(to) - x(from))} height={28} fill="#12b886" fillOpacity={0.18} />
        {bins.map((v, i) => (v > 0 ? <rect key={i} x={(i * 1000) / BINS + 0.5} width={1000 / BINS - 1} y={28 - (Math.log1p(v) / Math.log1p(top)) * 26} height={(Math.log1p(v) / Math.log1p(top)) * 26} fill="#868e96" /> : null))}
      </svg>
      <Slider
        min={min}
        max={max}
        step={100}
        value={live ? max : Math.max(min, Math.min(max, to))}
        onChange={onScrub}
        label={(v) => t('wire.windowEnds', { time: ms3(v) })}
        size="sm"
        aria-label={t('wire.scrubberAria')}
        data-testid="wire-scrubber"
      />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {t('wire.fiveMinAgo', { time: clock(min) })}
        </Text>
        <Text size="xs" c="dimmed">
          {live ? t('wire.nowLive') : t('wire.pausedAt', { time: clock(max) })}
        </Text>
      </Group>
    </div>
  );
}


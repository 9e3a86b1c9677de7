// A counterexample drawn as Knossos and Porcupine draw them: one lane per client (process), each
// operation a bar from its call to its return on one time axis, what it did written on it; the
// operation no order explains in red with a line where its return left no order that works, the
// operations overlapping it outlined (they are the ones the search tried to order around it),
// operations of unknown result fading out to the right (they may take effect any time later),
// and the faults and elections of the run on the same axis.
import { Group, Text, Tooltip, useComputedColorScheme } from '@mantine/core';
import type { CheckMark, CheckVerdict } from '../shared/contract';
import { useTranslation } from './i18n';

type Cex = NonNullable<CheckVerdict['counterexample']>;

const LANE = 34;
const LEFT = 56;
const RIGHT = 16;
const TOP = 26;
const WIDTH = 980;

const COLOR = { read: '#228be6', write: '#2f9e44', cas: '#ae3ec9', sync: '#0ca678', acquire: '#e8590c', release: '#1098ad' } as const;

/** What an operation did, short, as written on its bar. */
export function opLabel(o: Cex['ops'][number]): string {
  if (o.f === 'read') return o.result === 'ok' ? `R "${o.value}" v${o.version}` : `R ${o.result}`;
  if (o.f === 'write') return `W "${o.value}"${o.result === 'ok' ? '' : ` ${o.result}`}`;
  if (o.f === 'sync' || o.f === 'acquire' || o.f === 'release') return `${o.f === 'sync' ? 'SYNC' : o.f === 'acquire' ? 'ACQ' : 'REL'}${o.result === 'ok' ? '' : ` ${o.result}`}`;
  return `CAS v${o.version}→"${o.value}"${o.result === 'ok' ? '' : ` ${o.result}`}`;
}

/** Round tick steps (1, 2, 5 × 10^n ms) for about six ticks over `span`. */
function step(span: number): number {
  const raw = span / 6;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

export function CounterexampleView({ cex, marks }: { cex: Cex; marks: CheckMark[] }) {
  const { t } = useTranslation();
  const dark = useComputedColorScheme('light') === 'dark';
  const processes = [...new Set(cex.ops.map((o) => o.process))].sort((a, b) => a - b);
  const culprit = cex.ops.find((o) => o.index === cex.culprit);
  const t0 = Math.min(...cex.ops.map((o) => o.invoke));
  const ends = cex.ops.map((o) => o.complete ?? o.invoke);
  const cut = culprit?.complete ?? Math.max(...ends);
  const t1 = Math.max(cut, ...ends) + 1;
  // A little room before the first call and after the last return.
  const pad = (t1 - t0) * 0.04 || 1;
  const from = t0 - pad;
  const to = t1 + pad;
  const x = (t: number): number => LEFT + ((t - from) / (to - from)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + processes.length * LANE + 24;
  const overlaps = (o: Cex['ops'][number]): boolean => !!culprit && o !== culprit && o.invoke <= (culprit.complete ?? Infinity) && (o.complete ?? Infinity) >= culprit.invoke;
  const shown = marks.filter((m) => m.t >= from && m.t <= to);
  const s = step(to - from);
  const ticks: number[] = [];
  for (let t = Math.ceil(from / s) * s; t <= to; t += s) ticks.push(t);
  const ink = dark ? '#c1c2c5' : '#495057';
  return (
    <div>
      <svg width="100%" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={t('check.cexAria', { key: cex.key })} data-testid="check-counterexample" data-culprit={cex.culprit}>
        <defs>
          <linearGradient id="cex-unknown" x1="0" x2="1" y1="0" y2="0">
            <stop offset="0" stopColor="#868e96" stopOpacity="0.5" />
            <stop offset="1" stopColor="#868e96" stopOpacity="0" />
          </linearGradient>
        </defs>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={TOP - 6} y2={height - 20} stroke={ink} strokeOpacity={0.12} />
            <text x={x(t)} y={height - 6} fontSize={10} fill={ink} textAnchor="middle">
              {`${t.toFixed(s < 1 ? 1 : 0)} ms`}
            </text>
          </g>
        ))}
        {shown.map((m, i) => (
          <g key={`${m.t}-${i}`} data-testid="check-mark" data-type={m.type}>
            <line x1={x(m.t)} x2={x(m.t)} y1={TOP - 14} y2={height - 20} stroke={m.type.startsWith('ensemble') ? '#f59f00' : '#e03131'} strokeDasharray="4 3" />
            <text x={x(m.t) + 3} y={TOP - 16 + (i % 2) * 9} fontSize={9} fill={ink}>
              {m.detail.length > 40 ? `${m.detail.slice(0, 39)}…` : m.detail}
            </text>
          </g>
        ))}
        {processes.map((p, lane) => (
          <text key={p} x={6} y={TOP + lane * LANE + LANE / 2 + 4} fontSize={11} fill={ink}>
            p{p}
          </text>
        ))}
        {cex.ops.map((o) => {
          const lane = processes.indexOf(o.process);
          const y = TOP + lane * LANE + 6;
          const unknown = o.result === 'unknown' || o.complete === null;
          const x0 = x(o.invoke);
          const x1 = unknown ? WIDTH - RIGHT : Math.max(x(o.complete!), x0 + 3);
          const isCulprit = o.index === cex.culprit;
          const fits = x1 - x0 >= opLabel(o).length * 5.6 + 6;
          const fill = unknown ? 'url(#cex-unknown)' : o.result === 'fail' ? '#adb5bd' : COLOR[o.f];
          return (
            <g key={o.index} data-testid="check-op" data-index={o.index} data-culprit={isCulprit ? 'true' : 'false'} data-overlaps={overlaps(o) ? 'true' : 'false'}>
              <title>{t('check.cexOpTip', { line: o.index + 1, process: o.process, session: o.session || t('check.none'), member: o.member || '?', op: opLabel(o), result: o.result, from: o.invoke.toFixed(1), to: o.complete === null ? '…' : o.complete.toFixed(1) })}</title>
              <rect x={x0} y={y} width={x1 - x0} height={LANE - 12} rx={3} fill={fill} fillOpacity={isCulprit ? 0.9 : 0.55} stroke={isCulprit ? '#e03131' : overlaps(o) ? '#f08c00' : 'none'} strokeWidth={isCulprit ? 3 : 1.5} />
              {/* A label that does not fit its bar is left to the tooltip, but the culprit's is written beside it. */}
              {(fits || isCulprit) && (
                <text x={fits ? x0 + 4 : x1 + 4} y={y + LANE / 2 - 2} fontSize={10} fill={dark ? '#fff' : '#000'} fontWeight={isCulprit ? 700 : 400}>
                  {opLabel(o)}
                </text>
              )}
            </g>
          );
        })}
        {culprit && (
          <g data-testid="check-cut">
            <line x1={x(cut)} x2={x(cut)} y1={TOP - 4} y2={height - 20} stroke="#e03131" strokeWidth={2} />
            <text x={x(cut) - 4} y={TOP - 2} fontSize={10} fill="#e03131" textAnchor="end" fontWeight={700}>
              {t('check.noOrder')}
            </text>
          </g>
        )}
      </svg>
      <Group gap="md" mt={4}>
        <Legend color={COLOR.read} text={t('check.legendRead')} />
        <Legend color={COLOR.write} text={t('check.legendWrite')} />
        <Legend color={COLOR.cas} text={t('check.legendCas')} />
        {cex.ops.some((o) => o.f === 'sync') && <Legend color={COLOR.sync} text={t('check.legendSync')} />}
        {cex.ops.some((o) => o.f === 'acquire' || o.f === 'release') && (
          <>
            <Legend color={COLOR.acquire} text={t('check.legendAcquire')} />
            <Legend color={COLOR.release} text={t('check.legendRelease')} />
          </>
        )}
        <Legend color="#adb5bd" text={t('check.legendFailed')} />
        <Legend color="#868e96" text={t('check.legendUnknown')} faded />
        <Tooltip label={t('check.overlapTip')}>
          <span>
            <Legend color="#f08c00" text={t('check.legendOverlap')} outline />
          </span>
        </Tooltip>
        <Legend color="#e03131" text={t('check.legendCulprit')} outline />
      </Group>
    </div>
  );
}

function Legend({ color, text, outline, faded }: { color: string; text: string; outline?: boolean; faded?: boolean }) {
  return (
    <Group gap={4}>
      <svg width={18} height={10}>
        <rect x={1} y={1} width={16} height={8} rx={2} fill={outline ? 'none' : color} fillOpacity={faded ? 0.4 : 0.7} stroke={outline ? color : 'none'} strokeWidth={2} />
      </svg>
      <Text size="xs" c="dimmed">
        {text}
      </Text>
    </Group>
  );
}

// The Load panel: a steady light load against the lab (src/lab/load.ts runs it in the backend),
// its throughput and latency live with the ensemble's events marked, errors by ZooKeeper code,
// each member's share, and the kill buttons right here, so a person sees what killing the
// leader does to the clients' latency.
import { Badge, Button, Card, Group, NumberInput, ScrollArea, SegmentedControl, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { memo, useEffect, useMemo, useState } from 'react';
import type { HistoryEvent, LabView, LoadRunSummary, LoadSample, LoadSettings, LoadStatus } from '../shared/contract';
import { CheckPanel } from './CheckPanel';
import { clock, ROLE_COLOR } from './format';
import { errorTotal, LoadCharts, msText } from './LoadCharts';
import { locale, useTranslation } from './i18n';
import type { ViewProps } from './views';

/** The panel keeps the same window as the backend: five minutes. */
const WINDOW_MS = 5 * 60_000;
const DEFAULTS: LoadSettings = { sessions: 4, rate: 200, readPercent: 80, payloadBytes: 128 };
const STATE_COLOR: Record<LoadStatus['state'], string> = { idle: 'gray', starting: 'yellow', running: 'teal', stopping: 'orange' };
const STATE_KEY: Record<LoadStatus['state'], string> = { idle: 'load.stateIdle', starting: 'load.stateStarting', running: 'load.stateRunning', stopping: 'load.stateStopping' };

/**
 * Drawn again when the lab's state or the load's own pushes change, not at each of the app's
 * events: under load the members log every proposal, ack and commit, hundreds a second, and
 * none of them is on this view (`run` only reports errors, the same function in effect each time).
 */
export const Load = memo(LoadView, (a, b) => a.lab === b.lab && a.view === b.view);

function LoadView(props: ViewProps) {
  const { t } = useTranslation();
  const [workload, setWorkload] = useState<'steady' | 'register'>('steady');
  return (
    <Stack gap="md">
      <SegmentedControl
        w={420}
        value={workload}
        onChange={(v) => setWorkload(v as 'steady' | 'register')}
        data={[
          { value: 'steady', label: t('load.steady') },
          { value: 'register', label: t('load.register') },
        ]}
        data-testid="load-workload"
      />
      {workload === 'steady' ? (
        <SteadyLoad {...props} />
      ) : (
        <>
          <div>
            <Title order={3}>{t('load.register')}</Title>
            <Text size="sm" c="dimmed" maw={760}>
              {t('load.registerIntro')}
            </Text>
          </div>
          <CheckPanel lab={props.lab} view={props.view} run={props.run} />
        </>
      )}
    </Stack>
  );
}

function SteadyLoad({ lab, view, run }: ViewProps) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<LoadStatus | null>(null);
  const [samples, setSamples] = useState<LoadSample[]>([]);
  const [marks, setMarks] = useState<HistoryEvent[]>([]);
  const [runs, setRuns] = useState<LoadRunSummary[]>([]);
  const [form, setForm] = useState<LoadSettings>(DEFAULTS);

  useEffect(() => {
    const off = lab.onPush((p) => {
      if (p.kind !== 'load') return;
      setStatus(p.status);
      // A new run starts a new chart.
      if (p.status.state === 'starting') {
        setSamples([]);
        setMarks([]);
      }
      const s = p.sample;
      if (s) setSamples((old) => [...(old.length > 0 && old[0]!.time < s.time - WINDOW_MS ? old.filter((x) => x.time >= s.time - WINDOW_MS) : old), s]);
      if (p.marks.length > 0) setMarks((old) => [...old.filter((m) => m.time >= Date.now() - WINDOW_MS), ...p.marks]);
    });
    void lab.call({ method: 'load.status' }).then((v) => {
      setStatus(v.status);
      setSamples(v.samples);
      setMarks(v.marks);
      if (v.status.settings) setForm(v.status.settings);
    });
    return off;
  }, [lab]);

  // The history's runs, again whenever a run ends.
  const lastRunId = status?.lastRun?.id ?? null;
  useEffect(() => {
    void lab.call({ method: 'load.runs' }).then(setRuns);
  }, [lab, lastRunId]);

  const state = status?.state ?? 'idle';
  const active = state === 'running' || state === 'starting';
  const last = samples.at(-1) ?? null;
  const changed = status?.settings !== null && status?.settings !== undefined && (['rate', 'readPercent', 'payloadBytes'] as const).some((k) => form[k] !== status.settings![k]);
  const field = (key: keyof LoadSettings) => (v: number | string) => setForm((f) => ({ ...f, [key]: typeof v === 'number' ? v : Number(v) }));

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={3}>{t('load.title')}</Title>
          <Text size="sm" c="dimmed" maw={760}>
            {t('load.intro')}
          </Text>
        </div>
        <Badge size="lg" color={STATE_COLOR[state]} data-testid="load-state">
          {t(STATE_KEY[state])}
        </Badge>
      </Group>

      <Card withBorder>
        <Group align="flex-end" gap="md">
          <NumberInput label={t('load.sessions')} description={t('load.sessionsHint')} min={1} max={32} value={form.sessions} onChange={field('sessions')} disabled={active} w={170} data-testid="load-sessions" />
          <NumberInput label={t('load.rate')} description={t('load.rateHint')} min={1} max={5000} value={form.rate} onChange={field('rate')} w={190} data-testid="load-rate" />
          <NumberInput label={t('load.reads')} description={t('load.readsHint')} min={0} max={100} suffix=" %" value={form.readPercent} onChange={field('readPercent')} w={190} data-testid="load-reads" />
          <NumberInput label={t('load.payload')} description={t('load.payloadHint')} min={0} max={65536} value={form.payloadBytes} onChange={field('payloadBytes')} w={190} data-testid="load-payload" />
          {state === 'idle' ? (
            <Button onClick={() => run(lab.call({ method: 'load.start', settings: form }))} disabled={!view || view.attached} data-testid="load-start">
              {t('load.start')}
            </Button>
          ) : (
            <>
              <Button color="red" variant="light" onClick={() => run(lab.call({ method: 'load.stop' }))} loading={state === 'stopping'} disabled={state !== 'running'} data-testid="load-stop">
                {t('load.stop')}
              </Button>
              <Button variant="default" onClick={() => run(lab.call({ method: 'load.update', settings: { ...form, sessions: status!.settings?.sessions ?? form.sessions } }))} disabled={state !== 'running' || !changed} data-testid="load-apply">
                {t('load.apply')}
              </Button>
            </>
          )}
        </Group>
        {view?.attached && (
          <Text size="xs" c="dimmed" mt="xs">
            {t('load.attached')}
          </Text>
        )}
        {status?.path && (
          <Text size="xs" c="dimmed" mt="xs" ff="monospace" data-testid="load-path">
            {t('load.path', { path: status.path, since: status.startedAt ? clock(status.startedAt) : '—', ops: status.ops })}
          </Text>
        )}
      </Card>

      {view && !view.attached && <Faults view={view} status={status} act={(myid, action) => run(lab.call({ method: 'node', myid, action }))} startAll={() => run(lab.call({ method: 'startAll' }))} />}

      <LastSecond sample={last} stopped={!active} />

      {samples.length === 0 ? (
        <Text c="dimmed" data-testid="load-empty">
          {state === 'starting' ? t('load.connecting') : t('load.empty')}
        </Text>
      ) : (
        <LoadCharts samples={samples} marks={marks} rate={status?.settings?.rate ?? null} />
      )}

      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Members view={view} status={status} samples={samples} />
        <Stack gap="md">
          <Errors status={status} samples={samples} />
          <Marks marks={marks} />
        </Stack>
      </SimpleGrid>

      <Runs runs={runs} />
    </Stack>
  );
}

/** Kill the leader or a follower, or bring down members back, without leaving the panel. */
function Faults({ view, status, act, startAll }: { view: LabView; status: LoadStatus | null; act: (myid: number, action: 'kill') => void; startAll: () => void }) {
  const { t } = useTranslation();
  const leader = view.leader !== null ? view.nodes.find((n) => n.myid === view.leader && n.role === 'leader') : undefined;
  // The follower most sessions are on, so that killing it visibly moves them.
  const on = (myid: number): number => status?.sessions.filter((s) => s.myid === myid).length ?? 0;
  const follower = view.nodes.filter((n) => n.role === 'follower').sort((a, b) => on(b.myid) - on(a.myid) || a.myid - b.myid)[0];
  const down = view.nodes.filter((n) => n.role === 'down').length;
  return (
    <Group gap="sm">
      <Button color="red" onClick={() => leader && act(leader.myid, 'kill')} disabled={!leader} data-testid="load-kill-leader">
        {leader ? t('load.killLeader', { myid: leader.myid }) : t('load.noLeader')}
      </Button>
      <Button color="red" variant="light" onClick={() => follower && act(follower.myid, 'kill')} disabled={!follower} data-testid="load-kill-follower">
        {follower ? t('load.killFollower', { myid: follower.myid }) : t('load.noFollower')}
      </Button>
      <Button variant="light" onClick={startAll} disabled={down === 0} data-testid="load-start-down">
        {down === 0 ? t('load.allRunning') : t('load.startDown', { count: down })}
      </Button>
      <Text size="xs" c="dimmed">
        {t('load.killHint')}
      </Text>
    </Group>
  );
}

/** The second that just ended, in figures. */
function LastSecond({ sample, stopped }: { sample: LoadSample | null; stopped: boolean }) {
  const { t } = useTranslation();
  // After a run the cards keep its last second: say so, or they read as the rates of now.
  const stale = stopped && sample !== null;
  const stat = (label: string, value: string, testid: string, color?: string) => (
    <Card withBorder padding="xs" data-stale={stale ? 'true' : 'false'}>
      <Text size="xs" c="dimmed">
        {label}
        {stale ? t('load.lastRunTag') : ''}
      </Text>
      <Text fw={700} c={color} data-testid={testid}>
        {value}
      </Text>
    </Card>
  );
  const errors = sample ? errorTotal(sample) : 0;
  return (
    <SimpleGrid cols={{ base: 3, md: 7 }} spacing="xs">
      {stat(t('load.statOps'), sample ? String(sample.ops) : '—', 'load-stat-ops')}
      {stat('p50', msText(sample?.p50), 'load-stat-p50')}
      {stat('p99', msText(sample?.p99), 'load-stat-p99')}
      {stat(t('load.statMax'), msText(sample?.max), 'load-stat-max')}
      {stat(t('load.statFailed'), sample ? String(errors) : '—', 'load-stat-errors', errors > 0 ? 'red' : undefined)}
      {stat(t('load.statWaiting'), sample ? `${sample.waiting} · ${msText(sample.oldestWaitingMs)}` : '—', 'load-stat-waiting')}
      {stat(t('load.statLag'), sample ? msText(sample.sendLagMs) : '—', 'load-stat-lag')}
    </SimpleGrid>
  );
}

/** Each member: its role, the sessions given to it and on it now, and its share of the last second. */
function Members({ view, status, samples }: { view: LabView | null; status: LoadStatus | null; samples: LoadSample[] }) {
  const { t } = useTranslation();
  const last = samples.at(-1);
  const errorsIn = useMemo(() => {
    const m = new Map<number, number>();
    for (const s of samples) for (const x of s.members) m.set(x.myid, (m.get(x.myid) ?? 0) + x.errors);
    return m;
  }, [samples]);
  const ids = view?.nodes.map((n) => n.myid) ?? last?.members.map((m) => m.myid) ?? [];
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        {t('load.members')}
      </Title>
      <Table fz="xs" verticalSpacing={4} data-testid="load-members">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('load.colNode')}</Table.Th>
            <Table.Th>{t('load.colRole')}</Table.Th>
            <Table.Th>
              <Tooltip label={t('load.sessionsTip')}>
                <span>{t('load.colSessions')}</span>
              </Tooltip>
            </Table.Th>
            <Table.Th>{t('load.colOps')}</Table.Th>
            <Table.Th>p50 / p99</Table.Th>
            <Table.Th>
              <Tooltip label={t('load.failedTip')} multiline w={300}>
                <span>{t('load.colFailed')}</span>
              </Tooltip>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {ids.map((myid) => {
            const n = view?.nodes.find((x) => x.myid === myid);
            const m = last?.members.find((x) => x.myid === myid);
            const home = status?.sessions.filter((s) => s.home === myid).length ?? 0;
            const now = status?.sessions.filter((s) => s.myid === myid).length ?? 0;
            return (
              <Table.Tr key={myid} data-testid={`load-member-${myid}`} data-ops={m?.ops ?? 0} data-sessions={now}>
                <Table.Td>{t('load.node', { myid })}</Table.Td>
                <Table.Td>{n && <Badge size="xs" color={ROLE_COLOR[n.role] ?? 'gray'}>{t(`role.${n.role}`)}</Badge>}</Table.Td>
                <Table.Td>
                  {home} / {now}
                </Table.Td>
                <Table.Td>{m ? m.ops : '—'}</Table.Td>
                <Table.Td>{m ? `${msText(m.p50)} / ${msText(m.p99)}` : '—'}</Table.Td>
                <Table.Td c={(errorsIn.get(myid) ?? 0) > 0 ? 'red' : undefined}>{errorsIn.get(myid) ?? 0}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {status && status.sessions.length > 0 && (
        <Group gap={4} mt="xs" data-testid="load-sessions-list">
          {status.sessions.map((s) => (
            <Tooltip key={s.index} label={t('load.sessionTip', { id: s.sessionId ?? t('load.noneYet'), state: s.state, home: s.home })}>
              <Badge size="sm" variant="light" color={s.state === 'connected' ? 'teal' : s.state === 'closed' ? 'gray' : 'orange'} tt="none">
                s{s.index} → {s.myid === null ? s.state : t('load.node', { myid: s.myid })}
              </Badge>
            </Tooltip>
          ))}
        </Group>
      )}
    </Card>
  );
}

/** Failures by ZooKeeper error code: in the whole run, and in the last ten seconds. */
function Errors({ status, samples }: { status: LoadStatus | null; samples: LoadSample[] }) {
  const { t } = useTranslation();
  const recent = new Map<string, number>();
  for (const s of samples.slice(-10)) for (const [k, v] of Object.entries(s.errors)) recent.set(k, (recent.get(k) ?? 0) + v);
  const total = status?.state === 'idle' ? (status.lastRun?.errors ?? {}) : (status?.errors ?? {});
  const codes = [...new Set([...Object.keys(total), ...recent.keys()])].sort();
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        {t('load.errors')}
      </Title>
      {codes.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="load-errors-none">
          {status?.state === 'idle' && !status.lastRun ? t('load.noFailureNoRun') : t('load.noFailure')}
        </Text>
      ) : (
        <Table fz="xs" verticalSpacing={2} data-testid="load-errors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('load.colCode')}</Table.Th>
              <Table.Th>{t('load.colLast10')}</Table.Th>
              <Table.Th>{status?.state === 'idle' ? t('load.lastRun') : t('load.thisRun')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {codes.map((c) => (
              <Table.Tr key={c} data-testid={`load-error-${c}`}>
                <Table.Td ff="monospace">{c}</Table.Td>
                <Table.Td>{recent.get(c) ?? 0}</Table.Td>
                <Table.Td>{total[c] ?? 0}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

/** What happened to the ensemble during the run, as marked on the charts. */
function Marks({ marks }: { marks: HistoryEvent[] }) {
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        {t('load.marks')}
      </Title>
      <ScrollArea h={130}>
        {marks.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('load.noMarks')}
          </Text>
        ) : (
          <Table fz="xs" verticalSpacing={1} withRowBorders={false}>
            <Table.Tbody>
              {[...marks].reverse().map((m) => (
                <Table.Tr key={m.id} data-testid="load-mark" data-type={m.type}>
                  <Table.Td ff="monospace" c="dimmed" style={{ whiteSpace: 'nowrap', width: '1%' }}>
                    {clock(m.time)}
                  </Table.Td>
                  <Table.Td>{m.detail}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </ScrollArea>
    </Card>
  );
}

/** Earlier runs, from the lab history. */
function Runs({ runs }: { runs: LoadRunSummary[] }) {
  const { t } = useTranslation();
  if (runs.length === 0) return null;
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        {t('load.runs')}
      </Title>
      <Table fz="xs" verticalSpacing={2} data-testid="load-runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('load.colStarted')}</Table.Th>
            <Table.Th>{t('load.colLength')}</Table.Th>
            <Table.Th>{t('load.colSettings')}</Table.Th>
            <Table.Th>{t('load.colRunOps')}</Table.Th>
            <Table.Th>p50 / p99 / max</Table.Th>
            <Table.Th>{t('load.colRunFailed')}</Table.Th>
            <Table.Th>{t('load.colEnded')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.slice(0, 10).map((r) => (
            <Table.Tr key={r.id} data-testid="load-run">
              <Table.Td>{new Date(r.startedAt).toLocaleString(locale())}</Table.Td>
              <Table.Td>{t('load.seconds', { n: Math.round((r.endedAt - r.startedAt) / 1000) })}</Table.Td>
              <Table.Td>
                {r.settings.sessions} · {r.settings.rate}/s · {r.settings.readPercent} % · {r.settings.payloadBytes} B
              </Table.Td>
              <Table.Td>{r.ops}</Table.Td>
              <Table.Td>
                {msText(r.p50)} / {msText(r.p99)} / {msText(r.max)}
              </Table.Td>
              <Table.Td>
                {Object.entries(r.errors)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ') || '0'}
              </Table.Td>
              <Table.Td>
                <Tooltip label={r.cleanup} multiline w={360}>
                  <span>{r.reason}</span>
                </Tooltip>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

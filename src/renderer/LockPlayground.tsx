// The lock-contention playground: N clients, each its own session, contend for one lock with
// the seed's lock (watch the predecessor), the naive lock (everyone watches one node: the herd)
// or Curator's InterProcessMutex. Live: the queue on the server, who holds, who watches whom,
// the counters; faults per client; every run's mutual-exclusion verdict; past runs side by side.
import { Alert, Badge, Button, Card, Group, NumberInput, Progress, SegmentedControl, SimpleGrid, Slider, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LockClientState, LockRunSummary, LockRunView, LockStrategy } from '../shared/contract';
import { clock } from './format';
import { errorText, useTranslation } from './i18n';
import { checkLockForm as check, DEFAULT_LOCK_FORM, frameOf, lastQueueFrame, MAX_FRAMES, queueCaption, spreadOf, type LockForm as Form, type LockFrame } from './lockview';
import { LockQueue } from './LockQueue';
import { useSetting } from './persist';
import type { ViewProps } from './views';

const STRATEGIES: { value: LockStrategy; label: string; about: string }[] = [
  { value: 'seed', label: 'locks.seed', about: 'locks.seedAbout' },
  { value: 'naive', label: 'locks.naive', about: 'locks.naiveAbout' },
  { value: 'mutex', label: 'locks.mutex', about: 'locks.mutexAbout' },
];

const STATE_COLOR: Record<LockClientState, string> = {
  connecting: 'gray',
  thinking: 'gray',
  waiting: 'blue',
  holding: 'teal',
  disconnected: 'orange',
  expired: 'red',
  stopped: 'gray',
};
const CLIENT_STATE_KEY: Record<LockClientState, string> = {
  connecting: 'locks.stConnecting',
  thinking: 'locks.stThinking',
  waiting: 'locks.stWaiting',
  holding: 'locks.stHolding',
  disconnected: 'locks.stDisconnected',
  expired: 'locks.stExpired',
  stopped: 'locks.stStopped',
};
const PHASE_KEY: Record<LockRunView['phase'], string> = { connecting: 'locks.phConnecting', running: 'locks.phRunning', stopping: 'locks.phStopping', done: 'locks.phDone', failed: 'locks.phFailed' };

const ms = (v: number | null): string => (v === null ? '—' : v < 10 ? v.toFixed(1) : String(Math.round(v)));

function Verdict({ run }: { run: LockRunView }) {
  const { t } = useTranslation();
  const n = run.violations.length;
  if (run.phase === 'failed') {
    return (
      <Alert color="red" title={t('locks.couldNotStart')} data-testid="locks-verdict" data-verdict="failed" data-run={run.id}>
        {run.error}
      </Alert>
    );
  }
  if (n > 0) {
    return (
      <Alert color="red" variant="filled" title={t('locks.violated', { count: n })} data-testid="locks-verdict" data-verdict="violated" data-run={run.id}>
        <Stack gap={2}>
          {run.violations.slice(0, 8).map((v, i) => (
            <Text key={i} size="sm" data-testid="locks-violation">
              {v.kind === 'overlap' ? t('locks.twoHolders') : t('locks.serverCheck')}
              {v.detail}
            </Text>
          ))}
          {n > 8 && <Text size="sm">{t('locks.andMore', { n: n - 8 })}</Text>}
        </Stack>
      </Alert>
    );
  }
  const done = run.phase === 'done';
  return (
    <Alert color={done ? 'teal' : 'blue'} title={done ? t('locks.held') : t('locks.noOverlap')} data-testid="locks-verdict" data-verdict={done ? 'held' : 'running'} data-run={run.id}>
      {t('locks.heldText', { count: run.counters.acquisitions, checks: run.counters.serverChecks, how: run.settings.strategy === 'naive' ? t('locks.howNaive') : t('locks.howQueue') })}
      {done && run.stopReason ? t('locks.ended', { reason: run.stopReason }) : ''}
    </Alert>
  );
}

/** The run's recorded history checked as a mutex (Wing–Gong–Lowe, as the Load panel's checked runs), beside the lab's own check. */
function HistoryVerdict({ run }: { run: LockRunView }) {
  const { t } = useTranslation();
  const h = run.history;
  const words =
    h.phase === 'recording'
      ? t('locks.hRecording', { ops: h.ops })
      : h.phase === 'checking'
        ? t('locks.hChecking', { ops: h.ops })
        : h.phase === 'failed'
          ? h.detail
          : h.verdict === 'ok'
            ? t('locks.hOk', { ops: h.ops })
            : h.verdict === 'violation'
              ? t('locks.hViolation', { ops: h.ops, detail: h.detail ?? t('locks.hNoOrder') })
              : h.verdict === 'undecided'
                ? t('locks.hUndecided', { detail: h.detail ?? '' })
                : h.detail;
  const color = h.verdict === 'violation' || h.phase === 'failed' ? 'red' : h.verdict === 'ok' ? 'teal' : 'gray';
  return (
    <Alert color={color} variant="light" title={t('locks.hTitle')} data-testid="locks-history" data-phase={h.phase} data-verdict={h.verdict ?? ''}>
      <Text size="sm">
        {words}
        {h.checkRun !== null && t('locks.hKept', { run: h.checkRun })}
      </Text>
    </Alert>
  );
}

function Counter({ label, value, hint, testid }: { label: string; value: string; hint: string; testid: string }) {
  return (
    <Tooltip label={hint} multiline w={260}>
      <Card withBorder p="xs">
        <Text size="xs" c="dimmed">
          {label}
        </Text>
        <Text fw={700} size="lg" data-testid={testid}>
          {value}
        </Text>
      </Card>
    </Tooltip>
  );
}

export function LockPlayground({ lab, view }: ViewProps) {
  const { t } = useTranslation();
  // The form is remembered across views and restarts, as every view's settings.
  const [form, setForm] = useSetting<Form>('locks.form', DEFAULT_LOCK_FORM, (v): v is Form => typeof v === 'object' && v !== null && 'strategy' in v && 'lockPath' in v);
  // The moments of the runs seen live, to keep the queue drawn after a run and to replay it.
  const frames = useRef<LockFrame[]>([]);
  const [frameCount, setFrameCount] = useState(0);
  const [run, setRun] = useState<LockRunView | null>(null);
  const [runs, setRuns] = useState<LockRunSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tried, setTried] = useState(false);

  const reloadRuns = useCallback(async () => {
    try {
      setRuns(await lab.call({ method: 'locks.runs', limit: 30 }));
    } catch (e) {
      setError(errorText(e));
    }
  }, [lab]);

  useEffect(() => {
    void lab.call({ method: 'locks.state' }).then(setRun, (e: Error) => setError(errorText(e)));
    void reloadRuns();
    return lab.onPush((p) => {
      if (p.kind !== 'locks') return;
      setRun(p.run);
      const f = frames.current;
      if (f.length > 0 && f[0]!.id !== p.run.id) f.length = 0;
      f.push(frameOf(p.run, Date.now()));
      if (f.length > MAX_FRAMES) f.shift();
      setFrameCount(f.length);
    });
  }, [lab, reloadRuns]);

  const over = run === null || run.phase === 'done' || run.phase === 'failed';
  useEffect(() => {
    if (over) void reloadRuns();
  }, [over, run?.id, reloadRuns]);

  const { settings, errors } = check(form);
  const shown = tried ? errors : {};
  const set = <K extends keyof Form>(k: K, v: Form[K]): void => setForm((f: Form) => ({ ...f, [k]: v }));

  const act = async (what: string, p: () => Promise<unknown>): Promise<void> => {
    setError(null);
    setBusy(what);
    try {
      await p();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const start = (): void => {
    setTried(true);
    if (!settings) {
      setError(t('locks.nothingStarted', { errors: Object.values(errors).join(' ') }));
      return;
    }
    void act('start', async () => setRun(await lab.call({ method: 'locks.start', settings })));
  };

  if (!view) return <Text>{t('locks.noLab')}</Text>;
  const connected = run ? run.clients.filter((c) => c.state !== 'connecting').length : 0;
  const strategyOf = (s: LockStrategy): string => t(STRATEGIES.find((x) => x.value === s)!.label);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>{t('locks.title')}</Title>
        <Text size="sm" c="dimmed">
          {t('locks.intro')}
        </Text>
      </Group>
      {error && (
        <Alert color="red" title={t('shell.didNotWork')} withCloseButton onClose={() => setError(null)} data-testid="locks-error">
          {error}
        </Alert>
      )}
      <Card withBorder>
        <Stack gap="xs">
          <SegmentedControl value={form.strategy} onChange={(v) => set('strategy', v as LockStrategy)} data={STRATEGIES.map((s) => ({ value: s.value, label: t(s.label) }))} disabled={!over} data-testid="locks-strategy" />
          <Text size="xs" c="dimmed">
            {t(STRATEGIES.find((s) => s.value === form.strategy)!.about)}
          </Text>
          <Group align="start" grow>
            <NumberInput label={t('locks.fClients')} value={form.clients} onChange={(v) => set('clients', v)} error={shown.clients} clampBehavior="none" allowDecimal={false} disabled={!over} data-testid="locks-clients" />
            <NumberInput label={t('locks.fHold')} value={form.holdMs} onChange={(v) => set('holdMs', v)} error={shown.holdMs} clampBehavior="none" allowDecimal={false} disabled={!over} data-testid="locks-hold" />
            <NumberInput label={t('locks.fThink')} value={form.thinkMs} onChange={(v) => set('thinkMs', v)} error={shown.thinkMs} clampBehavior="none" allowDecimal={false} disabled={!over} data-testid="locks-think" />
            <NumberInput label={t('locks.fDuration')} value={form.durationS} onChange={(v) => set('durationS', v)} error={shown.durationS} clampBehavior="none" disabled={!over} data-testid="locks-duration" />
            <NumberInput label={t('locks.fAcquisitions')} value={form.acquisitions} onChange={(v) => set('acquisitions', v)} error={shown.acquisitions} clampBehavior="none" allowDecimal={false} disabled={!over} data-testid="locks-acquisitions" />
            <TextInput label={t('locks.fPath')} value={form.lockPath} onChange={(e) => set('lockPath', e.currentTarget.value)} error={shown.lockPath} disabled={!over} data-testid="locks-path" />
          </Group>
          <Group>
            <Button onClick={start} loading={busy === 'start'} disabled={!over} data-testid="locks-start">
              {t('locks.start')}
            </Button>
            <Button color="red" variant="light" onClick={() => void act('stop', () => lab.call({ method: 'locks.stop' }))} loading={busy === 'stop'} disabled={over || run?.phase === 'stopping'} data-testid="locks-stop">
              {t('locks.stop')}
            </Button>
            <Text size="xs" c="dimmed">
              {t('locks.endsHint')}
            </Text>
          </Group>
        </Stack>
      </Card>

      {run && run.phase === 'connecting' && (
        <Card withBorder data-testid="locks-progress">
          <Text size="sm" mb={4}>
            {t('locks.opening', { connected, clients: run.settings.clients })}
          </Text>
          <Progress value={(connected / Math.max(1, run.settings.clients)) * 100} animated />
        </Card>
      )}
      {run && run.phase === 'stopping' && (
        <Card withBorder data-testid="locks-progress">
          <Text size="sm" mb={4}>
            {t('locks.stopping', { reason: run.stopReason })}
          </Text>
          <Progress value={100} animated color="gray" />
        </Card>
      )}

      {run && (
        <>
          <Group gap="xs">
            <Badge size="lg" variant="light" data-testid="locks-phase" data-phase={run.phase} data-run={run.id}>
              {t('locks.runPhase', { id: run.id, phase: t(PHASE_KEY[run.phase]) })}
            </Badge>
            <Text size="sm">
              {t('locks.runSettings', { strategy: strategyOf(run.settings.strategy), clients: run.settings.clients, hold: run.settings.holdMs, think: run.settings.thinkMs, path: run.settings.lockPath })}
            </Text>
          </Group>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Verdict run={run} />
            <HistoryVerdict run={run} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 3, lg: 6 }}>
            <Counter label={t('locks.cAcq')} value={String(run.counters.acquisitions)} hint={t('locks.cAcqHint')} testid="locks-acquired" />
            <Counter label={t('locks.cRate')} value={String(run.counters.perSecond)} hint={t('locks.cRateHint')} testid="locks-rate" />
            <Counter label={t('locks.cP50')} value={`${ms(run.counters.waitP50Ms)} ms`} hint={t('locks.cP50Hint')} testid="locks-p50" />
            <Counter label={t('locks.cP99')} value={`${ms(run.counters.waitP99Ms)} ms`} hint={t('locks.cP99Hint')} testid="locks-p99" />
            <Counter
              label={t('locks.cNpa')}
              value={run.counters.notificationsPerAcquisition === null ? '—' : String(run.counters.notificationsPerAcquisition)}
              hint={t('locks.cNpaHint')}
              testid="locks-npa"
            />
            <Counter label={t('locks.cWatches')} value={String(run.counters.watchesSet)} hint={t('locks.cWatchesHint')} testid="locks-watches" />
          </SimpleGrid>
          <QueueCard run={run} over={over} frames={frames.current.filter((f) => f.id === run.id)} frameCount={frameCount} />
          <SpreadCard run={run} />
          <ClientsTable run={run} attached={view.attached} busy={busy} act={act} lab={lab} />
          {run.log.length > 0 && (
            <Card withBorder>
              <Title order={6} mb={4}>
                {t('locks.whatHappened')}
              </Title>
              <Stack gap={0} mah={180} style={{ overflowY: 'auto' }} data-testid="locks-log">
                {run.log
                  .slice(-40)
                  .reverse()
                  .map((l, i) => (
                    <Text key={i} size="xs" ff="monospace" c={l.text.startsWith('MUTUAL') ? 'red' : undefined}>
                      {clock(l.time)} {l.text}
                    </Text>
                  ))}
              </Stack>
            </Card>
          )}
        </>
      )}
      <PastRuns runs={runs} strategyOf={strategyOf} />
    </Stack>
  );
}

/** The queue graph: live during a run; after it, its last moment with a queue, and a replay of the run. */
function QueueCard({ run, over, frames, frameCount }: { run: LockRunView; over: boolean; frames: LockFrame[]; frameCount: number }) {
  const { t } = useTranslation();
  const [at, setAt] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const replayable = over && frames.length > 1;
  // A run that ends shows its last moment with a queue; a new run starts live again.
  useEffect(() => {
    setAt(null);
    setPlaying(false);
  }, [run.id, over]);
  const index = at ?? (replayable ? lastQueueFrame(frames) : frames.length - 1);
  useEffect(() => {
    if (!playing) return;
    if (index >= frames.length - 1) {
      setPlaying(false);
      return;
    }
    // At the pace it happened, but no pause longer than half a second.
    const wait = Math.min(500, Math.max(16, frames[index + 1]!.time - frames[index]!.time));
    const t = setTimeout(() => setAt(index + 1), wait);
    return () => clearTimeout(t);
  }, [playing, index, frames, frameCount]);
  const shown: LockFrame = replayable && frames[index] ? frames[index] : frameOf(run, run.endedAt ?? Date.now());
  return (
    <Card withBorder>
      <Title order={6} mb={4}>
        {t('locks.queueTitle', { path: run.settings.lockPath })}
        {replayable ? t('locks.queueWhen', { time: clock(shown.time), which: at === null ? t('locks.lastMoment') : t('locks.momentOf', { i: index + 1, n: frames.length }) }) : ''}
      </Title>
      <Text size="xs" c="dimmed" mb="xs" data-testid="locks-queue-caption">
        {queueCaption(shown)}
      </Text>
      <LockQueue run={shown} />
      {replayable && (
        <Group mt="xs" wrap="nowrap" data-testid="locks-replay">
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => {
              if (index >= frames.length - 1) setAt(0);
              setPlaying((p) => !p);
            }}
            data-testid="locks-replay-play"
          >
            {playing ? t('locks.pause') : t('locks.replay')}
          </Button>
          <Slider
            style={{ flex: 1 }}
            min={0}
            max={frames.length - 1}
            value={index}
            onChange={(v) => {
              setPlaying(false);
              setAt(v);
            }}
            label={(v) => (frames[v] ? clock(frames[v].time) : '')}
            aria-label={t('locks.momentAria')}
            data-testid="locks-replay-slider"
          />
        </Group>
      )}
    </Card>
  );
}

/** How the acquisitions spread over the clients and the members they are connected to. */
function SpreadCard({ run }: { run: LockRunView }) {
  const { t } = useTranslation();
  const spread = spreadOf(run);
  if (spread.total === 0) return null;
  const pct = (x: number): string => `${Math.round(x * 100)} %`;
  const even = 1 / Math.max(1, spread.clients.length);
  return (
    <Card withBorder data-testid="locks-spread">
      <Title order={6} mb={4}>
        {t('locks.spreadTitle', { total: spread.total, clients: spread.clients.length, even: pct(even) })}
      </Title>
      <Group gap="xs" mb="xs">
        {spread.members.map((m) => (
          <Badge key={m.member} variant="light" size="lg" data-testid="locks-spread-member" data-member={m.member} data-acquisitions={m.acquisitions}>
            {t('locks.spreadMember', { member: m.member, acq: m.acquisitions, pct: pct(m.share), count: m.clients })}
          </Badge>
        ))}
      </Group>
      <Stack gap={2}>
        {spread.clients.map((c) => (
          <Group key={c.id} gap="xs" wrap="nowrap" data-testid="locks-spread-client" data-client={c.id} data-acquisitions={c.acquisitions}>
            <Text size="xs" w={150}>
              {c.member !== null ? t('locks.clientOn', { id: c.id, member: c.member }) : t('locks.clientNoMember', { id: c.id })}
            </Text>
            <Progress value={c.share * 100} style={{ flex: 1 }} color={c.share > 2 * even ? 'orange' : 'teal'} aria-label={t('locks.shareAria', { id: c.id })} />
            <Text size="xs" w={90} ta="right">
              {c.acquisitions} ({pct(c.share)})
            </Text>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

function ClientsTable({ run, attached, busy, act, lab }: { run: LockRunView; attached: boolean; busy: string | null; act: (what: string, p: () => Promise<unknown>) => Promise<void>; lab: ViewProps['lab'] }) {
  const { t } = useTranslation();
  const live = run.phase === 'running';
  return (
    <Card withBorder>
      <Title order={6} mb={4}>
        {t('locks.clients')}
      </Title>
      <Table striped fz="xs" data-testid="locks-clients-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('locks.colClient')}</Table.Th>
            <Table.Th>{t('locks.colNode')}</Table.Th>
            <Table.Th>{t('locks.colSession')}</Table.Th>
            <Table.Th>{t('locks.colState')}</Table.Th>
            <Table.Th>{t('locks.colZnode')}</Table.Th>
            <Table.Th>{t('locks.colWatches')}</Table.Th>
            <Table.Th>{t('locks.colAcquired')}</Table.Th>
            <Table.Th>{t('locks.colNotified')}</Table.Th>
            <Table.Th>{t('locks.colLastWait')}</Table.Th>
            <Table.Th>{t('locks.colExpired')}</Table.Th>
            <Table.Th>{t('locks.colFaults')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {run.clients.map((c) => (
            <Table.Tr key={c.id} data-testid="locks-client" data-client={c.id} data-state={c.state}>
              <Table.Td>{c.id}</Table.Td>
              <Table.Td>{c.member ?? '—'}</Table.Td>
              <Table.Td ff="monospace">{c.sessionId}</Table.Td>
              <Table.Td>
                <Badge size="xs" color={STATE_COLOR[c.state]} variant={c.state === 'holding' ? 'filled' : 'light'}>
                  {t(CLIENT_STATE_KEY[c.state])}
                </Badge>
              </Table.Td>
              <Table.Td ff="monospace">{c.node ?? '—'}</Table.Td>
              <Table.Td ff="monospace">{c.watching ?? '—'}</Table.Td>
              <Table.Td>{c.acquisitions}</Table.Td>
              <Table.Td>{c.notifications}</Table.Td>
              <Table.Td>{c.lastWaitMs === null ? '—' : `${ms(c.lastWaitMs)} ms`}</Table.Td>
              <Table.Td>{c.expirations}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="orange"
                    disabled={!live || busy !== null || c.member === null}
                    loading={busy === `expire-${c.id}`}
                    onClick={() => void act(`expire-${c.id}`, () => lab.call({ method: 'locks.fault', client: c.id, fault: 'expire' }))}
                    data-testid={`locks-expire-${c.id}`}
                  >
                    {t('locks.expire')}
                  </Button>
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="red"
                    disabled={!live || attached || busy !== null || c.member === null}
                    title={attached ? t('locks.attachedNoSignal') : undefined}
                    loading={busy === `kill-${c.id}`}
                    onClick={() => void act(`kill-${c.id}`, () => lab.call({ method: 'locks.fault', client: c.id, fault: 'kill-member' }))}
                    data-testid={`locks-kill-${c.id}`}
                  >
                    {t('locks.killNode', { member: c.member ?? '' })}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function PastRuns({ runs, strategyOf }: { runs: LockRunSummary[]; strategyOf: (s: LockStrategy) => string }) {
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Title order={6} mb={4}>
        {t('locks.pastRuns')}
      </Title>
      {runs.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('locks.noRun')}
        </Text>
      ) : (
        <Table striped fz="xs" data-testid="locks-runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('locks.colRun')}</Table.Th>
              <Table.Th>{t('locks.colStarted')}</Table.Th>
              <Table.Th>{t('locks.colLock')}</Table.Th>
              <Table.Th>{t('locks.colClients')}</Table.Th>
              <Table.Th>{t('locks.colHoldThink')}</Table.Th>
              <Table.Th>{t('locks.colAcquisitions')}</Table.Th>
              <Table.Th>{t('locks.colRate')}</Table.Th>
              <Table.Th>{t('locks.colWait')}</Table.Th>
              <Table.Th>{t('locks.colNpa')}</Table.Th>
              <Table.Th>{t('locks.colFaults')}</Table.Th>
              <Table.Th>{t('locks.colVerdict')}</Table.Th>
              <Table.Th>{t('locks.colEnded')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.map((r) => (
              <Table.Tr key={r.id} data-testid="locks-run" data-run={r.id} data-strategy={r.settings.strategy} data-npa={r.counters.notificationsPerAcquisition ?? ''} data-violations={r.violations.length}>
                <Table.Td>{r.id}</Table.Td>
                <Table.Td>{clock(r.startedAt)}</Table.Td>
                <Table.Td>{strategyOf(r.settings.strategy)}</Table.Td>
                <Table.Td>{r.settings.clients}</Table.Td>
                <Table.Td>
                  {r.settings.holdMs}/{r.settings.thinkMs} ms
                </Table.Td>
                <Table.Td>{r.counters.acquisitions}</Table.Td>
                <Table.Td>{r.counters.perSecond}</Table.Td>
                <Table.Td>
                  {ms(r.counters.waitP50Ms)}/{ms(r.counters.waitP99Ms)} ms
                </Table.Td>
                <Table.Td fw={700}>{r.counters.notificationsPerAcquisition ?? '—'}</Table.Td>
                <Table.Td>{r.faults.length}</Table.Td>
                <Table.Td>
                  {r.endedAt === null ? (
                    <Badge size="xs" color="gray">
                      {t('locks.cutShort')}
                    </Badge>
                  ) : r.violations.length > 0 ? (
                    <Badge size="xs" color="red">
                      {t('locks.violations', { count: r.violations.length })}
                    </Badge>
                  ) : r.stopReason?.startsWith('failed') ? (
                    <Badge size="xs" color="gray">
                      {t('locks.failed')}
                    </Badge>
                  ) : (
                    <Badge size="xs" color="teal">
                      {t('locks.heldShort')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{r.stopReason ?? t('locks.appClosed')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

// The lock-contention playground: N clients, each its own session, contend for one lock with
// the seed's lock (watch the predecessor), the naive lock (everyone watches one node: the herd)
// or Curator's InterProcessMutex. Live: the queue on the server, who holds, who watches whom,
// the counters; faults per client; every run's mutual-exclusion verdict; past runs side by side.
import { Alert, Badge, Button, Card, Group, NumberInput, Progress, SegmentedControl, SimpleGrid, Slider, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LockClientState, LockRunSummary, LockRunView, LockStrategy } from '../shared/contract';
import { clock } from './format';
import { checkLockForm as check, DEFAULT_LOCK_FORM, frameOf, lastQueueFrame, MAX_FRAMES, queueCaption, spreadOf, type LockForm as Form, type LockFrame } from './lockview';
import { LockQueue } from './LockQueue';
import { useSetting } from './persist';
import type { ViewProps } from './views';

const STRATEGIES: { value: LockStrategy; label: string; about: string }[] = [
  { value: 'seed', label: 'Seed lock', about: 'the tutorial\'s plain-API lock: an ephemeral-sequential node each; a waiter watches only the node just ahead of it' },
  { value: 'naive', label: 'Naive lock', about: 'everyone tries to create one ephemeral node and watches it: every release wakes every waiter (the herd effect)' },
  { value: 'mutex', label: 'InterProcessMutex', about: "Curator's reentrant mutex: protected ephemeral-sequential nodes, each waiter watches its predecessor" },
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

const ms = (v: number | null): string => (v === null ? '—' : v < 10 ? v.toFixed(1) : String(Math.round(v)));

function Verdict({ run }: { run: LockRunView }) {
  const n = run.violations.length;
  if (run.phase === 'failed') {
    return (
      <Alert color="red" title="The run could not start" data-testid="locks-verdict" data-verdict="failed" data-run={run.id}>
        {run.error}
      </Alert>
    );
  }
  if (n > 0) {
    return (
      <Alert color="red" variant="filled" title={`MUTUAL EXCLUSION VIOLATED — ${n} time${n === 1 ? '' : 's'}`} data-testid="locks-verdict" data-verdict="violated" data-run={run.id}>
        <Stack gap={2}>
          {run.violations.slice(0, 8).map((v, i) => (
            <Text key={i} size="sm" data-testid="locks-violation">
              {v.kind === 'overlap' ? 'two holders: ' : 'server check: '}
              {v.detail}
            </Text>
          ))}
          {n > 8 && <Text size="sm">…and {n - 8} more (all are kept in the lab history).</Text>}
        </Stack>
      </Alert>
    );
  }
  const done = run.phase === 'done';
  return (
    <Alert color={done ? 'teal' : 'blue'} title={done ? 'Mutual exclusion held' : 'No overlap so far'} data-testid="locks-verdict" data-verdict={done ? 'held' : 'running'} data-run={run.id}>
      {run.counters.acquisitions} acquisition{run.counters.acquisitions === 1 ? '' : 's'} stamped by the lab, no two holders overlapped; {run.counters.serverChecks} checked on the server while held (
      {run.settings.strategy === 'naive' ? "the lock node's ephemeralOwner was the holder's session" : "the holder's node was the lowest child of the lock path"}).
      {done && run.stopReason ? ` The run ended: ${run.stopReason}.` : ''}
    </Alert>
  );
}

/** The run's recorded history checked as a mutex (Wing–Gong–Lowe, as the Load panel's checked runs), beside the lab's own check. */
function HistoryVerdict({ run }: { run: LockRunView }) {
  const h = run.history;
  const words =
    h.phase === 'recording'
      ? `${h.ops} operations recorded so far (acquire and release per client); checked as a mutex when the run ends.`
      : h.phase === 'checking'
        ? `Checking the ${h.ops} recorded operations as a mutex…`
        : h.phase === 'failed'
          ? h.detail
          : h.verdict === 'ok'
            ? `The history of ${h.ops} operations is a mutex's: some order of every acquire and release, each at an instant between its call and its return, has at most one holder at a time.`
            : h.verdict === 'violation'
              ? `The history of ${h.ops} operations is no mutex's: ${h.detail ?? 'no order works'}.`
              : h.verdict === 'undecided'
                ? `Undecided within the checker's bound: ${h.detail ?? ''}`
                : h.detail;
  const color = h.verdict === 'violation' || h.phase === 'failed' ? 'red' : h.verdict === 'ok' ? 'teal' : 'gray';
  return (
    <Alert color={color} variant="light" title="The history, checked as a mutex" data-testid="locks-history" data-phase={h.phase} data-verdict={h.verdict ?? ''}>
      <Text size="sm">
        {words}
        {h.checkRun !== null && ` It is kept as checked run ${h.checkRun}: the Load panel's checked runs draw it and export it as a file that zk-lab check history checks again.`}
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
      setError((e as Error).message);
    }
  }, [lab]);

  useEffect(() => {
    void lab.call({ method: 'locks.state' }).then(setRun, (e: Error) => setError(e.message));
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
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const start = (): void => {
    setTried(true);
    if (!settings) {
      setError(`Nothing was started: ${Object.values(errors).join(' ')}`);
      return;
    }
    void act('start', async () => setRun(await lab.call({ method: 'locks.start', settings })));
  };

  if (!view) return <Text>Launch or attach a lab to run the lock playground.</Text>;
  const connected = run ? run.clients.filter((c) => c.state !== 'connecting').length : 0;
  const strategyOf = (s: LockStrategy): string => STRATEGIES.find((x) => x.value === s)!.label;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Lock playground</Title>
        <Text size="sm" c="dimmed">
          Each client is its own ZooKeeper session, spread over the members.
        </Text>
      </Group>
      {error && (
        <Alert color="red" title="That did not work" withCloseButton onClose={() => setError(null)} data-testid="locks-error">
          {error}
        </Alert>
      )}
      <Card withBorder>
        <Stack gap="xs">
          <SegmentedControl value={form.strategy} onChange={(v) => set('strategy', v as LockStrategy)} data={STRATEGIES.map((s) => ({ value: s.value, label: s.label }))} disabled={!over} data-testid="locks-strategy" />
          <Text size="xs" c="dimmed">
            {STRATEGIES.find((s) => s.value === form.strategy)!.about}.
          </Text>
          <Group align="start" grow>
            <NumberInput label="clients (1–50)" value={form.clients} onChange={(v) => set('clients', v)} error={shown.clients} clampBehavior="none" allowDecimal={false} disabled={!over} data-testid="locks-clients" />
            <NumberInput label="hold (ms)" value={form.holdMs} onChange={(v) => set('holdMs', v)} error={shown.holdMs} clampBehavior="none" allowDecimal={false} disabled={!over} data-testid="locks-hold" />
            <NumberInput label="think (ms)" value={form.thinkMs} onChange={(v) => set('thinkMs', v)} error={shown.thinkMs} clampBehavior="none" allowDecimal={false} disabled={!over} data-testid="locks-think" />
            <NumberInput label="duration (s)" value={form.durationS} onChange={(v) => set('durationS', v)} error={shown.durationS} clampBehavior="none" disabled={!over} data-testid="locks-duration" />
            <NumberInput label="or acquisitions" value={form.acquisitions} onChange={(v) => set('acquisitions', v)} error={shown.acquisitions} clampBehavior="none" allowDecimal={false} disabled={!over} data-testid="locks-acquisitions" />
            <TextInput label="lock path" value={form.lockPath} onChange={(e) => set('lockPath', e.currentTarget.value)} error={shown.lockPath} disabled={!over} data-testid="locks-path" />
          </Group>
          <Group>
            <Button onClick={start} loading={busy === 'start'} disabled={!over} data-testid="locks-start">
              Start run
            </Button>
            <Button color="red" variant="light" onClick={() => void act('stop', () => lab.call({ method: 'locks.stop' }))} loading={busy === 'stop'} disabled={over || run?.phase === 'stopping'} data-testid="locks-stop">
              Stop
            </Button>
            <Text size="xs" c="dimmed">
              The run ends after the duration or the number of acquisitions, whichever comes first.
            </Text>
          </Group>
        </Stack>
      </Card>

      {run && run.phase === 'connecting' && (
        <Card withBorder data-testid="locks-progress">
          <Text size="sm" mb={4}>
            Opening sessions: {connected} of {run.settings.clients} clients connected
          </Text>
          <Progress value={(connected / Math.max(1, run.settings.clients)) * 100} animated />
        </Card>
      )}
      {run && run.phase === 'stopping' && (
        <Card withBorder data-testid="locks-progress">
          <Text size="sm" mb={4}>
            Stopping ({run.stopReason}): waiters give up, the holder releases, sessions close…
          </Text>
          <Progress value={100} animated color="gray" />
        </Card>
      )}

      {run && (
        <>
          <Group gap="xs">
            <Badge size="lg" variant="light" data-testid="locks-phase" data-phase={run.phase} data-run={run.id}>
              run {run.id}: {run.phase}
            </Badge>
            <Text size="sm">
              {strategyOf(run.settings.strategy)} · {run.settings.clients} clients · hold {run.settings.holdMs} ms · think {run.settings.thinkMs} ms · {run.settings.lockPath}
            </Text>
          </Group>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Verdict run={run} />
            <HistoryVerdict run={run} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 3, lg: 6 }}>
            <Counter label="acquisitions" value={String(run.counters.acquisitions)} hint="Times a client got the lock in this run." testid="locks-acquired" />
            <Counter label="acquisitions/s" value={String(run.counters.perSecond)} hint="Acquisitions per second since the clients were connected." testid="locks-rate" />
            <Counter label="wait p50" value={`${ms(run.counters.waitP50Ms)} ms`} hint="Median time from asking for the lock to holding it (HdrHistogram)." testid="locks-p50" />
            <Counter label="wait p99" value={`${ms(run.counters.waitP99Ms)} ms`} hint="99th percentile of the wait for the lock." testid="locks-p99" />
            <Counter
              label="notifications / acquisition"
              value={run.counters.notificationsPerAcquisition === null ? '—' : String(run.counters.notificationsPerAcquisition)}
              hint="Watch notifications the clients received per acquisition: about 1 when each waiter watches its predecessor; about the number of waiters when they all watch one node (the herd effect)."
              testid="locks-npa"
            />
            <Counter label="watches set" value={String(run.counters.watchesSet)} hint="Watches the waiting clients set on the server." testid="locks-watches" />
          </SimpleGrid>
          <QueueCard run={run} over={over} frames={frames.current.filter((f) => f.id === run.id)} frameCount={frameCount} />
          <SpreadCard run={run} />
          <ClientsTable run={run} attached={view.attached} busy={busy} act={act} lab={lab} />
          {run.log.length > 0 && (
            <Card withBorder>
              <Title order={6} mb={4}>
                What happened
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
        Queue on the server: children of {run.settings.lockPath} in sequence order{replayable ? ` — ${clock(shown.time)}, ${at === null ? 'the last moment with a queue' : `moment ${index + 1} of ${frames.length}`}` : ''}
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
            {playing ? 'Pause' : 'Replay the run'}
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
            aria-label="moment of the run"
            data-testid="locks-replay-slider"
          />
        </Group>
      )}
    </Card>
  );
}

/** How the acquisitions spread over the clients and the members they are connected to. */
function SpreadCard({ run }: { run: LockRunView }) {
  const spread = spreadOf(run);
  if (spread.total === 0) return null;
  const pct = (x: number): string => `${Math.round(x * 100)} %`;
  const even = 1 / Math.max(1, spread.clients.length);
  return (
    <Card withBorder data-testid="locks-spread">
      <Title order={6} mb={4}>
        Who got the lock: {spread.total} acquisitions over {spread.clients.length} clients (an even share is {pct(even)} each)
      </Title>
      <Group gap="xs" mb="xs">
        {spread.members.map((m) => (
          <Badge key={m.member} variant="light" size="lg" data-testid="locks-spread-member" data-member={m.member} data-acquisitions={m.acquisitions}>
            node {m.member}: {m.acquisitions} ({pct(m.share)}) by {m.clients} client{m.clients === 1 ? '' : 's'}
          </Badge>
        ))}
      </Group>
      <Stack gap={2}>
        {spread.clients.map((c) => (
          <Group key={c.id} gap="xs" wrap="nowrap" data-testid="locks-spread-client" data-client={c.id} data-acquisitions={c.acquisitions}>
            <Text size="xs" w={150}>
              client {c.id} {c.member !== null ? `(node ${c.member})` : '(no member now)'}
            </Text>
            <Progress value={c.share * 100} style={{ flex: 1 }} color={c.share > 2 * even ? 'orange' : 'teal'} aria-label={`client ${c.id}'s share`} />
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
  const live = run.phase === 'running';
  return (
    <Card withBorder>
      <Title order={6} mb={4}>
        Clients
      </Title>
      <Table striped fz="xs" data-testid="locks-clients-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>client</Table.Th>
            <Table.Th>node</Table.Th>
            <Table.Th>session</Table.Th>
            <Table.Th>state</Table.Th>
            <Table.Th>lock znode</Table.Th>
            <Table.Th>watches</Table.Th>
            <Table.Th>acquired</Table.Th>
            <Table.Th>notified</Table.Th>
            <Table.Th>last wait</Table.Th>
            <Table.Th>expired</Table.Th>
            <Table.Th>faults</Table.Th>
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
                  {c.state}
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
                    expire session
                  </Button>
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="red"
                    disabled={!live || attached || busy !== null || c.member === null}
                    title={attached ? 'The lab does not signal processes of an attached ensemble.' : undefined}
                    loading={busy === `kill-${c.id}`}
                    onClick={() => void act(`kill-${c.id}`, () => lab.call({ method: 'locks.fault', client: c.id, fault: 'kill-member' }))}
                    data-testid={`locks-kill-${c.id}`}
                  >
                    kill node {c.member ?? ''}
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
  return (
    <Card withBorder>
      <Title order={6} mb={4}>
        Past runs (lab history) — compare the herd with the predecessor watch in "notif./acq."
      </Title>
      {runs.length === 0 ? (
        <Text size="sm" c="dimmed">
          No run yet.
        </Text>
      ) : (
        <Table striped fz="xs" data-testid="locks-runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>run</Table.Th>
              <Table.Th>started</Table.Th>
              <Table.Th>lock</Table.Th>
              <Table.Th>clients</Table.Th>
              <Table.Th>hold/think</Table.Th>
              <Table.Th>acquisitions</Table.Th>
              <Table.Th>acq./s</Table.Th>
              <Table.Th>wait p50/p99</Table.Th>
              <Table.Th>notif./acq.</Table.Th>
              <Table.Th>faults</Table.Th>
              <Table.Th>verdict</Table.Th>
              <Table.Th>ended</Table.Th>
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
                      cut short
                    </Badge>
                  ) : r.violations.length > 0 ? (
                    <Badge size="xs" color="red">
                      {r.violations.length} violation{r.violations.length === 1 ? '' : 's'}
                    </Badge>
                  ) : r.stopReason?.startsWith('failed') ? (
                    <Badge size="xs" color="gray">
                      failed
                    </Badge>
                  ) : (
                    <Badge size="xs" color="teal">
                      held
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{r.stopReason ?? 'the app closed during the run'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

// The lock-contention playground: N clients, each its own session, contend for one lock with
// the seed's lock (watch the predecessor), the naive lock (everyone watches one node: the herd)
// or Curator's InterProcessMutex. Live: the queue on the server, who holds, who watches whom,
// the counters; faults per client; every run's mutual-exclusion verdict; past runs side by side.
import { Alert, Badge, Button, Card, Group, NumberInput, Progress, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { LockClientState, LockRunSummary, LockRunView, LockSettings, LockStrategy } from '../shared/contract';
import { clock } from './format';
import { LockQueue } from './LockQueue';
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

interface Form {
  clients: number | string;
  strategy: LockStrategy;
  holdMs: number | string;
  thinkMs: number | string;
  durationS: number | string;
  acquisitions: number | string;
  lockPath: string;
}

/** The settings, or for each bad field the sentence that says what to change. */
function check(f: Form): { settings: LockSettings | null; errors: Partial<Record<keyof Form, string>> } {
  const errors: Partial<Record<keyof Form, string>> = {};
  const num = (v: number | string): number => (typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v));
  const clients = num(f.clients);
  if (!Number.isInteger(clients) || clients < 1 || clients > 50) errors.clients = 'Choose 1 to 50 clients.';
  const holdMs = num(f.holdMs);
  if (!Number.isInteger(holdMs) || holdMs < 0 || holdMs > 60_000) errors.holdMs = 'Hold time: 0 to 60000 ms, whole ms.';
  const thinkMs = num(f.thinkMs);
  if (!Number.isInteger(thinkMs) || thinkMs < 0 || thinkMs > 60_000) errors.thinkMs = 'Think time: 0 to 60000 ms, whole ms.';
  const durationS = String(f.durationS).trim() === '' ? null : num(f.durationS);
  if (durationS !== null && (!Number.isFinite(durationS) || durationS < 1 || durationS > 3600)) errors.durationS = 'Duration: 1 to 3600 s, or empty.';
  const acquisitions = String(f.acquisitions).trim() === '' ? null : num(f.acquisitions);
  if (acquisitions !== null && (!Number.isInteger(acquisitions) || acquisitions < 1)) errors.acquisitions = 'Acquisitions: 1 or more, or empty.';
  if (durationS === null && acquisitions === null && !errors.durationS && !errors.acquisitions) errors.durationS = 'Give a duration or a number of acquisitions.';
  if (!/^\/[^/]/.test(f.lockPath) || f.lockPath.endsWith('/')) errors.lockPath = 'A znode path such as /playground/lock.';
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  return {
    settings: { clients, strategy: f.strategy, holdMs, thinkMs, durationMs: durationS === null ? null : Math.round(durationS * 1000), acquisitions, lockPath: f.lockPath },
    errors,
  };
}

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
  const [form, setForm] = useState<Form>({ clients: 10, strategy: 'seed', holdMs: 20, thinkMs: 0, durationS: 20, acquisitions: 100, lockPath: '/playground/lock' });
  const [run, setRun] = useState<LockRunView | null>(null);
  const [runs, setRuns] = useState<LockRunSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tried, setTried] = useState(false);

  const reloadRuns = useCallback(async () => {
    try {
      setRuns(await lab.call<LockRunSummary[]>({ method: 'locks.runs', limit: 30 }));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [lab]);

  useEffect(() => {
    void lab.call<LockRunView | null>({ method: 'locks.state' }).then(setRun, (e: Error) => setError(e.message));
    void reloadRuns();
    return lab.onPush((p) => {
      if (p.kind === 'locks') setRun(p.run);
    });
  }, [lab, reloadRuns]);

  const over = run === null || run.phase === 'done' || run.phase === 'failed';
  useEffect(() => {
    if (over) void reloadRuns();
  }, [over, run?.id, reloadRuns]);

  const { settings, errors } = check(form);
  const shown = tried ? errors : {};
  const set = <K extends keyof Form>(k: K, v: Form[K]): void => setForm((f) => ({ ...f, [k]: v }));

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
    void act('start', async () => setRun(await lab.call<LockRunView>({ method: 'locks.start', settings })));
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
          <Verdict run={run} />
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
          <Card withBorder>
            <Title order={6} mb={4}>
              Queue on the server: children of {run.settings.lockPath} in sequence order
            </Title>
            <Text size="xs" c="dimmed" mb="xs">
              {run.children.length === 0 ? 'No child right now.' : `${run.children.length} child${run.children.length === 1 ? '' : 'ren'}; the holder is green; arrows go from each waiter to the node its lock watches.`}
            </Text>
            <LockQueue run={run} />
          </Card>
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

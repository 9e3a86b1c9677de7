// The Load panel's checked workload: N clients read, write and compare-and-set a few znodes while
// the lab throws faults at the members (src/lab/check/runs.ts runs it in the backend), then the
// history is checked under both models side by side: ZooKeeper's guarantees and linearizability.
// A stale read through a lagging follower is allowed by the first and not by the second, and the
// counterexample is drawn (Counterexample.tsx). Runs are kept in the lab history; a history file
// (the README's format) can be imported, checked and drawn the same way, and any run exported.
// The steady load's runs record their histories too and are listed here once checked.
import { Alert, Badge, Button, Card, FileButton, Group, NumberInput, Progress, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { CheckFaults, CheckRunSummary, CheckRunView, CheckSettings, CheckVerdict, LabApi, LabView } from '../shared/contract';
import { clock } from './format';
import { CounterexampleView } from './Counterexample';
import { locale, useTranslation } from './i18n';

const DEFAULTS: CheckSettings = { clients: 5, keys: 2, seconds: 10, faults: 'none', rate: 0, readPercent: 50, writePercent: 30, syncPercent: 10, timeLimitS: 10 };
/** The fault choices, their words in the catalogue. */
const FAULTS: { value: CheckFaults; label: string }[] = [
  { value: 'none', label: 'check.faultsNone' },
  { value: 'partitions', label: 'check.faultsPartitions' },
  { value: 'kills', label: 'check.faultsKills' },
  { value: 'pauses', label: 'check.faultsPauses' },
  { value: 'mixed', label: 'check.faultsMixed' },
];
const MODEL = {
  zookeeper: { title: 'check.modelZk', why: 'check.whyNotZk', words: 'check.modelZkWords' },
  linearizable: { title: 'check.modelLin', why: 'check.whyNotLin', words: 'check.modelLinWords' },
} as const;
const VERDICT_KEY = { ok: 'check.verdictOk', violation: 'check.verdictViolation', undecided: 'check.verdictUndecided' } as const;
const PHASE_KEY: Record<CheckRunView['phase'], string> = { connecting: 'check.phaseConnecting', running: 'check.phaseRunning', checking: 'check.phaseChecking', done: 'check.phaseDone', failed: 'check.phaseFailed' };
const VERDICT_COLOR = { ok: 'teal', violation: 'red', undecided: 'yellow' } as const;
const PHASE_COLOR: Record<CheckRunView['phase'], string> = { connecting: 'yellow', running: 'teal', checking: 'blue', done: 'gray', failed: 'red' };

export function CheckPanel({ lab, view, run }: { lab: LabApi; view: LabView | null; run: (p: Promise<unknown>, done?: string) => Promise<void> }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<CheckSettings>(DEFAULTS);
  const [current, setCurrent] = useState<CheckRunView | null>(null);
  const [runs, setRuns] = useState<CheckRunSummary[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [importing, setImporting] = useState<string | null>(null);

  useEffect(() => {
    const off = lab.onPush((p) => {
      if (p.kind === 'check') setCurrent(p.run);
    });
    void lab.call({ method: 'check.state' }).then((r) => {
      setCurrent(r);
      if (r) setForm(r.settings);
    });
    return off;
  }, [lab]);

  // The kept runs, again whenever one ends (this panel's, or the steady load's checked after it
  // stopped: the lab's check.ended event); the newest run of this panel is shown.
  const endedId = current?.summary?.id ?? null;
  const [checked, setChecked] = useState(0);
  useEffect(
    () =>
      lab.onPush((p) => {
        if (p.kind === 'event' && p.event.type === 'check.ended') setChecked((n) => n + 1);
      }),
    [lab],
  );
  useEffect(() => {
    void lab.call({ method: 'check.runs' }).then((rs) => {
      setRuns(rs);
      if (endedId !== null) setSelected(endedId);
    });
  }, [lab, endedId, checked]);

  const phase = current?.phase ?? null;
  const busy = phase === 'connecting' || phase === 'running' || phase === 'checking';
  const field = (key: keyof CheckSettings) => (v: number | string) => setForm((f) => ({ ...f, [key]: typeof v === 'number' ? v : Number(v) }));
  const shown = runs.find((r) => r.id === selected) ?? runs[0] ?? null;

  const importFile = async (file: File | null): Promise<void> => {
    if (!file) return;
    setImporting(file.name);
    try {
      const text = await file.text();
      if (text.length > 900_000) throw new Error(t('check.tooBig', { name: file.name, kib: Math.round(text.length / 1024) }));
      const kept = await lab.call({ method: 'check.import', name: file.name, text, timeLimitS: form.timeLimitS });
      setRuns(await lab.call({ method: 'check.runs' }));
      setSelected(kept.id);
    } finally {
      setImporting(null);
    }
  };

  const exportRun = async (id: number): Promise<void> => {
    const f = await lab.call({ method: 'check.export', id });
    const url = URL.createObjectURL(new Blob([f.text], { type: 'application/x-ndjson' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = f.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <Stack gap="md">
      <Card withBorder>
        <Group align="flex-end" gap="md">
          <NumberInput label={t('check.clients')} description={t('check.clientsHint')} min={1} max={32} value={form.clients} onChange={field('clients')} disabled={busy} w={150} data-testid="check-clients" />
          <NumberInput label={t('check.keys')} description={t('check.keysHint')} min={1} max={16} value={form.keys} onChange={field('keys')} disabled={busy} w={120} data-testid="check-keys" />
          <NumberInput label={t('check.seconds')} description="2–300" min={2} max={300} value={form.seconds} onChange={field('seconds')} disabled={busy} w={110} data-testid="check-seconds" />
          <NumberInput label={t('check.rate')} description={t('check.rateHint')} min={0} max={100_000} value={form.rate} onChange={field('rate')} disabled={busy} w={170} />
          <NumberInput label={t('check.reads')} description={t('check.readsHint')} min={0} max={100} suffix=" %" value={form.readPercent} onChange={field('readPercent')} disabled={busy} w={110} />
          <NumberInput label={t('check.writes')} description={t('check.writesHint')} min={0} max={100} suffix=" %" value={form.writePercent} onChange={field('writePercent')} disabled={busy} w={140} />
          <NumberInput label={t('check.syncs')} description={t('check.syncsHint')} min={0} max={100} suffix=" %" value={form.syncPercent} onChange={field('syncPercent')} disabled={busy} w={140} />
          <Select label={t('check.faults')} description={t('check.faultsHint')} data={FAULTS.map((f) => ({ value: f.value, label: t(f.label) }))} value={form.faults} onChange={(v) => v && setForm((f) => ({ ...f, faults: v as CheckFaults }))} disabled={busy} w={250} allowDeselect={false} data-testid="check-faults" />
          {phase === 'connecting' || phase === 'running' ? (
            <Button color="red" variant="light" onClick={() => run(lab.call({ method: 'check.stop' }))} data-testid="check-stop">
              {t('check.stop')}
            </Button>
          ) : (
            <Button onClick={() => run(lab.call({ method: 'check.start', settings: form }))} disabled={busy || !view || view.attached} loading={phase === 'checking'} data-testid="check-start">
              {t('check.start')}
            </Button>
          )}
        </Group>
        <Group mt="sm" gap="sm">
          <FileButton onChange={(f) => void run(importFile(f))} accept=".jsonl,.json,.txt,application/x-ndjson">
            {(p) => (
              <Button size="xs" variant="light" {...p} loading={importing !== null} data-testid="check-import">
                {t('check.import')}
              </Button>
            )}
          </FileButton>
          <Text size="xs" c="dimmed">
            {t('check.importHint')}
          </Text>
        </Group>
        {view?.attached && (
          <Text size="xs" c="dimmed" mt="xs">
            {t('check.attached')}
          </Text>
        )}
      </Card>

      {current && <Live run={current} />}

      {shown ? <Verdicts run={shown} onExport={() => void run(exportRun(shown.id))} /> : <Text c="dimmed" data-testid="check-none">{t('check.noRun')}</Text>}

      {runs.length > 0 && <Runs runs={runs} selected={shown?.id ?? null} onSelect={setSelected} />}
    </Stack>
  );
}

/** The run under way (or the last one): its phase, how far it is, what it did to the lab. */
function Live({ run }: { run: CheckRunView }) {
  const { t } = useTranslation();
  const elapsed = run.phase === 'running' ? Math.min(1, (Date.now() - run.startedAt) / 1000 / run.settings.seconds) : run.phase === 'connecting' ? 0 : 1;
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Group gap="sm">
          <Badge color={PHASE_COLOR[run.phase]} data-testid="check-phase">
            {t(PHASE_KEY[run.phase])}
          </Badge>
          <Text size="sm" data-testid="check-progress">
            {t('check.progress', { ops: run.ops, ok: run.results.ok, fail: run.results.fail, unknown: run.results.unknown })}
          </Text>
        </Group>
        <Text size="xs" c="dimmed">
          {t('check.runSettings', { time: clock(run.startedAt), clients: run.settings.clients, keys: run.settings.keys, seconds: run.settings.seconds, faults: t(FAULTS.find((f) => f.value === run.settings.faults)?.label ?? 'check.faultsNone') })}
        </Text>
      </Group>
      {(run.phase === 'connecting' || run.phase === 'running' || run.phase === 'checking') && <Progress mt="xs" value={elapsed * 100} animated={run.phase !== 'running'} />}
      {run.error && (
        <Alert color="red" mt="xs" data-testid="check-error">
          {run.error}
        </Alert>
      )}
      {run.log.length > 0 && (
        <ScrollArea h={90} mt="xs">
          {run.log.map((l, i) => (
            <Text key={i} size="xs" ff="monospace" data-testid="check-log">
              {clock(l.time)} {l.text}
            </Text>
          ))}
        </ScrollArea>
      )}
    </Card>
  );
}

/** Both models' verdicts on one run, side by side; a violation with its counterexample drawn. */
function Verdicts({ run, onExport }: { run: CheckRunSummary; onExport: () => void }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid="check-verdicts" data-run={run.id}>
      <Group justify="space-between" mb="xs">
        <Title order={5}>
          {run.source === 'import' ? t('check.imported', { name: run.name }) : run.source === 'load' ? t('check.theLoad', { name: run.name }) : run.source === 'lock' ? t('check.theLock', { name: run.name }) : t('check.run', { id: run.id })}{t('check.opsOnKeys', { ops: run.ops, count: run.keys })}
        </Title>
        <Button size="xs" variant="default" onClick={onExport} data-testid="check-export">
          {t('check.export')}
        </Button>
      </Group>
      {run.note && (
        <Text size="xs" c="dimmed" mb="xs">
          {run.note}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {(['zookeeper', 'linearizable'] as const).map((m) => (
          <Verdict key={m} model={m} v={run.verdicts[m]} />
        ))}
      </SimpleGrid>
      {(['zookeeper', 'linearizable'] as const).map((m) => {
        const v = run.verdicts[m];
        if (v?.verdict !== 'violation' || !v.counterexample) return null;
        // The same counterexample under both models is drawn once.
        if (m === 'linearizable' && run.verdicts.zookeeper?.counterexample?.culprit === v.counterexample.culprit) return null;
        return (
          <Stack key={m} gap={4} mt="md" data-testid={`check-cex-${m}`}>
            <Text size="sm" fw={600}>
              {t(MODEL[m].why, { key: v.counterexample.key })}
              {v.counterexample.earlier > 0 ? t('check.earlier', { n: v.counterexample.earlier }) : ''}
              {t('check.colon')}
            </Text>
            <CounterexampleView cex={v.counterexample} marks={run.marks} />
          </Stack>
        );
      })}
    </Card>
  );
}

function Verdict({ model, v }: { model: 'zookeeper' | 'linearizable'; v: CheckVerdict | null }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="sm" data-testid={`check-verdict-${model}`} data-verdict={v?.verdict ?? 'none'}>
      <Group justify="space-between">
        <Text fw={600}>{t(MODEL[model].title)}</Text>
        <Badge color={v ? VERDICT_COLOR[v.verdict] : 'gray'} size="lg">
          {v ? t(VERDICT_KEY[v.verdict]) : t('check.notChecked')}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed">
        {t(MODEL[model].words)}
      </Text>
      {v?.verdict === 'violation' && v.counterexample && (
        <Text size="sm" mt={4} data-testid={`check-explanation-${model}`}>
          {v.counterexample.explanation}.
        </Text>
      )}
      {v?.verdict === 'undecided' && (
        <Text size="sm" mt={4}>
          {t('check.undecidedText', { what: v.undecided })}
        </Text>
      )}
    </Card>
  );
}

/** The kept runs and imports, newest first: pick one to see its verdicts. */
function Runs({ runs, selected, onSelect }: { runs: CheckRunSummary[]; selected: number | null; onSelect: (id: number) => void }) {
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        {t('check.runs')}
      </Title>
      <Table fz="xs" verticalSpacing={2} highlightOnHover data-testid="check-runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('check.colRun')}</Table.Th>
            <Table.Th>{t('check.colStarted')}</Table.Th>
            <Table.Th>{t('check.colSettings')}</Table.Th>
            <Table.Th>{t('check.colOps')}</Table.Th>
            <Table.Th>{t('check.colZk')}</Table.Th>
            <Table.Th>{t('check.colLin')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((r) => (
            <Table.Tr key={r.id} onClick={() => onSelect(r.id)} style={{ cursor: 'pointer' }} bg={r.id === selected ? 'var(--mantine-color-blue-light)' : undefined} data-testid="check-run">
              <Table.Td>{r.source === 'run' ? t('check.runLower', { id: r.id }) : r.name}</Table.Td>
              <Table.Td>{new Date(r.startedAt).toLocaleString(locale())}</Table.Td>
              <Table.Td>{r.settings ? `${r.settings.clients} · ${r.settings.keys} · ${r.settings.seconds} s · ${r.settings.faults}` : r.source === 'load' ? t('check.steadyKeys', { n: r.keys }) : r.source === 'lock' ? t('check.lockShort') : t('check.importedShort')}</Table.Td>
              <Table.Td>{r.ops}</Table.Td>
              {(['zookeeper', 'linearizable'] as const).map((m) => (
                <Table.Td key={m}>
                  <Badge size="xs" color={r.verdicts[m] ? VERDICT_COLOR[r.verdicts[m]!.verdict] : 'gray'}>
                    {r.verdicts[m] ? t(VERDICT_KEY[r.verdicts[m]!.verdict]) : '—'}
                  </Badge>
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

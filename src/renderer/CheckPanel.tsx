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

const DEFAULTS: CheckSettings = { clients: 5, keys: 2, seconds: 10, faults: 'none', rate: 0, readPercent: 50, writePercent: 30, syncPercent: 10, timeLimitS: 10 };
const FAULTS: { value: CheckFaults; label: string }[] = [
  { value: 'none', label: 'none' },
  { value: 'partitions', label: 'partitions (isolate a member)' },
  { value: 'kills', label: 'kills (SIGKILL, restart)' },
  { value: 'pauses', label: 'pauses (SIGSTOP, SIGCONT)' },
  { value: 'mixed', label: 'mixed (each in turn)' },
];
const MODEL = {
  zookeeper: { title: "ZooKeeper's guarantees", words: 'writes and cas linearizable, each session in order, reads possibly stale but never going back' },
  linearizable: { title: 'Linearizable', words: 'every operation, reads included, at one instant between its call and its return' },
} as const;
const VERDICT_COLOR = { ok: 'teal', violation: 'red', undecided: 'yellow' } as const;
const PHASE_COLOR: Record<CheckRunView['phase'], string> = { connecting: 'yellow', running: 'teal', checking: 'blue', done: 'gray', failed: 'red' };

export function CheckPanel({ lab, view, run }: { lab: LabApi; view: LabView | null; run: (p: Promise<unknown>, done?: string) => Promise<void> }) {
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
      if (text.length > 900_000) throw new Error(`${file.name} is ${Math.round(text.length / 1024)} KiB; the page imports histories up to 900 KB. Check a larger one with zk-lab check history ${file.name}.`);
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
          <NumberInput label="Clients" description="1–32, each its own session" min={1} max={32} value={form.clients} onChange={field('clients')} disabled={busy} w={150} data-testid="check-clients" />
          <NumberInput label="Keys" description="znodes (1–16)" min={1} max={16} value={form.keys} onChange={field('keys')} disabled={busy} w={120} data-testid="check-keys" />
          <NumberInput label="Seconds" description="2–300" min={2} max={300} value={form.seconds} onChange={field('seconds')} disabled={busy} w={110} data-testid="check-seconds" />
          <NumberInput label="Rate" description="ops/s in all; 0: as fast as they go" min={0} max={100_000} value={form.rate} onChange={field('rate')} disabled={busy} w={170} />
          <NumberInput label="Reads" description="% getData" min={0} max={100} suffix=" %" value={form.readPercent} onChange={field('readPercent')} disabled={busy} w={110} />
          <NumberInput label="Writes" description="% setData; rest cas" min={0} max={100} suffix=" %" value={form.writePercent} onChange={field('writePercent')} disabled={busy} w={140} />
          <NumberInput label="Syncs" description="% sync, then a read" min={0} max={100} suffix=" %" value={form.syncPercent} onChange={field('syncPercent')} disabled={busy} w={140} />
          <Select label="Faults" description="thrown during the run, then healed" data={FAULTS} value={form.faults} onChange={(v) => v && setForm((f) => ({ ...f, faults: v as CheckFaults }))} disabled={busy} w={250} allowDeselect={false} data-testid="check-faults" />
          {phase === 'connecting' || phase === 'running' ? (
            <Button color="red" variant="light" onClick={() => run(lab.call({ method: 'check.stop' }))} data-testid="check-stop">
              Stop and check
            </Button>
          ) : (
            <Button onClick={() => run(lab.call({ method: 'check.start', settings: form }))} disabled={busy || !view || view.attached} loading={phase === 'checking'} data-testid="check-start">
              Run and check
            </Button>
          )}
        </Group>
        <Group mt="sm" gap="sm">
          <FileButton onChange={(f) => void run(importFile(f))} accept=".jsonl,.json,.txt,application/x-ndjson">
            {(p) => (
              <Button size="xs" variant="light" {...p} loading={importing !== null} data-testid="check-import">
                Import a history file…
              </Button>
            )}
          </FileButton>
          <Text size="xs" c="dimmed">
            One JSON operation per line (the README&apos;s &quot;The history format&quot;): checked under both models and kept with the lab&apos;s runs.
          </Text>
        </Group>
        {view?.attached && (
          <Text size="xs" c="dimmed" mt="xs">
            An attached ensemble is read-only to the lab, and a checked run writes znodes and throws faults: launch a lab to run one. Imports work.
          </Text>
        )}
      </Card>

      {current && <Live run={current} />}

      {shown ? <Verdicts run={shown} onExport={() => void run(exportRun(shown.id))} /> : <Text c="dimmed" data-testid="check-none">No checked run yet: run one, or import a history file.</Text>}

      {runs.length > 0 && <Runs runs={runs} selected={shown?.id ?? null} onSelect={setSelected} />}
    </Stack>
  );
}

/** The run under way (or the last one): its phase, how far it is, what it did to the lab. */
function Live({ run }: { run: CheckRunView }) {
  const elapsed = run.phase === 'running' ? Math.min(1, (Date.now() - run.startedAt) / 1000 / run.settings.seconds) : run.phase === 'connecting' ? 0 : 1;
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Group gap="sm">
          <Badge color={PHASE_COLOR[run.phase]} data-testid="check-phase">
            {run.phase}
          </Badge>
          <Text size="sm" data-testid="check-progress">
            {run.ops} operations recorded: {run.results.ok} ok, {run.results.fail} failed, {run.results.unknown} unknown
          </Text>
        </Group>
        <Text size="xs" c="dimmed">
          started {clock(run.startedAt)} · {run.settings.clients} clients · {run.settings.keys} keys · {run.settings.seconds} s · faults: {run.settings.faults}
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
  return (
    <Card withBorder data-testid="check-verdicts" data-run={run.id}>
      <Group justify="space-between" mb="xs">
        <Title order={5}>
          {run.source === 'import' ? `Imported ${run.name}` : run.source === 'load' ? `The ${run.name}` : run.source === 'lock' ? `The playground's ${run.name}` : `Run ${run.id}`}: {run.ops} operations on {run.keys} key{run.keys === 1 ? '' : 's'}
        </Title>
        <Button size="xs" variant="default" onClick={onExport} data-testid="check-export">
          Export the history
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
              Why not {MODEL[m].title.toLowerCase()}, on {v.counterexample.key}
              {v.counterexample.earlier > 0 ? ` (after ${v.counterexample.earlier} earlier operations that can be ordered)` : ''}:
            </Text>
            <CounterexampleView cex={v.counterexample} marks={run.marks} />
          </Stack>
        );
      })}
    </Card>
  );
}

function Verdict({ model, v }: { model: 'zookeeper' | 'linearizable'; v: CheckVerdict | null }) {
  return (
    <Card withBorder padding="sm" data-testid={`check-verdict-${model}`} data-verdict={v?.verdict ?? 'none'}>
      <Group justify="space-between">
        <Text fw={600}>{MODEL[model].title}</Text>
        <Badge color={v ? VERDICT_COLOR[v.verdict] : 'gray'} size="lg">
          {v?.verdict ?? 'not checked'}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed">
        {MODEL[model].words}
      </Text>
      {v?.verdict === 'violation' && v.counterexample && (
        <Text size="sm" mt={4} data-testid={`check-explanation-${model}`}>
          {v.counterexample.explanation}.
        </Text>
      )}
      {v?.verdict === 'undecided' && (
        <Text size="sm" mt={4}>
          {v.undecided}: the search stopped at its bound rather than guess (a longer time limit may decide it).
        </Text>
      )}
    </Card>
  );
}

/** The kept runs and imports, newest first: pick one to see its verdicts. */
function Runs({ runs, selected, onSelect }: { runs: CheckRunSummary[]; selected: number | null; onSelect: (id: number) => void }) {
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        Checked histories in this lab
      </Title>
      <Table fz="xs" verticalSpacing={2} highlightOnHover data-testid="check-runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>run</Table.Th>
            <Table.Th>started</Table.Th>
            <Table.Th>clients · keys · seconds · faults</Table.Th>
            <Table.Th>ops</Table.Th>
            <Table.Th>zookeeper</Table.Th>
            <Table.Th>linearizable</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((r) => (
            <Table.Tr key={r.id} onClick={() => onSelect(r.id)} style={{ cursor: 'pointer' }} bg={r.id === selected ? 'var(--mantine-color-blue-light)' : undefined} data-testid="check-run">
              <Table.Td>{r.source === 'run' ? `run ${r.id}` : r.name}</Table.Td>
              <Table.Td>{new Date(r.startedAt).toLocaleString()}</Table.Td>
              <Table.Td>{r.settings ? `${r.settings.clients} · ${r.settings.keys} · ${r.settings.seconds} s · ${r.settings.faults}` : r.source === 'load' ? `steady load: a key per session, ${r.keys} keys` : r.source === 'lock' ? 'lock playground: acquire and release, checked as a mutex' : 'imported'}</Table.Td>
              <Table.Td>{r.ops}</Table.Td>
              {(['zookeeper', 'linearizable'] as const).map((m) => (
                <Table.Td key={m}>
                  <Badge size="xs" color={r.verdicts[m] ? VERDICT_COLOR[r.verdicts[m]!.verdict] : 'gray'}>
                    {r.verdicts[m]?.verdict ?? '—'}
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

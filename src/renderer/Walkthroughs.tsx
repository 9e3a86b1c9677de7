// The seed's claims, run on the lab: pick one, watch each step happen to the real members in the
// view where the claim is seen (beside the steps: Cluster, Wire, Tree or Timeline), and read what
// the seed says beside what the members did. A walkthrough that erases data asks first, says
// what will be lost and offers to export the tree. Its words are in src/shared/walkthroughs.ts.
import { Alert, Badge, Button, Card, Grid, Group, Loader, Modal, ScrollArea, SegmentedControl, Select, Stack, Switch, Text, Timeline, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { TreeExport, WalkthroughId, WalkthroughPace, WalkthroughState } from '../shared/contract';
import { VERDICT, WALKTHROUGH_TEXT as TEXT, WALKTHROUGHS, type WalkthroughInfo } from '../shared/walkthroughs';
import { Cluster } from './Cluster';
import { LockPlayground } from './LockPlayground';
import { Timeline as LabTimeline } from './Timeline';
import { TreeExplorer } from './TreeExplorer';
import type { ViewProps } from './views';
import { Wire } from './Wire';

const COLOR = { pending: 'gray', running: 'blue', done: 'teal', failed: 'red' } as const;

/** The view shown beside the steps, and its label. */
const SIDE: Record<WalkthroughInfo['view'], string> = { cluster: 'Cluster', wire: 'Wire', tree: 'Tree', timeline: 'Timeline', locks: 'Locks' };


export function Walkthroughs(props: ViewProps) {
  const { lab, view } = props;
  const [state, setState] = useState<WalkthroughState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState<WalkthroughId | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [side, setSide] = useState<WalkthroughInfo['view']>('cluster');
  // A pace a person can follow: a wait between steps, and a pause before the moment that matters.
  const [pace, setPace] = useState<WalkthroughPace>({ mode: 'auto', delayMs: 1500, pauseAtKey: true });
  useEffect(() => {
    void lab.call({ method: 'walkthrough.state' }).then(setState, () => undefined);
    return lab.onPush((p) => {
      if (p.kind === 'walkthrough') setState(p.state);
    });
  }, [lab]);
  const running = state?.running ?? false;
  const start = async (id: WalkthroughId, confirm: boolean): Promise<void> => {
    setError(null);
    setAsking(null);
    setSide(WALKTHROUGHS[id].view);
    try {
      const s = await lab.call({ method: 'walkthrough.run', id, confirm, pace });
      if (s) setState(s);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const run = (id: WalkthroughId): void => {
    if (WALKTHROUGHS[id].erases) {
      setExported(null);
      setAsking(id);
    } else void start(id, false);
  };
  const exportTree = async (): Promise<void> => {
    setExporting(true);
    try {
      const doc = await lab.call({ method: 'tree.export', path: '/', through: null });
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${view?.name ?? 'lab'}-before-walkthrough.zk-tree.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExported(TEXT.exported(doc.nodes.length, a.download));
    } catch (e) {
      setExported((e as Error).message);
    } finally {
      setExporting(false);
    }
  };
  const info = state ? WALKTHROUGHS[state.id] : null;
  const next = (p?: WalkthroughPace): void => {
    if (p) setPace(p);
    void lab.call({ method: 'walkthrough.next', ...(p ? { pace: p } : {}) }).catch((e: Error) => setError(e.message));
  };
  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 4 }}>
        <Stack>
          <Title order={3}>{TEXT.heading}</Title>
          <Text size="sm" c="dimmed">
            {TEXT.intro}
          </Text>
          {!view && <Text>{TEXT.noLab}</Text>}
          {error && (
            <Alert color="red" withCloseButton onClose={() => setError(null)} data-testid="walkthrough-error">
              {error}
            </Alert>
          )}
          <Group gap="sm" align="flex-end">
            <SegmentedControl size="xs" value={pace.mode} onChange={(m) => setPace({ ...pace, mode: m as WalkthroughPace['mode'] })} data={[{ value: 'auto', label: TEXT.paceMode.auto }, { value: 'step', label: TEXT.paceMode.step }]} data-testid="walkthrough-mode" />
            <Select size="xs" w={120} label={TEXT.speed} disabled={pace.mode === 'step'} value={String(pace.delayMs)} onChange={(v) => v !== null && setPace({ ...pace, delayMs: Number(v) })} data={TEXT.speeds} allowDeselect={false} data-testid="walkthrough-speed" />
            <Switch size="xs" label={TEXT.pauseAtKey} disabled={pace.mode === 'step'} checked={pace.pauseAtKey} onChange={(e) => setPace({ ...pace, pauseAtKey: e.currentTarget.checked })} data-testid="walkthrough-pause-key" />
          </Group>
          {state && info && (
            <Card withBorder data-testid="walkthrough" data-id={state.id} data-running={state.running} data-passed={String(state.passed)}>
              <Group justify="space-between" mb={4}>
                <Group>
                  <Title order={5}>{state.title}</Title>
                  {state.running && <Loader size="xs" />}
                </Group>
                {state.running && (
                  <Button size="xs" variant="light" color="red" onClick={() => void lab.call({ method: 'walkthrough.stop' })} data-testid="walkthrough-stop">
                    {TEXT.stop}
                  </Button>
                )}
              </Group>
              <Text size="xs" c="dimmed" mb="sm">
                {TEXT.seed} {info.seedSection}
              </Text>
              <Timeline active={state.steps.length - 1} bulletSize={18} lineWidth={2}>
                {state.steps.map((s, i) => (
                  <Timeline.Item key={i} color={COLOR[s.status]} title={s.key ? `★ ${s.text}` : s.text} data-testid="walkthrough-step" data-status={s.status} data-key={s.key ? 'true' : undefined}>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {s.status === 'running' ? TEXT.waiting : s.observed}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
              {state.running && state.waitingBefore && (
                <Alert mt="md" color="blue" title={TEXT.waitingTitle} data-testid="walkthrough-waiting">
                  <Text size="sm" mb="xs">
                    {state.waitingBefore}
                  </Text>
                  <Group gap="xs">
                    <Button size="xs" onClick={() => next()} data-testid="walkthrough-next">
                      {TEXT.next}
                    </Button>
                    <Button size="xs" variant="light" onClick={() => next({ mode: 'auto', delayMs: pace.delayMs, pauseAtKey: false })} data-testid="walkthrough-continue">
                      {TEXT.continueAuto}
                    </Button>
                  </Group>
                </Alert>
              )}
              {state.verdict && (
                <Alert mt="md" color={state.passed ? 'teal' : 'red'} title={state.passed ? VERDICT.agrees : VERDICT.disagrees} data-testid="walkthrough-verdict">
                  <Text size="sm" data-testid="walkthrough-seed-says">
                    <b>{VERDICT.seedSays}:</b> {state.seedSays}
                  </Text>
                  <Text size="sm" mt={4} data-testid="walkthrough-lab-saw">
                    <b>{VERDICT.labSaw}:</b> {state.labSaw}
                  </Text>
                </Alert>
              )}
              {state.error && (
                <Alert mt="md" color="red" title={TEXT.failed} data-testid="walkthrough-failure">
                  {state.error}
                </Alert>
              )}
            </Card>
          )}
          <ScrollArea.Autosize mah={state ? 420 : undefined}>
            <Stack gap="xs">
              {(Object.entries(WALKTHROUGHS) as [WalkthroughId, WalkthroughInfo][]).map(([id, w]) => (
                <Card key={id} withBorder padding="sm">
                  <Group justify="space-between" mb={4} wrap="nowrap">
                    <Text fw={700} size="sm">
                      {w.title}
                    </Text>
                    <Button size="xs" disabled={!view || running} onClick={() => run(id)} data-testid={`walkthrough-run-${id}`}>
                      {TEXT.run}
                    </Button>
                  </Group>
                  <Text size="sm" mb={4}>
                    {w.claim}
                  </Text>
                  <Group gap={4}>
                    <Badge variant="light" color="gray" tt="none">
                      {TEXT.seed} {w.seedSection}
                    </Badge>
                    <Badge variant="light" color="gray" tt="none">
                      {w.needs}
                    </Badge>
                    {w.erases && (
                      <Badge variant="light" color="red" tt="none">
                        {TEXT.erasesBadge}
                      </Badge>
                    )}
                  </Group>
                </Card>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 8 }}>
        <Stack>
          <SegmentedControl value={side} onChange={(v) => setSide(v as WalkthroughInfo['view'])} data={Object.entries(SIDE).map(([value, label]) => ({ value, label }))} data-testid="walkthrough-side" />
          {/* The Wire view's lanes are wider than this half of the page: they scroll here instead of being cut off. */}
          <div data-testid="walkthrough-side-view" data-view={side} style={{ minWidth: 0, overflowX: 'auto' }}>
            {side === 'cluster' && <Cluster {...props} />}
            {side === 'wire' && <Wire {...props} />}
            {side === 'tree' && <TreeExplorer lab={lab} view={view} />}
            {side === 'timeline' && <LabTimeline {...props} />}
            {side === 'locks' && <LockPlayground {...props} />}
          </div>
        </Stack>
      </Grid.Col>
      <Modal opened={asking !== null} onClose={() => setAsking(null)} title={TEXT.confirmTitle} data-testid="walkthrough-confirm-modal">
        {asking && (
          <Stack>
            <Text size="sm" data-testid="walkthrough-erases">
              {TEXT.confirmLead(WALKTHROUGHS[asking].title)} {WALKTHROUGHS[asking].erases}.
            </Text>
            <Text size="sm">{TEXT.confirmExport}</Text>
            <Button variant="light" loading={exporting} onClick={() => void exportTree()} data-testid="walkthrough-export">
              {exporting ? TEXT.exporting : TEXT.exportButton}
            </Button>
            {exported && (
              <Text size="xs" c="dimmed" data-testid="walkthrough-exported">
                {exported}
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAsking(null)} data-testid="walkthrough-cancel">
                {TEXT.cancel}
              </Button>
              <Button color="red" onClick={() => void start(asking, true)} data-testid="walkthrough-confirm">
                {TEXT.confirm}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Grid>
  );
}

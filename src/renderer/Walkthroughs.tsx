// The seed's claims, run on the lab: pick one, watch each step happen to the real members in the
// view where the claim is seen (beside the steps: Cluster, Wire, Tree or Timeline), and read what
// the seed says beside what the members did. A walkthrough that erases data asks first, says
// what will be lost and offers to export the tree. Its words, and each walkthrough's title, seed
// section, claim and needs, are in the catalogues (i18n/en.ts, zh.ts; the English ones are
// src/shared/walkthroughs.ts's, which zk-lab prints); the steps and what the lab saw are the
// backend's live readings, in English.
import { Alert, Badge, Button, Card, Grid, Group, Loader, Modal, ScrollArea, SegmentedControl, Select, Stack, Switch, Text, Timeline, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { WalkthroughId, WalkthroughPace, WalkthroughState } from '../shared/contract';
import { WALKTHROUGHS, type WalkthroughInfo } from '../shared/walkthroughs';
import { Cluster } from './Cluster';
import { useTranslation } from './i18n';
import { LockPlayground } from './LockPlayground';
import { Timeline as LabTimeline } from './Timeline';
import { TreeExplorer } from './TreeExplorer';
import type { ViewProps } from './views';
import { Wire } from './Wire';

const COLOR = { pending: 'gray', running: 'blue', done: 'teal', failed: 'red' } as const;

/** The view shown beside the steps, and its label's key. */
const SIDE: Record<WalkthroughInfo['view'], string> = { cluster: 'walkthroughs.sideCluster', wire: 'walkthroughs.sideWire', tree: 'walkthroughs.sideTree', timeline: 'walkthroughs.sideTimeline', locks: 'walkthroughs.sideLocks' };
/** The pace's waits between steps, in ms, with their labels' keys. */
const SPEEDS = [
  { value: '0', key: 'walkthroughs.speed0' },
  { value: '1500', key: 'walkthroughs.speed1500' },
  { value: '3000', key: 'walkthroughs.speed3000' },
  { value: '6000', key: 'walkthroughs.speed6000' },
] as const;

export function Walkthroughs(props: ViewProps) {
  const { lab, view } = props;
  const { t, i18n } = useTranslation();
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
      setExported(t('walkthroughs.exported', { n: doc.nodes.length, file: a.download }));
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
          <Title order={3}>{t('walkthroughs.heading')}</Title>
          <Text size="sm" c="dimmed">
            {t('walkthroughs.intro')}
          </Text>
          {!view && <Text>{t('walkthroughs.noLab')}</Text>}
          {error && (
            <Alert color="red" withCloseButton onClose={() => setError(null)} data-testid="walkthrough-error">
              {error}
            </Alert>
          )}
          <Group gap="sm" align="flex-end">
            <SegmentedControl size="xs" value={pace.mode} onChange={(m) => setPace({ ...pace, mode: m as WalkthroughPace['mode'] })} data={[{ value: 'auto', label: t('walkthroughs.auto') }, { value: 'step', label: t('walkthroughs.step') }]} data-testid="walkthrough-mode" />
            <Select size="xs" w={120} label={t('walkthroughs.speed')} disabled={pace.mode === 'step'} value={String(pace.delayMs)} onChange={(v) => v !== null && setPace({ ...pace, delayMs: Number(v) })} data={SPEEDS.map((x) => ({ value: x.value, label: t(x.key) }))} allowDeselect={false} data-testid="walkthrough-speed" />
            <Switch size="xs" label={t('walkthroughs.pauseAtKey')} disabled={pace.mode === 'step'} checked={pace.pauseAtKey} onChange={(e) => setPace({ ...pace, pauseAtKey: e.currentTarget.checked })} data-testid="walkthrough-pause-key" />
          </Group>
          {state && info && (
            <Card withBorder data-testid="walkthrough" data-id={state.id} data-running={state.running} data-passed={String(state.passed)}>
              <Group justify="space-between" mb={4}>
                <Group>
                  <Title order={5}>{t(`walkTitle.${state.id}`)}</Title>
                  {state.running && <Loader size="xs" />}
                </Group>
                {state.running && (
                  <Button size="xs" variant="light" color="red" onClick={() => void lab.call({ method: 'walkthrough.stop' })} data-testid="walkthrough-stop">
                    {t('walkthroughs.stop')}
                  </Button>
                )}
              </Group>
              <Text size="xs" c="dimmed" mb="sm">
                {t('walkthroughs.seed')} {t(`walkSection.${state.id}`)}
              </Text>
              {i18n.language !== 'en' && (
                <Text size="xs" c="dimmed" mb="xs">
                  {t('walkthroughs.live')}
                </Text>
              )}
              <Timeline active={state.steps.length - 1} bulletSize={18} lineWidth={2}>
                {state.steps.map((s, i) => (
                  <Timeline.Item key={i} color={COLOR[s.status]} title={s.key ? `★ ${s.text}` : s.text} data-testid="walkthrough-step" data-status={s.status} data-key={s.key ? 'true' : undefined}>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {s.status === 'running' ? t('walkthroughs.waiting') : s.observed}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
              {state.running && state.waitingBefore && (
                <Alert mt="md" color="blue" title={t('walkthroughs.waitingTitle')} data-testid="walkthrough-waiting">
                  <Text size="sm" mb="xs">
                    {state.waitingBefore}
                  </Text>
                  <Group gap="xs">
                    <Button size="xs" onClick={() => next()} data-testid="walkthrough-next">
                      {t('walkthroughs.next')}
                    </Button>
                    <Button size="xs" variant="light" onClick={() => next({ mode: 'auto', delayMs: pace.delayMs, pauseAtKey: false })} data-testid="walkthrough-continue">
                      {t('walkthroughs.continueAuto')}
                    </Button>
                  </Group>
                </Alert>
              )}
              {state.verdict && (
                <Alert mt="md" color={state.passed ? 'teal' : 'red'} title={state.passed ? t('walkthroughs.agrees') : t('walkthroughs.disagrees')} data-testid="walkthrough-verdict">
                  <Text size="sm" data-testid="walkthrough-seed-says">
                    <b>{t('walkthroughs.seedSays')}:</b> {state.seedSays}
                  </Text>
                  <Text size="sm" mt={4} data-testid="walkthrough-lab-saw">
                    <b>{t('walkthroughs.labSaw')}:</b> {state.labSaw}
                  </Text>
                </Alert>
              )}
              {state.error && (
                <Alert mt="md" color="red" title={t('walkthroughs.failed')} data-testid="walkthrough-failure">
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
                      {t(`walkTitle.${id}`)}
                    </Text>
                    {/* A long title (in Chinese, above all) must not squeeze the button. */}
                    <Button size="xs" style={{ flexShrink: 0 }} disabled={!view || running} onClick={() => run(id)} data-testid={`walkthrough-run-${id}`}>
                      {t('walkthroughs.run')}
                    </Button>
                  </Group>
                  <Text size="sm" mb={4}>
                    {t(`walkClaim.${id}`)}
                  </Text>
                  <Group gap={4}>
                    <Badge variant="light" color="gray" tt="none">
                      {t('walkthroughs.seed')} {t(`walkSection.${id}`)}
                    </Badge>
                    <Badge variant="light" color="gray" tt="none">
                      {t(`walkNeeds.${id}`)}
                    </Badge>
                    {w.erases && (
                      <Badge variant="light" color="red" tt="none">
                        {t('walkthroughs.erasesBadge')}
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
          <SegmentedControl value={side} onChange={(v) => setSide(v as WalkthroughInfo['view'])} data={Object.entries(SIDE).map(([value, key]) => ({ value, label: t(key) }))} data-testid="walkthrough-side" />
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
      <Modal opened={asking !== null} onClose={() => setAsking(null)} title={t('walkthroughs.confirmTitle')} data-testid="walkthrough-confirm-modal">
        {asking && (
          <Stack>
            <Text size="sm" data-testid="walkthrough-erases">
              {t('walkthroughs.confirmLead', { title: t(`walkTitle.${asking}`), what: t(`walkErases.${asking}`) })}
            </Text>
            <Text size="sm">{t('walkthroughs.confirmExport')}</Text>
            <Button variant="light" loading={exporting} onClick={() => void exportTree()} data-testid="walkthrough-export">
              {exporting ? t('walkthroughs.exporting') : t('walkthroughs.exportButton')}
            </Button>
            {exported && (
              <Text size="xs" c="dimmed" data-testid="walkthrough-exported">
                {exported}
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAsking(null)} data-testid="walkthrough-cancel">
                {t('walkthroughs.cancel')}
              </Button>
              <Button color="red" onClick={() => void start(asking, true)} data-testid="walkthrough-confirm">
                {t('walkthroughs.confirm')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Grid>
  );
}

// The first screen: launch a lab (or attach to an ensemble), then every node as a card, the
// quorum banner, the Kill / Stop zones to drag cards onto, the lab's network (links, faults and
// what the ensemble does under them: Network.tsx), and the lab's events as they happen.
import { Alert, Badge, Button, Card, Group, Loader, Modal, Progress, SegmentedControl, SimpleGrid, Stack, Switch, Text, ThemeIcon, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { FaultKind, FaultSpec, LabSize, LabView, NodeAction } from '../shared/contract';
import type { LabApi, Result } from '../shared/api';
import { sizeAdvice } from '../shared/walkthroughs';
import { AttachForm, LastAttachOffer } from './Connections';
import { progressText, useTranslation } from './i18n';
import { Events } from './Events';
import { NetBanner, NetworkPanel, useNet } from './Network';
import { NodeCard } from './NodeCard';
import { MembershipPanel, PortsModal, useMemberChange } from './Membership';
import { OpenDataDir, SourceBanner } from './OpenDataDir';
import { PastCluster } from './Replay';
import { bytesText } from './TreeSizes';
import { useReplay } from './replay';
import type { ViewProps } from './views';

type Engines = 'ours' | 'apache' | 'mixed';

/** Which node the drag carries, in the DataTransfer and in our own state (for the zones' look). */
const DRAG_TYPE = 'application/x-zookeeper-lab-node';

export function Cluster({ lab, view, progress, events, run }: ViewProps) {
  const { t } = useTranslation();
  const [dragging, setDragging] = useState<number | null>(null);
  const [confirmDestroy, setConfirmDestroy] = useState(false);
  /** Why members cannot be paused on the backend's platform (Windows has no SIGSTOP), or null. */
  const [noPause, setNoPause] = useState<string | null>(null);
  useEffect(() => {
    void lab.call({ method: 'capabilities' }).then((c) => setNoPause(c.pauseUnsupported), () => {});
  }, [lab]);
  const [now, setNow] = useState(Date.now());
  const { net, error: netError } = useNet(lab, view);
  const replay = useReplay();
  const { changing, change } = useMemberChange(lab, run);
  const [portsOf, setPortsOf] = useState<number | null>(null);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  if (!view) return <Launch lab={lab} progress={progress} run={run} />;

  // With the lab's network on, the process faults go through it, so that they are in the same
  // list as the network's (with a Heal each); undoing one heals it. Otherwise the plain actions.
  const act = (myid: number, action: NodeAction): Promise<void> => {
    if (net?.enabled && !view.attached) {
      const spec: FaultSpec | null =
        action === 'kill' ? { kind: 'kill', myid } : action === 'stop' ? { kind: 'stop', myid } : action === 'pause' ? { kind: 'pause', myid } : action === 'slow' ? { kind: 'slow-apply', myid, ms: 2000 } : null;
      if (spec) return run(lab.call({ method: 'net.fault', spec }));
      const undoes: FaultKind[] = action === 'start' ? ['kill', 'stop'] : action === 'resume' ? ['pause'] : action === 'unslow' ? ['slow-apply'] : [];
      const f = net.faults.find((x) => undoes.includes(x.spec.kind) && 'myid' in x.spec && x.spec.myid === myid);
      if (f) return run(lab.call({ method: 'net.heal', id: f.id }));
    }
    return run(lab.call({ method: 'node', myid, action }));
  };
  const down = view.nodes.filter((n) => n.role === 'down');
  const draggedNode = dragging !== null ? view.nodes.find((n) => n.myid === dragging) : undefined;

  const dropped = (e: React.DragEvent, action: NodeAction): void => {
    e.preventDefault();
    const myid = Number(e.dataTransfer.getData(DRAG_TYPE) || e.dataTransfer.getData('text/plain'));
    setDragging(null);
    if (!myid) return;
    const n = view.nodes.find((x) => x.myid === myid);
    if (!n) return;
    // Dropping a running node on the start zone, or a down one on Kill, would do nothing useful.
    if (action === 'start' && n.role !== 'down') return;
    if (action !== 'start' && n.role === 'down') return;
    void act(myid, action);
  };

  const zone = (label: string, hint: string, action: NodeAction, color: string, testid: string, active: boolean) => (
    <Card
      withBorder
      p="md"
      data-testid={testid}
      // A drop target has a name a screen reader says (the keys and the menu do the same).
      role="region"
      aria-label={`${label}: ${hint}`}
      style={{
        borderStyle: 'dashed',
        borderWidth: 2,
        borderColor: `var(--mantine-color-${color}-${active ? 6 : 3})`,
        background: active ? `var(--mantine-color-${color}-0)` : undefined,
        flex: 1,
        transition: 'background 120ms',
      }}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
      }}
      onDrop={(e) => dropped(e, action)}
    >
      <Text ta="center" c={color} fw={700}>
        {label}
      </Text>
      <Text ta="center" size="xs" c="dimmed">
        {hint}
      </Text>
    </Card>
  );

  const running = !!draggedNode && draggedNode.role !== 'down';
  // A moment picked on the Timeline's scrubber: the members as they were then, until Live.
  if (replay.at !== null) return <PastCluster ids={view.nodes.map((n) => n.myid)} lab={lab} />;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={3}>{t('cluster.title')}</Title>
          <Text size="xs" c="dimmed" ff="monospace" data-testid="lab-dir">
            {view.dir}
          </Text>
          {!view.attached && <DiskUseLine lab={lab} />}
        </div>
        <Group>
          {!view.attached && !progress && down.length > 0 && (
            <Button variant="light" onClick={() => run(lab.call({ method: 'startAll' }))} data-testid="start-all">
              {down.length === view.nodes.length ? t('cluster.startAllNodes') : t('cluster.startDown', { count: down.length })}
            </Button>
          )}
          <Button variant="subtle" color="red" onClick={() => (view.attached ? run(lab.call({ method: 'destroy' })) : setConfirmDestroy(true))} data-testid="destroy">
            {view.attached ? t('cluster.detach') : t('cluster.destroy')}
          </Button>
        </Group>
      </Group>
      <Modal opened={confirmDestroy} onClose={() => setConfirmDestroy(false)} title={t('cluster.destroyTitle')} centered>
        <Text size="sm" mb="md">
          {t('cluster.destroyText')}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirmDestroy(false)}>
            {t('cluster.keepIt')}
          </Button>
          <Button
            color="red"
            data-testid="destroy-confirm"
            onClick={() => {
              setConfirmDestroy(false);
              void run(lab.call({ method: 'destroy' }));
            }}
          >
            {t('cluster.destroyConfirm')}
          </Button>
        </Group>
      </Modal>
      {progress && !changing && <LaunchProgress progress={progress} total={view.nodes.length} />}
      <QuorumBanner view={view} launching={progress !== null} />
      <SourceBanner view={view} />
      {!view.attached && <NetBanner view={view} net={net} />}
      <SimpleGrid
        cols={{ base: 2, md: 3, lg: Math.min(view.nodes.length, 5) }}
        onDragOver={(e) => {
          if (draggedNode?.role === 'down') e.preventDefault();
        }}
        onDrop={(e) => dropped(e, 'start')}
        data-testid="node-grid"
      >
        {view.nodes.map((n) => (
          <NodeCard key={n.myid} n={n} now={now} attached={view.attached} act={act} dragType={DRAG_TYPE} onDrag={setDragging} labClientPort={n.labClientPort ?? net?.labClientPorts[String(n.myid)] ?? null}
            noPause={noPause}
            member={!view.attached && view.reconfigEnabled && view.nodes.length > 1 ? { change: (c) => void change(c), ports: setPortsOf, busy: changing } : null}
          />
        ))}
      </SimpleGrid>
      {view.attached ? (
        <Alert color="gray" data-testid="attached-banner">
          {t(view.attachedWrites ? 'cluster.attachedWritable' : 'cluster.attachedBanner', { dir: view.dir })}
        </Alert>
      ) : (
        <>
          <Group grow align="stretch">
            {zone(t('cluster.killZone'), t('cluster.killHint'), 'kill', 'red', 'kill-zone', running)}
            {zone(t('cluster.stopZone'), t('cluster.stopHint'), 'stop', 'orange', 'stop-zone', running)}
            {zone(t('cluster.startZone'), t('cluster.startHint'), 'start', 'teal', 'start-zone', draggedNode?.role === 'down')}
          </Group>
          <Text size="xs" c="dimmed">
            {t('cluster.keyboard')}
          </Text>
          <MembershipPanel view={view} progress={progress} changing={changing} change={change} />
          <PortsModal key={portsOf ?? 0} node={view.nodes.find((n) => n.myid === portsOf) ?? null} close={() => setPortsOf(null)} change={change} />
          <NetworkPanel lab={lab} view={view} net={net} error={netError} run={run} />
        </>
      )}
      <Events events={events} nodes={view.nodes.map((n) => n.myid)} />
    </Stack>
  );
}

function QuorumBanner({ view, launching }: { view: LabView; launching: boolean }) {
  const { t } = useTranslation();
  const voters = view.size;
  if (voters === 1) {
    const n = view.nodes[0]!;
    return (
      <Alert color={n.role === 'standalone' ? 'teal' : 'red'} data-testid="quorum-banner">
        {n.role === 'standalone' ? t('cluster.standalone') : t('cluster.standaloneDown', { role: t(`role.${n.role}`) })}
      </Alert>
    );
  }
  const electing = view.nodes.some((n) => n.role === 'looking');
  return (
    <Alert color={view.serving ? 'teal' : 'red'} data-testid="quorum-banner" title={view.serving ? t('cluster.serving') : electing ? t('cluster.electing') : t('cluster.noQuorum')}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">
          {view.serving
            ? t('cluster.servingText', { up: view.votersUp, voters, needed: view.quorumNeeded, leader: view.leader })
            : t(!launching && view.votersUp + view.nodes.filter((n) => n.role === 'looking').length < view.quorumNeeded ? 'cluster.notServingStart' : 'cluster.notServing', { up: view.votersUp, voters, needed: view.quorumNeeded })}
        </Text>
        <Group gap={4} wrap="nowrap">
          {view.nodes
            .filter((n) => !n.observer)
            .map((n) => (
              <ThemeIcon key={n.myid} size="sm" radius="xl" color={n.role === 'leader' || n.role === 'follower' ? 'teal' : n.role === 'looking' ? 'yellow' : 'red'} title={`${t('palette.who', { myid: n.myid, role: t(`role.${n.role}`) })}`}>
                <Text size="10px" fw={700}>
                  {n.myid}
                </Text>
              </ThemeIcon>
            ))}
        </Group>
      </Group>
    </Alert>
  );
}

function Launch({ lab, progress, run }: Pick<ViewProps, 'lab' | 'progress' | 'run'>) {
  const { t } = useTranslation();
  const [size, setSize] = useState('5');
  const [engines, setEngines] = useState<Engines>('ours');
  const [observers, setObservers] = useState('0');
  const [readOnly, setReadOnly] = useState(false);
  const [reconfig, setReconfig] = useState(false);
  const [caps, setCaps] = useState<{ apache: boolean; ours: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  // This form's own launch (not a dataDir being opened, whose card shows its own steps).
  const [launching, setLaunching] = useState(false);
  useEffect(() => {
    void lab.call({ method: 'capabilities' }).then(setCaps);
  }, [lab]);

  const total = Number(size) + (size === '1' ? 0 : Number(observers));
  const launch = async (): Promise<void> => {
    setBusy(true);
    setLaunching(true);
    await run(lab.call({ method: 'launch', size: Number(size) as LabSize, observers: size === '1' ? 0 : Number(observers), engines, readOnly: size === '1' ? false : readOnly, reconfig: engines !== 'ours' && size !== '1' && reconfig }));
    setBusy(false);
    setLaunching(false);
  };

  return (
    <Stack align="center" mt={60} gap="md" data-testid="empty-state">
      <Title order={2}>{t('cluster.noLab')}</Title>
      <LastAttachOffer lab={lab} run={run} busy={busy} />
      <Text c="dimmed" maw={560} ta="center">
        {t('cluster.noLabText')}
      </Text>
      <Group>
        <Text size="sm" w={90}>
          {t('cluster.nodes')}
        </Text>
        <SegmentedControl value={size} onChange={setSize} data={['1', '2', '3', '4', '5', '6', '7']} disabled={busy} data-testid="size" />
      </Group>
      <Text size="xs" c={Number(size) % 2 === 0 ? 'orange' : 'dimmed'} maw={560} ta="center" data-testid="size-advice">
        {sizeAdvice(Number(size))}
      </Text>
      <Group>
        <Text size="sm" w={90}>
          {t('cluster.observers')}
        </Text>
        <SegmentedControl value={size === '1' ? '0' : observers} onChange={setObservers} disabled={size === '1' || busy} data={['0', '1', '2']} data-testid="observers" />
      </Group>
      <Group>
        <Text size="sm" w={90}>
          {t('cluster.engine')}
        </Text>
        <SegmentedControl
          value={engines}
          onChange={(v) => setEngines(v as Engines)}
          disabled={busy}
          data={[
            { value: 'ours', label: t('cluster.engineOurs') },
            { value: 'apache', label: 'Apache ZooKeeper 3.8', disabled: !caps?.apache },
            { value: 'mixed', label: t('cluster.engineMixed'), disabled: !caps?.apache },
          ]}
          data-testid="engines"
        />
      </Group>
      <Group>
        <Text size="sm" w={90}>
          {t('cluster.readOnly')}
        </Text>
        <Switch
          checked={readOnly}
          onChange={(e) => setReadOnly(e.currentTarget.checked)}
          disabled={busy || size === '1'}
          label={t('cluster.readOnlyLabel')}
          data-testid="read-only-mode"
        />
      </Group>
      {engines !== 'ours' && (
        <Group>
          <Text size="sm" w={90}>
            {t('members.launchReconfig')}
          </Text>
          <Switch checked={reconfig} onChange={(e) => setReconfig(e.currentTarget.checked)} disabled={busy || size === '1'} label={t('members.launchReconfigLabel')} data-testid="launch-reconfig" />
        </Group>
      )}
      {caps && !caps.apache && (
        <Text size="xs" c="dimmed">
          {t('cluster.needsApache')}
        </Text>
      )}
      {caps && !caps.ours && (
        <Text size="xs" c="red">
          {t('cluster.notBuilt')}
        </Text>
      )}
      <Button size="lg" onClick={launch} loading={busy} data-testid="launch">
        {t('cluster.launch', { size })}
      </Button>
      {launching && <LaunchProgress progress={progress} total={total} />}
      <OpenDataDir lab={lab} progress={progress} run={run} busy={busy} setBusy={setBusy} />
      <AttachForm lab={lab} run={run} busy={busy} />
    </Stack>
  );
}

/** The launch, node by node: which nodes are up, which one is starting, then the election. */
function LaunchProgress({ progress, total }: { progress: ViewProps['progress']; total: number }) {
  const { t } = useTranslation();
  const done = progress?.done ?? 0;
  const all = progress?.total ?? total;
  return (
    <Card withBorder w={480} data-testid="progress">
      <Text size="sm" mb="xs">
        {progress ? progressText(progress) : t('cluster.preparing')}
      </Text>
      <Progress value={(100 * done) / Math.max(1, all)} mb="sm" animated />
      <Group gap="xs">
        {Array.from({ length: all }, (_, i) => i + 1).map((myid) => {
          const up = done >= myid;
          const current = !up && done === myid - 1 && progress !== null;
          return (
            <Badge key={myid} variant={up ? 'filled' : 'light'} color={up ? 'teal' : 'gray'} leftSection={current ? <Loader size={10} color="gray" /> : undefined} data-testid={`progress-node-${myid}`}>
              {up ? t('cluster.nodeStarted', { myid }) : current ? t('cluster.nodeStarting', { myid }) : t('cluster.node', { myid })}
            </Badge>
          );
        })}
      </Group>
    </Card>
  );
}

/** How often the lab's disk use is read again (one walk of its folder in the backend). */
const DISK_USE_EVERY_MS = 10_000;

/** What the lab's folder takes on disk, by what, read every few seconds. */
function DiskUseLine({ lab }: { lab: LabApi }) {
  const { t } = useTranslation();
  const [use, setUse] = useState<Result<'lab.diskUse'>>(null);
  useEffect(() => {
    let live = true;
    const read = (): void => {
      lab.call({ method: 'lab.diskUse' }).then(
        (u) => live && setUse(u),
        () => {}, // the connection banner says when the backend is away; the last figure stays
      );
    };
    read();
    const timer = setInterval(read, DISK_USE_EVERY_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [lab]);
  if (!use) return null;
  const sum = (f: (m: { data: number; logs: number }) => number): number => use.members.reduce((s, m) => s + f(m), 0);
  const members = use.members.map((m) => `${m.myid} ${bytesText(m.data + m.logs)}`).join(', ');
  return (
    <Text size="xs" c="dimmed" data-testid="disk-use" title={t('cluster.diskUseTitle', { members })}>
      {t('cluster.diskUse', { total: bytesText(use.total), data: bytesText(sum((m) => m.data)), logs: bytesText(sum((m) => m.logs)), history: bytesText(use.history) })}
    </Text>
  );
}

import { Alert, AppShell, Badge, Button, Card, Group, Menu, NavLink, Progress, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { HistoryEvent, LabApi, LabView, NodeAction, NodeView, Progress as ProgressT } from '../shared/contract';
import { Terminals } from './Terminals';
import { Timeline } from './Timeline';
import { TreeExplorer } from './TreeExplorer';

const ROLE_COLOR: Record<string, string> = {
  leader: 'teal',
  follower: 'blue',
  observer: 'grape',
  looking: 'yellow',
  standalone: 'teal',
  'read-only': 'orange',
  down: 'red',
  starting: 'gray',
  paused: 'orange',
};

function uptime(startedAt: number | null, now: number): string {
  if (!startedAt) return '—';
  const s = Math.max(0, Math.floor((now - startedAt) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

function zxidText(hex: string | null): string {
  if (!hex) return '—';
  const z = BigInt(`0x${hex}`);
  return `0x${hex} (${z >> 32n}/${z & 0xffffffffn})`;
}

export function App({ lab }: { lab: LabApi }) {
  const [view, setView] = useState<LabView | null>(null);
  const [progress, setProgress] = useState<ProgressT | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  const [page, setPage] = useState<'cluster' | 'tree' | 'timeline' | 'terminals'>('cluster');

  useEffect(() => {
    const off = lab.onPush((p) => {
      if (p.kind === 'state') setView(p.lab);
      else if (p.kind === 'progress') setProgress(p.progress);
      else if (p.kind === 'event') setEvents((e) => [...e.slice(-199), p.event]);
    });
    void lab.call<LabView | null>({ method: 'state' }).then(setView);
    void lab.call<{ events: HistoryEvent[] }>({ method: 'history' }).then((h) => setEvents(h.events.slice(-200)));
    return () => {
      off();
    };
  }, [lab]);

  const run = async (p: Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await p;
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <AppShell navbar={{ width: 200, breakpoint: 0 }} padding="md">
      <AppShell.Navbar p="sm">
        <Title order={4} mb="md">
          ZooKeeper Lab
        </Title>
        <NavLink label="Cluster" active={page === 'cluster'} onClick={() => setPage('cluster')} data-testid="nav-cluster" />
        <NavLink label="Tree" active={page === 'tree'} onClick={() => setPage('tree')} data-testid="nav-tree" />
        <NavLink label="Timeline" active={page === 'timeline'} onClick={() => setPage('timeline')} data-testid="nav-timeline" />
        <NavLink label="Terminals" active={page === 'terminals'} onClick={() => setPage('terminals')} data-testid="nav-terminals" />
      </AppShell.Navbar>
      <AppShell.Main>
        {error && (
          <Alert color="red" title="That did not work" mb="md" withCloseButton onClose={() => setError(null)} data-testid="error">
            {error}
          </Alert>
        )}
        {page === 'cluster' && <Cluster lab={lab} view={view} progress={progress} events={events} run={run} />}
        {page === 'tree' && <TreeExplorer lab={lab} view={view} />}
        {page === 'timeline' && <Timeline lab={lab} view={view} />}
        {page === 'terminals' && <Terminals lab={lab} view={view} />}
      </AppShell.Main>
    </AppShell>
  );
}

function Cluster(props: { lab: LabApi; view: LabView | null; progress: ProgressT | null; events: HistoryEvent[]; run: (p: Promise<unknown>) => Promise<void> }) {
  const { lab, view, progress, events, run } = props;
  const [size, setSize] = useState('5');
  const [engines, setEngines] = useState<'ours' | 'apache' | 'mixed'>('ours');
  const [observers, setObservers] = useState('0');
  const [apache, setApache] = useState(false);
  const [busy, setBusy] = useState(false);
  const [connectString, setConnectString] = useState('');
  useEffect(() => {
    void lab.call<{ apache: boolean }>({ method: 'capabilities' }).then((c) => setApache(c.apache));
  }, [lab]);
  const [now, setNow] = useState(Date.now());
  const [dragging, setDragging] = useState<number | null>(null);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const act = (myid: number, action: NodeAction): Promise<void> => run(lab.call({ method: 'node', myid, action }));
  const launch = async (): Promise<void> => {
    setBusy(true);
    await run(lab.call({ method: 'launch', size: Number(size) as 1 | 3 | 5 | 7, observers: size === '1' ? 0 : Number(observers), engines }));
    setBusy(false);
  };

  if (!view) {
    return (
      <Stack align="center" mt={80} gap="md" data-testid="empty-state">
        <Title order={2}>No lab yet</Title>
        <Text c="dimmed" maw={520} ta="center">
          A lab is a real ZooKeeper ensemble on this machine: one server process per node, each with its own zoo.cfg and dataDir. Launch one, then break it.
        </Text>
        <Group>
          <Text size="sm" w={90}>
            Nodes
          </Text>
          <SegmentedControl value={size} onChange={setSize} data={['1', '3', '5', '7']} data-testid="size" />
        </Group>
        <Group>
          <Text size="sm" w={90}>
            Observers
          </Text>
          <SegmentedControl value={size === '1' ? '0' : observers} onChange={setObservers} disabled={size === '1'} data={['0', '1', '2']} data-testid="observers" />
        </Group>
        <Group>
          <Text size="sm" w={90}>
            Engine
          </Text>
          <SegmentedControl
            value={engines}
            onChange={(v) => setEngines(v as 'ours' | 'apache' | 'mixed')}
            data={[
              { value: 'ours', label: 'ZooKeeper Lab' },
              { value: 'apache', label: 'Apache 3.8', disabled: !apache },
              { value: 'mixed', label: 'Mixed', disabled: !apache },
            ]}
            data-testid="engines"
          />
        </Group>
        {!apache && (
          <Text size="xs" c="dimmed">
            Apache ZooKeeper nodes need Java and Debian's zookeeper and libjetty9-java packages.
          </Text>
        )}
        <Button size="lg" onClick={launch} loading={busy} data-testid="launch">
          {`Launch ${size}-node lab`}
        </Button>
        <Text size="sm" c="dimmed" mt="lg">
          or watch an ensemble you started yourself (read-only):
        </Text>
        <Group>
          <TextInput placeholder="127.0.0.1:2181,127.0.0.1:2182" value={connectString} onChange={(e) => setConnectString(e.currentTarget.value)} w={320} data-testid="connect-string" />
          <Button variant="light" onClick={() => run(lab.call({ method: 'attach', connectString }))} disabled={connectString.trim() === ''} data-testid="attach">
            Attach
          </Button>
        </Group>
        {busy && progress && (
          <Stack w={400} gap={4} data-testid="progress">
            <Text size="sm">{progress.step}</Text>
            <Progress value={(100 * progress.done) / Math.max(1, progress.total)} />
          </Stack>
        )}
      </Stack>
    );
  }

  const dropZone = (label: string, action: NodeAction, color: string, testid: string) => (
    <Card
      withBorder
      p="md"
      data-testid={testid}
      style={{ borderStyle: 'dashed', borderColor: `var(--mantine-color-${color}-6)`, background: dragging ? `var(--mantine-color-${color}-0)` : undefined, flex: 1 }}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        const myid = Number(e.dataTransfer.getData('text/plain'));
        setDragging(null);
        if (myid) void act(myid, action);
      }}
    >
      <Text ta="center" c={color} fw={600}>
        {label}
      </Text>
    </Card>
  );

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={3}>Cluster</Title>
        <Button variant="subtle" color="red" onClick={() => run(lab.call({ method: 'destroy' }))} data-testid="destroy">
          {view.attached ? 'Detach' : 'Destroy lab'}
        </Button>
      </Group>
      <Alert color={view.serving ? 'teal' : 'red'} data-testid="quorum-banner">
        {view.serving
          ? `Quorum: ${view.votersUp} of ${view.size} voting nodes up, ${view.quorumNeeded} needed — serving${view.leader ? `, leader is node ${view.leader}` : ''}.`
          : `No quorum: ${view.votersUp} of ${view.size} voting nodes up, ${view.quorumNeeded} needed — not serving writes. Restart nodes to get a majority back.`}
      </Alert>
      <SimpleGrid cols={{ base: 2, md: 3, lg: 5 }}>
        {view.nodes.map((n) => (
          <NodeCard key={n.myid} n={n} now={now} act={act} onDrag={setDragging} />
        ))}
      </SimpleGrid>
      {view.attached && (
        <Alert color="gray" data-testid="attached-banner">
          Attached to {view.dir}: read-only. The lab watches these servers through their four-letter words and never signals processes it did not start.
        </Alert>
      )}
      <Group grow style={{ display: view.attached ? 'none' : undefined }}>
        {dropZone('Kill zone (SIGKILL)', 'kill', 'red', 'kill-zone')}
        {dropZone('Stop zone (SIGTERM)', 'stop', 'orange', 'stop-zone')}
        {dropZone('Drop here to start again', 'start', 'teal', 'start-zone')}
      </Group>
      <Card withBorder>
        <Title order={5} mb="xs">
          Events
        </Title>
        <Stack gap={2} mah={220} style={{ overflow: 'auto' }} data-testid="events">
          {events
            .slice()
            .reverse()
            .map((e) => (
              <Text key={e.id} size="xs" ff="monospace">
                {new Date(e.time).toLocaleTimeString()} {e.detail}
              </Text>
            ))}
        </Stack>
      </Card>
    </Stack>
  );
}

function NodeCard({ n, now, act, onDrag }: { n: NodeView; now: number; act: (myid: number, a: NodeAction) => Promise<void>; onDrag: (myid: number | null) => void }) {
  const down = n.role === 'down';
  const [menu, setMenu] = useState(false);
  return (
    <Menu opened={menu} onChange={setMenu} position="bottom-start" withinPortal>
      <Menu.Target>
        <Card
          withBorder
          shadow="sm"
          tabIndex={0}
          draggable
          data-testid={`node-${n.myid}`}
          data-role={n.role}
          data-epoch={n.epoch ?? ''}
          data-zxid={n.lastZxid ?? ''}
          aria-label={`node ${n.myid}, ${n.role}. Keys: k kill, s stop, r restart, p pause`}
          onDragStart={(e) => {
            e.dataTransfer.setData('text/plain', String(n.myid));
            onDrag(n.myid);
          }}
          onDragEnd={() => onDrag(null)}
          onContextMenu={(e) => {
            e.preventDefault();
            setMenu(true);
          }}
          onKeyDown={(e) => {
            const map: Record<string, NodeAction> = { k: 'kill', s: 'stop', r: 'restart', p: n.role === 'paused' ? 'resume' : 'pause' };
            const a = map[e.key];
            if (a) void act(n.myid, a);
          }}
          style={{ cursor: 'grab', opacity: down ? 0.6 : 1 }}
        >
          <Group justify="space-between" mb="xs">
            <Text fw={700}>
              Node {n.myid}{' '}
              <Text span size="xs" c="dimmed">
                {n.engine === 'apache' ? 'Apache 3.8' : n.engine === 'external' ? 'attached' : 'ours'}
              </Text>
            </Text>
            <Badge color={ROLE_COLOR[n.role] ?? 'gray'} data-testid={`role-${n.myid}`}>
              {n.role}
              {n.observer ? ' (observer)' : ''}
            </Badge>
          </Group>
          <Text size="sm">Epoch: {n.epoch ?? '—'}</Text>
          <Text size="sm" ff="monospace">
            zxid: {zxidText(n.lastZxid)}
          </Text>
          <Text size="sm">Connections: {n.connections ?? '—'}</Text>
          <Text size="sm">PID: {n.pid ?? '—'}</Text>
          <Text size="sm">Uptime: {uptime(n.startedAt, now)}</Text>
          <Text size="xs" c="dimmed">
            client 127.0.0.1:{n.clientPort}
          </Text>
          {down && n.lastError && (
            <Text size="xs" c="red">
              {n.lastError}
            </Text>
          )}
          {down && (
            <Button size="xs" mt="xs" onClick={() => act(n.myid, 'start')} data-testid={`restart-${n.myid}`}>
              Restart
            </Button>
          )}
        </Card>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Node {n.myid}</Menu.Label>
        <Menu.Item disabled={down} onClick={() => act(n.myid, 'kill')}>
          Kill (SIGKILL)
        </Menu.Item>
        <Menu.Item disabled={down} onClick={() => act(n.myid, 'stop')}>
          Stop (SIGTERM)
        </Menu.Item>
        <Menu.Item disabled={down} onClick={() => act(n.myid, n.role === 'paused' ? 'resume' : 'pause')}>
          {n.role === 'paused' ? 'Resume (SIGCONT)' : 'Pause (SIGSTOP)'}
        </Menu.Item>
        <Menu.Item onClick={() => act(n.myid, down ? 'start' : 'restart')}>{down ? 'Start' : 'Restart'}</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

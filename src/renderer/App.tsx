import { Alert, AppShell, Badge, NavLink, Stack, Text, Title } from '@mantine/core';
import { Fragment, useEffect, useState } from 'react';
import type { HistoryEvent, LabApi, LabConnection, LabView, Progress } from '../shared/contract';
import { DesktopBar, NotificationsPanel, Palette } from './Desktop';
import { requestZnode } from './navigate';
import { notify } from './notify';
import { useSetting } from './persist';
import { VIEWS } from './views';
import { ViewBoundary } from './ViewBoundary';

/** How many live events the app keeps for its views (the history has them all). */
const LIVE_EVENTS = 500;

export function App({ lab }: { lab: LabApi }) {
  const [view, setView] = useState<LabView | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  // The view open when the app was closed opens again.
  const [page, setPage] = useSetting('app.page', 'cluster', (v): v is string => typeof v === 'string' && VIEWS.some((x) => x.id === v));
  const [notesOpen, setNotesOpen] = useState(false);
  const [connection, setConnection] = useState<LabConnection>({ state: 'open' });
  const [backendError, setBackendError] = useState<string | null>(null);

  useEffect(() => lab.onConnection?.(setConnection), [lab]);

  useEffect(() => {
    // Under load the members log hundreds of events a second (proposals, acks, commits): they are
    // gathered and handed to the views four times a second, not one render per event.
    let batch: HistoryEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = (): void => {
      timer = null;
      const add = batch;
      batch = [];
      setEvents((e) => [...e, ...add].slice(-LIVE_EVENTS));
    };
    const off = lab.onPush((p) => {
      if (p.kind === 'state') setView(p.lab);
      else if (p.kind === 'backend.error') setBackendError(p.message);
      else if (p.kind === 'progress') setProgress(p.progress);
      else if (p.kind === 'event') {
        batch.push(p.event);
        timer ??= setTimeout(flush, 250);
      }
    });
    // A refused or lost connection shows in its banner; these calls are made again by nothing, the pushes catch up.
    void lab.call({ method: 'state' }).then(setView, () => {});
    void lab.call({ method: 'history', sinceMs: Date.now() - 3600_000 }).then((h) => setEvents(h.events.slice(-LIVE_EVENTS)), () => {});
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [lab]);

  // A new lab starts a new story: the event feed of the last one goes with it.
  const labKey = view ? `${view.name}|${view.dir}` : null;
  useEffect(() => {
    if (labKey === null) setEvents([]);
  }, [labKey]);

  const run = async (p: Promise<unknown>, done?: string): Promise<void> => {
    setError(null);
    try {
      await p;
      if (done) notify('done', done);
    } catch (e) {
      setError((e as Error).message);
      notify('error', done ? `Failed: ${done.charAt(0).toLowerCase()}${done.slice(1)}` : 'That did not work', (e as Error).message);
    }
  };

  const current = VIEWS.find((v) => v.id === page) ?? VIEWS[0]!;
  const Current = current.component;
  const groups = [...new Set(VIEWS.map((v) => v.group))];

  return (
    <AppShell navbar={{ width: 210, breakpoint: 0 }} padding="md">
      <AppShell.Navbar p="sm">
        <Stack gap={2}>
          <Title order={4}>ZooKeeper Lab</Title>
          <Text size="xs" c="dimmed" mb="md" data-testid="lab-summary">
            {view === null ? 'no lab open' : view.attached ? `attached: ${view.dir}` : `${view.nodes.length} node${view.nodes.length === 1 ? '' : 's'} · ${view.serving ? 'serving' : 'not serving'}`}
          </Text>
        </Stack>
        <DesktopBar onBell={() => setNotesOpen(true)} />
        <Palette
          view={view}
          views={VIEWS}
          go={setPage}
          node={(myid, action, done) => void run(lab.call({ method: 'node', myid, action }), done)}
          fault={(spec, done) => void run(lab.call({ method: 'net.fault', spec }), done)}
          startAll={() => void run(lab.call({ method: 'startAll' }), 'Started every member that was down')}
          launch={(size) => {
            setPage('cluster');
            void run(lab.call({ method: 'launch', size, observers: 0, engines: 'ours' }), `Launched a ${size}-node lab`);
          }}
          gotoZnode={(path) => {
            requestZnode(path);
            setPage('tree');
          }}
          showNotifications={() => setNotesOpen(true)}
        />
        <NotificationsPanel opened={notesOpen} onClose={() => setNotesOpen(false)} />
        {groups.map((g) => (
          <Fragment key={g}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" mt="sm" mb={4}>
              {g}
            </Text>
            {VIEWS.filter((v) => v.group === g).map((v) => (
              <NavLink
                key={v.id}
                label={v.label}
                active={page === v.id}
                disabled={v.needsLab && view === null}
                description={v.needsLab && view === null ? 'launch a lab first' : undefined}
                onClick={() => setPage(v.id)}
                data-testid={`nav-${v.id}`}
                rightSection={v.id === 'cluster' && view && !view.serving ? <Badge size="xs" color="red">no quorum</Badge> : undefined}
              />
            ))}
          </Fragment>
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {connection.state === 'reconnecting' && (
          <Alert color="yellow" title="Disconnected — reconnecting" mb="md" data-testid="connection">
            The page lost its connection to the lab backend and tries again every second; what you see is as it was. If this stays, is `npm start` still running?
          </Alert>
        )}
        {backendError && (
          <Alert color="orange" title="The lab backend hit an error and kept running" mb="md" withCloseButton onClose={() => setBackendError(null)} data-testid="backend-error">
            {backendError}
          </Alert>
        )}
        {connection.state === 'refused' && (
          <Alert color="red" title="The lab refused this page" mb="md" data-testid="connection">
            {connection.reason}
          </Alert>
        )}
        {error && (
          <Alert color="red" title="That did not work" mb="md" withCloseButton onClose={() => setError(null)} data-testid="error">
            {error}
          </Alert>
        )}
        <ViewBoundary key={current.id} name={current.label}>
          <Current lab={lab} view={view} events={events} progress={progress} run={run} />
        </ViewBoundary>
      </AppShell.Main>
    </AppShell>
  );
}

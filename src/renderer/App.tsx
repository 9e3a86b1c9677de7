import { Alert, AppShell, Badge, NavLink, Stack, Text, Title } from '@mantine/core';
import { Fragment, useEffect, useState } from 'react';
import type { HistoryEvent, LabApi, LabConnection, LabView, Progress } from '../shared/contract';
import { DesktopBar, NotificationsPanel, Palette } from './Desktop';
import { requestConsole, requestZnode } from './navigate';
import { errorText, locale, useTranslation } from './i18n';
import { notify } from './notify';
import { useSetting } from './persist';
import { VIEWS } from './views';
import { ViewBoundary } from './ViewBoundary';

/** How many live events the app keeps for its views (the history has them all). */
const LIVE_EVENTS = 500;

export function App({ lab }: { lab: LabApi }) {
  // The whole app renders again in the new language when it changes.
  const { t } = useTranslation();
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
      setError(errorText(e));
      notify('error', done ? t('shell.failed', { what: `${done.charAt(0).toLowerCase()}${done.slice(1)}` }) : t('shell.didNotWork'), errorText(e));
    }
  };

  const views = VIEWS.map((v) => ({ ...v, label: t(v.labelKey) }));
  const current = views.find((v) => v.id === page) ?? views[0]!;
  const Current = current.component;
  const groups = [...new Set(VIEWS.map((v) => v.groupKey))];

  return (
    <AppShell navbar={{ width: 210, breakpoint: 0 }} padding="md">
      <AppShell.Navbar p="sm">
        <Stack gap={2}>
          <Title order={4}>{t('shell.title')}</Title>
          <Text size="xs" c="dimmed" mb="md" data-testid="lab-summary">
            {view === null ? t('shell.noLab') : view.attached ? t('shell.attached', { dir: view.dir }) : t(view.serving ? 'shell.summaryServing' : 'shell.summaryNotServing', { count: view.nodes.length, n: view.nodes.length.toLocaleString(locale()) })}
          </Text>
        </Stack>
        <DesktopBar onBell={() => setNotesOpen(true)} />
        <Palette
          view={view}
          views={views}
          go={setPage}
          node={(myid, action, done) => void run(lab.call({ method: 'node', myid, action }), done)}
          fault={(spec, done) => void run(lab.call({ method: 'net.fault', spec }), done)}
          startAll={() => void run(lab.call({ method: 'startAll' }), t('palette.doneStartAll'))}
          launch={(size) => {
            setPage('cluster');
            void run(lab.call({ method: 'launch', size, observers: 0, engines: 'ours' }), t('palette.doneLaunch', { size }));
          }}
          gotoZnode={(path) => {
            requestZnode(path);
            setPage('tree');
          }}
          console={(myid, kind, command) => {
            requestConsole({ myid, kind, command, send: command !== null });
            setPage('console');
          }}
          showNotifications={() => setNotesOpen(true)}
        />
        <NotificationsPanel opened={notesOpen} onClose={() => setNotesOpen(false)} />
        {groups.map((g) => (
          <Fragment key={g}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" mt="sm" mb={4}>
              {t(g)}
            </Text>
            {views.filter((v) => v.groupKey === g).map((v) => (
              <NavLink
                key={v.id}
                label={v.label}
                active={page === v.id}
                disabled={v.needsLab && view === null}
                description={v.needsLab && view === null ? t('shell.launchFirst') : undefined}
                onClick={() => setPage(v.id)}
                data-testid={`nav-${v.id}`}
                rightSection={v.id === 'cluster' && view && !view.serving ? <Badge size="xs" color="red">{t('shell.noQuorum')}</Badge> : undefined}
              />
            ))}
          </Fragment>
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {connection.state === 'reconnecting' && (
          <Alert color="yellow" title={t('shell.reconnectingTitle')} mb="md" data-testid="connection">
            {t('shell.reconnecting')}
          </Alert>
        )}
        {backendError && (
          <Alert color="orange" title={t('shell.backendErrorTitle')} mb="md" withCloseButton onClose={() => setBackendError(null)} data-testid="backend-error">
            {backendError}
          </Alert>
        )}
        {connection.state === 'refused' && (
          <Alert color="red" title={t('shell.refusedTitle')} mb="md" data-testid="connection">
            {connection.reason}
          </Alert>
        )}
        {error && (
          <Alert color="red" title={t('shell.didNotWork')} mb="md" withCloseButton onClose={() => setError(null)} data-testid="error">
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

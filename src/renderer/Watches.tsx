import { Alert, Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { WatchRow } from '../shared/api';
import type { LabApi, LabView, WatchFire } from '../shared/contract';
import { useSetting } from './persist';
import { errorText, locale, t as tr, useTranslation } from './i18n';

type Row = WatchRow;

/** Who holds a watch's session, for the lab's own sessions (catalogue keys). */
const SESSION_OWNER: Record<string, string> = {
  tree: 'watches.ownerTree',
  inspector: 'watches.ownerInspector',
  locks: 'watches.ownerLocks',
};

function ownerText(r: Row): string {
  if (!r.owner) return tr('watches.ownerOther');
  if (r.owner === 'locks') return `${tr('watches.ownerLocks')} ${r.client ?? ''}`.trim();
  return SESSION_OWNER[r.owner] ? tr(SESSION_OWNER[r.owner]!) : r.owner;
}

/**
 * Every watch on every node, joined by path and session, and a live feed of the watches set
 * here as they fire: a one-shot watch fires once and leaves the table; persistent ones stay.
 */
export function Watches({ lab, view }: { lab: LabApi; view: LabView | null }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<Row[]>([]);
  const [feed, setFeed] = useState<WatchFire[]>([]);
  const [pathFilter, setPathFilter] = useState('');
  const [sessionFilter, setSessionFilter] = useState('');
  // Kept when the view is left (and across restarts), as the other views' settings.
  const [path, setPath] = useSetting('watches.path', '/');
  const [kind, setKind] = useSetting('watches.kind', 'data');
  const [newData, setNewData] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => setNotice(null), 8000);
    return () => clearTimeout(timer);
  }, [notice]);
  const [error, setError] = useState<string | null>(null);
  const [mine, setMine] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const r = await lab.call({ method: 'watches.list' });
      setRows(r.rows);
      setFeed(r.fired);
    } catch (e) {
      setError(errorText(e));
    }
  }, [lab]);
  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), 1000);
    const off = lab.onPush((p) => {
      if (p.kind === 'watch.fired') setFeed((f) => [p.fire, ...f].slice(0, 200));
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, [lab, reload]);
  if (!view) return <Text>{t('watches.noLab')}</Text>;
  const shown = rows.filter((r) => r.path.includes(pathFilter) && r.sessionId.includes(sessionFilter));
  return (
    <Stack>
      <Title order={3}>{t('watches.title')}</Title>
      {error && (
        <Alert color="red" withCloseButton onClose={() => setError(null)} data-testid="watch-error">
          {error}
        </Alert>
      )}
      <Card withBorder>
        <Title order={6}>
          {t('watches.setWatch')}
          {mine && (
            <>
              {' '}
              (<span data-testid="watch-session">{mine}</span>)
            </>
          )}
        </Title>
        <Group align="end">
          <TextInput label={t('watches.path')} value={path} onChange={(e) => setPath(e.currentTarget.value)} data-testid="watch-path" />
          <Select label={t('watches.kind')} value={kind} onChange={(v) => v !== null && setKind(v)} allowDeselect={false} data={['data', 'exist', 'child', 'persistent', 'persistent-recursive']} data-testid="watch-kind" w={220} />
          <Button
            onClick={async () => {
              setError(null);
              try {
                const r = await lab.call({ method: 'watches.add', path, kind: kind as 'data' });
                setMine(r.sessionId);
                await reload();
              } catch (e) {
                setError(errorText(e));
              }
            }}
            data-testid="watch-add"
          >
            {t('watches.watch')}
          </Button>
        </Group>
        <Group align="end" mt="xs">
          <TextInput label={t('watches.newData', { path })} value={newData} onChange={(e) => setNewData(e.currentTarget.value)} data-testid="watch-set-data" w={260} />
          <Button
            variant="light"
            onClick={async () => {
              setError(null);
              try {
                // Any version: this is a poke to make the watch fire, not an edit (the Tree view has versions).
                await lab.call({ method: 'tree.set', path, data: newData, version: -1, through: null });
                setNotice(t('watches.setNotice', { path, data: newData }));
              } catch (e) {
                setError(errorText(e));
              }
            }}
            data-testid="watch-set"
          >
            {t('watches.setData')}
          </Button>
          {notice && (
            <Text size="xs" c="teal" data-testid="watch-notice">
              {notice}
            </Text>
          )}
        </Group>
        <Text size="xs" c="dimmed" mt="xs">
          {t('watches.hint')}
        </Text>
      </Card>
      <Group grow align="start">
        <Card withBorder>
          <Group mb="xs">
            <Title order={6}>{t('watches.onNodes', { count: shown.length })}</Title>
            <TextInput size="xs" placeholder={t('watches.filterPath')} value={pathFilter} onChange={(e) => setPathFilter(e.currentTarget.value)} />
            <TextInput size="xs" placeholder={t('watches.filterSession')} value={sessionFilter} onChange={(e) => setSessionFilter(e.currentTarget.value)} />
          </Group>
          <Table striped data-testid="watch-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('watches.path')}</Table.Th>
                <Table.Th>{t('watches.kind')}</Table.Th>
                <Table.Th>{t('watches.session')}</Table.Th>
                <Table.Th>{t('watches.sessionOf')}</Table.Th>
                <Table.Th>{t('watches.heldBy')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((r) => (
                <Table.Tr key={`${r.myid}-${r.path}-${r.sessionId}-${r.kind}`} data-testid="watch-row" data-path={r.path} data-kind={r.kind} data-session={r.sessionId} data-owner={r.owner ?? ''}>
                  <Table.Td ff="monospace">{r.path}</Table.Td>
                  <Table.Td>
                    <Badge variant="light">{r.kind}</Badge>
                  </Table.Td>
                  <Table.Td ff="monospace">{r.sessionId}</Table.Td>
                  <Table.Td data-testid="watch-owner">{ownerText(r)}</Table.Td>
                  <Table.Td>{t('cluster.node', { myid: r.myid })}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder>
          <Title order={6} mb="xs">
            {t('watches.events')}
          </Title>
          <Stack gap={2} data-testid="watch-feed">
            {feed.map((f, i) => (
              <Text key={i} size="xs" ff="monospace" data-testid="watch-fired">
                {new Date(f.time).toLocaleTimeString(locale())} {f.type} {f.path} {t('watches.fired', { kind: f.kind, id: f.watchId })}
              </Text>
            ))}
          </Stack>
        </Card>
      </Group>
    </Stack>
  );
}

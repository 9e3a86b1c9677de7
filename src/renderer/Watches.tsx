import { Alert, Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { WatchRow } from '../shared/api';
import type { LabApi, LabView, WatchFire } from '../shared/contract';
import { useSetting } from './persist';
import { OTHER_SESSION, SESSION_OWNER } from './strings';

type Row = WatchRow;

function ownerText(r: Row): string {
  if (!r.owner) return OTHER_SESSION;
  return r.owner === 'locks' ? `${SESSION_OWNER.locks} ${r.client ?? ''}`.trim() : (SESSION_OWNER[r.owner] ?? r.owner);
}

/**
 * Every watch on every node, joined by path and session, and a live feed of the watches set
 * here as they fire: a one-shot watch fires once and leaves the table; persistent ones stay.
 */
export function Watches({ lab, view }: { lab: LabApi; view: LabView | null }) {
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
    const t = setTimeout(() => setNotice(null), 8000);
    return () => clearTimeout(t);
  }, [notice]);
  const [error, setError] = useState<string | null>(null);
  const [mine, setMine] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const r = await lab.call({ method: 'watches.list' });
      setRows(r.rows);
      setFeed(r.fired);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [lab]);
  useEffect(() => {
    void reload();
    const t = setInterval(() => void reload(), 1000);
    const off = lab.onPush((p) => {
      if (p.kind === 'watch.fired') setFeed((f) => [p.fire, ...f].slice(0, 200));
    });
    return () => {
      clearInterval(t);
      off();
    };
  }, [lab, reload]);
  if (!view) return <Text>Launch or attach a lab to see its watches.</Text>;
  const shown = rows.filter((r) => r.path.includes(pathFilter) && r.sessionId.includes(sessionFilter));
  return (
    <Stack>
      <Title order={3}>Watches</Title>
      {error && (
        <Alert color="red" withCloseButton onClose={() => setError(null)} data-testid="watch-error">
          {error}
        </Alert>
      )}
      <Card withBorder>
        <Title order={6}>
          Set a watch as the Watch inspector's session
          {mine && (
            <>
              {' '}
              (<span data-testid="watch-session">{mine}</span>)
            </>
          )}
        </Title>
        <Group align="end">
          <TextInput label="path" value={path} onChange={(e) => setPath(e.currentTarget.value)} data-testid="watch-path" />
          <Select label="kind" value={kind} onChange={(v) => v !== null && setKind(v)} allowDeselect={false} data={['data', 'exist', 'child', 'persistent', 'persistent-recursive']} data-testid="watch-kind" w={220} />
          <Button
            onClick={async () => {
              setError(null);
              try {
                const r = await lab.call({ method: 'watches.add', path, kind: kind as 'data' });
                setMine(r.sessionId);
                await reload();
              } catch (e) {
                setError((e as Error).message);
              }
            }}
            data-testid="watch-add"
          >
            Watch
          </Button>
        </Group>
        <Group align="end" mt="xs">
          <TextInput label={`new data for ${path}`} value={newData} onChange={(e) => setNewData(e.currentTarget.value)} data-testid="watch-set-data" w={260} />
          <Button
            variant="light"
            onClick={async () => {
              setError(null);
              try {
                // Any version: this is a poke to make the watch fire, not an edit (the Tree view has versions).
                await lab.call({ method: 'tree.set', path, data: newData, version: -1, through: null });
                setNotice(`set ${path} to "${newData}" (as the Tree explorer's session)`);
              } catch (e) {
                setError((e as Error).message);
              }
            }}
            data-testid="watch-set"
          >
            Set data
          </Button>
          {notice && (
            <Text size="xs" c="teal" data-testid="watch-notice">
              {notice}
            </Text>
          )}
        </Group>
        <Text size="xs" c="dimmed" mt="xs">
          Then change the node here or in the Tree view and see the event arrive below. A data, exist or child watch fires once and is gone; a persistent one stays.
        </Text>
      </Card>
      <Group grow align="start">
        <Card withBorder>
          <Group mb="xs">
            <Title order={6}>On the nodes ({shown.length})</Title>
            <TextInput size="xs" placeholder="filter by path" value={pathFilter} onChange={(e) => setPathFilter(e.currentTarget.value)} />
            <TextInput size="xs" placeholder="filter by session" value={sessionFilter} onChange={(e) => setSessionFilter(e.currentTarget.value)} />
          </Group>
          <Table striped data-testid="watch-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>path</Table.Th>
                <Table.Th>kind</Table.Th>
                <Table.Th>session</Table.Th>
                <Table.Th>session of</Table.Th>
                <Table.Th>held by</Table.Th>
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
                  <Table.Td>node {r.myid}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder>
          <Title order={6} mb="xs">
            Events as they fire
          </Title>
          <Stack gap={2} data-testid="watch-feed">
            {feed.map((f, i) => (
              <Text key={i} size="xs" ff="monospace" data-testid="watch-fired">
                {new Date(f.time).toLocaleTimeString()} {f.type} {f.path} ({f.kind} watch #{f.watchId})
              </Text>
            ))}
          </Stack>
        </Card>
      </Group>
    </Stack>
  );
}

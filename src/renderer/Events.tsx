// The lab's events as they happen: what the lab did and saw, and, on request, what members
// logged about themselves (our server's own event log), filtered by node.
import { Badge, Card, Group, MultiSelect, ScrollArea, Switch, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { HistoryEvent } from '../shared/contract';
import { clock } from './format';
import { eventText, useTranslation } from './i18n';

/** Badge colours by event type prefix. */
function colorOf(e: HistoryEvent): string {
  if (e.source === 'member') return 'gray';
  if (e.type === 'node.killed' || e.type === 'node.stopped') return 'red';
  if (e.type === 'node.exited') return e.data.kind === 'crashed' ? 'red' : 'gray';
  if (e.type.startsWith('ensemble.election')) return 'yellow';
  if (e.type === 'ensemble.leader.changed' || e.type === 'ensemble.epoch.changed') return 'teal';
  if (e.type === 'node.up' || e.type === 'node.started') return 'blue';
  return 'gray';
}

export function Events({ events, nodes }: { events: HistoryEvent[]; nodes: number[] }) {
  const { t } = useTranslation();
  const [members, setMembers] = useState(false);
  const [only, setOnly] = useState<string[]>([]);
  const shown = events
    .filter((e) => members || e.source === 'lab')
    .filter((e) => only.length === 0 || (e.myid !== null && only.includes(String(e.myid))) || e.myid === null)
    .slice(-300)
    .reverse();
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={5}>{t('timeline.events')}</Title>
        <Group gap="md">
          <MultiSelect size="xs" placeholder={t('timeline.allNodes')} data={nodes.map((id) => ({ value: String(id), label: t('timeline.node', { myid: id }) }))} value={only} onChange={setOnly} clearable w={220} />
          <Switch size="xs" label={t('timeline.memberLogs')} checked={members} onChange={(e) => setMembers(e.currentTarget.checked)} data-testid="member-events" />
        </Group>
      </Group>
      <ScrollArea h={240} data-testid="events">
        {shown.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('timeline.nothingYet')}
          </Text>
        ) : (
          <Table verticalSpacing={2} fz="xs" withRowBorders={false}>
            <Table.Tbody>
              {shown.map((e) => (
                <Table.Tr key={e.id} data-type={e.type}>
                  <Table.Td ff="monospace" c="dimmed" style={{ whiteSpace: 'nowrap', width: '1%' }}>
                    {clock(e.time)}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap', width: '1%' }}>
                    <Badge size="xs" variant="light" color={colorOf(e)} tt="none" style={{ minWidth: 'max-content' }}>
                      {e.type}
                    </Badge>
                  </Table.Td>
                  <Table.Td ff="monospace">{eventText(e)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </ScrollArea>
    </Card>
  );
}

// The Wire view's panels about one message or one write: the selected message's fields, and a
// write followed by its zxid (PROPOSAL → ACKs → COMMIT).
import { Badge, Button, Card, Group, ScrollArea, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { LabView, WireMessage } from '../shared/contract';
import { useTranslation } from './i18n';
import { epochCounter } from './netmodel';
import { colorOf, ms3, STATUS_KEY, WRITE_TYPES } from './wiremodel';

/** The selected message in full: who to whom, when, how long the relay took, its fields. */
export function Details({ m, follow }: { m: WireMessage | null; follow: (zxid: string) => void }) {
  const { t } = useTranslation();
  return (
    <Card withBorder w={300} p="sm" style={{ flex: '0 0 300px' }} data-testid="wire-details" data-seq={m?.seq ?? ''}>
      {!m ? (
        <Text size="sm" c="dimmed">
          {t('wire.detailsEmpty')}
        </Text>
      ) : (
        <Stack gap={6}>
          <Group justify="space-between">
            <Badge color={colorOf(m.type)} variant="filled" style={{ background: colorOf(m.type) }} data-testid="wire-details-type">
              {m.type}
            </Badge>
            <Badge color={m.status === 'delivered' ? 'gray' : m.status === 'held' ? 'violet' : 'red'} variant="light">
              {t(STATUS_KEY[m.status])}
            </Badge>
          </Group>
          <Text size="sm" fw={600}>
            {t('wire.fromTo', { from: m.from, to: m.to })} <Text span size="xs" c="dimmed">{t('wire.link', { link: m.link })}</Text>
          </Text>
          <Text size="xs">{m.summary}</Text>
          <Table fz="xs" verticalSpacing={1} horizontalSpacing={4} withRowBorders={false}>
            <Table.Tbody>
              <KV k={t('wire.kSeq')} v={String(m.seq)} />
              <KV k={t('wire.kSent')} v={ms3(m.time)} />
              <KV k={t('wire.kDelivered')} v={m.deliveredAt !== null ? `${ms3(m.deliveredAt)} (+${(m.deliveredAt - m.time).toFixed(2)} ms)` : m.status === 'held' ? t('wire.notYetHeld') : t('wire.neverDropped')} />
              {m.zxid && <KV k="zxid" v={`${m.zxid} (${epochCounter(m.zxid)})`} />}
              <KV k={t('wire.kBytes')} v={String(m.bytes)} />
              {m.fault && <KV k={t('wire.kFault')} v={m.fault} />}
            </Table.Tbody>
          </Table>
          <Text size="xs" fw={700} mt={4}>
            {t('wire.fields')}
          </Text>
          <ScrollArea.Autosize mah={260}>
            <Table fz="xs" verticalSpacing={1} horizontalSpacing={4} striped data-testid="wire-fields">
              <Table.Tbody>
                {Object.entries(m.fields).map(([k, v]) => (
                  <Table.Tr key={k} data-field={k}>
                    <Table.Td c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      {k}
                    </Table.Td>
                    <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {v === null ? 'null' : String(v)}
                      {typeof v === 'string' && /zxid/i.test(k) && /^0x[0-9a-f]+$/.test(v) ? ` (${epochCounter(v)})` : ''}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
          {m.zxid && WRITE_TYPES.has(m.type) && (
            <Button size="xs" variant="light" onClick={() => follow(m.zxid!)} data-testid="wire-details-follow">
              {t('wire.followZ', { zxid: m.zxid })}
            </Button>
          )}
        </Stack>
      )}
    </Card>
  );
}

function KV({ k, v }: { k: string; v: string }) {
  return (
    <Table.Tr>
      <Table.Td c="dimmed" w={70}>
        {k}
      </Table.Td>
      <Table.Td ff="monospace">{v}</Table.Td>
    </Table.Tr>
  );
}

/** A write by its zxid: the leader's PROPOSALs, the learners' ACKs, the COMMITs (and INFORMs to observers). */
export function FollowPanel({ zxid, messages, view, onPick }: { zxid: string; messages: WireMessage[]; view: LabView | null; onPick: (m: WireMessage) => void }) {
  const { t } = useTranslation();
  const of = (t: string): WireMessage[] => messages.filter((m) => m.type === t);
  const proposals = of('PROPOSAL');
  const leader = proposals[0]?.from ?? of('COMMIT')[0]?.from ?? null;
  const ackers = [...new Set(of('ACK').filter((m) => leader === null || m.to === leader).map((m) => m.from))].sort((a, b) => a - b);
  const need = view?.quorumNeeded ?? null;
  const voters = view ? view.nodes.filter((n) => !n.observer).length : null;
  // The leader logs and acknowledges its own proposal without a message: it counts as one ACK.
  const acked = leader !== null ? ackers.length + 1 : ackers.length;
  const commits = of('COMMIT');
  const verdict =
    proposals.length === 0 && commits.length === 0
      ? t('wire.followNone')
      : [
          leader !== null ? t('wire.ackedByLeaderN', { leader }) : t('wire.ackedByLeader'),
          ackers.length > 0 ? t('wire.ackedAlso', { count: ackers.length, ids: ackers.join(', ') }) : '',
          t('wire.ackedCount', { acked }),
          voters !== null ? t('wire.ofVoters', { voters }) : '',
          need !== null ? t('wire.needed', { need }) : '',
          need !== null && acked >= need ? t('wire.aMajority') : '',
          t('wire.sentenceEnd'),
          commits.length > 0 ? t('wire.committedTo', { ids: commits.map((m) => m.to).sort((a, b) => a - b).join(', ') }) : t('wire.noCommit'),
        ].join('');
  const groups: [string, WireMessage[]][] = [
    ['PROPOSAL', proposals],
    ['ACK', of('ACK')],
    ['COMMIT', commits],
    ['INFORM', of('INFORM')],
  ];
  return (
    <Card withBorder p="sm" bg="yellow.0" data-testid="wire-follow" data-zxid={zxid} data-acks={ackers.join(',')} data-majority={need !== null && acked >= need && proposals.length > 0}>
      <Group gap="xs" mb={4}>
        <Text size="sm" fw={700}>
          {t('wire.following', { zxid })}
        </Text>
        <Text size="sm" c="dimmed">
          {t('wire.epochCounter', { epoch: epochCounter(zxid).split('/')[0], counter: epochCounter(zxid).split('/')[1] })}
        </Text>
      </Group>
      <Group gap="lg" align="flex-start">
        {groups.map(([type, ms]) => (
          <div key={type}>
            <Text size="xs" fw={700} c={colorOf(type)}>
              {type} ({ms.length})
            </Text>
            <Group gap={4}>
              {ms.length === 0 ? (
                <Text size="xs" c="dimmed">
                  —
                </Text>
              ) : (
                ms.slice(0, 12).map((m) => (
                  <Tooltip key={m.seq} label={`${ms3(m.time)} · ${t(STATUS_KEY[m.status])}${m.deliveredAt !== null ? ` · +${(m.deliveredAt - m.time).toFixed(2)} ms` : ''}`}>
                    <Badge
                      size="sm"
                      variant={m.status === 'delivered' ? 'light' : 'outline'}
                      color={m.status === 'dropped' ? 'red' : m.status === 'held' ? 'violet' : 'gray'}
                      style={{ cursor: 'pointer', textTransform: 'none' }}
                      onClick={() => onPick(m)}
                      data-testid="follow-msg"
                      data-type={m.type}
                      data-from={m.from}
                      data-to={m.to}
                      data-status={m.status}
                    >
                      {m.from}→{m.to}
                      {m.status !== 'delivered' ? ` ${t(STATUS_KEY[m.status])}` : ''}
                    </Badge>
                  </Tooltip>
                ))
              )}
            </Group>
          </div>
        ))}
      </Group>
      <Text size="xs" mt={6} data-testid="wire-follow-verdict">
        {verdict}
      </Text>
    </Card>
  );
}

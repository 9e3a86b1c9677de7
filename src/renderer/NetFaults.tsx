// The Network panel's fault tools: a selected link's state and faults, the partition builder,
// a member's own faults, and the list of faults in force with Heal and Release.
import { Badge, Button, Card, Group, Kbd, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { Fault, FaultSpec, HoldType, LabView, LinkView, NetView } from '../shared/contract';
import { clock } from './format';
import { faultText, useTranslation } from './i18n';
import { faultsOnPair, linkMap, linkOf } from './netmodel';
import { HOLD_TYPES, LINK_STATE, SIDES, type Side } from './NetTopology';


export function LinkPanel({ view, net, pair, fault, heal }: { view: LabView; net: NetView; pair: [number, number] | null; fault: (s: FaultSpec) => Promise<void>; heal: (id: string | null) => Promise<void> }) {
  const { t } = useTranslation();
  const [ms, setMs] = useState<number | string>(200);
  const [jitter, setJitter] = useState<number | string>(0);
  const [holdType, setHoldType] = useState<string>('COMMIT');
  if (!pair) {
    return (
      <Card withBorder p="sm" bg="gray.0" data-testid="link-panel" data-pair="">
        <Text size="sm">{t('net.pickLink')}</Text>
        <Text size="xs" c="dimmed" mt={4}>
          {t('net.keys1')} <Kbd size="xs">c</Kbd> {t('net.keys2')} <Kbd size="xs">a</Kbd> / <Kbd size="xs">b</Kbd> {t('net.keys3')} <Kbd size="xs">h</Kbd> {t('net.keys4')} <Kbd size="xs">Enter</Kbd> {t('net.keys5')}{' '}
          <Kbd size="xs">Space</Kbd> {t('net.keys6')}
        </Text>
      </Card>
    );
  }
  const [a, b] = pair;
  const links = linkMap(net);
  const ab = linkOf(links, a, b);
  const ba = linkOf(links, b, a);
  const cut = ab?.state === 'cut' || ba?.state === 'cut';
  const on = faultsOnPair(net.faults, view.nodes.map((n) => n.myid), a, b, cut);
  const row = (l: LinkView | null, f: number, to: number) => (
    <Table.Tr key={`${f}>${to}`} data-testid={`link-row-${f}-${to}`} data-state={l?.state ?? ''}>
      <Table.Td ff="monospace">
        {f} → {to}
      </Table.Td>
      <Table.Td>
        <Badge size="sm" variant={l?.state === 'ok' ? 'outline' : 'light'} color={l?.state === 'cut' ? 'red' : l?.state === 'slow' ? 'orange' : l?.state === 'holding' ? 'violet' : 'gray'}>
          {l ? t(LINK_STATE[l.state]) : '?'}
        </Badge>
      </Table.Td>
      <Table.Td>{l && l.delayMs > 0 ? `${l.delayMs}${l.jitterMs ? ` ± ${l.jitterMs}` : ''} ms` : '—'}</Table.Td>
      <Table.Td>{l?.held ?? '—'}</Table.Td>
      <Table.Td>{l?.connections ?? '—'}</Table.Td>
      <Table.Td>{l?.delivered ?? '—'}</Table.Td>
    </Table.Tr>
  );
  return (
    <Card withBorder p="sm" data-testid="link-panel" data-pair={`${a}-${b}`}>
      <Text fw={700} size="sm" mb={4}>
        {t('net.linkBetween', { a, b })}
      </Text>
      <Table fz="xs" verticalSpacing={2} horizontalSpacing={6} withRowBorders={false}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('net.colDirection')}</Table.Th>
            <Table.Th>{t('net.colState')}</Table.Th>
            <Table.Th>{t('net.colDelay')}</Table.Th>
            <Table.Th>{t('net.colHeld')}</Table.Th>
            <Table.Th>{t('net.colConnections')}</Table.Th>
            <Table.Th>{t('net.colDelivered')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {row(ab, a, b)}
          {row(ba, b, a)}
        </Table.Tbody>
      </Table>
      <Group gap={6} mt="xs">
        <Button size="xs" color="red" variant="light" onClick={() => fault({ kind: 'oneway', from: a, to: b })} disabled={ab?.state === 'cut'} data-testid="cut-ab">
          {t('net.cutOne', { from: a, to: b })}
        </Button>
        <Button size="xs" color="red" variant="light" onClick={() => fault({ kind: 'oneway', from: b, to: a })} disabled={ba?.state === 'cut'} data-testid="cut-ba">
          {t('net.cutOne', { from: b, to: a })}
        </Button>
        <Button
          size="xs"
          color="red"
          onClick={async () => {
            if (ab?.state !== 'cut') await fault({ kind: 'oneway', from: a, to: b });
            if (ba?.state !== 'cut') await fault({ kind: 'oneway', from: b, to: a });
          }}
          disabled={ab?.state === 'cut' && ba?.state === 'cut'}
          data-testid="cut-both"
        >
          {t('net.cutBoth')}
        </Button>
        <Button size="xs" color="teal" variant="light" disabled={on.length === 0} onClick={async () => { for (const f of on) await heal(f.id); }} data-testid="heal-link">
          {on.length > 0 ? t('net.healLinkN', { ids: on.map((f) => f.id).join(', ') }) : t('net.healLink')}
        </Button>
      </Group>
      <Group gap={6} mt="xs" align="flex-end">
        <NumberInput size="xs" w={110} label={t('net.latencyMs')} min={1} max={60000} value={ms} onChange={setMs} data-testid="slow-ms" />
        <NumberInput size="xs" w={100} label={t('net.jitterMs')} min={0} max={60000} value={jitter} onChange={setJitter} data-testid="slow-jitter" />
        <Button size="xs" variant="light" color="orange" onClick={() => fault({ kind: 'slow', a, b, ms: Number(ms), jitterMs: Number(jitter) })} data-testid="slow-link">
          {t('net.slowBoth')}
        </Button>
        <Select size="xs" w={150} label={t('net.holdType')} data={HOLD_TYPES} value={holdType} onChange={(v) => setHoldType(v ?? 'COMMIT')} allowDeselect={false} data-testid="hold-type" />
        <Button size="xs" variant="light" color="violet" onClick={() => fault({ kind: 'hold', type: holdType as HoldType, from: a, to: [b] })} data-testid="hold-ab">
          {t('net.holdOne', { from: a, to: b })}
        </Button>
        <Button size="xs" variant="light" color="violet" onClick={() => fault({ kind: 'hold', type: holdType as HoldType, from: b, to: [a] })} data-testid="hold-ba">
          {t('net.holdOne', { from: b, to: a })}
        </Button>
      </Group>
      {on.length > 0 && (
        <Text size="xs" c="dimmed" mt={6}>
          {t('net.shapedBy', { faults: on.map((f) => `${f.id} (${faultText(f)})`).join('; ') })}
        </Text>
      )}
    </Card>
  );
}

export function PartitionBuilder({ ids, sideOf, setSide, groups, clear, apply }: { ids: number[]; sideOf: (id: number) => Side; setSide: (id: number, s: Side) => void; groups: number[][]; clear: () => void; apply: () => void }) {
  const { t } = useTranslation();
  return (
    <Card withBorder p="sm" data-testid="partition-builder">
      <Text fw={700} size="sm">
        {t('net.drawPartition')}
      </Text>
      <Text size="xs" c="dimmed" mb={6}>
        {t('net.drawPartitionHint')}
      </Text>
      <Group gap="sm">
        {ids.map((id) => (
          <Group key={id} gap={4} wrap="nowrap">
            <Text size="xs" fw={600}>
              {id}
            </Text>
            <SegmentedControl size="xs" value={sideOf(id)} onChange={(v) => setSide(id, v as Side)} data={[...SIDES]} data-testid={`side-${id}`} aria-label={t('net.sideOf', { myid: id })} />
          </Group>
        ))}
      </Group>
      <Group gap={6} mt={8}>
        <Button size="xs" color="red" disabled={groups.length < 2} onClick={apply} data-testid="partition-apply">
          {t('net.partition', { groups: groups.length >= 2 ? groups.map((g) => g.join(',')).join(' | ') : '' })}
        </Button>
        <Button size="xs" variant="default" disabled={groups.length < 2} onClick={clear} data-testid="partition-clear">
          {t('net.clearSides')}
        </Button>
      </Group>
    </Card>
  );
}

export function MemberFaults({ view, fault }: { view: LabView; fault: (s: FaultSpec) => Promise<void> }) {
  const { t } = useTranslation();
  const [member, setMember] = useState<string>(String(view.nodes[0]?.myid ?? 1));
  const [ms, setMs] = useState<number | string>(500);
  const [holdType, setHoldType] = useState<string>('COMMIT');
  const n = view.nodes.find((x) => String(x.myid) === member);
  const id = Number(member);
  const ours = n?.engine === 'ours';
  return (
    <Card withBorder p="sm" data-testid="member-faults">
      <Text fw={700} size="sm" mb={6}>
        {t('net.memberFaults')}
      </Text>
      <Group gap={6} align="flex-end">
        <Select size="xs" w={100} label={t('net.member')} data={view.nodes.map((x) => ({ value: String(x.myid), label: t('net.node', { myid: x.myid }) }))} value={member} onChange={(v) => setMember(v ?? member)} allowDeselect={false} data-testid="member-fault-target" />
        <NumberInput size="xs" w={90} label={t('net.ms')} min={1} max={60000} value={ms} onChange={setMs} data-testid="member-fault-ms" />
        <Button size="xs" variant="light" color="red" onClick={() => fault({ kind: 'client-cut', myid: id })} data-testid="fault-client-cut">
          {t('net.cutClients')}
        </Button>
        <Button size="xs" variant="light" color="orange" onClick={() => fault({ kind: 'slow', a: id, b: null, ms: Number(ms), jitterMs: 0 })} data-testid="fault-slow-member">
          {t('net.slowAll', { ms: Number(ms) })}
        </Button>
        <Button size="xs" variant="light" color="orange" disabled={!ours} title={ours ? undefined : t('net.oursOnly')} onClick={() => fault({ kind: 'disk', myid: id, mode: 'stall', ms: Number(ms) })} data-testid="fault-disk-stall">
          {t('net.stallFsync', { ms: Number(ms) })}
        </Button>
        <Button size="xs" variant="light" color="red" disabled={!ours} title={ours ? undefined : t('net.oursOnly')} onClick={() => fault({ kind: 'disk', myid: id, mode: 'full', ms: null })} data-testid="fault-disk-full">
          {t('net.diskFull')}
        </Button>
      </Group>
      <Group gap={6} mt={6}>
        <Select size="xs" w={140} aria-label={t('net.holdTypeAria')} data={HOLD_TYPES} value={holdType} onChange={(v) => setHoldType(v ?? 'COMMIT')} allowDeselect={false} data-testid="member-hold-type" />
        <Button size="xs" variant="light" color="violet" onClick={() => fault({ kind: 'hold', type: holdType as HoldType, from: id, to: null })} data-testid="fault-hold-from">
          {t('net.holdFrom', { type: holdType, myid: id })}
        </Button>
      </Group>
    </Card>
  );
}

const KIND_COLOR: Record<string, string> = { partition: 'red', isolate: 'red', bridge: 'orange', oneway: 'red', slow: 'orange', hold: 'violet', 'client-cut': 'red', disk: 'grape', kill: 'red', stop: 'red', pause: 'orange', 'slow-apply': 'grape' };

export function FaultList({ faults, heal, release }: { faults: Fault[]; heal: (id: string | null) => Promise<void>; release: (id: string | null) => Promise<void> }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4} mt="md" data-testid="fault-list" data-count={faults.length}>
      <Text fw={700} size="sm">
        {t('net.inForce')}
      </Text>
      {faults.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="no-faults">
          {t('net.noFaults')}
        </Text>
      ) : (
        <SimpleGrid cols={1}>
          <Table fz="sm" verticalSpacing={4} highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={50}>{t('net.colId')}</Table.Th>
                <Table.Th w={90}>{t('net.colKind')}</Table.Th>
                <Table.Th>{t('net.colFault')}</Table.Th>
                <Table.Th w={60}>{t('net.colHeld')}</Table.Th>
                <Table.Th w={120}>{t('net.colSince')}</Table.Th>
                <Table.Th w={180} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {faults.map((f) => (
                <Table.Tr key={f.id} data-testid="fault-row" data-id={f.id} data-kind={f.spec.kind} data-held={f.held}>
                  <Table.Td ff="monospace">{f.id}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color={KIND_COLOR[f.spec.kind] ?? 'gray'}>
                      {f.spec.kind}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{faultText(f)}</Table.Td>
                  <Table.Td>{f.held}</Table.Td>
                  <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {clock(f.startedAt)}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      {f.spec.kind === 'hold' && f.held > 0 && (
                        <Button size="compact-xs" variant="light" color="violet" onClick={() => release(f.id)} data-testid={`release-${f.id}`}>
                          {t('net.releaseN', { n: f.held })}
                        </Button>
                      )}
                      <Button size="compact-xs" color="teal" onClick={() => heal(f.id)} data-testid={`heal-${f.id}`}>
                        {t('net.heal')}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </SimpleGrid>
      )}
    </Stack>
  );
}

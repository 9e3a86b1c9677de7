// One node as a card: its role and ZooKeeper state, draggable onto the Kill / Stop zones, with
// the same actions from the keyboard and a context menu.
import { Badge, Button, Card, Group, Menu, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { MemberChange, NodeAction, NodeView } from '../shared/contract';
import { configText } from './Membership';
import { latencyText, ROLE_COLOR, uptime, zxidText } from './format';
import { useTranslation } from './i18n';

interface Props {
  n: NodeView;
  now: number;
  attached: boolean;
  act: (myid: number, a: NodeAction) => Promise<void>;
  dragType: string;
  onDrag: (myid: number | null) => void;
  /** The client port through the lab's network (its faults reach it), when the lab has one. */
  labClientPort: number | null;
  /** Why Pause is off on this platform (no SIGSTOP), or null. */
  noPause?: string | null;
  /** Membership changes from the menu (a lab with reconfigEnabled), and the ports dialog; absent: none offered. */
  member?: { change: (c: MemberChange) => void; ports: (myid: number) => void; busy: boolean } | null;
}

/** What a row means, shown when the pointer rests on its name (catalogue keys; the rows' test ids stay English). */
const HINTS: Record<string, string> = {
  Epoch: 'node.hintEpoch',
  'Last zxid': 'node.hintZxid',
  Phase: 'node.hintPhase',
  Config: 'members.configHint',
};
const ROW_NAMES: Record<string, string> = {
  Epoch: 'node.epoch',
  'Last zxid': 'node.lastZxid',
  Phase: 'node.phase',
  Connections: 'node.connections',
  Outstanding: 'node.outstanding',
  Latency: 'node.latency',
  znodes: 'node.znodes',
  PID: 'node.pid',
  Uptime: 'node.uptime',
  Config: 'members.config',
};

/** Keys on a focused card, and what they do. */
const KEYS: Record<string, NodeAction | 'menu'> = { k: 'kill', s: 'stop', r: 'restart', p: 'pause', Enter: 'menu', ' ': 'menu', ContextMenu: 'menu' };

export function NodeCard({ n, now, attached, act, dragType, onDrag, labClientPort, noPause = null, member = null }: Props) {
  const down = n.role === 'down';
  const paused = n.role === 'paused';
  const [menu, setMenu] = useState(false);
  const { t } = useTranslation();
  const role = t(`role.${n.role}`);
  const engine = n.engine === 'apache' ? 'Apache 3.8' : n.engine === 'external' ? t('node.engineAttached') : t('node.engineOurs');
  const rows: [string, string][] = [
    ['Epoch', n.epoch === null ? '—' : String(n.epoch)],
    ['Last zxid', zxidText(n.lastZxid)],
    ['Phase', n.zabState ?? '—'],
    ['Connections', n.connections === null ? '—' : String(n.connections)],
    ['Outstanding', n.outstanding === null ? '—' : String(n.outstanding)],
    ['Latency', latencyText(n.minLatency, n.avgLatency, n.maxLatency)],
    ['znodes', n.znodeCount === null ? '—' : String(n.znodeCount)],
    ['PID', n.pid === null ? '—' : String(n.pid)],
    ['Uptime', uptime(n.startedAt, now)],
    ...(attached ? [] : ([['Config', configText(n.configVersion)]] as [string, string][])),
  ];
  return (
    <Card
          withBorder
          shadow="sm"
          padding="sm"
          tabIndex={0}
          role="group"
          draggable={!attached}
          data-testid={`node-${n.myid}`}
          data-role={n.role}
          data-epoch={n.epoch ?? ''}
          data-zxid={n.lastZxid ?? ''}
          aria-label={attached ? t('node.aria', { myid: n.myid, role }) : t('node.ariaKeys', { myid: n.myid, role })}
          onDragStart={(e) => {
            e.dataTransfer.setData(dragType, String(n.myid));
            e.dataTransfer.setData('text/plain', String(n.myid));
            e.dataTransfer.effectAllowed = 'move';
            onDrag(n.myid);
          }}
          onDragEnd={() => onDrag(null)}
          onContextMenu={(e) => {
            if (attached) return;
            e.preventDefault();
            setMenu(true);
          }}
          onKeyDown={(e) => {
            // Only keys on the card itself: not on its Restart button, nor in its menu (a portal, but React bubbles through it).
            if (e.target !== e.currentTarget || attached || e.ctrlKey || e.metaKey || e.altKey) return;
            const a = KEYS[e.key];
            if (!a) return;
            e.preventDefault();
            if (a === 'menu') setMenu(true);
            else if (a === 'pause') void act(n.myid, paused ? 'resume' : 'pause');
            else if (a === 'restart') void act(n.myid, down ? 'start' : 'restart');
            else if (!down) void act(n.myid, a);
          }}
          style={{
            position: 'relative',
            cursor: attached ? 'default' : 'grab',
            opacity: down ? 0.65 : 1,
            borderColor: n.role === 'leader' ? 'var(--mantine-color-teal-5)' : undefined,
            borderWidth: n.role === 'leader' ? 2 : undefined,
          }}
        >
          <Group justify="space-between" mb={4} wrap="nowrap" gap={6} align="flex-start">
            <div style={{ minWidth: 0 }}>
              <Text fw={700} lh={1.2}>
                {t('node.title', { myid: n.myid })}
              </Text>
              <Text size="xs" c="dimmed" lh={1.2}>
                {engine}
                {n.observer ? ` · ${t('role.observer')}` : ''}
              </Text>
            </div>
            <Badge color={ROLE_COLOR[n.role] ?? 'gray'} style={{ flexShrink: 0, overflow: 'visible' }} data-testid={`role-${n.myid}`}>
              {role}
            </Badge>
          </Group>
          <Table withRowBorders={false} verticalSpacing={1} horizontalSpacing={0} fz="xs">
            <Table.Tbody>
              {rows.map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Td c="dimmed" w={84} title={HINTS[k] ? t(HINTS[k]) : undefined}>
                    {t(ROW_NAMES[k]!)}
                  </Table.Td>
                  <Table.Td ff={k === 'Last zxid' || k === 'Config' ? 'monospace' : undefined} data-testid={`${k.toLowerCase().replace(/ /g, '-')}-${n.myid}`}>
                    {v}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {labClientPort !== null ? (
            <>
              <Text size="xs" mt={4} title={t('node.labPortHint')} data-testid={`client-port-${n.myid}`}>
                {t('node.client', { address: `127.0.0.1:${labClientPort}` })}
              </Text>
              <Text size="xs" c="dimmed" title={t('node.directHint')} data-testid={`direct-port-${n.myid}`}>
                {t('node.direct', { port: n.clientPort })} <span style={{ whiteSpace: 'nowrap' }}>{t('node.outside')}</span>
              </Text>
            </>
          ) : (
            <Text size="xs" c="dimmed" mt={4} data-testid={`client-port-${n.myid}`}>
              {t('node.client', { address: `127.0.0.1:${n.clientPort}` })}
            </Text>
          )}
          {down && n.lastError && (
            <Text size="xs" c={n.lastError.startsWith('crashed') || n.lastError.startsWith('could not') ? 'red' : 'dimmed'} mt={4} data-testid={`last-exit-${n.myid}`}>
              {n.lastError}
            </Text>
          )}
          {down && !attached && (
            <Button size="xs" mt="xs" fullWidth onClick={() => act(n.myid, 'start')} data-testid={`restart-${n.myid}`}>
              {t('palette.restart')}
            </Button>
          )}
          {paused && (
            <Button size="xs" mt="xs" fullWidth variant="light" color="orange" onClick={() => act(n.myid, 'resume')} data-testid={`resume-${n.myid}`}>
              {t('node.resume')}
            </Button>
          )}
          {!down && (n.applyDelayMs ?? 0) > 0 && (
            <Button size="xs" mt="xs" fullWidth variant="light" color="grape" onClick={() => act(n.myid, 'unslow')} data-testid={`slow-${n.myid}`} title={t('node.slowHint')}>
              {t('node.slow', { ms: n.applyDelayMs })}
            </Button>
          )}
      {/* The menu hangs off an invisible anchor: a click on the card (or its Restart button) must not open it. */}
      <Menu opened={menu} onChange={setMenu} position="bottom-start" withinPortal disabled={attached}>
        <Menu.Target>
          <span style={{ position: 'absolute', left: 12, bottom: 12, width: 1, height: 1 }} aria-hidden />
        </Menu.Target>
        <Menu.Dropdown>
        <Menu.Label>{t('node.title', { myid: n.myid })}</Menu.Label>
        <Menu.Item disabled={down} color="red" onClick={() => act(n.myid, 'kill')}>
          {t('node.kill')}
        </Menu.Item>
        <Menu.Item disabled={down} onClick={() => act(n.myid, 'stop')}>
          {t('node.stop')}
        </Menu.Item>
        <Menu.Item disabled={down || noPause !== null} title={noPause ?? undefined} onClick={() => act(n.myid, paused ? 'resume' : 'pause')}>
          {paused ? t('node.resume') : t('node.pause')}
          {noPause && (
            <Text size="xs" c="dimmed">
              {noPause}
            </Text>
          )}
        </Menu.Item>
        <Menu.Item onClick={() => act(n.myid, down ? 'start' : 'restart')}>{down ? t('palette.start') : t('palette.restart')}</Menu.Item>
        {n.engine === 'ours' && (
          <Menu.Item disabled={down} onClick={() => act(n.myid, (n.applyDelayMs ?? 0) > 0 ? 'unslow' : 'slow')} data-testid={`menu-slow-${n.myid}`}>
            {(n.applyDelayMs ?? 0) > 0 ? t('node.unslow') : t('node.slowMenu')}
          </Menu.Item>
        )}
        {member && (
          <>
            <Menu.Divider />
            <Menu.Item disabled={member.busy} onClick={() => member.change({ kind: 'role', myid: n.myid, role: n.observer ? 'participant' : 'observer' })} data-testid={`menu-role-${n.myid}`}>
              {n.observer ? t('members.makeVoter') : t('members.makeObserver')}
            </Menu.Item>
            <Menu.Item disabled={member.busy} onClick={() => member.ports(n.myid)} data-testid={`menu-ports-${n.myid}`}>
              {t('members.ports')}
            </Menu.Item>
            <Menu.Item disabled={member.busy} color="red" onClick={() => member.change({ kind: 'remove', myid: n.myid })} data-testid={`menu-remove-${n.myid}`}>
              {t('members.remove')}
            </Menu.Item>
          </>
        )}
        </Menu.Dropdown>
      </Menu>
    </Card>
  );
}

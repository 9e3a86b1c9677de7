// The Cluster view's membership panel (ZooKeeper's reconfig through the lab: src/lab/membership.ts):
// add a voter or an observer, a rolling restart, the change's steps while it runs, and whether
// every member is in the same config version. The node card's menu asks for the other changes
// (remove, observer/voter, ports), the ports through PortsModal here.
import { Alert, Button, Card, Group, Modal, NumberInput, Progress, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { LabView, MemberChange, NodeView } from '../shared/contract';
import type { ViewProps } from './views';
import { useTranslation } from './i18n';

/** A config version as the node cards and zk-lab write it. */
export function configText(v: string | null): string {
  return v === null ? '—' : `0x${v}`;
}

/** Runs one change; `changing` is set while it runs (the panel shows its steps instead of the launch's). */
export function useMemberChange(lab: ViewProps['lab'], run: ViewProps['run']) {
  const { t } = useTranslation();
  const [changing, setChanging] = useState(false);
  const change = async (c: MemberChange): Promise<void> => {
    setChanging(true);
    try {
      const done =
        c.kind === 'add'
          ? t('members.doneAdd')
          : c.kind === 'remove'
            ? t('members.doneRemove', { myid: c.myid })
            : c.kind === 'role'
              ? t('members.doneRole', { myid: c.myid, role: c.role === 'observer' ? t('members.observer') : t('members.voter') })
              : c.kind === 'ports'
                ? t('members.donePorts', { myid: c.myid })
                : t('members.doneRolling');
      await run(lab.call({ method: 'member.change', change: c }), done);
    } finally {
      setChanging(false);
    }
  };
  return { changing, change };
}

export function MembershipPanel({ view, progress, changing, change }: { view: LabView; progress: ViewProps['progress']; changing: boolean; change: (c: MemberChange) => Promise<void> }) {
  const { t } = useTranslation();
  const running = view.nodes.filter((n) => n.role !== 'down' && n.role !== 'paused');
  const versions = new Set(running.map((n) => n.configVersion));
  const summary =
    running.length === 0 || versions.has(null)
      ? t('members.unknown')
      : versions.size === 1
        ? t('members.agreed', { version: configText(running[0]!.configVersion) })
        : t('members.differ', { list: running.map((n) => `${n.myid}: ${configText(n.configVersion)}`).join(', ') });
  const off = view.nodes.length < 2 || !!view.source || !view.reconfigEnabled;
  return (
    <Card withBorder p="sm" data-testid="membership">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div style={{ minWidth: 0 }}>
          <Title order={5}>{t('members.title')}</Title>
          <Text size="xs" c="dimmed" maw={640}>
            {t('members.intro')}
          </Text>
          <Text size="sm" mt={4} data-testid="config-summary" c={versions.size > 1 ? 'orange' : undefined}>
            {summary}
          </Text>
        </div>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="light" disabled={changing || off} onClick={() => void change({ kind: 'add', observer: false })} data-testid="member-add">
            {t('members.addVoter')}
          </Button>
          <Button size="xs" variant="light" disabled={changing || off} onClick={() => void change({ kind: 'add', observer: true })} data-testid="member-add-observer">
            {t('members.addObserver')}
          </Button>
          <Button size="xs" variant="default" disabled={changing || off || !view.serving} title={t('members.rollingHint')} onClick={() => void change({ kind: 'rolling-restart' })} data-testid="rolling-restart">
            {t('members.rollingRestart')}
          </Button>
        </Group>
      </Group>
      {!view.reconfigEnabled && view.nodes.length > 1 && (
        <Alert color="gray" mt="sm" p="xs" data-testid="membership-off">
          {t('members.off')}
        </Alert>
      )}
      {changing && (
        <Stack gap={4} mt="sm" data-testid="member-progress">
          <Text size="sm">{progress?.step ?? t('members.working')}</Text>
          <Progress value={progress ? (100 * progress.done) / Math.max(1, progress.total) : 0} animated />
        </Stack>
      )}
    </Card>
  );
}

/** The new ports of one member, checked by the backend (a port the lab uses, or the same three, is refused there). */
export function PortsModal({ node, close, change }: { node: NodeView | null; close: () => void; change: (c: MemberChange) => Promise<void> }) {
  const { t } = useTranslation();
  const [ports, setPorts] = useState<{ client: number | string; quorum: number | string; election: number | string }>({ client: '', quorum: '', election: '' });
  if (!node) return null;
  const num = (v: number | string): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  return (
    <Modal opened onClose={close} title={t('members.portsTitle', { myid: node.myid })} centered>
      <Stack gap="sm">
        <Text size="sm">{t('members.portsText')}</Text>
        <NumberInput label={t('members.clientPort')} placeholder={String(node.clientPort)} min={1} max={65535} value={ports.client} onChange={(v) => setPorts({ ...ports, client: v })} data-testid="ports-client" />
        <NumberInput label={t('members.quorumPort')} min={1} max={65535} value={ports.quorum} onChange={(v) => setPorts({ ...ports, quorum: v })} data-testid="ports-quorum" />
        <NumberInput label={t('members.electionPort')} min={1} max={65535} value={ports.election} onChange={(v) => setPorts({ ...ports, election: v })} data-testid="ports-election" />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('members.cancel')}
          </Button>
          <Button
            data-testid="ports-apply"
            disabled={num(ports.client) === undefined && num(ports.quorum) === undefined && num(ports.election) === undefined}
            onClick={() => {
              close();
              void change({ kind: 'ports', myid: node.myid, clientPort: num(ports.client), quorumPort: num(ports.quorum), electionPort: num(ports.election) });
            }}
          >
            {t('members.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

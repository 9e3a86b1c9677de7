// The lab's network in the Cluster view: the members' links as the relays shape them (drawn
// between the members; state told by dash, label and mark, not by colour alone), faults made
// with the mouse or the keyboard (a link: cut one way or both, slow, hold; a partition drawn by
// putting members on sides), one-click presets, the faults in force, and a banner saying what
// the ensemble does under them now. Everything shown is what the backend sends (net.state and
// its pushes).
// The drawing is NetTopology.tsx, the fault tools NetFaults.tsx, the sentences netmodel.ts.
import { Alert, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import type { FaultSpec, LabApi, LabView, NetView } from '../shared/contract';
import { errorText, useTranslation } from './i18n';
import { FaultList, LinkPanel, MemberFaults, PartitionBuilder } from './NetFaults';
import { Legend, SIDES, type Side, Topology } from './NetTopology';
import { minoritySplit, situation } from './netmodel';

/** The NetView, live: asked for when the lab changes, then every push (and a slow poll for the counters). */
export function useNet(lab: LabApi, view: LabView | null): { net: NetView | null; error: string | null } {
  const [net, setNet] = useState<NetView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const labKey = view ? `${view.name}|${view.dir}|${view.nodes.length}` : null;
  useEffect(() => {
    setNet(null);
    if (labKey === null) return;
    let stop = false;
    const ask = (): void => {
      lab.call({ method: 'net.state' }).then(
        (n) => {
          if (stop) return;
          setNet(n);
          setError(null);
        },
        (e: Error) => {
          if (!stop) setError(errorText(e));
        },
      );
    };
    ask();
    const off = lab.onPush((p) => {
      if (p.kind === 'net') setNet(p.net);
    });
    // Pushes come on every change; the delivered counters move without one.
    const t = setInterval(ask, 2000);
    return () => {
      stop = true;
      off();
      clearInterval(t);
    };
  }, [lab, labKey]);
  return { net, error };
}

/** What the ensemble does under the network as it is now. */
export function NetBanner({ view, net }: { view: LabView; net: NetView | null }) {
  const { i18n } = useTranslation();
  // The sentences are in the UI's language: made again when it changes.
  const s = useMemo(() => (net && net.enabled ? situation(view, net) : null), [view, net, i18n.language]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!s) return null;
  return (
    <Alert
      color={s.tone === 'ok' ? 'gray' : s.tone === 'warn' ? 'yellow' : 'red'}
      variant={s.tone === 'ok' ? 'outline' : 'light'}
      title={s.title}
      data-testid="net-banner"
      data-tone={s.tone}
      data-cut-off={s.cutOff.join(',')}
      data-sides={s.sides ? s.sides.map((g) => g.join(',')).join('|') : ''}
    >
      <Stack gap={2}>
        {s.lines.map((l, i) => (
          <Text key={i} size="sm">
            {l}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}


interface PanelProps {
  lab: LabApi;
  view: LabView;
  net: NetView | null;
  error: string | null;
  run: (p: Promise<unknown>) => Promise<void>;
}

export function NetworkPanel({ lab, view, net, error, run }: PanelProps) {
  const { t } = useTranslation();
  const [pair, setPair] = useState<[number, number] | null>(null);
  const [sides, setSides] = useState<Record<number, Side>>({});
  const [target, setTarget] = useState<string>('leader');
  const ids = view.nodes.map((n) => n.myid);

  if (view.attached) return null;
  if (!net) {
    return (
      <Card withBorder data-testid="network" data-enabled="unknown">
        <Title order={5}>{t('net.title')}</Title>
        <Text size="sm" c="dimmed">
          {error ? t('net.noAnswer', { error }) : t('net.asking')}
        </Text>
      </Card>
    );
  }
  if (!net.enabled) {
    return (
      <Card withBorder data-testid="network" data-enabled="false">
        <Title order={5}>{t('net.title')}</Title>
        <Text size="sm" c="dimmed">
          {net.reason ? t('net.offWhy', { reason: net.reason }) : t('net.off')}
        </Text>
      </Card>
    );
  }

  const fault = (spec: FaultSpec): Promise<void> => run(lab.call({ method: 'net.fault', spec }));
  const heal = (id: string | null): Promise<void> => run(lab.call({ method: 'net.heal', id }));
  const release = (id: string | null): Promise<void> => run(lab.call({ method: 'net.release', id }));

  const leader = view.leader ?? view.nodes.find((n) => n.role === 'leader')?.myid ?? null;
  const targetId = target === 'leader' ? leader : Number(target);
  const split = targetId !== null ? minoritySplit(view, targetId) : null;
  const voters = view.nodes.filter((n) => !n.observer).length;
  // Release delivers what holds set aside; what a cut holds goes only when the cut heals.
  const heldTotal = net.faults.reduce((s, f) => s + (f.spec.kind === 'hold' ? f.held : 0), 0);

  const sideOf = (id: number): Side => sides[id] ?? 'A';
  const cycleSide = (id: number): void => setSides((s) => ({ ...s, [id]: SIDES[(SIDES.indexOf(s[id] ?? 'A') + 1) % SIDES.length]! }));
  const groups = SIDES.map((s) => ids.filter((id) => sideOf(id) === s)).filter((g) => g.length > 0);

  return (
    <Card withBorder data-testid="network" data-enabled="true">
      <Group justify="space-between" mb="xs" align="flex-start">
        <div>
          <Title order={5}>{t('net.title')}</Title>
          <Text size="xs" c="dimmed" maw={620}>
            {t('net.intro')}
          </Text>
        </div>
        <Group gap="xs">
          <Button size="xs" variant="light" color="violet" disabled={heldTotal === 0} onClick={() => release(null)} data-testid="release-all">
            {heldTotal > 0 ? t('net.releaseHeldN', { n: heldTotal }) : t('net.releaseHeld')}
          </Button>
          <Button size="xs" color="teal" disabled={net.faults.length === 0} onClick={() => heal(null)} data-testid="heal-all">
            {t('net.healAll')}
          </Button>
        </Group>
      </Group>

      {ids.length < 2 ? (
        <MemberFaults view={view} fault={fault} />
      ) : (
        <>
          <Group gap="xs" mb="sm" data-testid="presets">
            <Text size="sm" fw={600}>
              {t('net.presets')}
            </Text>
            <Select
              size="xs"
              w={190}
              aria-label={t('net.presetAria')}
              value={target}
              onChange={(v) => setTarget(v ?? 'leader')}
              allowDeselect={false}
              data={[{ value: 'leader', label: leader !== null ? t('net.theLeaderN', { myid: leader }) : t('net.theLeaderNone') }, ...ids.map((id) => ({ value: String(id), label: t('net.node', { myid: id }) }))]}
              data-testid="preset-target"
            />
            <Button size="xs" variant="light" color="red" disabled={targetId === null || ids.length < 2} onClick={() => targetId !== null && fault({ kind: 'isolate', myid: targetId })} data-testid="preset-isolate">
              {targetId !== null ? t('net.isolateN', { myid: targetId }) : t('net.isolate')}
            </Button>
            <Button size="xs" variant="light" color="red" disabled={!split || voters < 3} onClick={() => split && fault({ kind: 'partition', groups: split })} data-testid="preset-split">
              {split && voters >= 3 ? t('net.splitN', { minority: split[0]!.join(','), majority: split[1]!.join(',') }) : t('net.split')}
            </Button>
            <Button size="xs" variant="light" color="orange" disabled={targetId === null || ids.length < 3} onClick={() => targetId !== null && fault({ kind: 'bridge', myid: targetId })} data-testid="preset-bridge">
              {targetId !== null ? t('net.bridgeN', { myid: targetId }) : t('net.bridge')}
            </Button>
          </Group>

          <Group align="flex-start" gap="lg" wrap="nowrap">
            <Stack gap={4} style={{ flex: '0 0 auto' }}>
              <Topology view={view} net={net} pair={pair} setPair={setPair} sides={sides} sideOf={sideOf} cycleSide={cycleSide} fault={fault} heal={heal} />
              <Legend />
            </Stack>
            <Stack gap="sm" style={{ flex: 1, minWidth: 0 }}>
              <LinkPanel view={view} net={net} pair={pair} fault={fault} heal={heal} />
              <PartitionBuilder ids={ids} sideOf={sideOf} setSide={(id, s) => setSides((x) => ({ ...x, [id]: s }))} groups={groups} clear={() => setSides({})} apply={() => fault({ kind: 'partition', groups })} />
              <MemberFaults view={view} fault={fault} />
            </Stack>
          </Group>
        </>
      )}
      <FaultList faults={net.faults} heal={heal} release={release} />
    </Card>
  );
}


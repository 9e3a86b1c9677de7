// The lab's network in the Cluster view: the members' links as the relays shape them (drawn
// between the members; state told by dash, label and mark, not by colour alone), faults made
// with the mouse or the keyboard (a link: cut one way or both, slow, hold; a partition drawn by
// putting members on sides), one-click presets, the faults in force, and a banner saying what
// the ensemble does under them now. Everything shown is what the backend sends (net.state and
// its pushes).
import { Alert, Badge, Button, Card, Group, Kbd, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import type { Fault, FaultSpec, HoldType, LabApi, LabView, LinkView, NetView } from '../shared/contract';
import { clock, ROLE_CSS } from './format';
import { faultsOnPair, linkMap, linkOf, minoritySplit, situation } from './netmodel';

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
          if (!stop) setError(e.message);
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
  const s = useMemo(() => (net && net.enabled ? situation(view, net) : null), [view, net]);
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

const STATE_STYLE: Record<LinkView['state'], { color: string; dash: string | undefined; width: number }> = {
  ok: { color: '#868e96', dash: undefined, width: 1.6 },
  slow: { color: '#e8590c', dash: '7 4', width: 2.2 },
  cut: { color: '#e03131', dash: '2 4', width: 2.2 },
  holding: { color: '#7048e8', dash: '10 3 2 3', width: 2.4 },
};
const SIDES = ['A', 'B', 'C'] as const;
type Side = (typeof SIDES)[number];
const SIDE_DASH: Record<Side, string | undefined> = { A: undefined, B: '6 3', C: '2 3' };
const HOLD_TYPES: HoldType[] = ['COMMIT', 'PROPOSAL', 'ACK', 'NOTIFICATION', 'INFORM', 'REQUEST', 'PING', 'SYNC', 'UPTODATE', 'NEWLEADER', 'DIFF', 'TRUNC', 'SNAP'];

interface PanelProps {
  lab: LabApi;
  view: LabView;
  net: NetView | null;
  error: string | null;
  run: (p: Promise<unknown>) => Promise<void>;
}

export function NetworkPanel({ lab, view, net, error, run }: PanelProps) {
  const [pair, setPair] = useState<[number, number] | null>(null);
  const [sides, setSides] = useState<Record<number, Side>>({});
  const [target, setTarget] = useState<string>('leader');
  const ids = view.nodes.map((n) => n.myid);

  if (view.attached) return null;
  if (!net) {
    return (
      <Card withBorder data-testid="network" data-enabled="unknown">
        <Title order={5}>Network</Title>
        <Text size="sm" c="dimmed">
          {error ? `The lab's network did not answer: ${error}` : 'Asking the lab for its network…'}
        </Text>
      </Card>
    );
  }
  if (!net.enabled) {
    return (
      <Card withBorder data-testid="network" data-enabled="false">
        <Title order={5}>Network</Title>
        <Text size="sm" c="dimmed">
          The lab&apos;s network is off for this lab{net.reason ? `: ${net.reason}` : '.'}
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
          <Title order={5}>Network</Title>
          <Text size="xs" c="dimmed" maw={620}>
            Every byte between two members passes through the lab, one relay per direction. Click a link to cut, slow or hold it; click members to put them on sides of a partition. Faults undo with Heal.
          </Text>
        </div>
        <Group gap="xs">
          <Button size="xs" variant="light" color="violet" disabled={heldTotal === 0} onClick={() => release(null)} data-testid="release-all">
            Release held{heldTotal > 0 ? ` (${heldTotal})` : ''}
          </Button>
          <Button size="xs" color="teal" disabled={net.faults.length === 0} onClick={() => heal(null)} data-testid="heal-all">
            Heal all
          </Button>
        </Group>
      </Group>

      {ids.length < 2 ? (
        <MemberFaults view={view} fault={fault} />
      ) : (
        <>
          <Group gap="xs" mb="sm" data-testid="presets">
            <Text size="sm" fw={600}>
              Presets
            </Text>
            <Select
              size="xs"
              w={190}
              aria-label="member the presets act on"
              value={target}
              onChange={(v) => setTarget(v ?? 'leader')}
              allowDeselect={false}
              data={[{ value: 'leader', label: leader !== null ? `the leader (node ${leader})` : 'the leader (none now)' }, ...ids.map((id) => ({ value: String(id), label: `node ${id}` }))]}
              data-testid="preset-target"
            />
            <Button size="xs" variant="light" color="red" disabled={targetId === null || ids.length < 2} onClick={() => targetId !== null && fault({ kind: 'isolate', myid: targetId })} data-testid="preset-isolate">
              Isolate {targetId !== null ? `node ${targetId}` : ''}
            </Button>
            <Button size="xs" variant="light" color="red" disabled={!split || voters < 3} onClick={() => split && fault({ kind: 'partition', groups: split })} data-testid="preset-split">
              {split && voters >= 3 ? `Split ${split[0]!.join(',')} | ${split[1]!.join(',')} (minority | majority)` : 'Minority | majority split'}
            </Button>
            <Button size="xs" variant="light" color="orange" disabled={targetId === null || ids.length < 3} onClick={() => targetId !== null && fault({ kind: 'bridge', myid: targetId })} data-testid="preset-bridge">
              Bridge through {targetId !== null ? `node ${targetId}` : '…'}
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

interface TopologyProps {
  view: LabView;
  net: NetView;
  pair: [number, number] | null;
  setPair: (p: [number, number] | null) => void;
  sides: Record<number, Side>;
  sideOf: (id: number) => Side;
  cycleSide: (id: number) => void;
  fault: (spec: FaultSpec) => Promise<void>;
  heal: (id: string | null) => Promise<void>;
}

const W = 460;
const H = 380;
const R_NODE = 25;

/** The members on a circle, and two arrows between every two of them, one per direction. */
function Topology({ view, net, pair, setPair, sides, sideOf, cycleSide, fault, heal }: TopologyProps) {
  const [focus, setFocus] = useState<string | null>(null);
  const links = linkMap(net);
  const ids = view.nodes.map((n) => n.myid);
  const radius = ids.length <= 3 ? 115 : 140;
  const pos = new Map(ids.map((id, i) => [id, { x: W / 2 + radius * Math.cos(-Math.PI / 2 + (2 * Math.PI * i) / ids.length), y: H / 2 + 8 + radius * Math.sin(-Math.PI / 2 + (2 * Math.PI * i) / ids.length) }]));
  const partitioning = Object.values(sides).some((s) => s !== 'A');
  const pairs: [number, number][] = [];
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.push([ids[i]!, ids[j]!]);

  /** One direction's line: offset to the right of its travel, so the two directions lie side by side. */
  const geometry = (from: number, to: number) => {
    const a = pos.get(from)!;
    const b = pos.get(to)!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    const nx = -uy;
    const ny = ux;
    const off = 5;
    const x1 = a.x + ux * (R_NODE + 3) + nx * off;
    const y1 = a.y + uy * (R_NODE + 3) + ny * off;
    const x2 = b.x - ux * (R_NODE + 9) + nx * off;
    const y2 = b.y - uy * (R_NODE + 9) + ny * off;
    return { x1, y1, x2, y2, nx, ny, ux, uy };
  };

  const linkKeys = (a: number, b: number) => (e: React.KeyboardEvent) => {
    const k = e.key.toLowerCase();
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (k === 'enter' || k === ' ') setPair([a, b]);
    else if (k === 'c') {
      void fault({ kind: 'oneway', from: a, to: b }).then(() => fault({ kind: 'oneway', from: b, to: a }));
      setPair([a, b]);
    } else if (k === 'a') {
      void fault({ kind: 'oneway', from: a, to: b });
      setPair([a, b]);
    } else if (k === 'b') {
      void fault({ kind: 'oneway', from: b, to: a });
      setPair([a, b]);
    } else if (k === 'h') {
      const cut = linkOf(links, a, b)?.state === 'cut' || linkOf(links, b, a)?.state === 'cut';
      for (const f of faultsOnPair(net.faults, ids, a, b, cut)) void heal(f.id);
    } else if (k === 'escape') setPair(null);
    else return;
    e.preventDefault();
  };

  return (
    <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="group" aria-label="the members and their links" data-testid="topology" style={{ display: 'block', background: 'var(--mantine-color-gray-0)', borderRadius: 8 }}>
      <defs>
        {(Object.keys(STATE_STYLE) as LinkView['state'][]).map((s) => (
          <marker key={s} id={`arrow-${s}`} viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill={STATE_STYLE[s].color} />
          </marker>
        ))}
      </defs>
      {pairs.map(([a, b]) => {
        const ab = linkOf(links, a, b);
        const ba = linkOf(links, b, a);
        const selected = pair !== null && pair[0] === a && pair[1] === b;
        const focused = focus === `${a}-${b}`;
        const pa = pos.get(a)!;
        const pb = pos.get(b)!;
        const stateText = (l: LinkView | null, f: number, t: number): string => `${f}→${t} ${l ? l.state + (l.state === 'slow' ? ` ${l.delayMs} ms` : '') + (l.held > 0 ? `, ${l.held} held` : '') : 'unknown'}`;
        return (
          <g
            key={`${a}-${b}`}
            tabIndex={0}
            role="button"
            aria-label={`link between node ${a} and node ${b}: ${stateText(ab, a, b)}, ${stateText(ba, b, a)}. Keys: Enter select, c cut both ways, a cut ${a} to ${b}, b cut ${b} to ${a}, h heal`}
            data-testid={`link-${a}-${b}`}
            data-ab={ab?.state ?? ''}
            data-ba={ba?.state ?? ''}
            style={{ cursor: 'pointer', outline: 'none' }}
            onClick={() => setPair(selected ? null : [a, b])}
            onKeyDown={linkKeys(a, b)}
            onFocus={() => setFocus(`${a}-${b}`)}
            onBlur={() => setFocus(null)}
          >
            {(selected || focused) && <line x1={pa.x} y1={pa.y} x2={pb.x} y2={pb.y} stroke={focused ? '#339af0' : '#74c0fc'} strokeOpacity={focused ? 0.55 : 0.4} strokeWidth={22} strokeLinecap="round" />}
            <line x1={pa.x} y1={pa.y} x2={pb.x} y2={pb.y} stroke="transparent" strokeWidth={18} />
            {[
              [a, b, ab],
              [b, a, ba],
            ].map(([from, to, l]) => {
              const f = from as number;
              const t = to as number;
              const link = l as LinkView | null;
              const st = link?.state ?? 'ok';
              const style = STATE_STYLE[st];
              const g = geometry(f, t);
              const mx = g.x1 + (g.x2 - g.x1) * 0.5;
              const my = g.y1 + (g.y2 - g.y1) * 0.5;
              const label = st === 'slow' ? `${link!.delayMs}${link!.jitterMs ? `±${link!.jitterMs}` : ''} ms` : st === 'holding' || (link && link.held > 0) ? `holds ${link!.held}` : null;
              // Each direction's label sits on its own side and nearer its sender, so the two never meet.
              const lx = g.x1 + (g.x2 - g.x1) * 0.3 + g.nx * 13;
              const ly = g.y1 + (g.y2 - g.y1) * 0.3 + g.ny * 13;
              return (
                <g key={`${f}>${t}`} data-testid={`dir-${f}-${t}`} data-state={st} data-held={link?.held ?? 0}>
                  <line x1={g.x1} y1={g.y1} x2={g.x2} y2={g.y2} stroke={style.color} strokeWidth={style.width} strokeDasharray={style.dash} markerEnd={`url(#arrow-${st})`} />
                  {st === 'cut' && (
                    <g stroke="#e03131" strokeWidth={2.6} strokeLinecap="round">
                      <line x1={mx + g.nx * 2 - 5} y1={my + g.ny * 2 - 5} x2={mx + g.nx * 2 + 5} y2={my + g.ny * 2 + 5} />
                      <line x1={mx + g.nx * 2 - 5} y1={my + g.ny * 2 + 5} x2={mx + g.nx * 2 + 5} y2={my + g.ny * 2 - 5} />
                    </g>
                  )}
                  {label && (
                    <text x={lx} y={ly} fontSize={10} fontWeight={600} textAnchor="middle" dominantBaseline="middle" fill={style.color} stroke="white" strokeWidth={3} paintOrder="stroke">
                      {label}
                    </text>
                  )}
                </g>
              );
            })}
          </g>
        );
      })}
      {view.nodes.map((n) => {
        const p = pos.get(n.myid)!;
        const side = sideOf(n.myid);
        const down = n.role === 'down';
        const cutClients = net.clientCut.includes(n.myid);
        return (
          <g
            key={n.myid}
            tabIndex={0}
            role="button"
            aria-label={`node ${n.myid}, ${n.role}, side ${side} of the partition being drawn. Space or Enter moves it to the next side`}
            data-testid={`topo-node-${n.myid}`}
            data-side={side}
            data-member-role={n.role}
            style={{ cursor: 'pointer', outline: 'none' }}
            onClick={() => cycleSide(n.myid)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                cycleSide(n.myid);
              }
            }}
            onFocus={() => setFocus(`n${n.myid}`)}
            onBlur={() => setFocus(null)}
          >
            {focus === `n${n.myid}` && <circle cx={p.x} cy={p.y} r={R_NODE + 7} fill="none" stroke="#339af0" strokeWidth={3} />}
            <circle
              cx={p.x}
              cy={p.y}
              r={R_NODE}
              fill={down ? '#f1f3f5' : 'white'}
              stroke={ROLE_CSS[n.role] ?? '#adb5bd'}
              strokeWidth={partitioning && side !== 'A' ? 3.5 : n.role === 'leader' ? 3.5 : 2}
              strokeDasharray={partitioning ? SIDE_DASH[side] : down ? '3 3' : undefined}
            />
            <text x={p.x} y={p.y - 3} textAnchor="middle" dominantBaseline="middle" fontSize={16} fontWeight={700} fill={down ? '#868e96' : '#212529'}>
              {n.myid}
            </text>
            <text x={p.x} y={p.y + 12} textAnchor="middle" fontSize={9} fill={ROLE_CSS[n.role] ?? '#868e96'} fontWeight={600}>
              {n.observer && n.role !== 'observer' ? `${n.role} (obs)` : n.role}
            </text>
            {partitioning && (
              <g>
                <rect x={p.x + R_NODE - 8} y={p.y - R_NODE - 6} width={17} height={15} rx={3} fill={side === 'A' ? '#495057' : side === 'B' ? '#1971c2' : '#9c36b5'} />
                <text x={p.x + R_NODE + 0.5} y={p.y - R_NODE + 2} textAnchor="middle" dominantBaseline="middle" fontSize={10} fontWeight={700} fill="white">
                  {side}
                </text>
              </g>
            )}
            {cutClients && (
              <text x={p.x} y={p.y + R_NODE + 12} textAnchor="middle" fontSize={10} fontWeight={700} fill="#e03131" stroke="white" strokeWidth={3} paintOrder="stroke" data-testid={`client-cut-${n.myid}`}>
                ✕ clients cut
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

function Legend() {
  const item = (st: LinkView['state'], text: string, extra?: React.ReactNode) => (
    <Group gap={4} wrap="nowrap">
      <svg width={38} height={12} aria-hidden>
        <line x1={2} y1={6} x2={30} y2={6} stroke={STATE_STYLE[st].color} strokeWidth={STATE_STYLE[st].width} strokeDasharray={STATE_STYLE[st].dash} markerEnd={`url(#arrow-${st})`} />
        {extra}
      </svg>
      <Text size="xs" c="dimmed">
        {text}
      </Text>
    </Group>
  );
  return (
    <Group gap="sm" data-testid="net-legend">
      {item('ok', 'delivers')}
      {item('slow', 'slow (ms)')}
      {item(
        'cut',
        'cut (✕)',
        <g stroke="#e03131" strokeWidth={2}>
          <line x1={12} y1={2} x2={20} y2={10} />
          <line x1={12} y1={10} x2={20} y2={2} />
        </g>,
      )}
      {item('holding', 'holding N')}
    </Group>
  );
}

function LinkPanel({ view, net, pair, fault, heal }: { view: LabView; net: NetView; pair: [number, number] | null; fault: (s: FaultSpec) => Promise<void>; heal: (id: string | null) => Promise<void> }) {
  const [ms, setMs] = useState<number | string>(200);
  const [jitter, setJitter] = useState<number | string>(0);
  const [holdType, setHoldType] = useState<string>('COMMIT');
  if (!pair) {
    return (
      <Card withBorder p="sm" bg="gray.0" data-testid="link-panel" data-pair="">
        <Text size="sm">Click a link in the drawing to cut, slow or hold it.</Text>
        <Text size="xs" c="dimmed" mt={4}>
          Keyboard: Tab to a link, then <Kbd size="xs">c</Kbd> cuts it both ways, <Kbd size="xs">a</Kbd> / <Kbd size="xs">b</Kbd> cut one way (first → second member, or back), <Kbd size="xs">h</Kbd> heals it, <Kbd size="xs">Enter</Kbd> selects it. On a member,{' '}
          <Kbd size="xs">Space</Kbd> moves it to the next side of a partition.
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
  const row = (l: LinkView | null, f: number, t: number) => (
    <Table.Tr key={`${f}>${t}`} data-testid={`link-row-${f}-${t}`} data-state={l?.state ?? ''}>
      <Table.Td ff="monospace">
        {f} → {t}
      </Table.Td>
      <Table.Td>
        <Badge size="sm" variant={l?.state === 'ok' ? 'outline' : 'light'} color={l?.state === 'cut' ? 'red' : l?.state === 'slow' ? 'orange' : l?.state === 'holding' ? 'violet' : 'gray'}>
          {l?.state ?? '?'}
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
        Link between node {a} and node {b}
      </Text>
      <Table fz="xs" verticalSpacing={2} horizontalSpacing={6} withRowBorders={false}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>direction</Table.Th>
            <Table.Th>state</Table.Th>
            <Table.Th>delay</Table.Th>
            <Table.Th>held</Table.Th>
            <Table.Th>connections</Table.Th>
            <Table.Th>delivered</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {row(ab, a, b)}
          {row(ba, b, a)}
        </Table.Tbody>
      </Table>
      <Group gap={6} mt="xs">
        <Button size="xs" color="red" variant="light" onClick={() => fault({ kind: 'oneway', from: a, to: b })} disabled={ab?.state === 'cut'} data-testid="cut-ab">
          Cut {a} → {b}
        </Button>
        <Button size="xs" color="red" variant="light" onClick={() => fault({ kind: 'oneway', from: b, to: a })} disabled={ba?.state === 'cut'} data-testid="cut-ba">
          Cut {b} → {a}
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
          Cut both ways
        </Button>
        <Button size="xs" color="teal" variant="light" disabled={on.length === 0} onClick={async () => { for (const f of on) await heal(f.id); }} data-testid="heal-link">
          Heal this link{on.length > 0 ? ` (${on.map((f) => f.id).join(', ')})` : ''}
        </Button>
      </Group>
      <Group gap={6} mt="xs" align="flex-end">
        <NumberInput size="xs" w={110} label="latency ms" min={1} max={60000} value={ms} onChange={setMs} data-testid="slow-ms" />
        <NumberInput size="xs" w={100} label="jitter ms" min={0} max={60000} value={jitter} onChange={setJitter} data-testid="slow-jitter" />
        <Button size="xs" variant="light" color="orange" onClick={() => fault({ kind: 'slow', a, b, ms: Number(ms), jitterMs: Number(jitter) })} data-testid="slow-link">
          Slow both ways
        </Button>
        <Select size="xs" w={150} label="hold type" data={HOLD_TYPES} value={holdType} onChange={(v) => setHoldType(v ?? 'COMMIT')} allowDeselect={false} data-testid="hold-type" />
        <Button size="xs" variant="light" color="violet" onClick={() => fault({ kind: 'hold', type: holdType as HoldType, from: a, to: [b] })} data-testid="hold-ab">
          Hold {a} → {b}
        </Button>
        <Button size="xs" variant="light" color="violet" onClick={() => fault({ kind: 'hold', type: holdType as HoldType, from: b, to: [a] })} data-testid="hold-ba">
          Hold {b} → {a}
        </Button>
      </Group>
      {on.length > 0 && (
        <Text size="xs" c="dimmed" mt={6}>
          Shaped by {on.map((f) => `${f.id} (${f.description})`).join('; ')}. Healing a partition heals it whole.
        </Text>
      )}
    </Card>
  );
}

function PartitionBuilder({ ids, sideOf, setSide, groups, clear, apply }: { ids: number[]; sideOf: (id: number) => Side; setSide: (id: number, s: Side) => void; groups: number[][]; clear: () => void; apply: () => void }) {
  return (
    <Card withBorder p="sm" data-testid="partition-builder">
      <Text fw={700} size="sm">
        Draw a partition
      </Text>
      <Text size="xs" c="dimmed" mb={6}>
        Put members on sides (click them in the drawing, or here); members on different sides hear nothing of each other.
      </Text>
      <Group gap="sm">
        {ids.map((id) => (
          <Group key={id} gap={4} wrap="nowrap">
            <Text size="xs" fw={600}>
              {id}
            </Text>
            <SegmentedControl size="xs" value={sideOf(id)} onChange={(v) => setSide(id, v as Side)} data={[...SIDES]} data-testid={`side-${id}`} aria-label={`side of node ${id}`} />
          </Group>
        ))}
      </Group>
      <Group gap={6} mt={8}>
        <Button size="xs" color="red" disabled={groups.length < 2} onClick={apply} data-testid="partition-apply">
          Partition {groups.length >= 2 ? groups.map((g) => g.join(',')).join(' | ') : ''}
        </Button>
        <Button size="xs" variant="default" disabled={groups.length < 2} onClick={clear} data-testid="partition-clear">
          Clear sides
        </Button>
      </Group>
    </Card>
  );
}

function MemberFaults({ view, fault }: { view: LabView; fault: (s: FaultSpec) => Promise<void> }) {
  const [member, setMember] = useState<string>(String(view.nodes[0]?.myid ?? 1));
  const [ms, setMs] = useState<number | string>(500);
  const [holdType, setHoldType] = useState<string>('COMMIT');
  const n = view.nodes.find((x) => String(x.myid) === member);
  const id = Number(member);
  const ours = n?.engine === 'ours';
  return (
    <Card withBorder p="sm" data-testid="member-faults">
      <Text fw={700} size="sm" mb={6}>
        A member&apos;s faults
      </Text>
      <Group gap={6} align="flex-end">
        <Select size="xs" w={100} label="member" data={view.nodes.map((x) => ({ value: String(x.myid), label: `node ${x.myid}` }))} value={member} onChange={(v) => setMember(v ?? member)} allowDeselect={false} data-testid="member-fault-target" />
        <NumberInput size="xs" w={90} label="ms" min={1} max={60000} value={ms} onChange={setMs} data-testid="member-fault-ms" />
        <Button size="xs" variant="light" color="red" onClick={() => fault({ kind: 'client-cut', myid: id })} data-testid="fault-client-cut">
          Cut its clients off
        </Button>
        <Button size="xs" variant="light" color="orange" onClick={() => fault({ kind: 'slow', a: id, b: null, ms: Number(ms), jitterMs: 0 })} data-testid="fault-slow-member">
          Slow all its links (+{Number(ms)} ms)
        </Button>
        <Button size="xs" variant="light" color="orange" disabled={!ours} title={ours ? undefined : 'our members only'} onClick={() => fault({ kind: 'disk', myid: id, mode: 'stall', ms: Number(ms) })} data-testid="fault-disk-stall">
          Stall its fsync ({Number(ms)} ms)
        </Button>
        <Button size="xs" variant="light" color="red" disabled={!ours} title={ours ? undefined : 'our members only'} onClick={() => fault({ kind: 'disk', myid: id, mode: 'full', ms: null })} data-testid="fault-disk-full">
          Disk full
        </Button>
      </Group>
      <Group gap={6} mt={6}>
        <Select size="xs" w={140} aria-label="type of message to hold" data={HOLD_TYPES} value={holdType} onChange={(v) => setHoldType(v ?? 'COMMIT')} allowDeselect={false} data-testid="member-hold-type" />
        <Button size="xs" variant="light" color="violet" onClick={() => fault({ kind: 'hold', type: holdType as HoldType, from: id, to: null })} data-testid="fault-hold-from">
          Hold the {holdType}s node {id} sends
        </Button>
      </Group>
    </Card>
  );
}

const KIND_COLOR: Record<string, string> = { partition: 'red', isolate: 'red', bridge: 'orange', oneway: 'red', slow: 'orange', hold: 'violet', 'client-cut': 'red', disk: 'grape', kill: 'red', stop: 'red', pause: 'orange', 'slow-apply': 'grape' };

function FaultList({ faults, heal, release }: { faults: Fault[]; heal: (id: string | null) => Promise<void>; release: (id: string | null) => Promise<void> }) {
  return (
    <Stack gap={4} mt="md" data-testid="fault-list" data-count={faults.length}>
      <Text fw={700} size="sm">
        Faults in force
      </Text>
      {faults.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="no-faults">
          None: the network delivers everything at once and every member runs as launched.
        </Text>
      ) : (
        <SimpleGrid cols={1}>
          <Table fz="sm" verticalSpacing={4} highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={50}>id</Table.Th>
                <Table.Th w={90}>kind</Table.Th>
                <Table.Th>fault</Table.Th>
                <Table.Th w={60}>held</Table.Th>
                <Table.Th w={120}>since</Table.Th>
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
                  <Table.Td>{f.description}</Table.Td>
                  <Table.Td>{f.held}</Table.Td>
                  <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {clock(f.startedAt)}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      {f.spec.kind === 'hold' && f.held > 0 && (
                        <Button size="compact-xs" variant="light" color="violet" onClick={() => release(f.id)} data-testid={`release-${f.id}`}>
                          Release {f.held}
                        </Button>
                      )}
                      <Button size="compact-xs" color="teal" onClick={() => heal(f.id)} data-testid={`heal-${f.id}`}>
                        Heal
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

// The lab's network drawn: the members on a circle, two arrows between every two of them (one
// per direction, state told by dash, label and mark, not by colour alone), and its legend.
// Links and members take the mouse and the keyboard (Network.tsx has the panel around them).
import { Group, Text } from '@mantine/core';
import { useState } from 'react';
import type { FaultSpec, HoldType, LabView, LinkView, NetView } from '../shared/contract';
import { ROLE_CSS } from './format';
import { useTranslation } from './i18n';
import { faultsOnPair, linkMap, linkOf } from './netmodel';

export const STATE_STYLE: Record<LinkView['state'], { color: string; dash: string | undefined; width: number }> = {
  ok: { color: '#868e96', dash: undefined, width: 1.6 },
  slow: { color: '#e8590c', dash: '7 4', width: 2.2 },
  cut: { color: '#e03131', dash: '2 4', width: 2.2 },
  holding: { color: '#7048e8', dash: '10 3 2 3', width: 2.4 },
};
export const SIDES = ['A', 'B', 'C'] as const;
export type Side = (typeof SIDES)[number];
export const SIDE_DASH: Record<Side, string | undefined> = { A: undefined, B: '6 3', C: '2 3' };
/** A link's state in the catalogue. */
export const LINK_STATE: Record<LinkView['state'], string> = { ok: 'net.stateOk', slow: 'net.stateSlow', cut: 'net.stateCut', holding: 'net.stateHolding' };
export const HOLD_TYPES: HoldType[] = ['COMMIT', 'PROPOSAL', 'ACK', 'NOTIFICATION', 'INFORM', 'REQUEST', 'PING', 'SYNC', 'UPTODATE', 'NEWLEADER', 'DIFF', 'TRUNC', 'SNAP'];
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
export function Topology({ view, net, pair, setPair, sides, sideOf, cycleSide, fault, heal }: TopologyProps) {
  const { t: tr } = useTranslation();
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
    <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="group" aria-label={tr('net.topologyAria')} data-testid="topology" style={{ display: 'block', background: 'var(--mantine-color-gray-0)', borderRadius: 8 }}>
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
        const stateText = (l: LinkView | null, f: number, t: number): string => `${f}→${t} ${l ? tr(LINK_STATE[l.state]) + (l.state === 'slow' ? ` ${l.delayMs} ms` : '') + (l.held > 0 ? tr('net.heldN', { n: l.held }) : '') : tr('net.unknown')}`;
        return (
          <g
            key={`${a}-${b}`}
            tabIndex={0}
            role="button"
            aria-label={tr('net.linkAria', { a, b, ab: stateText(ab, a, b), ba: stateText(ba, b, a) })}
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
              const label = st === 'slow' ? `${link!.delayMs}${link!.jitterMs ? `±${link!.jitterMs}` : ''} ms` : st === 'holding' || (link && link.held > 0) ? tr('net.holds', { n: link!.held }) : null;
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
            aria-label={tr('net.nodeAria', { myid: n.myid, role: tr(`role.${n.role}`), side })}
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
              {n.observer && n.role !== 'observer' ? tr('net.roleObs', { role: tr(`role.${n.role}`) }) : tr(`role.${n.role}`)}
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
                {tr('net.clientsCut')}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export function Legend() {
  const { t } = useTranslation();
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
      {item('ok', t('net.legendOk'))}
      {item('slow', t('net.legendSlow'))}
      {item(
        'cut',
        t('net.legendCut'),
        <g stroke="#e03131" strokeWidth={2}>
          <line x1={12} y1={2} x2={20} y2={10} />
          <line x1={12} y1={10} x2={20} y2={2} />
        </g>,
      )}
      {item('holding', t('net.legendHolding'))}
    </Group>
  );
}

// The lock's queue as a graph: the lock path's children in sequence order, left to right, the
// holder's node highlighted, and a "watches" edge from each waiter to what its lock watches —
// its predecessor for the seed lock and InterProcessMutex, the one lock node for the naive lock
// (whose waiters have no node of their own and are drawn below it, a herd on one node).
import '@xyflow/react/dist/style.css';
import { Background, Controls, MarkerType, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node } from '@xyflow/react';
import { useEffect, useMemo } from 'react';
import { t, useTranslation } from './i18n';
import type { LockFrame } from './lockview';

const NODE_W = 132;
const NODE_H = 64;
const WAITER_W = 96;
const WAITER_H = 32;
const GAP = 56;
const ROW_GAP = 40;
/**
 * The queue wraps into rows of this many nodes (and the herd into rows of WAITER_COLS) so that
 * it fits the card of a 1400 px window at a zoom where its 11 px labels stay readable; one long
 * row of ten or more nodes was zoomed out to fit and could not be read.
 */
const COLS = 6;
const WAITER_COLS = 10;
/** The graph is not zoomed out below this (a bigger queue scrolls, by dragging or the controls). */
const MIN_READABLE_ZOOM = 0.85;

/** Where node `i` of the queue sits: rows of COLS, left to right. */
function slot(i: number): { x: number; y: number } {
  return { x: (i % COLS) * (NODE_W + GAP), y: Math.floor(i / COLS) * (NODE_H + ROW_GAP) };
}

/**
 * The graph's height in px at zoom 1 for the largest queue a run can have (every client in it),
 * so that the box keeps its size through a run and its replay and the fitted view stays right.
 */
export function queueHeight(run: LockFrame): number {
  const n = run.settings.clients;
  if (run.settings.strategy === 'naive') return NODE_H + ROW_GAP + Math.ceil(n / WAITER_COLS) * (WAITER_H + 12) + 60;
  return Math.ceil(n / COLS) * (NODE_H + ROW_GAP) + 60;
}

const box = (bg: string, border: string, width = NODE_W, height = NODE_H): React.CSSProperties => ({
  width,
  height,
  boxSizing: 'border-box',
  padding: '6px 8px',
  fontSize: 11,
  lineHeight: 1.35,
  borderRadius: 6,
  background: bg,
  border: `2px solid ${border}`,
  textAlign: 'center',
});

/** Nodes and edges of the queue graph for one moment of a run. */
export function queueGraph(run: LockFrame): { nodes: Node[]; edges: Edge[] } {
  const holders = new Set(run.holders);
  // The naive lock's waiters sit under its one node and point up at it.
  const herd = run.settings.strategy === 'naive';
  const byClient = new Map(run.clients.map((c) => [c.id, c]));
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  run.children.forEach((ch, i) => {
    const owner = ch.client === null ? null : byClient.get(ch.client);
    const holds = ch.client !== null && holders.has(ch.client);
    const seq = ch.sequence ?? ch.name;
    nodes.push({
      id: `z:${ch.name}`,
      position: slot(i),
      // Fixed dimensions: the graph is redrawn from every push and must not wait for a measurement.
      width: NODE_W,
      height: NODE_H,
      sourcePosition: Position.Left,
      targetPosition: herd ? Position.Bottom : Position.Right,
      draggable: false,
      connectable: false,
      data: {
        label: (
          <div title={ch.name} data-testid="queue-node" data-name={ch.name} data-holder={holds ? 'true' : 'false'} data-client={ch.client ?? ''}>
            <div style={{ fontFamily: 'monospace', fontWeight: 700 }}>{ch.sequence ? `…${seq.replace(/^0+(?=\d)/, '')}` : ch.name}</div>
            <div>{owner ? t('locks.client', { id: owner.id }) : t('locks.anotherSession')}</div>
            <div style={{ fontWeight: holds ? 700 : 400 }}>{holds ? 'HOLDS THE LOCK' : owner ? (owner.node === ch.name ? owner.state : 'released, going') : ''}</div>
          </div>
        ),
      },
      style: holds ? box('#c3fae8', '#0ca678') : owner ? box('#f8f9fa', '#adb5bd') : box('#fff4e6', '#fd7e14'),
    });
  });
  const nodeOf = new Map(run.children.map((ch) => [ch.name, `z:${ch.name}`]));
  // Waiters without a node of their own (the naive lock): drawn under the queue.
  const homeless = run.clients.filter((c) => c.watching !== null && c.node === null);
  const herdTop = Math.max(1, Math.ceil(run.children.length / COLS)) * (NODE_H + ROW_GAP) + 10;
  homeless.forEach((c, k) => {
    nodes.push({
      id: `c:${c.id}`,
      position: { x: (k % WAITER_COLS) * (WAITER_W + 12), y: herdTop + Math.floor(k / WAITER_COLS) * (WAITER_H + 12) },
      width: WAITER_W,
      height: WAITER_H,
      sourcePosition: Position.Top,
      draggable: false,
      connectable: false,
      data: { label: <div data-testid="queue-waiter">{t('locks.client', { id: c.id })}</div> },
      style: box('#e7f5ff', '#1c7ed6', WAITER_W, WAITER_H),
    });
  });
  for (const c of run.clients) {
    if (c.watching === null) continue;
    const target = nodeOf.get(c.watching);
    if (!target) continue;
    // A waiter whose own node the last read of the queue does not list yet gets its edge with the next read.
    const source = c.node === null ? `c:${c.id}` : nodeOf.get(c.node);
    if (source === undefined || source === target) continue;
    edges.push({
      id: `w:${c.id}`,
      source,
      target,
      label: 'watches',
      labelStyle: { fontSize: 10 },
      style: { stroke: '#1c7ed6' },
      markerEnd: { type: MarkerType.ArrowClosed, color: '#1c7ed6' },
      data: { client: c.id },
    });
  }
  return { nodes, edges };
}

function Graph({ run }: { run: LockFrame }) {
  const { i18n } = useTranslation();
  // The labels are in the UI's language: drawn again when it changes.
  const { nodes, edges } = useMemo(() => queueGraph(run), [run, i18n.language]); // eslint-disable-line react-hooks/exhaustive-deps
  const flow = useReactFlow();
  const shape = `${run.children.length}|${nodes.length}`;
  useEffect(() => {
    // Fit again when the queue grows or shrinks, not on every state change.
    const t = setTimeout(() => void flow.fitView({ padding: 0.1, maxZoom: 1.1, minZoom: MIN_READABLE_ZOOM }), 30);
    return () => clearTimeout(t);
  }, [shape, flow]);
  return (
    <ReactFlow nodes={nodes} edges={edges} fitView nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} proOptions={{ hideAttribution: true }} minZoom={0.2} fitViewOptions={{ padding: 0.1, maxZoom: 1.1, minZoom: MIN_READABLE_ZOOM }}>
      <Background gap={16} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

/** The queue graph of a run at one moment (live, or a frame of its replay). */
export function LockQueue({ run }: { run: LockFrame }) {
  return (
    <div style={{ height: Math.min(640, Math.max(200, queueHeight(run))), border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8 }} data-testid="queue-graph" data-edges={queueGraph(run).edges.length}>
      <ReactFlowProvider>
        <Graph run={run} />
      </ReactFlowProvider>
    </div>
  );
}

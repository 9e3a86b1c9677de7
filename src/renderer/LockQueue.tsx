// The lock's queue as a graph: the lock path's children in sequence order, left to right, the
// holder's node highlighted, and a "watches" edge from each waiter to what its lock watches —
// its predecessor for the seed lock and InterProcessMutex, the one lock node for the naive lock
// (whose waiters have no node of their own and are drawn below it, a herd on one node).
import '@xyflow/react/dist/style.css';
import { Background, Controls, MarkerType, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node } from '@xyflow/react';
import { useEffect, useMemo } from 'react';
import type { LockRunView } from '../shared/contract';

const NODE_W = 132;
const NODE_H = 64;
const WAITER_W = 96;
const WAITER_H = 32;
const GAP = 80;

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
export function queueGraph(run: LockRunView): { nodes: Node[]; edges: Edge[] } {
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
      position: { x: i * (NODE_W + GAP), y: 0 },
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
            <div>{owner ? `client ${owner.id}` : 'another session'}</div>
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
  homeless.forEach((c, k) => {
    nodes.push({
      id: `c:${c.id}`,
      position: { x: k * (WAITER_W + 12), y: 130 },
      width: WAITER_W,
      height: WAITER_H,
      sourcePosition: Position.Top,
      draggable: false,
      connectable: false,
      data: { label: <div data-testid="queue-waiter">{`client ${c.id}`}</div> },
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

function Graph({ run }: { run: LockRunView }) {
  const { nodes, edges } = useMemo(() => queueGraph(run), [run]);
  const flow = useReactFlow();
  const shape = `${run.children.length}|${nodes.length}`;
  useEffect(() => {
    // Fit again when the queue grows or shrinks, not on every state change.
    const t = setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1.2 }), 30);
    return () => clearTimeout(t);
  }, [shape, flow]);
  return (
    <ReactFlow nodes={nodes} edges={edges} fitView nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} proOptions={{ hideAttribution: true }} minZoom={0.05}>
      <Background gap={16} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

/** The live queue graph of a run. */
export function LockQueue({ run }: { run: LockRunView }) {
  return (
    <div style={{ height: 280, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8 }} data-testid="queue-graph" data-edges={queueGraph(run).edges.length}>
      <ReactFlowProvider>
        <Graph run={run} />
      </ReactFlowProvider>
    </div>
  );
}

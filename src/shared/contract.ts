// The one contract between the UI and the lab backend, used by Electron's IPC bridge and by
// browser mode's WebSocket alike. Every message is validated here, at the boundary (zod).
import { z } from 'zod';

export const NodeAction = z.enum(['kill', 'stop', 'start', 'restart', 'pause', 'resume']);
export type NodeAction = z.infer<typeof NodeAction>;

export const Role = z.enum(['leader', 'follower', 'observer', 'looking', 'standalone', 'read-only', 'down', 'starting', 'paused']);
export type Role = z.infer<typeof Role>;

/** One node as the UI shows it. zxids travel as hex strings (64-bit). */
export const NodeView = z.object({
  myid: z.number().int(),
  engine: z.enum(['ours', 'apache', 'external']),
  role: Role,
  observer: z.boolean(),
  epoch: z.number().int().nullable(),
  lastZxid: z.string().nullable(),
  zabState: z.string().nullable(),
  connections: z.number().int().nullable(),
  outstanding: z.number().int().nullable(),
  avgLatency: z.number().nullable(),
  minLatency: z.number().nullable(),
  maxLatency: z.number().nullable(),
  znodeCount: z.number().int().nullable(),
  pid: z.number().int().nullable(),
  startedAt: z.number().nullable(),
  clientPort: z.number().int(),
  adminPort: z.number().int(),
  exitCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
});
export type NodeView = z.infer<typeof NodeView>;

export const LabView = z.object({
  name: z.string(),
  /** The lab folder, or the connect string of an attached ensemble. */
  dir: z.string(),
  /** Attached to an ensemble the lab did not start: read-only, no process actions. */
  attached: z.boolean().default(false),
  size: z.number().int(),
  nodes: z.array(NodeView),
  /** Voting members up and serving / needed for a quorum. */
  votersUp: z.number().int(),
  quorumNeeded: z.number().int(),
  serving: z.boolean(),
  leader: z.number().int().nullable(),
});
export type LabView = z.infer<typeof LabView>;

/**
 * One entry of the lab's event log (see events.ts): what the lab did or saw (source 'lab'), or
 * what a member logged about itself (source 'member', its own type and fields in `data`).
 */
export const HistoryEvent = z.object({
  id: z.number().int(),
  time: z.number(),
  myid: z.number().int().nullable(),
  source: z.enum(['lab', 'member']),
  type: z.string(),
  detail: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type HistoryEvent = z.infer<typeof HistoryEvent>;

/** A node's state at one moment, as the history keeps it (every second, and at every change). */
export const Sample = z.object({
  time: z.number(),
  myid: z.number().int(),
  role: z.string(),
  epoch: z.number().int().nullable(),
  /** Hex without 0x. */
  zxid: z.string().nullable(),
  zxidCounter: z.number().nullable(),
  connections: z.number().int().nullable(),
  outstanding: z.number().int().nullable(),
  avgLatency: z.number().nullable(),
});
export type Sample = z.infer<typeof Sample>;

export const Progress = z.object({
  step: z.string(),
  done: z.number().int(),
  total: z.number().int(),
});
export type Progress = z.infer<typeof Progress>;

/** One znode of a tree export: its path relative to the export's root ('' for the root). */
export const TreeExportNode = z.object({
  path: z.string().max(4096).refine((p) => p === '' || p.startsWith('/'), 'a relative path is empty or starts with "/"'),
  /** base64, or null for a znode without data. */
  data: z.string().max(1 << 22).nullable(),
  kind: z.enum(['persistent', 'ephemeral', 'container', 'ttl']),
});
export type TreeExportNode = z.infer<typeof TreeExportNode>;

/** A subtree as the Tree view exports and imports it (JSON, parents before children). */
export const TreeExport = z.object({
  format: z.literal('zookeeper-lab-tree'),
  version: z.literal(1),
  root: z.string(),
  exportedAt: z.number(),
  nodes: z.array(TreeExportNode).max(20_000),
});
export type TreeExport = z.infer<typeof TreeExport>;

/** Requests the UI may make, with their parameters. */
export const Request = z.discriminatedUnion('method', [
  z.object({ method: z.literal('state') }),
  z.object({
    method: z.literal('launch'),
    size: z.union([z.literal(1), z.literal(3), z.literal(5), z.literal(7)]),
    observers: z.number().int().min(0).max(2).default(0),
    engines: z.enum(['ours', 'apache', 'mixed']).default('ours'),
  }),
  z.object({ method: z.literal('startAll') }),
  z.object({ method: z.literal('capabilities') }),
  z.object({ method: z.literal('attach'), connectString: z.string().min(3).max(2000) }),
  z.object({ method: z.literal('tree.children'), path: z.string().min(1).max(4096), through: z.number().int().nullable(), offset: z.number().int().min(0), limit: z.number().int().min(1).max(1000) }),
  z.object({ method: z.literal('tree.node'), path: z.string().min(1).max(4096), through: z.number().int().nullable() }),
  z.object({
    method: z.literal('tree.create'),
    path: z.string().min(1).max(4096),
    data: z.string().max(1 << 20),
    mode: z.enum(['persistent', 'persistent-sequential', 'ephemeral', 'ephemeral-sequential', 'container', 'ttl']),
    ttlMs: z.number().int().positive().optional(),
    through: z.number().int().nullable(),
  }),
  z.object({ method: z.literal('tree.set'), path: z.string().min(1).max(4096), data: z.string().max(1 << 20), version: z.number().int(), through: z.number().int().nullable() }),
  z.object({ method: z.literal('tree.delete'), path: z.string().min(1).max(4096), version: z.number().int(), recursive: z.boolean(), through: z.number().int().nullable() }),
  z.object({ method: z.literal('watches.list') }),
  z.object({ method: z.literal('watches.add'), path: z.string().min(1).max(4096), kind: z.enum(['data', 'exist', 'child', 'persistent', 'persistent-recursive']) }),
  z.object({ method: z.literal('tree.sync'), path: z.string().min(1).max(4096), through: z.number().int().nullable() }),
  z.object({ method: z.literal('tree.search'), prefix: z.string().min(1).max(4096), through: z.number().int().nullable(), limit: z.number().int().min(1).max(1000) }),
  z.object({ method: z.literal('tree.export'), path: z.string().min(1).max(4096), through: z.number().int().nullable() }),
  /** `doc` is checked against TreeExport by the backend, which says what is wrong with it. */
  z.object({ method: z.literal('tree.import'), path: z.string().min(1).max(4096), doc: z.unknown(), overwrite: z.boolean(), through: z.number().int().nullable() }),
  z.object({ method: z.literal('node'), myid: z.number().int().min(1).max(255), action: NodeAction }),
  z.object({ method: z.literal('destroy') }),
  z.object({ method: z.literal('history'), sinceMs: z.number().optional() }),
  z.object({ method: z.literal('terminal.open'), myid: z.number().int(), kind: z.enum(['log', 'zkcli', 'shell']), cols: z.number().int().min(10).max(500), rows: z.number().int().min(2).max(300) }),
  z.object({ method: z.literal('terminal.list') }),
  z.object({ method: z.literal('terminal.backlog'), id: z.string() }),
  z.object({ method: z.literal('terminal.input'), id: z.string(), data: z.string().max(65536) }),
  z.object({ method: z.literal('terminal.resize'), id: z.string(), cols: z.number().int().min(10).max(500), rows: z.number().int().min(2).max(300) }),
  z.object({ method: z.literal('terminal.close'), id: z.string() }),
]);
export type Request = z.infer<typeof Request>;

/** What the backend pushes without being asked. */
export const Push = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('state'), lab: LabView.nullable() }),
  /** A launch under way, node by node; null when it is over. */
  z.object({ kind: z.literal('progress'), progress: Progress.nullable() }),
  z.object({ kind: z.literal('event'), event: HistoryEvent }),
  /** A znode the Tree view shows changed (its children or its data). */
  z.object({ kind: z.literal('tree.changed'), path: z.string(), what: z.enum(['children', 'data']) }),
  z.object({ kind: z.literal('watch.fired'), fire: z.object({ time: z.number(), path: z.string(), type: z.string(), kind: z.string(), watchId: z.number().int() }) }),
  /** `offset`: characters the terminal printed before this chunk (to join it to a backlog). */
  z.object({ kind: z.literal('terminal.data'), id: z.string(), data: z.string(), offset: z.number().int() }),
  z.object({ kind: z.literal('terminal.exit'), id: z.string(), code: z.number().int().nullable() }),
]);
export type Push = z.infer<typeof Push>;

/** A terminal the backend runs (see src/lab/terminals.ts). */
export interface TerminalInfo {
  id: string;
  myid: number;
  kind: 'log' | 'zkcli' | 'shell';
  title: string;
  exitCode: number | null;
  exited: boolean;
}

/** A request on the wire: an id to match the reply. */
export const RequestEnvelope = z.object({ id: z.number().int(), request: Request });
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

export type ReplyEnvelope = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** The typed API the renderer uses (window.lab in Electron, a WebSocket client in a browser). */
export interface LabApi {
  call<T = unknown>(request: Request): Promise<T>;
  onPush(listener: (p: Push) => void): () => void;
}

// The lab's API: every request of the contract with the schema of its result, so a caller never
// names a result type (`lab.call({ method: 'tree.node', ... })` is a Promise of NodeDetails) and
// the backend's handler for a method must return what the method promises (src/lab/service.ts).
// Callers in Node (zk-lab, the Electron bridge, tests) check results against these schemas;
// the page trusts its own backend (it was built with it) and skips the parse.
import { z } from 'zod';
import {
  CheckRunSummary,
  CheckRunView,
  DataDirOpened,
  Fault,
  HistoryEvent,
  ImportState,
  LabView,
  MembershipResult,
  LoadRunSummary,
  LoadSample,
  LoadStatus,
  LockRunSummary,
  LockRunView,
  NetView,
  Sample,
  TerminalInfo,
  TreeDu,
  TreeExport,
  WalkthroughState,
  WatchFire,
  WireCapture,
  Request,
  Identity,
  SavedConnection,
  SetAclResult,
  type LabConnection,
  type Push,
} from './contract';

/** A znode's kind as the tree shows it: a client sees only ephemeral (its owner); the rest the lab knows when it created the znode. */
export const ZnodeKind = z.object({
  numChildren: z.number().int(),
  ephemeral: z.boolean(),
  /** The create mode, when this lab created the znode (containers and TTL znodes look persistent to a client). */
  mode: z.string().nullable(),
  /** A TTL znode's TTL in ms (when the lab created it). */
  ttlMs: z.number().nullable(),
});
export type ZnodeKind = z.infer<typeof ZnodeKind>;

/** A Stat as the Tree view shows it: zxids as decimal strings, their epoch and counter beside them. */
export const StatView = z.record(z.string(), z.union([z.string(), z.number()]));
export type StatView = z.infer<typeof StatView>;

export const AclEntry = z.object({ perms: z.number().int(), scheme: z.string(), id: z.string() });
export type AclEntry = z.infer<typeof AclEntry>;

export const NodeDetails = z.object({
  path: z.string(),
  /** UTF-8 text, or null for a znode without data. */
  data: z.string().nullable(),
  stat: StatView,
  acl: z.array(AclEntry),
  kind: ZnodeKind,
});
export type NodeDetails = z.infer<typeof NodeDetails>;

/** A member's answer to one console command, as it gave it (the AdminServer's JSON indented). */
export const MemberAnswer = z.object({
  myid: z.number().int(),
  kind: z.enum(['4lw', 'admin']),
  command: z.string(),
  /** Where it was sent: host:port for a four-letter word, the URL for an AdminServer command. */
  sentTo: z.string(),
  /** The HTTP status of an AdminServer answer; null for a four-letter word. */
  status: z.number().int().nullable(),
  /** The member answered (a four-letter word with some text, an AdminServer command with 2xx). */
  ok: z.boolean(),
  text: z.string(),
  ms: z.number(),
});
export type MemberAnswer = z.infer<typeof MemberAnswer>;

export const TreeChildren = z.object({ children: z.array(z.string()), total: z.number().int(), kinds: z.array(ZnodeKind.nullable()) });
export type TreeChildren = z.infer<typeof TreeChildren>;

export const ImportResult = z.object({
  root: z.string(),
  created: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  /** Ephemeral and TTL znodes of the export, created as persistent ones. */
  converted: z.number().int(),
  transactions: z.number().int(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const WatchRow = z.object({
  myid: z.number().int(),
  path: z.string(),
  sessionId: z.string(),
  kind: z.string(),
  /** Who holds the session, when it is one of the lab's own ('tree', 'inspector', 'locks'), else null. */
  owner: z.string().nullable().optional(),
  /** The lock playground's client, when owner is 'locks'. */
  client: z.number().int().optional(),
});
export type WatchRow = z.infer<typeof WatchRow>;

const Nothing = z.null();

/** Each request's result. */
export const Results = {
  state: LabView.nullable(),
  launch: LabView.nullable(),
  startAll: LabView.nullable(),
  'datadir.open': DataDirOpened,
  'tree.du': TreeDu,
  /** pauseUnsupported: why members cannot be paused on the backend's platform (no SIGSTOP on Windows), or null. */
  capabilities: z.object({ apache: z.boolean(), ours: z.boolean(), zkCli: z.boolean(), pauseUnsupported: z.string().nullable() }),
  /** What the lab's folder takes on disk (src/lab/disk-use.ts); null without a lab folder (none, or an attached ensemble). */
  'lab.diskUse': z.object({ total: z.number(), members: z.array(z.object({ myid: z.number().int(), data: z.number(), logs: z.number() })), history: z.number(), other: z.number() }).nullable(),
  'ui.settings': z.record(z.string(), z.unknown()),
  'ui.setting': Nothing,
  attach: LabView.nullable(),
  'attach.writes': z.object({ writes: z.boolean() }),
  'connections.list': z.array(SavedConnection),
  'connections.save': z.array(SavedConnection),
  'connections.forget': z.array(SavedConnection),
  'tree.children': TreeChildren,
  'tree.node': NodeDetails,
  /** The path created (with its sequence number). */
  'tree.create': z.string(),
  'tree.set': StatView,
  'tree.delete': Nothing,
  'watches.list': z.object({ rows: z.array(WatchRow), fired: z.array(WatchFire) }),
  'watches.add': z.object({ watchId: z.number().int(), sessionId: z.string() }),
  'tree.sync': Nothing,
  'tree.setAcl': SetAclResult,
  'tree.addAuth': z.array(Identity),
  'tree.identities': z.array(Identity),
  'tree.digest': z.object({ id: z.string() }),
  'walkthrough.run': WalkthroughState.nullable(),
  'walkthrough.stop': WalkthroughState.nullable(),
  'walkthrough.next': WalkthroughState.nullable(),
  'walkthrough.state': WalkthroughState.nullable(),
  'tree.search': z.object({ paths: z.array(z.string()), total: z.number().int() }),
  'tree.export': TreeExport,
  'tree.import': ImportResult,
  'tree.import.begin': ImportState,
  'tree.import.chunk': ImportState,
  /** Answers at once; the import goes on in the backend, reported by `import` pushes. */
  'tree.import.commit': ImportState,
  'tree.import.cancel': ImportState,
  'tree.import.status': ImportState,
  node: LabView.nullable(),
  destroy: Nothing,
  history: z.object({ events: z.array(HistoryEvent), samples: z.array(Sample), launchedAt: z.number().nullable() }),
  'load.start': LoadStatus,
  'load.update': LoadStatus,
  'load.stop': LoadRunSummary,
  'load.status': z.object({ status: LoadStatus, samples: z.array(LoadSample), marks: z.array(HistoryEvent) }),
  'load.runs': z.array(LoadRunSummary),
  'check.start': CheckRunView,
  'check.stop': CheckRunView,
  'check.state': CheckRunView.nullable(),
  'check.runs': z.array(CheckRunSummary),
  /** The history as the JSON-lines file, and a name for it. */
  'check.export': z.object({ name: z.string(), text: z.string() }),
  'check.import': CheckRunSummary,
  'locks.start': LockRunView,
  'locks.stop': LockRunView,
  'locks.state': LockRunView.nullable(),
  'locks.fault': LockRunView,
  'locks.runs': z.array(LockRunSummary),
  'member.change': MembershipResult,
  'member.command': MemberAnswer,
  'terminal.open': TerminalInfo,
  'terminal.list': z.array(TerminalInfo),
  'terminal.backlog': z.object({ data: z.string(), end: z.number().int(), info: TerminalInfo }),
  'terminal.input': Nothing,
  'terminal.resize': Nothing,
  'terminal.close': Nothing,
  'net.state': NetView,
  'net.fault': Fault,
  'net.heal': NetView,
  'net.release': NetView,
  'wire.query': WireCapture,
  'wire.subscribe': z.object({ subscribed: z.boolean() }),
  'wire.save': z.object({ saved: z.number().int(), id: z.number().int() }),
  shutdown: Nothing,
} satisfies { [M in Request['method']]: z.ZodType };

export type Method = Request['method'];
/** A request as a caller writes it (the contract fills in its defaults). */
export type RequestIn = z.input<typeof Request>;
/** The request of one method. */
export type RequestOf<M extends Method> = Extract<Request, { method: M }>;
/** What a method answers. */
export type Result<M extends Method> = z.infer<(typeof Results)[M]>;

/**
 * How long a call may take. The long actions (launching, a walkthrough's start, an import) report
 * progress meanwhile; the rest answer within seconds on a working lab.
 */
export function callLimitMs(method: Method): number {
  return LONG_CALLS.has(method) ? 10 * 60_000 : 30_000;
}
const LONG_CALLS = new Set<Method>(['launch', 'startAll', 'datadir.open', 'tree.du', 'walkthrough.run', 'tree.import', 'tree.export', 'tree.setAcl', 'attach', 'destroy', 'locks.start', 'node', 'shutdown', 'check.import', 'check.export', 'member.change']);

/** The typed API the page uses (a WebSocket client in a browser and in Electron's window). */
export interface LabApi {
  call<R extends RequestIn>(request: R): Promise<Result<R['method']>>;
  onPush(listener: (p: Push) => void): () => void;
  /** The link's state, now and on every change. */
  onConnection?(listener: (c: LabConnection) => void): () => void;
}

// The one contract between the UI and the lab backend, used by the page, zk-lab and the
// tests over browser mode's WebSocket alike. Every message is validated here, at the boundary (zod).
import { z } from 'zod';
import { FaultSpec, NetView, WireMessage, WireQuery } from './net';
import { CheckRunView, CheckSettings, LoadSample, LoadSettings, LoadStatus, LockRunView, LockSettings } from './workloads';

export * from './net';
export * from './workloads';

/** slow/unslow: the lab's fault on our server that makes a learner apply commits late (reads through it lag until sync). */
export const NodeAction = z.enum(['kill', 'stop', 'start', 'restart', 'pause', 'resume', 'slow', 'unslow']);
export type NodeAction = z.infer<typeof NodeAction>;

export const Role = z.enum(['leader', 'follower', 'observer', 'looking', 'standalone', 'read-only', 'down', 'starting', 'paused']);
export type Role = z.infer<typeof Role>;

/** A membership change of a launched lab (src/lab/membership.ts). */
export const MemberChange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('add'), observer: z.boolean(), engine: z.enum(['ours', 'apache']).optional() }),
  z.object({ kind: z.literal('remove'), myid: z.number().int().min(1).max(255) }),
  z.object({ kind: z.literal('role'), myid: z.number().int().min(1).max(255), role: z.enum(['participant', 'observer']) }),
  z.object({ kind: z.literal('ports'), myid: z.number().int().min(1).max(255), clientPort: z.number().int().min(1).max(65535).optional(), quorumPort: z.number().int().min(1).max(65535).optional(), electionPort: z.number().int().min(1).max(65535).optional() }),
  z.object({ kind: z.literal('rolling-restart') }),
]);
export type MemberChange = z.infer<typeof MemberChange>;

/** What a membership change did: the committed config version (null for a rolling restart) and each member afterwards. */
export const MembershipResult = z.object({
  change: z.string(),
  version: z.string().nullable(),
  members: z.array(z.object({ myid: z.number().int(), observer: z.boolean(), role: z.string(), configVersion: z.string().nullable() })),
});
export type MembershipResult = z.infer<typeof MembershipResult>;

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
  /** How late this member applies commits (the lab's slow-learner fault); 0 normally, null where unknown. */
  applyDelayMs: z.number().int().nullable().default(null),
  /** The version of the dynamic config this member is in (hex, as /zookeeper/config ends; 0 = zoo.cfg's), null where unknown. */
  configVersion: z.string().nullable().default(null),
  pid: z.number().int().nullable(),
  startedAt: z.number().nullable(),
  /** The member's own client port (direct: outside clients use it; no lab fault reaches it). */
  clientPort: z.number().int(),
  /** The client port through the lab's network (the lab's own sessions use it), or null. */
  labClientPort: z.number().int().nullable().default(null),
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
  /** An attached ensemble takes the lab's writes (a saved connection without read-only, or attach.writes). */
  attachedWrites: z.boolean().optional(),
  size: z.number().int(),
  nodes: z.array(NodeView),
  /** Voting members up and serving / needed for a quorum. */
  votersUp: z.number().int(),
  quorumNeeded: z.number().int(),
  serving: z.boolean(),
  leader: z.number().int().nullable(),
  /** The production dataDir the lab was opened from (datadir.open), or absent for a launched lab. */
  source: z.object({ path: z.string(), readOnly: z.boolean(), lastZxid: z.string(), znodes: z.number().int() }).optional(),
  /** The members run with reconfigEnabled: the lab can change its membership (member.change). */
  reconfigEnabled: z.boolean().optional(),
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
  /** Opening a dataDir: bytes copied or read so far and in all, and znodes loaded so far. */
  bytesDone: z.number().optional(),
  bytesTotal: z.number().optional(),
  znodes: z.number().int().optional(),
  /** The step as a code and parameters (src/shared/said.ts), which the page says in its language. */
  said: z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) }).optional(),
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

/** How the Tree view orders a znode's children by where the bytes are (tree.du). */
export const DuSort = z.enum(['bytes', 'count', 'name']);
export type DuSort = z.infer<typeof DuSort>;

/**
 * One znode's subtree: `descendants` znodes under it, `bytes` = data + 76 + the path's UTF-8
 * bytes per znode of it (its record in a snapshot), `dataBytes` the data alone.
 */
export const DuRow = z.object({ name: z.string(), descendants: z.number().int(), bytes: z.number(), dataBytes: z.number(), numChildren: z.number().int() });
export type DuRow = z.infer<typeof DuRow>;

/** Result of tree.du: one page of a znode's children, biggest first (or as sorted). */
export const TreeDu = z.object({
  path: z.string(),
  /** Who computed it: "member 2", or "snapshot.1f of member 2 (Apache ZooKeeper)". */
  source: z.string(),
  /** The zxid the figures are of (the member's last applied, or the snapshot's). */
  zxid: z.string(),
  sort: DuSort,
  offset: z.number().int(),
  total: z.number().int(),
  znode: DuRow,
  children: z.array(DuRow),
  /** How the overhead per znode is estimated, in words. */
  overhead: z.string(),
});
export type TreeDu = z.infer<typeof TreeDu>;

/** Result of datadir.open: the lab, and what was copied into every member. */
export const DataDirOpened = z.object({
  lab: LabView.nullable(),
  path: z.string(),
  files: z.number().int(),
  bytes: z.number(),
  snapshots: z.number().int(),
  logs: z.number().int(),
  lastZxid: z.string(),
  znodes: z.number().int(),
  sessions: z.number().int(),
  ephemerals: z.number().int(),
  /** Files of version-2 left out of the copy (neither snapshot, log nor epoch). */
  ignored: z.array(z.string()),
});
export type DataDirOpened = z.infer<typeof DataDirOpened>;
/** One entry of a znode's ACL as the Tree explorer edits it: perms are ZooKeeper's bits (r 1, w 2, c 4, d 8, a 16). */
export const AclRow = z.object({ scheme: z.string().min(1).max(64), id: z.string().max(1024), perms: z.number().int().min(0).max(31) });
export type AclRow = z.infer<typeof AclRow>;

/** An identity the server holds for the lab's session ("ip" "127.0.0.1", "digest" "alice"). */
export const Identity = z.object({ scheme: z.string(), id: z.string() });
export type Identity = z.infer<typeof Identity>;

/** A recursive setAcl under way: listing the subtree, then setting each znode. */
export const AclProgress = z.object({ path: z.string(), step: z.enum(['listing', 'setting']), done: z.number().int(), total: z.number().int() });
export type AclProgress = z.infer<typeof AclProgress>;

/** tree.setAcl's answer: the root's new aclVersion and how many znodes got the ACL. */
export const SetAclResult = z.object({ aversion: z.number().int(), count: z.number().int() });
export type SetAclResult = z.infer<typeof SetAclResult>;

/** A saved connection for Attach as the page sees it (the passwords stay in the backend's connections.json). */
export const SavedConnection = z.object({ name: z.string(), connectString: z.string(), users: z.array(z.string()), readOnly: z.boolean() });
export type SavedConnection = z.infer<typeof SavedConnection>;

const DigestAuth = z.object({ user: z.string().min(1).max(256), password: z.string().max(256) });

/** A tree export without its znodes: the first message of an import sent in chunks. */
export const TreeExportHeader = TreeExport.omit({ nodes: true });
export type TreeExportHeader = z.infer<typeof TreeExportHeader>;

/** What an import made: znodes created, updated (overwrite), left alone, and ephemeral/TTL ones created persistent. */
export const ImportCounts = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  converted: z.number().int(),
  /** Multis written (each one transaction). */
  transactions: z.number().int(),
});
export type ImportCounts = z.infer<typeof ImportCounts>;

/**
 * An import sent in chunks, as it goes: `receiving` the chunks, `checking` what exists,
 * `writing` the multis, then `done` (with the result), `failed` (with the error; writes already
 * made stay, and `result` counts them) or `cancelled` (likewise).
 */
export const ImportState = z.object({
  upload: z.string(),
  path: z.string(),
  phase: z.enum(['receiving', 'checking', 'writing', 'done', 'failed', 'cancelled']),
  done: z.number().int(),
  total: z.number().int(),
  /** Where the export lands (set once it is known). */
  root: z.string().nullable(),
  result: ImportCounts.nullable(),
  error: z.string().nullable(),
});
export type ImportState = z.infer<typeof ImportState>;

/** The seed's claims the lab can run (see src/lab/walkthroughs.ts). */
export const WalkthroughId = z.enum(['election-from-empty', 'election-after-failure', 'majority', 'write-flow', 'session-moves', 'partition', 'write-via-follower', 'recovery-committed', 'recovery-discarded', 'zxid', 'node-types', 'watches', 'broadcast', 'roles', 'sync-modes', 'lock', 'config-and-membership', 'discovery', 'sizing']);
export type WalkthroughId = z.infer<typeof WalkthroughId>;

/**
 * How a walkthrough goes from step to step: `auto` waits `delayMs` before each step (0: at once)
 * and, with `pauseAtKey`, stops before the step where the claim is seen until `walkthrough.next`;
 * `step` waits for `walkthrough.next` before every step.
 */
export const WalkthroughPace = z.object({ mode: z.enum(['auto', 'step']), delayMs: z.number().int().min(0).max(30_000), pauseAtKey: z.boolean() });
export type WalkthroughPace = z.infer<typeof WalkthroughPace>;

/** A walkthrough as it runs: its steps with what was observed, then the verdict. */
export const WalkthroughState = z.object({
  id: WalkthroughId,
  title: z.string(),
  running: z.boolean(),
  steps: z.array(z.object({ text: z.string(), status: z.enum(['pending', 'running', 'done', 'failed']), observed: z.string(), key: z.boolean().optional() })),
  /** The next step, shown while the walkthrough waits for `walkthrough.next` (null when it does not wait). */
  waitingBefore: z.string().nullable().optional(),
  pace: WalkthroughPace.optional(),
  verdict: z.string().nullable(),
  /** The verdict's two halves: the seed's claim and what the members showed (null until it ends). */
  seedSays: z.string().nullable(),
  labSaw: z.string().nullable(),
  passed: z.boolean().nullable(),
  error: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
});
export type WalkthroughState = z.infer<typeof WalkthroughState>;

/**
 * Voting members of a launched lab: 1 to 7. Odd sizes are what the launcher recommends; even ones
 * are there for the majority lesson (four members tolerate no more failures than three).
 */
export const LabSize = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)]);
export type LabSize = z.infer<typeof LabSize>;

/** Requests the UI may make, with their parameters. */
export const Request = z.discriminatedUnion('method', [
  z.object({ method: z.literal('state') }),
  z.object({
    method: z.literal('launch'),
    size: LabSize,
    observers: z.number().int().min(0).max(2).default(0),
    engines: z.enum(['ours', 'apache', 'mixed']).default('ours'),
    /** Read-only mode (readonlymode.enabled) on every member: one cut off from its quorum serves read-only clients. */
    readOnly: z.boolean().optional(),
    /**
     * Membership changes for Apache ZooKeeper members: reconfigEnabled, every member named at its
     * own ports (they talk directly, so faults between members are off). Our members always have
     * reconfigEnabled and keep the relays until the first change.
     */
    reconfig: z.boolean().optional(),
  }),
  z.object({ method: z.literal('startAll') }),
  /**
   * Copies an Apache ZooKeeper 3.5–3.9 dataDir (its version-2 snapshots, logs and epochs) into a
   * new lab and starts `nodes` members of ours on it, each with the copy; `readOnly`: one member,
   * and the lab's views write nothing. The copy is checked whole first: a bad file is refused
   * and nothing is left behind. Answers DataDirOpened.
   */
  z.object({ method: z.literal('datadir.open'), path: z.string().min(1).max(4096), nodes: z.union([z.literal(1), z.literal(3), z.literal(5), z.literal(7)]).default(1), readOnly: z.boolean().default(false) }),
  z.object({ method: z.literal('capabilities') }),
  z.object({ method: z.literal('lab.diskUse') }),
  /** The UI's remembered settings (theme, open view, views' settings), kept by the backend in <labs folder>/ui-settings.json. */
  z.object({ method: z.literal('ui.settings') }),
  /** Remembers one UI setting (null forgets it). */
  z.object({ method: z.literal('ui.setting'), key: z.string().min(1).max(100), value: z.unknown() }),
  /**
   * Attaches to an ensemble: `auth` digest credentials for the lab's sessions, `readOnly` (default
   * true) refuses the lab's writes; `saved` names a saved connection whose connect string, auth and
   * read-only setting are used instead.
   */
  z.object({ method: z.literal('attach'), connectString: z.string().min(3).max(2000), auth: z.array(DigestAuth).max(8).optional(), readOnly: z.boolean().optional(), saved: z.string().max(100).optional() }),
  /** The saved connections (SavedConnection[]), kept in <labs folder>/connections.json. */
  z.object({ method: z.literal('connections.list') }),
  /** Saves one (replacing one of the same name); answers with the list. */
  z.object({ method: z.literal('connections.save'), name: z.string().min(1).max(100), connectString: z.string().min(3).max(2000), auth: z.array(DigestAuth).max(8), readOnly: z.boolean() }),
  z.object({ method: z.literal('connections.forget'), name: z.string().min(1).max(100) }),
  /** Allows (on) or refuses again (off) writes, lock runs included, to the attached ensemble; refused by default. */
  z.object({ method: z.literal('attach.writes'), on: z.boolean() }),
  z.object({ method: z.literal('tree.children'), path: z.string().min(1).max(4096), through: z.number().int().nullable(), offset: z.number().int().min(0), limit: z.number().int().min(1).max(1000) }),
  z.object({ method: z.literal('tree.node'), path: z.string().min(1).max(4096), through: z.number().int().nullable() }),
  /** Where the bytes are under `path`: its children with their subtrees' znodes and bytes, sorted, a page at a time (TreeDu). */
  z.object({ method: z.literal('tree.du'), path: z.string().min(1).max(4096), through: z.number().int().nullable(), sort: DuSort.default('bytes'), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(500) }),
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
  /** setAcl if the ACL version is `version` (-1: any); `recursive`: then every znode under it too (progress as tree.progress pushes). */
  z.object({ method: z.literal('tree.setAcl'), path: z.string().min(1).max(4096), acl: z.array(AclRow).max(64), version: z.number().int(), recursive: z.boolean(), through: z.number().int().nullable() }),
  /** `addauth digest user:password` for every session of the Tree explorer (and those it opens later); answers with the identities (Identity[]) of the session through `through`. */
  z.object({ method: z.literal('tree.addAuth'), user: z.string().min(1).max(256), password: z.string().max(256), through: z.number().int().nullable() }),
  /** The identities (Identity[]) the server holds for the Tree explorer's session through `through`. */
  z.object({ method: z.literal('tree.identities'), through: z.number().int().nullable() }),
  /** The digest scheme's id of user:password ({ id }), for an ACL entry. */
  z.object({ method: z.literal('tree.digest'), user: z.string().min(1).max(256), password: z.string().max(256) }),
  z.object({ method: z.literal('watches.list') }),
  z.object({ method: z.literal('watches.add'), path: z.string().min(1).max(4096), kind: z.enum(['data', 'exist', 'child', 'persistent', 'persistent-recursive']) }),
  z.object({ method: z.literal('tree.sync'), path: z.string().min(1).max(4096), through: z.number().int().nullable() }),
  /** `confirm`: the person agreed to what the walkthrough erases (src/shared/walkthroughs.ts); one that erases nothing ignores it. */
  z.object({ method: z.literal('walkthrough.run'), id: WalkthroughId, confirm: z.boolean().optional(), pace: WalkthroughPace.optional() }),
  z.object({ method: z.literal('walkthrough.stop') }),
  /** A walkthrough waiting before a step goes on; the pace may change on the way (e.g. from step to auto). */
  z.object({ method: z.literal('walkthrough.next'), pace: WalkthroughPace.optional() }),
  z.object({ method: z.literal('walkthrough.state') }),
  z.object({ method: z.literal('tree.search'), prefix: z.string().min(1).max(4096), through: z.number().int().nullable(), limit: z.number().int().min(1).max(1000) }),
  z.object({ method: z.literal('tree.export'), path: z.string().min(1).max(4096), through: z.number().int().nullable() }),
  /** `doc` is checked against TreeExport by the backend, which says what is wrong with it. */
  z.object({ method: z.literal('tree.import'), path: z.string().min(1).max(4096), doc: z.unknown(), overwrite: z.boolean(), through: z.number().int().nullable() }),
  /**
   * An import in chunks (any size up to EXPORT_MAX_NODES znodes, every message under
   * WS_MESSAGE_MAX): `begin` with the export's header and how many znodes follow (answers the
   * upload's id), `chunk`s of znodes in order, then `commit`, which answers at once; the import
   * runs in the backend and reports as `import` pushes (and `tree.import.status`). `cancel` stops
   * it between two transactions, or drops an upload not committed yet.
   */
  z.object({ method: z.literal('tree.import.begin'), path: z.string().min(1).max(4096), header: TreeExportHeader, total: z.number().int().min(0).max(20_000), overwrite: z.boolean(), through: z.number().int().nullable() }),
  z.object({ method: z.literal('tree.import.chunk'), upload: z.string().max(64), nodes: z.array(TreeExportNode).min(1).max(2000) }),
  z.object({ method: z.literal('tree.import.commit'), upload: z.string().max(64) }),
  z.object({ method: z.literal('tree.import.cancel'), upload: z.string().max(64) }),
  z.object({ method: z.literal('tree.import.status'), upload: z.string().max(64) }),
  z.object({ method: z.literal('node'), myid: z.number().int().min(1).max(255), action: NodeAction }),
  z.object({ method: z.literal('destroy') }),
  z.object({ method: z.literal('history'), sinceMs: z.number().optional() }),
  z.object({ method: z.literal('load.start'), settings: LoadSettings }),
  /** Rate, mix and payload change while the load runs; the number of sessions does not. */
  z.object({ method: z.literal('load.update'), settings: LoadSettings }),
  z.object({ method: z.literal('load.stop') }),
  z.object({ method: z.literal('load.status') }),
  z.object({ method: z.literal('load.runs') }),
  /** Starts a register workload whose history is checked under both models; answers once its sessions are connecting (the run arrives as `check` pushes). */
  z.object({ method: z.literal('check.start'), settings: CheckSettings }),
  /** Ends the run early: what was recorded is checked. */
  z.object({ method: z.literal('check.stop') }),
  z.object({ method: z.literal('check.state') }),
  z.object({ method: z.literal('check.runs'), limit: z.number().int().min(1).max(100).optional() }),
  /** A kept run's history as the JSON-lines file (README: "The history format"). */
  z.object({ method: z.literal('check.export'), id: z.number().int() }),
  /** Checks a history file under both models and keeps it beside the lab's runs (under 1 MiB: the page's link carries at most that). */
  z.object({ method: z.literal('check.import'), name: z.string().min(1).max(200), text: z.string().max(900_000), timeLimitS: z.number().min(1).max(300).default(10) }),
  z.object({ method: z.literal('locks.start'), settings: LockSettings }),
  z.object({ method: z.literal('locks.stop') }),
  z.object({ method: z.literal('locks.state') }),
  z.object({ method: z.literal('locks.fault'), client: z.number().int().min(1).max(50), fault: z.enum(['expire', 'kill-member']) }),
  z.object({ method: z.literal('locks.runs'), limit: z.number().int().min(1).max(500).optional() }),
  /** One four-letter word or AdminServer command to a member (src/shared/console-commands.ts names them). */
  /** A membership change (ZooKeeper's reconfig, src/lab/membership.ts); progress arrives as `progress` pushes. */
  z.object({ method: z.literal('member.change'), change: MemberChange }),
  z.object({ method: z.literal('member.command'), myid: z.number().int(), kind: z.enum(['4lw', 'admin']), command: z.string().min(1).max(64) }),
  z.object({ method: z.literal('terminal.open'), myid: z.number().int(), kind: z.enum(['log', 'zkcli', 'shell']), cols: z.number().int().min(10).max(500), rows: z.number().int().min(2).max(300) }),
  z.object({ method: z.literal('terminal.list') }),
  z.object({ method: z.literal('terminal.backlog'), id: z.string() }),
  z.object({ method: z.literal('terminal.input'), id: z.string(), data: z.string().max(65536) }),
  z.object({ method: z.literal('terminal.resize'), id: z.string(), cols: z.number().int().min(10).max(500), rows: z.number().int().min(2).max(300) }),
  z.object({ method: z.literal('terminal.close'), id: z.string() }),
  z.object({ method: z.literal('net.state') }),
  /** Starts a fault; answers with the fault (its id) or a sentence saying why not (nothing changes then). */
  z.object({ method: z.literal('net.fault'), spec: FaultSpec }),
  /** Ends one fault (null: every fault), delivering what it held. */
  z.object({ method: z.literal('net.heal'), id: z.string().max(32).nullable().default(null) }),
  /** Delivers what holds (one fault's, or every one's when null) have held so far, in order; the holds stay. */
  z.object({ method: z.literal('net.release'), id: z.string().max(32).nullable().default(null) }),
  z.object({ method: z.literal('wire.query'), query: WireQuery }),
  /** This connection wants the live `wire` pushes (the Wire view while open, zk-lab wire --follow); others do not get them. */
  z.object({ method: z.literal('wire.subscribe'), on: z.boolean() }),
  /** Keeps the capture between two times in the lab's history; answers with how many messages were saved. */
  z.object({ method: z.literal('wire.save'), fromMs: z.number(), toMs: z.number(), label: z.string().max(200).default('') }),
  /** Stops every member and the backend itself (the lab's folder stays): zk-lab shutdown. */
  z.object({ method: z.literal('shutdown') }),
]);
export type Request = z.infer<typeof Request>;

/** A watch the lab's own session set, as it fired. */
export const WatchFire = z.object({ time: z.number(), path: z.string(), type: z.string(), kind: z.string(), watchId: z.number().int() });
export type WatchFire = z.infer<typeof WatchFire>;

/** What the backend pushes without being asked. */
export const Push = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('state'), lab: LabView.nullable() }),
  /** A launch under way, node by node; null when it is over. */
  z.object({ kind: z.literal('progress'), progress: Progress.nullable() }),
  /** An error the backend survived (it and the members keep running): one line for the page. */
  z.object({ kind: z.literal('backend.error'), time: z.number(), message: z.string() }),
  z.object({ kind: z.literal('event'), event: HistoryEvent }),
  z.object({ kind: z.literal('walkthrough'), state: WalkthroughState }),
  /** A znode the Tree view shows changed (its children or its data). */
  z.object({ kind: z.literal('tree.changed'), path: z.string(), what: z.enum(['children', 'data']) }),
  /** A recursive setAcl's progress; null when it is over. */
  z.object({ kind: z.literal('tree.progress'), progress: AclProgress.nullable() }),
  z.object({ kind: z.literal('watch.fired'), fire: WatchFire }),
  /** `offset`: characters the terminal printed before this chunk (to join it to a backlog). */
  z.object({ kind: z.literal('terminal.data'), id: z.string(), data: z.string(), offset: z.number().int() }),
  z.object({ kind: z.literal('terminal.exit'), id: z.string(), code: z.number().int().nullable() }),
  /** The lock playground's run as it goes (a few times a second) and as it ends. */
  z.object({ kind: z.literal('locks'), run: LockRunView }),
  /** The Load panel: its state, the second that just ended (or null), and ensemble events to mark on its charts. */
  z.object({ kind: z.literal('load'), status: LoadStatus, sample: LoadSample.nullable(), marks: z.array(HistoryEvent) }),
  /** The checked run as it goes and as it ends. */
  z.object({ kind: z.literal('check'), run: CheckRunView }),
  /** An import in chunks moved on (see tree.import.begin). */
  z.object({ kind: z.literal('import'), state: ImportState }),
  /** The lab's network changed: a fault started, healed or released, a link's held count moved. */
  z.object({ kind: z.literal('net'), net: NetView }),
  /** Messages the relays captured since the last push (a few times a second). */
  z.object({ kind: z.literal('wire'), messages: z.array(WireMessage) }),
]);
export type Push = z.infer<typeof Push>;

/** A terminal the backend runs (see src/lab/terminals.ts). */
export const TerminalInfo = z.object({
  id: z.string(),
  myid: z.number().int(),
  kind: z.enum(['log', 'zkcli', 'shell']),
  title: z.string(),
  exitCode: z.number().int().nullable(),
  exited: z.boolean(),
});
export type TerminalInfo = z.infer<typeof TerminalInfo>;

/** A request on the wire: an id to match the reply. */
export const RequestEnvelope = z.object({ id: z.number().int(), request: Request });
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

/** A failed call: the backend's sentence, and for the errors of src/shared/errors.ts their code and parameters (the page translates those). */
export type ReplyEnvelope = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string; code?: string; params?: Record<string, string | number> };

/**
 * The page's link to the backend: `open`; `reconnecting` after it was lost (calls wait for it,
 * up to their time limit); `refused` when the backend will not take this page (its reason says
 * what to do; reconnecting would not help).
 */
export type LabConnection = { state: 'connecting' | 'open' | 'reconnecting' } | { state: 'refused'; reason: string };

// The API itself (each method's result) is in api.ts, which builds on these schemas.
export type { LabApi } from './api';

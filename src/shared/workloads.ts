// The contract's schemas of the lab's workloads: the Load panel's generator, the checked
// register runs (and their verdicts and counterexamples), and the lock playground. Re-exported by
// contract.ts, which holds the requests and pushes that carry them.
import { z } from 'zod';

/** What the Load panel's generator runs (src/lab/load.ts). Bad values are refused with these sentences. */
export const LoadSettings = z.object({
  /** Client sessions, spread over the members round-robin. */
  sessions: z.number().int('sessions must be a whole number').min(1, 'sessions must be 1 to 32').max(32, 'sessions must be 1 to 32').default(4),
  /** Operations scheduled per second, all sessions together (open loop: they go out on schedule). */
  rate: z.number().int('rate must be a whole number of ops/s').min(1, 'rate must be 1 to 5000 ops/s').max(5000, 'rate must be 1 to 5000 ops/s').default(200),
  /** Share of getData among the operations; the rest are setData. */
  readPercent: z.number().int('reads must be a whole percentage').min(0, 'reads must be 0 to 100 %').max(100, 'reads must be 0 to 100 %').default(80),
  /** Bytes of data per znode, written by every setData. */
  payloadBytes: z.number().int('payload must be a whole number of bytes').min(0, 'payload must be 0 to 65536 bytes').max(65536, 'payload must be 0 to 65536 bytes').default(128),
});
export type LoadSettings = z.infer<typeof LoadSettings>;

/** One member's share of a second of load. Latencies in ms; null when nothing completed. */
export const LoadMemberSample = z.object({
  myid: z.number().int(),
  ops: z.number().int(),
  errors: z.number().int(),
  p50: z.number().nullable(),
  p99: z.number().nullable(),
  /** Sessions connected to it at the end of the second. */
  sessions: z.number().int(),
});
export type LoadMemberSample = z.infer<typeof LoadMemberSample>;

/**
 * One second of load, ending at `time`. Latency is measured from when an operation was scheduled,
 * not from when it went out (no coordinated omission): a stall shows as latency.
 */
export const LoadSample = z.object({
  time: z.number(),
  /** Operations that completed successfully in this second. */
  ops: z.number().int(),
  reads: z.number().int(),
  writes: z.number().int(),
  /** Failed operations by ZooKeeper error code name (ConnectionLoss, SessionExpired, …). */
  errors: z.record(z.string(), z.number().int()),
  p50: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  /** Operations scheduled and not answered yet at the end of the second, and how long the oldest has waited. */
  waiting: z.number().int(),
  oldestWaitingMs: z.number().nullable(),
  /** How far behind its schedule the generator itself sent (its own event loop's lag), ms. */
  sendLagMs: z.number(),
  members: z.array(LoadMemberSample),
});
export type LoadSample = z.infer<typeof LoadSample>;

/** One session of the generator: the member it was given first, and the one it is connected to now. */
export const LoadSession = z.object({
  index: z.number().int(),
  home: z.number().int(),
  myid: z.number().int().nullable(),
  state: z.string(),
  /** Hex, as ZooKeeper prints session ids. */
  sessionId: z.string().nullable(),
});
export type LoadSession = z.infer<typeof LoadSession>;

/** A finished run as the lab history keeps it. */
export const LoadRunSummary = z.object({
  id: z.number().int(),
  startedAt: z.number(),
  endedAt: z.number(),
  settings: LoadSettings,
  path: z.string(),
  ops: z.number().int(),
  errors: z.record(z.string(), z.number().int()),
  p50: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  members: z.array(z.object({ myid: z.number().int(), ops: z.number().int(), errors: z.number().int() })),
  /** Why it ended (stopped from the panel, the lab stopped, …). */
  reason: z.string(),
  /** What became of its znodes. */
  cleanup: z.string(),
});
export type LoadRunSummary = z.infer<typeof LoadRunSummary>;

export const LoadStatus = z.object({
  state: z.enum(['idle', 'starting', 'running', 'stopping']),
  settings: LoadSettings.nullable(),
  startedAt: z.number().nullable(),
  /** The znode the run works under. */
  path: z.string().nullable(),
  sessions: z.array(LoadSession),
  /** Since the run started. */
  ops: z.number().int(),
  errors: z.record(z.string(), z.number().int()),
  lastRun: LoadRunSummary.nullable(),
});
export type LoadStatus = z.infer<typeof LoadStatus>;

/** The faults a checked run throws at the lab while its clients work (src/lab/check/faults.ts). */
export const CheckFaults = z.enum(['none', 'partitions', 'kills', 'pauses', 'mixed']);
export type CheckFaults = z.infer<typeof CheckFaults>;

/** A register workload run whose history is checked (src/lab/check/runs.ts). Bad values are refused with these sentences. */
export const CheckSettings = z
  .object({
    clients: z.number().int('clients must be a whole number').min(1, 'clients must be 1 to 32').max(32, 'clients must be 1 to 32').default(5),
    keys: z.number().int('keys must be a whole number').min(1, 'keys must be 1 to 16').max(16, 'keys must be 1 to 16').default(2),
    seconds: z.number().int('seconds must be a whole number').min(2, 'a run lasts 2 to 300 seconds').max(300, 'a run lasts 2 to 300 seconds').default(10),
    faults: CheckFaults.default('none'),
    /** Operations per second, all clients together; 0: each client calls its next operation as soon as the last returned. */
    rate: z.number().int('the rate must be a whole number of operations per second').min(0, 'the rate is 0 (as fast as the clients go) to 100000 operations/s').max(100_000, 'the rate is 0 (as fast as the clients go) to 100000 operations/s').default(0),
    /** Shares of getData and setData (and syncPercent's syncs); the rest are cas (setData with the version last seen). */
    readPercent: z.number().int('reads must be a whole percentage').min(0, 'reads must be 0 to 100 %').max(100, 'reads must be 0 to 100 %').default(50),
    writePercent: z.number().int('writes must be a whole percentage').min(0, 'writes must be 0 to 100 %').max(100, 'writes must be 0 to 100 %').default(30),
    /** Share of syncs, each followed by a read of the same key (the zookeeper model checks that read against the sync). */
    syncPercent: z.number().int('syncs must be a whole percentage').min(0, 'syncs must be 0 to 100 %').max(100, 'syncs must be 0 to 100 %').default(10),
    /** The checker's bound per model, seconds: past it the verdict is "undecided". */
    timeLimitS: z.number().min(1, 'the time limit is 1 to 300 s').max(300, 'the time limit is 1 to 300 s').default(10),
  })
  .refine((s) => s.readPercent + s.writePercent + s.syncPercent <= 100, { message: 'reads, writes and syncs together are at most 100 % (the rest are cas)', path: ['writePercent'] });
export type CheckSettings = z.infer<typeof CheckSettings>;

/** One operation of a counterexample: a history line (src/shared/check/history.ts) with its 0-based index. */
export const CheckOp = z.object({
  index: z.number().int(),
  process: z.number().int(),
  session: z.string(),
  member: z.number().int(),
  f: z.enum(['read', 'write', 'cas', 'sync', 'acquire', 'release']),
  key: z.string(),
  value: z.string().nullable(),
  version: z.number().int().nullable(),
  invoke: z.number(),
  complete: z.number().nullable(),
  result: z.enum(['ok', 'fail', 'unknown']),
});
export type CheckOp = z.infer<typeof CheckOp>;

/** The checker's verdict under one model (as `zk-lab check history --json` prints it). */
export const CheckVerdict = z.object({
  model: z.enum(['linearizable', 'zookeeper']),
  ops: z.number().int(),
  keys: z.number().int(),
  verdict: z.enum(['ok', 'violation', 'undecided']),
  counterexample: z
    .object({
      key: z.string(),
      culprit: z.number().int(),
      ops: z.array(CheckOp),
      could: z.array(z.object({ value: z.string(), version: z.number().int() })),
      earlier: z.number().int(),
      explanation: z.string(),
    })
    .optional(),
  undecided: z.string().optional(),
  perKey: z.array(z.object({ key: z.string(), ops: z.number().int(), verdict: z.enum(['ok', 'violation', 'undecided']), states: z.number().int() })),
});
export type CheckVerdict = z.infer<typeof CheckVerdict>;

/** A fault or an election during a checked run, on the history's time axis (ms from the run's start). */
export const CheckMark = z.object({ t: z.number(), type: z.string(), myid: z.number().int().nullable(), detail: z.string() });
export type CheckMark = z.infer<typeof CheckMark>;

/** A checked run as the lab history keeps it (an imported history is one too, with source "import"; the Load panel's steady load's, "load"; a lock-playground run's, "lock"). */
export const CheckRunSummary = z.object({
  id: z.number().int(),
  source: z.enum(['run', 'import', 'load', 'lock']),
  /** The run's settings; for an import, the file's name. */
  settings: CheckSettings.nullable(),
  name: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  ops: z.number().int(),
  keys: z.number().int(),
  /** The verdict under each model; null where it was not checked (a run cut short before its checks). */
  verdicts: z.object({ linearizable: CheckVerdict.nullable(), zookeeper: CheckVerdict.nullable() }),
  marks: z.array(CheckMark),
  /** Why it ended early, or what went wrong; null for a run that went as asked. */
  note: z.string().nullable(),
});
export type CheckRunSummary = z.infer<typeof CheckRunSummary>;

/** The checked run under way (pushed as it goes), or the last one. */
export const CheckRunView = z.object({
  phase: z.enum(['connecting', 'running', 'checking', 'done', 'failed']),
  settings: CheckSettings,
  startedAt: z.number(),
  /** Operations recorded so far, and those done ok / failed / of unknown result. */
  ops: z.number().int(),
  results: z.object({ ok: z.number().int(), fail: z.number().int(), unknown: z.number().int() }),
  /** What the run has done to the lab so far, in words, oldest first. */
  log: z.array(z.object({ time: z.number(), text: z.string() })),
  /** The run as kept once it ended (null before). */
  summary: CheckRunSummary.nullable(),
  error: z.string().nullable(),
});
export type CheckRunView = z.infer<typeof CheckRunView>;

/** The lock playground's strategies: the seed's plain-API lock, the herd-effect lock, Curator's InterProcessMutex. */
export const LockStrategy = z.enum(['seed', 'naive', 'mutex']);
export type LockStrategy = z.infer<typeof LockStrategy>;

/** One lock-playground run as the user sets it up. It ends after durationMs or `acquisitions`, whichever comes first. */
export const LockSettings = z.object({
  clients: z.number().int('clients must be a whole number').min(1, 'A run needs at least 1 client (1 to 50).').max(50, 'A run has at most 50 clients (1 to 50).'),
  strategy: LockStrategy,
  holdMs: z.number().int('hold time must be whole milliseconds').min(0, 'The hold time cannot be negative (0 or more ms).').max(60_000, 'The hold time is at most 60000 ms.'),
  thinkMs: z.number().int('think time must be whole milliseconds').min(0, 'The think time cannot be negative (0 or more ms).').max(60_000, 'The think time is at most 60000 ms.'),
  durationMs: z.number().int().min(1000, 'A run lasts at least 1000 ms.').max(3_600_000, 'A run lasts at most one hour.').nullable(),
  acquisitions: z.number().int().min(1, 'Stop after at least 1 acquisition.').max(1_000_000).nullable(),
  lockPath: z.string().min(2, 'Give the lock a path such as /playground/lock.').max(1024),
});
export type LockSettings = z.infer<typeof LockSettings>;

export const LockClientState = z.enum(['connecting', 'thinking', 'waiting', 'holding', 'disconnected', 'expired', 'stopped']);
export type LockClientState = z.infer<typeof LockClientState>;

/** One contender: its own session, on the member it is connected to. */
export const LockClientView = z.object({
  id: z.number().int(),
  /** myid of the member the session is connected to now (null while disconnected). */
  member: z.number().int().nullable(),
  /** Hex, as ZooKeeper prints session ids. */
  sessionId: z.string(),
  state: LockClientState,
  /** Name (under the lock path) of the znode it holds or waits with. */
  node: z.string().nullable(),
  /** Name of the znode its waiter watches. */
  watching: z.string().nullable(),
  acquisitions: z.number().int(),
  notifications: z.number().int(),
  expirations: z.number().int(),
  lastWaitMs: z.number().nullable(),
});
export type LockClientView = z.infer<typeof LockClientView>;

/** A child of the lock path as the server lists it, with the client that owns it (null: not a client of this run). */
export const LockChildView = z.object({ name: z.string(), sequence: z.string().nullable(), client: z.number().int().nullable() });
export type LockChildView = z.infer<typeof LockChildView>;

export const LockViolation = z.object({
  /** overlap: two holders at once (lab stamps); not-lowest: the server did not list the holder's node first at acquisition. */
  kind: z.enum(['overlap', 'not-lowest']),
  time: z.number(),
  clients: z.array(z.number().int()),
  detail: z.string(),
});
export type LockViolation = z.infer<typeof LockViolation>;

export const LockCounters = z.object({
  acquisitions: z.number().int(),
  perSecond: z.number(),
  waitP50Ms: z.number().nullable(),
  waitP99Ms: z.number().nullable(),
  waitMaxMs: z.number().nullable(),
  notifications: z.number().int(),
  watchesSet: z.number().int(),
  /** Watch notifications the clients received per acquisition: about 1 when each waiter watches its predecessor, about the number of waiters with a herd. */
  notificationsPerAcquisition: z.number().nullable(),
  /** Server-side checks done (one per acquisition that was still held when its read came back). */
  serverChecks: z.number().int(),
});
export type LockCounters = z.infer<typeof LockCounters>;

export const LockFault = z.object({ time: z.number(), kind: z.enum(['expire', 'kill-member']), client: z.number().int(), member: z.number().int().nullable(), detail: z.string() });
export type LockFault = z.infer<typeof LockFault>;

/** A lock run's history (acquire and release per client, in the history format) checked as a mutex once the run ends (src/shared/check). */
export const LockHistoryCheck = z.object({
  /** Operations recorded (at most CHECK_MAX_OPS). */
  ops: z.number().int(),
  phase: z.enum(['recording', 'checking', 'done', 'failed']),
  /** The checked run it is kept as (Load panel's checked runs; zk-lab check history on its export), once done. */
  checkRun: z.number().int().nullable(),
  verdict: z.enum(['ok', 'violation', 'undecided']).nullable(),
  /** A violation's counterexample in words, or why it is undecided or failed. */
  detail: z.string().nullable(),
});
export type LockHistoryCheck = z.infer<typeof LockHistoryCheck>;

/** A run, live (pushed as it goes) or as it ended. */
export const LockRunView = z.object({
  id: z.number().int(),
  settings: LockSettings,
  phase: z.enum(['connecting', 'running', 'stopping', 'done', 'failed']),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** The children of the lock path in sequence order (the queue), as last read from the server. */
  children: z.array(LockChildView),
  /** Clients holding the lock as the lab stamps it: one, or more in a violation. */
  holders: z.array(z.number().int()),
  clients: z.array(LockClientView),
  counters: LockCounters,
  violations: z.array(LockViolation),
  faults: z.array(LockFault),
  /** What happened, newest last: faults, expirations, handoffs, member changes. */
  log: z.array(z.object({ time: z.number(), text: z.string() })),
  stopReason: z.string().nullable(),
  error: z.string().nullable(),
  /** Its recorded history and that history's check as a mutex, beside the lab's own overlap check. */
  history: LockHistoryCheck,
});
export type LockRunView = z.infer<typeof LockRunView>;

/** A run as the lab history keeps it. */
export const LockRunSummary = z.object({
  id: z.number().int(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  settings: LockSettings,
  counters: LockCounters,
  violations: z.array(LockViolation),
  faults: z.array(LockFault),
  /** Why it ended; null for a run the lab did not see end (the app was closed under it). */
  stopReason: z.string().nullable(),
});
export type LockRunSummary = z.infer<typeof LockRunSummary>;

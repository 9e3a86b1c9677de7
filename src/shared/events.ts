// The lab's event log: one table, one shape, two sources.
//
//  - source 'member': what a member logged about itself (our server's AdminServer `lab_events`,
//    the event log of src/protocol/events.ts), stored with its own type and fields, untouched.
//  - source 'lab': what the lab did or saw from outside: the supervisor's facts (started,
//    killed, stopped, crashed) and what polling every member's AdminServer shows (roles, the
//    ensemble's elections, leader and epoch). These are the only events an Apache ZooKeeper
//    member has, since it keeps no such log.
//
// Lab types are namespaced (node.*, ensemble.*, lab.*) so that they never collide with a
// member's own types (election.started, role.changed, …).

/** Event types the lab itself records, with what `data` carries. */
export const LAB_EVENT_TYPES = [
  /** A lab was created and launched: { size, observers, engines, dir } */
  'lab.launched',
  /** Node processes a crashed app left behind were killed at start: { count } */
  'lab.orphans',
  /** Members an earlier backend of the lab started, still running, taken over at start: { members: [{ myid, pid }] } */
  'lab.adopted',
  /** The supervisor started a node: { pid, engine } */
  'node.started',
  /** The lab sent SIGKILL: {} */
  'node.killed',
  /** The lab sent SIGTERM: {} */
  'node.stopped',
  /** The lab set or cleared the slow-learner fault: { applyDelayMs } */
  'node.slowed',
  /** The lab sent SIGSTOP / SIGCONT: {} */
  'node.paused',
  'node.resumed',
  /** A node process ended: { kind: killed|stopped|crashed, code, signal } */
  'node.exited',
  /** A started node began serving: { role, epoch, zxid } */
  'node.up',
  /** A node's role as polled changed: { from, to } */
  'node.role',
  /** The ensemble lost its leader or has none: { reason } */
  'ensemble.election.started',
  /** A leader serves with a quorum again: { leader, epoch, durationMs } */
  'ensemble.election.ended',
  /** Another member leads: { leader, previous } */
  'ensemble.leader.changed',
  /** The leader's epoch moved: { epoch, previous } */
  'ensemble.epoch.changed',
  /** A lock-playground run started: { run, clients, strategy, holdMs, thinkMs, durationMs, acquisitions, lockPath } */
  'locks.started',
  /** A lock-playground run ended: { run, acquisitions, violations } */
  'locks.ended',
  /** A checked run (register workload) started: its settings */
  'check.started',
  /** It ended: { run, zookeeper, linearizable } (the verdicts), or { error } */
  'check.ended',
  /** A seed walkthrough started: { id } */
  'walkthrough.started',
  /** A seed walkthrough ended: { id, passed } */
  'walkthrough.ended',
  /** A fault of the lab's network (or a process fault through the same list) started: { id, spec } */
  'net.fault.started',
  /** It ended: { id, spec } */
  'net.fault.healed',
  /** Held messages were delivered: { id, count } */
  'net.released',
  /** A window of the Wire capture was kept: { id, count, fromMs, toMs } */
  'wire.saved',
  /** The lab's relays could not open: {} */
  'lab.network',
] as const;

export type LabEventType = (typeof LAB_EVENT_TYPES)[number];

/** Event types drawn as fault marks on the timeline. */
export const FAULT_TYPES: readonly string[] = ['node.killed', 'node.stopped', 'node.paused', 'net.fault.started'];

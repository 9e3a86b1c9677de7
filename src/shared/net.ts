// The lab's network in the contract: faults (one vocabulary for the relays, the processes and the
// disks), the links as the Cluster view draws them, and the Wire capture's messages. The words
// are the simulator's (test/quorum/sim): partition, oneway, slow, hold, client-cut, disk.
import { z } from 'zod';

const Myid = z.number().int('a member is a myid (a whole number)').min(1, 'a member is a myid from 1 to 255').max(255, 'a member is a myid from 1 to 255');

/** Message types a hold can catch: ZAB packets by their Leader.java names, and FLE's notifications. */
export const HoldType = z.enum(['PROPOSAL', 'ACK', 'COMMIT', 'INFORM', 'REQUEST', 'NOTIFICATION', 'PING', 'SYNC', 'REVALIDATE', 'NEWLEADER', 'UPTODATE', 'DIFF', 'TRUNC', 'SNAP', 'LEADERINFO', 'ACKEPOCH', 'FOLLOWERINFO', 'OBSERVERINFO']);
export type HoldType = z.infer<typeof HoldType>;

/** A fault as asked for. Network faults act on the lab's relays; process and disk faults on a member. */
export const FaultSpec = z.discriminatedUnion('kind', [
  /** Members in different groups hear nothing of each other (members in no group form one more group). */
  z.object({ kind: z.literal('partition'), groups: z.array(z.array(Myid).min(1)).min(1).max(7) }),
  /** Preset: one member against the rest. */
  z.object({ kind: z.literal('isolate'), myid: Myid }),
  /** Preset: the member in the middle hears both sides, the sides do not hear each other. */
  z.object({ kind: z.literal('bridge'), myid: Myid }),
  /** `from`'s messages to `to` are lost (held: delivered if healed before a timeout closes the connection); `to`'s reach `from`. */
  z.object({ kind: z.literal('oneway'), from: Myid, to: Myid }),
  /** Latency with jitter on the links between a and b both ways, or on every link of `a` (b null). */
  z.object({
    kind: z.literal('slow'),
    a: Myid,
    b: Myid.nullable().default(null),
    ms: z.number().int('latency is whole ms').min(1, 'latency is 1 to 60000 ms').max(60_000, 'latency is 1 to 60000 ms'),
    jitterMs: z.number().int('jitter is whole ms').min(0, 'jitter is 0 to 60000 ms').max(60_000, 'jitter is 0 to 60000 ms').default(0),
  }),
  /** Holds messages of one type sent by `from` (any member when null) to `to` (any when null) until released or healed. */
  z.object({ kind: z.literal('hold'), type: HoldType, from: Myid.nullable().default(null), to: z.array(Myid).min(1).nullable().default(null) }),
  /** Clients of the lab cannot reach the member (its relayed client port holds every byte). */
  z.object({ kind: z.literal('client-cut'), myid: Myid }),
  /** Our members only: every fsync of the txn log takes `ms` longer, or the disk is full (writes fail with ENOSPC). */
  z.object({ kind: z.literal('disk'), myid: Myid, mode: z.enum(['stall', 'full']), ms: z.number().int().min(1).max(120_000).nullable().default(null) }),
  /** The process faults, in the same list: SIGKILL, SIGTERM, SIGSTOP, commits applied late. Healing restarts / resumes / restores. */
  z.object({ kind: z.literal('kill'), myid: Myid }),
  z.object({ kind: z.literal('stop'), myid: Myid }),
  z.object({ kind: z.literal('pause'), myid: Myid }),
  z.object({ kind: z.literal('slow-apply'), myid: Myid, ms: z.number().int().min(1).max(60_000).default(2000) }),
]);
export type FaultSpec = z.infer<typeof FaultSpec>;
export type FaultKind = FaultSpec['kind'];

/** A fault in force. */
export const Fault = z.object({
  /** Short and stable for the lab's life: f1, f2, … */
  id: z.string(),
  spec: FaultSpec,
  /** In words, e.g. "partition 1,2 | 3,4,5". */
  description: z.string(),
  startedAt: z.number(),
  /** Messages this fault holds right now (cuts and holds). */
  held: z.number().int(),
});
export type Fault = z.infer<typeof Fault>;

/** One direction between two members, as the relays shape it now. */
export const LinkView = z.object({
  from: z.number().int(),
  to: z.number().int(),
  /** ok; slow (latency); cut (nothing passes from → to); holding (some types held). */
  state: z.enum(['ok', 'slow', 'cut', 'holding']),
  delayMs: z.number().int(),
  jitterMs: z.number().int(),
  /** Messages held on this direction now. */
  held: z.number().int(),
  /** Open TCP connections carrying this pair's quorum / election traffic. */
  connections: z.number().int(),
  /** Messages delivered from → to since the lab started. */
  delivered: z.number().int(),
});
export type LinkView = z.infer<typeof LinkView>;

/** The lab's network: off for attached ensembles and labs made before it existed. */
export const NetView = z.object({
  enabled: z.boolean(),
  /** Why not, when it is off. */
  reason: z.string().nullable(),
  faults: z.array(Fault),
  links: z.array(LinkView),
  /** Members whose relayed client port is cut. */
  clientCut: z.array(z.number().int()),
  /** Per member: the client port through the lab (null when there is none). */
  labClientPorts: z.record(z.string(), z.number().int()),
});
export type NetView = z.infer<typeof NetView>;

/** One message between two members, decoded from the relay's bytes with src/protocol. */
export const WireMessage = z.object({
  /** Increasing, one per captured message of this lab run. */
  seq: z.number().int(),
  /** When the sender's bytes reached the relay (ms since the epoch, sub-ms precision). */
  time: z.number(),
  link: z.enum(['quorum', 'election']),
  from: z.number().int(),
  to: z.number().int(),
  /** PROPOSAL, ACK, COMMIT, …, NOTIFICATION, CONNECT (the election handshake), SNAPSHOT (a SNAP's stream), FOLDED. */
  type: z.string(),
  /** Hex with 0x, when the message has one. */
  zxid: z.string().nullable(),
  /** One line in ZooKeeper's words. */
  summary: z.string(),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  bytes: z.number().int(),
  /** delivered; held (by a fault, now); dropped (its connection closed while it was held). */
  status: z.enum(['delivered', 'held', 'dropped']),
  /** When it left the relay for its receiver; null while held or when dropped. */
  deliveredAt: z.number().nullable(),
  /** The fault that held or delayed it, if any. */
  fault: z.string().nullable(),
});
export type WireMessage = z.infer<typeof WireMessage>;

/** What a query of the capture returns. */
export const WireCapture = z.object({
  messages: z.array(WireMessage),
  /** The ring's size: older messages are gone. */
  cap: z.number().int(),
  /** Messages captured since the lab started (seq of the newest). */
  total: z.number().int(),
  /** Messages not kept one by one because the rate was over the budget (counted in FOLDED entries). */
  folded: z.number().int(),
  /** Per-second budget of kept messages; over it, PINGs and then the rest fold. */
  budgetPerSecond: z.number().int(),
});
export type WireCapture = z.infer<typeof WireCapture>;

export const WireQuery = z.object({
  /** Messages with seq above this (0 for the whole ring). */
  afterSeq: z.number().int().min(0).default(0),
  /** Messages at or after / before these times (ms since the epoch). */
  fromMs: z.number().nullable().default(null),
  toMs: z.number().nullable().default(null),
  types: z.array(z.string().min(1).max(32)).max(40).nullable().default(null),
  members: z.array(Myid).max(16).nullable().default(null),
  zxid: z.string().max(20).nullable().default(null),
  limit: z.number().int().min(1).max(20_000).default(2000),
});
export type WireQuery = z.infer<typeof WireQuery>;

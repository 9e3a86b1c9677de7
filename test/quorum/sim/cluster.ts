// Many ensemble members in one process, driving the real QuorumPeerCore with simulated disks,
// a seeded network and clients. Election notifications travel like QuorumCnxManager messages
// (lost, duplicated, reordered; the last one resent when a link comes back); ZAB links are
// TCP-like streams (FIFO, stalled by partitions, closed by crashes and resets).
import type { QuorumEvent } from '../../../src/protocol/events';
import type { Notification } from '../../../src/server/quorum/election/fle';
import { QuorumPeerCore, type PeerAction, type PeerConfig, type PeerInput, type PeerOutput } from '../../../src/server/quorum/peer-core';
import { ServerState } from '../../../src/server/quorum/vote';
import { LeaderCore } from '../../../src/server/quorum/zab/leader';
import { epochOf, hexZxid, type ZabMessage, type ZabStorageView } from '../../../src/server/quorum/zab/types';
import { Checker, InvariantViolation, traceLine } from './checker';
import { SimDisk, type SimTxn } from './disk';
import type { Rng } from './rng';
import { Scheduler } from './scheduler';

export interface SimOptions {
  voters: number;
  observers: number;
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  commitLogCount: number;
  zxidCounterLimit: number;
  /** One-way delay of any message, ms. */
  delayMin: number;
  delayMax: number;
  /** Election notifications only (ZAB links are streams). */
  dropRate: number;
  dupRate: number;
  diskDelayMin: number;
  diskDelayMax: number;
  /** Take a (fuzzy) snapshot of the database after this many logged txns, like snapCount. */
  snapCount: number;
  /** No automatic ticks (transcripts tick by command). */
  manualTicks: boolean;
  /** Keep this many trace lines for a failure report (0: keep none). */
  traceLines: number;
}

export const DEFAULT_SIM: SimOptions = {
  voters: 3,
  observers: 0,
  tickTime: 100,
  initLimit: 10,
  syncLimit: 5,
  commitLogCount: 500,
  zxidCounterLimit: 0xffffffff,
  delayMin: 1,
  delayMax: 10,
  dropRate: 0,
  dupRate: 0,
  diskDelayMin: 1,
  diskDelayMax: 5,
  snapCount: 1_000_000,
  manualTicks: false,
  traceLines: Number(process.env.ZK_SIM_TRACE_LINES ?? 400),
};

type Msg = ZabMessage<SimTxn>;

/** One direction of a ZAB link. */
interface Pipe {
  lastAt: number;
  held: Msg[];
}

interface Link {
  cid: number;
  learner: number;
  leader: number;
  learnerInc: number;
  leaderInc: number;
  open: boolean;
  toLeader: Pipe;
  toLearner: Pipe;
  /** Close notices waiting for the partition between the ends to heal. */
  heldClose: ('learner' | 'leader')[];
}

interface ClientOp {
  client: number;
  op: number;
  data: string;
  member: number;
  kind: 'write' | 'sync';
  committedAtRequest: number;
}

export class SimMember {
  up = false;
  incarnation = 0;
  disk = new SimDisk();
  loggedSinceSnapshot = 0;
  db: SimTxn[] = [];
  /** The database's zxid when above its last txn: a new leader's epoch << 32, or a SNAP's zxid (memory only). */
  zxidFloor = 0n;
  core: QuorumPeerCore<SimTxn> | null = null;
  serving = false;
  servingEpoch = 0n;
  electionTimerGen = 0;
  leaderLink: Link | null = null;
  readonly links = new Map<number, Link>();
  reloading = false;
  /** Epoch adoptions at start (crash between a SNAP's snapshot and the currentEpoch write). */
  adoptedEpochs = 0;

  constructor(
    readonly sid: number,
    readonly observer: boolean,
  ) {}

  get state(): ServerState {
    return this.core?.state ?? ServerState.LOOKING;
  }

  get lastZxid(): bigint {
    const last = this.db.length > 0 ? this.db[this.db.length - 1]!.zxid : 0n;
    return last > this.zxidFloor ? last : this.zxidFloor;
  }

  /** The database was replaced from disk: its txns, at the zxid recovery ends at. */
  loadFromDisk(): void {
    const { db, zxid } = this.disk.load();
    this.db = db;
    // The snapshot's zxid may be above its last txn (a SNAP's zxid, a new epoch's floor).
    this.zxidFloor = zxid;
  }
}

export class Cluster {
  readonly sched = new Scheduler();
  readonly members = new Map<number, SimMember>();
  readonly checker = new Checker();
  /** The newest events (a ring), formatted only when a run fails. */
  private readonly ring: ({ time: number; e: QuorumEvent } | string)[] = [];
  private ringAt = 0;
  /** Events of the current command, for transcripts. */
  readonly recent: { sid: number; e: QuorumEvent }[] = [];
  recording = false;
  private group = new Map<number, number>();
  private readonly lastSent = new Map<string, Notification>();
  private readonly inFlight = new Map<string, { n: Notification }>();
  private nextCid = 1;
  private nextSyncId = 1;
  private readonly ops = new Map<string, ClientOp>();
  private readonly syncs = new Map<number, ClientOp>();
  private readonly acksOfStep: SimTxn[] = [];
  readonly cfg: PeerConfig;
  stats = { steps: 0, crashes: 0, partitions: 0, resets: 0, adoptedEpochs: 0, shortTruncations: 0 };
  /** A run that takes more steps than this is stuck somewhere. */
  stepsMax = 400_000;

  constructor(
    readonly opts: SimOptions,
    readonly rng: Rng,
  ) {
    const voters = Array.from({ length: opts.voters }, (_, i) => i + 1);
    const observers = Array.from({ length: opts.observers }, (_, i) => opts.voters + i + 1);
    const all = [...voters, ...observers];
    this.cfg = {
      myid: 0,
      voters,
      members: all,
      configText: all.map((s) => `server.${s}=sim${s}:2888:3888:${voters.includes(s) ? 'participant' : 'observer'}`).join('\n') + '\nversion=0',
      initLimit: opts.initLimit,
      syncLimit: opts.syncLimit,
      commitLogCount: opts.commitLogCount,
      zxidCounterLimit: opts.zxidCounterLimit,
    };
    for (const sid of all) this.members.set(sid, new SimMember(sid, !voters.includes(sid)));
  }

  get now(): number {
    return this.sched.now;
  }

  private remember(entry: { time: number; e: QuorumEvent } | string): void {
    const n = this.opts.traceLines;
    if (n <= 0) return;
    if (this.ring.length < n) this.ring.push(entry);
    else this.ring[this.ringAt] = entry;
    this.ringAt = (this.ringAt + 1) % n;
  }

  /** The newest trace lines, oldest first. */
  trace(): string[] {
    const n = this.opts.traceLines;
    const ordered = this.ring.length < n ? this.ring : [...this.ring.slice(this.ringAt), ...this.ring.slice(0, this.ringAt)];
    return ordered.map((x) => (typeof x === 'string' ? x : traceLine(x.time, x.e)));
  }

  member(sid: number): SimMember {
    const m = this.members.get(sid);
    if (!m) throw new Error(`no member ${sid}`);
    return m;
  }

  // ---- network topology

  connected(a: number, b: number): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }

  reachable(a: number, b: number): boolean {
    return this.member(a).up && this.member(b).up && this.connected(a, b);
  }

  private delay(): number {
    return this.rng.int(this.opts.delayMin, this.opts.delayMax);
  }

  /** Splits the members into groups; members not named stay in group 0. */
  partition(groups: number[][]): void {
    const before = this.reachability();
    this.group = new Map();
    groups.forEach((g, i) => g.forEach((sid) => this.group.set(sid, i + 1)));
    this.stats.partitions++;
    // In the lab's words, so that a failing schedule can be replayed on real processes.
    const words = groups.map((g) => g.join(',')).join('|');
    this.remember(`${String(this.now).padStart(6)} -- partition ${words} (on a lab: zk-lab fault partition '${words}')`);
    this.topologyChanged(before);
  }

  heal(): void {
    const before = this.reachability();
    if (this.group.size > 0) this.remember(`${String(this.now).padStart(6)} -- heal (on a lab: zk-lab fault heal)`);
    this.group = new Map();
    this.topologyChanged(before);
  }

  private reachability(): Set<string> {
    const s = new Set<string>();
    for (const a of this.members.keys()) for (const b of this.members.keys()) if (a !== b && this.reachable(a, b)) s.add(`${a}-${b}`);
    return s;
  }

  /** Election links up/down, resend of the last notification, stalled ZAB pipes flow again. */
  private topologyChanged(before: Set<string>): void {
    const after = this.reachability();
    for (const a of this.members.keys()) {
      for (const b of this.members.keys()) {
        if (a === b) continue;
        const key = `${a}-${b}`;
        const m = this.member(a);
        if (!m.up || !m.core) continue;
        if (after.has(key) && !before.has(key)) {
          this.step(m, { type: 'peerUp', sid: b });
          const last = this.lastSent.get(key);
          if (last) this.deliverNotification(a, b, last);
        } else if (!after.has(key) && before.has(key)) {
          this.step(m, { type: 'peerDown', sid: b });
        }
      }
    }
    for (const m of this.members.values()) {
      for (const link of m.links.values()) this.flushLink(link);
    }
  }

  // ---- members

  /** Boots a member from its disk (first start or restart after a crash). */
  start(sid: number): void {
    const m = this.member(sid);
    if (m.up) return;
    const before = this.reachability();
    if (m.incarnation > 0) this.remember(`${String(this.now).padStart(6)} -- member ${sid} restarted (on a lab: zk-lab node start ${sid})`);
    m.up = true;
    m.incarnation++;
    m.loadFromDisk();
    m.serving = false;
    m.reloading = false;
    const epochs = this.startupEpochs(m);
    const cfg = { ...this.cfg, myid: sid };
    m.core = new QuorumPeerCore<SimTxn>(cfg, epochs, this.view(m));
    this.armTicks(m);
    this.topologyChanged(before);
    this.step(m, { type: 'start', now: this.now });
  }

  /** QuorumPeer.loadDataBase: missing epoch files come from the last zxid; the SNAP window is adopted. */
  private startupEpochs(m: SimMember): { acceptedEpoch: bigint; currentEpoch: bigint } {
    const epochOfZxid = epochOf(m.lastZxid);
    const d = m.disk;
    if (d.currentEpoch === null) d.currentEpoch = epochOfZxid;
    if (d.acceptedEpoch === null) d.acceptedEpoch = epochOfZxid;
    if (epochOfZxid > d.currentEpoch) {
      if (d.acceptedEpoch >= epochOfZxid) {
        d.currentEpoch = epochOfZxid;
        m.adoptedEpochs++;
        this.stats.adoptedEpochs++;
      } else {
        throw new InvariantViolation(`member ${m.sid} cannot start: currentEpoch ${d.currentEpoch} is older than its last zxid ${hexZxid(m.lastZxid)}`);
      }
    }
    if (d.acceptedEpoch < d.currentEpoch) throw new InvariantViolation(`member ${m.sid} cannot start: acceptedEpoch ${d.acceptedEpoch} < currentEpoch ${d.currentEpoch}`);
    return { acceptedEpoch: d.acceptedEpoch, currentEpoch: d.currentEpoch };
  }

  private view(m: SimMember): ZabStorageView<SimTxn> {
    return {
      lastProcessedZxid: () => m.lastZxid,
      snapshotZxid: () => m.disk.newestSnapshot().zxid,
      txnsAfter: (z) => m.disk.txnsAfter(z),
    };
  }

  /** Deletes a stopped member's data directory. */
  wipe(sid: number): void {
    const m = this.member(sid);
    if (m.up) throw new Error(`member ${sid} must be down to wipe its disk`);
    m.disk = new SimDisk();
  }

  /** kill -9: memory is gone, unfinished writes are lost (a random prefix may survive). */
  crash(sid: number): void {
    const m = this.member(sid);
    if (!m.up) return;
    const before = this.reachability();
    this.stats.crashes++;
    m.disk.crash(this.rng);
    m.up = false;
    m.core = null;
    m.serving = false;
    m.db = [];
    m.zxidFloor = 0n;
    this.failClientOps(sid);
    if (m.leaderLink) this.closeLink(m.leaderLink, 'learner');
    for (const link of [...m.links.values()]) this.closeLink(link, 'leader');
    m.leaderLink = null;
    m.links.clear();
    // Its election send queues are gone with it.
    for (const key of [...this.lastSent.keys()]) if (key.startsWith(`${sid}-`)) this.lastSent.delete(key);
    this.remember(`${String(this.now).padStart(6)} -- member ${sid} crashed (on a lab: zk-lab node kill ${sid})`);
    this.topologyChanged(before);
  }

  private armTicks(m: SimMember): void {
    if (this.opts.manualTicks) return;
    const inc = m.incarnation;
    const half = this.opts.tickTime / 2;
    const tick = (): void => {
      if (!m.up || m.incarnation !== inc) return;
      this.step(m, { type: 'tick' });
      this.sched.after(half, tick);
    };
    this.sched.after(this.rng.int(1, half), tick);
  }

  /** Half-ticks every live member once (transcripts). */
  tickAll(): void {
    for (const m of this.members.values()) if (m.up && m.core) this.step(m, { type: 'tick' });
  }

  // ---- stepping a member

  step(m: SimMember, input: PeerInput<SimTxn>): void {
    const core = m.core;
    if (!core || !m.up) return;
    if (++this.stats.steps > this.stepsMax) throw new InvariantViolation(`more than ${this.stepsMax} steps: the simulation no longer makes progress in time (a livelock)`);
    const out = core.step(input);
    this.execute(m, out);
  }

  private execute(m: SimMember, out: PeerOutput<SimTxn>): void {
    const inc = m.incarnation;
    for (const a of out.actions) {
      if (!m.up || m.incarnation !== inc) return;
      this.act(m, a);
    }
    for (const e of out.events) {
      this.remember({ time: this.now, e });
      if (this.recording) this.recent.push({ sid: m.sid, e });
    }
    this.checker.onEvents(m, out.events);
    this.checker.onDatabase(m);
    // Replies go out after the step, as the server sends them after applying.
    for (const t of this.acksOfStep.splice(0)) this.checker.onAck(t);
  }

  private act(m: SimMember, a: PeerAction<SimTxn>): void {
    switch (a.type) {
      case 'persistEpoch':
        this.write(m, a.seq, { kind: 'epoch', name: a.name, epoch: a.epoch });
        return;
      case 'persistTxns':
        for (const t of a.txns) {
          if (t.zxid <= m.disk.lastQueuedZxid) throw new InvariantViolation(`member ${m.sid} appends ${hexZxid(t.zxid)} after ${hexZxid(m.disk.lastQueuedZxid)}`);
          m.disk.lastQueuedZxid = t.zxid;
        }
        this.write(m, a.seq, { kind: 'txns', txns: a.txns });
        return;
      case 'truncate':
        this.write(m, a.seq, { kind: 'truncate', zxid: a.zxid });
        return;
      case 'snapshot':
        this.write(m, a.seq, { kind: 'snapshot', zxid: m.lastZxid, image: [...m.db] });
        return;
      case 'sendNotification':
        this.sendNotification(m.sid, a.to, a.n);
        return;
      case 'connectAll':
        for (const other of this.members.keys()) {
          const last = this.lastSent.get(`${m.sid}-${other}`);
          if (other !== m.sid && last && this.reachable(m.sid, other)) this.deliverNotification(m.sid, other, last);
        }
        return;
      case 'electionTimer': {
        const gen = ++m.electionTimerGen;
        const inc = m.incarnation;
        if (a.at !== null) {
          this.sched.at(a.at, () => {
            if (m.up && m.incarnation === inc && m.electionTimerGen === gen) this.step(m, { type: 'electionTimeout', now: this.now });
          });
        }
        return;
      }
      case 'roleChanged':
      case 'phase':
      case 'touchSessions':
        return;
      case 'serving':
        m.serving = a.serving;
        m.servingEpoch = a.epoch;
        if (a.zxid !== undefined && a.zxid > m.zxidFloor) m.zxidFloor = a.zxid;
        if (!a.serving) this.failClientOps(m.sid);
        return;
      case 'reload':
        this.reload(m);
        return;
      case 'apply':
        m.db.push(...a.txns);
        this.ackClients(m, a.txns);
        return;
      case 'syncDone': {
        const op = this.syncs.get(a.id);
        if (op) {
          this.syncs.delete(a.id);
          if (op.member === m.sid) this.checker.onSyncDone(m, op.committedAtRequest, m.servingEpoch);
        }
        return;
      }
      case 'loadSnapshot':
        m.db = [...(a.image as SimTxn[])];
        m.zxidFloor = a.zxid;
        return;
      case 'connectToLeader':
        this.connect(m, a.leader);
        return;
      case 'sendToLeader':
        if (m.leaderLink?.open) this.transmit(m.leaderLink, 'toLeader', a.msg);
        return;
      case 'disconnectFromLeader':
        if (m.leaderLink) this.closeLink(m.leaderLink, 'learner');
        m.leaderLink = null;
        return;
      case 'revalidated':
        return;
      case 'sendToLearner': {
        const link = m.links.get(a.cid);
        if (!link?.open) return;
        let msg = a.msg;
        if (msg.type === 'SNAP') {
          if (m.lastZxid !== msg.zxid) throw new InvariantViolation(`leader ${m.sid} sends SNAP ${hexZxid(msg.zxid)} but its database is at ${hexZxid(m.lastZxid)}`);
          msg = { ...msg, image: [...m.db] };
        }
        this.transmit(link, 'toLearner', msg);
        return;
      }
      case 'closeLearner': {
        const link = m.links.get(a.cid);
        if (link) this.closeLink(link, 'leader');
        m.links.delete(a.cid);
        return;
      }
      case 'prepare': {
        // PrepRequestProcessor runs after this batch, in order with everything else.
        const body = a.request.body ? new TextDecoder().decode(a.request.body) : '';
        this.sched.at(this.now, () => this.proposeLocal(m, body));
        return;
      }
      case 'revalidateSession':
        this.step(m, { type: 'revalidated', cid: a.cid, sessionId: a.sessionId, valid: true });
        return;
    }
  }

  /** Queues a disk write; seq 0 marks the store's own snapshots, which no core waits for. */
  private write(m: SimMember, seq: number, op: Parameters<SimDisk['enqueue']>[1]): void {
    const inc = m.incarnation;
    const doneAt = m.disk.enqueue(seq, op, this.now, this.rng.int(this.opts.diskDelayMin, this.opts.diskDelayMax));
    this.sched.at(doneAt, () => {
      if (!m.up || m.incarnation !== inc) return;
      const q = m.disk.completeNext();
      if (q.op.kind === 'epoch') this.checker.onDurableEpoch(m.sid, q.op.name, q.op.epoch, m.disk);
      if (q.op.kind === 'truncate') {
        m.loadFromDisk();
        // The store drops snapshots named above the zxid and recovers from an older one with the
        // log after it. After a SNAP the log may not reach back to the zxid (seed 59214: a SNAP
        // 0x200000009 from a leader whose epoch never established, then TRUNC 0x200000008):
        // recovery then ends lower, and the member must not go on as if it were at the zxid. It
        // leaves the leader and rejoins from where it is, as MemberStore does on a real member.
        if (m.lastZxid > q.op.zxid) throw new InvariantViolation(`member ${m.sid} still holds ${hexZxid(m.lastZxid)} after truncating to ${hexZxid(q.op.zxid)}`);
        if (m.lastZxid < q.op.zxid) {
          this.stats.shortTruncations++;
          this.remember(`${String(this.now).padStart(6)} ${m.sid} truncated to ${hexZxid(q.op.zxid)} but recovery reached only ${hexZxid(m.lastZxid)}: rejoins`);
          this.step(m, { type: 'stopRole', reason: `TRUNC to ${hexZxid(q.op.zxid)} reached only ${hexZxid(m.lastZxid)}` });
        }
      }
      if (q.op.kind === 'txns') {
        // SyncRequestProcessor: every snapCount txns, snapshot the tree as it is now.
        m.loggedSinceSnapshot += q.op.txns.length;
        if (m.loggedSinceSnapshot >= this.opts.snapCount) {
          m.loggedSinceSnapshot = 0;
          this.write(m, 0, { kind: 'snapshot', zxid: m.lastZxid, image: [...m.db] });
        }
      }
      if (q.seq > 0) this.step(m, { type: 'persisted', seq: q.seq });
    });
  }

  /** The role ended: let the disk finish, load the database from it, look for a leader. */
  private reload(m: SimMember): void {
    const inc = m.incarnation;
    m.reloading = true;
    const when = Math.max(this.now, m.disk.lastDoneAt);
    this.sched.at(when, () => {
      if (!m.up || m.incarnation !== inc) return;
      if (m.disk.pendingWrites > 0) {
        this.reload(m);
        return;
      }
      m.reloading = false;
      m.loadFromDisk();
      this.step(m, { type: 'reloaded', now: this.now });
    });
  }

  // ---- election messages

  private sendNotification(from: number, to: number, n: Notification): void {
    if (from === to) {
      const m = this.member(from);
      const inc = m.incarnation;
      this.sched.at(this.now, () => {
        if (m.up && m.incarnation === inc) this.step(m, { type: 'notification', now: this.now, from, n });
      });
      return;
    }
    this.lastSent.set(`${from}-${to}`, n);
    if (!this.reachable(from, to)) return;
    if (this.rng.chance(this.opts.dropRate)) return;
    this.deliverNotification(from, to, n);
    // A reconnect resends the last message: the peer sees it twice.
    if (this.rng.chance(this.opts.dupRate)) this.sched.after(this.delay(), () => this.reachable(from, to) && this.deliverNotification(from, to, n));
  }

  /**
   * QuorumCnxManager keeps one message per peer in its send queue: a newer notification replaces
   * one not yet on its way.
   */
  private deliverNotification(from: number, to: number, n: Notification): void {
    const key = `${from}-${to}`;
    const slot = this.inFlight.get(key);
    if (slot) {
      slot.n = n;
      return;
    }
    const m = this.member(to);
    const inc = m.incarnation;
    const entry = { n };
    this.inFlight.set(key, entry);
    this.sched.after(this.delay(), () => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      if (m.up && m.incarnation === inc && this.connected(from, to)) this.step(m, { type: 'notification', now: this.now, from, n: entry.n });
    });
  }

  // ---- ZAB links

  private connect(m: SimMember, leaderSid: number): void {
    const inc = m.incarnation;
    const leader = this.member(leaderSid);
    this.sched.after(this.delay(), () => {
      if (!m.up || m.incarnation !== inc || !m.core) return;
      if (!this.reachable(m.sid, leaderSid) || !(leader.core?.role instanceof LeaderCore)) {
        // Learner.connectToLeader retries, then gives up; the learner's own timer ends it too.
        this.sched.after(this.rng.int(50, 300), () => {
          if (m.up && m.incarnation === inc) this.step(m, { type: 'leaderDisconnected', reason: 'connection refused' });
        });
        return;
      }
      const link: Link = {
        cid: this.nextCid++,
        learner: m.sid,
        leader: leaderSid,
        learnerInc: inc,
        leaderInc: leader.incarnation,
        open: true,
        toLeader: { lastAt: 0, held: [] },
        toLearner: { lastAt: 0, held: [] },
        heldClose: [],
      };
      m.leaderLink = link;
      leader.links.set(link.cid, link);
      this.step(m, { type: 'leaderConnected' });
    });
  }

  private transmit(link: Link, dir: 'toLeader' | 'toLearner', msg: Msg): void {
    const pipe = link[dir];
    if (!this.connected(link.learner, link.leader) || pipe.held.length > 0) {
      pipe.held.push(msg);
      return;
    }
    this.deliverOnLink(link, dir, msg);
  }

  private deliverOnLink(link: Link, dir: 'toLeader' | 'toLearner', msg: Msg): void {
    const pipe = link[dir];
    const at = Math.max(pipe.lastAt, this.now + this.delay());
    pipe.lastAt = at;
    this.sched.at(at, () => {
      if (!link.open) return;
      const learner = this.member(link.learner);
      const leader = this.member(link.leader);
      if (dir === 'toLeader') {
        if (leader.up && leader.incarnation === link.leaderInc) this.step(leader, { type: 'learnerMessage', cid: link.cid, msg });
      } else if (learner.up && learner.incarnation === link.learnerInc && learner.leaderLink === link) {
        this.step(learner, { type: 'leaderMessage', msg });
      }
    });
  }

  private flushLink(link: Link): void {
    if (!this.connected(link.learner, link.leader)) return;
    for (const dir of ['toLeader', 'toLearner'] as const) {
      const held = link[dir].held.splice(0);
      if (link.open) for (const msg of held) this.deliverOnLink(link, dir, msg);
    }
    for (const side of link.heldClose.splice(0)) this.noticeClose(link, side);
  }

  /** One end closes the link; the other end learns it when the network lets a reset through. */
  private closeLink(link: Link, by: 'learner' | 'leader'): void {
    if (!link.open) return;
    link.open = false;
    if (by === 'leader') this.member(link.leader).links.delete(link.cid);
    if (this.connected(link.learner, link.leader)) this.noticeClose(link, by);
    else link.heldClose.push(by);
  }

  private noticeClose(link: Link, by: 'learner' | 'leader'): void {
    this.sched.after(this.delay(), () => {
      if (by === 'learner') {
        const leader = this.member(link.leader);
        if (leader.up && leader.incarnation === link.leaderInc) {
          leader.links.delete(link.cid);
          this.step(leader, { type: 'learnerClosed', cid: link.cid });
        }
      } else {
        const learner = this.member(link.learner);
        if (learner.up && learner.incarnation === link.learnerInc && learner.leaderLink === link) {
          learner.leaderLink = null;
          this.step(learner, { type: 'leaderDisconnected', reason: 'connection reset by the leader' });
        }
      }
    });
  }

  /** A network blip resets one random live ZAB link (both ends see it closed). */
  resetRandomLink(): void {
    const links = [...this.members.values()].flatMap((m) => [...m.links.values()]).filter((l) => l.open);
    if (links.length === 0) return;
    const link = this.rng.pick(links);
    this.stats.resets++;
    link.open = false;
    this.member(link.leader).links.delete(link.cid);
    link.heldClose.push('learner', 'leader');
    this.flushLink(link);
  }

  // ---- clients

  /** A client write at member `sid` (at the leader: prep + propose; at a learner: forwarded). */
  submitWrite(client: number, op: number, sid: number): boolean {
    const m = this.member(sid);
    if (!m.up || !m.core || !m.serving) return false;
    const data = `c${client}.${op}`;
    this.ops.set(data, { client, op, data, member: sid, kind: 'write', committedAtRequest: this.checker.committed.length });
    if (m.core.role instanceof LeaderCore) this.proposeLocal(m, data);
    else this.step(m, { type: 'forward', request: { sessionId: BigInt(client), cxid: op, type: 1, body: new TextEncoder().encode(data), authinfo: [] } });
    return true;
  }

  /** A client sync at member `sid`. */
  submitSync(client: number, sid: number): boolean {
    const m = this.member(sid);
    if (!m.up || !m.core || !m.serving) return false;
    const id = this.nextSyncId++;
    this.syncs.set(id, { client, op: id, data: '', member: sid, kind: 'sync', committedAtRequest: this.checker.committed.length });
    this.step(m, { type: 'sync', id, request: { sessionId: BigInt(client), cxid: id, type: 9, body: null, authinfo: [] } });
    return true;
  }

  private proposeLocal(m: SimMember, data: string): void {
    if (!m.up || !m.core) return;
    const zxid = m.core.nextZxid();
    if (zxid === null) return;
    this.step(m, { type: 'propose', txn: { zxid, data } });
  }

  private ackClients(m: SimMember, txns: SimTxn[]): void {
    for (const t of txns) {
      const op = this.ops.get(t.data);
      if (op && op.member === m.sid) {
        this.ops.delete(t.data);
        this.acksOfStep.push(t);
      }
    }
  }

  /** The member stopped serving: its clients' outstanding requests get a connection loss. */
  private failClientOps(sid: number): void {
    for (const [k, op] of this.ops) if (op.member === sid) this.ops.delete(k);
    for (const [k, op] of this.syncs) if (op.member === sid) this.syncs.delete(k);
  }

  // ---- running

  /** Runs scheduled work until `until` (logical ms) or until nothing is left. */
  runUntil(until: number): void {
    while (this.sched.runNext(until)) {
      /* keep going */
    }
    if (this.sched.now < until) this.sched.now = until;
  }

  /** The member leading an established epoch now, if any. */
  establishedLeader(): SimMember | null {
    for (const m of this.members.values()) if (m.up && m.serving && m.core?.role instanceof LeaderCore) return m;
    return null;
  }

  /**
   * Members ZooKeeper 3.8 itself cannot bring back under the established leader: they accepted a
   * newer epoch (from a candidate that never got its quorum) than the leader's, so
   * Learner.registerWithLeader refuses it ("Leaders epoch, 2 is less than accepted epoch, 3")
   * every time they try, and only a new election lets them in. Ours does the same (seed 54959).
   */
  stuckAheadOfLeader(): SimMember[] {
    const leader = this.establishedLeader();
    if (!leader?.core) return [];
    const epoch = leader.core.currentEpoch;
    return [...this.members.values()].filter((m) => m.up && !m.serving && m.core !== null && m.core.acceptedEpoch > epoch);
  }

  /** An established leader, and every other member up and serving with the committed history, or stuck ahead of the leader's epoch. */
  converged(): boolean {
    if (this.establishedLeader() === null) return false;
    const committed = this.checker.committed.length;
    const stuck = new Set(this.stuckAheadOfLeader());
    for (const m of this.members.values()) {
      if (stuck.has(m)) continue;
      if (!m.up || !m.serving || m.db.length !== committed) return false;
    }
    return true;
  }

  describe(): string {
    return [...this.members.values()]
      .map((m) => {
        if (!m.up) return `${m.sid}: down`;
        const role = m.core ? ['LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING'][m.core.state] : '-';
        return `${m.sid}: ${role}${m.serving ? ' serving' : ''} zxid=${hexZxid(m.lastZxid)} epoch=${m.core?.currentEpoch}/${m.core?.acceptedEpoch} txns=${m.db.length}`;
      })
      .join('\n');
  }
}

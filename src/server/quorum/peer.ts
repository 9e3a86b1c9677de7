// An ensemble member's runtime (QuorumPeer's I/O half): it feeds QuorumPeerCore one input at a
// time and carries out the actions it returns, in order, over its clock and network. Its parts,
// one file each: the database against the disk (member-store), the quorum-port links (links),
// the dynamic config (member-config), session expiry and the reaper (session/upkeep), the lab's
// slow-learner fault (late-apply), the read-only server (read-only). It is also the server
// core's Replicator: the leader prepares writes (Prep) and owns sessions; learners forward
// writes and report session touches.
import { Err, OpCode } from '../../protocol/codes';
import { describeEvent, type QuorumEvent } from '../../protocol/events';
import type { LoggedTxn } from '../../protocol/txn';
import type { ServerConfig } from '../config';
import type { Logger, ServerCore } from '../core';
import type { EventLog } from '../events';
import { Prep } from '../chain/prep';
import type { QuorumStatus, Replicator } from '../replicator';
import type { Request } from '../request';
import type { Clock, Timer } from '../runtime/clock';
import type { Net } from '../runtime/net';
import type { SessionTracker } from '../session/tracker';
import { SessionUpkeep } from '../session/upkeep';
import { encodeSnapStream, type SnapStreamReader } from '../storage/snapstream';
import { computeReconfig, configText, newConfigQuorum } from './dynconfig';
import { ELECTION_DEFAULTS } from './election/fle';
import { learnerChain, prepChain, readOnlyChain, unavailableChain, type Chain, type Stages } from '../chain/chains';
import { fromForwarded, toForwarded } from '../chain/forward';
import { LateApplies } from './late-apply';
import { LeaderLink, LearnerPort, type LinkOwner } from './links';
import { MemberConfig } from './member-config';
import { MemberStore, startupEpochs } from './member-store';
import { ElectionTransport } from './net/election-transport';
import { decodeNotification, encodeNotification } from './net/notification';
import type { QuorumStream } from './net/quorum-stream';
import { wireTxn, type WireTxn } from './net/zab-codec';
import { QuorumPeerCore, type PeerAction, type PeerInput } from './peer-core';
import { modeOf, statusOf } from './peer-status';
import { ReadOnlyServer } from './read-only';
import { ServerState } from './vote';
import { LeaderCore } from './zab/leader';
import { LearnerCore } from './zab/learner';
import { hexZxid, type ForwardedRequest } from './zab/types';

type ZabPhase = 'election' | 'discovery' | 'synchronization' | 'broadcast';

/** Events worth a line in the server log too. */
const LOGGED = new Set<QuorumEvent['type']>(['election.started', 'election.decided', 'role.ended', 'leader.established', 'leader.abdicated', 'leader.sync', 'learner.sync', 'leader.learnerGone', 'leader.epochProposed']);

/** Reads a whole-number property of zoo.cfg (a `zookeeper.*` system property in ZooKeeper). */
function intProperty(cfg: ServerConfig, key: string, fallback: number): number {
  const v = Number(cfg.properties.get(key) ?? cfg.properties.get(`zookeeper.${key}`));
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** The member of an ensemble. */
export class QuorumPeer implements Replicator {
  readonly myid: number;
  /** Created by start(), once the epoch files have been read. */
  private core!: QuorumPeerCore<WireTxn>;
  private readonly election: ElectionTransport;
  private closed = false;
  // ---- input queue: one input at a time, in arrival order
  private readonly inputs: (() => void)[] = [];
  private pumping = false;
  // ---- timers
  private electionTimer: Timer | null = null;
  private tickTimer: Timer | null = null;
  // ---- parts
  private readonly store: MemberStore;
  private readonly config: MemberConfig;
  private readonly leaderLink: LeaderLink;
  private readonly learners: LearnerPort;
  private readonly late: LateApplies;
  /** readonlymode.enabled: serves read-only clients after a while LOOKING. */
  readonly readOnly: ReadOnlyServer;
  // ---- roles
  private phase: ZabPhase = 'election';
  private prep: Prep | null = null;
  /** Session expiry and the reaper: the leader's, while it leads. */
  private upkeep: SessionUpkeep | null = null;
  private readonly syncs = new Map<number, () => void>();
  private nextSyncId = 1;
  private readonly revalidations = new Map<bigint, ((valid: boolean) => void)[]>();
  proposalSizes: [number, number, number] = [-1, -1, -1];
  /** The request path of each role (chain/chains.ts); `chain()` picks the current one. */
  private readonly chains: Record<'leader' | 'follower' | 'observer' | 'readOnly' | 'unavailable', Chain>;

  constructor(
    private readonly server: ServerCore,
    readonly cfg: ServerConfig,
    private readonly log: Logger,
    private readonly events: EventLog,
    private readonly clock: Clock,
    net: Net,
    /** Test-only breakage (ZabConfig.unsafeCommit), read from the environment by main.ts. */
    private readonly testing: { unsafeCommit?: boolean } = {},
  ) {
    this.myid = cfg.myid!;
    const me = cfg.servers.get(this.myid);
    if (!me) throw new Error(`myid ${this.myid} has no server.${this.myid} line in ${cfg.path}`);
    const peers = new Map([...cfg.servers.values()].filter((s) => s.sid !== this.myid).map((s) => [s.sid, { host: s.host, port: s.electionPort }]));
    this.election = new ElectionTransport({
      myid: this.myid,
      me: { host: me.host, port: me.electionPort },
      peers,
      connectTimeoutMs: intProperty(cfg, 'cnxTimeout', 5000),
      log: (level, msg) => log(level, msg),
      net,
    });
    this.election.on('message', (from, b) => {
      const n = decodeNotification(b);
      if (n) this.input({ type: 'notification', now: this.now(), from, n });
    });
    this.election.on('peerUp', (sid) => this.input({ type: 'peerUp', sid }));
    this.election.on('peerDown', (sid) => this.input({ type: 'peerDown', sid }));
    this.store = new MemberStore(server, this.commitLogCount(), log, {
      persisted: (seq) => this.input({ type: 'persisted', seq }),
      failed: (e) => this.diskFailed(e),
      loaded: () => this.config.settle(),
      truncatedShort: (wanted, reached) => {
        this.log('WARN', `TRUNC to ${hexZxid(wanted)} ended at ${hexZxid(reached)}: the log no longer reaches that zxid (a SNAP replaced it); leaving the leader to rejoin from ${hexZxid(reached)}`);
        this.input({ type: 'stopRole', reason: `TRUNC to ${hexZxid(wanted)} reached only ${hexZxid(reached)}` });
      },
    });
    this.config = new MemberConfig(cfg, server, log, ({ version, servers, text }) => {
      this.election.setPeers(new Map([...servers.values()].filter((q) => q.sid !== this.myid).map((q) => [q.sid, { host: q.host, port: q.electionPort }])));
      const voters = [...servers.values()].filter((q) => q.type === 'participant').map((q) => q.sid);
      this.input({ type: 'config', version, voters, members: [...servers.keys()], configText: text });
    });
    const links: LinkOwner = {
      net,
      clock,
      log,
      initLimitMs: cfg.initLimit * cfg.tickTime,
      input: (i) => this.input(i),
      leading: () => this.core?.role instanceof LeaderCore,
    };
    this.leaderLink = new LeaderLink(links);
    this.learners = new LearnerPort(links);
    this.late = new LateApplies(clock, log);
    this.readOnly = new ReadOnlyServer(server, { enabled: cfg.readOnlyModeEnabled, tickTime: cfg.tickTime, isLooking: () => this.core.state === ServerState.LOOKING, log, clock });
    const stages: Stages = {
      prepare: (req) => this.proposeLocal(req),
      forward: (req) => this.step({ type: 'forward', request: toForwarded(req) }),
      sync: (req, done) => {
        const id = this.nextSyncId++;
        this.syncs.set(id, done);
        this.step({ type: 'sync', id, request: toForwarded(req) });
      },
      fail: (req, err) => this.failRequest(req, err),
    };
    this.chains = {
      leader: prepChain('leader', stages),
      follower: learnerChain('follower', stages),
      observer: learnerChain('observer', stages),
      readOnly: readOnlyChain((req) => this.readOnly.submit(req)),
      unavailable: unavailableChain(stages),
    };
  }

  /** The request path of this member's role now. */
  chain(): Chain {
    if (this.readOnly.active) return this.chains.readOnly;
    if (!this.core?.serving) return this.chains.unavailable;
    if (this.core.role instanceof LeaderCore) return this.chains.leader;
    return this.core.isObserver ? this.chains.observer : this.chains.follower;
  }

  private get storage(): ServerCore['storage'] {
    return this.server.storage;
  }

  private now(): number {
    return this.clock.now();
  }

  /** Version of the dynamic config in force (the zxid of the reconfig that made it; 0 = zoo.cfg's). */
  get configVersion(): bigint {
    return this.config.version;
  }

  /** The leader's session tracker while it leads; null otherwise. */
  private get tracker(): SessionTracker | null {
    return this.upkeep?.tracker ?? null;
  }

  sessionOwner(): SessionTracker | null {
    return this.tracker;
  }

  localSessions(): SessionTracker | null {
    return this.readOnly.tracker;
  }

  private commitLogCount(): number {
    return intProperty(this.cfg, 'commitLogCount', 500);
  }

  /** Reads the epochs, opens the election and quorum ports and starts looking for a leader. */
  async start(): Promise<void> {
    const cfg = this.cfg;
    this.core = new QuorumPeerCore<WireTxn>(
      {
        myid: this.myid,
        voters: [...cfg.servers.values()].filter((s) => s.type === 'participant').map((s) => s.sid),
        members: [...cfg.servers.keys()],
        configText: configText(cfg.servers.values(), 0n),
        initLimit: cfg.initLimit,
        syncLimit: cfg.syncLimit,
        commitLogCount: this.commitLogCount(),
        finalizeWaitMs: ELECTION_DEFAULTS.finalizeWaitMs,
        minNotificationIntervalMs: intProperty(cfg, 'fastleader.minNotificationInterval', ELECTION_DEFAULTS.minNotificationIntervalMs),
        maxNotificationIntervalMs: intProperty(cfg, 'fastleader.maxNotificationInterval', ELECTION_DEFAULTS.maxNotificationIntervalMs),
        unsafeCommit: this.testing.unsafeCommit === true,
      },
      startupEpochs(this.storage, this.server.lastProcessedZxid, this.log),
      this.store.zabView(Number(this.cfg.properties.get('snapshotSizeFactor') ?? this.cfg.properties.get('zookeeper.snapshotSizeFactor') ?? 0.33)),
    );
    this.config.settle();
    await this.election.listen();
    await this.learners.listen(this.cfg.servers.get(this.myid)!);
    this.tickTimer = this.clock.every(Math.max(1, Math.floor(this.cfg.tickTime / 2)), () => this.input({ type: 'tick' }));
    this.readOnly.looking();
    this.input({ type: 'start', now: this.now() });
  }

  // ---- the input queue

  private input(i: PeerInput<WireTxn>): void {
    this.enqueue(() => this.step(i));
  }

  private enqueue(task: () => void): void {
    if (this.closed) return;
    this.inputs.push(task);
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.inputs.length > 0 && !this.closed) this.inputs.shift()!();
    } finally {
      this.pumping = false;
    }
  }

  private step(i: PeerInput<WireTxn>): void {
    const out = this.core.step(i);
    for (const e of out.events) this.record(e);
    for (const a of out.actions) this.act(a);
  }

  /** Writes an event to the member's log (acks stay out: they would crowd everything else). */
  private record(e: QuorumEvent): void {
    if (e.type === 'ack') return;
    this.events.emit(Object.assign({}, e, { myid: this.myid }));
    if (LOGGED.has(e.type)) this.log(e.type === 'role.ended' || e.type === 'leader.abdicated' || e.type === 'leader.learnerGone' ? 'WARN' : 'INFO', describeEvent(e));
  }

  // ---- actions

  private act(a: PeerAction<WireTxn>): void {
    switch (a.type) {
      case 'persistEpoch':
      case 'persistTxns':
      case 'truncate':
      case 'snapshot':
        this.store.run(a);
        return;
      case 'sendNotification':
        this.election.send(a.to, encodeNotification(a.n));
        return;
      case 'connectAll':
        this.election.connectAll();
        return;
      case 'electionTimer':
        this.electionTimer?.cancel();
        this.electionTimer = null;
        if (a.at !== null) this.armElectionTimer(a.at);
        return;
      case 'roleChanged':
        this.roleChanged(a.state);
        return;
      case 'phase':
        this.phase = a.phase;
        return;
      case 'serving':
        if (a.zxid !== undefined && a.zxid > this.server.tree.lastProcessedZxid) this.server.tree.lastProcessedZxid = a.zxid;
        this.servingChanged(a.serving);
        return;
      case 'reload':
        this.late.flush();
        void this.reload();
        return;
      case 'apply':
        this.late.run(() => {
          for (const t of a.txns) this.apply(t);
        }, this.slowLearner());
        return;
      case 'syncDone': {
        const done = this.syncs.get(a.id);
        this.syncs.delete(a.id);
        // A sync answers after every commit before it is applied, late ones included.
        this.late.run(() => done?.(), this.slowLearner());
        return;
      }
      case 'loadSnapshot':
        this.late.flush();
        this.store.loadSnapshot(a.zxid, a.image as SnapStreamReader);
        return;
      case 'connectToLeader':
        this.connectToLeader(a.leader);
        return;
      case 'sendToLeader':
        this.leaderLink.send(a.msg);
        return;
      case 'disconnectFromLeader':
        this.leaderLink.close('the learner stopped');
        return;
      case 'revalidated':
        this.settleRevalidation(a.sessionId, a.valid);
        return;
      case 'sendToLearner': {
        const s = this.learners.get(a.cid);
        if (!s) return;
        if (a.msg.type === 'SNAP') this.sendSnapshot(s, a.msg.zxid);
        else s.send(a.msg);
        if (a.msg.type === 'PROPOSAL') this.noteProposalSize(a.msg.txn.bytes.length);
        return;
      }
      case 'closeLearner':
        this.learners.closeOne(a.cid, a.reason);
        return;
      case 'prepare':
        // PrepRequestProcessor runs after this batch, in order with every other input.
        this.enqueue(() => this.proposeForwarded(a.request));
        return;
      case 'touchSessions':
        for (const t of a.touches) this.tracker?.touch(t.sessionId, t.timeout);
        return;
      case 'revalidateSession': {
        const valid = this.tracker?.touch(a.sessionId, a.timeout) ?? false;
        this.input({ type: 'revalidated', cid: a.cid, sessionId: a.sessionId, valid });
        return;
      }
    }
  }

  /** The clock's timers may fire a millisecond before `at`: such a timer waits for the rest instead of waking the core early. */
  private armElectionTimer(at: number): void {
    const fire = (): void => {
      const now = this.now();
      if (now < at) {
        this.electionTimer = this.clock.after(at - now, fire);
        return;
      }
      this.electionTimer = null;
      this.input({ type: 'electionTimeout', now });
    };
    this.electionTimer = this.clock.after(at - this.now(), fire);
  }

  /** Sets (or with no argument reads) how late this member applies commits while it is a serving learner (a lab fault). */
  applyDelay(ms?: number): number {
    return this.late.delay(ms);
  }

  private slowLearner(): boolean {
    return this.core.role instanceof LearnerCore && this.core.serving;
  }

  private roleChanged(state: ServerState): void {
    if (state === ServerState.LOOKING) {
      this.late.flush();
      this.log('INFO', 'LOOKING');
    } else {
      this.learners.release(state === ServerState.LEADING);
      // lookForLeader returned: the read-only server (or its grace period) ends.
      this.readOnly.stop();
    }
    if (state === ServerState.LEADING) {
      // The leader owns every session and prepares every write (LeaderZooKeeperServer).
      const upkeep = new SessionUpkeep(
        this.cfg,
        this.clock,
        {
          myid: this.myid,
          tree: this.server.tree,
          log: this.log,
          record: (e) => this.record(e),
          schedule: (task) => this.enqueue(task),
          serving: () => this.core.serving,
          submit: (req) => this.proposeLocal(req),
        },
        this.server.sessionTable,
      );
      this.upkeep = upkeep;
      this.prep = new Prep({
        tree: this.server.tree,
        sessionValid: (id) => upkeep.tracker.isAlive(id),
        extendedTypesEnabled: this.cfg.extendedTypesEnabled,
        skipACL: this.cfg.skipACL,
        reconfigEnabled: this.cfg.reconfigEnabled,
        standalone: false,
        reconfig: (req, zxid) => newConfigQuorum(computeReconfig(this.cfg.servers, this.config.version, req, zxid), this.myid, this.core.role instanceof LeaderCore ? this.core.role.learners() : []),
        now: () => this.clock.wall(),
      });
    } else if (state === ServerState.LOOKING) {
      this.prep = null;
      this.upkeep?.stop();
      this.upkeep = null;
      this.learners.closeServed('this member stopped leading');
      this.leaderLink.close('this member stopped following');
      // Whatever waited on the old role gets its answer: a sync never completes, sessions are not revalidated.
      this.syncs.clear();
      for (const id of [...this.revalidations.keys()]) this.settleRevalidation(id, false);
    }
  }

  private servingChanged(serving: boolean): void {
    this.upkeep?.stop();
    if (!serving) {
      this.server.closeAllConnections('this server left the quorum');
      return;
    }
    if (this.core.role instanceof LeaderCore) this.upkeep?.start();
    this.log('INFO', `${this.mode().toUpperCase()} epoch ${this.core.currentEpoch}, zxid ${hexZxid(this.server.lastProcessedZxid)}, serving clients`);
  }

  private apply(t: WireTxn): void {
    const { header, txn } = t.txn;
    this.server.applyCommitted(t.txn);
    this.store.applied(t);
    if (txn.type === OpCode.reconfig && txn.data) this.config.adoptText(txn.data.toString('utf8'), header.zxid);
    if (this.prep) this.prep.applied(header.zxid);
    this.upkeep?.applied(header, txn);
  }

  private diskFailed(e: Error): void {
    if (this.server.writeFailure === null) {
      this.server.writeFailure = e.message;
      this.log('ERROR', `Writing to the dataDir failed (${e.message}); this member leaves its role and acknowledges no more writes. Fix the disk, then restart it.`);
    }
    this.input({ type: 'stopRole', reason: `disk failure: ${e.message}` });
  }

  /** The role ended: the database is brought in line with the disk, then the member looks again. */
  private async reload(): Promise<void> {
    try {
      await this.store.reload(() => this.closed);
    } catch (e) {
      this.log('ERROR', `Reloading the database failed: ${(e as Error).message}`);
    }
    if (this.closed) return;
    // QuorumPeer.run's LOOKING branch: the read-only grace period starts with the election.
    this.readOnly.looking();
    this.input({ type: 'reloaded', now: this.now() });
  }

  // ---- learner side

  private connectToLeader(leader: number): void {
    const server = this.cfg.servers.get(leader);
    if (!server) {
      this.input({ type: 'leaderDisconnected', reason: `leader ${leader} is not in the configuration` });
      return;
    }
    const role = this.core.role;
    this.leaderLink.connect(server, () => !this.closed && this.core.role === role);
  }

  private settleRevalidation(sessionId: bigint, valid: boolean): void {
    const waiters = this.revalidations.get(sessionId) ?? [];
    this.revalidations.delete(sessionId);
    for (const w of waiters) w(valid);
  }

  // ---- leader side

  private sendSnapshot(s: QuorumStream, zxid: bigint): void {
    if (this.server.lastProcessedZxid !== zxid) {
      // The core's view and the tree must agree here; a mismatch would ship a wrong image.
      s.close(`internal error: SNAP ${hexZxid(zxid)} but the tree is at ${hexZxid(this.server.lastProcessedZxid)}`);
      return;
    }
    // One slice: the image is copied now, before anything else changes the tree.
    s.sendSnapshot(zxid, encodeSnapStream(this.server.tree, this.server.sessionTable, { sliceSize: Number.MAX_SAFE_INTEGER }).then((x) => x.chunks));
  }

  private noteProposalSize(size: number): void {
    const [, min, max] = this.proposalSizes;
    this.proposalSizes = [size, min < 0 ? size : Math.min(min, size), Math.max(max, size)];
  }

  /** Prep a write at the leader and propose it (or fail it when this leader cannot). */
  private proposeLocal(req: Request): void {
    const zxid = this.core.nextZxid();
    if (zxid === null || !this.prep || !this.upkeep) {
      this.failRequest(req, Err.CONNECTIONLOSS);
      return;
    }
    this.upkeep.submitted(req);
    this.step({ type: 'propose', txn: wireTxn(this.prep.prepare(req, zxid)) });
  }

  private failRequest(req: Request, err: number): void {
    if (req.type === OpCode.createSession) this.server.pendingConnects.get(req.sessionId)?.close('no quorum to create the session');
    else this.server.answerLocally(req, err);
  }

  /** A learner's REQUEST: decode it as LearnerHandler does and propose it. */
  private proposeForwarded(f: ForwardedRequest): void {
    let req: Request;
    try {
      req = fromForwarded(f, this.cfg.tickTime * 2);
    } catch {
      // A body that does not decode still gets its answer: an error txn, as ZooKeeper logs it.
      const zxid = this.core.nextZxid();
      if (zxid === null) return;
      const t: LoggedTxn = { header: { clientId: f.sessionId, cxid: f.cxid, zxid, time: BigInt(this.clock.wall()), type: -1 }, txn: { type: -1, err: Err.MARSHALLINGERROR } };
      this.step({ type: 'propose', txn: wireTxn(t) });
      return;
    }
    this.proposeLocal(req);
  }

  // ---- Replicator

  submitWrite(req: Request): void {
    // The role is looked up when the request's turn comes, in order with every other input.
    this.enqueue(() => this.chain().write(req));
  }

  submitSync(req: Request, done: () => void): void {
    this.enqueue(() => this.chain().sync(req, done));
  }

  revalidateSession(sessionId: bigint, timeout: number): Promise<boolean> {
    if (this.readOnly.active) return Promise.resolve(this.readOnly.touch(sessionId, timeout));
    return new Promise((resolve) => {
      this.enqueue(() => {
        if (!this.core.serving) {
          resolve(false);
          return;
        }
        if (this.core.role instanceof LeaderCore) {
          resolve(this.tracker?.touch(sessionId, timeout) ?? false);
          return;
        }
        const list = this.revalidations.get(sessionId) ?? [];
        list.push(resolve);
        this.revalidations.set(sessionId, list);
        this.step({ type: 'revalidate', sessionId, timeout });
      });
    });
  }

  touchSession(sessionId: bigint, timeout: number): void {
    if (this.readOnly.active) this.readOnly.touch(sessionId);
    else if (this.core.role instanceof LeaderCore) this.tracker?.touch(sessionId);
    else if (this.core.role instanceof LearnerCore) this.enqueue(() => this.step({ type: 'touch', sessionId, timeout }));
  }

  isServing(): boolean {
    return (this.core.serving && this.phase === 'broadcast') || this.readOnly.active;
  }

  isReadOnly(): boolean {
    return this.readOnly.active;
  }

  mode(): string {
    return this.readOnly.active ? 'read-only' : modeOf(this.core);
  }

  quorumStatus(): QuorumStatus {
    return { ...statusOf(this.core, this.myid, this.phase, this.proposalSizes), configVersion: this.config.version.toString(16) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readOnly.stop();
    this.electionTimer?.cancel();
    this.tickTimer?.cancel();
    this.late.stop();
    this.upkeep?.stop();
    this.leaderLink.close('shutting down');
    for (const id of [...this.revalidations.keys()]) this.settleRevalidation(id, false);
    await this.election.close();
    await this.learners.close();
    await this.store.settle();
  }
}

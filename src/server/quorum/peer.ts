// An ensemble member's runtime (QuorumPeer's I/O half): it owns the election and quorum ports,
// the timers and the storage, feeds QuorumPeerCore one input at a time and carries out the
// actions it returns, in order. It is also the server core's Replicator: the leader prepares
// writes (Prep) and owns sessions; learners forward writes and report session touches.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Err, OpCode } from '../../protocol/codes';
import { describeEvent, type QuorumEvent } from '../../protocol/events';
import { Reader, Writer } from '../../protocol/jute';
import type { LoggedTxn } from '../../protocol/txn';
import type { QuorumServer, ServerConfig } from '../config';
import { CONFIG_PATH } from '../tree/datatree';
import type { Logger, ServerCore } from '../core';
import type { EventLog } from '../events';
import { Prep } from '../prep';
import type { QuorumStatus, Replicator } from '../replicator';
import { decodeRequestBody, type Request } from '../request';
import { SessionTracker } from '../session/tracker';
import { replayTxn } from '../storage/recovery';
import { encodeSnapStream, type SnapStreamReader } from '../storage/snapstream';
import { computeReconfig, configText, parseConfigText } from './dynconfig';
import { ELECTION_DEFAULTS } from './election/fle';
import { ElectionTransport } from './net/election-transport';
import { decodeNotification, encodeNotification } from './net/notification';
import { QuorumStream } from './net/quorum-stream';
import { wireTxn, type WireTxn } from './net/zab-codec';
import { QuorumPeerCore, type PeerAction, type PeerInput } from './peer-core';
import { ReadOnlyServer } from './read-only';
import { ServerState, STATE_NAME } from './vote';
import { LeaderCore } from './zab/leader';
import { LearnerCore } from './zab/learner';
import { epochOf, hexZxid, type ForwardedRequest, type StorageAction, type ZabMessage, type ZabStorageView } from './zab/types';

type ZabPhase = 'election' | 'discovery' | 'synchronization' | 'broadcast';

/** Events worth a line in the server log too. */
const LOGGED = new Set<QuorumEvent['type']>(['election.started', 'election.decided', 'role.ended', 'leader.established', 'leader.abdicated', 'leader.sync', 'learner.sync', 'leader.learnerGone', 'leader.epochProposed']);

/** Reads a whole-number property of zoo.cfg (a `zookeeper.*` system property in ZooKeeper). */
function intProperty(cfg: ServerConfig, key: string, fallback: number): number {
  const v = Number(cfg.properties.get(key) ?? cfg.properties.get(`zookeeper.${key}`));
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

interface StorageOp {
  seq: number;
  done: boolean;
}

/** The member of an ensemble. */
export class QuorumPeer implements Replicator {
  readonly myid: number;
  /** Created by start(), once the epoch files have been read. */
  private core!: QuorumPeerCore<WireTxn>;
  private readonly election: ElectionTransport;
  private quorumServer: Server | null = null;
  private readonly startedAt = performance.now();
  private closed = false;
  // ---- input queue: one input at a time, in arrival order
  private readonly inputs: (() => void)[] = [];
  private pumping = false;
  // ---- timers
  private electionTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private leaderTimers: NodeJS.Timeout[] = [];
  // ---- storage
  private readonly storageOps: StorageOp[] = [];
  private barrier: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Txns handed to the log and not yet applied, in zxid order (what a role end fast-forwards). */
  private unapplied: WireTxn[] = [];
  /** The tree is what the disk holds plus `unapplied` (false from a SNAP's image until its snapshot is written). */
  private treeMatchesDisk = true;
  /**
   * The newest txns applied to the tree, contiguous, in zxid order (ZKDatabase.committedLog,
   * which every member keeps): a member that becomes leader seeds its DIFF history from them
   * instead of reading and decoding its whole log (seconds after a busy while).
   */
  private recentApplied: WireTxn[] = [];
  private readonly keepApplied: number;
  // ---- roles
  private phase: ZabPhase = 'election';
  private leaderStream: QuorumStream | null = null;
  private readonly learnerStreams = new Map<number, QuorumStream>();
  private readonly heldLearners = new Map<number, { stream: QuorumStream; held: ZabMessage<WireTxn>[] }>();
  private nextCid = 1;
  private prep: Prep | null = null;
  tracker: SessionTracker | null = null;
  private readonly syncs = new Map<number, () => void>();
  private nextSyncId = 1;
  private readonly revalidations = new Map<bigint, ((valid: boolean) => void)[]>();
  proposalSizes: [number, number, number] = [-1, -1, -1];
  private applyDelayMs = 0;
  private readonly lateApplies: { at: number; apply: () => void }[] = [];
  private lateTimer: NodeJS.Timeout | null = null;
  /** Version of the dynamic config: the zxid of the reconfig that made it (0 = zoo.cfg's). */
  configVersion = 0n;
  /** zoo.cfg's servers, the config again when a reconfig is truncated away. */
  private readonly staticServers: Map<number, QuorumServer>;
  /** readonlymode.enabled: serves read-only clients after a while LOOKING. */
  readonly readOnly: ReadOnlyServer;

  constructor(
    private readonly server: ServerCore,
    readonly cfg: ServerConfig,
    private readonly log: Logger,
    private readonly events: EventLog,
  ) {
    this.myid = cfg.myid!;
    this.staticServers = new Map(cfg.servers);
    this.keepApplied = this.commitLogCount();
    const me = cfg.servers.get(this.myid);
    if (!me) throw new Error(`myid ${this.myid} has no server.${this.myid} line in ${cfg.path}`);
    const peers = new Map([...cfg.servers.values()].filter((s) => s.sid !== this.myid).map((s) => [s.sid, { host: s.host, port: s.electionPort }]));
    this.election = new ElectionTransport({
      myid: this.myid,
      me: { host: me.host, port: me.electionPort },
      peers,
      connectTimeoutMs: intProperty(cfg, 'cnxTimeout', 5000),
      log: (level, msg) => log(level, msg),
    });
    this.election.on('message', (from, b) => {
      const n = decodeNotification(b);
      if (n) this.input({ type: 'notification', now: this.now(), from, n });
    });
    this.election.on('peerUp', (sid) => this.input({ type: 'peerUp', sid }));
    this.election.on('peerDown', (sid) => this.input({ type: 'peerDown', sid }));
    this.readOnly = new ReadOnlyServer(server, { enabled: cfg.readOnlyModeEnabled, tickTime: cfg.tickTime, isLooking: () => this.core.state === ServerState.LOOKING, log });
  }

  private get storage(): ServerCore['storage'] {
    return this.server.storage;
  }

  private now(): number {
    return Math.floor(performance.now() - this.startedAt);
  }

  /**
   * QuorumPeer.loadDataBase: missing epoch files come from the last zxid's epoch. A currentEpoch
   * behind the last zxid is adopted only when that epoch was accepted (the window between a
   * SNAP's snapshot and the currentEpoch write); anything else is a damaged dataDir.
   */
  private startupEpochs(): { acceptedEpoch: bigint; currentEpoch: bigint } {
    const storage = this.storage;
    const last = this.server.lastProcessedZxid;
    const ofZxid = Number(epochOf(last));
    let current = storage.readEpoch('currentEpoch');
    if (current === null) storage.writeEpoch('currentEpoch', (current = ofZxid));
    let accepted = storage.readEpoch('acceptedEpoch');
    if (accepted === null) storage.writeEpoch('acceptedEpoch', (accepted = ofZxid));
    if (ofZxid > current) {
      if (accepted < ofZxid) {
        throw new Error(`The current epoch, ${current}, is older than the last zxid, ${hexZxid(last)}; the dataDir's version-2/currentEpoch is damaged: restore it or remove version-2 to rejoin empty.`);
      }
      this.log('WARN', `currentEpoch ${current} is behind the last zxid ${hexZxid(last)} of accepted epoch ${accepted} (a sync was cut short); adopting ${ofZxid}`);
      storage.writeEpoch('currentEpoch', (current = ofZxid));
    }
    if (accepted < current) {
      throw new Error(`The accepted epoch, ${accepted}, is less than the current epoch, ${current}; the dataDir's version-2 epoch files are damaged.`);
    }
    return { acceptedEpoch: BigInt(accepted), currentEpoch: BigInt(current) };
  }

  private storageView(): ZabStorageView<WireTxn> {
    return {
      lastProcessedZxid: () => this.server.lastProcessedZxid,
      snapshotZxid: () => this.storage.lastSnapshot()?.zxid ?? 0n,
      txnsAfter: (z) => this.storage.txnsAfter(z)?.map((t) => wireTxn(t)) ?? null,
      committedLog: () => {
        const r = this.recentApplied;
        return r.length > 0 && r[r.length - 1]!.zxid === this.server.lastProcessedZxid ? r.slice(-this.commitLogCount()) : null;
      },
      txnSize: (t) => t.bytes.length,
      // snapshotSizeFactor (0.33) of the snapshot, estimated from the tree: path and data bytes
      // plus about 80 bytes of stat and ACL index per znode.
      logSyncLimitBytes: () => {
        const factor = Number(this.cfg.properties.get('snapshotSizeFactor') ?? this.cfg.properties.get('zookeeper.snapshotSizeFactor') ?? 0.33);
        if (!Number.isFinite(factor) || factor < 0) return -1;
        const tree = this.server.tree;
        return Math.floor(factor * (tree.approximateDataSize + 80 * tree.nodeCount()));
      },
    };
  }

  private commitLogCount(): number {
    return intProperty(this.cfg, 'commitLogCount', 500);
  }

  /** Remembers an applied txn for a future leader role (applies come in zxid order; trimmed in bulk). */
  private noteApplied(t: WireTxn): void {
    const r = this.recentApplied;
    if (r.length > 0 && t.zxid <= r[r.length - 1]!.zxid) return;
    r.push(t);
    if (r.length > 2 * this.keepApplied) r.splice(0, r.length - this.keepApplied);
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
      },
      this.startupEpochs(),
      this.storageView(),
    );
    this.settleConfigNode();
    const me = this.cfg.servers.get(this.myid)!;
    await this.election.listen();
    await new Promise<void>((resolve, reject) => {
      const srv = createServer((s) => this.acceptLearner(s));
      srv.once('error', reject);
      srv.listen(me.quorumPort, me.host, () => {
        srv.off('error', reject);
        srv.on('error', (e) => this.log('WARN', `quorum port error: ${e.message}`));
        resolve();
      });
      this.quorumServer = srv;
    });
    this.tickTimer = setInterval(() => this.input({ type: 'tick' }), Math.max(1, Math.floor(this.cfg.tickTime / 2)));
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
        this.storageAction(a);
        return;
      case 'sendNotification':
        this.election.send(a.to, encodeNotification(a.n));
        return;
      case 'connectAll':
        this.election.connectAll();
        return;
      case 'electionTimer':
        if (this.electionTimer) clearTimeout(this.electionTimer);
        this.electionTimer = null;
        if (a.at !== null) this.armElectionTimer(a.at);
        return;
      case 'roleChanged':
        this.roleChanged(a.state, a.leader);
        return;
      case 'phase':
        this.phase = a.phase;
        return;
      case 'serving':
        if (a.zxid !== undefined && a.zxid > this.server.tree.lastProcessedZxid) this.server.tree.lastProcessedZxid = a.zxid;
        this.servingChanged(a.serving);
        return;
      case 'reload':
        this.flushLate();
        void this.reload();
        return;
      case 'apply':
        this.later(() => {
          for (const t of a.txns) this.apply(t);
        });
        return;
      case 'syncDone': {
        const done = this.syncs.get(a.id);
        this.syncs.delete(a.id);
        // A sync answers after every commit before it is applied, late ones included.
        this.later(() => done?.());
        return;
      }
      case 'loadSnapshot':
        this.flushLate();
        this.loadSnapshot(a.zxid, a.image as SnapStreamReader);
        return;
      case 'connectToLeader':
        this.connectToLeader(a.leader);
        return;
      case 'sendToLeader':
        this.leaderStream?.send(a.msg);
        return;
      case 'disconnectFromLeader':
        this.leaderStream?.close('the learner stopped');
        this.leaderStream = null;
        return;
      case 'revalidated':
        this.settleRevalidation(a.sessionId, a.valid);
        return;
      case 'sendToLearner': {
        const s = this.learnerStreams.get(a.cid);
        if (!s) return;
        if (a.msg.type === 'SNAP') this.sendSnapshot(s, a.msg.zxid);
        else s.send(a.msg);
        if (a.msg.type === 'PROPOSAL') this.noteProposalSize(a.msg.txn.bytes.length);
        return;
      }
      case 'closeLearner':
        this.learnerStreams.get(a.cid)?.close(a.reason);
        this.learnerStreams.delete(a.cid);
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

  /**
   * Node's timers run on the event loop's cached clock and may fire a millisecond before `at`
   * by this member's clock: such a timer is set again for the rest instead of waking the core early.
   */
  private armElectionTimer(at: number): void {
    const fire = (): void => {
      const now = this.now();
      if (now < at) {
        this.electionTimer = setTimeout(fire, at - now);
        return;
      }
      this.electionTimer = null;
      this.input({ type: 'electionTimeout', now });
    };
    this.electionTimer = setTimeout(fire, Math.max(0, at - this.now()));
  }

  // ---- lab fault: a slow learner (commits applied late), so a read through it can lag until sync

  /** Sets (or with no argument reads) how late this member applies commits while it is a serving learner. */
  applyDelay(ms?: number): number {
    if (ms !== undefined) {
      this.applyDelayMs = ms;
      this.log('WARN', ms > 0 ? `lab fault: applying commits ${ms} ms late while learning (reads through this member lag until sync)` : 'lab fault cleared: applying commits at once');
      if (ms === 0) this.flushLate();
    }
    return this.applyDelayMs;
  }

  /** Runs `apply` now, or after the lab's delay, always in order with the applies before it. */
  private later(apply: () => void): void {
    const slow = this.applyDelayMs > 0 && this.core.role instanceof LearnerCore && this.core.serving;
    if (!slow) {
      this.flushLate();
      apply();
      return;
    }
    this.lateApplies.push({ at: Date.now() + this.applyDelayMs, apply });
    this.armLate();
  }

  private armLate(): void {
    if (this.lateTimer || this.lateApplies.length === 0) return;
    this.lateTimer = setTimeout(() => {
      this.lateTimer = null;
      const now = Date.now();
      while (this.lateApplies.length > 0 && this.lateApplies[0]!.at <= now) this.lateApplies.shift()!.apply();
      this.armLate();
    }, Math.max(0, this.lateApplies[0]!.at - Date.now()));
  }

  /** Applies every late commit now (the role ends, the database is reloaded, or the fault is cleared). */
  private flushLate(): void {
    if (this.lateTimer) clearTimeout(this.lateTimer);
    this.lateTimer = null;
    while (this.lateApplies.length > 0) this.lateApplies.shift()!.apply();
  }

  private roleChanged(state: ServerState, leader: number | null): void {
    if (state === ServerState.LOOKING) this.flushLate();
    if (state === ServerState.LOOKING) this.log('INFO', 'LOOKING');
    if (state !== ServerState.LOOKING) this.releaseHeldLearners(state === ServerState.LEADING);
    // lookForLeader returned: the read-only server (or its grace period) ends.
    if (state !== ServerState.LOOKING) this.readOnly.stop();
    if (state === ServerState.LEADING) {
      // The leader owns every session and prepares every write (LeaderZooKeeperServer).
      const tracker = new SessionTracker(this.myid, this.cfg.tickTime);
      for (const [id, timeout] of this.server.sessionTable) tracker.add(id, timeout);
      this.tracker = tracker;
      this.prep = new Prep({
        tree: this.server.tree,
        sessionValid: (id) => tracker.isAlive(id),
        extendedTypesEnabled: this.cfg.extendedTypesEnabled,
        skipACL: this.cfg.skipACL,
        reconfigEnabled: this.cfg.reconfigEnabled,
        standalone: false,
        reconfig: (req, zxid) => computeReconfig(this.cfg.servers, this.configVersion, req, zxid),
        now: Date.now,
      });
    } else if (state === ServerState.LOOKING) {
      this.prep = null;
      this.tracker = null;
      for (const s of this.learnerStreams.values()) s.close('this member stopped leading');
      this.learnerStreams.clear();
      this.leaderStream?.close('this member stopped following');
      this.leaderStream = null;
      // Whatever waited on the old role gets its answer: a sync never completes, sessions are not revalidated.
      this.syncs.clear();
      for (const id of [...this.revalidations.keys()]) this.settleRevalidation(id, false);
    }
  }

  private servingChanged(serving: boolean): void {
    for (const t of this.leaderTimers) clearInterval(t);
    this.leaderTimers = [];
    if (!serving) {
      this.server.closeAllConnections('this server left the quorum');
      return;
    }
    if (this.core.role instanceof LeaderCore && this.tracker) {
      this.tracker.rearmAll();
      this.leaderTimers.push(setInterval(() => this.enqueue(() => this.expireSessions()), this.cfg.tickTime));
      const checkMs = intProperty(this.cfg, 'znode.container.checkIntervalMs', 60_000);
      this.leaderTimers.push(setInterval(() => this.enqueue(() => this.reapContainersAndTtls()), checkMs));
    }
    this.log('INFO', `${this.mode().toUpperCase()} epoch ${this.core.currentEpoch}, zxid ${hexZxid(this.server.lastProcessedZxid)}, serving clients`);
  }

  private apply(t: WireTxn): void {
    const { header, txn } = t.txn;
    this.server.applyCommitted(t.txn);
    this.noteApplied(t);
    this.forgetApplied(header.zxid);
    this.storage.applied(header.zxid);
    if (txn.type === OpCode.reconfig && txn.data) this.adoptConfig(txn.data.toString('utf8'), header.zxid);
    if (this.prep) this.prep.applied(header.zxid);
    if (this.tracker) {
      if (txn.type === OpCode.closeSession) this.tracker.remove(header.clientId);
      if (txn.type === OpCode.createSession) this.tracker.add(header.clientId, txn.timeOut);
    }
  }

  private forgetApplied(zxid: bigint): void {
    let n = 0;
    while (n < this.unapplied.length && this.unapplied[n]!.zxid <= zxid) n++;
    if (n > 0) this.unapplied.splice(0, n);
  }

  private loadSnapshot(zxid: bigint, image: SnapStreamReader): void {
    // The leader's image replaces the tree; until the snapshot action writes it, the disk lags.
    this.treeMatchesDisk = false;
    this.unapplied = [];
    this.recentApplied = [];
    const s = this.server;
    s.tree.clearForLoad();
    s.sessionTable.clear();
    image.applyTo(s.tree, s.sessionTable, zxid);
    s.tree.rebuildQuotas();
    this.settleConfigNode();
  }

  // ---- dynamic config

  /**
   * After a load: a committed reconfig in the database wins over zoo.cfg; without one (or once
   * it was truncated away) /zookeeper/config is zoo.cfg's, written locally as ZooKeeper does.
   */
  private settleConfigNode(): void {
    const n = this.server.tree.getNode(CONFIG_PATH);
    if (n && n.mzxid > 0n && n.data && n.data.length > 0) {
      if (n.mzxid !== this.configVersion) this.adoptConfig(n.data.toString('utf8'), n.mzxid);
      return;
    }
    if (this.configVersion !== 0n) this.adoptServers(new Map(this.staticServers), 0n);
    this.server.tree.setConfigNode(configText(this.cfg.servers.values(), 0n), 0n);
  }

  /** A committed config (a reconfig txn, or one found in the database) becomes this member's. */
  private adoptConfig(text: string, version: bigint): void {
    const servers = parseConfigText(text);
    if (servers.size === 0) {
      this.log('WARN', `Ignoring dynamic config version ${version.toString(16)}: no server line can be read`);
      return;
    }
    this.adoptServers(servers, version);
  }

  private adoptServers(servers: Map<number, QuorumServer>, version: bigint): void {
    this.cfg.servers.clear();
    for (const [sid, q] of servers) this.cfg.servers.set(sid, q);
    this.configVersion = version;
    this.election.setPeers(new Map([...servers.values()].filter((q) => q.sid !== this.myid).map((q) => [q.sid, { host: q.host, port: q.electionPort }])));
    const voters = [...servers.values()].filter((q) => q.type === 'participant').map((q) => q.sid);
    this.input({ type: 'config', version, voters, members: [...servers.keys()], configText: configText(servers.values(), version) });
    this.log('INFO', `Dynamic config version ${version.toString(16)}: ${[...servers.values()].map((q) => `${q.sid} (${q.type})`).join(', ')}`);
  }

  // ---- storage: writes in the order the core asked, `persisted` for each durable prefix

  private storageAction(a: StorageAction<WireTxn>): void {
    const op: StorageOp = { seq: a.seq, done: false };
    this.storageOps.push(op);
    let work: Promise<unknown>;
    if (a.type === 'persistTxns' && this.barrier === null) {
      // Appends go straight to the log, which group-commits them in order.
      work = this.append(a.txns);
    } else {
      // Epochs, truncation and snapshots wait for everything before them.
      const before = [...this.inflight];
      work = Promise.all(before).then(() => this.runBarrier(a));
      const b = work.then(
        () => undefined,
        () => undefined,
      );
      this.barrier = b;
      void b.then(() => {
        if (this.barrier === b) this.barrier = null;
      });
    }
    this.inflight.add(work);
    work.then(
      () => {
        this.inflight.delete(work);
        op.done = true;
        this.reportDurable();
      },
      (e: Error) => {
        this.inflight.delete(work);
        this.diskFailed(e);
      },
    );
  }

  private async runBarrier(a: StorageAction<WireTxn>): Promise<void> {
    switch (a.type) {
      case 'persistEpoch':
        this.storage.writeEpoch(a.name, Number(a.epoch));
        return;
      case 'persistTxns':
        await this.append(a.txns);
        return;
      case 'truncate': {
        await this.storage.truncate(a.zxid);
        await this.loadFromDisk();
        return;
      }
      case 'snapshot':
        await this.storage.snapshot();
        this.treeMatchesDisk = true;
        return;
    }
  }

  /** Hands txns to the log in order; they count as logged-but-unapplied from here. */
  private append(txns: WireTxn[]): Promise<unknown> {
    this.unapplied.push(...txns);
    return Promise.all(txns.map((t) => this.storage.append(t.txn, t.bytes)));
  }

  private reportDurable(): void {
    let last = 0;
    while (this.storageOps.length > 0 && this.storageOps[0]!.done) last = this.storageOps.shift()!.seq;
    if (last > 0) this.input({ type: 'persisted', seq: last });
  }

  private diskFailed(e: Error): void {
    if (this.server.writeFailure === null) {
      this.server.writeFailure = e.message;
      this.log('ERROR', `Writing to the dataDir failed (${e.message}); this member leaves its role and acknowledges no more writes. Fix the disk, then restart it.`);
    }
    this.input({ type: 'stopRole', reason: `disk failure: ${e.message}` });
  }

  private async loadFromDisk(): Promise<void> {
    const s = this.server;
    s.tree.clearForLoad();
    s.sessionTable.clear();
    // Recovery replays every txn handed to the log so far: none is left unapplied.
    this.unapplied = [];
    this.recentApplied = [];
    this.treeMatchesDisk = false;
    await this.storage.load(s.tree, s.sessionTable);
    this.treeMatchesDisk = true;
    s.tree.rebuildQuotas();
    this.settleConfigNode();
  }

  /**
   * The role ended: once every write is on disk, the database is what the disk says. As
   * ZooKeeperServer.shutdown(false) does with ZKDatabase.fastForwardDataBase, the tree is kept
   * and only the txns logged but not applied are replayed on it; reading the whole database
   * back from disk (a snapshot plus up to snapCount logged txns, seconds after a busy while)
   * is kept for when the tree cannot be trusted to match the disk.
   */
  private async reload(): Promise<void> {
    if (this.inflight.size > 0) this.log('INFO', `waiting for ${this.inflight.size} disk writes before reloading the database`);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    if (this.closed) return;
    try {
      if (this.treeMatchesDisk && this.server.writeFailure === null) this.fastForward();
      else await this.loadFromDisk();
    } catch (e) {
      this.log('ERROR', `Reloading the database failed: ${(e as Error).message}`);
    }
    // QuorumPeer.run's LOOKING branch: the read-only grace period starts with the election.
    this.readOnly.looking();
    this.input({ type: 'reloaded', now: this.now() });
  }

  /** Applies the logged, unapplied txns to the tree, as recovery would replay them. */
  private fastForward(): void {
    const s = this.server;
    const tail = this.unapplied.filter((t) => t.zxid > s.lastProcessedZxid);
    this.unapplied = [];
    for (const t of tail) {
      replayTxn(s.tree, s.sessionTable, t.txn);
      this.noteApplied(t);
    }
    if (tail.length > 0) {
      this.log('INFO', `Fast-forwarded the database over ${tail.length} logged txns to ${hexZxid(s.lastProcessedZxid)}`);
      this.settleConfigNode();
    }
  }

  // ---- learner side

  private connectToLeader(leader: number): void {
    const server = this.cfg.servers.get(leader);
    if (!server) {
      this.input({ type: 'leaderDisconnected', reason: `leader ${leader} is not in the configuration` });
      return;
    }
    // Learner.connectToLeader: five tries 100 ms apart, within initLimit ticks; a leader that
    // refuses that long is not there, and looking again beats waiting for it.
    const deadline = Date.now() + this.cfg.initLimit * this.cfg.tickTime;
    const role = this.core.role;
    let tries = 0;
    const attempt = (): void => {
      if (this.closed || this.core.role !== role) return;
      tries++;
      const s: Socket = connect({ host: server.host, port: server.quorumPort });
      s.once('connect', () => {
        // From here a reset is the stream's to report, not a failed attempt to retry.
        s.off('error', onConnectError);
        if (this.closed || this.core.role !== role) {
          s.destroy();
          return;
        }
        const stream = new QuorumStream(s, 'leader');
        this.leaderStream = stream;
        stream.on('message', (msg) => {
          if (this.leaderStream === stream) this.input({ type: 'leaderMessage', msg });
        });
        stream.on('close', (reason) => {
          if (this.leaderStream !== stream) return;
          this.leaderStream = null;
          this.input({ type: 'leaderDisconnected', reason });
        });
        this.input({ type: 'leaderConnected' });
      });
      const onConnectError = (e: Error): void => {
        s.destroy();
        if (tries >= 5 || Date.now() > deadline) this.input({ type: 'leaderDisconnected', reason: `cannot connect to ${server.host}:${server.quorumPort}: ${e.message}` });
        else setTimeout(attempt, 100);
      };
      s.once('error', onConnectError);
    };
    attempt();
  }

  private settleRevalidation(sessionId: bigint, valid: boolean): void {
    const waiters = this.revalidations.get(sessionId) ?? [];
    this.revalidations.delete(sessionId);
    for (const w of waiters) w(valid);
  }

  // ---- leader side

  /**
   * A learner connected to the quorum port. ZooKeeper opens that port only once it leads; this
   * member keeps it open, so a learner that decided a little sooner than this member is held
   * (its packets kept) until this member leads, or turned away when it does not.
   */
  private acceptLearner(s: Socket): void {
    if (this.closed) {
      s.destroy();
      return;
    }
    const cid = this.nextCid++;
    const stream = new QuorumStream(s, 'learner');
    const held: ZabMessage<WireTxn>[] = [];
    const leading = (): boolean => this.core?.role instanceof LeaderCore;
    if (leading()) this.learnerStreams.set(cid, stream);
    else {
      this.heldLearners.set(cid, { stream, held });
      setTimeout(() => {
        if (this.heldLearners.get(cid)?.stream === stream) {
          this.heldLearners.delete(cid);
          stream.close('this member does not lead');
        }
      }, this.cfg.initLimit * this.cfg.tickTime).unref();
    }
    stream.on('message', (msg) => {
      if (this.learnerStreams.get(cid) === stream) this.input({ type: 'learnerMessage', cid, msg });
      else if (this.heldLearners.get(cid)?.stream === stream) held.push(msg);
    });
    stream.on('close', () => {
      this.heldLearners.delete(cid);
      if (this.learnerStreams.get(cid) !== stream) return;
      this.learnerStreams.delete(cid);
      this.input({ type: 'learnerClosed', cid });
    });
  }

  /** This member now leads: the learners that were held get their turn; otherwise they go. */
  private releaseHeldLearners(leading: boolean): void {
    for (const [cid, { stream, held }] of [...this.heldLearners]) {
      this.heldLearners.delete(cid);
      if (!leading) {
        stream.close('this member does not lead');
        continue;
      }
      this.learnerStreams.set(cid, stream);
      for (const msg of held) this.input({ type: 'learnerMessage', cid, msg });
    }
  }

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
    if (zxid === null || !this.prep || !this.tracker) {
      this.failRequest(req, Err.CONNECTIONLOSS);
      return;
    }
    if (req.type === OpCode.createSession) this.tracker.add(req.sessionId, (req.body as { timeOut: number }).timeOut);
    if (req.type === OpCode.closeSession) this.tracker.setClosing(req.sessionId);
    this.step({ type: 'propose', txn: wireTxn(this.prep.prepare(req, zxid)) });
  }

  private failRequest(req: Request, err: number): void {
    if (req.type === OpCode.createSession) this.server.pendingConnects.get(req.sessionId)?.close('no quorum to create the session');
    else this.server.failWrite(req, err);
  }

  /** A learner's REQUEST: decode it as LearnerHandler does and propose it. */
  private proposeForwarded(f: ForwardedRequest): void {
    const body = f.body ? Buffer.from(f.body.buffer, f.body.byteOffset, f.body.byteLength) : Buffer.alloc(0);
    const r = new Reader(body);
    let req: Request;
    try {
      const decoded: Request['body'] =
        f.type === OpCode.createSession
          ? { type: OpCode.createSession, timeOut: r.remaining() >= 4 ? r.int() : this.cfg.tickTime * 2 }
          : f.type === OpCode.closeSession
            ? { type: OpCode.closeSession }
            : decodeRequestBody(f.type, r);
      // A literal, not `{ ...base, body }` (Node 20 copies a spread with extra keys slowly).
      req = { sessionId: f.sessionId, cxid: f.cxid, type: f.type, authInfo: f.authinfo, body: decoded };
    } catch {
      // A body that does not decode still gets its answer: an error txn, as ZooKeeper logs it.
      const zxid = this.core.nextZxid();
      if (zxid === null) return;
      const t: LoggedTxn = { header: { clientId: f.sessionId, cxid: f.cxid, zxid, time: BigInt(Date.now()), type: -1 }, txn: { type: -1, err: Err.MARSHALLINGERROR } };
      this.step({ type: 'propose', txn: wireTxn(t) });
      return;
    }
    this.proposeLocal(req);
  }

  private expireSessions(): void {
    if (!this.tracker || !this.core.serving) return;
    for (const s of this.tracker.takeExpired()) {
      this.log('INFO', `Expiring session 0x${BigInt.asUintN(64, s.id).toString(16)}, timeout of ${s.timeout}ms exceeded`);
      this.record({ type: 'session.expired', sid: this.myid, session: s.id });
      this.proposeLocal({ sessionId: s.id, cxid: 0, type: OpCode.closeSession, body: { type: OpCode.closeSession }, authInfo: [] });
    }
  }

  /** ContainerManager: empty containers that once had children, and expired TTL nodes. */
  private reapContainersAndTtls(): void {
    if (!this.core.serving) return;
    for (const path of this.server.tree.reapable(BigInt(Date.now()))) this.proposeLocal({ sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, body: { type: OpCode.deleteContainer, path }, authInfo: [] });
  }

  // ---- Replicator

  submitWrite(req: Request): void {
    if (this.readOnly.active) {
      this.readOnly.submit(req);
      return;
    }
    this.enqueue(() => {
      if (!this.core.serving) {
        this.failRequest(req, Err.CONNECTIONLOSS);
        return;
      }
      if (this.core.role instanceof LeaderCore) {
        this.proposeLocal(req);
        return;
      }
      this.step({ type: 'forward', request: this.forwarded(req) });
    });
  }

  /** The REQUEST a learner sends for a local request (Learner.request). */
  private forwarded(req: Request): ForwardedRequest {
    let body: Buffer | null = req.raw ?? null;
    if (req.type === OpCode.createSession) {
      const w = new Writer(4);
      w.int((req.body as { timeOut: number }).timeOut);
      body = w.bytes();
    } else if (req.type === OpCode.closeSession) {
      body = null;
    }
    return { sessionId: req.sessionId, cxid: req.cxid, type: req.type, body, authinfo: req.authInfo };
  }

  submitSync(req: Request, done: () => void): void {
    this.enqueue(() => {
      if (!this.core.serving) return;
      const id = this.nextSyncId++;
      this.syncs.set(id, done);
      this.step({ type: 'sync', id, request: this.forwarded(req) });
    });
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
    if (this.readOnly.active) return 'read-only';
    switch (this.core.state) {
      case ServerState.LEADING:
        return 'leader';
      case ServerState.FOLLOWING:
        return 'follower';
      case ServerState.OBSERVING:
        return 'observer';
      default:
        return 'looking';
    }
  }

  quorumStatus(): QuorumStatus {
    const role = this.core.role;
    const leader = role instanceof LeaderCore ? role : null;
    const learners = leader?.learners() ?? [];
    return {
      myid: this.myid,
      peerState: STATE_NAME[this.core.state]!,
      zabState: this.phase,
      syncMode: role instanceof LearnerCore && role.stage !== 'broadcast' && role.syncMode ? role.syncMode.toLowerCase() : '',
      leaderId: this.core.leaderId,
      voting: !this.core.isObserver,
      epoch: Number(this.core.currentEpoch),
      learners: leader ? learners.length : undefined,
      syncedFollowers: leader ? learners.filter((l) => !l.observer && l.synced).length : undefined,
      syncedObservers: leader ? learners.filter((l) => l.observer && l.synced).length : undefined,
      pendingSyncs: leader?.pendingSyncCount(),
      proposalSizes: leader ? this.proposalSizes : undefined,
      observers: leader ? learners.filter((l) => l.observer).map((l) => l.sid) : undefined,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readOnly.stop();
    if (this.electionTimer) clearTimeout(this.electionTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.lateTimer) clearTimeout(this.lateTimer);
    for (const t of this.leaderTimers) clearInterval(t);
    for (const s of this.learnerStreams.values()) s.close('shutting down');
    for (const { stream } of this.heldLearners.values()) stream.close('shutting down');
    this.leaderStream?.close('shutting down');
    for (const id of [...this.revalidations.keys()]) this.settleRevalidation(id, false);
    await this.election.close();
    await new Promise<void>((r) => (this.quorumServer ? this.quorumServer.close(() => r()) : r()));
    await Promise.allSettled([...this.inflight]);
  }
}

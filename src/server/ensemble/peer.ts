// An ensemble member (QuorumPeer): LOOKING runs Fast Leader Election over the election port;
// the winner leads (Leader + LearnerHandler), the others follow or observe (Learner). ZAB's
// phases — discovery, synchronisation, broadcast — run over the quorum port. The member is
// the server core's Replicator: writes go to the leader, committed txns come back in zxid order.
import { createServer, connect, type Server } from 'node:net';
import { Err, OpCode, makeZxid, zxidEpoch } from '../../protocol/codes';
import { Reader, Writer } from '../../protocol/jute';
import { LearnerInfo } from '../../protocol/records';
import { decodeLoggedTxn, encodeLoggedTxn, type LoggedTxn } from '../../protocol/txn';
import { formatServerLine, parseServerLine, type QuorumServer, type ServerConfig } from '../config';
import type { Logger, ServerCore } from '../core';
import { Prep } from '../prep';
import type { QuorumStatus, Replicator } from '../replicator';
import { decodeRequestBody, RequestDecodeError, type Request } from '../request';
import { SessionTracker } from '../session/tracker';
import { encodeSnapStream, SnapStreamReader } from '../storage/snapstream';
import { CONFIG_PATH, ttlOf } from '../tree/datatree';
import { Election, isQuorum, type ElectionAction } from './election';
import {
  decodeNotification,
  decodeTouches,
  encodeNotification,
  encodeRequestPayload,
  encodeTouches,
  Packet,
  PEER_STATE_NAME,
  PeerState,
  ZAB_PROTOCOL_VERSION,
} from './messages';
import { ElectionTransport, PacketStream } from './transport';
import type { EventLog } from '../events';

type ZabPhase = 'election' | 'discovery' | 'synchronization' | 'broadcast';

/** Why a role ended; the member goes back to LOOKING. */
class RoleEnded extends Error {}

export class QuorumPeer implements Replicator {
  readonly myid: number;
  private readonly voters: Set<number>;
  private readonly election: Election;
  private readonly electionNet: ElectionTransport;
  private electionTimer: NodeJS.Timeout | null = null;
  private state: PeerState = PeerState.LOOKING;
  private phase: ZabPhase = 'election';
  private syncMode = '';
  private leaderId: number | null = null;
  private role: LeaderRole | LearnerRole | null = null;
  private closed = false;
  /** Bumps whenever a role ends, so stale callbacks of an old role do nothing. */
  private generation = 0;
  /** Version of the dynamic config: the zxid of the reconfig that made it (0 = zoo.cfg's). */
  configVersion = 0n;

  constructor(
    readonly core: ServerCore,
    readonly cfg: ServerConfig,
    readonly log: Logger,
    readonly events: EventLog,
  ) {
    this.myid = cfg.myid!;
    this.voters = new Set([...cfg.servers.values()].filter((s) => s.type === 'participant').map((s) => s.sid));
    const me = cfg.servers.get(this.myid)!;
    this.election = new Election(this.myid, this.voters, this.configText());
    const peers = new Map([...cfg.servers.values()].filter((s) => s.sid !== this.myid).map((s) => [s.sid, { sid: s.sid, host: s.host, port: s.electionPort }]));
    this.electionNet = new ElectionTransport(this.myid, { sid: this.myid, host: me.host, port: me.electionPort }, peers, (l, m) => log(l, m));
    this.electionNet.on('message', (from: number, msg: Buffer) => this.onNotification(from, msg));
  }

  get isObserver(): boolean {
    return !this.voters.has(this.myid);
  }

  /** The dynamic config text (server lines + version), also /zookeeper/config's data. */
  configText(): string {
    const lines = [...this.cfg.servers.values()]
      .sort((a, b) => a.sid - b.sid)
      .map((s) => `server.${s.sid}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.type}${s.clientPort !== undefined ? `;${s.clientHost}:${s.clientPort}` : ''}`);
    return `${lines.join('\n')}\nversion=${this.configVersion.toString(16)}`;
  }

  /**
   * The config a reconfig request asks for (PrepRequestProcessor: version, then syntax), as the
   * text to commit, or an error code.
   */
  computeReconfig(req: { joiningServers: string; leavingServers: string; newMembers: string; curConfigId: bigint }, zxid: bigint): string | number {
    if (req.curConfigId !== -1n && req.curConfigId !== this.configVersion) return Err.BADVERSION;
    const servers = new Map(this.cfg.servers);
    const parse = (spec: string): QuorumServer | null => {
      const parts = spec.split('=');
      if (parts.length !== 2 || !parts[0]!.trim().startsWith('server.')) return null;
      try {
        return parseServerLine(parts[0]!.trim(), parts[1]!.trim());
      } catch {
        return null;
      }
    };
    const list = (s: string): string[] => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    if (list(req.newMembers).length > 0) {
      servers.clear();
      for (const spec of list(req.newMembers)) {
        const q = parse(spec);
        if (!q) return Err.BADARGUMENTS;
        servers.set(q.sid, q);
      }
    } else {
      for (const spec of list(req.joiningServers)) {
        const q = parse(spec);
        if (!q) return Err.BADARGUMENTS;
        servers.set(q.sid, q);
      }
      for (const id of list(req.leavingServers)) {
        if (!/^\d+$/.test(id)) return Err.BADARGUMENTS;
        servers.delete(Number(id));
      }
    }
    if (![...servers.values()].some((q) => q.type === 'participant')) return Err.BADARGUMENTS;
    const lines = [...servers.values()].sort((a, b) => a.sid - b.sid).map(formatServerLine);
    return `${lines.join('\n')}\nversion=${zxid.toString(16)}`;
  }

  /** Adopts a committed dynamic config (a reconfig txn, or one found in the database). */
  adoptConfig(text: string, version: bigint): void {
    const servers = new Map<number, QuorumServer>();
    for (const line of text.split('\n')) {
      const m = /^(server\.\d+)=(.*)$/.exec(line.trim());
      if (!m) continue;
      try {
        const q = parseServerLine(m[1]!, m[2]!);
        servers.set(q.sid, q);
      } catch {
        // a line we cannot read is left out
      }
    }
    if (servers.size === 0) return;
    this.cfg.servers.clear();
    for (const [sid, q] of servers) this.cfg.servers.set(sid, q);
    this.voters.clear();
    for (const q of servers.values()) if (q.type === 'participant') this.voters.add(q.sid);
    this.electionNet.setPeers(new Map([...servers.values()].filter((q) => q.sid !== this.myid).map((q) => [q.sid, { sid: q.sid, host: q.host, port: q.electionPort }])));
    this.configVersion = version;
    this.events.emit({ type: 'config.changed', myid: this.myid, version: version.toString(16), members: [...servers.keys()] });
    this.log('INFO', `Adopted dynamic config version ${version.toString(16)}: ${[...servers.keys()].join(', ')}`);
  }

  /** After a load: a reconfig in the database wins over zoo.cfg; else /zookeeper/config is zoo.cfg's. */
  private settleConfigNode(): void {
    const n = this.core.tree.getNode(CONFIG_PATH);
    if (n && n.mzxid > 0n && n.data && n.data.length > 0) this.adoptConfig(n.data.toString('utf8'), n.mzxid);
    else this.core.tree.setConfigNode(this.configText(), this.configVersion);
  }

  currentEpoch(): number {
    return this.core.storage.readEpoch('currentEpoch') ?? zxidEpoch(this.core.lastProcessedZxid);
  }

  acceptedEpoch(): number {
    return this.core.storage.readEpoch('acceptedEpoch') ?? this.currentEpoch();
  }

  /** Opens the election port and starts looking for a leader. */
  async start(): Promise<void> {
    const storage = this.core.storage;
    // Missing epoch files are created from the last logged zxid, as ZooKeeper does.
    const logged = zxidEpoch(this.core.lastProcessedZxid);
    if (storage.readEpoch('currentEpoch') === null) storage.writeEpoch('currentEpoch', logged);
    if (storage.readEpoch('acceptedEpoch') === null) storage.writeEpoch('acceptedEpoch', this.currentEpoch());
    if (logged > this.currentEpoch()) {
      throw new Error(`The current epoch, ${this.currentEpoch()}, is older than the last zxid's epoch, ${logged}; the dataDir is inconsistent.`);
    }
    this.settleConfigNode();
    await this.electionNet.listen();
    this.lookForLeader();
  }

  // ---- election

  private lookForLeader(): void {
    if (this.closed) return;
    this.state = PeerState.LOOKING;
    this.phase = 'election';
    this.syncMode = '';
    this.leaderId = null;
    this.events.emit({ type: 'election.started', myid: this.myid, zxid: this.core.lastProcessedZxid, epoch: this.currentEpoch() });
    this.log('INFO', `LOOKING: my vote is (sid ${this.myid}, zxid 0x${this.core.lastProcessedZxid.toString(16)}, epoch ${this.currentEpoch()})`);
    this.exec(this.election.start(this.core.lastProcessedZxid, BigInt(this.currentEpoch()), Date.now()));
  }

  private onNotification(from: number, msg: Buffer): void {
    if (this.closed) return;
    const n = decodeNotification(msg);
    if (!n) return;
    this.exec(this.election.receive(from, n, Date.now()));
  }

  private exec(actions: ElectionAction[]): void {
    for (const a of actions) {
      if (a.kind === 'send') {
        const bytes = encodeNotification(a.n);
        if (a.to === 'all') {
          for (const sid of this.cfg.servers.keys()) if (sid !== this.myid) this.electionNet.send(sid, bytes);
        } else this.electionNet.send(a.to, bytes);
      } else if (a.kind === 'timer') {
        if (this.electionTimer) clearTimeout(this.electionTimer);
        this.electionTimer = setTimeout(() => {
          this.electionTimer = null;
          this.exec(this.election.tick(Date.now()));
        }, a.inMs);
      } else if (a.kind === 'decide') {
        if (this.electionTimer) clearTimeout(this.electionTimer);
        this.electionTimer = null;
        this.state = a.state;
        this.leaderId = a.leader;
        this.events.emit({ type: 'election.decided', myid: this.myid, leader: a.leader, role: PEER_STATE_NAME[a.state], electionEpoch: Number(a.electionEpoch) });
        this.log('INFO', `Election decided: leader is ${a.leader}, I am ${PEER_STATE_NAME[a.state].toUpperCase()}`);
        this.startRole();
      }
    }
  }

  private startRole(): void {
    const gen = ++this.generation;
    this.phase = 'discovery';
    const role = this.state === PeerState.LEADING ? new LeaderRole(this, gen) : new LearnerRole(this, gen, this.leaderId!);
    this.role = role;
    role.run().catch((e: Error) => {
      if (gen !== this.generation) return;
      this.log('WARN', `${PEER_STATE_NAME[this.state]} ended: ${e.message}`);
      void this.endRole(gen);
    });
  }

  /** Ends the current role, reloads the database from disk and looks for a leader again. */
  async endRole(gen: number): Promise<void> {
    if (gen !== this.generation || this.closed) return;
    this.generation++;
    const role = this.role;
    this.role = null;
    role?.stop();
    this.state = PeerState.LOOKING;
    this.phase = 'election';
    this.election.settle(PeerState.LOOKING);
    this.core.closeAllConnections('this server left the quorum');
    this.events.emit({ type: 'role.ended', myid: this.myid });
    // Like ZooKeeper, start over from what is on disk: logged but uncommitted proposals
    // count in the vote and are sorted out by the next leader (DIFF/TRUNC/SNAP).
    await this.reloadDatabase();
    setTimeout(() => this.lookForLeader(), 50);
  }

  async reloadDatabase(): Promise<void> {
    const core = this.core;
    core.tree.clearForLoad();
    core.sessionTable.clear();
    await core.storage.load(core.tree, core.sessionTable);
    core.tree.rebuildQuotas();
    this.settleConfigNode();
  }

  setPhase(phase: ZabPhase, syncMode = ''): void {
    this.phase = phase;
    this.syncMode = syncMode;
    this.events.emit({ type: 'zab.phase', myid: this.myid, phase, syncMode, epoch: this.currentEpoch() });
  }

  // ---- Replicator

  submitWrite(req: Request): void {
    if (!this.role || !this.role.serving) {
      this.core.failWrite(req, Err.CONNECTIONLOSS);
      return;
    }
    this.role.submitWrite(req);
  }

  submitSync(req: Request, done: () => void): void {
    if (!this.role || !this.role.serving) return;
    this.role.submitSync(req, done);
  }

  revalidateSession(sessionId: bigint, timeout: number): Promise<boolean> {
    if (!this.role || !this.role.serving) return Promise.resolve(false);
    return this.role.revalidateSession(sessionId, timeout);
  }

  touchSession(sessionId: bigint, timeout: number): void {
    this.role?.touchSession(sessionId, timeout);
  }

  isServing(): boolean {
    return this.role !== null && this.role.serving && this.phase === 'broadcast';
  }

  mode(): string {
    if (this.state === PeerState.LEADING) return 'leader';
    if (this.state === PeerState.FOLLOWING) return 'follower';
    if (this.state === PeerState.OBSERVING) return 'observer';
    return 'looking';
  }

  quorumStatus(): QuorumStatus {
    const leader = this.role instanceof LeaderRole ? this.role : null;
    return {
      myid: this.myid,
      peerState: PEER_STATE_NAME[this.state],
      zabState: this.phase,
      syncMode: this.syncMode,
      leaderId: this.leaderId,
      voting: !this.isObserver,
      epoch: this.currentEpoch(),
      learners: leader?.learnerCount(),
      syncedFollowers: leader?.syncedCount(false),
      syncedObservers: leader?.syncedCount(true),
      pendingSyncs: leader?.pendingSyncCount(),
      proposalSizes: leader?.proposalSizes,
      observers: leader?.observerSids(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    if (this.electionTimer) clearTimeout(this.electionTimer);
    this.role?.stop();
    this.role = null;
    this.electionNet.close();
  }

  /** Called by roles for every txn that committed and should apply here, in zxid order. */
  applyCommitted(t: LoggedTxn): void {
    this.core.applyCommitted(t);
    this.core.storage.applied(t.header.zxid);
    if (t.txn.type === OpCode.reconfig && t.txn.data) this.adoptConfig(t.txn.data.toString('utf8'), t.header.zxid);
  }

  /** Re-reads the config node after a SNAP replaced the tree. */
  reloadConfigNode(): void {
    this.settleConfigNode();
  }

  isVoter(sid: number): boolean {
    return this.voters.has(sid);
  }

  quorumOf(sids: Iterable<number>): boolean {
    return isQuorum(sids, this.voters);
  }
}

// ---------------------------------------------------------------------------------------------

interface Proposal {
  t: LoggedTxn;
  bytes: Buffer;
  acks: Set<number>;
  afterCommit: (() => void)[];
}

interface LearnerHandler {
  sid: number;
  stream: PacketStream;
  observer: boolean;
  acceptedEpoch: number;
  /** discovery -> epoch acked -> syncing (gets broadcast packets) -> acked NEWLEADER -> up to date */
  stage: 'info' | 'ackepoch' | 'sync-pending' | 'sync' | 'newleader' | 'uptodate';
  lastHeard: number;
  peerLastZxid: bigint;
  peerCurrentEpoch: number;
}

/** Waits until `check()` holds, re-checked whenever `poke` is called; rejects after `ms`. */
class Gate {
  private waiters: { check: () => boolean; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

  wait(check: () => boolean, ms: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new RoleEnded(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.waiters.push({ check, resolve, reject, timer });
    });
  }

  poke(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        clearTimeout(w.timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  failAll(e: Error): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(e);
    }
    this.waiters = [];
  }
}

/** Leader: discovery, sync of each learner, then broadcast with quorum commits. */
class LeaderRole {
  serving = false;
  private server: Server | null = null;
  private readonly learners = new Map<number, LearnerHandler>();
  private readonly gate = new Gate();
  private newEpoch = -1;
  private epochAcked = new Set<number>();
  private newLeaderAcked = new Set<number>();
  private established = false;
  /** Set once the epoch is adopted: learners that ACKEPOCH from now on are synced at once. */
  private syncing = false;
  private counter = 0;
  private readonly outstanding: Proposal[] = [];
  /** Committed txns kept in memory for DIFF (commitLogCount). */
  private readonly committedLog: LoggedTxn[] = [];
  private readonly maxCommittedLog = 500;
  private readonly prep: Prep;
  private readonly tracker: SessionTracker;
  private timers: NodeJS.Timeout[] = [];
  proposalSizes: [number, number, number] = [-1, -1, -1];
  private stopped = false;

  constructor(
    private readonly peer: QuorumPeer,
    private readonly gen: number,
  ) {
    const core = peer.core;
    this.tracker = new SessionTracker(peer.myid, peer.cfg.tickTime);
    for (const [id, to] of core.sessionTable) this.tracker.add(id, to);
    this.prep = new Prep({
      tree: core.tree,
      sessionValid: (id) => this.tracker.isAlive(id),
      extendedTypesEnabled: peer.cfg.extendedTypesEnabled,
      skipACL: peer.cfg.skipACL,
      reconfigEnabled: peer.cfg.reconfigEnabled,
      standalone: false,
      now: Date.now,
      reconfig: (req, zxid) => peer.computeReconfig(req, zxid),
    });
  }

  learnerCount(): number {
    return this.learners.size;
  }

  syncedCount(observers: boolean): number {
    let n = 0;
    for (const l of this.learners.values()) if (l.observer === observers && l.stage === 'uptodate') n++;
    return n;
  }

  observerSids(): number[] {
    return [...this.learners.values()].filter((l) => l.observer).map((l) => l.sid);
  }

  pendingSyncCount(): number {
    return this.outstanding.reduce((n, p) => n + p.afterCommit.length, 0);
  }

  private get cfg(): ServerConfig {
    return this.peer.cfg;
  }

  async run(): Promise<void> {
    const peer = this.peer;
    const cfg = this.cfg;
    const me = cfg.servers.get(peer.myid)!;
    await new Promise<void>((resolve, reject) => {
      const srv = createServer((s) => this.accept(new PacketStream(s)));
      srv.once('error', reject);
      srv.listen(me.quorumPort, me.host, () => {
        srv.off('error', reject);
        resolve();
      });
      this.server = srv;
    });
    const initMs = cfg.initLimit * cfg.tickTime;
    peer.setPhase('discovery');
    // Discovery: a quorum (me included) reports its acceptedEpoch; the new epoch is above all.
    await this.gate.wait(() => peer.quorumOf([peer.myid, ...[...this.learners.values()].filter((l) => !l.observer).map((l) => l.sid)]), initMs, 'a quorum of followers to connect');
    this.newEpoch = Math.max(peer.acceptedEpoch(), ...[...this.learners.values()].map((l) => l.acceptedEpoch)) + 1;
    peer.core.storage.writeEpoch('acceptedEpoch', this.newEpoch);
    this.peerEvent('leader.epoch', { epoch: this.newEpoch });
    for (const l of this.learners.values()) this.sendLeaderInfo(l);
    this.epochAcked.add(peer.myid);
    await this.gate.wait(() => peer.quorumOf(this.epochAcked), initMs, 'a quorum of ACKEPOCH');
    // A follower more recent than me means this election went wrong: give up.
    const myLast = peer.core.lastProcessedZxid;
    const myEpoch = peer.currentEpoch();
    for (const l of this.learners.values()) {
      if (l.stage === 'info') continue;
      if (l.peerCurrentEpoch > myEpoch || (l.peerCurrentEpoch === myEpoch && l.peerLastZxid > myLast)) {
        throw new RoleEnded(`follower ${l.sid} is ahead of me (epoch ${l.peerCurrentEpoch}, zxid 0x${l.peerLastZxid.toString(16)})`);
      }
    }
    peer.core.storage.writeEpoch('currentEpoch', this.newEpoch);
    this.counter = 0;
    peer.setPhase('synchronization');
    this.syncing = true;
    for (const l of [...this.learners.values()]) if (l.stage === 'ackepoch') await this.syncLearner(l);
    this.newLeaderAcked.add(peer.myid);
    await this.gate.wait(() => peer.quorumOf(this.newLeaderAcked), initMs, 'a quorum to ACK NEWLEADER');
    // Established: serve, and let every learner that acked NEWLEADER start serving.
    this.established = true;
    await peer.core.storage.snapshot().catch((e: Error) => peer.log('WARN', `snapshot at the start of epoch ${this.newEpoch} failed: ${e.message}`));
    this.tracker.rearmAll();
    for (const l of this.learners.values()) if (l.stage === 'newleader') this.upToDate(l);
    this.serving = true;
    peer.setPhase('broadcast');
    this.peerEvent('leader.established', { epoch: this.newEpoch, zxid: peer.core.lastProcessedZxid });
    peer.log('INFO', `LEADING epoch ${this.newEpoch} with zxid 0x${peer.core.lastProcessedZxid.toString(16)}`);
    this.startTimers();
    // Run until something ends the role.
    await new Promise<void>((_, reject) => {
      this.gate.wait(() => this.stopped, 2 ** 31 - 1, 'the end of leadership').catch(reject);
    });
  }

  private peerEvent(type: string, data: Record<string, unknown>): void {
    this.peer.events.emit({ type, myid: this.peer.myid, ...data });
  }

  private startTimers(): void {
    const cfg = this.cfg;
    const peer = this.peer;
    // PING every half tick; a quorum must have been heard within syncLimit ticks.
    this.timers.push(
      setInterval(() => {
        const lastProposed = this.outstanding.length ? this.outstanding[this.outstanding.length - 1]!.t.header.zxid : peer.core.lastProcessedZxid;
        const now = Date.now();
        const heard = [peer.myid];
        for (const l of this.learners.values()) {
          if (l.stage === 'uptodate' || l.stage === 'newleader') l.stream.send(Packet.PING, lastProposed);
          if (!l.observer && now - l.lastHeard <= cfg.syncLimit * cfg.tickTime && (l.stage === 'uptodate' || l.stage === 'newleader')) heard.push(l.sid);
        }
        if (!peer.quorumOf(heard)) this.abdicate(`only ${heard.length} of ${peer.cfg.servers.size} members heard within syncLimit; not a quorum`);
      }, Math.max(1, Math.floor(cfg.tickTime / 2))),
    );
    this.timers.push(setInterval(() => this.expireSessions(), cfg.tickTime));
    const checkMs = Number(cfg.properties.get('znode.container.checkIntervalMs') ?? 60000);
    this.timers.push(setInterval(() => this.reap(), Number.isFinite(checkMs) && checkMs > 0 ? checkMs : 60000));
  }

  private abdicate(why: string): void {
    if (this.stopped) return;
    this.peer.log('WARN', `Leader steps down: ${why}`);
    this.peerEvent('leader.abdicated', { reason: why });
    this.stop();
    void this.peer.endRole(this.gen);
  }

  private accept(stream: PacketStream): void {
    let handler: LearnerHandler | null = null;
    stream.on('packet', (p) => {
      if (this.stopped) return;
      try {
        if (!handler) {
          if (p.type !== Packet.FOLLOWERINFO && p.type !== Packet.OBSERVERINFO) throw new Error(`first packet was ${p.type}, not FOLLOWERINFO`);
          const info = LearnerInfo.decode(p.data ?? Buffer.alloc(0));
          const sid = Number(info.serverid);
          const server = this.cfg.servers.get(sid);
          if (!server) throw new Error(`learner ${sid} is not in the configuration`);
          handler = { sid, stream, observer: p.type === Packet.OBSERVERINFO || server.type === 'observer', acceptedEpoch: zxidEpoch(p.zxid), stage: 'info', lastHeard: Date.now(), peerLastZxid: 0n, peerCurrentEpoch: 0 };
          this.learners.get(sid)?.stream.close();
          this.learners.set(sid, handler);
          if (this.newEpoch >= 0) this.sendLeaderInfo(handler);
          this.gate.poke();
          return;
        }
        handler.lastHeard = Date.now();
        this.onLearnerPacket(handler, p);
      } catch (e) {
        this.peer.log('WARN', `learner connection closed: ${(e as Error).message}`);
        stream.close();
      }
    });
    stream.on('close', () => {
      if (handler && this.learners.get(handler.sid) === handler) this.learners.delete(handler.sid);
      this.gate.poke();
    });
  }

  private sendLeaderInfo(l: LearnerHandler): void {
    const w = new Writer(4);
    w.int(ZAB_PROTOCOL_VERSION);
    l.stream.send(Packet.LEADERINFO, makeZxid(this.newEpoch, 0), Buffer.from(w.bytes()));
  }

  private onLearnerPacket(l: LearnerHandler, p: { type: number; zxid: bigint; data: Buffer | null; authinfo: { scheme: string; id: string }[] }): void {
    switch (p.type) {
      case Packet.ACKEPOCH: {
        if (l.stage !== 'info') return;
        const epoch = p.data && p.data.length >= 4 ? p.data.readInt32BE(0) : -1;
        l.peerCurrentEpoch = epoch === -1 ? this.newEpoch : epoch;
        l.peerLastZxid = p.zxid;
        l.stage = 'ackepoch';
        this.epochAcked.add(l.sid);
        this.gate.poke();
        // Learners that join after the epoch was adopted are synced at once.
        if (this.syncing) void this.syncLearner(l);
        return;
      }
      case Packet.ACK: {
        if (zxidEpoch(p.zxid) === this.newEpoch && (p.zxid & 0xffffffffn) === 0n) {
          // ACK of NEWLEADER (or of UPTODATE, which needs nothing).
          if (l.stage === 'sync') {
            l.stage = 'newleader';
            if (!l.observer) this.newLeaderAcked.add(l.sid);
            this.gate.poke();
            if (this.established) this.upToDate(l);
          }
          return;
        }
        if (!l.observer) this.ack(l.sid, p.zxid);
        return;
      }
      case Packet.REQUEST:
        this.onForwardedRequest(l, p.data ?? Buffer.alloc(0), p.authinfo);
        return;
      case Packet.PING:
        for (const [id, to] of decodeTouches(p.data)) this.tracker.touch(id, to);
        return;
      case Packet.REVALIDATE: {
        const r = new Reader(p.data ?? Buffer.alloc(0));
        const id = r.long();
        const timeout = r.int();
        const valid = this.tracker.touch(id, timeout);
        const w = new Writer(9);
        w.long(id);
        w.bool(valid);
        l.stream.send(Packet.REVALIDATE, -1n, Buffer.from(w.bytes()));
        return;
      }
      default:
        return;
    }
  }

  /**
   * How to bring a learner at `peerLast` up to this leader (LearnerHandler.syncFollower): DIFF
   * with the txns after it when this leader's history holds exactly that zxid, TRUNC when the
   * learner is ahead, SNAP otherwise (including a divergent tail, which SNAP replaces whole).
   */
  private planSync(peerLast: bigint): { mode: 'DIFF'; txns: LoggedTxn[] } | { mode: 'TRUNC' } | { mode: 'SNAP' } {
    const core = this.peer.core;
    const last = core.lastProcessedZxid;
    if (peerLast === last) return { mode: 'DIFF', txns: [] };
    if (peerLast > last) return { mode: 'TRUNC' };
    const i = this.committedLog.findIndex((t) => t.header.zxid === peerLast);
    if (i >= 0) return { mode: 'DIFF', txns: this.committedLog.slice(i + 1) };
    const fromLog = peerLast > 0n ? core.storage.txnsAfter(peerLast - 1n) : null;
    if (fromLog !== null && fromLog.length > 0 && fromLog[0]!.header.zxid === peerLast) {
      const txns = fromLog.slice(1).filter((t) => t.header.zxid <= last);
      if (txns.length === 0 || txns[txns.length - 1]!.header.zxid === last) return { mode: 'DIFF', txns };
    }
    return { mode: 'SNAP' };
  }

  /** DIFF, TRUNC or SNAP for one learner, then NEWLEADER; it joins the broadcast from here. */
  private async syncLearner(l: LearnerHandler): Promise<void> {
    if (l.stage !== 'ackepoch') return;
    l.stage = 'sync-pending';
    const core = this.peer.core;
    // The image is copied in one slice, so it is the tree at one zxid; everything from here to
    // NEWLEADER is sent without yielding, so no proposal can slip in between.
    const first = this.planSync(l.peerLastZxid);
    const snap = first.mode === 'SNAP' ? await encodeSnapStream(core.tree, core.sessionTable, { sliceSize: Number.MAX_SAFE_INTEGER }) : null;
    if (this.stopped || l.stream.closed) return;
    const plan = this.planSync(l.peerLastZxid);
    if (plan.mode === 'SNAP' && (!snap || snap.zxid !== core.lastProcessedZxid)) {
      l.stage = 'ackepoch';
      return this.syncLearner(l);
    }
    l.stage = 'sync';
    const last = core.lastProcessedZxid;
    const peerLast = l.peerLastZxid;
    if (plan.mode === 'DIFF') {
      l.stream.send(Packet.DIFF, last);
      for (const t of plan.txns) {
        l.stream.send(Packet.PROPOSAL, t.header.zxid, encodeLoggedTxn(t));
        l.stream.send(Packet.COMMIT, t.header.zxid);
      }
    } else if (plan.mode === 'TRUNC') {
      l.stream.send(Packet.TRUNC, last);
    } else {
      l.stream.send(Packet.SNAP, snap!.zxid);
      l.stream.sendRaw(snap!.chunks);
    }
    // Proposals still waiting for a quorum: the learner logs and ACKs them like everyone.
    for (const p of this.outstanding) {
      if (l.observer) continue;
      l.stream.send(Packet.PROPOSAL, p.t.header.zxid, p.bytes);
    }
    const cfgText = Buffer.from(this.peer.configText(), 'utf8');
    l.stream.send(Packet.NEWLEADER, makeZxid(this.newEpoch, 0), cfgText);
    this.peerEvent('leader.sync', { learner: l.sid, mode: plan.mode, peerZxid: peerLast, zxid: last });
    this.peer.log('INFO', `Synchronizing with learner ${l.sid} by ${plan.mode} (its zxid 0x${peerLast.toString(16)}, mine 0x${last.toString(16)})`);
  }

  private upToDate(l: LearnerHandler): void {
    l.stage = 'uptodate';
    l.stream.send(Packet.UPTODATE, -1n);
    this.peerEvent('leader.learnerUpToDate', { learner: l.sid });
  }

  private onForwardedRequest(l: LearnerHandler, data: Buffer, authInfo: { scheme: string; id: string }[]): void {
    const r = new Reader(data);
    const sessionId = r.long();
    const cxid = r.int();
    const type = r.int();
    if (type === OpCode.sync) {
      const reply = (): void => l.stream.send(Packet.SYNC, 0n);
      const last = this.outstanding[this.outstanding.length - 1];
      if (last) last.afterCommit.push(reply);
      else reply();
      return;
    }
    let req: Request;
    if (type === OpCode.createSession) {
      const timeOut = r.remaining() >= 4 ? r.int() : this.cfg.tickTime * 2;
      req = { sessionId, cxid, type, body: { type: OpCode.createSession, timeOut }, authInfo };
    } else if (type === OpCode.closeSession) {
      req = { sessionId, cxid, type, body: { type: OpCode.closeSession }, authInfo };
    } else {
      try {
        req = { sessionId, cxid, type, body: decodeRequestBody(type, r), authInfo };
      } catch (e) {
        if (!(e instanceof RequestDecodeError) && !(e instanceof Error)) throw e;
        // A body that does not decode still gets an answer: an error txn, as ZooKeeper logs it.
        this.proposeTxn({ header: { clientId: sessionId, cxid, zxid: this.nextZxid(), time: BigInt(Date.now()), type: -1 }, txn: { type: -1, err: Err.MARSHALLINGERROR } });
        return;
      }
    }
    this.submitWrite(req);
  }

  private nextZxid(): bigint {
    this.counter++;
    if (this.counter >= 0xffffffff) {
      this.abdicate('the zxid counter is exhausted; a new epoch is needed');
    }
    return makeZxid(this.newEpoch, this.counter);
  }

  submitWrite(req: Request): void {
    if (!this.serving) {
      this.peer.core.failWrite(req, Err.CONNECTIONLOSS);
      return;
    }
    if (req.type === OpCode.createSession) this.tracker.add(req.sessionId, (req.body as { timeOut: number }).timeOut);
    if (req.type === OpCode.closeSession) this.tracker.setClosing(req.sessionId);
    const t = this.prep.prepare(req, this.nextZxid());
    this.proposeTxn(t);
  }

  private proposeTxn(t: LoggedTxn): void {
    const bytes = Buffer.from(encodeLoggedTxn(t));
    const p: Proposal = { t, bytes, acks: new Set(), afterCommit: [] };
    this.outstanding.push(p);
    const size = bytes.length;
    this.proposalSizes = [size, this.proposalSizes[1] < 0 ? size : Math.min(this.proposalSizes[1], size), Math.max(this.proposalSizes[2], size)];
    for (const l of this.learners.values()) {
      if (l.observer || (l.stage !== 'sync' && l.stage !== 'newleader' && l.stage !== 'uptodate')) continue;
      l.stream.send(Packet.PROPOSAL, t.header.zxid, bytes);
    }
    const gen = this.gen;
    this.peer.core.storage.append(t).then(
      () => {
        if (this.stopped || gen !== this.gen) return;
        this.ack(this.peer.myid, t.header.zxid);
      },
      (e: Error) => {
        this.peer.core.writeFailure = e.message;
        this.peer.log('ERROR', `Writing the transaction log failed (${e.message}); this leader steps down. Fix the disk, then restart it.`);
        this.abdicate('disk failure');
      },
    );
  }

  private ack(sid: number, zxid: bigint): void {
    const p = this.outstanding.find((x) => x.t.header.zxid === zxid);
    if (!p) return;
    p.acks.add(sid);
    // Commit strictly in zxid order: a later proposal waits for every earlier one.
    while (this.outstanding.length > 0 && this.peer.quorumOf(this.outstanding[0]!.acks)) {
      const c = this.outstanding.shift()!;
      this.commit(c);
    }
  }

  private commit(p: Proposal): void {
    const { header, txn } = p.t;
    for (const l of this.learners.values()) {
      if (l.stage !== 'sync' && l.stage !== 'newleader' && l.stage !== 'uptodate') continue;
      if (l.observer) l.stream.send(Packet.INFORM, header.zxid, p.bytes);
      else l.stream.send(Packet.COMMIT, header.zxid);
    }
    this.peer.applyCommitted(p.t);
    this.prep.applied(header.zxid);
    if (txn.type === OpCode.closeSession) this.tracker.remove(header.clientId);
    if (txn.type === OpCode.createSession) this.tracker.add(header.clientId, txn.timeOut);
    this.committedLog.push(p.t);
    if (this.committedLog.length > this.maxCommittedLog) this.committedLog.shift();
    for (const f of p.afterCommit) f();
  }

  submitSync(_req: Request, done: () => void): void {
    const last = this.outstanding[this.outstanding.length - 1];
    if (last) last.afterCommit.push(done);
    else queueMicrotask(done);
  }

  async revalidateSession(sessionId: bigint, timeout: number): Promise<boolean> {
    return this.tracker.touch(sessionId, timeout);
  }

  touchSession(sessionId: bigint, _timeout: number): void {
    this.tracker.touch(sessionId);
  }

  private expireSessions(): void {
    for (const s of this.tracker.takeExpired()) {
      this.peer.log('INFO', `Expiring session 0x${BigInt.asUintN(64, s.id).toString(16)}, timeout of ${s.timeout}ms exceeded`);
      this.submitWrite({ sessionId: s.id, cxid: 0, type: OpCode.closeSession, body: { type: OpCode.closeSession }, authInfo: [] });
    }
  }

  private reap(): void {
    const tree = this.peer.core.tree;
    const now = BigInt(Date.now());
    for (const path of tree.containers) {
      const n = tree.getNode(path);
      if (n && n.children.size === 0 && n.cversion > 0) this.submitWrite({ sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, body: { type: OpCode.deleteContainer, path }, authInfo: [] });
    }
    for (const path of tree.ttls) {
      const n = tree.getNode(path);
      if (n && n.children.size === 0 && now - n.mtime > ttlOf(n.ephemeralOwner)) {
        this.submitWrite({ sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, body: { type: OpCode.deleteContainer, path }, authInfo: [] });
      }
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.serving = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.server?.close();
    for (const l of this.learners.values()) l.stream.close();
    this.learners.clear();
    this.gate.failAll(new RoleEnded('leadership ended'));
  }
}

// ---------------------------------------------------------------------------------------------

/** Follower or observer: connect to the leader, sync, then log/ack proposals and apply commits. */
class LearnerRole {
  serving = false;
  private stream: PacketStream | null = null;
  private readonly gate = new Gate();
  private stopped = false;
  private readonly touches = new Map<bigint, number>();
  /** Proposals logged (or being logged) and not yet committed, in zxid order. */
  private readonly pending: { t: LoggedTxn; durable: Promise<void> }[] = [];
  private readonly pendingSyncs: (() => void)[] = [];
  private readonly revalidations = new Map<bigint, ((valid: boolean) => void)[]>();
  private lastPacketAt = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private newEpoch = -1;
  private readonly observer: boolean;

  constructor(
    private readonly peer: QuorumPeer,
    private readonly gen: number,
    private readonly leaderId: number,
  ) {
    this.observer = peer.isObserver;
  }

  private fail(why: string): never {
    throw new RoleEnded(why);
  }

  async run(): Promise<void> {
    const peer = this.peer;
    const cfg = peer.cfg;
    const leader = cfg.servers.get(this.leaderId);
    if (!leader) this.fail(`leader ${this.leaderId} is not in the configuration`);
    const initMs = cfg.initLimit * cfg.tickTime;
    // Connect, retrying for a while: the leader opens its quorum port just after deciding.
    const deadline = Date.now() + initMs;
    let socket: import('node:net').Socket | null = null;
    while (!socket) {
      if (this.stopped) this.fail('stopped');
      socket = await new Promise<import('node:net').Socket | null>((resolve) => {
        const s = connect({ host: leader.host, port: leader.quorumPort });
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(null));
      });
      if (!socket) {
        if (Date.now() > deadline) this.fail(`cannot connect to leader ${this.leaderId} at ${leader.host}:${leader.quorumPort}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const stream = new PacketStream(socket);
    this.stream = stream;
    const packets: { type: number; zxid: bigint; data: Buffer | null }[] = [];
    stream.on('packet', (p) => {
      this.lastPacketAt = Date.now();
      packets.push(p);
      this.gate.poke();
    });
    stream.on('close', () => this.gate.poke());
    const next = async (ms: number, what: string): Promise<{ type: number; zxid: bigint; data: Buffer | null }> => {
      await this.gate.wait(() => packets.length > 0 || stream.closed || this.stopped, ms, what);
      if (packets.length === 0) this.fail(stream.closed ? 'the leader closed the connection' : 'stopped');
      return packets.shift()!;
    };

    peer.setPhase('discovery');
    const info = LearnerInfo.encode({ serverid: BigInt(peer.myid), protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: 0n });
    stream.send(this.observer ? Packet.OBSERVERINFO : Packet.FOLLOWERINFO, makeZxid(peer.acceptedEpoch(), 0), info);
    const li = await next(initMs, 'LEADERINFO');
    if (li.type !== Packet.LEADERINFO) this.fail(`expected LEADERINFO, got packet type ${li.type}`);
    this.newEpoch = zxidEpoch(li.zxid);
    const accepted = peer.acceptedEpoch();
    const w = new Writer(4);
    if (this.newEpoch > accepted) {
      peer.core.storage.writeEpoch('acceptedEpoch', this.newEpoch);
      w.int(peer.currentEpoch());
    } else if (this.newEpoch === accepted) {
      w.int(-1);
    } else {
      this.fail(`leader's epoch ${this.newEpoch} is older than my accepted epoch ${accepted}`);
    }
    stream.send(Packet.ACKEPOCH, peer.core.lastProcessedZxid, Buffer.from(w.bytes()));

    // Synchronisation.
    peer.setPhase('synchronization');
    const first = await next(initMs, 'DIFF, TRUNC or SNAP');
    let snapshotNeeded = false;
    const core = peer.core;
    if (first.type === Packet.DIFF) {
      peer.setPhase('synchronization', 'diff');
    } else if (first.type === Packet.TRUNC) {
      peer.setPhase('synchronization', 'trunc');
      await core.storage.truncate(first.zxid);
      await peer.reloadDatabase();
      snapshotNeeded = true;
    } else if (first.type === Packet.SNAP) {
      peer.setPhase('synchronization', 'snap');
      const reader = new SnapStreamReader();
      await new Promise<void>((resolve, reject) => {
        stream.once('rawDone', resolve);
        stream.once('error', reject);
        stream.once('close', () => reject(new RoleEnded('the leader closed the connection during SNAP')));
        stream.takeRaw((chunk) => reader.push(chunk));
      });
      // The image replaces everything: no old log entry (possibly a divergent tail) may survive.
      await core.storage.truncate(0n);
      reader.applyTo(core.tree, core.sessionTable, first.zxid);
      core.tree.rebuildQuotas();
      peer.reloadConfigNode();
      snapshotNeeded = true;
    } else {
      this.fail(`expected DIFF, TRUNC or SNAP, got packet type ${first.type}`);
    }
    peer.events.emit({ type: 'learner.sync', myid: peer.myid, leader: this.leaderId, mode: PACKET_MODE[first.type] ?? String(first.type), zxid: first.zxid });

    // Proposals and commits until NEWLEADER; then log them, adopt the epoch and ACK.
    const notCommitted: LoggedTxn[] = [];
    const committed: LoggedTxn[] = [];
    for (;;) {
      const p = await next(initMs, 'NEWLEADER');
      if (p.type === Packet.PROPOSAL) {
        notCommitted.push(decodeLoggedTxn(p.data ?? Buffer.alloc(0)));
      } else if (p.type === Packet.COMMIT) {
        const i = notCommitted.findIndex((t) => t.header.zxid === p.zxid);
        if (i === 0) committed.push(notCommitted.shift()!);
        else if (i > 0) this.fail(`COMMIT 0x${p.zxid.toString(16)} out of order during sync`);
      } else if (p.type === Packet.INFORM) {
        committed.push(decodeLoggedTxn(p.data ?? Buffer.alloc(0)));
      } else if (p.type === Packet.NEWLEADER) {
        break;
      } else if (p.type === Packet.PING) {
        // fine during sync
      } else {
        this.fail(`unexpected packet type ${p.type} during sync`);
      }
    }
    // Committed txns of the sync apply now; their log entries must be durable before the ACK.
    const durable: Promise<void>[] = [];
    for (const t of committed) {
      if (t.header.zxid <= core.lastProcessedZxid) continue;
      durable.push(core.storage.append(t));
      peer.applyCommitted(t);
    }
    if (snapshotNeeded) await core.storage.snapshot();
    for (const t of notCommitted) {
      const d = core.storage.append(t);
      durable.push(d);
      this.pending.push({ t, durable: d });
    }
    await Promise.all(durable);
    core.storage.writeEpoch('currentEpoch', this.newEpoch);
    stream.send(Packet.ACK, makeZxid(this.newEpoch, 0));
    for (const p of this.pending) if (!this.observer) stream.send(Packet.ACK, p.t.header.zxid);
    // Broadcast packets may come before UPTODATE (the leader already serves): handle them in order.
    for (;;) {
      const p = await next(initMs, 'UPTODATE');
      if (p.type === Packet.UPTODATE) break;
      await this.onBroadcastPacket(p);
    }
    stream.send(Packet.ACK, makeZxid(this.newEpoch, 0));
    this.serving = true;
    peer.setPhase('broadcast');
    peer.events.emit({ type: 'learner.upToDate', myid: peer.myid, leader: this.leaderId, zxid: core.lastProcessedZxid, epoch: this.newEpoch });
    peer.log('INFO', `${this.observer ? 'OBSERVING' : 'FOLLOWING'} leader ${this.leaderId} in epoch ${this.newEpoch}, zxid 0x${core.lastProcessedZxid.toString(16)}`);

    // Broadcast: a syncLimit of silence from the leader ends the role.
    const syncMs = cfg.syncLimit * cfg.tickTime;
    this.timer = setInterval(() => {
      if (Date.now() - this.lastPacketAt > syncMs) {
        this.stream?.close();
        this.gate.poke();
      }
    }, Math.max(10, Math.floor(cfg.tickTime / 2)));
    for (;;) {
      const p = await next(2 ** 31 - 1, 'the end of following');
      await this.onBroadcastPacket(p);
    }
  }

  private async onBroadcastPacket(p: { type: number; zxid: bigint; data: Buffer | null }): Promise<void> {
    const core = this.peer.core;
    const stream = this.stream!;
    switch (p.type) {
      case Packet.PROPOSAL: {
        const t = decodeLoggedTxn(p.data ?? Buffer.alloc(0));
        const durable = core.storage.append(t);
        this.pending.push({ t, durable });
        const gen = this.gen;
        durable.then(
          () => {
            if (!this.stopped && gen === this.gen) stream.send(Packet.ACK, t.header.zxid);
          },
          (e: Error) => {
            core.writeFailure = e.message;
            this.peer.log('ERROR', `Writing the transaction log failed (${e.message}); leaving the quorum.`);
            stream.close();
          },
        );
        return;
      }
      case Packet.COMMIT: {
        const head = this.pending[0];
        if (!head || head.t.header.zxid !== p.zxid) this.fail(`COMMIT 0x${p.zxid.toString(16)} does not match the oldest pending proposal`);
        this.pending.shift();
        // Apply only what is durable here, in order.
        await head.durable;
        this.peer.applyCommitted(head.t);
        return;
      }
      case Packet.INFORM: {
        const t = decodeLoggedTxn(p.data ?? Buffer.alloc(0));
        await core.storage.append(t);
        this.peer.applyCommitted(t);
        return;
      }
      case Packet.PING: {
        const data = encodeTouches(this.touches);
        this.touches.clear();
        stream.send(Packet.PING, p.zxid, data);
        return;
      }
      case Packet.SYNC: {
        this.pendingSyncs.shift()?.();
        return;
      }
      case Packet.REVALIDATE: {
        const r = new Reader(p.data ?? Buffer.alloc(0));
        const id = r.long();
        const valid = r.bool();
        const waiters = this.revalidations.get(id) ?? [];
        this.revalidations.delete(id);
        for (const w of waiters) w(valid);
        return;
      }
      case Packet.UPTODATE:
        return;
      default:
        this.peer.log('WARN', `ignoring packet type ${p.type} from the leader`);
    }
  }

  submitWrite(req: Request): void {
    let body: Buffer | null = req.raw ?? null;
    if (req.type === OpCode.createSession) {
      const w = new Writer(4);
      w.int((req.body as { timeOut: number }).timeOut);
      body = Buffer.from(w.bytes());
    }
    if (req.type === OpCode.closeSession) body = null;
    this.stream?.send(Packet.REQUEST, -1n, encodeRequestPayload(req.sessionId, req.cxid, req.type, body), req.authInfo);
  }

  submitSync(req: Request, done: () => void): void {
    this.pendingSyncs.push(done);
    this.stream?.send(Packet.REQUEST, -1n, encodeRequestPayload(req.sessionId, req.cxid, req.type, req.raw ?? null), req.authInfo);
  }

  revalidateSession(sessionId: bigint, timeout: number): Promise<boolean> {
    return new Promise((resolve) => {
      const list = this.revalidations.get(sessionId) ?? [];
      list.push(resolve);
      this.revalidations.set(sessionId, list);
      const w = new Writer(12);
      w.long(sessionId);
      w.int(timeout);
      this.stream?.send(Packet.REVALIDATE, -1n, Buffer.from(w.bytes()));
    });
  }

  touchSession(sessionId: bigint, timeout: number): void {
    this.touches.set(sessionId, timeout);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.serving = false;
    if (this.timer) clearInterval(this.timer);
    this.stream?.close();
    for (const ws of this.revalidations.values()) for (const w of ws) w(false);
    this.revalidations.clear();
    this.gate.poke();
  }
}

const PACKET_MODE: Record<number, string> = { [Packet.DIFF]: 'DIFF', [Packet.TRUNC]: 'TRUNC', [Packet.SNAP]: 'SNAP' };

// One client of a lock-playground run: its own session, its own lock instance, and a loop of
// acquire, hold, release, think. It does what Curator tells a lock holder to do: when its
// connection drops (SUSPENDED) or its session ends (LOST) it stops counting itself as the holder
// at once, and gives the lock back as soon as it can. A client whose session expires comes back
// with a new one (renewSessionOnExpiry) and queues again.
import { connect, InterProcessMutex, NaiveLock, SeedLock, ZkError, type ClientState, type PlaygroundLock, type ZkClient } from '../../client';
import { baseName, joinPath } from '../../protocol/paths';
import type { HistoryOp } from '../../shared/check/history';
import type { LockClientState, LockClientView, LockSettings } from '../../shared/contract';
import type { HoldInterval } from './exclusion';

/** What a contender tells its run. */
export interface ContenderHooks {
  /** The lock is ours; the run opens the interval (stamped by the lab) and returns it. */
  acquired(c: Contender, waitMs: number): HoldInterval;
  /** Our interval ends: released normally, lost with the connection or session, or the run stopped. */
  ended(c: Contender, how: 'released' | 'lost' | 'stopped', why: string): void;
  /** The server's answer to "is the holder's node the lowest child?" (or "does the holder own the naive lock node?"). */
  serverCheck(c: Contender, ok: boolean, detail: string): void;
  /** A line for the run's log. */
  note(text: string): void;
  /** Something the view shows changed. */
  changed(): void;
  /** Records an acquire called at `at` (now()) in the run's history; the contender completes it with `complete`. */
  record(c: Contender, f: 'acquire', at: number): HistoryOp;
  /** Completes a recorded operation now with its result. */
  complete(op: HistoryOp, result: HistoryOp['result']): void;
}

export interface ContenderOptions {
  id: number;
  /** Hosts in the order this client tries them: its own member first. */
  connectString: string;
  settings: LockSettings;
  sessionTimeoutMs: number;
  connectTimeoutMs: number;
  /** myid of the member at "host:port". */
  memberAt: (server: string) => number | null;
  makeLock?: (client: ZkClient, settings: LockSettings) => PlaygroundLock;
}

/** Sub-millisecond wall-clock time (the lab's stamps). */
export const now = (): number => performance.timeOrigin + performance.now();

const hex = (id: bigint): string => `0x${BigInt.asUintN(64, id).toString(16)}`;

/** The lock node of each strategy lives under the lock path; the naive lock is one node named "lock". */
export function lockFor(client: ZkClient, strategy: LockSettings['strategy'], lockPath: string): PlaygroundLock {
  switch (strategy) {
    case 'seed':
      return new SeedLock(client, lockPath, 'seq-');
    case 'mutex':
      return new InterProcessMutex(client, lockPath);
    case 'naive':
      return new NaiveLock(client, joinPath(lockPath, 'lock'));
  }
}

/** The sequence number ZooKeeper appended to a name (its last 10 digits), or null. */
export function sequenceOf(name: string): string | null {
  const m = /(\d{10})$/.exec(name);
  return m ? m[1]! : null;
}

/** Names in sequence order; names without a sequence go last, by name. */
export function bySequence(names: string[]): string[] {
  return [...names].sort((a, b) => {
    const sa = sequenceOf(a);
    const sb = sequenceOf(b);
    if (sa !== null && sb !== null && sa !== sb) return sa < sb ? -1 : 1;
    if ((sa === null) !== (sb === null)) return sa === null ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export class Contender {
  readonly id: number;
  client!: ZkClient;
  lock!: PlaygroundLock;
  private loopState: 'connecting' | 'thinking' | 'waiting' | 'holding' | 'stopped' = 'connecting';
  /** The session expired and the renewed one is not connected yet. */
  private sessionLost = false;
  private everConnected = false;
  sessionHex = '0x0';
  member: number | null = null;
  acquisitions = 0;
  expirations = 0;
  lastWaitMs: number | null = null;
  /** Wakes the hold early (connection lost or the run stops). */
  private wakeHold: (() => void) | null = null;
  private offState: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly opts: ContenderOptions,
    private readonly hooks: ContenderHooks,
  ) {
    this.id = opts.id;
  }

  /** Opens the session (rejects with a sentence if it cannot within the connect timeout). */
  async connect(): Promise<void> {
    try {
      this.client = await connect(this.opts.connectString, {
        sessionTimeout: this.opts.sessionTimeoutMs,
        renewSessionOnExpiry: true,
        shuffleHosts: false,
        // A client whose connection was taken away comes back quickly (the lab shows the handoff).
        reconnectJitterMs: 200,
        spinDelayMs: 200,
        timeoutMs: this.opts.connectTimeoutMs,
      });
    } catch (e) {
      throw new Error(`Client ${this.id} could not open a session with ${this.opts.connectString} (${(e as Error).message}). Is the ensemble serving? The Cluster view shows whether it has a quorum.`);
    }
    if (this.closed) {
      // The run was stopped while this session was being opened.
      await this.client.close().catch(() => undefined);
      throw new Error(`Client ${this.id} was closed while connecting (the run stopped).`);
    }
    this.everConnected = true;
    this.onConnected();
    this.lock = this.opts.makeLock ? this.opts.makeLock(this.client, this.opts.settings) : lockFor(this.client, this.opts.settings.strategy, this.opts.settings.lockPath);
    this.offState = this.client.on('state', (next, prev) => this.onState(next, prev));
    this.loopState = 'thinking';
  }

  private onConnected(): void {
    this.sessionHex = hex(this.client.sessionId);
    const server = this.client.connectedServer;
    this.member = server ? this.opts.memberAt(server) : null;
  }

  private onState(next: ClientState, prev: ClientState): void {
    const connected = next === 'connected' || next === 'readOnly';
    if (!connected && this.holdsNow()) {
      // Curator: SUSPENDED means the lock may be gone; the holder must stop acting as one now.
      this.hooks.ended(this, 'lost', next === 'expired' ? `session ${this.sessionHex} expired` : `connection to node ${this.member ?? '?'} lost`);
      this.wakeHold?.();
    }
    if (next === 'expired') {
      this.expirations++;
      this.sessionLost = true;
      this.hooks.note(`client ${this.id}: session ${this.sessionHex} expired`);
    } else if (next === 'suspended') {
      this.hooks.note(`client ${this.id}: disconnected from node ${this.member ?? '?'}`);
      this.member = null;
    } else if (connected) {
      const oldSession = this.sessionHex;
      const oldMember = this.member;
      this.onConnected();
      if (this.sessionLost) this.hooks.note(`client ${this.id}: new session ${this.sessionHex} on node ${this.member ?? '?'} (the old one, ${oldSession}, expired)`);
      else if (prev !== next && oldMember !== this.member) this.hooks.note(`client ${this.id}: session ${this.sessionHex} reconnected on node ${this.member ?? '?'}`);
      this.sessionLost = false;
    }
    this.hooks.changed();
  }

  private isClosed(): boolean {
    return this.client.state === 'closed';
  }

  private holdsNow(): boolean {
    return this.loopState === 'holding' && this.interval !== null && this.interval.releasedAt === null;
  }

  private interval: HoldInterval | null = null;
  /** The release recorded when the hold ended (the run stamps it), completed once lock.release() answers. */
  releaseOp: HistoryOp | null = null;

  /** acquire, hold, release, think until `stop` aborts. */
  async loop(stop: AbortSignal): Promise<void> {
    const { holdMs, thinkMs } = this.opts.settings;
    while (!stop.aborted && !this.isClosed()) {
      this.loopState = 'waiting';
      this.hooks.changed();
      const t0 = now();
      const acquire = this.hooks.record(this, 'acquire', t0);
      let got: boolean;
      try {
        got = await this.lock.acquire(undefined, stop);
      } catch (e) {
        // It may have reached the head of the queue just as its session went: unknown, not failed.
        this.hooks.complete(acquire, 'unknown');
        if (stop.aborted || this.isClosed()) break;
        // Typically the session expired under a waiter: the renewed session queues again.
        this.hooks.note(`client ${this.id}: gave up waiting (${(e as Error).message}); queues again`);
        await this.untilConnected(stop);
        continue;
      }
      this.hooks.complete(acquire, got ? 'ok' : 'fail');
      if (!got) break;
      this.acquisitions++;
      this.lastWaitMs = now() - t0;
      this.loopState = 'holding';
      this.interval = this.hooks.acquired(this, this.lastWaitMs);
      const connected = this.client.state === 'connected' || this.client.state === 'readOnly';
      if (!connected) this.hooks.ended(this, 'lost', 'the connection dropped as the lock was granted');
      const check = this.serverCheck(this.interval);
      await this.hold(holdMs, stop);
      await check;
      if (this.interval.releasedAt === null) this.hooks.ended(this, stop.aborted ? 'stopped' : 'released', 'released');
      const lost = this.interval.how === 'lost';
      this.interval = null;
      this.loopState = 'thinking';
      this.hooks.changed();
      const release = this.releaseOp;
      this.releaseOp = null;
      try {
        await this.lock.release();
        if (release) this.hooks.complete(release, 'ok');
      } catch (e) {
        // Its node goes with its session, some time: the release's result is unknown.
        if (release) this.hooks.complete(release, 'unknown');
        if (this.isClosed()) break;
        this.hooks.note(`client ${this.id}: release failed (${(e as Error).message}); its node goes with its session`);
      }
      if (lost) await this.untilConnected(stop);
      if (thinkMs > 0) await this.sleep(thinkMs, stop);
    }
    this.loopState = 'stopped';
    this.hooks.changed();
  }

  /** Reads the lock path through our own session while we hold the lock: are we first? */
  private async serverCheck(iv: HoldInterval): Promise<void> {
    const { strategy, lockPath } = this.opts.settings;
    try {
      if (strategy === 'naive') {
        const stat = await this.client.exists(joinPath(lockPath, 'lock'));
        if (iv.releasedAt !== null) return;
        const owner = stat ? hex(stat.ephemeralOwner) : null;
        this.hooks.serverCheck(this, owner === iv.sessionId, owner === null ? 'the lock node does not exist' : `the lock node belongs to session ${owner}`);
        return;
      }
      const children = bySequence(await this.client.getChildren(lockPath));
      if (iv.releasedAt !== null) return;
      const lowest = children[0] ?? null;
      this.hooks.serverCheck(this, lowest !== null && lowest === iv.node, lowest === null ? `${lockPath} has no children` : `the lowest child of ${lockPath} is ${lowest}`);
    } catch (e) {
      // A read that failed (connection lost) checks nothing; the interval has ended with the connection anyway.
      if (!(e instanceof ZkError)) throw e;
    }
  }

  private hold(ms: number, stop: AbortSignal): Promise<void> {
    if (this.interval?.releasedAt !== null || stop.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        this.wakeHold = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      stop.addEventListener('abort', done);
      this.wakeHold = done;
    });
  }

  private sleep(ms: number, stop: AbortSignal): Promise<void> {
    if (stop.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stop.addEventListener('abort', done);
    });
  }

  /** Waits until the session is usable again (or the run stops, or the client is closed). */
  private untilConnected(stop: AbortSignal): Promise<void> {
    const ok = (): boolean => stop.aborted || ['connected', 'readOnly', 'closed', 'authFailed'].includes(this.client.state);
    if (ok()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        off();
        stop.removeEventListener('abort', done);
        resolve();
      };
      const off = this.client.on('state', () => ok() && done());
      stop.addEventListener('abort', done);
    });
  }

  /** The lock node's name while this client has one. */
  get nodeName(): string | null {
    const n = this.lock?.ownNode() ?? null;
    return n === null ? null : baseName(n);
  }

  /** The state the table shows: the connection's trouble first, then what the loop does. */
  get state(): LockClientState {
    if (this.loopState === 'stopped') return 'stopped';
    if (!this.everConnected) return 'connecting';
    const cs = this.client.state;
    if (cs === 'closed') return 'stopped';
    if (cs === 'expired' || this.sessionLost) return 'expired';
    if (cs !== 'connected' && cs !== 'readOnly') return 'disconnected';
    return this.loopState;
  }

  view(): LockClientView {
    const stats = this.lock?.stats();
    const watching = this.lock?.watching() ?? null;
    return {
      id: this.id,
      member: this.member,
      sessionId: this.sessionHex,
      state: this.state,
      node: this.nodeName,
      watching: watching === null ? null : baseName(watching),
      acquisitions: this.acquisitions,
      notifications: stats?.watchNotifications ?? 0,
      expirations: this.expirations,
      lastWaitMs: this.lastWaitMs === null ? null : Math.round(this.lastWaitMs * 10) / 10,
    };
  }

  /** Watches set so far (for the run's counters). */
  watchesSet(): number {
    return this.lock?.stats().watchesSet ?? 0;
  }

  /** Closes the session (its lock node, if any, goes with it). */
  async close(): Promise<void> {
    this.closed = true;
    this.offState?.();
    this.offState = null;
    if (this.client) await this.client.close().catch(() => undefined);
    this.loopState = 'stopped';
  }
}

// The ZooKeeper client API (ZooKeeper.java's operations as promises). Paths are client paths:
// the chroot of the connect string is added on the way out and removed on the way back.
import { AddWatchMode, CreateMode, Err, KeeperState, OpCode, OPEN_ACL_UNSAFE, WatcherType, MAX_TTL_MS } from '../protocol/codes';
import type { Reader, Writer } from '../protocol/jute';
import { pathError } from '../protocol/paths';
import * as R from '../protocol/records';
import type { ACL, ClientInfo, Stat, WatcherEvent } from '../protocol/records';
import { ClientCnxn, type ClientState, type CnxnStats, type Packet } from './cnxn';
import { formatHostPort, parseConnectString, withChroot, withoutChroot, type HostPort } from './connect-string';
import { Emitter } from './emitter';
import { IllegalArgumentError, MultiError, ZkError, zkError } from './errors';
import {
  createOpcode,
  firstFailure,
  isTtlMode,
  readMultiResponse,
  toBuffer,
  writeCreate,
  writeMulti,
  type Data,
  type Op,
  type OpResult,
  type ReadOp,
  type WireOp,
} from './multi';
import { setWatchesPackets } from './set-watches';
import { netTransport, type Transport } from './transport';
import { WatchManager, type WatchedEvent, type Watcher, type WatchKind } from './watch-manager';

export interface ClientOptions {
  /** Requested session timeout in ms (default 30000); the server clamps it. */
  sessionTimeout?: number;
  /** Accept read-only servers (default false). */
  canBeReadOnly?: boolean;
  /** Requests sent and unanswered at most (default 1000); later ones wait in order. */
  maxOutstanding?: number;
  /** Pause after trying every host without success (default 1000 ms, like Java). */
  spinDelayMs?: number;
  /** Random pause 0..this before each reconnect (default 1000 ms, like Java). */
  reconnectJitterMs?: number;
  /** Largest frame accepted from a server (default 4 MiB). */
  maxFrameLength?: number;
  /** Requests made while disconnected fail with ConnectionLoss after this long (default: the session timeout). */
  disconnectedRequestTimeoutMs?: number;
  /** Start a fresh session after expiry instead of staying expired (default false, Java's behaviour). */
  renewSessionOnExpiry?: boolean;
  /** Try hosts in a random order (default true, like Java). */
  shuffleHosts?: boolean;
  /** Attach to an existing session (id and password from another client). */
  sessionId?: bigint;
  sessionPasswd?: Buffer;
  /** Credentials sent on every connection, e.g. [{ scheme: 'digest', auth: 'user:pw' }]. */
  authInfo?: { scheme: string; auth: string | Buffer }[];
  /** Network transport (default node:net). */
  transport?: Transport;
}

export interface CreateOptions {
  /** CreateMode value (default PERSISTENT). */
  mode?: number;
  /** ACL list (default OPEN_ACL_UNSAFE: world:anyone:cdrwa). */
  acl?: ACL[];
  /** TTL in ms, required for the TTL modes and refused for the others. */
  ttl?: number | bigint;
}

export type ClientEvents = {
  /** The client's state changed. */
  state: (next: ClientState, prev: ClientState) => void;
  /**
   * Java's default watcher: state events (type None: SyncConnected, Disconnected, Expired,
   * AuthFailed, ConnectedReadOnly, Closed) and node events of watches set with `watch: true`.
   */
  watchedEvent: (event: WatchedEvent) => void;
  /** A connection attempt failed before the server answered (refused, timed out); it is tried again. */
  connectFailed: (host: string, reason: string) => void;
};

/** A watch argument: true for the default watcher ('watchedEvent'), or a callback. */
export type WatchArg = Watcher | boolean | undefined;

const CONFIG_NODE = '/zookeeper/config';

export class ZkClient extends Emitter<ClientEvents> {
  readonly chroot: string | null;
  readonly hosts: readonly HostPort[];
  private readonly cnxn: ClientCnxn;
  private readonly watches = new WatchManager();
  /** Java's default watcher: forwards to 'watchedEvent' listeners. */
  private readonly defaultWatcher: Watcher = (e) => this.emit('watchedEvent', e);

  /** Starts connecting at once; use `waitConnected()` or the `connect()` helper to wait. */
  constructor(
    readonly connectString: string,
    opts: ClientOptions = {},
  ) {
    super();
    const parsed = parseConnectString(connectString);
    this.chroot = parsed.chroot;
    this.hosts = parsed.hosts;
    const sessionTimeout = opts.sessionTimeout ?? 30_000;
    if (!(sessionTimeout > 0)) throw new IllegalArgumentError(`sessionTimeout must be positive, got ${sessionTimeout}`);
    this.cnxn = new ClientCnxn(
      parsed.hosts,
      {
        sessionTimeout,
        canBeReadOnly: opts.canBeReadOnly ?? false,
        maxOutstanding: Math.max(1, opts.maxOutstanding ?? 1000),
        spinDelayMs: opts.spinDelayMs ?? 1000,
        reconnectJitterMs: opts.reconnectJitterMs ?? 1000,
        maxFrameLength: opts.maxFrameLength ?? 4 * 1024 * 1024,
        disconnectedRequestTimeoutMs: opts.disconnectedRequestTimeoutMs ?? sessionTimeout,
        renewSessionOnExpiry: opts.renewSessionOnExpiry ?? false,
        shuffleHosts: opts.shuffleHosts ?? true,
        transport: opts.transport ?? netTransport,
        sessionId: opts.sessionId,
        sessionPasswd: opts.sessionPasswd,
      },
      {
        notification: (ev) => this.onNotification(ev),
        watchPackets: (zxid) => this.setWatchesPackets(zxid),
        state: (next, prev) => this.emit('state', next, prev),
        keeperState: (state) => this.emit('watchedEvent', { type: -1, state, path: null }),
        sessionGone: () => this.watches.clear(),
        connectFailed: (host, reason) => this.emit('connectFailed', host, reason),
      },
    );
    for (const a of opts.authInfo ?? []) {
      // Failures surface as the authFailed state; nobody awaits these.
      this.cnxn.addAuth(a.scheme, typeof a.auth === 'string' ? Buffer.from(a.auth, 'utf8') : a.auth).catch(() => undefined);
    }
  }

  // ---- session facts

  get state(): ClientState {
    return this.cnxn.state;
  }
  get sessionId(): bigint {
    return this.cnxn.sessionId;
  }
  get sessionPasswd(): Buffer {
    return this.cnxn.sessionPasswd;
  }
  /** The timeout the server granted (0 before the first connection). */
  get sessionTimeout(): number {
    return this.cnxn.negotiatedTimeout;
  }
  /** The highest zxid seen in a reply. */
  get lastZxid(): bigint {
    return this.cnxn.lastZxid;
  }
  /** "host:port" of the server we are connected to, or null. */
  get connectedServer(): string | null {
    return this.cnxn.server ? formatHostPort(this.cnxn.server) : null;
  }
  /** The order hosts are tried in. */
  get hostOrder(): readonly HostPort[] {
    return this.cnxn.hostOrder();
  }

  stats(): CnxnStats & { watches: Record<WatchKind, number> } {
    return { ...this.cnxn.stats(), watches: this.watches.counts() };
  }

  /** Resolves once connected (read-only counts if allowed); rejects on expiry, auth failure, close or timeout. */
  waitConnected(timeoutMs = 30_000): Promise<void> {
    const ok = (s: ClientState) => s === 'connected' || s === 'readOnly';
    if (ok(this.state)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        off();
        if (err) reject(err);
        else resolve();
      };
      const why = `Could not connect to ${this.connectString} within ${timeoutMs} ms: check that the servers are running and the connect string is right`;
      const timer = setTimeout(() => done(zkError(Err.CONNECTIONLOSS, undefined, why)), timeoutMs);
      const off = this.on('state', (s) => {
        if (ok(s)) done();
        else if (s === 'expired' && this.cnxn.isAlive) return;
        else if (s === 'expired') done(zkError(Err.SESSIONEXPIRED));
        else if (s === 'authFailed') done(zkError(Err.AUTHFAILED));
        else if (s === 'closed') done(zkError(Err.SESSIONEXPIRED, undefined, 'The client was closed before it connected'));
      });
    });
  }

  // ---- reads and writes

  /** Creates a znode; resolves with its final path (with the sequence suffix, without the chroot). */
  async create(path: string, data: Data = null, opts: CreateOptions = {}): Promise<string> {
    return (await this.createInternal(path, data, opts, false)).path;
  }

  /** Creates a znode and returns its Stat too (create2). */
  async create2(path: string, data: Data = null, opts: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    return this.createInternal(path, data, opts, true) as Promise<{ path: string; stat: Stat }>;
  }

  private createInternal(path: string, data: Data, opts: CreateOptions, withStat: boolean): Promise<{ path: string; stat?: Stat }> {
    const wire = this.createWire(path, data, opts, withStat);
    // Java reads only the path for opcode 1; 15, 19 and 21 answer with Create2Response.
    const hasStatReply = wire.type !== OpCode.create;
    return this.request(
      wire.type,
      wire.write,
      (r) => {
        if (!hasStatReply) return { path: this.toClient(R.CreateResponse.read(r).path) };
        const res = R.Create2Response.read(r);
        return { path: this.toClient(res.path), stat: res.stat };
      },
      path,
    );
  }

  /** Validates a create and turns it into its opcode and body (shared with multi). */
  private createWire(path: string, data: Data | undefined, opts: CreateOptions, withStat: boolean): WireOp {
    const mode = opts.mode ?? CreateMode.PERSISTENT;
    if (!Object.values(CreateMode).includes(mode as any)) throw new IllegalArgumentError(`Received an invalid flag value: ${mode} to convert to a CreateMode`);
    const sequential = mode === CreateMode.PERSISTENT_SEQUENTIAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    this.validate(path, sequential);
    let ttl = -1n;
    if (isTtlMode(mode)) {
      if (opts.ttl === undefined) throw new IllegalArgumentError('ttl must be given for a TTL create mode');
      ttl = BigInt(opts.ttl);
      if (ttl <= 0n || ttl > MAX_TTL_MS) throw new IllegalArgumentError(`ttl must be positive and cannot be larger than: ${MAX_TTL_MS}`);
    } else if (opts.ttl !== undefined && BigInt(opts.ttl) >= 0n) {
      throw new IllegalArgumentError(`ttl not valid for createMode: ${modeName(mode)}`);
    }
    const acl = opts.acl ?? OPEN_ACL_UNSAFE;
    // Java's validateACL throws without a path (zkCli prints "Acl is not valid : null").
    if (acl.length === 0) throw zkError(Err.INVALIDACL);
    const serverPath = this.toServer(path);
    const bytes = toBuffer(data);
    return { type: createOpcode(mode, withStat), write: (w) => writeCreate(w, serverPath, bytes, acl, mode, ttl) };
  }

  /** Deletes a znode if its version matches (-1: any version). */
  async delete(path: string, version = -1): Promise<void> {
    this.validate(path);
    // The root stays the root even under a chroot: nobody deletes their chroot by accident.
    const serverPath = path === '/' ? '/' : this.toServer(path);
    return this.request(OpCode.delete, (w) => R.DeleteRequest.write(w, { path: serverPath, version }), () => undefined, path);
  }

  /** The Stat of a znode, or null if it does not exist; a watch fires on create, change or delete. */
  async exists(path: string, watch?: WatchArg): Promise<Stat | null> {
    this.validate(path);
    const w = this.watcherOf(watch);
    return this.request(
      OpCode.exists,
      (wr) => R.ExistsRequest.write(wr, { path: this.toServer(path), watch: w !== null }),
      (r) => R.ExistsResponse.read(r).stat,
      path,
      {
        onError: (err) => (err === Err.NONODE ? null : undefined),
        register: (err) => {
          if (!w) return;
          if (err === Err.OK) this.watches.add('data', path, w);
          else if (err === Err.NONODE) this.watches.add('exist', path, w);
        },
      },
    );
  }

  /** Data and Stat of a znode; data is null when the znode holds null (not empty) data. */
  async getData(path: string, watch?: WatchArg): Promise<{ data: Buffer | null; stat: Stat }> {
    this.validate(path);
    const w = this.watcherOf(watch);
    return this.request(
      OpCode.getData,
      (wr) => R.GetDataRequest.write(wr, { path: this.toServer(path), watch: w !== null }),
      (r) => R.GetDataResponse.read(r),
      path,
      { register: (err) => w && err === Err.OK && this.watches.add('data', path, w) },
    );
  }

  /** Sets data if the version matches (-1: any); resolves with the new Stat. */
  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    this.validate(path);
    const bytes = toBuffer(data);
    return this.request(
      OpCode.setData,
      (w) => R.SetDataRequest.write(w, { path: this.toServer(path), data: bytes, version }),
      (r) => R.SetDataResponse.read(r).stat,
      path,
    );
  }

  async getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    this.validate(path);
    return this.request(OpCode.getACL, (w) => R.GetACLRequest.write(w, { path: this.toServer(path) }), (r) => R.GetACLResponse.read(r), path);
  }

  /** Replaces the ACL if the ACL version (aversion) matches (-1: any). */
  async setACL(path: string, acl: ACL[], version = -1): Promise<Stat> {
    this.validate(path);
    if (acl.length === 0) throw zkError(Err.INVALIDACL);
    return this.request(
      OpCode.setACL,
      (w) => R.SetACLRequest.write(w, { path: this.toServer(path), acl, version }),
      (r) => R.SetACLResponse.read(r).stat,
      path,
    );
  }

  /** Child names (unordered); a watch fires when the list changes or the znode goes. */
  async getChildren(path: string, watch?: WatchArg): Promise<string[]> {
    this.validate(path);
    const w = this.watcherOf(watch);
    return this.request(
      OpCode.getChildren,
      (wr) => R.GetChildrenRequest.write(wr, { path: this.toServer(path), watch: w !== null }),
      (r) => R.GetChildrenResponse.read(r).children,
      path,
      { register: (err) => w && err === Err.OK && this.watches.add('child', path, w) },
    );
  }

  /** Child names and the parent's Stat (getChildren2). */
  async getChildren2(path: string, watch?: WatchArg): Promise<{ children: string[]; stat: Stat }> {
    this.validate(path);
    const w = this.watcherOf(watch);
    return this.request(
      OpCode.getChildren2,
      (wr) => R.GetChildren2Request.write(wr, { path: this.toServer(path), watch: w !== null }),
      (r) => R.GetChildren2Response.read(r),
      path,
      { register: (err) => w && err === Err.OK && this.watches.add('child', path, w) },
    );
  }

  /** Number of all descendants of a znode. */
  async getAllChildrenNumber(path: string): Promise<number> {
    this.validate(path);
    return this.request(
      OpCode.getAllChildrenNumber,
      (w) => R.GetAllChildrenNumberRequest.write(w, { path: this.toServer(path) }),
      (r) => R.GetAllChildrenNumberResponse.read(r).totalNumber,
      path,
    );
  }

  /** This session's ephemeral znodes whose path starts with `prefix` (all of them for "/"). */
  async getEphemerals(prefix = '/'): Promise<string[]> {
    this.validate(prefix);
    return this.request(
      OpCode.getEphemerals,
      (w) => R.GetEphemeralsRequest.write(w, { prefixPath: this.toServer(prefix) }),
      (r) => R.GetEphemeralsResponse.read(r).ephemerals.map((p) => this.toClient(p)),
      prefix,
    );
  }

  /** Waits until the connected server has caught up with the leader (as of this call). */
  async sync(path: string): Promise<string> {
    this.validate(path);
    return this.request(OpCode.sync, (w) => R.SyncRequest.write(w, { path: this.toServer(path) }), (r) => this.toClient(R.SyncResponse.read(r).path), path);
  }

  /**
   * Runs writes atomically. Resolves with one result per op; if any op fails nothing is
   * applied and it rejects with a MultiError (code of the failing op, every slot's result).
   */
  async multi(ops: Op[]): Promise<OpResult[]> {
    const wire = ops.map((op) => this.opWire(op));
    return this.request(
      OpCode.multi,
      (w) => writeMulti(w, wire),
      (r) => readMultiResponse(r, (p) => this.toClient(p)),
      undefined,
    ).then((results) => {
      const failed = firstFailure(results);
      if (failed >= 0) throw new MultiError((results[failed] as { err: number }).err, results, failed);
      return results;
    });
  }

  /** Runs reads together; each slot is its result or an `error` result (ops are independent). */
  async multiRead(ops: ReadOp[]): Promise<OpResult[]> {
    const wire: WireOp[] = ops.map((op) => {
      this.validate(op.path);
      const path = this.toServer(op.path);
      if (op.op === 'getData') return { type: OpCode.getData, write: (w: Writer) => R.GetDataRequest.write(w, { path, watch: false }) };
      if (op.op === 'getChildren') return { type: OpCode.getChildren, write: (w: Writer) => R.GetChildrenRequest.write(w, { path, watch: false }) };
      throw new IllegalArgumentError(`multiRead takes getData and getChildren, not ${(op as { op: string }).op}`);
    });
    return this.request(OpCode.multiRead, (w) => writeMulti(w, wire), (r) => readMultiResponse(r, (p) => this.toClient(p)), undefined);
  }

  private opWire(op: Op): WireOp {
    switch (op.op) {
      case 'create':
        return this.createWire(op.path, op.data, op, op.withStat ?? false);
      case 'delete': {
        this.validate(op.path);
        const path = this.toServer(op.path);
        return { type: OpCode.delete, write: (w) => R.DeleteRequest.write(w, { path, version: op.version ?? -1 }) };
      }
      case 'setData': {
        this.validate(op.path);
        const path = this.toServer(op.path);
        const data = toBuffer(op.data);
        return { type: OpCode.setData, write: (w) => R.SetDataRequest.write(w, { path, data, version: op.version ?? -1 }) };
      }
      case 'check': {
        this.validate(op.path);
        const path = this.toServer(op.path);
        return { type: OpCode.check, write: (w) => R.CheckVersionRequest.write(w, { path, version: op.version }) };
      }
      default:
        throw new IllegalArgumentError(`unknown multi op ${(op as { op: string }).op}`);
    }
  }

  /** Adds credentials (e.g. 'digest', 'user:password') for this and every later connection. */
  async addAuth(scheme: string, auth: string | Buffer): Promise<void> {
    try {
      await this.cnxn.addAuth(scheme, typeof auth === 'string' ? Buffer.from(auth, 'utf8') : auth);
    } catch (err) {
      throw typeof err === 'number' ? zkError(err) : err;
    }
  }

  /** The identities the server holds for this connection (ip, digest user, ...). */
  async whoAmI(): Promise<ClientInfo[]> {
    return this.request(OpCode.whoAmI, undefined, (r) => R.WhoAmIResponse.read(r).clientInfo, undefined);
  }

  /** The ensemble's dynamic config (/zookeeper/config, never under the chroot). */
  async getConfig(watch?: WatchArg): Promise<{ data: Buffer | null; stat: Stat }> {
    const w = this.watcherOf(watch);
    return this.request(
      OpCode.getData,
      (wr) => R.GetDataRequest.write(wr, { path: CONFIG_NODE, watch: w !== null }),
      (r) => R.GetDataResponse.read(r),
      CONFIG_NODE,
      { register: (err) => w && err === Err.OK && this.watches.add('data', CONFIG_NODE, w) },
    );
  }

  /**
   * Changes the ensemble's membership (ZooKeeperAdmin.reconfigure): incremental with
   * `joining`/`leaving` ("server.4=host:p1:p2;cport", ids for leaving, comma-separated) or
   * whole with `members`; `fromConfig` is the config version expected (-1: any). Resolves with
   * the new config text and the Stat of /zookeeper/config.
   */
  async reconfig(change: { joining?: string; leaving?: string; members?: string; fromConfig?: bigint }): Promise<{ data: Buffer | null; stat: Stat }> {
    // Absent parts travel as null strings, not empty ones: the server parses anything non-null.
    const orNull = (s: string | undefined) => (s === undefined ? (null as unknown as string) : s);
    return this.request(
      OpCode.reconfig,
      (w) =>
        R.ReconfigRequest.write(w, {
          joiningServers: orNull(change.joining),
          leavingServers: orNull(change.leaving),
          newMembers: orNull(change.members),
          curConfigId: change.fromConfig ?? -1n,
        }),
      (r) => R.GetDataResponse.read(r),
      undefined,
    );
  }

  /** A persistent (mode 0) or persistent recursive (mode 1) watch that stays until removed. */
  async addWatch(path: string, watch: Watcher | true, mode: number = AddWatchMode.PERSISTENT): Promise<void> {
    this.validate(path);
    if (mode !== AddWatchMode.PERSISTENT && mode !== AddWatchMode.PERSISTENT_RECURSIVE) {
      throw new IllegalArgumentError(`addWatch mode must be 0 (PERSISTENT) or 1 (PERSISTENT_RECURSIVE), got ${mode}`);
    }
    const w = this.watcherOf(watch)!;
    return this.request(
      OpCode.addWatch,
      (wr) => R.AddWatchRequest.write(wr, { path: this.toServer(path), mode }),
      () => undefined,
      path,
      {
        register: (err) => {
          if (err === Err.OK) this.watches.add(mode === AddWatchMode.PERSISTENT ? 'persistent' : 'persistentRecursive', path, w);
        },
      },
    );
  }

  /**
   * Removes one watcher (or, without `watcher`, all of them) of a WatcherType at a path; the
   * removed watchers get a DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved event.
   * `local`: remove on this side even if the server cannot be told.
   */
  async removeWatches(path: string, type: number = WatcherType.Any, watcher?: Watcher | true, local = false): Promise<void> {
    this.validate(path);
    const w = watcher === undefined ? undefined : this.watcherOf(watcher)!;
    if (!this.watches.contains(path, type, w)) throw zkError(Err.NOWATCHER, path);
    try {
      await this.request(
        w ? OpCode.checkWatches : OpCode.removeWatches,
        (wr) => R.WatchesRequest.write(wr, { path: this.toServer(path), type }),
        () => undefined,
        path,
      );
    } catch (e) {
      if (!(e instanceof ZkError)) throw e;
      if (!local) throw e;
    }
    const removed = this.watches.remove(path, type, w);
    if (removed.length === 0) throw zkError(Err.NOWATCHER, path);
    for (const r of removed) r.watcher({ type: r.eventType, state: KeeperState.SyncConnected, path });
  }

  /** Closes the session (waiting up to `timeoutMs` for the server's answer): its ephemerals go at once and its watches end. */
  close(timeoutMs = 2000): Promise<void> {
    return this.cnxn.close(timeoutMs);
  }

  /** Drops the TCP connection (the session lives on and the client reconnects): for tests and fault injection. */
  dropConnection(): void {
    this.cnxn.dropConnection();
  }

  // ---- plumbing

  private validate(path: string, sequential = false): void {
    const reason = typeof path === 'string' ? pathError(path, sequential) : 'Path cannot be null';
    if (reason !== null) throw new IllegalArgumentError(reason);
  }

  private toServer(path: string): string {
    return withChroot(this.chroot, path);
  }

  private toClient(serverPath: string): string {
    return withoutChroot(this.chroot, serverPath);
  }

  private watcherOf(watch: WatchArg): Watcher | null {
    if (watch === true) return this.defaultWatcher;
    if (typeof watch === 'function') return watch;
    return null;
  }

  private request<T>(
    type: number,
    write: ((w: Writer) => void) | undefined,
    decode: (r: Reader) => T,
    path: string | undefined,
    extra: { onError?: (err: number) => T | undefined; register?: (err: number) => unknown } = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Packet = {
        type,
        write,
        reply: (err, r) => {
          // Register before resolving: an event after this reply must find the watcher.
          extra.register?.(err);
          if (err === Err.OK) {
            resolve(decode(r));
            return;
          }
          const alt = extra.onError?.(err);
          if (alt !== undefined) resolve(alt);
          else reject(zkError(err, path));
        },
        fail: (err) => reject(zkError(err, path)),
      };
      this.cnxn.submit(p);
    });
  }

  private onNotification(ev: WatcherEvent): void {
    const path = this.toClient(ev.path);
    const event: WatchedEvent = { type: ev.type, state: ev.state, path };
    for (const w of this.watches.materialize(ev.type, path)) {
      try {
        w(event);
      } catch (e) {
        this.onListenerError(e, 'watcher');
      }
    }
  }

  /** SetWatches (or SetWatches2 when persistent watches exist), in batches, for a fresh connection. */
  private setWatchesPackets(relativeZxid: bigint): Packet[] {
    if (this.watches.isEmpty()) return [];
    return setWatchesPackets(this.watches.snapshot(), relativeZxid, (p) => (p === CONFIG_NODE ? p : this.toServer(p)));
  }
}

function modeName(mode: number): string {
  return Object.entries(CreateMode).find(([, v]) => v === mode)?.[0] ?? String(mode);
}

/** Creates a client and waits until it is connected (closing it again if that fails). */
export async function connect(connectString: string, opts: ClientOptions & { timeoutMs?: number } = {}): Promise<ZkClient> {
  const client = new ZkClient(connectString, opts);
  try {
    await client.waitConnected(opts.timeoutMs ?? 30_000);
  } catch (e) {
    await client.close();
    throw e;
  }
  return client;
}

// A simulated ZooKeeper client: one session at a time over the simulated network, speaking the
// real wire to a member's ClientConnection (ConnectRequest, request/reply headers, pings), with
// the sim clock for its timers. It records what every write returned (the zxid and version an
// acknowledgement names, or fail, or unknown when the connection went first), for the checker.
import { CreateMode, Err, OpCode } from '../../../src/protocol/codes';
import { Reader, Writer } from '../../../src/protocol/jute';
import * as R from '../../../src/protocol/records';
import { FrameReader } from '../../../src/client/frame';
import { JUTE_MAXBUFFER_DEFAULT } from '../../../src/protocol/limits';
import { writeMulti, writeCreate } from '../../../src/client/multi';
import type { Conn, Net } from '../../../src/server/runtime/net';
import type { SimClock, World } from './world';

const OPEN_ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

export type OpKind = 'create' | 'set' | 'cas' | 'create-seq' | 'create-eph' | 'multi' | 'get' | 'sync';

export interface Outcome {
  client: number;
  kind: OpKind;
  path: string;
  value: string;
  invoke: number;
  complete: number | null;
  result: 'ok' | 'fail' | 'unknown';
  err?: number;
  /** The reply header's zxid (for an ok write: its txn's zxid). */
  zxid?: bigint;
  /** setData / cas / multi's setData: the znode's version after the write. */
  version?: number;
  /** create-seq: the name the server chose. */
  created?: string;
}

interface Pending {
  xid: number;
  outcome: Outcome;
  parse: (r: Reader, o: Outcome) => void;
}

export class SimClient {
  private conn: Conn | null = null;
  private frames = new FrameReader(JUTE_MAXBUFFER_DEFAULT);
  private sessionId = 0n;
  private passwd: Buffer = Buffer.alloc(16);
  private lastZxid = 0n;
  private connected = false;
  private xid = 1;
  private readonly pending: Pending[] = [];
  private pinger: { cancel(): void } | null = null;
  readonly outcomes: Outcome[] = [];
  sessions = 0;
  expired = 0;

  constructor(
    readonly id: number,
    private readonly world: World,
    private readonly net: Net,
    private readonly clock: SimClock,
    private readonly members: { host: string; port: number }[],
    private readonly timeoutMs: number,
  ) {}

  get busy(): boolean {
    return this.pending.length > 0;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connects (again) to a member chosen by the seed, resuming the session if it has one. */
  connect(): void {
    if (this.conn) return;
    const m = this.world.rng.pick(this.members);
    const c = this.net.connect(m.host, m.port);
    this.conn = c;
    this.frames = new FrameReader(JUTE_MAXBUFFER_DEFAULT);
    c.on('connect', () => {
      const w = new Writer();
      R.ConnectRequest.write(w, { protocolVersion: 0, lastZxidSeen: this.lastZxid, timeOut: this.timeoutMs, sessionId: this.sessionId, passwd: this.passwd });
      w.bool(false);
      this.send(w);
    });
    c.on('data', (d: Buffer) => this.onData(c, d));
    c.on('close', () => this.lost(c));
    // A member that does not answer the handshake (cut off, stuck electing) is left for another.
    this.clock.after(this.timeoutMs / 2, () => {
      if (this.conn === c && !this.connected) c.destroy();
    });
  }

  private send(w: Writer): void {
    const frame = Buffer.allocUnsafe(4 + w.pos);
    frame.writeInt32BE(w.pos, 0);
    w.buf.copy(frame, 4, 0, w.pos);
    this.conn?.write(frame);
  }

  private lost(c: Conn): void {
    if (this.conn !== c) return;
    this.conn = null;
    this.connected = false;
    this.pinger?.cancel();
    this.pinger = null;
    for (const p of this.pending.splice(0)) this.finish(p.outcome, 'unknown', Err.CONNECTIONLOSS);
    this.clock.after(this.world.rng.int(5, 50), () => this.connect());
  }

  private finish(o: Outcome, result: Outcome['result'], err?: number): void {
    o.complete = this.world.now;
    o.result = result;
    if (err !== undefined) o.err = err;
    this.outcomes.push(o);
  }

  private onData(c: Conn, d: Buffer): void {
    if (this.conn !== c) return;
    for (const frame of this.frames.push(d)) {
      if (!this.connected) {
        const r = R.ConnectResponse.read(new Reader(Buffer.from(frame)));
        if (r.timeOut <= 0) {
          // SESSIONEXPIRED: a new session next time.
          this.expired++;
          this.sessionId = 0n;
          this.passwd = Buffer.alloc(16);
          c.destroy();
          return;
        }
        if (r.sessionId !== this.sessionId) this.sessions++;
        this.sessionId = r.sessionId;
        this.passwd = Buffer.from(r.passwd ?? Buffer.alloc(16));
        this.connected = true;
        this.pinger = this.clock.every(Math.max(10, Math.floor(r.timeOut / 3)), () => this.ping());
        continue;
      }
      const r = new Reader(Buffer.from(frame));
      const h = R.ReplyHeader.read(r);
      if (h.zxid > 0n && h.zxid > this.lastZxid) this.lastZxid = h.zxid;
      if (h.xid === -2 || h.xid === -1) continue; // ping, watch event
      const p = this.pending[0];
      if (!p || p.xid !== h.xid) {
        // An out-of-order reply: ZooKeeper's FIFO promise to a session is broken.
        this.world.violate(`client ${this.id}: reply xid ${h.xid} while waiting for ${p?.xid ?? 'nothing'}`);
        c.destroy();
        return;
      }
      this.pending.shift();
      if (h.err !== Err.OK) {
        this.finish(p.outcome, h.err === Err.CONNECTIONLOSS || h.err === Err.SESSIONEXPIRED ? 'unknown' : 'fail', h.err);
        if (h.err === Err.SESSIONEXPIRED) c.destroy();
        continue;
      }
      p.outcome.zxid = h.zxid;
      p.parse(r, p.outcome);
      this.finish(p.outcome, 'ok');
    }
  }

  private ping(): void {
    if (!this.connected) return;
    const w = new Writer();
    R.RequestHeader.write(w, { xid: -2, type: OpCode.ping });
    this.send(w);
  }

  private request(kind: OpKind, path: string, value: string, type: number, body: (w: Writer) => void, parse: Pending['parse']): void {
    const outcome: Outcome = { client: this.id, kind, path, value, invoke: this.world.now, complete: null, result: 'unknown' };
    if (!this.connected) return;
    const xid = this.xid++;
    const w = new Writer();
    R.RequestHeader.write(w, { xid, type });
    body(w);
    this.pending.push({ xid, outcome, parse });
    this.send(w);
  }

  set(path: string, value: string): void {
    this.request('set', path, value, OpCode.setData, (w) => R.SetDataRequest.write(w, { path, data: Buffer.from(value), version: -1 }), (r, o) => {
      o.version = R.SetDataResponse.read(r).stat.version;
    });
  }

  cas(path: string, value: string, expected: number): void {
    this.request('cas', path, value, OpCode.setData, (w) => R.SetDataRequest.write(w, { path, data: Buffer.from(value), version: expected }), (r, o) => {
      o.version = R.SetDataResponse.read(r).stat.version;
    });
  }

  createSeq(parent: string, value: string): void {
    this.request('create-seq', parent, value, OpCode.create, (w) => writeCreate(w, `${parent}/n-`, Buffer.from(value), OPEN_ACL, CreateMode.PERSISTENT_SEQUENTIAL, 0n), (r, o) => {
      o.created = R.CreateResponse.read(r).path;
    });
  }

  createPersistent(path: string): void {
    this.request('create', path, '', OpCode.create, (w) => writeCreate(w, path, Buffer.alloc(0), OPEN_ACL, CreateMode.PERSISTENT, 0n), (r) => {
      R.CreateResponse.read(r);
    });
  }

  createEphemeral(path: string, value: string): void {
    this.request('create-eph', path, value, OpCode.create, (w) => writeCreate(w, path, Buffer.from(value), OPEN_ACL, CreateMode.EPHEMERAL, 0n), (r) => {
      R.CreateResponse.read(r);
    });
  }

  /** A multi of a setData on `path` and a sequential create under `parent`: both or neither. */
  multi(path: string, parent: string, value: string): void {
    const ops = [
      { type: OpCode.setData, write: (w: Writer) => R.SetDataRequest.write(w, { path, data: Buffer.from(value), version: -1 }) },
      { type: OpCode.create, write: (w: Writer) => writeCreate(w, `${parent}/m-`, Buffer.from(value), OPEN_ACL, CreateMode.PERSISTENT_SEQUENTIAL, 0n) },
    ];
    this.request('multi', path, value, OpCode.multi, (w) => writeMulti(w, ops), (r, o) => {
      for (;;) {
        const mh = R.MultiHeader.read(r);
        if (mh.done) break;
        if (mh.type === OpCode.setData) o.version = R.SetDataResponse.read(r).stat.version;
        else if (mh.type === OpCode.create) o.created = R.CreateResponse.read(r).path;
        else if (mh.type === OpCode.error) R.ErrorResponse.read(r);
      }
    });
  }

  get(path: string): void {
    this.request('get', path, '', OpCode.getData, (w) => R.GetDataRequest.write(w, { path, watch: this.world.rng.chance(0.3) }), (r, o) => {
      const g = R.GetDataResponse.read(r);
      o.value = g.data ? g.data.toString() : '';
      o.version = g.stat.version;
    });
  }

  sync(path: string): void {
    this.request('sync', path, '', OpCode.sync, (w) => R.SyncRequest.write(w, { path }), (r) => {
      R.SyncResponse.read(r);
    });
  }

  /** The process died: its session lives on at the server until it expires. */
  stop(): void {
    this.pinger?.cancel();
    this.conn?.destroy();
    this.conn = null;
  }
}

// The simulated network: in-memory byte streams between the members (and the simulated
// clients), with the behaviour of TCP the member relies on and the lab's fault words on top.
// - A stream delivers its bytes in order, each write after a link latency (with jitter).
// - A cut link (a partition, a one-way cut) holds what crosses it, as the lab's relays do:
//   delivered in order once healed, if both ends still live. A connection opened across a cut
//   fails after a while (ETIMEDOUT), as a SYN would.
// - A reset drops a connection at both ends (the lab's "drop"); a killed member's connections
//   close at the other end, as the OS closes a dead process's sockets.
// Duplicates and reordering do not exist inside a TCP stream; the cores' simulator
// (test/quorum/sim) covers them message by message.
import { EventEmitter } from 'node:events';
import type { Conn, Listener, Net } from '../../../src/server/runtime/net';
import type { World } from './world';

interface Listening {
  owner: string;
  gen: number;
  accept: (c: Conn) => void;
}

export class SimConn extends EventEmitter {
  destroyed = false;
  readonly writableNeedDrain = false;
  readonly writableLength = 0;
  peer: SimConn | null = null;
  /** Logical time of the last delivery scheduled from this end (keeps the stream in order). */
  lastAt = 0;
  /** Deliveries held by a cut, in order. */
  held: (() => void)[] = [];
  private idleMs = 0;
  private idleGen = 0;
  private lastActivity = 0;

  constructor(
    private readonly hub: SimHub,
    readonly owner: string,
    readonly gen: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    super();
    this.on('error', () => {}); // an unhandled 'error' must not throw inside the simulation
  }

  write(bytes: Buffer | Uint8Array): boolean {
    if (this.destroyed || !this.peer) return false;
    this.touch();
    this.hub.deliver(this, Buffer.from(bytes));
    return true;
  }

  end(text?: string): void {
    if (text !== undefined) this.write(Buffer.from(text, 'utf8'));
    this.close(true);
  }

  destroy(): void {
    this.close(false);
  }

  private close(graceful: boolean): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.hub.closed(this, graceful);
    this.hub.world.sched.after(0, () => this.emit('close'));
  }

  /** The other end went away. */
  remoteClosed(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }

  received(bytes: Buffer): void {
    if (this.destroyed) return;
    this.touch();
    this.emit('data', bytes);
  }

  setNoDelay(): this {
    return this;
  }

  cork(): void {}
  uncork(): void {}
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }

  setTimeout(ms: number, onTimeout?: () => void): this {
    if (onTimeout) this.once('timeout', onTimeout);
    this.idleMs = ms;
    const gen = ++this.idleGen;
    if (ms > 0) this.armIdle(gen, this.hub.world.now + ms);
    return this;
  }

  private touch(): void {
    this.lastActivity = this.hub.world.now;
  }

  private armIdle(gen: number, at: number): void {
    this.hub.world.sched.at(at, () => {
      if (gen !== this.idleGen || this.destroyed || this.idleMs <= 0 || !this.hub.alive(this.owner, this.gen)) return;
      const due = this.lastActivity + this.idleMs;
      if (this.hub.world.now >= due) this.emit('timeout');
      else this.armIdle(gen, due);
    });
  }
}

export class SimHub {
  private readonly listeners = new Map<string, Listening>();
  private readonly conns = new Set<SimConn>();
  /** Directed cuts "a>b": what a sends to b is held. */
  private readonly cuts = new Set<string>();
  /** Extra latency per directed link "a>b" (a slow link). */
  private readonly slow = new Map<string, number>();
  private readonly gens = new Map<string, number>();
  resets = 0;

  constructor(readonly world: World) {}

  /** The Net of one incarnation of `owner` (a member "m3" or a client "c2"). */
  netFor(owner: string): Net {
    const gen = (this.gens.get(owner) ?? 0) + 1;
    this.gens.set(owner, gen);
    return {
      listen: (host, port, accept) => {
        const addr = `${host}:${port}`;
        const l: Listening = { owner, gen, accept };
        this.listeners.set(addr, l);
        return Promise.resolve<Listener>({
          port,
          close: () => {
            if (this.listeners.get(addr) === l) this.listeners.delete(addr);
            return Promise.resolve();
          },
        });
      },
      connect: (host, port) => this.connect(owner, gen, host, port),
    };
  }

  alive(owner: string, gen: number): boolean {
    return this.gens.get(owner) === gen;
  }

  /** The incarnation is gone: its streams close at the other end, its ports stop answering. */
  kill(owner: string): void {
    this.gens.set(owner, (this.gens.get(owner) ?? 0) + 1);
    for (const [addr, l] of this.listeners) if (l.owner === owner) this.listeners.delete(addr);
    for (const c of [...this.conns]) {
      if (c.owner !== owner) continue;
      c.destroyed = true;
      this.closed(c, false);
    }
  }

  private key(a: string, b: string): string {
    return `${a}>${b}`;
  }

  isCut(a: string, b: string): boolean {
    return this.cuts.has(this.key(a, b));
  }

  cut(a: string, b: string): void {
    this.cuts.add(this.key(a, b));
  }

  /** Heals every cut and slow link; held bytes flow again, in order. */
  healAll(): void {
    this.cuts.clear();
    this.slow.clear();
    for (const c of this.conns) this.release(c);
  }

  setSlow(a: string, b: string, ms: number): void {
    this.slow.set(this.key(a, b), ms);
  }

  private latency(a: string, b: string): number {
    return this.world.rng.int(1, 3) + (this.slow.get(this.key(a, b)) ?? 0);
  }

  /** Member-to-member streams (for resets). */
  liveStreams(): SimConn[] {
    return [...this.conns].filter((c) => !c.destroyed && c.peer && !c.peer.destroyed && c.owner < c.peer.owner && c.owner.startsWith('m') && c.peer.owner.startsWith('m'));
  }

  /** The lab's "drop": the connection resets at both ends. */
  reset(c: SimConn): void {
    this.resets++;
    const p = c.peer;
    c.destroy();
    p?.destroy();
  }

  private connect(owner: string, gen: number, host: string, port: number): Conn {
    const c = new SimConn(this, owner, gen, host, port);
    if (!this.alive(owner, gen)) return c; // a dead incarnation's dial goes nowhere
    this.conns.add(c);
    const addr = `${host}:${port}`;
    const l0 = this.listeners.get(addr);
    const lat = l0 ? this.latency(owner, l0.owner) : 1;
    this.world.sched.after(lat, () => {
      if (c.destroyed || !this.alive(owner, gen)) return;
      const l = this.listeners.get(addr);
      if (!l || !this.alive(l.owner, l.gen)) return this.fail(c, 'ECONNREFUSED');
      if (this.isCut(owner, l.owner) || this.isCut(l.owner, owner)) {
        this.world.sched.after(this.world.rng.int(1000, 3000), () => this.fail(c, 'ETIMEDOUT'));
        return;
      }
      const s = new SimConn(this, l.owner, l.gen, `sim-${owner}`, 40000 + this.conns.size);
      this.conns.add(s);
      c.peer = s;
      s.peer = c;
      l.accept(s);
      c.emit('connect');
    });
    return c;
  }

  private fail(c: SimConn, code: string): void {
    if (c.destroyed) return;
    c.destroyed = true;
    this.conns.delete(c);
    c.emit('error', Object.assign(new Error(`connect ${code}`), { code }));
    c.emit('close');
  }

  /** Schedules `bytes` from `from` to its peer, after what it sent before. */
  deliver(from: SimConn, bytes: Buffer): void {
    this.send(from, () => from.peer?.received(bytes));
  }

  private send(from: SimConn, arrive: () => void): void {
    const to = from.peer;
    if (!to) return;
    const at = Math.max(this.world.now + this.latency(from.owner, to.owner), from.lastAt);
    from.lastAt = at;
    this.world.sched.at(at, () => {
      if (from.held.length > 0 || this.isCut(from.owner, to.owner)) from.held.push(arrive);
      else arrive();
    });
  }

  /** What a cut held arrives now, before anything sent after it (still on its way). */
  private release(c: SimConn): void {
    for (const arrive of c.held.splice(0)) arrive();
    if (c.destroyed) this.conns.delete(c);
  }

  /** `c` closed: the other end learns it after what `c` sent (a closed end stays listed while a cut holds its bytes). */
  closed(c: SimConn, _graceful: boolean): void {
    const p = c.peer;
    if (p) this.send(c, () => {
      p.remoteClosed();
      if (p.held.length === 0) this.conns.delete(p);
      if (c.held.length === 0) this.conns.delete(c);
    });
    else this.conns.delete(c);
  }
}

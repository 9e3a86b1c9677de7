// The lab's network: a relay for every ordered pair of members (quorum and election ports) and one
// per member for the lab's clients, the faults in force, and the Wire capture. Members never talk
// to each other directly: each member's zoo.cfg names, for every other member, the relay of that
// pair (labdir.ts writes it), so every byte between members passes here.
import { randomInt } from 'node:crypto';
import type { WireUnit } from '../../protocol/wire';
import type { Fault, FaultSpec, LinkView, NetView, WireCapture, WireMessage, WireQuery } from '../../shared/net';
import { WireRing } from './capture';
import type { Pipe } from './pipe';
import { Relay, type RelayHost, type RelaySpec } from './relay';
import { CLIENTS, checkSpec, describeFault, ruleFor, type ActiveFault, type LinkKind, type PipeRule } from './rules';
import { said } from '../../shared/said';
import { saidEvent } from '../said';

/** The relay ports of a lab (lab.json): "<from>-<to>" → port, and member → port for clients. */
export interface NetPorts {
  quorum: Record<string, number>;
  election: Record<string, number>;
  client: Record<string, number>;
}

export interface NetMember {
  myid: number;
  quorumPort: number;
  electionPort: number;
  clientPort: number;
}

/** The relay specs of a lab. */
export function relaySpecs(members: NetMember[], ports: NetPorts): RelaySpec[] {
  const out: RelaySpec[] = [];
  for (const a of members) {
    for (const b of members) {
      if (a.myid === b.myid) continue;
      const key = `${a.myid}-${b.myid}`;
      // A member a reconfig added has no relays of its own (members talk directly after a reconfig).
      if (ports.quorum[key] === undefined || ports.election[key] === undefined) continue;
      const back = ports.election[`${b.myid}-${a.myid}`];
      out.push({ kind: 'quorum', from: a.myid, to: b.myid, listenPort: ports.quorum[key]!, targetPort: b.quorumPort });
      // b connects back to a (QuorumCnxManager keeps only connections from the larger sid) at the
      // address a's handshake names: the relay of b → a, so that connection is the lab's too.
      out.push({ kind: 'election', from: a.myid, to: b.myid, listenPort: ports.election[key]!, targetPort: b.electionPort, connectBackAddress: back ? `127.0.0.1:${back}` : undefined });
    }
    const cp = ports.client[String(a.myid)];
    if (cp) out.push({ kind: 'client', from: CLIENTS, to: a.myid, listenPort: cp, targetPort: a.clientPort });
  }
  return out;
}

export interface NetworkHooks {
  /** A fault started, healed or released: into the lab's history. */
  record(type: string, detail: string, data: Record<string, unknown>): void;
  /** The network's view changed. */
  changed(view: NetView): void;
  /** New or changed captured messages (batched a few times a second). */
  wire(messages: WireMessage[]): void;
}

/** How often captured messages and link counters go out to the UI. */
const PUSH_MS = 200;

export class LabNetwork implements RelayHost {
  private readonly relays: Relay[];
  private readonly faults: ActiveFault[] = [];
  private nextFault = 1;
  readonly ring = new WireRing();
  private rules = new Map<string, PipeRule>();
  private pushTimer: NodeJS.Timeout | null = null;
  private viewDirty = false;
  private closed = false;
  private readonly memberIds: number[];

  constructor(
    private readonly members: NetMember[],
    readonly ports: NetPorts,
    private readonly hooks: NetworkHooks,
  ) {
    this.memberIds = members.map((m) => m.myid).sort((a, b) => a - b);
    this.relays = relaySpecs(members, ports).map((s) => new Relay(this, s));
  }

  /** Opens every relay port. */
  async start(): Promise<void> {
    try {
      await Promise.all(this.relays.map((r) => r.listen()));
    } catch (e) {
      this.close();
      throw e;
    }
    this.pushTimer = setInterval(() => this.flush(), PUSH_MS);
    this.pushTimer.unref();
  }

  /** Closes every relay and connection; the faults end with it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pushTimer) clearInterval(this.pushTimer);
    for (const r of this.relays) r.close();
  }

  /** The port the lab's clients use for member `myid`. */
  clientPort(myid: number): number | null {
    return this.ports.client[String(myid)] ?? null;
  }

  // ---- RelayHost
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  random(): number {
    return randomInt(0, 1 << 30) / (1 << 30);
  }

  rule(kind: LinkKind, from: number, to: number): PipeRule {
    const key = `${kind}:${from}:${to}`;
    let r = this.rules.get(key);
    if (!r) {
      r = ruleFor(this.faults, this.memberIds, kind, from, to);
      this.rules.set(key, r);
    }
    return r;
  }

  mayConnect(kind: LinkKind, from: number, to: number): boolean {
    return this.rule(kind, from, to).cutBy === null && this.rule(kind, to, from).cutBy === null;
  }

  capture(pipe: Pipe, unit: WireUnit): WireMessage | null {
    if (pipe.kind === 'client') return null;
    this.viewDirty = true;
    return this.ring.add(this.now(), pipe.kind, pipe.from, pipe.to, unit);
  }

  updated(msg: WireMessage): void {
    this.ring.updated(msg);
    this.viewDirty = true;
  }

  changed(): void {
    this.viewDirty = true;
  }

  // ---- faults
  /** Starts a network fault (process and disk faults are the service's); throws a sentence when it makes no sense. */
  addFault(spec: FaultSpec): Fault {
    const why = checkSpec(spec, this.memberIds);
    if (why) throw new Error(why);
    const f: ActiveFault = { id: `f${this.nextFault++}`, spec, startedAt: Date.now() };
    this.faults.push(f);
    this.reapply();
    this.hooks.record('net.fault.started', ...saidEvent(said('faultStarted', { id: f.id, fault: describeFault(spec) }), { id: f.id, spec }));
    return this.faultView(f);
  }

  /** Registers a fault the service carries out (process, disk), so it shows in the same list. */
  addExternal(spec: FaultSpec, id?: string): Fault {
    const f: ActiveFault = { id: id ?? `f${this.nextFault++}`, spec, startedAt: Date.now() };
    this.faults.push(f);
    this.hooks.record('net.fault.started', ...saidEvent(said('faultStarted', { id: f.id, fault: describeFault(spec) }), { id: f.id, spec }));
    this.viewDirty = true;
    return this.faultView(f);
  }

  has(id: string): boolean {
    return this.faults.some((f) => f.id === id);
  }

  active(): ActiveFault[] {
    return [...this.faults];
  }

  /** Ends one fault (or all when id is null), delivering what it held. Returns those that ended. */
  heal(id: string | null): ActiveFault[] {
    if (id !== null && !this.has(id)) throw new Error(`There is no fault ${id} in force (faults: ${this.faults.map((f) => f.id).join(', ') || 'none'}).`);
    const ended = this.faults.filter((f) => id === null || f.id === id);
    for (const f of ended) this.faults.splice(this.faults.indexOf(f), 1);
    this.reapply();
    for (const f of ended) this.hooks.record('net.fault.healed', ...saidEvent(said('faultHealed', { id: f.id, fault: describeFault(f.spec) }), { id: f.id, spec: f.spec }));
    return ended;
  }

  /** Delivers what holds have set aside so far (one hold's, or every one's), in order. */
  release(id: string | null): number {
    if (id !== null) {
      const f = this.faults.find((x) => x.id === id);
      if (!f) throw new Error(`There is no fault ${id} in force.`);
      if (f.spec.kind !== 'hold') throw new Error(`${id} is not a hold (it is "${describeFault(f.spec)}"): heal it instead.`);
    }
    let n = 0;
    for (const p of this.pipes()) n += p.release(id);
    this.hooks.record('net.released', `released ${n} held message(s)${id ? ` of ${id}` : ''}`, { id, count: n });
    this.viewDirty = true;
    return n;
  }

  private reapply(): void {
    this.rules.clear();
    for (const r of this.relays) r.applyRules();
    this.viewDirty = true;
    this.flush();
  }

  private *pipes(): Generator<Pipe> {
    for (const r of this.relays) {
      for (const c of r.connections) {
        yield c.up;
        yield c.down;
      }
    }
  }

  private faultView(f: ActiveFault): Fault {
    let held = 0;
    for (const p of this.pipes()) held += p.heldBy(f.id);
    return { id: f.id, spec: f.spec, description: describeFault(f.spec), startedAt: f.startedAt, held };
  }

  view(): NetView {
    const links: LinkView[] = [];
    const stats = new Map<string, { held: number; delivered: number; connections: number }>();
    for (const r of this.relays) {
      if (r.spec.kind === 'client') continue;
      for (const c of r.connections) {
        for (const p of [c.up, c.down]) {
          const k = `${p.from}-${p.to}`;
          const s = stats.get(k) ?? { held: 0, delivered: 0, connections: 0 };
          s.held += p.held;
          s.delivered += p.delivered;
          stats.set(k, s);
        }
        const k = `${c.spec.from}-${c.spec.to}`;
        const s = stats.get(k) ?? { held: 0, delivered: 0, connections: 0 };
        s.connections++;
        stats.set(k, s);
      }
    }
    for (const a of this.memberIds) {
      for (const b of this.memberIds) {
        if (a === b) continue;
        const q = this.rule('quorum', a, b);
        const e = this.rule('election', a, b);
        const s = stats.get(`${a}-${b}`) ?? { held: 0, delivered: 0, connections: 0 };
        const state = q.cutBy !== null ? 'cut' : q.holds.size > 0 || e.holds.size > 0 ? 'holding' : q.delayMs > 0 ? 'slow' : 'ok';
        links.push({ from: a, to: b, state, delayMs: q.delayMs, jitterMs: q.jitterMs, held: s.held, connections: s.connections, delivered: s.delivered });
      }
    }
    const clientCut = this.memberIds.filter((m) => this.rule('client', CLIENTS, m).cutBy !== null);
    return {
      enabled: true,
      reason: null,
      faults: this.faults.map((f) => this.faultView(f)),
      links,
      clientCut,
      labClientPorts: { ...this.ports.client },
    };
  }

  query(q: WireQuery): WireCapture {
    return this.ring.query(q);
  }

  /** Sends what changed since the last push. */
  private flush(): void {
    const msgs = this.ring.take();
    if (msgs.length > 0) this.hooks.wire(msgs);
    if (this.viewDirty) {
      this.viewDirty = false;
      this.hooks.changed(this.view());
    }
  }
}

// Membership changes of a launched lab (ZooKeeper's dynamic reconfiguration): add a member, remove
// one, turn a voter into an observer and back, move a member to other ports, and a rolling
// restart. Every change is one `reconfig` by the lab's superuser (labdir.ts: superDigest), in the
// non-incremental form (`members=`, the whole new membership) against the config version the lab
// read just before (`fromConfig`), so a change made meanwhile by someone else is refused with
// BadVersion instead of being overwritten.
//
// Why always the whole membership, with each member's own ports: the lab's first zoo.cfg files
// name every other member through the relay of that ordered pair (net/network.ts), which no
// shared config can say (a config names each server at one address for everyone, and a member
// binds the address of its own line). After the first change the members talk to each other
// directly at the addresses of the committed config; the lab's clients still go through their
// relays. The history says so when it happens.
//
// The lab's record (lab.json, node cards) changes only after ZooKeeper committed the change; a
// refused reconfig leaves it as it was (a member started for an add is stopped and its folder
// removed: it never was part of the ensemble).
import { rmSync } from 'node:fs';
import { connect, type ZkClient } from '../client';
import { ZkError } from '../client/errors';
import { Err } from '../protocol/codes';
import type { LabView, MemberChange, MembershipResult, NodeView, Progress } from '../shared/contract';
import { nodeDir, saveLab, serverLine, SUPER_USER, writeNodeConfig, type LabSpec, type NodeSpec } from './labdir';
import { labPorts } from './ports';
import type { Supervisor } from './supervisor';

/** The launcher's limits: 1..7 voters and 0..2 observers. */
export const MAX_VOTERS = 7;
export const MAX_OBSERVERS = 2;

export type { MemberChange, MembershipResult };

/** What the membership code needs of the lab backend (service.ts). */
export interface MembershipHost {
  lab(): LabSpec | null;
  supervisor(): Supervisor | null;
  /** Why no change can be made now (an attached ensemble, a launch under way), or null. */
  refusal(): string | null;
  view(): LabView | null;
  startNode(myid: number): void;
  waitAdmin(myid: number, ms: number): Promise<void>;
  /** Stops (SIGTERM) or restarts a member, as the node actions do. */
  nodeAction(myid: number, action: 'stop' | 'restart'): Promise<unknown>;
  /** The lab's relays follow the lab's record again (a member's client port moved). */
  networkChanged(): Promise<void>;
  /** Network faults in force (ports moves restart the relays, which would end them). */
  activeFaults(): number;
  progress(p: Progress | null): void;
  record(myid: number | null, type: string, detail: string, data: Record<string, unknown>): void;
  /** A poll round now, reading every member's config version again. */
  refresh(): Promise<void>;
}

/** The servers of a config text: myid → observer?, and its version. */
export function parseConfig(text: string): { version: string; servers: Map<number, { observer: boolean; line: string }> } {
  const servers = new Map<number, { observer: boolean; line: string }>();
  for (const l of text.split('\n')) {
    const m = /^server\.(\d+)=([^;]*)/.exec(l.trim());
    if (m) servers.set(Number(m[1]), { observer: /:observer$/.test(m[2]!), line: l.trim() });
  }
  return { version: /^version=([0-9a-f]+)\s*$/m.exec(text)?.[1] ?? '0', servers };
}

/** ZooKeeper's refusal of a reconfig, in its words, and what to do about it. */
export function refusalText(e: unknown): string {
  if (!(e instanceof ZkError)) return `the reconfig failed: ${(e as Error).message}`;
  const advice: Record<number, string> = {
    [Err.NEWCONFIGNOQUORUM]: 'a quorum of the new configuration is not connected and synced with the leader: start the members that are down (or wait for a new member to sync), then try again',
    [Err.RECONFIGINPROGRESS]: 'another reconfiguration is being committed: wait until it is, then try again',
    [Err.BADVERSION]: 'the configuration changed meanwhile (someone else reconfigured the ensemble): look at the node cards and try again',
    [Err.BADARGUMENTS]: 'ZooKeeper would not take that membership (it must keep at least one voter): change the request',
    [Err.NOAUTH]: "the lab's superuser was not accepted: this lab was made before membership changes; destroy it and launch a new one",
    [Err.RECONFIGDISABLED]: 'reconfigEnabled is off on these members: this lab was made before membership changes; destroy it and launch a new one',
    [Err.CONNECTIONLOSS]: 'the member the lab asked lost its connection: wait for the ensemble to serve, look at the node cards, and try again',
  };
  return `ZooKeeper refused the reconfig (${e.codeName}): ${advice[e.code] ?? e.message}. The lab's members are unchanged.`;
}

const SERVING = new Set(['leader', 'follower', 'observer']);

export class Membership {
  private busy: string | null = null;

  constructor(private readonly host: MembershipHost) {}

  /** Makes one change; resolves once every running member reports the new config version. */
  async run(change: MemberChange): Promise<MembershipResult> {
    const why = this.host.refusal();
    if (why) throw new Error(why);
    const lab = this.host.lab();
    const sup = this.host.supervisor();
    if (!lab || !sup) throw new Error('There is no lab: launch one first.');
    if (lab.nodes.length < 2) throw new Error('A lab of one member runs standalone, and a standalone server cannot be reconfigured: launch a lab of 3 or more members.');
    if (lab.source) throw new Error(`This lab opened ${lab.source.path}: its members keep the dataDir's configuration; launch a new lab to change membership.`);
    if (!lab.reconfigEnabled) {
      throw new Error(
        lab.nodes.some((n) => n.engine === 'apache')
          ? "This lab's Apache ZooKeeper members run without reconfigEnabled: their links go through the lab's relays, and 3.8 with reconfigEnabled makes every member take the leader's addresses at its first election, which relays cannot serve. Launch a lab with membership changes on (zk-lab launch --reconfig; its members then talk to each other directly)."
          : 'This lab was made before membership changes (its members run without reconfigEnabled): destroy it and launch a new one.',
      );
    }
    if (this.busy) throw new Error(`The lab is already making a membership change (${this.busy}): wait for it to end.`);
    this.busy = change.kind;
    try {
      return change.kind === 'rolling-restart' ? await this.rollingRestart(lab) : await this.reconfigure(lab, sup, change);
    } finally {
      this.busy = null;
      this.host.progress(null);
    }
  }

  private step(step: string, done: number, total: number): void {
    this.host.progress({ step, done, total });
  }

  private async reconfigure(lab: LabSpec, sup: Supervisor, change: Exclude<MemberChange, { kind: 'rolling-restart' }>): Promise<MembershipResult> {
    const total = change.kind === 'add' ? 5 : change.kind === 'ports' ? 4 : 3;
    // Checked against the lab's record first: bad input changes nothing.
    const target = change.kind === 'add' ? null : lab.nodes.find((n) => n.myid === change.myid);
    if (change.kind !== 'add' && !target) throw new Error(`There is no member ${change.myid} in this lab (members: ${lab.nodes.map((n) => n.myid).join(', ')}).`);
    const voters = lab.nodes.filter((n) => !n.observer).length;
    const observers = lab.nodes.length - voters;
    const next: NodeSpec[] = lab.nodes.map((n) => ({ ...n }));
    let added: NodeSpec | null = null;
    let what: string;
    if (change.kind === 'add') {
      if (change.observer ? observers >= MAX_OBSERVERS : voters >= MAX_VOTERS) throw new Error(`A lab has at most ${MAX_VOTERS} voters and ${MAX_OBSERVERS} observers; this one has ${voters} and ${observers}.`);
      const myid = Math.max(...lab.nodes.map((n) => n.myid), ...(lab.removed ?? [])) + 1;
      if (myid > 255) throw new Error('Every myid up to 255 was used in this lab: destroy it and launch a new one.');
      const [clientPort, adminPort, quorumPort, electionPort] = await labPorts(4);
      added = { myid, observer: change.observer, engine: change.engine ?? lab.nodes[0]!.engine, clientPort: clientPort!, adminPort: adminPort!, quorumPort: quorumPort!, electionPort: electionPort! };
      next.push(added);
      what = `added node ${myid} as ${change.observer ? 'an observer' : 'a voter'}`;
    } else if (change.kind === 'remove') {
      if (!target!.observer && voters === 1) throw new Error(`Node ${change.myid} is the last voter: an ensemble keeps at least one.`);
      next.splice(next.findIndex((n) => n.myid === change.myid), 1);
      what = `removed node ${change.myid}`;
    } else if (change.kind === 'role') {
      const observer = change.role === 'observer';
      if (target!.observer === observer) throw new Error(`Node ${change.myid} is already ${observer ? 'an observer' : 'a voter'}.`);
      if (observer && voters === 1) throw new Error(`Node ${change.myid} is the last voter: an ensemble keeps at least one.`);
      if (observer && observers >= MAX_OBSERVERS) throw new Error(`A lab has at most ${MAX_OBSERVERS} observers; this one has ${observers}.`);
      if (!observer && voters >= MAX_VOTERS) throw new Error(`A lab has at most ${MAX_VOTERS} voters; this one has ${voters}.`);
      next.find((n) => n.myid === change.myid)!.observer = observer;
      what = `made node ${change.myid} ${observer ? 'an observer' : 'a voter'}`;
    } else {
      const moved = next.find((n) => n.myid === change.myid)!;
      const wanted = { clientPort: change.clientPort ?? moved.clientPort, quorumPort: change.quorumPort ?? moved.quorumPort, electionPort: change.electionPort ?? moved.electionPort };
      const taken = new Set(lab.nodes.flatMap((n) => [n.clientPort, n.adminPort, n.quorumPort, n.electionPort]).concat(Object.values(lab.net?.quorum ?? {}), Object.values(lab.net?.election ?? {}), Object.values(lab.net?.client ?? {})));
      const own = new Set([moved.clientPort, moved.quorumPort, moved.electionPort]);
      for (const [k, p] of Object.entries(wanted)) {
        if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${k} ${p} is not a port (1..65535).`);
        if (taken.has(p) && !own.has(p)) throw new Error(`Port ${p} is already used by this lab: choose another ${k}.`);
      }
      if (new Set(Object.values(wanted)).size !== 3) throw new Error('The client, quorum and election ports must be three different ports.');
      if (wanted.clientPort === moved.clientPort && wanted.quorumPort === moved.quorumPort && wanted.electionPort === moved.electionPort) throw new Error(`Node ${change.myid} already has those ports.`);
      if (this.host.activeFaults() > 0) throw new Error("Moving a member's ports restarts the lab's relays, which would end the network faults in force: heal them first (Network view, or zk-lab fault heal).");
      Object.assign(moved, wanted);
      what = `moved node ${change.myid} to client port ${wanted.clientPort}, quorum port ${wanted.quorumPort}, election port ${wanted.electionPort}`;
    }

    let done = 0;
    this.step('Reading the current configuration (/zookeeper/config)', done, total);
    const current = await this.readConfig(lab);
    const recorded = new Set(lab.nodes.map((n) => n.myid));
    if (current.servers.size !== recorded.size || [...current.servers.keys()].some((id) => !recorded.has(id))) {
      throw new Error(`The ensemble's configuration (version ${current.version}: servers ${[...current.servers.keys()].join(', ')}) is not the lab's (members ${[...recorded].join(', ')}): it was reconfigured outside the lab. Reconfigure it back from a zkCli terminal, or destroy the lab.`);
    }
    done++;

    if (added) {
      this.step(`Starting node ${added.myid} with the current configuration and itself in its zoo.cfg`, done, total);
      writeNodeConfig(lab, added, next.map(serverLine));
      lab.nodes.push(added);
      sup.addMember(added.myid);
      try {
        this.host.startNode(added.myid);
        await this.host.waitAdmin(added.myid, added.engine === 'apache' ? 60_000 : 15_000);
        done++;
        this.step(`Waiting for node ${added.myid} to connect to the leader`, done, total);
        await this.until((v) => SERVING.has(v.nodes.find((n) => n.myid === added!.myid)?.role ?? ''), 60_000, `node ${added.myid} to connect to the leader`);
      } catch (e) {
        await this.unwind(lab, sup, added);
        throw e;
      }
      done++;
    }

    this.step(`reconfig -members … (${what}) from config version ${current.version}`, done, total);
    let version: string;
    try {
      version = await this.reconfig(lab, next.map(serverLine).join(','), BigInt(`0x${current.version}`));
    } catch (e) {
      if (added) await this.unwind(lab, sup, added);
      throw new Error(refusalText(e));
    }
    done++;
    // Committed: the lab's record follows.
    const firstChange = !(lab.directLinks ?? false);
    lab.nodes = next;
    lab.directLinks = true;
    if (change.kind === 'remove') lab.removed = [...(lab.removed ?? []), change.myid];
    saveLab(lab);
    // Our members read zoo.cfg's servers at start (Apache's rewrite their own: zoo.cfg.dynamic.<version>).
    for (const n of next) if (n.engine === 'ours') writeNodeConfig(lab, n, next.map(serverLine));
    this.host.record(change.kind === 'add' || change.kind === 'ports' || change.kind === 'role' || change.kind === 'remove' ? (change.kind === 'add' ? added!.myid : change.myid) : null, 'lab.reconfig', `${what}: config version ${version}`, { change, version, members: next.map(serverLine) });
    if (firstChange && lab.net) {
      this.host.record(null, 'lab.reconfig.direct', "members now reach each other at the addresses of the committed config, not through the lab's relays: faults between members no longer reach them (client cuts and process faults still do)", {});
    }

    if (change.kind === 'remove') {
      this.step(`Stopping node ${change.myid} (its folder stays until the lab is destroyed)`, done, total);
      if (sup.isRunning(change.myid)) await this.host.nodeAction(change.myid, 'stop').catch(() => undefined);
      sup.forgetMember(change.myid);
    }
    if (change.kind === 'ports') {
      this.step(`Restarting node ${change.myid} on its new ports`, done, total);
      await this.host.networkChanged();
      await this.host.nodeAction(change.myid, 'restart');
      done++;
    }
    this.step(`Waiting for every member to report config version ${version}`, done, total);
    // And each running member in its new role (a voter made an observer observes, and back).
    // A removed leader means an election first: the change is done when the ensemble serves again.
    const settled = (n: NodeView): boolean => n.role === 'down' || n.role === 'paused' || (n.configVersion === version && SERVING.has(n.role) && (n.observer ? n.role === 'observer' : n.role !== 'observer'));
    const v = await this.until((v) => v.serving && v.nodes.every(settled), 60_000, `every member to report config version ${version} in its role, serving`);
    return { change: what, version, members: members(v) };
  }

  /** A member started for an add that did not happen: stopped, forgotten, its folder removed. */
  private async unwind(lab: LabSpec, sup: Supervisor, added: NodeSpec): Promise<void> {
    if (sup.isRunning(added.myid)) await this.host.nodeAction(added.myid, 'stop').catch(() => undefined);
    lab.nodes = lab.nodes.filter((n) => n !== added);
    try {
      sup.forgetMember(added.myid);
    } catch {
      // still running after the stop's grace period: the supervisor keeps watching it
    }
    rmSync(nodeDir(lab, added.myid), { recursive: true, force: true });
    await this.host.refresh();
  }

  /** One member at a time, the leader last: restarted, then waited for until it serves again. */
  private async rollingRestart(lab: LabSpec): Promise<MembershipResult> {
    const v0 = this.host.view();
    if (!v0?.serving) throw new Error('The ensemble does not serve now: a rolling restart would take more members away from it. Start the members that are down first.');
    const down = v0.nodes.filter((n) => !SERVING.has(n.role));
    if (down.length > 0) throw new Error(`Node${down.length > 1 ? 's' : ''} ${down.map((n) => n.myid).join(', ')} ${down.length > 1 ? 'are' : 'is'} not serving (${down.map((n) => n.role).join(', ')}): start or resume ${down.length > 1 ? 'them' : 'it'} first.`);
    const order = [...lab.nodes.map((n) => n.myid).filter((id) => id !== v0.leader), ...(v0.leader !== null ? [v0.leader] : [])];
    for (const [i, myid] of order.entries()) {
      const engine = lab.nodes.find((n) => n.myid === myid)?.engine;
      this.step(`Restarting node ${myid}${myid === v0.leader ? ' (the leader, last)' : ''}`, i, order.length);
      await this.host.nodeAction(myid, 'restart');
      this.step(`Waiting for node ${myid} to rejoin and serve`, i, order.length);
      await this.until((v) => v.serving && SERVING.has(v.nodes.find((n) => n.myid === myid)?.role ?? ''), engine === 'apache' ? 90_000 : 30_000, `node ${myid} to rejoin and serve`);
    }
    this.host.record(null, 'lab.rolling-restart', `restarted members ${order.join(', ')} one at a time, the leader last`, { order });
    const v = await this.until((v) => v.serving && v.nodes.every((n) => SERVING.has(n.role)), 60_000, 'every member to serve again');
    return { change: `restarted members ${order.join(', ')} one at a time, the leader last`, version: null, members: members(v) };
  }

  /** The lab's superuser session, through the leader when there is one (reconfig goes to it anyway). */
  private async session(lab: LabSpec): Promise<ZkClient> {
    const v = this.host.view();
    const serving = v?.nodes.filter((n) => SERVING.has(n.role)) ?? [];
    if (!v?.serving || serving.length === 0) throw new Error('The ensemble does not serve now (no quorum of voters up): start the members that are down, wait for a leader, then try again.');
    const first = serving.find((n) => n.myid === v.leader) ?? serving[0]!;
    const address = `127.0.0.1:${first.clientPort}`;
    try {
      return await connect(address, { authInfo: [{ scheme: 'digest', auth: `${SUPER_USER}:${lab.adminSecret ?? ''}` }], timeoutMs: 15_000 });
    } catch (e) {
      throw new Error(`The lab could not open its superuser session on node ${first.myid} (${address}): ${(e as Error).message}. Wait for it to serve and try again.`);
    }
  }

  private async readConfig(lab: LabSpec): Promise<ReturnType<typeof parseConfig>> {
    const zk = await this.session(lab);
    try {
      // The member may be behind the leader: sync first, as zkCli's `config` users are told to.
      await zk.sync('/zookeeper/config');
      const { data } = await zk.getConfig();
      return parseConfig(data?.toString('utf8') ?? '');
    } finally {
      await zk.close().catch(() => undefined);
    }
  }

  /** The reconfig itself; resolves with the new config version (hex). */
  private async reconfig(lab: LabSpec, members: string, fromConfig: bigint): Promise<string> {
    const zk = await this.session(lab);
    try {
      const { data } = await zk.reconfig({ members, fromConfig });
      return parseConfig(data?.toString('utf8') ?? '').version;
    } finally {
      await zk.close().catch(() => undefined);
    }
  }

  /** Polls the lab (a round reads every member again) until `pred` holds; throws what it waited for. */
  private async until(pred: (v: LabView) => boolean, ms: number, what: string): Promise<LabView> {
    const deadline = Date.now() + ms;
    for (;;) {
      await this.host.refresh();
      const v = this.host.view();
      if (v && pred(v)) return v;
      if (Date.now() > deadline) {
        const state = v?.nodes.map((n) => `node ${n.myid} ${n.role}${n.configVersion !== null ? ` (config ${n.configVersion})` : ''}`).join(', ') ?? 'no lab';
        throw new Error(`Gave up after ${ms / 1000} s waiting for ${what} (${state}); read the members' logs (Terminals → Log).`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function members(v: LabView): MembershipResult['members'] {
  return v.nodes.map((n: NodeView) => ({ myid: n.myid, observer: n.observer, role: n.role, configVersion: n.configVersion }));
}

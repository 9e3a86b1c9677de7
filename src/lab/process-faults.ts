// The lab's faults that act on a member's process rather than on the relays: kill, stop, pause,
// slow-apply (our members apply commits late) and disk (an fsync stall or a full disk on our
// members). Each is listed with the network's faults (one list, one heal), and undone when
// healed: a killed or stopped member is started, a paused one resumed, a slow one made quick,
// a full disk given space back (and the member restarted if its log write failed, as ZooKeeper
// must be). A fault someone undid by hand (a restart from the card) leaves the list by itself.
import type { Fault, FaultSpec, NodeAction } from '../shared/contract';
import type { LabSpec } from './labdir';
import type { LabNetwork } from './net/network';
import type { Supervisor } from './supervisor';
import { LabError } from '../shared/errors';

/** How late a member slowed from the Cluster view applies commits (under the read timeout of the lab's 10 s sessions). */
export const SLOW_APPLY_MS = 2000;

type ProcessSpec = Extract<FaultSpec, { kind: 'kill' | 'stop' | 'pause' | 'slow-apply' | 'disk' }>;

/** What the faults need of the lab. */
export interface ProcessFaultHost {
  lab(): LabSpec | null;
  supervisor(): Supervisor | null;
  network(): LabNetwork | null;
  nodeAction(myid: number, action: NodeAction): Promise<unknown>;
  record(myid: number, type: string, detail: string, data?: Record<string, unknown>): void;
}

/** A state-changing lab command to our member: POST with the lab's secret, which only the lab knows. */
function labPost(lab: LabSpec, adminPort: number, command: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${adminPort}/commands/${command}`, { method: 'POST', headers: { 'x-zk-lab-secret': lab.adminSecret ?? '' } });
}

export function isProcessFault(spec: FaultSpec): spec is ProcessSpec {
  return spec.kind === 'kill' || spec.kind === 'stop' || spec.kind === 'pause' || spec.kind === 'slow-apply' || spec.kind === 'disk';
}

export class ProcessFaults {
  /** Fault id (on the network's list) → the fault. */
  private readonly inForce = new Map<string, ProcessSpec>();

  constructor(private readonly host: ProcessFaultHost) {}

  clear(): void {
    this.inForce.clear();
  }

  /** Starts `spec` on its member and lists it with the network's faults. */
  async start(spec: ProcessSpec, net: LabNetwork): Promise<Fault> {
    const lab = this.host.lab();
    const sup = this.host.supervisor();
    if (!lab || !sup) throw new LabError('noLab');
    if (!sup.procs.has(spec.myid)) throw new Error(`There is no member ${spec.myid} in this lab (members: ${[...sup.procs.keys()].join(', ')}).`);
    const n = lab.nodes.find((x) => x.myid === spec.myid)!;
    if (spec.kind === 'disk') {
      if (n.engine === 'apache') throw new Error(`Member ${spec.myid} runs Apache ZooKeeper: the lab's disk faults act on our members only.`);
      if (!sup.isRunning(spec.myid)) throw new Error(`Member ${spec.myid} is down: start it first.`);
      if ([...this.inForce.values()].some((x) => x.kind === 'disk' && x.myid === spec.myid && x.mode === spec.mode)) throw new Error(`Member ${spec.myid} has that disk fault already.`);
      await this.labDisk(spec.myid, spec.mode === 'full' ? 'full=true' : `stall_ms=${spec.ms}`);
    } else {
      if (!sup.isRunning(spec.myid)) throw new Error(`Member ${spec.myid} is down already: start it first.`);
      if (spec.kind === 'pause' && sup.procs.get(spec.myid)!.paused) throw new Error(`Member ${spec.myid} is paused already.`);
      if (spec.kind === 'slow-apply') {
        if (n.engine === 'apache') throw new Error(`Member ${spec.myid} runs Apache ZooKeeper, which has no slow-apply fault; use one of our members.`);
        await this.applyDelay(spec.myid, spec.ms);
        this.host.record(spec.myid, 'node.slowed', `node ${spec.myid} applies commits ${spec.ms} ms late (lab fault): reads through it lag until sync`, { applyDelayMs: spec.ms });
      } else {
        await this.host.nodeAction(spec.myid, spec.kind);
      }
    }
    const f = net.addExternal(spec);
    this.inForce.set(f.id, spec);
    return f;
  }

  /** Undoes the process faults among `id` (or all of them: null); the caller heals the list. */
  async heal(id: string | null): Promise<void> {
    const targets = id === null ? [...this.inForce.keys()] : this.inForce.has(id) ? [id] : [];
    for (const fid of targets) {
      const spec = this.inForce.get(fid)!;
      this.inForce.delete(fid);
      const myid = spec.myid;
      if (spec.kind === 'kill' || spec.kind === 'stop') await this.host.nodeAction(myid, 'start');
      else if (spec.kind === 'pause') await this.host.nodeAction(myid, 'resume');
      else if (spec.kind === 'slow-apply') await this.host.nodeAction(myid, 'unslow');
      else if (spec.kind === 'disk' && this.host.supervisor()?.isRunning(myid)) {
        const r = await this.labDisk(myid, spec.mode === 'full' ? 'full=false' : 'stall_ms=0');
        // A member whose log write failed acknowledges nothing more until it restarts and recovers
        // from its log (ZooKeeper's too): with space back, the lab restarts it.
        if (spec.mode === 'full' && r.write_failure) {
          this.host.record(myid, 'node.stopped', `node ${myid} restarted to recover now that its disk has space (its log write had failed: ${r.write_failure})`);
          await this.host.nodeAction(myid, 'restart');
        }
      }
    }
  }

  /** A fault someone undid by hand (a restart from the card) is no longer in force. */
  dropStale(): void {
    const sup = this.host.supervisor();
    const net = this.host.network();
    if (!sup || !net) return;
    for (const [id, spec] of [...this.inForce]) {
      if (!net.has(id)) {
        this.inForce.delete(id);
        continue;
      }
      const p = sup.procs.get(spec.myid);
      const running = p ? sup.isRunning(p.myid) : false;
      const stillTrue = spec.kind === 'kill' || spec.kind === 'stop' ? !running : spec.kind === 'pause' ? running && !!p?.paused : running;
      if (!stillTrue) {
        this.inForce.delete(id);
        net.heal(id);
      }
    }
  }

  /** A member was unslowed or restarted by hand: its slow-apply (and, for a restart, its disk) faults end. */
  undoneByHand(myid: number, action: 'unslow' | 'restart'): void {
    const net = this.host.network();
    for (const [id, f] of [...this.inForce]) {
      if (f.myid !== myid || (action === 'unslow' && f.kind !== 'slow-apply')) continue;
      this.inForce.delete(id);
      if (net?.has(id)) net.heal(id);
    }
  }

  /** Sets the slow-learner fault of member `myid` (our server's lab_apply_delay). */
  async applyDelay(myid: number, ms: number): Promise<void> {
    const lab = this.host.lab()!;
    const n = lab.nodes.find((x) => x.myid === myid)!;
    const r = (await (await labPost(lab, n.adminPort, `lab_apply_delay?ms=${ms}`)).json()) as { error: string | null };
    if (r.error) throw new Error(`Node ${myid} refused the fault: ${r.error}`);
  }

  /** Sets or reads our member's disk faults (AdminServer lab_disk). */
  private async labDisk(myid: number, query: string): Promise<{ stall_ms: number; full: boolean; write_failure: string | null }> {
    const lab = this.host.lab()!;
    const n = lab.nodes.find((x) => x.myid === myid)!;
    const r = (await (await labPost(lab, n.adminPort, `lab_disk?${query}`)).json()) as { error: string | null; stall_ms: number; full: boolean; write_failure: string | null };
    if (r.error) throw new Error(`Member ${myid} refused the disk fault: ${r.error}`);
    return r;
  }
}

// The lab's network as the lab service holds it: the relays of the lab in force (LabNetwork),
// started when a lab is opened and again after a membership change; faults of every kind
// (network faults on the relays, process faults on the members); healing; the capture kept in
// the history. Labs made before the lab had its own network have none, and say so.
import type { Fault, FaultSpec, NetView, Push } from '../../shared/contract';
import { LabError } from '../../shared/errors';
import type { History } from '../history';
import type { LabSpec } from '../labdir';
import { isProcessFault, type ProcessFaults } from '../process-faults';
import type { Supervisor } from '../supervisor';
import { LabNetwork } from './network';

/** Faults that act on the links between members (through the lab's relays). */
const MEMBER_LINK_FAULTS = new Set<FaultSpec['kind']>(['partition', 'isolate', 'bridge', 'oneway', 'slow', 'hold']);

export interface NetHostDeps {
  lab(): LabSpec | null;
  supervisor(): Supervisor | null;
  /** An attached ensemble is not the lab's: it has no network of the lab's. */
  attached(): boolean;
  history(): History | null;
  processFaults: ProcessFaults;
  record(type: string, detail: string, data: Record<string, unknown>): void;
  push(p: Push): void;
}

export class NetHost {
  network: LabNetwork | null = null;
  /** Resolves once the relays listen (members must not start before: their peers are the relays). */
  ready: Promise<void> = Promise.resolve();
  /** Why there is no network, when there is none. */
  error: string | null = null;

  constructor(private readonly deps: NetHostDeps) {}

  /** Opens the lab's relays (labs made before the lab's network have none: their members talk directly). */
  start(lab: LabSpec): void {
    this.network = null;
    this.error = null;
    if (!lab.net) {
      this.error = 'This lab was made before the lab had its own network, so its members talk to each other directly: destroy it and launch a new one to break the network.';
      this.ready = Promise.resolve();
      return;
    }
    const net = new LabNetwork(
      lab.nodes.map((n) => ({ myid: n.myid, quorumPort: n.quorumPort, electionPort: n.electionPort, clientPort: n.clientPort })),
      lab.net,
      {
        record: (type, detail, data) => this.deps.record(type, detail, data),
        changed: (view) => this.deps.push({ kind: 'net', net: this.view(view) }),
        wire: (messages) => this.deps.push({ kind: 'wire', messages }),
      },
    );
    this.network = net;
    this.ready = net.start().catch((e: Error) => {
      if (this.network === net) this.network = null;
      this.error = e.message;
      this.deps.record('lab.network', `the lab's network could not start: ${e.message}`, {});
      throw e;
    });
    this.ready.catch(() => undefined);
  }

  close(): void {
    this.network?.close();
    this.network = null;
  }

  /** The network as the UI shows it, with the process faults that are still true. */
  view(base?: NetView): NetView {
    if (!this.network) return { enabled: false, reason: this.deps.attached() ? 'An attached ensemble is not the lab\'s: its members talk to each other directly.' : this.error ?? 'There is no lab yet.', faults: [], links: [], clientCut: [], labClientPorts: {} };
    this.deps.processFaults.dropStale();
    return base ?? this.network.view();
  }

  /** Starts a fault of any kind: network faults on the relays, process faults on the member. */
  async fault(spec: FaultSpec): Promise<Fault> {
    const net = this.network;
    const lab = this.deps.lab();
    if (this.deps.attached()) throw new LabError('attachedNoFaults');
    if (!lab || !this.deps.supervisor()) throw new LabError('noLab');
    if (!net) throw new Error(this.error ?? 'The lab\'s network is not running.');
    if (lab.directLinks && MEMBER_LINK_FAULTS.has(spec.kind)) {
      throw new Error("This lab's members talk to each other directly (a reconfig names each member at one address for all, so the lab's relays are not between them): faults between members cannot reach them. Client cuts and process faults still can; launch a new lab without membership changes to break member links.");
    }
    return isProcessFault(spec) ? this.deps.processFaults.start(spec, net) : net.addFault(spec);
  }

  /** Ends one fault or all of them (null), undoing process faults too. */
  async heal(id: string | null): Promise<NetView> {
    const net = this.network;
    if (!net) throw new Error(this.error ?? 'There is no lab network to heal.');
    this.deps.processFaults.dropStale();
    if (id !== null && !net.has(id)) throw new LabError('noFault', { id, faults: net.active().map((f) => f.id).join(', ') || 'none' });
    await this.deps.processFaults.heal(id);
    net.heal(id);
    return this.view();
  }

  /** Lets the messages a hold fault kept go (net.release; null: every hold fault's). */
  release(id: string | null): NetView {
    if (!this.network) throw new Error(this.error ?? 'There is no lab network.');
    this.network.release(id);
    return this.view();
  }

  /** Keeps the capture between two times in the history. */
  saveWire(fromMs: number, toMs: number, label: string): { saved: number; id: number } {
    const history = this.deps.history();
    if (!this.network || !history) throw new Error('There is no lab network whose capture could be saved.');
    if (!(toMs >= fromMs)) throw new Error('The window to save must end after it starts.');
    const { messages } = this.network.query({ afterSeq: 0, fromMs, toMs, types: null, members: null, zxid: null, limit: 20_000 });
    const id = history.wireWindow(fromMs, toMs, label, messages);
    this.deps.record('wire.saved', `kept ${messages.length} wire message(s)${label ? ` as "${label}"` : ''}`, { id, count: messages.length, fromMs, toMs });
    return { saved: messages.length, id };
  }
}

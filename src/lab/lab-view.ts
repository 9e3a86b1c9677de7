// The lab as the UI shows it (LabView): each member's role, epoch, zxid and counters from the
// last poll, its process from the supervisor, and whether the voters up make a quorum.
import type { LabView, NodeView } from '../shared/contract';
import type { LabSpec } from './labdir';
import type { AdminState } from './admin';
import type { Supervisor } from './supervisor';

export interface LabViewSources {
  /** Each member's state from the last poll. */
  states: Map<number, AdminState> | undefined;
  /** The member's client port on the lab's network (its relay), when the lab has one. */
  labClientPort(myid: number): number | null;
  /** The config version (hex) the member's process said last (4lw conf), or null. */
  configVersion(myid: number, pid: number | null): string | null;
}

export function labView(lab: LabSpec, sup: Supervisor, { states, labClientPort, configVersion }: LabViewSources): LabView {
  const nodes: NodeView[] = lab.nodes.map((n) => {
    const p = sup.procs.get(n.myid)!;
    const s = states?.get(n.myid);
    const running = sup.isRunning(n.myid);
    return {
      myid: n.myid,
      engine: n.engine ?? 'ours',
      role: running ? (p.paused ? 'paused' : (s?.role === 'down' ? 'starting' : (s?.role ?? 'starting'))) : 'down',
      observer: n.observer,
      epoch: running ? (s?.epoch ?? null) : null,
      lastZxid: running ? (s?.lastZxid ?? null) : null,
      zabState: running ? (s?.zabState ?? null) : null,
      connections: running ? (s?.connections ?? null) : null,
      outstanding: running ? (s?.outstanding ?? null) : null,
      avgLatency: running ? (s?.avgLatency ?? null) : null,
      minLatency: running ? (s?.minLatency ?? null) : null,
      maxLatency: running ? (s?.maxLatency ?? null) : null,
      znodeCount: running ? (s?.znodeCount ?? null) : null,
      applyDelayMs: running ? (s?.applyDelayMs ?? null) : null,
    configVersion: running ? configVersion(n.myid, p.pid) : null,
      pid: p.pid,
      startedAt: p.startedAt,
      clientPort: n.clientPort,
      labClientPort: labClientPort(n.myid),
      adminPort: n.adminPort,
      exitCode: p.exitCode,
      lastError: p.lastExit,
    };
  });
  const voters = nodes.filter((n) => !n.observer);
  const votersUp = voters.filter((n) => n.role === 'leader' || n.role === 'follower' || n.role === 'standalone').length;
  const quorumNeeded = Math.floor(voters.length / 2) + 1;
  const leader = nodes.find((n) => n.role === 'leader' || n.role === 'standalone')?.myid ?? null;
  return { name: lab.name, dir: lab.dir, attached: false, size: voters.length, nodes, votersUp, quorumNeeded, serving: votersUp >= quorumNeeded, leader, ...(lab.source ? { source: lab.source } : {}), reconfigEnabled: lab.reconfigEnabled === true };
}

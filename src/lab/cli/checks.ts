// What zk-lab checks against the lab as it is before asking the backend for anything: a member
// that is not there, a fault on a member that is down, an action that would do nothing, a fault
// id that is not in force. Each answer is one sentence; null means the command may go ahead.
import type { FaultSpec, LabView, NetView, NodeAction, NodeView } from '../../shared/contract';

function members(lab: LabView): string {
  const ids = lab.nodes.map((n) => n.myid);
  return ids.length === 1 ? `its only member is ${ids[0]}` : `its members are ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

function unknown(lab: LabView, ids: readonly number[]): string | null {
  const missing = ids.find((id) => !lab.nodes.some((n) => n.myid === id));
  return missing === undefined ? null : `There is no member ${missing} in this lab (${members(lab)}).`;
}

const down = (n: NodeView): boolean => n.role === 'down';

/** Why `zk-lab node <action> <myid>` cannot go ahead, or null. */
/** The member a command names is in the lab. */
export function checkMember(lab: LabView, myid: number): string | null {
  return unknown(lab, [myid]);
}

export function checkNode(lab: LabView, action: NodeAction, myid: number | 'all'): string | null {
  if (lab.attached) return 'This lab is attached to an ensemble it did not start, and the lab does not signal processes it did not start.';
  if (myid === 'all') {
    return lab.nodes.some(down) ? null : 'Every member runs already: zk-lab node restart <myid> restarts one.';
  }
  const missing = unknown(lab, [myid]);
  if (missing) return missing;
  const n = lab.nodes.find((x) => x.myid === myid)!;
  switch (action) {
    case 'kill':
    case 'stop':
      return down(n) ? `Node ${myid} is down already: zk-lab node start ${myid} starts it.` : null;
    case 'pause':
      if (down(n)) return `Node ${myid} is down: start it first (zk-lab node start ${myid}).`;
      return n.role === 'paused' ? `Node ${myid} is paused already: zk-lab node resume ${myid} resumes it.` : null;
    case 'resume':
      return n.role === 'paused' ? null : `Node ${myid} is not paused (it is ${n.role}): there is nothing to resume.`;
    case 'start':
      return down(n) ? null : `Node ${myid} runs already (${n.role}): zk-lab node restart ${myid} restarts it.`;
    case 'restart':
      return null;
    case 'slow':
    case 'unslow':
      if (n.engine === 'apache') return `Node ${myid} runs Apache ZooKeeper, which has no slow-learner fault; pick one of our members.`;
      return down(n) ? `Node ${myid} is down: start it first (zk-lab node start ${myid}).` : null;
  }
}

/** Every member a fault names. */
export function faultMembers(spec: FaultSpec): number[] {
  switch (spec.kind) {
    case 'partition':
      return spec.groups.flat();
    case 'oneway':
      return [spec.from, spec.to];
    case 'slow':
      return spec.b === null ? [spec.a] : [spec.a, spec.b];
    case 'hold':
      return [...(spec.from === null ? [] : [spec.from]), ...(spec.to ?? [])];
    default:
      return [spec.myid];
  }
}

/** Why a fault cannot be set on this lab, or null. */
export function checkFault(lab: LabView, spec: FaultSpec): string | null {
  if (lab.attached) return 'This lab is attached to an ensemble it did not start: faults need a lab that zk-lab launch (or the app) launched.';
  const missing = unknown(lab, faultMembers(spec));
  if (missing) return missing;
  const node = (id: number): NodeView => lab.nodes.find((n) => n.myid === id)!;
  switch (spec.kind) {
    case 'partition': {
      const named = spec.groups.flat().length;
      const sides = spec.groups.length + (named < lab.nodes.length ? 1 : 0);
      if (sides < 2) return `A partition needs two sides at least, and ${spec.groups[0]!.join(',')} is every member: leave some out, or split them with |.`;
      return null;
    }
    case 'isolate':
    case 'bridge':
    case 'client-cut':
    case 'kill':
    case 'stop':
      return down(node(spec.myid)) ? `Node ${spec.myid} is down, so the fault would do nothing: start it first (zk-lab node start ${spec.myid}).` : null;
    case 'pause':
      if (down(node(spec.myid))) return `Node ${spec.myid} is down, so the fault would do nothing: start it first (zk-lab node start ${spec.myid}).`;
      return node(spec.myid).role === 'paused' ? `Node ${spec.myid} is paused already.` : null;
    case 'disk':
    case 'slow-apply': {
      const n = node(spec.myid);
      if (n.engine === 'apache') return `Node ${spec.myid} runs Apache ZooKeeper: ${spec.kind === 'disk' ? 'disk faults' : 'the slow-apply fault'} are for our members only.`;
      return down(n) ? `Node ${spec.myid} is down, so the fault would do nothing: start it first (zk-lab node start ${spec.myid}).` : null;
    }
    default:
      return null;
  }
}

/** Why `fault heal|release <id>` names no fault in force, or null (id null: every fault). */
export function checkFaultId(net: NetView, id: string | null): string | null {
  if (id === null) return null;
  if (net.faults.some((f) => f.id === id)) return null;
  const ids = net.faults.map((f) => f.id);
  return `There is no fault ${id} in force (${ids.length ? `the faults are ${ids.join(', ')}` : 'there is none'}): zk-lab fault list shows them.`;
}

/** Why a wire filter names a member that is not there, or null. */
export function checkWireMembers(lab: LabView, ids: readonly number[] | null): string | null {
  return ids ? unknown(lab, ids) : null;
}

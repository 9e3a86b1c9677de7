// What zk-lab prints: the documents of --json (their field names are documented in the README)
// and the same things for people, as short lines and aligned tables.
import type { Fault, LabView, NetView, NodeView } from '../../shared/contract';

/** One member as zk-lab status and zk-lab launch show it. */
export interface NodeDoc {
  myid: number;
  engine: NodeView['engine'];
  observer: boolean;
  role: NodeView['role'];
  pid: number | null;
  /** The client port through the lab's network (faults reach it), or null when the lab has none. */
  labClientPort: number | null;
  /** The member's own client port (no lab fault reaches it). */
  clientPort: number;
  adminPort: number;
  epoch: number | null;
  /** Hex with 0x, as the wire capture writes zxids. */
  lastZxid: string | null;
  /** The dynamic config version the member is in (0x…), null where unknown. */
  configVersion: string | null;
}

/** `zk-lab status --json` (and launch, node: the lab after the command). */
export interface StatusDoc {
  dir: string;
  name: string;
  /** The UI's address, token included. */
  url: string;
  backendPid: number;
  attached: boolean;
  serving: boolean;
  leader: number | null;
  votersUp: number;
  quorumNeeded: number;
  nodes: NodeDoc[];
  /** Whether the lab's network (relays, network faults) is on, and why not; null when the backend has none. */
  network: { enabled: boolean; reason: string | null } | null;
  faults: Fault[];
}

export function statusDoc(lab: LabView, net: NetView | null, backend: { pid: number; url: string }, dir: string): StatusDoc {
  return {
    dir,
    name: lab.name,
    url: backend.url,
    backendPid: backend.pid,
    attached: lab.attached,
    serving: lab.serving,
    leader: lab.leader,
    votersUp: lab.votersUp,
    quorumNeeded: lab.quorumNeeded,
    nodes: lab.nodes.map((n) => ({
      myid: n.myid,
      engine: n.engine,
      observer: n.observer,
      role: n.role,
      pid: n.pid,
      labClientPort: n.labClientPort ?? net?.labClientPorts[String(n.myid)] ?? null,
      clientPort: n.clientPort,
      adminPort: n.adminPort,
      epoch: n.epoch,
      lastZxid: hexZxid(n.lastZxid),
      configVersion: hexZxid(n.configVersion),
    })),
    network: net ? { enabled: net.enabled, reason: net.reason } : null,
    faults: net?.faults ?? [],
  };
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

const dash = (v: number | string | null): string => (v === null ? '-' : String(v));

/** A zxid as hex with 0x (the lab's views write it without). */
export function hexZxid(hex: string | null): string | null {
  if (hex === null) return null;
  return /^[0-9a-f]+$/i.test(hex) ? `0x${hex.toLowerCase()}` : hex;
}

/** "0x100000003 (1/3)". */
export function zxidText(hex: string | null): string {
  if (hex === null) return '-';
  try {
    const v = BigInt(hex);
    return `${hex} (${v >> 32n}/${v & 0xffffffffn})`;
  } catch {
    return hex;
  }
}

export function quorumLine(d: StatusDoc): string {
  const state = d.serving ? `serving, leader ${dash(d.leader)}` : 'NOT serving (no quorum)';
  return `${state}; ${d.votersUp} of ${d.nodes.filter((n) => !n.observer).length} voters up, ${d.quorumNeeded} needed`;
}

export function nodesTable(d: StatusDoc): string {
  const rows = [['myid', 'role', 'pid', 'client (lab)', 'client (direct)', 'admin', 'engine', 'epoch', 'last zxid', 'config']];
  for (const n of d.nodes) {
    rows.push([
      String(n.myid),
      n.observer && n.role !== 'observer' ? `${n.role} (observer)` : n.role,
      dash(n.pid),
      dash(n.labClientPort),
      String(n.clientPort),
      String(n.adminPort),
      n.engine === 'apache' ? 'apache 3.8' : n.engine,
      dash(n.epoch),
      zxidText(n.lastZxid),
      dash(n.configVersion),
    ]);
  }
  return table(rows);
}

function since(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

export function faultsText(faults: readonly Fault[]): string {
  if (faults.length === 0) return 'Faults: none';
  const rows = [['id', 'fault', 'held', 'for']];
  for (const f of faults) rows.push([f.id, f.description, String(f.held), since(f.startedAt)]);
  return `Faults:\n${indent(table(rows))}`;
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export function statusText(d: StatusDoc): string {
  const lines = [`Lab "${d.name}" in ${d.dir}${d.attached ? ' (attached)' : ''}: ${quorumLine(d)}`, indent(nodesTable(d)), `UI: ${d.url}`];
  if (d.network === null) lines.push('Network: this backend has no lab network (faults: node actions only)');
  else if (!d.network.enabled) lines.push(`Network: off${d.network.reason ? ` (${d.network.reason})` : ''}`);
  if (d.network !== null) lines.push(faultsText(d.faults));
  return lines.join('\n');
}

export function faultLine(f: Fault): string {
  return `${f.id}: ${f.description} (zk-lab fault heal ${f.id} ends it)`;
}

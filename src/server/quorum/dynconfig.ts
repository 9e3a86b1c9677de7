// The dynamic configuration of an ensemble (QuorumVerifier as text): what /zookeeper/config holds,
// what a reconfig request asks for (PrepRequestProcessor's checks) and how a committed config is
// read back. Pure functions; the runtime owns the current servers and version.
import { Err } from '../../protocol/codes';
import { formatServerLine, parseServerLine, type QuorumServer } from '../config';

/** QuorumMaj.toString(): one `server.N=...` line per member, then `version=<hex>` (no newline after). */
export function configText(servers: Iterable<QuorumServer>, version: bigint): string {
  const lines = [...servers].sort((a, b) => a.sid - b.sid).map((s) => `${formatServerLine(s)}\n`);
  return `${lines.join('')}version=${version.toString(16)}`;
}

/** Reads a config text back; lines that do not parse are left out (the version comes from the caller). */
export function parseConfigText(text: string): Map<number, QuorumServer> {
  const servers = new Map<number, QuorumServer>();
  for (const line of text.split('\n')) {
    const m = /^(server\.\d+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    try {
      const q = parseServerLine(m[1]!, m[2]!);
      servers.set(q.sid, q);
    } catch {
      // a line this member cannot read is left out, as QuorumMaj would refuse it
    }
  }
  return servers;
}

export interface ReconfigRequest {
  joiningServers: string;
  leavingServers: string;
  newMembers: string;
  curConfigId: bigint;
}

/**
 * The config text a reconfig asks for (incremental: joining and leaving; non-incremental: new
 * members), versioned by the zxid that will carry it, or the error code PrepRequestProcessor
 * gives: BADVERSION when `curConfigId` is not the current version, BADARGUMENTS for a spec that
 * does not parse or a config without a voter.
 */
export function computeReconfig(current: ReadonlyMap<number, QuorumServer>, version: bigint, req: ReconfigRequest, zxid: bigint): string | number {
  if (req.curConfigId !== -1n && req.curConfigId !== version) return Err.BADVERSION;
  const parse = (spec: string): QuorumServer | null => {
    const eq = spec.indexOf('=');
    if (eq < 0 || !spec.slice(0, eq).trim().startsWith('server.')) return null;
    try {
      return parseServerLine(spec.slice(0, eq).trim(), spec.slice(eq + 1).trim());
    } catch {
      return null;
    }
  };
  const list = (s: string | null | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const servers = new Map(current);
  if (list(req.newMembers).length > 0) {
    servers.clear();
    for (const spec of list(req.newMembers)) {
      const q = parse(spec);
      if (!q) return Err.BADARGUMENTS;
      servers.set(q.sid, q);
    }
  } else {
    for (const spec of list(req.joiningServers)) {
      const q = parse(spec);
      if (!q) return Err.BADARGUMENTS;
      servers.set(q.sid, q);
    }
    for (const id of list(req.leavingServers)) {
      if (!/^\d+$/.test(id)) return Err.BADARGUMENTS;
      servers.delete(Number(id));
    }
  }
  if (![...servers.values()].some((q) => q.type === 'participant')) return Err.BADARGUMENTS;
  return configText(servers.values(), zxid);
}

/**
 * Leader.isQuorumSynced: a new config is proposed only when a quorum of its voters is the leader
 * itself and followers connected and synced with it (an observer counts only once it follows);
 * otherwise NEWCONFIGNOQUORUM, and nothing is proposed. Passes error codes through.
 */
export function newConfigQuorum(text: string | number, leader: number, learners: readonly { sid: number; observer: boolean; synced: boolean }[]): string | number {
  if (typeof text === 'number') return text;
  const voters = new Set([...parseConfigText(text).values()].filter((q) => q.type === 'participant').map((q) => q.sid));
  const ids = new Set<number>();
  if (voters.has(leader)) ids.add(leader);
  for (const l of learners) if (l.synced && !l.observer && voters.has(l.sid)) ids.add(l.sid);
  return ids.size > voters.size / 2 ? text : Err.NEWCONFIGNOQUORUM;
}

// Reads one node through its AdminServer (/commands/<name>, JSON), as Apache ZooKeeper 3.8 and
// our server both answer it, and turns the answers into the node's state: role, epoch, last
// zxid, ZAB phase, connections, outstanding requests, latencies. The parsing is separate from
// the fetching so that it is checked against answers captured from real ZooKeeper.
import type { Role } from '../shared/contract';

/** What one poll of a node's AdminServer says. */
export interface AdminState {
  /** The AdminServer answered at all (false: the process is up but not listening yet). */
  reachable: boolean;
  role: Role;
  epoch: number | null;
  /** Last zxid, hex without 0x. */
  lastZxid: string | null;
  /** ZAB phase: election, discovery, synchronization, broadcast; standalone for one server. */
  zabState: string | null;
  connections: number | null;
  outstanding: number | null;
  avgLatency: number | null;
  minLatency: number | null;
  maxLatency: number | null;
  znodeCount: number | null;
  /** The lab's slow-learner fault on our server (lab_apply_delay): ms late it applies commits; null where unknown. */
  applyDelayMs: number | null;
}

export const UNREACHABLE: AdminState = {
  reachable: false,
  role: 'starting',
  epoch: null,
  lastZxid: null,
  zabState: null,
  connections: null,
  outstanding: null,
  avgLatency: null,
  minLatency: null,
  maxLatency: null,
  znodeCount: null,
  applyDelayMs: null,
};

type Json = Record<string, unknown>;

/** A command's answer: its JSON, or null when the server answered with an error (not serving, HTTP 500). */
export type Answer = Json | null;

const SERVING_ROLES = new Set(['leader', 'follower', 'observer', 'standalone', 'read-only']);
const PHASES = new Set(['election', 'discovery', 'synchronization', 'broadcast']);

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** A zxid as ZooKeeper prints it (hex string "0x…" in zabstate, a plain number in mntr) as hex without 0x. */
export function zxidHex(v: unknown): string | null {
  if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) return BigInt(v).toString(16);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v).toString(16);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v.toString(16);
  return null;
}

/** The epoch half of a zxid (the high 32 bits). */
export function zxidEpoch(hex: string): number {
  return Number(BigInt(`0x${hex}`) >> 32n);
}

/** The counter half of a zxid (the low 32 bits). */
export function zxidCounter(hex: string): number {
  return Number(BigInt(`0x${hex}`) & 0xffffffffn);
}

/**
 * Makes a node's state from its `zabstate` and `server_stats` answers (null: that command
 * answered with an error). A member that answers zabstate but not server_stats is not serving:
 * it is looking for a leader ("This ZooKeeper instance is not currently serving requests").
 * server_stats rather than monitor: it has what the lab shows (also a standalone server's last
 * zxid, which monitor leaves out) in a twentieth of the bytes.
 */
export function parseAdmin(zab: Answer, stats: Answer, delay: Answer = null): AdminState {
  if (zab === null && stats === null) return { ...UNREACHABLE, reachable: true, role: 'looking', zabState: 'election' };
  const st = (typeof stats?.server_stats === 'object' && stats.server_stats !== null ? stats.server_stats : {}) as Json;
  const state = typeof st.server_state === 'string' ? st.server_state : '';
  let role: Role = SERVING_ROLES.has(state) ? (state as Role) : 'looking';
  // A member counts as leader, follower or observer only once ZAB reached broadcast; before that
  // it is still electing or syncing (two members may both try to lead for a moment, and only one
  // gets a quorum). Its phase still says where it is.
  const phase = typeof zab?.zabstate === 'string' ? zab.zabstate : '';
  if ((role === 'leader' || role === 'follower' || role === 'observer') && phase !== '' && phase !== 'broadcast') role = 'looking';
  const fromZab = zxidHex(zab?.last_zxid);
  const lastZxid = fromZab ?? zxidHex(st.last_processed_zxid);
  // Members report zab_epoch in zabstate; a standalone server has only its zxid to go by.
  const epoch = num(zab?.zab_epoch) ?? (lastZxid !== null && role !== 'looking' ? zxidEpoch(lastZxid) : null);
  const zabState = PHASES.has(phase) ? phase : role === 'standalone' ? 'standalone' : role === 'looking' ? 'election' : null;
  return {
    reachable: true,
    role,
    epoch,
    lastZxid: role === 'looking' ? fromZab : lastZxid,
    zabState,
    connections: num(st.num_alive_client_connections),
    outstanding: num(st.outstanding_requests),
    avgLatency: num(st.avg_latency),
    minLatency: num(st.min_latency),
    maxLatency: num(st.max_latency),
    znodeCount: num(stats?.node_count),
    applyDelayMs: num(delay?.apply_delay_ms),
  };
}

/** Thrown when no AdminServer answered: nothing listens (refused), or it did not answer in time. */
export class AdminUnreachable extends Error {
  constructor(
    message: string,
    /** Nothing listens on the port (the node is not up yet, or is gone), as opposed to a slow answer. */
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/**
 * GETs /commands/<name>. Resolves to the JSON, or null when the server answered with an error
 * (an `error` field, or a non-JSON HTTP error page); rejects with AdminUnreachable when no
 * AdminServer answered in time.
 */
export async function command(port: number, name: string, timeoutMs = 1500, query = ''): Promise<Answer> {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), timeoutMs);
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${port}/commands/${name}${query}`, { signal: ctl.signal });
  } catch (e) {
    clearTimeout(t);
    const refused = !ctl.signal.aborted;
    throw new AdminUnreachable(`AdminServer on 127.0.0.1:${port} did not answer ${name}: ${refused ? (e as Error).message : `no answer within ${timeoutMs} ms`}`, refused);
  }
  try {
    const text = await res.text();
    if (!res.ok) return null;
    const body = JSON.parse(text) as Json;
    return typeof body.error === 'string' && body.error !== '' ? null : body;
  } catch {
    return null;
  } finally {
    clearTimeout(t);
  }
}

/**
 * Reads a node's state through its AdminServer. A node that does not listen is `starting`
 * (UNREACHABLE); one that is too slow to answer (a loaded machine, a long GC) gets `previous`
 * back, since nothing says it changed.
 */
export async function readAdmin(port: number, previous: AdminState | null = null, timeoutMs = 1500): Promise<AdminState> {
  try {
    // lab_apply_delay is our server's own: Apache ZooKeeper answers it with an error (null).
    const [zab, stats, delay] = await Promise.all([command(port, 'zabstate', timeoutMs), command(port, 'server_stats', timeoutMs), command(port, 'lab_apply_delay', timeoutMs)]);
    return parseAdmin(zab, stats, delay);
  } catch (e) {
    if (!(e instanceof AdminUnreachable)) throw e;
    return !e.refused && previous && previous.reachable ? previous : UNREACHABLE;
  }
}

/** One event from a member's own log (our server's `lab_events`), as it came over JSON. */
export interface MemberEvent {
  seq: number;
  time: number;
  type: string;
  [k: string]: unknown;
}

/** Events a member logged after `since`, and the pid of the process that answers. */
export async function readMemberEvents(port: number, since: number): Promise<{ lastSeq: number; pid: number | null; events: MemberEvent[] } | null> {
  let body: Answer;
  try {
    body = await command(port, 'lab_events', 600, `?since=${since}`);
  } catch {
    return null;
  }
  if (!body || !Array.isArray(body.events)) return null;
  const events = (body.events as unknown[]).filter((e): e is MemberEvent => typeof e === 'object' && e !== null && typeof (e as MemberEvent).type === 'string' && typeof (e as MemberEvent).seq === 'number');
  return { lastSeq: num(body.last_seq) ?? since, pid: num(body.pid), events };
}

// The Tree view's "where the bytes are" (tree.du): computed by the member, never by walking the
// tree from a client. Our member answers the AdminServer command lab_du; an Apache member has no
// such command, so the lab reads its newest snapshot file with the server's reader
// (src/server/datadir-main.ts `du`), and says which snapshot (and zxid) the figures are of.
import type { DuSort, TreeDu } from '../shared/contract';
import { join } from 'node:path';
import { LabError } from '../shared/errors';
import { runDataDirTool } from './datadir';
import { nodeDir, type LabSpec } from './labdir';
import type { Supervisor } from './supervisor';

export interface DuArgs {
  path: string;
  sort: DuSort;
  offset: number;
  limit: number;
}

/** lab_du's and the reader's answer (snake_case, as the AdminServer's commands). */
interface RawDu {
  path: string;
  sort: DuSort;
  offset: number;
  total: number;
  znode: RawRow;
  children: RawRow[];
  overhead_per_znode: string;
  zxid: string;
  snapshot?: string;
  error?: string | null;
}
interface RawRow {
  name: string;
  descendants: number;
  bytes: number;
  data_bytes: number;
  num_children: number;
}

const row = (r: RawRow): TreeDu['znode'] => ({ name: r.name, descendants: r.descendants, bytes: r.bytes, dataBytes: r.data_bytes, numChildren: r.num_children });

function toTreeDu(raw: RawDu, source: string): TreeDu {
  return { path: raw.path, source, zxid: raw.zxid, sort: raw.sort, offset: raw.offset, total: raw.total, znode: row(raw.znode), children: raw.children.map(row), overhead: raw.overhead_per_znode };
}

const query = (a: DuArgs): string => `?${new URLSearchParams({ path: a.path, sort: a.sort, offset: String(a.offset), limit: String(a.limit) }).toString()}`;

/** From our member's AdminServer. */
export async function memberDu(myid: number, adminPort: number, a: DuArgs): Promise<TreeDu> {
  let raw: RawDu;
  try {
    const res = await fetch(`http://127.0.0.1:${adminPort}/commands/lab_du${query(a)}`, { signal: AbortSignal.timeout(60_000) });
    raw = (await res.json()) as RawDu;
  } catch (e) {
    throw new Error(`Member ${myid} did not answer lab_du (${(e as Error).message}): is it running? Start it, or read through another member.`);
  }
  if (raw.error) throw new Error(`Member ${myid}: ${raw.error}`);
  return toTreeDu(raw, `member ${myid}`);
}

/** From an Apache member's newest snapshot in its dataDir (version-2). */
export async function snapshotDu(myid: number, version2: string, a: DuArgs): Promise<TreeDu> {
  const raw = await runDataDirTool<RawDu>(['du', version2, a.path, a.sort, String(a.offset), String(a.limit)]).catch((e: Error) => {
    throw new Error(`Member ${myid} (Apache ZooKeeper): ${e.message}`);
  });
  return toTreeDu(raw, `${raw.snapshot} of member ${myid} (Apache ZooKeeper)`);
}

/**
 * Where the bytes are in a lab: computed by member `through` (null: the leader, else any running
 * member); an Apache member's from its newest snapshot file, ours by its AdminServer (lab_du).
 */
export async function labDu(lab: LabSpec, sup: Supervisor, leader: number | null, through: number | null, args: DuArgs): Promise<TreeDu> {
  const running = lab.nodes.filter((n) => sup.isRunning(n.myid));
  const n = through !== null ? lab.nodes.find((x) => x.myid === through) : (running.find((x) => x.myid === leader) ?? running[0]);
  if (!n) throw through !== null ? new LabError('noMember', { myid: through }) : new LabError('noMemberRunning');
  if (n.engine === 'apache') return snapshotDu(n.myid, join(nodeDir(lab, n.myid), 'data', 'version-2'), args);
  if (!sup.isRunning(n.myid)) throw new LabError('memberDownReadThrough', { myid: n.myid });
  return memberDu(n.myid, n.adminPort, args);
}

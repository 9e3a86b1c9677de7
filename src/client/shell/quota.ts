// zkCli's quota commands (setquota, listquota, delquota): quota nodes under /zookeeper/quota,
// written and read exactly as SetQuotaCommand / ListQuotaCommand / DelQuotaCommand do.
import { CreateMode, Err } from '../../protocol/codes';
import type { ZkClient } from '../client';
import { ZkError } from '../errors';
import { CliError } from './options';

export const QUOTA_ROOT = '/zookeeper/quota';
const LIMIT_NODE = 'zookeeper_limits';
const STAT_NODE = 'zookeeper_stats';

export const quotaPath = (path: string) => QUOTA_ROOT + path;
export const limitPath = (path: string) => `${QUOTA_ROOT}${path}/${LIMIT_NODE}`;
export const statPath = (path: string) => `${QUOTA_ROOT}${path}/${STAT_NODE}`;

/** StatsTrack: "count=5,bytes=-1" plus optional "=;byteHardLimit=-1;countHardLimit=-1". */
export class StatsTrack {
  readonly stats = new Map<string, bigint>();

  constructor(text = '') {
    if (text === '') return;
    for (const pair of text.split(/[,;]+/)) {
      const kv = pair.split('=').filter((x, i, a) => i < a.length - 1 || x !== '');
      if (kv[0] === undefined || kv[0] === '') continue;
      this.stats.set(kv[0], BigInt(kv[1] === undefined || kv[1] === '' ? '-1' : kv[1]));
    }
  }

  get(key: string): bigint {
    return this.stats.get(key) ?? -1n;
  }

  set(key: string, v: bigint): void {
    this.stats.set(key, v);
  }

  toString(): string {
    const rest = [...this.stats.keys()].filter((k) => k !== 'count' && k !== 'bytes').sort();
    let s = `count=${this.get('count')},bytes=${this.get('bytes')}`;
    if (rest.length > 0) s += '=' + rest.map((k) => `;${k}=${this.stats.get(k)}`).join('');
    return s;
  }
}

type Print = (line: string) => void;

async function exists(zk: ZkClient, path: string): Promise<boolean> {
  return (await zk.exists(path)) !== null;
}

async function createIfMissing(zk: ZkClient, path: string, data: string | null = null): Promise<void> {
  if (await exists(zk, path)) return;
  try {
    await zk.create(path, data, { mode: CreateMode.PERSISTENT });
  } catch (e) {
    if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
  }
}

/** Walks a subtree depth-first like ZKUtil.visitSubTreeDFS (children sorted, listed before descending). */
export async function visitSubTree(zk: ZkClient, path: string, watch: boolean, visit: (p: string) => Promise<void> | void): Promise<void> {
  await zk.getData(path, watch);
  await visit(path);
  const helper = async (p: string): Promise<void> => {
    let children: string[];
    try {
      children = (await zk.getChildren(p, watch)).sort();
    } catch (e) {
      if (e instanceof ZkError && e.code === Err.NONODE) return;
      throw e;
    }
    const full = children.map((c) => (p === '/' ? `/${c}` : `${p}/${c}`));
    for (const c of full) await visit(c);
    for (const c of full) await helper(c);
  };
  await helper(path);
}

/** setquota -n|-b|-N|-B val path */
export async function setQuota(zk: ZkClient, path: string, quota: StatsTrack, out: Print): Promise<void> {
  if ((await zk.exists(path)) === null) throw new CliError(`${path} does not exist.`);
  // A quota inside a subtree that already has one, or above one, is refused.
  try {
    await visitSubTree(zk, quotaPath(path), false, async (qp) => {
      let children: string[] = [];
      try {
        children = await zk.getChildren(qp);
      } catch (e) {
        if (e instanceof ZkError && e.code === Err.NONODE) return;
        throw e;
      }
      for (const child of children) {
        if (qp !== QUOTA_ROOT + path && child === LIMIT_NODE) {
          throw new CliError(`${path} has a child ${qp.slice(QUOTA_ROOT.length)} which has a quota`);
        }
      }
    });
  } catch (e) {
    if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
  }
  const splits = path.split('/');
  let qp = QUOTA_ROOT;
  for (let i = 1; i < splits.length - 1; i++) {
    qp += '/' + splits[i];
    let children: string[];
    try {
      children = await zk.getChildren(qp);
    } catch (e) {
      if (e instanceof ZkError && e.code === Err.NONODE) break;
      throw e;
    }
    if (children.length === 0) break;
    if (qp !== quotaPath(path) && children.includes(LIMIT_NODE)) {
      throw new CliError(`${path} has a parent ${qp.slice(QUOTA_ROOT.length)} which has a quota`);
    }
  }
  if (!(await exists(zk, QUOTA_ROOT))) {
    await createIfMissing(zk, '/zookeeper');
    await createIfMissing(zk, QUOTA_ROOT);
  }
  qp = QUOTA_ROOT;
  for (let i = 1; i < splits.length; i++) {
    qp += '/' + splits[i];
    await createIfMissing(zk, qp);
  }
  const statNode = `${qp}/${STAT_NODE}`;
  const limitNode = `${qp}/${LIMIT_NODE}`;
  let limits: StatsTrack;
  const fresh = !(await exists(zk, limitNode));
  if (fresh) {
    await zk.create(limitNode, quota.toString());
    const zero = new StatsTrack();
    zero.set('count', 0n);
    zero.set('bytes', 0n);
    await zk.create(statNode, zero.toString());
    limits = new StatsTrack((await zk.getData(limitNode)).data?.toString() ?? '');
  } else {
    limits = new StatsTrack((await zk.getData(limitNode)).data?.toString() ?? '');
    for (const k of ['count', 'bytes', 'countHardLimit', 'byteHardLimit']) if (quota.get(k) > -1n) limits.set(k, quota.get(k));
  }
  const stats = new StatsTrack((await zk.getData(statNode)).data?.toString() ?? '');
  const over = (limit: bigint, used: bigint) => limit > -1n && limit < used;
  if (over(limits.get('count'), stats.get('count')) || over(limits.get('countHardLimit'), stats.get('count'))) {
    out(`[Warning]: the count quota you create is less than the existing count:${stats.get('count')}`);
  }
  if (over(limits.get('bytes'), stats.get('bytes')) || over(limits.get('byteHardLimit'), stats.get('bytes'))) {
    out(`[Warning]: the bytes quota you create is less than the existing bytes:${stats.get('bytes')}`);
  }
  if (!fresh) await zk.setData(limitNode, limits.toString());
}

/** listquota path: [limits, stats]; NoNode when there is no quota. */
export async function listQuota(zk: ZkClient, path: string): Promise<StatsTrack[]> {
  const limits = new StatsTrack((await zk.getData(limitPath(path))).data?.toString() ?? '');
  const stats = new StatsTrack((await zk.getData(statPath(path))).data?.toString() ?? '');
  return [limits, stats];
}

/** delquota [-n|-b|-N|-B] path: without a flag the whole quota goes. */
export async function delQuota(zk: ZkClient, path: string, which: StatsTrack | null, out: Print): Promise<void> {
  const parent = quotaPath(path);
  const limitNode = limitPath(path);
  if (!(await exists(zk, limitNode))) {
    out(`Quota does not exist for ${path}`);
    return;
  }
  const limits = new StatsTrack((await zk.getData(limitNode)).data?.toString() ?? '');
  if (which === null) {
    for (const child of await zk.getChildren(parent)) await zk.delete(`${parent}/${child}`);
    // Remove the now empty quota path back up to /zookeeper/quota.
    let p = parent;
    while (p !== QUOTA_ROOT) {
      if ((await zk.getChildren(p)).length > 0) break;
      await zk.delete(p);
      p = p.slice(0, p.lastIndexOf('/'));
    }
    return;
  }
  for (const k of ['count', 'bytes', 'countHardLimit', 'byteHardLimit']) if (which.get(k) > 0n) limits.set(k, -1n);
  await zk.setData(limitNode, limits.toString());
}

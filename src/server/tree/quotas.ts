// Quotas (DataTree.updateCountBytes / updateQuotaForPath / setupQuota): the server keeps
// /zookeeper/quota/<path>/zookeeper_stats current ("count=N,bytes=M") for every path that has a
// /zookeeper/quota/<path>/zookeeper_limits, as the tree's creates, deletes and setData change it.
import { baseName, parentOf } from '../../protocol/paths';
import { QUOTA_PATH, ZOOKEEPER_PATH } from './datatree';
import { NONE } from './store';

/** What quotas read of the tree (its store is replaced on a load, so always through it). */
export interface QuotaTree {
  lookup(path: string): number;
  data(id: number): Buffer | null;
  dataLength(id: number): number;
  replaceData(id: number, data: Buffer | null): void;
  walk(path: string): Iterable<[string, number]>;
}

export class Quotas {
  /** Paths that carry a quota. */
  readonly paths = new Set<string>();

  constructor(private readonly tree: QuotaTree) {}

  private rootOf(path: string): string | null {
    if (this.paths.size === 0 || path.startsWith(ZOOKEEPER_PATH + '/') || path === ZOOKEEPER_PATH) return null;
    for (let p = path; ; p = parentOf(p)) {
      if (this.paths.has(p)) return p;
      if (p === '/') return null;
    }
  }

  onCreate(path: string, bytes: number): void {
    if (path.startsWith(QUOTA_PATH + '/')) {
      const name = baseName(path);
      const quotaPath = parentOf(path).slice(QUOTA_PATH.length);
      if (name === 'zookeeper_limits') this.paths.add(quotaPath);
      else if (name === 'zookeeper_stats') this.recount(quotaPath);
      return;
    }
    const root = this.rootOf(path);
    if (root !== null) this.add(root, bytes, 1);
  }

  onDelete(path: string, bytes: number): void {
    if (path.startsWith(QUOTA_PATH + '/')) {
      if (baseName(path) === 'zookeeper_limits') this.paths.delete(parentOf(path).slice(QUOTA_PATH.length));
      return;
    }
    const root = this.rootOf(path);
    if (root !== null) this.add(root, -bytes, -1);
  }

  onSetData(path: string, bytesDiff: number): void {
    const root = this.rootOf(path);
    if (root !== null) this.add(root, bytesDiff, 0);
  }

  /** Finds every quota after a load and recounts it (a fuzzy snapshot may hold stale stats). */
  rebuild(): void {
    this.paths.clear();
    for (const [path] of this.tree.walk(QUOTA_PATH)) {
      if (baseName(path) === 'zookeeper_limits') this.paths.add(parentOf(path).slice(QUOTA_PATH.length));
    }
    for (const p of this.paths) this.recount(p);
  }

  private statsNodeOf(quotaPath: string): number {
    return this.tree.lookup(`${QUOTA_PATH}${quotaPath}/zookeeper_stats`);
  }

  private add(quotaPath: string, bytesDiff: number, countDiff: number): void {
    const node = this.statsNodeOf(quotaPath);
    if (node === NONE) return;
    const text = this.tree.data(node)?.toString('utf8') ?? '';
    const count = Number(/count=(-?\d+)/.exec(text)?.[1] ?? 0) + countDiff;
    const bytes = Number(/bytes=(-?\d+)/.exec(text)?.[1] ?? 0) + bytesDiff;
    this.tree.replaceData(node, Buffer.from(`count=${count},bytes=${bytes}`, 'utf8'));
  }

  private recount(quotaPath: string): void {
    let count = 0;
    let bytes = 0;
    for (const [, n] of this.tree.walk(quotaPath)) {
      count++;
      bytes += this.tree.dataLength(n);
    }
    // Looked up after the walk: replaceData never frees an id, but the walk is a generator.
    const node = this.statsNodeOf(quotaPath);
    if (node === NONE) return;
    this.tree.replaceData(node, Buffer.from(`count=${count},bytes=${bytes}`, 'utf8'));
  }
}

// The sequential-ephemeral lock algorithm shared by InterProcessMutex, the read/write lock and
// the leader selector (Curator's LockInternals + StandardLockInternalsDriver): create a
// protected EPHEMERAL_SEQUENTIAL node, sort the children by sequence, and if we are not within
// the first `maxLeases`, watch only the node `maxLeases` places ahead of us, then look again.
import { CreateMode, Err } from '../../protocol/codes';
import type { ZkClient } from '../client';
import { ZkError, zkError } from '../errors';
import { LockStats } from './lock-stats';
import { createProtected, deleteGuaranteed, waitForWatch, withRetry } from './support';

export interface LockPredicate {
  /** True if `ourName` holds the lock; otherwise the child to watch. */
  (sortedChildren: string[], ourName: string, maxLeases: number): { getsTheLock: boolean; pathToWatch?: string };
}

/** The part of a name after the last `lockName`: the sequence number (Curator's fixForSorting). */
export function fixForSorting(name: string, lockName: string): string {
  const i = name.lastIndexOf(lockName);
  return i >= 0 ? name.slice(i + lockName.length) : name;
}

/** Standard predicate: among the first maxLeases, else watch the one maxLeases ahead. */
export const standardPredicate: LockPredicate = (children, ourName, maxLeases) => {
  const ourIndex = children.indexOf(ourName);
  if (ourIndex < 0) throw zkError(Err.NONODE, undefined, `KeeperErrorCode = NoNode: Sequential path not found: ${ourName}`);
  const gets = ourIndex < maxLeases;
  return gets ? { getsTheLock: true } : { getsTheLock: false, pathToWatch: children[ourIndex - maxLeases] };
};

export class LockInternals {
  readonly stats = new LockStats();
  /** The node of the attempt under way (null between attempts). */
  attemptPath: string | null = null;
  /** The node the waiter watches right now (null while not watching). */
  watchingPath: string | null = null;

  constructor(
    readonly client: ZkClient,
    readonly basePath: string,
    readonly lockName: string,
    readonly maxLeases: number,
    private readonly predicate: LockPredicate = standardPredicate,
    /** Extra names to strip before sorting (the read/write lock sorts READ and WRIT together). */
    private readonly sortNames: string[] = [lockName],
  ) {}

  /** Children of the base path sorted by sequence number ([] if the base path is gone). */
  async sortedChildren(): Promise<string[]> {
    let children: string[];
    try {
      children = await this.client.getChildren(this.basePath);
    } catch (e) {
      if (e instanceof ZkError && e.code === Err.NONODE) return [];
      throw e;
    }
    const key = (n: string) => this.sortNames.reduce((s, ln) => fixForSorting(s, ln), n);
    return children.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  /**
   * Takes the lock: resolves with our lock node's path, or null if `timeoutMs` passed (or
   * `signal` aborted) first. A lost session (our node vanished) starts over with a new node.
   */
  async attemptLock(timeoutMs?: number, data: Buffer | null = null, signal?: AbortSignal): Promise<string | null> {
    const start = Date.now();
    for (let retries = 0; ; retries++) {
      this.stats.created();
      const ourPath = await createProtected(this.client, this.basePath, this.lockName, data, CreateMode.EPHEMERAL_SEQUENTIAL);
      this.attemptPath = ourPath;
      try {
        const got = await this.lockLoop(ourPath, start, timeoutMs, signal);
        this.attemptPath = null;
        if (got) {
          this.stats.acquired(Date.now() - start);
          return ourPath;
        }
        this.stats.timedOut();
        await deleteGuaranteed(this.client, ourPath);
        return null;
      } catch (e) {
        this.attemptPath = null;
        await deleteGuaranteed(this.client, ourPath).catch(() => undefined);
        // Our node is gone (the session expired and was renewed): queue up again.
        if (e instanceof ZkError && e.code === Err.NONODE && retries < 10) continue;
        throw e;
      }
    }
  }

  private async lockLoop(ourPath: string, start: number, timeoutMs: number | undefined, signal?: AbortSignal): Promise<boolean> {
    const ourName = ourPath.slice(this.basePath.length + (this.basePath === '/' ? 0 : 1));
    for (;;) {
      const children = await withRetry(this.client, () => this.sortedChildren());
      const r = this.predicate(children, ourName, this.maxLeases);
      if (r.getsTheLock) return true;
      const watchPath = `${this.basePath === '/' ? '' : this.basePath}/${r.pathToWatch}`;
      const remaining = timeoutMs === undefined ? undefined : timeoutMs - (Date.now() - start);
      if (remaining !== undefined && remaining <= 0) return false;
      this.watchingPath = watchPath;
      const why = await waitForWatch(
        this.client,
        async (wake) => {
          try {
            this.stats.watchSet();
            await withRetry(this.client, () =>
              this.client.getData(watchPath, () => {
                this.stats.notified();
                wake();
              }),
            );
            return true;
          } catch (e) {
            // The one ahead of us is already gone: look again at once.
            if (e instanceof ZkError && e.code === Err.NONODE) return false;
            throw e;
          }
        },
        remaining,
        signal,
      ).finally(() => (this.watchingPath = null));
      if (why === 'timeout') return false;
      // 'session': look again. A dead client fails the next request; a renewed session no
      // longer has our node, which sends attemptLock round again with a new one.
    }
  }

  /** Deletes our lock node (retrying through connection loss). */
  async releaseLock(lockPath: string): Promise<void> {
    await deleteGuaranteed(this.client, lockPath);
    this.stats.released();
  }

  /** Every participant node, in lock order (full paths). */
  async participantNodes(): Promise<string[]> {
    const base = this.basePath === '/' ? '' : this.basePath;
    return (await this.sortedChildren()).map((c) => `${base}/${c}`);
  }
}

// The lock to avoid, kept to show why: every waiter watches the one lock node, so each release
// wakes all of them and they all race to create it again (the herd effect). Its counters make
// the cost visible: watch notifications grow with the number of waiters per release.
import { CreateMode, Err } from '../../protocol/codes';
import { pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import { IllegalArgumentError, ZkError } from '../errors';
import { LockStats, type LockStatsSnapshot } from './lock-stats';
import type { PlaygroundLock } from './mutex';
import { deleteGuaranteed, ensureParents, waitForWatch, withRetry } from './support';

export class NaiveLock implements PlaygroundLock {
  private readonly counters = new LockStats();
  private held = false;
  private waiting = false;

  constructor(
    readonly client: ZkClient,
    /** The single lock node everyone tries to create. */
    readonly lockPath = '/naive-lock',
  ) {
    const reason = pathError(lockPath);
    if (reason !== null) throw new IllegalArgumentError(reason);
  }

  async acquire(timeoutMs?: number, signal?: AbortSignal): Promise<boolean> {
    if (this.held) throw new Error(`NaiveLock on ${this.lockPath} is already held by this instance`);
    const start = Date.now();
    await ensureParents(this.client, this.lockPath, false);
    for (;;) {
      this.counters.created();
      try {
        await this.client.create(this.lockPath, null, { mode: CreateMode.EPHEMERAL });
        this.held = true;
        this.counters.acquired(Date.now() - start);
        return true;
      } catch (e) {
        if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
      }
      const remaining = timeoutMs === undefined ? undefined : timeoutMs - (Date.now() - start);
      if (remaining !== undefined && remaining <= 0) break;
      this.waiting = true;
      const why = await waitForWatch(
        this.client,
        async (wake) => {
          this.counters.watchSet();
          const stat = await withRetry(this.client, () =>
            this.client.exists(this.lockPath, () => {
              this.counters.notified();
              wake();
            }),
          );
          // Released between our create and our watch: try again at once.
          return stat !== null;
        },
        remaining,
        signal,
      ).finally(() => (this.waiting = false));
      if (why === 'timeout') break;
    }
    this.counters.timedOut();
    return false;
  }

  async release(): Promise<void> {
    if (!this.held) throw new Error(`NaiveLock on ${this.lockPath}: release() without holding the lock`);
    this.held = false;
    await deleteGuaranteed(this.client, this.lockPath);
    this.counters.released();
  }

  /** The lock node while this instance holds it (waiters of the naive lock have no node). */
  ownNode(): string | null {
    return this.held ? this.lockPath : null;
  }

  /** Every waiter watches the one lock node. */
  watching(): string | null {
    return this.waiting ? this.lockPath : null;
  }

  stats(): LockStatsSnapshot {
    return this.counters.snapshot();
  }
}

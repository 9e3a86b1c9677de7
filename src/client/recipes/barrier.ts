// DistributedBarrier (Curator): while the barrier node exists, waiters wait; removing it lets
// them all through.
import { Err } from '../../protocol/codes';
import { pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import { IllegalArgumentError, ZkError } from '../errors';
import { ensureParents, waitForWatch, withRetry } from './support';

export class DistributedBarrier {
  constructor(
    readonly client: ZkClient,
    readonly barrierPath: string,
  ) {
    const reason = pathError(barrierPath);
    if (reason !== null) throw new IllegalArgumentError(reason);
  }

  /** Raises the barrier (creates its node; already raised is fine). */
  async setBarrier(): Promise<void> {
    await ensureParents(this.client, this.barrierPath);
    try {
      await withRetry(this.client, () => this.client.create(this.barrierPath));
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
    }
  }

  /** Lowers the barrier (deletes its node; already gone is fine). */
  async removeBarrier(): Promise<void> {
    try {
      await withRetry(this.client, () => this.client.delete(this.barrierPath));
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
    }
  }

  /** Waits until the barrier is removed; false if `timeoutMs` passed first. */
  async waitOnBarrier(timeoutMs?: number, signal?: AbortSignal): Promise<boolean> {
    const start = Date.now();
    for (;;) {
      const left = timeoutMs === undefined ? undefined : timeoutMs - (Date.now() - start);
      if (left !== undefined && left <= 0) return false;
      const why = await waitForWatch(
        this.client,
        async (wake) => (await withRetry(this.client, () => this.client.exists(this.barrierPath, () => wake()))) !== null,
        left,
        signal,
      );
      if (why === 'timeout') return false;
      if ((await withRetry(this.client, () => this.client.exists(this.barrierPath))) === null) return true;
    }
  }
}

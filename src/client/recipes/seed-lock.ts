// The seed tutorial's lock on the plain API (DistributeLock): an EPHEMERAL_SEQUENTIAL
// "seq-" node under /locks; the smallest holds the lock; everyone else watches the node just
// before its own. Unlike the tutorial's code it looks at the children again after each
// event, so a waiter whose predecessor gave up (rather than released) does not jump the queue.
import { CreateMode, Err } from '../../protocol/codes';
import { joinPath, pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import { IllegalArgumentError, ZkError } from '../errors';
import { LockStats, type LockStatsSnapshot } from './lock-stats';
import type { PlaygroundLock } from './mutex';
import { deleteGuaranteed, waitForWatch, withRetry } from './support';

export class SeedLock implements PlaygroundLock {
  private readonly counters = new LockStats();
  private currentNode: string | null = null;
  private watchingPath: string | null = null;

  constructor(
    readonly client: ZkClient,
    readonly root = '/locks',
    readonly subNode = 'seq-',
  ) {
    const reason = pathError(root);
    if (reason !== null) throw new IllegalArgumentError(reason);
  }

  /** The node this lock holds or waits with. */
  get node(): string | null {
    return this.currentNode;
  }

  /** zkLock(): waits for the lock; false if `timeoutMs` passed first (its node is then removed). */
  async acquire(timeoutMs?: number, signal?: AbortSignal): Promise<boolean> {
    if (this.currentNode !== null) throw new Error(`SeedLock on ${this.root} is already held or being acquired by this instance`);
    const start = Date.now();
    // The tutorial creates the root as a persistent node when it is missing.
    if ((await withRetry(this.client, () => this.client.exists(this.root))) === null) {
      try {
        await this.client.create(this.root, Buffer.alloc(0));
      } catch (e) {
        if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
      }
    }
    this.counters.created();
    const node = await this.client.create(joinPath(this.root, this.subNode), null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    this.currentNode = node;
    const thisNode = node.slice(this.root.length + 1);
    try {
      for (;;) {
        const children = (await withRetry(this.client, () => this.client.getChildren(this.root))).sort();
        const index = children.indexOf(thisNode);
        if (index < 0) throw new Error(`SeedLock: our node ${node} is gone (session expired?)`);
        if (index === 0) {
          this.counters.acquired(Date.now() - start);
          return true;
        }
        const waitPath = joinPath(this.root, children[index - 1]!);
        const remaining = timeoutMs === undefined ? undefined : timeoutMs - (Date.now() - start);
        if (remaining !== undefined && remaining <= 0) break;
        this.watchingPath = waitPath;
        const why = await waitForWatch(
          this.client,
          async (wake) => {
            this.counters.watchSet();
            try {
              await this.client.getData(waitPath, (e) => {
                this.counters.notified();
                if (e.path === waitPath) wake();
              });
              return true;
            } catch (e) {
              if (e instanceof ZkError && e.code === Err.NONODE) return false;
              throw e;
            }
          },
          remaining,
          signal,
        ).finally(() => (this.watchingPath = null));
        if (why === 'timeout') break;
      }
    } catch (e) {
      this.currentNode = null;
      await deleteGuaranteed(this.client, node).catch(() => undefined);
      throw e;
    }
    this.counters.timedOut();
    this.currentNode = null;
    await deleteGuaranteed(this.client, node);
    return false;
  }

  /** zkUnlock(): deletes our node. */
  async release(): Promise<void> {
    const node = this.currentNode;
    if (node === null) throw new Error(`SeedLock on ${this.root}: release() without holding the lock`);
    this.currentNode = null;
    await deleteGuaranteed(this.client, node);
    this.counters.released();
  }

  ownNode(): string | null {
    return this.currentNode;
  }

  watching(): string | null {
    return this.watchingPath;
  }

  stats(): LockStatsSnapshot {
    return this.counters.snapshot();
  }
}

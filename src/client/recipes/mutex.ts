// InterProcessMutex with Curator's semantics: reentrant, fair (sequence order), each waiter
// watches only its predecessor, lock nodes named "_c_<uuid>-lock-<seq>" so Curator's Java
// InterProcessMutex and this one exclude each other on the same path.
import { pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import { IllegalArgumentError } from '../errors';
import { LockInternals, standardPredicate, type LockPredicate } from './lock-internals';
import type { LockStatsSnapshot } from './lock-stats';

/** What the lock playground drives: every lock kind has this shape. */
export interface PlaygroundLock {
  /** Waits for the lock; false if `timeoutMs` passed (or `signal` aborted) first. */
  acquire(timeoutMs?: number, signal?: AbortSignal): Promise<boolean>;
  release(): Promise<void>;
  stats(): LockStatsSnapshot;
  /** The lock znode this instance holds or waits with, or null (the playground draws the queue from it). */
  ownNode(): string | null;
  /** The znode this instance's waiter watches right now, or null (who watches whom, in the playground). */
  watching(): string | null;
}

export class InterProcessMutex implements PlaygroundLock {
  protected readonly internals: LockInternals;
  private lockPath: string | null = null;
  private count = 0;
  private inFlight: Promise<boolean> | null = null;
  private readonly lockData: Buffer | null;

  /**
   * A mutex on `path`. Reentrant per instance: use one instance per owner (Curator keys
   * ownership by thread; JavaScript has one thread, so the instance is the owner).
   */
  constructor(
    readonly client: ZkClient,
    readonly path: string,
    opts: { lockData?: Buffer | string; lockName?: string; maxLeases?: number; predicate?: LockPredicate; sortNames?: string[] } = {},
  ) {
    const reason = pathError(path);
    if (reason !== null) throw new IllegalArgumentError(reason);
    const lockName = opts.lockName ?? 'lock-';
    this.internals = new LockInternals(client, path, lockName, opts.maxLeases ?? 1, opts.predicate ?? standardPredicate, opts.sortNames ?? [lockName]);
    this.lockData = opts.lockData === undefined ? null : Buffer.from(opts.lockData);
  }

  /** Takes the lock (again, if this instance holds it). Without a timeout it resolves true or throws. */
  async acquire(timeoutMs?: number, signal?: AbortSignal): Promise<boolean> {
    if (this.count > 0) {
      this.count++;
      return true;
    }
    if (this.inFlight) {
      // A second caller on the same instance shares the acquisition, then holds a count too.
      if (!(await this.inFlight)) return false;
      this.count++;
      return true;
    }
    this.inFlight = this.internals.attemptLock(timeoutMs, this.lockData, signal).then((p) => {
      if (p === null) return false;
      this.lockPath = p;
      this.count = 1;
      return true;
    });
    try {
      return await this.inFlight;
    } finally {
      this.inFlight = null;
    }
  }

  /** Releases one hold; the last one deletes the lock node. */
  async release(): Promise<void> {
    if (this.count === 0 || this.lockPath === null) throw new Error(`You do not own the lock: ${this.path}`);
    this.count--;
    if (this.count > 0) return;
    const p = this.lockPath;
    this.lockPath = null;
    await this.internals.releaseLock(p);
  }

  isAcquiredInThisProcess(): boolean {
    return this.count > 0;
  }

  /** Our lock node while held, else null. */
  getLockPath(): string | null {
    return this.lockPath;
  }

  ownNode(): string | null {
    return this.lockPath ?? this.internals.attemptPath;
  }

  watching(): string | null {
    return this.internals.watchingPath;
  }

  /** Every contender's node, in lock order. */
  participantNodes(): Promise<string[]> {
    return this.internals.participantNodes();
  }

  stats(): LockStatsSnapshot {
    return this.internals.stats.snapshot();
  }
}

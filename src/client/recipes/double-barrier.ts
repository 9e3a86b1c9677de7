// DistributedDoubleBarrier (Curator): `memberQty` members enter together and leave together.
// Entering creates an ephemeral node per member; the one that completes the count creates
// "ready", which wakes the rest. Leaving: the lowest node waits for the highest, the others
// delete theirs and wait for the lowest, until nobody is left.
import { CreateMode, Err } from '../../protocol/codes';
import { joinPath, pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import { IllegalArgumentError, ZkError } from '../errors';
import { ensureParents, waitForWatch } from './support';

const READY = 'ready';

export class DistributedDoubleBarrier {
  private readonly ourName = globalThis.crypto.randomUUID();
  private readonly ourPath: string;
  private readonly readyPath: string;

  constructor(
    readonly client: ZkClient,
    readonly barrierPath: string,
    readonly memberQty: number,
  ) {
    const reason = pathError(barrierPath);
    if (reason !== null) throw new IllegalArgumentError(reason);
    if (!(memberQty > 0)) throw new IllegalArgumentError('memberQty cannot be 0');
    this.ourPath = joinPath(barrierPath, this.ourName);
    this.readyPath = joinPath(barrierPath, READY);
  }

  /** Enters and waits for all members; false if `timeoutMs` passed first. */
  async enter(timeoutMs?: number): Promise<boolean> {
    let notified = false;
    let wakeNow: (() => void) | null = null;
    const ready = await this.client.exists(this.readyPath, () => {
      notified = true;
      wakeNow?.();
    });
    await ensureParents(this.client, this.ourPath);
    await this.client.create(this.ourPath, null, { mode: CreateMode.EPHEMERAL });
    if (ready !== null) return true;
    const children = await this.client.getChildren(this.barrierPath);
    if (children.length >= this.memberQty) {
      try {
        await this.client.create(this.readyPath);
      } catch (e) {
        if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
      }
      return true;
    }
    if (notified) return true;
    const why = await waitForWatch(
      this.client,
      async (wake) => {
        wakeNow = wake;
        return !notified;
      },
      timeoutMs,
    );
    return why === 'event' && notified;
  }

  /** Leaves and waits for every member to leave; false if `timeoutMs` passed first. */
  async leave(timeoutMs?: number): Promise<boolean> {
    const start = Date.now();
    let ourNodeShouldExist = true;
    let result = true;
    for (;;) {
      let children: string[];
      try {
        children = await this.client.getChildren(this.barrierPath);
      } catch (e) {
        if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
        children = [];
      }
      children = children.filter((c) => c !== READY).sort();
      if (children.length === 0) break;
      const ourIndex = children.indexOf(this.ourName);
      if (ourIndex < 0 && ourNodeShouldExist) throw new Error(`Our path (${this.ourName}) is missing`);
      if (children.length === 1) {
        if (ourNodeShouldExist && children[0] !== this.ourName) throw new Error(`Last path (${children[0]}) is not ours (${this.ourName})`);
        if (ourNodeShouldExist) await this.deleteOurs();
        break;
      }
      const lowest = ourIndex === 0;
      const watchPath = joinPath(this.barrierPath, lowest ? children[children.length - 1]! : children[0]!);
      const left = timeoutMs === undefined ? undefined : timeoutMs - (Date.now() - start);
      if (left !== undefined && left <= 0) {
        result = false;
        break;
      }
      const why = await waitForWatch(
        this.client,
        async (wake) => {
          const stat = await this.client.exists(watchPath, () => wake());
          if (!lowest && ourNodeShouldExist) {
            await this.deleteOurs();
            ourNodeShouldExist = false;
          }
          return stat !== null;
        },
        left,
      );
      if (why === 'timeout') {
        result = false;
        break;
      }
    }
    try {
      await this.client.delete(this.readyPath);
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
    }
    return result;
  }

  private async deleteOurs(): Promise<void> {
    try {
      await this.client.delete(this.ourPath);
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
    }
  }
}

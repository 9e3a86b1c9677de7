// DistributedQueue (Curator): items are PERSISTENT_SEQUENTIAL "queue-" nodes holding Curator's
// multi-item format, so Java and TypeScript producers and consumers share a queue. A consumer
// watches the children and takes items in sequence order (read, delete, process); with a
// lock path it takes an ephemeral lock per item first and deletes after processing, so an item
// survives a consumer that dies mid-way (Curator's lock safety).
import { CreateMode, Err } from '../../protocol/codes';
import { joinPath, pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import { Emitter } from '../emitter';
import { IllegalArgumentError, ZkError } from '../errors';
import { deleteGuaranteed, ensureParents, waitForWatch, withRetry } from './support';

const ITEM_PREFIX = 'queue-';
const VERSION = 0x00010001;
const ITEM = 0x01;
const EOF = 0x02;

/** Curator's ItemSerializer: version, then (opcode 1, length, bytes)*, then opcode 2. */
export function serializeItems(items: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4);
  head.writeInt32BE(VERSION);
  parts.push(head);
  for (const it of items) {
    const h = Buffer.alloc(5);
    h.writeUInt8(ITEM, 0);
    h.writeInt32BE(it.length, 1);
    parts.push(h, it);
  }
  parts.push(Buffer.from([EOF]));
  return Buffer.concat(parts);
}

/** Reverses serializeItems; throws on anything else. */
export function deserializeItems(b: Buffer): Buffer[] {
  if (b.length < 5 || b.readInt32BE(0) !== VERSION) throw new Error(`Incorrect version. Expected ${VERSION}`);
  const out: Buffer[] = [];
  let pos = 4;
  for (;;) {
    const op = b.readUInt8(pos++);
    if (op === EOF) return out;
    if (op !== ITEM) throw new Error(`Incorrect opcode. Expected ${ITEM} - Found: ${op}`);
    const size = b.readInt32BE(pos);
    pos += 4;
    if (size < 0 || pos + size > b.length) throw new Error(`Bad size: ${size}`);
    out.push(Buffer.from(b.subarray(pos, pos + size)));
    pos += size;
  }
}

export type QueueEvents = {
  /** A consumer callback or a background step failed. */
  error: (e: Error) => void;
};

export interface QueueOptions {
  /** Called for each item, in queue order, one at a time. */
  consumer?: (item: Buffer) => Promise<void> | void;
  /** Lock-safe consumption: per-item locks under this path. */
  lockPath?: string;
}

export class DistributedQueue extends Emitter<QueueEvents> {
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private consuming: Promise<void> = Promise.resolve();
  private readonly stop = new AbortController();
  /** Items this instance consumed. */
  consumed = 0;

  constructor(
    readonly client: ZkClient,
    readonly queuePath: string,
    private readonly opts: QueueOptions = {},
  ) {
    super();
    for (const p of [queuePath, opts.lockPath]) {
      const reason = p === undefined ? null : pathError(p);
      if (reason !== null) throw new IllegalArgumentError(reason);
    }
  }

  /** Creates the queue path and, with a consumer, starts taking items. */
  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error('Cannot be started more than once');
    this.state = 'started';
    await this.ensurePath(this.queuePath);
    if (this.opts.lockPath) await this.ensurePath(this.opts.lockPath);
    if (this.opts.consumer) this.consuming = this.consumeLoop();
  }

  /** Stops consuming (an item being processed finishes first). */
  async close(): Promise<void> {
    this.state = 'closed';
    this.stop.abort();
    await this.consuming;
  }

  /** Adds one item. */
  put(item: Buffer | string): Promise<string> {
    return this.putMulti([item]);
  }

  /** Adds items that consumers receive together, in order. */
  async putMulti(items: (Buffer | string)[]): Promise<string> {
    const bytes = serializeItems(items.map((i) => (typeof i === 'string' ? Buffer.from(i, 'utf8') : i)));
    const path = joinPath(this.queuePath, ITEM_PREFIX);
    await ensureParents(this.client, path);
    return withRetry(this.client, () => this.client.create(path, bytes, { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
  }

  /** Number of items waiting. */
  async size(): Promise<number> {
    return (await this.itemNames()).length;
  }

  private async ensurePath(p: string): Promise<void> {
    await ensureParents(this.client, p);
    try {
      await this.client.create(p);
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
    }
  }

  private async itemNames(watch?: () => void): Promise<string[]> {
    return (await withRetry(this.client, () => this.client.getChildren(this.queuePath, watch)))
      .filter((n) => n.startsWith(ITEM_PREFIX))
      .sort();
  }

  private async consumeLoop(): Promise<void> {
    while (this.state === 'started') {
      try {
        let names: string[] = [];
        const why = await waitForWatch(
          this.client,
          async (wake) => {
            names = await this.itemNames(wake);
            return names.length === 0;
          },
          undefined,
          this.stop.signal,
        );
        if (why === 'timeout') return;
        if (names.length === 0) continue;
        for (const name of names) {
          if (this.state !== 'started') return;
          await (this.opts.lockPath ? this.processWithLock(name) : this.processNormally(name));
        }
      } catch (e) {
        if (this.state !== 'started') return;
        this.emit('error', e as Error);
        if (e instanceof ZkError && (e.code === Err.SESSIONEXPIRED || e.code === Err.AUTHFAILED)) return;
      }
    }
  }

  private async deliver(bytes: Buffer | null): Promise<void> {
    for (const item of deserializeItems(bytes ?? Buffer.alloc(0))) {
      try {
        await this.opts.consumer!(item);
        this.consumed++;
      } catch (e) {
        this.emit('error', e as Error);
      }
    }
  }

  private async processNormally(name: string): Promise<void> {
    const path = joinPath(this.queuePath, name);
    try {
      const { data, stat } = await this.client.getData(path);
      await this.client.delete(path, stat.version);
      await this.deliver(data);
    } catch (e) {
      // Another consumer took it first.
      if (e instanceof ZkError && (e.code === Err.NONODE || e.code === Err.BADVERSION)) return;
      throw e;
    }
  }

  private async processWithLock(name: string): Promise<void> {
    const lockNode = joinPath(this.opts.lockPath!, name);
    try {
      await this.client.create(lockNode, null, { mode: CreateMode.EPHEMERAL });
    } catch (e) {
      if (e instanceof ZkError && e.code === Err.NODEEXISTS) return;
      throw e;
    }
    try {
      const path = joinPath(this.queuePath, name);
      let data: Buffer | null;
      try {
        data = (await this.client.getData(path)).data;
      } catch (e) {
        if (e instanceof ZkError && e.code === Err.NONODE) return;
        throw e;
      }
      await this.deliver(data);
      await this.client.delete(path).catch((e) => {
        if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
      });
    } finally {
      await deleteGuaranteed(this.client, lockNode);
    }
  }
}

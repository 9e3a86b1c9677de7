// Appends framed txns to dataLogDir/version-2/log.<zxid> with group commit (SyncRequestProcessor +
// FileTxnLog.commit): appends that arrive while a write+fdatasync is in flight queue up and go
// out together in the next batch, one write and one fdatasync for all of them. An append's
// promise resolves only after its batch is on disk. After any write or sync error the writer
// refuses everything: after a failed fsync the kernel may have dropped the dirty pages, so
// neither a retry nor anything queued behind it could be trusted.
import { LOG_BATCH_MAX } from '../../protocol/limits';
import { join } from 'node:path';
import { nodeDisk, type Disk, type DiskFile } from '../runtime/disk';
import { describeIoError } from './fsutil';
import { logName } from './names';
import { frameEntry, logFileHeader } from './txnlog';

/** What the writer needs of the member's disk. */
export type LogDisk = Pick<Disk, 'create' | 'syncDir'>;

export interface LogWriterOptions {
  /** Bytes to extend the file by when a write gets within 4 KiB of its end (0: never). */
  preAllocSize: number;
  forceSync: boolean;
}

/** Counters for mntr and the benchmark. */
export interface LogWriterStats {
  appends: number;
  batches: number;
  fsyncs: number;
  fsyncMs: number;
  bytes: number;
}

const MAX_BATCH = LOG_BATCH_MAX;

interface Pending {
  zxid: bigint;
  frame: Buffer;
  rollAfter: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

interface OpenLog {
  handle: DiskFile;
  name: string;
  position: number;
  size: number;
}

/** FilePadding.calculateFileSizeWithPadding. */
export function paddedSize(position: number, fileSize: number, preAllocSize: number): number {
  if (preAllocSize > 0 && position + 4096 >= fileSize) {
    if (position > fileSize) {
      fileSize = position + preAllocSize;
      fileSize -= fileSize % preAllocSize;
    } else {
      fileSize += preAllocSize;
    }
  }
  return fileSize;
}

export class TxnLogWriter {
  readonly stats: LogWriterStats = { appends: 0, batches: 0, fsyncs: 0, fsyncMs: 0, bytes: 0 };
  /** Told each fdatasync's time and each batch's txn count (the member's metrics: fsynctime, sync_processor_batch_size). */
  observer: { fsync(ms: number): void; batch(txns: number): void } | null = null;
  private queue: Pending[] = [];
  private busy = false;
  private file: OpenLog | null = null;
  private rollPending = false;
  private failure: Error | null = null;
  private closed = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly dir: string,
    private readonly opts: LogWriterOptions,
    private readonly io: LogDisk = nodeDisk,
    /** Told after every durable batch: the file and the offset its good entries end at. */
    private readonly onDurable: (name: string, end: number, lastZxid: bigint) => void = () => {},
  ) {}

  /** The error that stopped the writer, if any. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Queues one txn's entry bytes; resolves once they are durable. */
  append(zxid: bigint, entry: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the transaction log is closed; the server is shutting down'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ zxid, frame: frameEntry(entry), rollAfter: false, resolve, reject });
      this.stats.appends++;
      this.kick();
    });
  }

  /** Starts a new log file after the last txn appended so far (rollLog). */
  roll(): void {
    const last = this.queue[this.queue.length - 1];
    if (last) last.rollAfter = true;
    else this.rollPending = true;
  }

  /** Resolves when everything appended so far has been written (or has failed). */
  drain(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drains, then closes the current file; the next append starts a new one. */
  async closeFile(): Promise<void> {
    await this.drain();
    const f = this.file;
    this.file = null;
    this.rollPending = false;
    if (f) await f.handle.close().catch(() => {});
  }

  /** Drains and closes; later appends are refused. */
  async close(): Promise<void> {
    await this.closeFile();
    this.closed = true;
  }

  private kick(): void {
    if (this.busy || this.queue.length === 0 || this.failure) return;
    this.busy = true;
    // Let appends issued in this same tick join the batch.
    setImmediate(() => void this.runBatches());
  }

  private async runBatches(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      let n = this.queue.findIndex((p) => p.rollAfter);
      n = n === -1 ? this.queue.length : n + 1;
      // SyncRequestProcessor flushes at 1000 txns too: bounds the wait of a batch's first txn.
      n = Math.min(n, MAX_BATCH);
      const batch = this.queue.splice(0, n);
      await this.writeBatch(batch);
    }
    this.busy = false;
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) w();
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const first = batch[0]!;
    const last = batch[batch.length - 1]!;
    let step = 'opening';
    let name = this.file?.name ?? logName(first.zxid);
    try {
      if (this.rollPending && this.file) {
        step = 'closing';
        await this.file.handle.close();
        this.file = null;
      }
      this.rollPending = false;
      let created = false;
      if (!this.file) {
        name = logName(first.zxid);
        step = 'creating';
        const handle = await this.io.create(join(this.dir, name), 'inline');
        this.file = { handle, name, position: 0, size: 0 };
        created = true;
      }
      const f = this.file;
      const parts = batch.map((p) => p.frame);
      if (created) parts.unshift(logFileHeader());
      const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      const end = f.position + bytes.length;
      let size = f.size;
      while (this.opts.preAllocSize > 0 && end + 4096 >= size) size = paddedSize(end, size, this.opts.preAllocSize);
      if (size !== f.size) {
        step = 'preallocating';
        await f.handle.truncate(size);
        f.size = size;
      }
      step = 'writing';
      await f.handle.write(bytes, f.position);
      f.position = end;
      if (f.position > f.size) f.size = f.position;
      if (this.opts.forceSync) {
        step = 'fdatasync of';
        const t0 = performance.now();
        await f.handle.datasync();
        const ms = performance.now() - t0;
        this.stats.fsyncMs += ms;
        this.stats.fsyncs++;
        this.observer?.fsync(ms);
        if (created) {
          step = 'fsync of the directory of';
          await this.io.syncDir(this.dir);
        }
      }
      this.stats.batches++;
      this.stats.bytes += bytes.length;
      this.observer?.batch(batch.length);
      this.onDurable(f.name, f.position, last.zxid);
      for (const p of batch) p.resolve();
      if (last.rollAfter) {
        step = 'closing';
        this.file = null;
        await f.handle.close();
      }
    } catch (e) {
      this.fail(
        new Error(
          `The transaction log is not durable: ${step} ${name} in ${this.dir} failed with ${describeIoError(e)}. ` +
            'This server acknowledges no more writes; free or fix the disk and restart it (recovery keeps every acknowledged txn).',
        ),
        batch,
      );
    }
  }

  private fail(err: Error, batch: Pending[]): void {
    this.failure = err;
    const rest = this.queue;
    this.queue = [];
    for (const p of [...batch, ...rest]) p.reject(err);
    const f = this.file;
    this.file = null;
    if (f) void f.handle.close().catch(() => {});
  }
}

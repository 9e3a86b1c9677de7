// Durable storage in Apache ZooKeeper 3.8's own on-disk format (FileTxnSnapLog + the storage
// half of SyncRequestProcessor and ZKDatabase): txn log with group commit, fuzzy snapshots
// every ~snapCount txns, recovery, autopurge, epoch files, TRUNC and DIFF support. A dataDir
// written here opens in ZooKeeper and the other way round.
import { join } from 'node:path';
import { encodeLoggedTxn, type LoggedTxn } from '../../protocol/txn';
import type { DataTree } from '../tree/datatree';
import { readEpochFile, writeEpochFile, type EpochName } from './epoch';
import { dirSize } from './fsutil';
import { TxnLogWriter, type LogWriterStats } from './logwriter';
import { nodeDisk, type Disk } from '../runtime/disk';
import { LOG_PREFIX, SNAPSHOT_PREFIX, VERSION_DIR, listDataFiles, logFilesFrom, zxidHex } from './names';
import { purgeOldFiles } from './purge';
import { recover, StorageError } from './recovery';
import { writeSnapshotFile } from './snapfile';
import { captureTree } from './treeimage';
import { scanLog } from './txnlog';
import type { LoadResult, SessionTable, SnapshotSource, Storage } from './types';

/** The zoo.cfg values storage needs (the same names as ServerConfig, so the config can be passed). */
export interface FileStorageOptions {
  dataDir: string;
  /** Where the txn log goes; defaults to dataDir. */
  dataLogDir?: string;
  snapCount: number;
  preAllocSizeKb: number;
  forceSync: boolean;
  autopurgeSnapRetainCount: number;
  /** 0 turns autopurge off. */
  autopurgePurgeIntervalHours: number;
  /** The random source for the snapshot roll (seeded in tests); Math.random by default. */
  random?: () => number;
  /** Znodes copied per event-loop turn while a snapshot is taken. */
  snapshotSliceSize?: number;
  /** Disk access for the txn log (fault-injection tests); the real disk by default. */
  /** The member's disk (node:fs, or one with the lab's faults or a test's). */
  disk?: Disk;
}

export type StorageLogger = (level: 'INFO' | 'WARN' | 'ERROR', msg: string) => void;

const hex = (z: bigint) => `0x${zxidHex(z)}`;

export class FileStorage implements Storage {
  /** dataDir/version-2: snapshots and the epoch files. */
  readonly snapDir: string;
  /** dataLogDir/version-2: the txn log. */
  readonly logDir: string;
  private readonly writer: TxnLogWriter;
  private source: SnapshotSource | null;
  /** The source came from load()'s arguments (not the constructor): a later load() replaces it. */
  private sourceFromLoad: boolean;
  private loaded = false;
  private closed = false;
  private lastQueuedZxid = 0n;
  private logCount = 0;
  private randRoll: number;
  private snapshotWanted = false;
  private snapshotRunning: Promise<void> | null = null;
  private lastSnap: { zxid: bigint; timestampMs: number } | null = null;
  /** Log file name -> offset its durable entries end at (so readers skip preallocated zeros). */
  private readonly logEnds = new Map<string, number>();
  private purgeTimer: NodeJS.Timeout | null = null;
  private readonly random: () => number;
  private readonly disk: Disk;

  constructor(
    private readonly opts: FileStorageOptions,
    private readonly log: StorageLogger = () => {},
    source?: SnapshotSource,
  ) {
    if (!Number.isInteger(opts.snapCount) || opts.snapCount < 2) throw new Error(`snapCount must be an integer of at least 2, not ${opts.snapCount}`);
    this.snapDir = join(opts.dataDir, VERSION_DIR);
    this.logDir = join(opts.dataLogDir ?? opts.dataDir, VERSION_DIR);
    this.source = source ?? null;
    this.sourceFromLoad = source === undefined;
    this.random = opts.random ?? Math.random;
    this.disk = opts.disk ?? nodeDisk;
    this.randRoll = this.nextRoll();
    this.writer = new TxnLogWriter(
      this.logDir,
      { preAllocSize: opts.preAllocSizeKb * 1024, forceSync: opts.forceSync },
      this.disk,
      (name, end) => this.logEnds.set(name, end),
    );
  }

  /** The member's metrics, told each fsync, batch and snapshot (mntr's fsynctime, sync_processor_batch_size, snapshottime). */
  observe(o: { fsync(ms: number): void; batch(txns: number): void; snapshot(ms: number): void }): void {
    this.writer.observer = o;
    this.snapshotObserver = o;
  }

  private snapshotObserver: { snapshot(ms: number): void } | null = null;

  /** Counters of the group commit (appends, batches, fsyncs) for mntr and the benchmark. */
  get logStats(): LogWriterStats {
    return this.writer.stats;
  }

  /** The error that stopped the txn log, if one did. */
  get failure(): Error | null {
    return this.writer.failed;
  }

  private nextRoll(): number {
    return Math.floor(this.random() * Math.floor(this.opts.snapCount / 2));
  }

  /**
   * Restores the newest valid snapshot and the log after it. Returns notes for the server log
   * (this does not log them itself). A new, empty dataDir gets snapshot.0, as ZooKeeper writes.
   */
  async load(tree: DataTree, sessions: SessionTable): Promise<LoadResult> {
    if (this.closed) throw new Error('this storage is closed');
    await this.writer.closeFile();
    if (this.snapshotRunning) await this.snapshotRunning;
    try {
      this.disk.makeDirs(this.snapDir);
      this.disk.makeDirs(this.logDir);
    } catch (e) {
      throw new StorageError(`Cannot create ${this.snapDir} or ${this.logDir}: ${(e as Error).message}`);
    }
    if (this.sourceFromLoad) this.source = { tree, sessions };
    const r = await recover(this.disk, this.snapDir, this.logDir, tree, sessions);
    this.logEnds.clear();
    for (const [name, end] of r.logEnds) this.logEnds.set(name, end);
    this.lastQueuedZxid = r.lastLoggedZxid;
    this.lastSnap = r.snapshot ? { zxid: r.snapshot.zxid, timestampMs: r.snapshot.timestampMs } : null;
    this.loaded = true;
    if (r.empty) {
      await this.takeSnapshot({ tree, sessions });
      r.notes.push(`${this.snapDir} held no data: started a new, empty database and wrote snapshot.0.`);
    }
    this.startAutopurge();
    return { lastZxid: r.lastZxid, notes: r.notes };
  }

  /** Appends one txn; resolves once it is durable. Rejects for an out-of-order zxid or a failed disk. */
  append(t: LoggedTxn, entry?: Uint8Array): Promise<void> {
    if (!this.loaded) return Promise.reject(new Error('storage.load() must finish before txns are appended'));
    const zxid = t.header.zxid;
    if (zxid <= this.lastQueuedZxid) {
      return Promise.reject(
        new Error(`txn ${hex(zxid)} is not after the last logged txn ${hex(this.lastQueuedZxid)}; truncate(${hex(zxid - 1n)}) first if the log must be rewritten`),
      );
    }
    const done = this.writer.append(zxid, entry ?? encodeLoggedTxn(t));
    this.lastQueuedZxid = zxid;
    // SyncRequestProcessor: roll the log and snapshot after snapCount/2 + randRoll txns, the
    // random part so that members of an ensemble do not all snapshot at once.
    this.logCount++;
    if (this.logCount > Math.floor(this.opts.snapCount / 2) + this.randRoll) {
      this.logCount = 0;
      this.randRoll = this.nextRoll();
      this.writer.roll();
      if (this.snapshotRunning) this.log('WARN', 'Too busy to snap, skipping');
      else this.snapshotWanted = true;
    }
    return done;
  }

  /** Starts a fuzzy snapshot if the log asked for one; the tree is consistent between txns. */
  applied(_zxid: bigint): void {
    if (!this.snapshotWanted || this.snapshotRunning || this.closed || !this.source) return;
    this.snapshotWanted = false;
    this.takeSnapshot(this.source).catch((e) => this.log('ERROR', `Snapshot failed; the txn log still holds everything: ${(e as Error).message}`));
  }

  /** Writes a snapshot of the tree now and resolves when it is on disk. */
  async snapshot(opts: { replacesLog?: boolean } = {}): Promise<void> {
    if (!this.source) throw new Error('storage.load() must run before a snapshot can be taken');
    while (this.snapshotRunning) await this.snapshotRunning.catch(() => {});
    // Txns handed to the log after this call go to a new file (a SNAP's proposals wait behind
    // this snapshot), so every file listed below holds only the history the image replaced.
    const before = opts.replacesLog ? (await this.writer.closeFile(), listDataFiles(this.disk, this.logDir, LOG_PREFIX)) : [];
    await this.takeSnapshot(this.source);
    if (before.length === 0) return;
    for (const f of before) {
      this.disk.unlink(f.path);
      this.logEnds.delete(f.name);
    }
    await this.disk.syncDir(this.logDir);
    this.log('INFO', `Dropped ${before.length} log file(s) of the history the leader's SNAP replaced: ${before.map((f) => f.name).join(', ')}`);
  }

  private takeSnapshot(src: SnapshotSource): Promise<void> {
    const run = (async () => {
      const started = performance.now();
      const image = await captureTree(src.tree, src.sessions, { sliceSize: this.opts.snapshotSliceSize });
      const { name, bytes } = await writeSnapshotFile(this.disk, this.snapDir, image);
      this.lastSnap = { zxid: image.zxid, timestampMs: Date.now() };
      const ms = performance.now() - started;
      this.snapshotObserver?.snapshot(ms);
      this.log('INFO', `Snapshot ${name}: ${image.nodeCount} znodes, ${image.sessions.length} sessions, ${bytes} bytes in ${Math.round(ms)} ms`);
    })();
    const tracked = run.finally(() => {
      if (this.snapshotRunning === tracked) this.snapshotRunning = null;
    });
    this.snapshotRunning = tracked;
    return tracked;
  }

  /**
   * Every durable txn with zxid > `after`, in order, or null when the log no longer reaches back
   * to `after` (ZKDatabase.getProposalsFromTxnLog: a logged txn at or before it must exist).
   */
  txnsAfter(after: bigint): LoggedTxn[] | null {
    if (after >= this.lastQueuedZxid) return [];
    const files = logFilesFrom(listDataFiles(this.disk, this.logDir, LOG_PREFIX), after);
    const out: LoggedTxn[] = [];
    let reachesBack = false;
    for (const f of files) {
      // Up to where its durable entries end: past that, preallocated zeros.
      for (const e of scanLog(this.disk.read(f.path, 0, this.logEnds.get(f.name))).entries) {
        if (e.zxid <= after) reachesBack = true;
        else out.push(e.txn!);
      }
    }
    // From the newest snapshot on the log is complete: recovery replays exactly it.
    return reachesBack || after === this.lastSnap?.zxid ? out : null;
  }

  /**
   * Drops every logged txn after `zxid` and every snapshot newer than it (TRUNC). The tree in
   * memory is not touched: load() into a fresh tree afterwards.
   */
  async truncate(zxid: bigint): Promise<void> {
    await this.writer.closeFile();
    while (this.snapshotRunning) await this.snapshotRunning.catch(() => {});
    if (this.writer.failed) throw this.writer.failed;
    const dropped: string[] = [];
    for (const f of listDataFiles(this.disk, this.logDir, LOG_PREFIX)) {
      const scan = scanLog(this.disk.read(f.path));
      const cut = scan.entries.find((e) => e.zxid > zxid);
      if (!cut) continue;
      if (cut === scan.entries[0]) {
        this.disk.unlink(f.path);
        this.logEnds.delete(f.name);
        dropped.push(f.name);
      } else {
        this.disk.truncate(f.path, cut.start);
        this.logEnds.set(f.name, cut.start);
        dropped.push(`${f.name} after byte ${cut.start}`);
      }
    }
    for (const s of listDataFiles(this.disk, this.snapDir, SNAPSHOT_PREFIX)) {
      if (s.zxid > zxid) {
        this.disk.unlink(s.path);
        dropped.push(s.name);
      }
    }
    this.disk.syncDirSync(this.logDir);
    if (this.snapDir !== this.logDir) this.disk.syncDirSync(this.snapDir);
    if (this.lastQueuedZxid > zxid) this.lastQueuedZxid = zxid;
    if (this.lastSnap && this.lastSnap.zxid > zxid) {
      const newest = listDataFiles(this.disk, this.snapDir, SNAPSHOT_PREFIX, true)[0];
      this.lastSnap = newest ? { zxid: newest.zxid, timestampMs: Date.now() } : null;
    }
    this.log('INFO', `Truncated the log to ${hex(zxid)}${dropped.length ? `: dropped ${dropped.join(', ')}` : ''}`);
  }

  readEpoch(name: EpochName): number | null {
    return readEpochFile(this.disk, this.snapDir, name);
  }

  writeEpoch(name: EpochName, epoch: number): void {
    this.disk.makeDirs(this.snapDir);
    writeEpochFile(this.disk, this.snapDir, name, epoch);
  }

  /** As ZooKeeperServer.getDataDirSize reports it: the size of the txn log directory. */
  dataDirSize(): number {
    return dirSize(this.disk, this.logDir);
  }

  /** As ZooKeeperServer.getLogDirSize reports it: the size of the snapshot directory. */
  logDirSize(): number {
    return dirSize(this.disk, this.snapDir);
  }

  lastSnapshot(): { zxid: bigint; timestampMs: number } | null {
    return this.lastSnap;
  }

  /** Runs autopurge once now; returns the files it deleted. */
  purge(): string[] {
    const removed = purgeOldFiles(this.disk, this.snapDir, this.logDir, Math.max(3, this.opts.autopurgeSnapRetainCount));
    for (const name of removed) this.logEnds.delete(name);
    if (removed.length > 0) this.log('INFO', `Autopurge removed ${removed.join(', ')}`);
    return removed;
  }

  private startAutopurge(): void {
    const hours = this.opts.autopurgePurgeIntervalHours;
    if (!(hours > 0) || this.purgeTimer) return;
    const run = () => {
      try {
        this.purge();
      } catch (e) {
        this.log('WARN', `Autopurge failed: ${(e as Error).message}`);
      }
    };
    // DatadirCleanupManager runs the task at start, then every purgeInterval hours.
    setImmediate(run);
    this.purgeTimer = setInterval(run, hours * 3600_000);
    this.purgeTimer.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    while (this.snapshotRunning) await this.snapshotRunning.catch(() => {});
    await this.writer.close();
  }
}

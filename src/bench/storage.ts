// Storage benchmark: what the disk costs a write. Measures this machine's fdatasync latency
// floor, then txn-log throughput with forceSync on and off at several loads (appends kept in
// flight), reporting txns/s, fsyncs/s and txns per batch (one write + one fdatasync): group commit should make txns/s grow
// with load while fsyncs/s stays near 1 / fdatasync latency. Timings are reported, never asserted.
//
//   node dist/bench/storage.js [dir] [--txns N]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { Perms } from '../protocol/codes';
import type { LoggedTxn } from '../protocol/txn';
import { FileStorage } from '../server/storage/file-storage';
import { DataTree } from '../server/tree/datatree';

export interface SyncFloor {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface ThroughputResult {
  forceSync: boolean;
  inFlight: number;
  txns: number;
  seconds: number;
  txnsPerSec: number;
  fsyncsPerSec: number;
  /** Txns written per write+fdatasync batch (per fsync when forceSync). */
  txnsPerBatch: number;
}

export interface SnapshotStall {
  znodes: number;
  snapshotMs: number;
  bytes: number;
  /** The longest the event loop was blocked while the snapshot ran (what a request waits). */
  maxEventLoopDelayMs: number;
}

export interface StorageBenchResult {
  dir: string;
  fdatasync: SyncFloor;
  throughput: ThroughputResult[];
  snapshot: SnapshotStall;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/** The latency of one small write (`blockBytes`) + fdatasync on a preallocated file in `dir`. */
export async function fdatasyncFloor(dir: string, samples = 200, blockBytes = 512): Promise<SyncFloor> {
  const path = join(dir, 'fsync-probe');
  const h = await open(path, 'w');
  try {
    await h.truncate(1 << 20);
    await h.datasync();
    const block = Buffer.alloc(blockBytes, 1);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await h.write(block, 0, block.length, (i * blockBytes) % (1 << 20));
      await h.datasync();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { samples, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), meanMs: times.reduce((a, b) => a + b, 0) / samples };
  } finally {
    await h.close();
    rmSync(path, { force: true });
  }
}

function createTxn(zxid: bigint, i: number): LoggedTxn {
  return {
    header: { clientId: 0x1000000000001n, cxid: i, zxid, time: BigInt(Date.now()), type: 1 },
    txn: {
      type: 1,
      path: `/bench/n${i}`,
      data: Buffer.alloc(100, 7),
      acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }],
      ephemeral: false,
      parentCVersion: i + 1,
    },
  };
}

/** Appends `txns` txns keeping `inFlight` appends outstanding; reports throughput and fsyncs. */
export async function logThroughput(dir: string, forceSync: boolean, inFlight: number, txns: number): Promise<ThroughputResult> {
  const dataDir = mkdtempSync(join(dir, 'log-'));
  const storage = new FileStorage({
    dataDir,
    snapCount: 1_000_000_000,
    preAllocSizeKb: 65536,
    forceSync,
    autopurgeSnapRetainCount: 3,
    autopurgePurgeIntervalHours: 0,
  });
  try {
    await storage.load(new DataTree(), new Map());
    let next = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < txns) {
        const i = next++;
        await storage.append(createTxn(0x100000000n + BigInt(i + 1), i));
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const seconds = (performance.now() - t0) / 1000;
    const { fsyncs } = storage.logStats;
    return {
      forceSync,
      inFlight,
      txns,
      seconds,
      txnsPerSec: txns / seconds,
      fsyncsPerSec: fsyncs / seconds,
      txnsPerBatch: txns / storage.logStats.batches,
    };
  } finally {
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Times a fuzzy snapshot of a tree of `znodes` znodes and the longest event-loop stall during it. */
export async function snapshotStall(dir: string, znodes: number): Promise<SnapshotStall> {
  const dataDir = mkdtempSync(join(dir, 'snap-'));
  const tree = new DataTree();
  const sessions = new Map<bigint, number>();
  const storage = new FileStorage(
    { dataDir, snapCount: 1_000_000_000, preAllocSizeKb: 64, forceSync: true, autopurgeSnapRetainCount: 3, autopurgePurgeIntervalHours: 0 },
    () => {},
    { tree, sessions },
  );
  try {
    await storage.load(new DataTree(), new Map());
    for (let i = 0; i < znodes; i++) {
      const t = createTxn(0x100000000n + BigInt(i + 1), i);
      if (i === 0) tree.processTxn({ ...t.header, zxid: 0x100000000n }, { ...t.txn, path: '/bench', parentCVersion: 1 } as LoggedTxn['txn']);
      tree.processTxn(t.header, t.txn);
    }
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    await storage.snapshot();
    const snapshotMs = performance.now() - t0;
    h.disable();
    const bytes = statSync(join(dataDir, 'version-2', `snapshot.${tree.lastProcessedZxid.toString(16)}`)).size;
    return { znodes, snapshotMs, bytes, maxEventLoopDelayMs: h.max / 1e6 };
  } finally {
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The whole storage benchmark in `dir` (a temp dir on the default disk when omitted). */
export async function runStorageBench(opts: { dir?: string; txns?: number; loads?: number[]; snapshotZnodes?: number } = {}): Promise<StorageBenchResult> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'zk-bench-storage-'));
  const owned = opts.dir === undefined;
  try {
    const fdatasync = await fdatasyncFloor(dir);
    const throughput: ThroughputResult[] = [];
    for (const forceSync of [true, false]) {
      for (const inFlight of opts.loads ?? [1, 16, 256]) {
        const txns = opts.txns ?? (forceSync && inFlight === 1 ? 500 : 20_000);
        throughput.push(await logThroughput(dir, forceSync, inFlight, txns));
      }
    }
    const snapshot = await snapshotStall(dir, opts.snapshotZnodes ?? 100_000);
    return { dir, fdatasync, throughput, snapshot };
  } finally {
    if (owned) rmSync(dir, { recursive: true, force: true });
  }
}

/** The result as a few lines of text. */
export function formatStorageBench(r: StorageBenchResult): string {
  const f = r.fdatasync;
  const lines = [
    `fdatasync floor in ${r.dir}: p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms.toFixed(2)} ms, mean ${f.meanMs.toFixed(2)} ms (${f.samples} samples)`,
    'forceSync  in-flight  txns/s     fsyncs/s  txns/batch',
  ];
  for (const t of r.throughput) {
    lines.push(
      `${(t.forceSync ? 'yes' : 'no').padEnd(10)} ${String(t.inFlight).padEnd(10)} ${t.txnsPerSec.toFixed(0).padEnd(10)} ${t.fsyncsPerSec.toFixed(0).padEnd(9)} ${t.txnsPerBatch.toFixed(1)}`,
    );
  }
  const sn = r.snapshot;
  lines.push(
    `fuzzy snapshot of ${sn.znodes} znodes: ${sn.snapshotMs.toFixed(0)} ms, ${(sn.bytes / 1048576).toFixed(1)} MiB, longest event-loop stall ${sn.maxEventLoopDelayMs.toFixed(1)} ms`,
  );
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const n = args.indexOf('--txns');
  const txns = n >= 0 ? Number(args[n + 1]) : undefined;
  const dir = args.find((a, i) => !a.startsWith('--') && (n < 0 || i !== n + 1));
  runStorageBench({ dir, txns })
    .then((r) => console.log(formatStorageBench(r)))
    .catch((e) => {
      console.error(`storage benchmark failed: ${(e as Error).message}`);
      process.exit(1);
    });
}

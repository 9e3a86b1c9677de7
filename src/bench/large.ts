// The large tree: one member loaded with parents x perParent znodes of 100 bytes through the
// Java client (pipelined async creates), then: load rate, RSS once loaded, dataDir size, the
// longest snapshot the server took while loading (the last ones, near the full tree), and after
// kill -9 the time until a restarted member serves a read of the last znode.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, IMPL_NAMES, mntr, type Impl } from './members';
import { runJavaJson } from './java';
import { untilSuccess } from './probe';

export interface LargeSettings {
  parents: number;
  perParent: number;
  payload: number;
  zkHeap: string;
  classDir: string;
  baseDir?: string;
  log: (msg: string) => void;
}

export interface LargeResult {
  impl: Impl;
  znodes: number;
  loadSeconds: number;
  createsPerSec: number;
  errors: number;
  /** RSS right after the load, and of the restarted member once it served the read. */
  rssLoaded: number;
  rssRestarted: number;
  dataDirBytes: number;
  /** The longest snapshot during the load as the server reports it (ms), and how many it took. */
  snapshotMaxMs: number | null;
  snapshots: number | null;
  /** Launch after kill -9 to the first successful getData of the last znode. */
  restartMs: number;
}

/** Bytes under `dir`, recursively. */
export function duBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += duBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

/** Waits until `probe` returns the same value twice `stableMs` apart. */
async function settle(probe: () => number, stableMs: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = probe();
  for (;;) {
    await new Promise((r) => setTimeout(r, stableMs));
    const now = probe();
    if (now === last || Date.now() > deadline) return now;
    last = now;
  }
}

export async function runLarge(impl: Impl, s: LargeSettings): Promise<LargeResult> {
  const cluster = await Cluster.create({ impl, servers: 1, zkHeap: s.zkHeap, config: {}, baseDir: s.baseDir });
  const member = cluster.members[0]!;
  const ourSnapshots: number[] = [];
  member.lineListeners.push((line) => {
    const m = /Snapshot snapshot\.\S+: (\d+) znodes.* in (\d+) ms/.exec(line);
    if (m) ourSnapshots.push(Number(m[2]));
  });
  try {
    cluster.spawnAll();
    await cluster.waitServing();
    s.log(`  ${IMPL_NAMES[impl]}: loading ${s.parents * s.perParent} znodes`);
    const load = await runJavaJson<{ created: number; seconds: number; createsPerSec: number; errors: number }>(s.classDir, 'LargeTree', [
      cluster.connectString, s.parents, s.perParent, s.payload, 1000, 4,
    ]);
    s.log(`  ${IMPL_NAMES[impl]}: ${load.created} created in ${load.seconds.toFixed(1)} s (${load.createsPerSec.toFixed(0)}/s), ${load.errors} errors`);
    // A snapshot may still be being written: wait until the dataDir stops growing.
    const dataDirBytes = await settle(() => duBytes(member.dataDir), 2000, 120_000);
    const rssLoaded = member.memory().rss;
    let snapshotMaxMs: number | null = null;
    let snapshots: number | null = null;
    if (impl === 'ours') {
      snapshotMaxMs = ourSnapshots.length ? Math.max(...ourSnapshots) : null;
      snapshots = ourSnapshots.length;
    } else {
      const m = await mntr(member.clientPort);
      snapshotMaxMs = m.has('max_snapshottime') ? Number(m.get('max_snapshottime')) : null;
      snapshots = m.has('cnt_snapshottime') ? Number(m.get('cnt_snapshottime')) : null;
    }
    await member.kill();
    const last = `/large/p${s.parents - 1}/n${s.perParent - 1}`;
    const t0 = performance.now();
    member.spawn();
    const t1 = await untilSuccess([member.clientPort], () => ({ kind: 'getData', path: last }), 600_000, () => member.running);
    const restartMs = t1 - t0;
    const rssRestarted = member.memory().rss;
    s.log(`  ${IMPL_NAMES[impl]}: restart to a read of ${last}: ${restartMs.toFixed(0)} ms, RSS ${(rssRestarted / 1048576).toFixed(0)} MiB`);
    return {
      impl,
      znodes: load.created,
      loadSeconds: load.seconds,
      createsPerSec: load.createsPerSec,
      errors: load.errors,
      rssLoaded,
      rssRestarted,
      dataDirBytes,
      snapshotMaxMs,
      snapshots,
      restartMs,
    };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- ${IMPL_NAMES[impl]} log:\n${member.log().slice(-3000)}`);
  } finally {
    await cluster.destroy();
  }
}

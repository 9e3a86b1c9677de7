// Times FileStorage.load of a large dataDir, outside `npm run bench` (which takes too long to
// repeat for one storage change). Not a test: it prints figures for bench/NOTES.md.
//   gen <dataDir> [znodes] [parents]   snapshot of N znodes of 100 bytes under P parents, plus a
//                                      log that starts 50 000 txns before the snapshot's zxid and
//                                      holds 10 000 creates after it (as snapCount=100000 leaves it)
//   load <dataDir> [--snapshot]        FileStorage.load into a fresh tree: time and RSS; then,
//                                      with --snapshot, the time of one snapshot of that tree
// Build and run (node code is CJS):
//   npx tsc --outDir /tmp/restart-load --module commonjs --moduleResolution node --target es2022 \
//     --skipLibCheck --esModuleInterop bench/restart-load.ts
//   node --expose-gc /tmp/restart-load/bench/restart-load.js load <dataDir>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpCode, Perms } from '../src/protocol/codes';
import { encodeLoggedTxn, type LoggedTxn } from '../src/protocol/txn';
import { DataTree } from '../src/server/tree/datatree';
import { FileStorage } from '../src/server/storage/file-storage';
import { logName } from '../src/server/storage/names';
import { writeSnapshotFile } from '../src/server/storage/snapfile';
import { captureTree } from '../src/server/storage/treeimage';
import { frameEntry, logFileHeader } from '../src/server/storage/txnlog';

const OPEN = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
const EPOCH = 1n << 32n;
const BEFORE = 50_000;
const AFTER = 10_000;

async function gen(dataDir: string, znodes: number, parents: number): Promise<void> {
  const dir = join(dataDir, 'version-2');
  mkdirSync(dir, { recursive: true });
  const tree = new DataTree();
  const data = Buffer.alloc(100, 0x61);
  let zxid = EPOCH;
  const perParent = Math.ceil(znodes / parents);
  for (let p = 0; p < parents; p++) {
    zxid++;
    const stat = { czxid: zxid, mzxid: zxid, ctime: 1n, mtime: 1n, version: 0, cversion: perParent, aversion: 0, ephemeralOwner: 0n, pzxid: zxid };
    tree.loadNode(`/p${p}`, { data, acl: OPEN, ...stat });
  }
  for (let i = 0; i < znodes; i++) {
    zxid++;
    const stat = { czxid: zxid, mzxid: zxid, ctime: 1n, mtime: 1n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: zxid };
    tree.loadNode(`/p${i % parents}/c${i}`, { data: Buffer.from(data), acl: OPEN, ...stat });
  }
  tree.lastProcessedZxid = zxid;
  const image = await captureTree(tree, new Map(), { sliceSize: Infinity });
  const snap = await writeSnapshotFile(dir, image);
  const first = zxid - BigInt(BEFORE) + 1n;
  const parts: Buffer[] = [logFileHeader()];
  for (let z = first, i = 0; z <= zxid + BigInt(AFTER); z++, i++) {
    const path = z <= zxid ? `/p${i % parents}/c${Number(z - EPOCH) - parents - 1}` : `/p${i % parents}/n${i}`;
    const t: LoggedTxn = {
      header: { clientId: 1n, cxid: i, zxid: z, time: 1n, type: OpCode.create },
      txn: { type: OpCode.create, path, data, acl: OPEN, ephemeral: false, parentCVersion: 0 },
    };
    parts.push(frameEntry(encodeLoggedTxn(t)));
  }
  writeFileSync(join(dir, logName(first)), Buffer.concat(parts));
  console.log(`wrote ${snap.name} (${snap.bytes} bytes, ${image.nodeCount} znodes) and ${logName(first)} (${BEFORE} txns at or before it, ${AFTER} after)`);
}

async function load(dataDir: string, snapshot: boolean): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const storage = new FileStorage({
    dataDir,
    snapCount: 100_000,
    preAllocSizeKb: 65536,
    forceSync: false,
    autopurgeSnapRetainCount: 3,
    autopurgePurgeIntervalHours: 0,
  });
  const tree = new DataTree();
  const started = performance.now();
  const r = await storage.load(tree, new Map());
  const ms = performance.now() - started;
  const rssLoaded = process.memoryUsage().rss;
  (globalThis as { gc?: () => void }).gc?.();
  const rssAfterGc = process.memoryUsage().rss;
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  console.log(
    `load ${ms.toFixed(0)} ms, ${tree.nodes.size} znodes, lastZxid 0x${r.lastZxid.toString(16)}; ` +
      `RSS before ${mb(rssBefore)} MiB, after load ${mb(rssLoaded)} MiB, after a full GC ${mb(rssAfterGc)} MiB, peak ${mb(process.resourceUsage().maxRSS * 1024)} MiB`,
  );
  if (snapshot) {
    const t = performance.now();
    await storage.snapshot();
    console.log(`snapshot ${(performance.now() - t).toFixed(0)} ms, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MiB`);
  }
  await storage.close();
}

async function main(): Promise<void> {
  const [mode, dir, a, b] = process.argv.slice(2);
  if (mode === 'gen' && dir) await gen(dir, Number(a ?? 1_000_000), Number(b ?? 1000));
  else if (mode === 'load' && dir) await load(dir, a === '--snapshot');
  else {
    console.error('usage: restart-load gen <dataDir> [znodes] [parents] | load <dataDir> [--snapshot]');
    process.exitCode = 2;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

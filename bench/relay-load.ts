// The cost of the lab's network: the Load panel's generator against a 3-member lab of our server,
// once through the members' direct client ports and once through the lab's relays (client relay,
// and every quorum link relayed and captured), alternating A B A B. Not a test: it prints figures
// for docs/bench/README.md. With no fault in force and the Wire capture on (as it always is).
// Build and run (node code is CJS):
//   npx tsc --outDir /tmp/relay-load --module commonjs --moduleResolution node --target es2022 \
//     --skipLibCheck --esModuleInterop bench/relay-load.ts
//   node /tmp/relay-load/bench/relay-load.js [seconds per run] [rate ops/s] [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadGenerator, type LoadMember } from '../src/lab/load';
import { LabService } from '../src/lab/service';
import type { LabView, LoadSample } from '../src/shared/contract';

const seconds = Number(process.argv[2] ?? 15);
const rate = Number(process.argv[3] ?? 4000);
const rounds = Number(process.argv[4] ?? 2);

function until(lab: LabService, pred: (v: LabView) => boolean, ms: number): Promise<LabView> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out waiting for the lab')), ms);
    const check = (): void => {
      const v = lab.view();
      if (v && pred(v)) {
        clearTimeout(t);
        lab.off('push', check);
        resolve(v);
      }
    };
    lab.on('push', check);
    check();
  });
}

async function run(members: LoadMember[]): Promise<{ opsPerSec: number; p50: number | null; p99: number | null; errors: number }> {
  const samples: LoadSample[] = [];
  const gen = await LoadGenerator.start(members, { sessions: 8, rate, readPercent: 80, payloadBytes: 128 }, { onSample: (s) => samples.push(s) });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const res = await gen.stop();
  // The first two seconds warm up (JIT, connections).
  const steady = samples.slice(2);
  const ops = steady.reduce((a, s) => a + s.ops, 0);
  return { opsPerSec: Math.round(ops / Math.max(1, steady.length)), p50: res.p50, p99: res.p99, errors: Object.values(res.errors).reduce((a, b) => a + b, 0) };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'zk-lab-relay-bench-'));
  process.env.ZK_LAB_DIR = root;
  const lab = new LabService('relay-bench');
  try {
    await lab.handle({ method: 'launch', size: 3, observers: 0, engines: 'ours' });
    const v = await until(lab, (x) => x.serving && x.nodes.every((n) => n.role === 'leader' || n.role === 'follower'), 60_000);
    const direct = v.nodes.map((n) => ({ myid: n.myid, address: `127.0.0.1:${n.clientPort}` }));
    const relayed = v.nodes.map((n) => ({ myid: n.myid, address: `127.0.0.1:${n.labClientPort}` }));
    const rows: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [name, members] of [['direct', direct], ['through the lab', relayed]] as const) {
        const x = await run(members);
        rows.push(`| ${r + 1} | ${name} | ${x.opsPerSec} | ${x.p50?.toFixed(2) ?? '–'} | ${x.p99?.toFixed(2) ?? '–'} | ${x.errors} |`);
        console.error(rows[rows.length - 1]);
      }
    }
    console.log(`Load panel generator, 3 members (ours), 8 sessions, ${rate} ops/s offered, 80% reads, 128 B, ${seconds} s per run (first 2 s not counted)\n`);
    console.log('| round | clients reach members | ops/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|');
    console.log(rows.join('\n'));
  } finally {
    lab.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e);
    process.exit(1);
  },
);

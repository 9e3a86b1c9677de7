// npm run bench -- --checker: how long the consistency checker (src/shared/check) takes on
// generated histories of a few thousand operations per key, clean and with an anomaly put in,
// and on histories recorded by zk-lab check run on real labs (src/bench/histories), under both
// models. Writes docs/bench/checker.md. The checker is pure and in-process: this measures the
// search alone, no members.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { check, MODELS } from '../shared/check/check';
import { generate, type Anomaly } from '../shared/check/generate';
import { parseHistory, type HistoryOp } from '../shared/check/history';
import { textTable } from './format';

interface Case {
  name: string;
  processes: number;
  keys: number;
  ops: number;
  unknown: number;
  anomaly?: Anomaly;
}

const CASES: Case[] = [
  { name: 'clean, 1 key', processes: 10, keys: 1, ops: 3000, unknown: 0 },
  { name: 'clean, 1 key, 2% unknown', processes: 10, keys: 1, ops: 3000, unknown: 0.02 },
  { name: 'clean, 1 key, 20 clients', processes: 20, keys: 1, ops: 5000, unknown: 0.01 },
  { name: 'clean, 4 keys', processes: 10, keys: 4, ops: 12000, unknown: 0.02 },
  { name: 'stale read, 1 key', processes: 10, keys: 1, ops: 3000, unknown: 0.02, anomaly: 'stale' },
  { name: 'cas twice, 1 key', processes: 10, keys: 1, ops: 3000, unknown: 0.02, anomaly: 'cas-twice' },
];

/** Histories recorded by zk-lab check run on 3-member labs of this machine (gzipped history files). */
const RECORDED: { name: string; file: string }[] = [
  { name: 'recorded: ours, mixed faults, 5 clients, 2 keys', file: 'ours-mixed.jsonl.gz' },
  { name: 'recorded: ours, kills, 8 clients, 1 key', file: 'ours-kills-1key.jsonl.gz' },
  { name: 'recorded: broken member, kills', file: 'broken-kills.jsonl.gz' },
];

const SOURCE_DIR = join(__dirname, '..', '..', 'src', 'bench', 'histories');

export function runCheckerBench(out: string, log: (m: string) => void, rounds = 3): string {
  const rows: string[][] = [['history', 'ops', 'ops/key', 'model', 'verdict', 'median ms', 'max ms', 'configurations']];
  const cases: { name: string; history: HistoryOp[] }[] = [
    ...CASES.map((c) => ({ name: c.name, history: generate({ seed: 1, processes: c.processes, keys: c.keys, ops: c.ops, unknown: c.unknown, anomaly: c.anomaly }).history })),
    ...RECORDED.map((r) => ({ name: r.name, history: parseHistory(gunzipSync(readFileSync(join(SOURCE_DIR, r.file))).toString('utf8')) })),
  ];
  for (const c of cases) {
    const history = c.history;
    const keys = new Set(history.map((o) => o.key)).size;
    for (const model of MODELS) {
      const ms: number[] = [];
      let verdict = '';
      let states = 0;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        const v = check(history, { model, timeLimitMs: 60_000 });
        ms.push(performance.now() - t0);
        verdict = v.verdict;
        states = Math.max(...v.perKey.map((k) => k.states));
      }
      ms.sort((a, b) => a - b);
      log(`${c.name}, ${model}: ${verdict} in ${ms[Math.floor(ms.length / 2)]!.toFixed(0)} ms`);
      rows.push([c.name, String(history.length), String(Math.round(history.length / keys)), model, verdict, ms[Math.floor(ms.length / 2)]!.toFixed(1), ms[ms.length - 1]!.toFixed(1), String(states)]);
    }
  }
  const table = textTable(rows);
  const doc = `# The consistency checker's speed

\`npm run bench -- --checker\` (src/bench/checker.ts) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, one core of this machine.

Recorded histories (src/bench/histories): \`zk-lab check run\` on 3-member labs of our server on
this machine, under faults (reads, writes, cas and syncs; the broken member is the test switch
\`ZK_TEST_UNSAFE_COMMIT=1\`, whose killed leader loses acknowledged writes).

Generated histories (src/shared/check/generate.ts, seed 1): clients each run one operation at a
time (half reads, 30% writes, 20% cas) on random keys, 0.5–8.5 ms each, so about half the
clients overlap any operation; "unknown" is the share of operations whose result is unknown (half
of them took effect). A violation's time includes finding its counterexample (the shortest
failing prefix and what the culprit could have seen). "configurations" is the most the search
memoised for one key. The median and the slowest of ${rounds} runs, each bounded at 60 s. The
machine's two cores are shared with other work, so the times are loose.

The linearizable model's cost grows with how many clients overlap on one key: 20 clients on one
key (about 10 operations open at any instant, with unknown ones that stay open for ever) is past
its bound, while the zookeeper model, which places only writes and cas, decides it in about a
second. Fewer clients per key, or more keys, keep linearizability decidable.

On the recorded histories the zookeeper model decides in well under a second, the broken member's
violation included. A recorded run's stale read through a follower (8 clients on one key, under
kills) is where the linearizable search works longest: it must try the orders around many
overlapping operations before it can say that none explains the read.

\`\`\`
${table}
\`\`\`
`;
  writeFileSync(out, doc);
  return table;
}

// Runs the whole test suite (unit, multi-process, judges, e2e) through vitest; arguments go to
// vitest (`node scripts/test.mjs src/protocol`). Above its last line it names every skipped test
// with the reason it skipped, and every failed test with the first line of its error; the last
// line is "N passed, M failed, K skipped", which CI reads.
//
// Under CI=true a test skips only where it may: a test whose judge is missing fails instead
// (test/support/needs.ts), and a skip that gives no reason counts as a failure here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const dir = mkdtempSync(join(tmpdir(), 'zk-lab-test-'));
const out = join(dir, 'summary.json');
const args = ['vitest', 'run', '--reporter=default', `--reporter=${join(here, 'test-summary-reporter.mjs')}`, ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, ZK_LAB_TEST_SUMMARY: out } });

/** @type {{ file: string, name: string, state: 'passed' | 'failed' | 'skipped', reason?: string | null }[]} */
let tests = [];
const problems = [];
if (existsSync(out)) {
  tests = JSON.parse(readFileSync(out, 'utf8')).tests;
} else {
  problems.push(`vitest wrote no results (exit ${r.status ?? r.signal})`);
}
rmSync(dir, { recursive: true, force: true });

const label = (t) => (t.file ? `${t.file} > ${t.name}` : t.name);
const passed = tests.filter((t) => t.state === 'passed');
let failed = tests.filter((t) => t.state === 'failed');
let skipped = tests.filter((t) => t.state === 'skipped');
if (inCi) {
  // CI must not pass by skipping: a skip has to say why (the Electron binary missing, a tmpfs
  // that cannot be mounted), or it is a failure.
  const silent = skipped.filter((t) => !t.reason);
  skipped = skipped.filter((t) => t.reason);
  failed = [...failed, ...silent.map((t) => ({ ...t, state: 'failed', reason: 'skipped without a reason (CI=true: a skip must say why)' }))];
}
if (r.status !== 0 && failed.length === 0 && problems.length === 0) problems.push(`vitest exited with ${r.status ?? r.signal} though no test failed`);

if (skipped.length > 0) {
  console.log(`\nSkipped (${skipped.length}):`);
  for (const t of skipped) console.log(`  ${label(t)}\n    why: ${t.reason ?? 'no reason given'}`);
}
if (failed.length + problems.length > 0) {
  console.log(`\nFailed (${failed.length + problems.length}):`);
  for (const t of failed) console.log(`  ${label(t)}\n    ${t.reason ?? ''}`);
  for (const p of problems) console.log(`  ${p}`);
}
const failures = failed.length + problems.length;
console.log(`${passed.length} passed, ${failures} failed, ${skipped.length} skipped`);
process.exit(failures === 0 ? 0 : 1);

// zk-lab check history: a history file in, a verdict out (text or --json), exit 0 ok, 1
// violation, 2 undecided or an error; a malformed file is refused with its line named. No lab is
// needed: the checker runs in the command itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/shared/check/check';
import { generate } from '../../src/shared/check/generate';
import { formatHistory, type HistoryOp } from '../../src/shared/check/history';
import { needs, OUR_BUILD } from '../support/needs';
import { ROOT } from './backend';

const CLI = join(ROOT, 'bin', 'zk-lab');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zk-lab-check-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function zk(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, args, { env: { ...process.env, ZK_LAB_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const op = (o: Partial<HistoryOp> & Pick<HistoryOp, 'process' | 'f' | 'invoke'>): HistoryOp => ({
  session: `0x${o.process}`,
  member: 1,
  key: '/r/1',
  value: null,
  version: null,
  complete: o.invoke + 1,
  result: 'ok',
  ...o,
});

/** Process 1 reads the first value after process 0's second write was acknowledged. */
const stale = [
  op({ process: 0, f: 'write', value: 'a', invoke: 0 }),
  op({ process: 0, f: 'write', value: 'b', invoke: 2 }),
  op({ process: 1, f: 'read', value: 'a', version: 1, invoke: 4 }),
];

describe('zk-lab check history', needs(OUR_BUILD), () => {
  it('gives ok (0) on a clean history under both models, with the documented JSON', async () => {
    const { history } = generate({ seed: 3, processes: 5, keys: 3, ops: 600, unknown: 0.03 });
    const p = file('clean.jsonl', formatHistory(history));
    for (const model of ['zookeeper', 'linearizable']) {
      const r = await zk('check', 'history', p, '--model', model, '--json');
      expect(r.status, r.stderr).toBe(0);
      const v = JSON.parse(r.stdout) as Verdict;
      expect({ model: v.model, ops: v.ops, keys: v.keys, verdict: v.verdict, counterexample: v.counterexample }).toEqual({ model, ops: 600, keys: 3, verdict: 'ok', counterexample: undefined });
    }
    const text = await zk('check', 'history', p);
    expect(text.stdout).toMatch(/^ok: 600 operations on 3 keys, checked as ZooKeeper's guarantees/);
  });

  it('a stale read: violation (1) when linearizable with the counterexample, ok (0) under the zookeeper model', async () => {
    const p = file('stale.jsonl', formatHistory(stale));
    const lin = await zk('check', 'history', p, '--model', 'linearizable', '--json');
    expect(lin.status).toBe(1);
    const v = JSON.parse(lin.stdout) as Verdict;
    expect(v.verdict).toBe('violation');
    expect(v.counterexample!.culprit).toBe(2);
    expect(v.counterexample!.could).toEqual([{ value: 'b', version: 2 }]);
    expect(v.counterexample!.ops.map((o) => o.index)).toEqual([0, 1, 2]);
    const text = await zk('check', 'history', p, '--model', 'linearizable');
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('violation: 3 operations on 1 key');
    expect(text.stdout).toMatch(/ 3 {2}p1 .*read {2}"a" v1 .*ok {2}<- no order explains this/);
    expect((await zk('check', 'history', p)).status).toBe(0);
  });

  it('undecided (2) when the bound is reached', async () => {
    // Many clients, many unknown writes: more than one second of search for this machine's cores.
    const { history } = generate({ seed: 5, processes: 40, keys: 1, ops: 40_000, unknown: 0.2 });
    const p = file('big.jsonl', formatHistory(history));
    const r = await zk('check', 'history', p, '--model', 'linearizable', '--time-limit', '1', '--json');
    expect(r.status, r.stderr).toBe(2);
    const v = JSON.parse(r.stdout) as Verdict;
    expect(v.verdict).toBe('undecided');
    expect(v.undecided).toMatch(/within 1 s/);
  });

  it('refuses a malformed file (2) naming the line, and a bad command line', async () => {
    const lines = formatHistory(stale).split('\n');
    lines[1] = lines[1]!.replace('"write"', '"append"');
    let r = await zk('check', 'history', file('bad.jsonl', lines.join('\n')));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^zk-lab: .*bad\.jsonl is not a history: line 2: field "f": /);
    r = await zk('check', 'history', file('notjson.jsonl', '{"process": 0,\n'));
    expect(r.stderr).toMatch(/line 1: not JSON/);
    r = await zk('check', 'history', join(dir, 'missing.jsonl'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Cannot read the history .*missing\.jsonl \(ENOENT\)/);
    r = await zk('check', 'history', file('s.jsonl', formatHistory(stale)), '--model', 'sequential');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--model takes linearizable or zookeeper, not "sequential".');
    r = await zk('check', 'history', file('extra.jsonl', formatHistory(stale).replace('"result":"ok"', '"result":"ok","x":1')));
    expect(r.stderr).toMatch(/line 1: .*Unrecognized key/);
  });
});

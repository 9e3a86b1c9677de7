// Judge: the Apache ZooKeeper C client (Debian libzookeeper-mt-dev, multi-threaded sync and async
// API). test/judges/c/zkc_judge.c runs one fixed script — CRUD with versions, sequential,
// ephemeral, container and TTL creates, client- and server-side errors, one-shot watches, multi,
// digest ACLs, an unknown auth scheme, a 200-create async burst, pipelined conditional sets, sync,
// ephemerals vanishing on close — against real ZooKeeper 3.8 and against our server; the two
// transcripts must be identical line by line (the program prints nothing that may differ between
// correct servers: no session ids, times or zxids).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ours from '../support/ourzk';
import * as real from '../support/realzk';
import { C_CLIENT, JAVA, needs, OUR_BUILD, ZK_JARS } from '../support/needs';

const SOURCE = join(__dirname, 'c', 'zkc_judge.c');
const RUN_TIMEOUT_MS = 60_000;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs the judge program with a hard timeout (SIGKILL), collecting both streams. */
function runJudge(bin: string, connect: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(bin, [connect], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('error', (e) => (stderr += `spawn error: ${e.message}\n`));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

function describeRun(who: string, r: Run): string {
  const how = r.timedOut ? `killed after ${RUN_TIMEOUT_MS} ms` : `exit ${r.status}${r.signal ? ` signal ${r.signal}` : ''}`;
  return `zkc_judge against ${who}: ${how}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

describe('ZooKeeper C client transcript: our server vs Apache ZooKeeper 3.8', needs(C_CLIENT, JAVA, ZK_JARS, OUR_BUILD), () => {
  let dir: string;
  let bin: string;
  let r: real.RealZk;
  let o: ours.OurZk;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zkc-judge-'));
    bin = join(dir, 'zkc_judge');
    const cc = spawnSync('cc', ['-Wall', '-Wextra', '-O1', '-o', bin, SOURCE, '-lzookeeper_mt'], { encoding: 'utf8', timeout: 60_000 });
    if (cc.status !== 0) throw new Error(`cc failed to build ${SOURCE} (exit ${cc.status}):\n${cc.stderr}${cc.error ? `\n${cc.error.message}` : ''}`);
    [r, o] = await Promise.all([real.start(), ours.start()]);
  });
  afterAll(async () => {
    await Promise.all([r?.stop(), o?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the same lines against both servers', async () => {
    // One at a time: two cores, and each run is short.
    const theirs = await runJudge(bin, r.connectString);
    const mine = await runJudge(bin, o.connectString);
    const context = `${describeRun('Apache ZooKeeper 3.8', theirs)}\n\n${describeRun('our server', mine)}`;

    // Real ZooKeeper must take the whole script: otherwise the comparison proves nothing.
    expect(theirs.status, context).toBe(0);
    expect(theirs.stdout, context).toMatch(/^done$/m);
    expect(mine.status, context).toBe(0);

    // A few facts stated directly, so both sides failing alike cannot pass.
    const lines = mine.stdout.split('\n');
    const has = (line: string): void => expect(lines, context).toContain(line);
    expect(lines[0], context).toBe('connect h1 state=CONNECTED requested_timeout=50000 negotiated_timeout=40000');
    has('h1 create /cj/seq- (SEQUENCE) ok path=/cj/seq-0000000000 version=0 cversion=0 aversion=0 dataLength=0 numChildren=0 owner=none mzxid=czxid pzxid=czxid');
    has('h1 create /cj/seq- (SEQUENCE) ok path=/cj/seq-0000000001 version=0 cversion=0 aversion=0 dataLength=0 numChildren=0 owner=none mzxid=czxid pzxid=czxid');
    has('h1 set /cj version=0 err=ZBADVERSION');
    has('h1 get /nope watch=0 err=ZNONODE');
    // The one-shot watch: fired by the first set, not by the second (proven by a barrier).
    has('h1 after first set: watch type=CHANGED path=/cj');
    has('h1 after second set: no watch event');
    expect(lines.filter((l) => /^h1 .*: watch type=CHANGED path=\/cj$/.test(l)), context).toHaveLength(1);
    has('h1 multi create+set+badcheck+delete rc=ZBADVERSION');
    has('  op[3] delete ZRUNTIMEINCONSISTENCY');
    has('h2 get /cj/secret watch=0 err=ZNOAUTH');
    expect(lines.some((l) => l.startsWith('h1 acreate burst n=200 completions=200 in_order=yes names_match_order=yes errors=0 ')), context).toBe(true);
    has('h1 aset pipeline n=100 completions=100 in_order=yes versions_1_to_n=yes errors=0');
    has('h2 after h1 closed: watch type=DELETED path=/cj/eph');
    has('h2 exists /cj/eph after h1 closed err=ZNONODE');
    expect(lines.at(-2), context).toBe('done');

    expect(mine.stdout.split('\n'), context).toEqual(theirs.stdout.split('\n'));
  }, 2 * RUN_TIMEOUT_MS + 10_000);
});

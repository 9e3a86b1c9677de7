// Judge: the seed's two Java lock programs, unmodified clients of Apache ZooKeeper's own jars,
// against an ensemble of three of our members: the plain-API lock (ephemeral-sequential node,
// watch the predecessor) and Curator's InterProcessMutex. Each client connects with the whole
// connect string, so sessions land on the leader and on followers (writes forwarded, watches
// fired by followers). A counter updated under the lock must end exact.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATOR, JAVA, JAVAC, needs, OUR_BUILD } from '../support/needs';
import { startEnsemble, type OurEnsemble } from '../support/ourzk';

const JARS = ['curator-client', 'curator-framework', 'curator-recipes', 'zookeeper', 'zookeeper-jute', 'guava', 'slf4j-api', 'slf4j-simple'].map((j) => `/usr/share/java/${j}.jar`);

/** Runs a judge program to its end (killed by PID after two minutes); resolves with its output. */
function runJava(classes: string, main: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('java', ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', [classes, ...JARS].join(':'), main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the seed's Java lock programs against an ensemble of three of our members", needs(CURATOR, JAVA, JAVAC, OUR_BUILD), () => {
  let ensemble: OurEnsemble;
  let classes: string;
  beforeAll(async () => {
    classes = mkdtempSync(join(tmpdir(), 'ensemble-locks-'));
    execFileSync('javac', ['-cp', JARS.join(':'), '-d', classes, join(__dirname, 'java', 'SeedLockJudge.java'), join(__dirname, 'java', 'CuratorMutexJudge.java')]);
    ensemble = await startEnsemble(3, { tickTime: 500 });
    await ensemble.leader();
  }, 120_000);
  afterAll(async () => {
    await ensemble?.stop();
    if (classes) rmSync(classes, { recursive: true, force: true });
  });

  it('the plain-API lock: 5 clients x 20 rounds end at exactly 100, each waiter woken by its predecessor only', { timeout: 150_000 }, async () => {
    const r = await runJava(classes, 'SeedLockJudge', [ensemble.connectString, '5', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^COUNTER 100$/m);
    expect(r.stdout).toMatch(/^LEFT 0$/m);
    // At most one wake-up per acquisition that had to wait: no herd.
    expect(Number(/^WAITS (\d+)$/m.exec(r.stdout)?.[1])).toBeLessThanOrEqual(100);
  });

  it("Curator's InterProcessMutex: 5 clients x 20 rounds end at exactly 100", { timeout: 150_000 }, async () => {
    const r = await runJava(classes, 'CuratorMutexJudge', [ensemble.connectString, '5', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^COUNTER 100$/m);
    expect(r.stdout).toMatch(/^LOCKNODE _c_[0-9a-f-]{36}-lock-\d{10}$/m);
    expect(r.stdout).toMatch(/^LEFT 0$/m);
  });
});

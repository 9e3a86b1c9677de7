// Judge: Curator 5's InterProcessMutex (Debian libcurator-recipes-java), unmodified, contends on
// one lock path through our server; a counter updated under the lock must end exact.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type OurZk } from '../support/ourzk';

const JARS = ['curator-client', 'curator-framework', 'curator-recipes', 'zookeeper', 'zookeeper-jute', 'guava', 'slf4j-api', 'slf4j-simple']
  .map((j) => `/usr/share/java/${j}.jar`);
const available = JARS.every((j) => existsSync(j)) && existsSync('/usr/bin/javac');

describe.skipIf(!available)('Curator InterProcessMutex against our server', () => {
  let zk: OurZk;
  let classes: string;
  beforeAll(async () => {
    classes = mkdtempSync(join(tmpdir(), 'curator-judge-'));
    execFileSync('javac', ['-cp', JARS.join(':'), '-d', classes, join(__dirname, 'java', 'CuratorMutexJudge.java')]);
    zk = await start({ tickTime: 1000 });
  }, 120_000);
  afterAll(async () => {
    await zk?.stop();
    if (classes) rmSync(classes, { recursive: true, force: true });
  });

  it('keeps mutual exclusion: 5 clients x 20 rounds end at exactly 100, with Curator lock node names', () => {
    const r = spawnSync('java', ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', [classes, ...JARS].join(':'), 'CuratorMutexJudge', zk.connectString, '5', '20'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^COUNTER 100$/m);
    expect(r.stdout).toMatch(/^LOCKNODE _c_[0-9a-f-]{36}-lock-\d{10}$/m);
    expect(r.stdout).toMatch(/^LEFT 0$/m);
  });
});

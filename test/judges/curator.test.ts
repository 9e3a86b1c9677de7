// Judge: Curator 5's InterProcessMutex (Debian libcurator-recipes-java), unmodified, contends on
// one lock path through our server, and the same program through Apache ZooKeeper 3.8; a counter
// updated under the lock must end exact on both.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startOurs } from '../support/ourzk';
import { start as startReal } from '../support/realzk';
import { CURATOR, JAVA, JAVAC, needs, ZK_JARS } from '../support/needs';

const JARS = ['curator-client', 'curator-framework', 'curator-recipes', 'zookeeper', 'zookeeper-jute', 'guava', 'slf4j-api', 'slf4j-simple']
  .map((j) => `/usr/share/java/${j}.jar`);

const servers = [
  ['our server', () => startOurs({ tickTime: 1000 })],
  ['Apache ZooKeeper 3.8', () => startReal({ tickTime: 1000 })],
] as const;

describe.each(servers)('Curator InterProcessMutex against %s', needs(CURATOR, JAVA, JAVAC, ZK_JARS), (_name, startServer) => {
  let zk: { connectString: string; stop(): Promise<void> };
  let classes: string;
  beforeAll(async () => {
    classes = mkdtempSync(join(tmpdir(), 'curator-judge-'));
    execFileSync('javac', ['-cp', JARS.join(':'), '-d', classes, join(__dirname, 'java', 'CuratorMutexJudge.java')]);
    zk = await startServer();
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

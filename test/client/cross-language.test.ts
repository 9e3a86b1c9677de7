// Curator's InterProcessMutex (Java) and ours (TypeScript) contend on one lock path, against
// Apache ZooKeeper 3.8 and against our server: nobody is ever inside with someone else (an
// ephemeral "holder" node must be creatable inside), the two languages interleave, and a
// counter updated under the lock without a version ends exact.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, Err, InterProcessMutex, ZkError, type ZkClient } from '../../src/client';
import { CURATOR, JAVA, JAVAC, needs, OUR_BUILD, ZK_JARS } from '../support/needs';
import { TARGETS, until, type Server } from './targets';

const JARS = ['curator-client', 'curator-framework', 'curator-recipes', 'zookeeper', 'zookeeper-jute', 'guava', 'slf4j-api', 'slf4j-nop'].map(
  (j) => `/usr/share/java/${j}.jar`,
);
const SOURCE = join(resolve(__dirname, '..'), 'java', 'CrossLanguageMutex.java');

const JAVA_THREADS = 3;
const TS_CLIENTS = 3;
const ROUNDS = 15;

describe('Curator InterProcessMutex (Java) and ours on one path', needs(CURATOR, JAVA, JAVAC, ZK_JARS, OUR_BUILD), () => {
  let classes: string;
  beforeAll(() => {
    classes = mkdtempSync(join(tmpdir(), 'xlang-mutex-'));
    execFileSync('javac', ['-cp', JARS.join(':'), '-d', classes, SOURCE]);
  }, 120_000);
  afterAll(() => {
    if (classes) rmSync(classes, { recursive: true, force: true });
  });

  describe.each(TARGETS)('against $name', (target) => {
    let server: Server;
    let java: ChildProcess | null = null;
    const clients: ZkClient[] = [];
    beforeAll(async () => {
      server = await target.start();
    });
    afterEach(async () => {
      if (java && java.exitCode === null && java.pid) process.kill(java.pid, 'SIGKILL');
      java = null;
      await Promise.all(clients.splice(0).map((c) => c.close()));
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('keeps mutual exclusion across languages and the counter ends exact', { timeout: 180_000 }, async () => {
      const lockPath = '/xlang/lock';
      const counter = '/xlang-counter';
      const holder = '/xlang-holder';
      const setup = await connect(server.connectString);
      clients.push(setup);
      await setup.create(counter, '0');

      let out = '';
      let err = '';
      const proc = spawn(
        'java',
        ['-cp', [classes, ...JARS].join(':'), 'CrossLanguageMutex', server.connectString, lockPath, counter, holder, String(JAVA_THREADS), String(ROUNDS)],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      java = proc;
      proc.stdout!.on('data', (d) => (out += d));
      proc.stderr!.on('data', (d) => (err += d));
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      await until(() => out.includes('READY') || proc.exitCode !== null, 'the Java side to connect', 60_000);
      expect(proc.exitCode, err).toBeNull();

      const zks = await Promise.all(Array.from({ length: TS_CLIENTS }, () => connect(server.connectString)));
      clients.push(...zks);
      let violations = 0;
      const tsSeen: number[] = [];
      proc.stdin!.write('go\n');
      await Promise.all(
        zks.map(async (zk) => {
          const mutex = new InterProcessMutex(zk, lockPath);
          for (let i = 0; i < ROUNDS; i++) {
            await mutex.acquire();
            try {
              try {
                await zk.create(holder, null, { mode: 1 });
              } catch (e) {
                if (e instanceof ZkError && e.code === Err.NODEEXISTS) violations++;
                else throw e;
              }
              const v = Number((await zk.getData(counter)).data!.toString());
              tsSeen.push(v);
              await zk.setData(counter, String(v + 1));
              await zk.delete(holder);
            } finally {
              await mutex.release();
            }
          }
        }),
      );
      expect(await exited, err).toBe(0);
      expect(out).toContain('DONE');
      const javaViolations = Number(/^VIOLATIONS (\d+)$/m.exec(out)![1]);
      const javaSeen = [...out.matchAll(/^SEEN (\d+)$/gm)].map((m) => Number(m[1]));

      const total = (JAVA_THREADS + TS_CLIENTS) * ROUNDS;
      expect(violations + javaViolations).toBe(0);
      expect(Number((await setup.getData(counter)).data!.toString())).toBe(total);
      // Every value 0..total-1 was read exactly once, by one side or the other.
      expect([...tsSeen, ...javaSeen].sort((a, b) => a - b)).toEqual([...Array(total).keys()]);
      // The languages really took turns: neither side's values form one unbroken block.
      const block = (xs: number[]) => Math.max(...xs) - Math.min(...xs) + 1 === xs.length;
      expect(block(tsSeen) && block(javaSeen)).toBe(false);
      expect(await setup.getChildren(lockPath)).toEqual([]);
    });
  });
});

// Our member's log, side by side with Apache ZooKeeper 3.8's (Debian's, through log4j 1.2 in
// ZooKeeper's own layout): every line has the same shape, the thread:Class@line slot included,
// and the level threshold (zookeeper.root.logger) cuts the same levels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needs, ZK_JARS, ZK_LOG4J_JARS, JAVA } from '../support/needs';
import { fourLetter, start as startOurs, waitFor, type OurZk } from '../support/ourzk';
import { start as startReal, type RealZk } from '../support/realzk';

const ROOT = join(__dirname, '..', '..');
/** `%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n` read back; the thread name may hold ':' and brackets. */
const LAYOUT = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \[myid:(\d*)\] - (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \[(.+):([^:@\s\]]+)@(\d+|\?)\] - (.*)$/;

/** The log's lines that open an entry (a stack trace's or a JVM warning's lines do not). */
function entries(log: string): string[] {
  return log.split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
}

function levels(lines: string[]): Set<string> {
  return new Set(lines.map((l) => LAYOUT.exec(l)?.[3]?.trim() ?? 'unparsed'));
}

describe('the member log in ZooKeeper 3.8 layout', needs(JAVA, ZK_JARS, ZK_LOG4J_JARS), () => {
  const started: (OurZk | RealZk)[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('every line of ours has the shape of a real 3.8 line, and names the module and line that logged it', { timeout: 120_000 }, async () => {
    const real = await startReal({ log4j: true, logLevel: 'info' });
    started.push(real);
    const ours = await startOurs({ admin: false });
    started.push(ours);
    const realLines = entries(real.log());
    const ourLines = entries(ours.log());
    expect(realLines.length, real.log()).toBeGreaterThan(10);
    expect(ourLines.length, ours.log()).toBeGreaterThan(2);
    for (const l of [...realLines, ...ourLines]) expect(l).toMatch(LAYOUT);
    // A standalone server has no myid in either (ZooKeeper puts it in the MDC only for a quorum peer).
    expect(new Set(realLines.map((l) => LAYOUT.exec(l)![2]))).toEqual(new Set(['']));
    expect(new Set(ourLines.map((l) => LAYOUT.exec(l)![2]))).toEqual(new Set(['']));
    // Real: a thread name and a Java class. Ours: the one JavaScript thread and a module of src/server.
    expect(realLines.some((l) => /\[main:QuorumPeerConfig@\d+\]|\[main:ZooKeeperServerMain@\d+\]/.test(l)), realLines.join('\n')).toBe(true);
    for (const l of ourLines) {
      const [, , , , thread, where, line] = LAYOUT.exec(l)!;
      expect(thread).toBe('main');
      // The line named is a real call of the logger in that .ts file.
      const source = readFileSync(join(ROOT, 'src', 'server', where!), 'utf8').split('\n');
      expect(source[Number(line) - 1], `${where}@${line} for: ${l}`).toMatch(/\blog\(/);
    }
  });

  it('the level threshold cuts the same levels as zookeeper.root.logger does in 3.8', { timeout: 120_000 }, async () => {
    // WARN: no INFO or DEBUG lines, from either. Ours reads ZOO_LOG4J_PROP as zkServer.sh passes it.
    const realWarn = await startReal({ log4j: true, logLevel: 'warn' });
    started.push(realWarn);
    const oursWarn = await startOurs({ admin: false, env: { ZOO_LOG4J_PROP: 'WARN,CONSOLE' }, config: { 'no.such.key': 1 } });
    started.push(oursWarn);
    await fourLetter('127.0.0.1', realWarn.clientPort, 'ruok');
    await fourLetter('127.0.0.1', oursWarn.clientPort, 'ruok');
    for (const zk of [realWarn, oursWarn]) {
      const lv = levels(entries(zk.log()));
      expect(lv.has('INFO') || lv.has('DEBUG') || lv.has('unparsed'), zk.log()).toBe(false);
    }
    // Ours still says what is wrong at WARN (the unknown key).
    expect(oursWarn.log()).toMatch(/ - WARN  \[main:zk-server\.ts@\d+\] - zoo\.cfg: unknown key "no\.such\.key"/);
    await Promise.all([realWarn.stop(), oursWarn.stop()]);

    // DEBUG: both say more, e.g. a connection closing after a four-letter word. Ours from zoo.cfg's key.
    const realDebug = await startReal({ log4j: true, logLevel: 'debug' });
    started.push(realDebug);
    const oursDebug = await startOurs({ admin: false, config: { 'zookeeper.root.logger': 'DEBUG,CONSOLE' } });
    started.push(oursDebug);
    for (const zk of [realDebug, oursDebug]) {
      await fourLetter('127.0.0.1', zk.clientPort, 'ruok');
      await waitFor(() => levels(entries(zk.log())).has('DEBUG'), 20_000, `a DEBUG line from ${zk.connectString}`);
      const lv = levels(entries(zk.log()));
      expect([...lv].sort()).toEqual(expect.arrayContaining(['DEBUG', 'INFO']));
      expect(lv.has('unparsed'), zk.log()).toBe(false);
    }
    expect(oursDebug.log()).toMatch(/ - DEBUG \[main:net\/connection\.ts@\d+\] - Closed socket connection for client \/127\.0\.0\.1:\d+ \(no session established for client\)/);
  });

  it('a threshold that is no level stops ours with one sentence', async () => {
    await expect(startOurs({ admin: false, env: { ZOO_LOG4J_PROP: 'LOUD,CONSOLE' }, startTimeoutMs: 10_000 })).rejects.toThrow(/zk-server exited with 1 while starting:\nzk-server: ZOO_LOG4J_PROP=LOUD,CONSOLE does not start with a log level; give one of TRACE, DEBUG, INFO, WARN, ERROR or OFF/);
  });
});

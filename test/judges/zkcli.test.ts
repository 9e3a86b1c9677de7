// Judge: the real zkCli.sh runs the seed's session against real ZooKeeper 3.8 and against our
// server; the transcripts must be identical once times, session ids and ports are masked.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ours from '../support/ourzk';
import * as real from '../support/realzk';

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';

/** The seed's zkCli session, plus the error cases and ACL/auth commands. */
export const SEED_SESSION = [
  'ls /',
  'create /sanguo "diaochan"',
  'create /sanguo/shuguo "liubei"',
  'create -s /sanguo/weiguo "caocao"',
  'create -s /sanguo/weiguo "caocao"',
  'create -e /sanguo/wuguo "zhouyu"',
  'create -e -s /sanguo/wuguo "zhouyu"',
  'ls /sanguo',
  'ls -s /sanguo',
  'get -s /sanguo',
  'get /sanguo/shuguo',
  'set /sanguo/weiguo0000000001 "simayi"',
  'set -s /sanguo "xishi"',
  'set -s -v 1 /sanguo "yangyuhuan"',
  'set -v 1 /sanguo "wrong version"',
  'stat /sanguo',
  'stat /nosuch',
  'get /nosuch',
  'create /sanguo "again"',
  'create /a/b/c "no parent"',
  'create noslash "x"',
  'delete -v 7 /sanguo/shuguo',
  'delete /sanguo',
  'delete -v 0 /sanguo/shuguo',
  'ls /sanguo',
  'getAcl /sanguo',
  'setAcl /sanguo world:anyone:cdrwa',
  'getAcl -s /sanguo',
  'setAcl -v 5 /sanguo world:anyone:cdrw',
  'addauth digest alice:secret',
  'create /secret "s" auth:alice:secret:cdrwa',
  'getAcl /secret',
  'whoami',
  'getAllChildrenNumber /',
  'getEphemerals /',
  'create -c /cont "container"',
  'create -t 10000 /ttl "ttl"',
  'deleteall /sanguo',
  'ls /',
  'stat /zookeeper',
  'get /zookeeper/config',
  'sync /',
  'create /q "data"',
  'create /q/a "aaaa"',
  'setquota -n 5 /q',
  'setquota -b 100 /q/a',
  'listquota /q',
  'create /q/b "bb"',
  'set /q/a "aaaaaaaa"',
  'listquota /q',
  'get /zookeeper/quota/q/zookeeper_stats',
  'ls -R /zookeeper',
  'delquota -n /q',
  'listquota /q',
  'delquota /q',
  'listquota /q',
  'get -w /q',
  'set /q "changed"',
  'ls -w /q',
  'create /q/c ""',
  'stat -w /q/c',
  'delete /q/c',
  'ls -s -w /q',
  'deleteall /q',
  'quit',
];

function runZkCli(connect: string, lines: string[]): string {
  // zkCli prints some answers on stderr: one pipe for both keeps their order.
  const r = spawnSync('sh', ['-c', `${ZKCLI} -server ${connect} 2>&1`], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CLIENT_JVMFLAGS: '-Dzookeeper.extendedTypesEnabled=true', ZOO_LOG4J_PROP: 'ERROR,CONSOLE' },
  });
  return r.stdout;
}

/** Removes what legitimately differs between two runs: times, session ids, ports, JVM noise. */
export function maskTranscript(s: string): string {
  return s
    .split('\n')
    .filter((l) => !/^SLF4J|^log4j|^\s*$|^JLine|^Welcome to ZooKeeper|^\d{4}-\d\d-\d\d /.test(l))
    .map((l) =>
      l
        .replace(/^(ctime|mtime) = .*/, '$1 = <time>')
        .replace(/^ephemeralOwner = 0x[0-9a-f]+/, (m) => (m.endsWith('0x0') ? m : 'ephemeralOwner = <session>'))
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
        .replace(/(wuguo)\d{10}/, '$1<seq>'),
    )
    .join('\n');
}

describe.skipIf(!existsSync(ZKCLI))('zkCli.sh transcript: our server vs Apache ZooKeeper 3.8', () => {
  let r: real.RealZk;
  let o: ours.OurZk;
  beforeAll(async () => {
    [r, o] = await Promise.all([real.start({ extendedTypes: true }), ours.start({ extendedTypes: true })]);
  });
  afterAll(async () => {
    await Promise.all([r?.stop(), o?.stop()]);
  });

  it('the seed session prints the same lines', () => {
    const theirs = maskTranscript(runZkCli(r.connectString, SEED_SESSION));
    const mine = maskTranscript(runZkCli(o.connectString, SEED_SESSION));
    expect(theirs).toContain('Created /sanguo');
    expect(mine.split('\n')).toEqual(theirs.split('\n'));
  });
});

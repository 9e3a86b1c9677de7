// Judge: the real zkCli.sh runs the seed's session against real ZooKeeper 3.8 and against our
// server; the transcripts must be identical once times, session ids and ports are masked.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ours from '../support/ourzk';
import * as real from '../support/realzk';
import { JAVA, needs, OUR_BUILD, ZKCLI as ZKCLI_NEED, ZK_JARS } from '../support/needs';
import { maskTranscript, SEED_SESSION } from './seed-session';

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';

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

describe('zkCli.sh transcript: our server vs Apache ZooKeeper 3.8', needs(ZKCLI_NEED, JAVA, ZK_JARS, OUR_BUILD), () => {
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

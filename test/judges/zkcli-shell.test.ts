// Our shell (bin/zk-cli) against zkCli.sh: the seed session run by both against the same kind of
// server prints the same lines, errors included (times, session ids and ports masked).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type OurZk } from '../support/ourzk';
import { JAVA, needs, OUR_BUILD, ZKCLI as ZKCLI_NEED } from '../support/needs';
import { maskTranscript, SEED_SESSION } from './seed-session';

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';
const OURS = join(resolve(__dirname, '..', '..'), 'bin', 'zk-cli');

function run(bin: string, connect: string, lines: string[]): string {
  const r = spawnSync('sh', ['-c', `${bin} -server ${connect} 2>&1`], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CLIENT_JVMFLAGS: '-Dzookeeper.extendedTypesEnabled=true', ZOO_LOG4J_PROP: 'ERROR,CONSOLE' },
  });
  return r.stdout;
}

describe('bin/zk-cli transcript vs zkCli.sh', needs(ZKCLI_NEED, JAVA, OUR_BUILD), () => {
  let a: OurZk;
  let b: OurZk;
  beforeAll(async () => {
    [a, b] = await Promise.all([start({ extendedTypes: true }), start({ extendedTypes: true })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('prints what zkCli.sh prints for the seed session', () => {
    const session = SEED_SESSION.filter((l) => !/quota/.test(l));
    const theirs = maskTranscript(run(ZKCLI, a.connectString, session));
    const mine = maskTranscript(run(OURS, b.connectString, session));
    expect(mine.split('\n')).toEqual(theirs.split('\n'));
  });

  it('runs one command given on its command line', () => {
    const r = spawnSync(OURS, ['-server', a.connectString, 'ls', '/'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toMatch(/^\[(.*, )?zookeeper\]$/m);
    expect(r.status).toBe(0);
  });
});

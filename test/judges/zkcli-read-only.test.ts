// Judge: Apache's zkCli.sh -r (the Java client accepting read-only servers) against a member of a
// 3-member ensemble cut off from its quorum, Apache ZooKeeper 3.8's and ours: the transcripts must
// be identical once times, ports and zxids are masked. (The zxids differ for a reason outside
// read-only mode: with localSessionsEnabled, Apache's session that wrote the tree was local and
// logged no createSession; ours logs one.)
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client';
import { TARGETS, until, type Member, type Target } from '../client/targets';
import { fourLetter } from '../support/realzk';
import { maskTranscript } from './seed-session';
import { JAVA, needs, OUR_BUILD, ZKCLI as ZKCLI_NEED, ZK_JARS } from '../support/needs';

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';

/** Reads pass; every write, sync included, is "Not a read-only call" or rc=-119. */
const SESSION = [
  'ls /',
  'get /ro',
  'ls /ro',
  'stat /ro',
  'getAcl /ro',
  'whoami',
  'getAllChildrenNumber /ro',
  'getEphemerals /',
  'set /ro "x"',
  'create /y "y"',
  'create -e /e "e"',
  'create -c /c "c"',
  'create -t 1000 /t "t"',
  'delete /ro/child',
  'setAcl /ro world:anyone:cdrwa',
  'sync /ro',
  'get /ro',
  'quit',
];

/** maskTranscript (watch events apart, the Closed race dropped), and the zxids masked too. */
function mask(s: string): string[] {
  return maskTranscript(s.replace(/^([cmp]Zxid) = 0x[0-9a-f]+/gm, '$1 = <zxid>')).split('\n');
}

/** Starts an ensemble, writes /ro and /ro/child, cuts member 1 off and runs zkCli -r against it. */
async function transcript(target: Target): Promise<string[]> {
  const ens = await target.startEnsemble(3, { tickTime: 500, readOnly: true });
  try {
    const [m1, m2, m3] = ens.members as [Member, Member, Member];
    const w = await connect(m1.connectString, { sessionTimeout: 8000 });
    await w.create('/ro', 'before');
    await w.create('/ro/child', 'c');
    await w.close();
    await m2.kill();
    await m3.kill();
    await until(async () => (await fourLetter('127.0.0.1', m1.clientPort, 'isro').catch(() => '')) === 'ro', `member 1 of ${target.name} read-only`, 60_000);
    const r = spawnSync('sh', ['-c', `${ZKCLI} -server ${m1.connectString} -r 2>&1`], {
      input: SESSION.join('\n') + '\n',
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ZOO_LOG4J_PROP: 'ERROR,CONSOLE' },
    });
    return mask(r.stdout);
  } finally {
    await ens.stop();
  }
}

describe('zkCli.sh -r against a read-only member: our server vs Apache ZooKeeper 3.8', needs(ZKCLI_NEED, JAVA, ZK_JARS, OUR_BUILD), () => {
  it('prints the same lines', { timeout: 240_000 }, async () => {
    const [theirs, mine] = [await transcript(TARGETS[0]!), await transcript(TARGETS[1]!)];
    expect(theirs).toContain('WatchedEvent state:ConnectedReadOnly type:None path:null');
    expect(theirs).toContain('Not a read-only call: /y');
    expect(theirs).toContain('Sync has failed. rc=-119');
    expect(mine).toEqual(theirs);
  });
});

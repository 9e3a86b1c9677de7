// bin/zk-cli against zkCli.sh 3.8: the same session typed into both prints the same lines
// (times, session ids and ports masked), against Apache ZooKeeper and against ours; one-shot
// mode with zkCli's exit codes; and the interactive shell in a real terminal (tmux):
// completion, history, Ctrl-D; Ctrl-C beside zkCli.sh's; a server that is down, said at once.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ours from '../support/ourzk';
import * as real from '../support/realzk';
import { maskTranscript, SEED_SESSION } from '../judges/seed-session';
import { JAVA, needs, OUR_BUILD, TMUX, ZKCLI as ZKCLI_NEED, ZK_JARS } from '../support/needs';
import { until } from './targets';
import { createServer } from 'node:net';

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';
const ZK_CLI = join(resolve(__dirname, '..', '..'), 'bin', 'zk-cli');

function transcript(bin: string, connect: string, lines: string[]): string {
  // One pipe for stdout and stderr keeps their order (zkCli prints "Created" on stderr).
  const r = spawnSync('sh', ['-c', `${bin} -server ${connect} 2>&1`], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, CLIENT_JVMFLAGS: '-Dzookeeper.extendedTypesEnabled=true', ZOO_LOG4J_PROP: 'ERROR,CONSOLE' },
  });
  return maskTranscript(r.stdout);
}

/** Wrong input of every kind, and commands the seed does not use. */
const ERROR_SESSION = [
  'ls /',
  'create',
  'set /x',
  'setquota',
  'get -s',
  'ls -x /',
  'create -t abc /t',
  'create -c -e /x',
  'delete /nosuch 3',
  'get /zookeeper extra',
  'create /a "x"',
  // A TTL far longer than the test: with 100 ms, the first reaper pass (60 s after a server
  // starts) could remove it from one server before its `ls /` below and not from the other.
  'create -s -t 3600000 /seqttl x',
  'create -t 0 /z x',
  'create -t 100 -e /z x',
  'create -t 100 -c /z x',
  'addWatch -m persistent /a',
  'addWatch -m bogus /a',
  'create /a/b b',
  'set /a y',
  'removewatches /a -d',
  'removewatches /a',
  'removewatches /a',
  'create -e /e1 x',
  'create /e1/child',
  'getAcl /nosuch',
  'setAcl -s /nosuch world:anyone:r',
  'setAcl /a world:anyone',
  'setAcl /a bad,world:anyone:cdrwaz',
  'create /a/c c',
  'setAcl -R /a world:anyone:r',
  'getAcl /a/c',
  'setAcl -R /a world:anyone:cdrwa',
  'getEphemerals /none',
  'getEphemerals',
  'deleteall /nosuch',
  'delete /',
  'delete /zookeeper',
  'reconfig -add server.5=127.0.0.1:1:2;3',
  'reconfig',
  'config',
  'config -c',
  'get -w -s /a',
  'set /a z',
  'ls -w -R /a',
  'create /a/d',
  'stat -w /a/d',
  'delete /a/d',
  'create /a/e "with space"',
  'get /a/e',
  'ls -s /',
  'deleteall /a -b 2',
  'ls /',
  'create -s /s',
  'create -s /s/',
  'ls /s',
  'sync /nosuch',
  'getAllChildrenNumber',
  'stat /zookeeper x',
  'printwatches',
  'printwatches off',
  'printwatches',
  'help',
  'redo 0',
  'redo 99',
  'history',
  'close',
  'ls /',
  'connect',
  'ls /',
  'addauth foo bar',
  'ls /',
  'quit',
];

describe('bin/zk-cli prints what zkCli.sh prints', needs(ZKCLI_NEED, JAVA, ZK_JARS, OUR_BUILD), () => {
  let theirs: real.RealZk;
  let mine: real.RealZk;
  let ourServer: ours.OurZk;
  beforeAll(async () => {
    [theirs, mine, ourServer] = await Promise.all([
      real.start({ extendedTypes: true }),
      real.start({ extendedTypes: true }),
      ours.start({ extendedTypes: true, admin: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([theirs?.stop(), mine?.stop(), ourServer?.stop()]);
  });

  it('for the seed session, against Apache ZooKeeper and against our server', () => {
    const expected = transcript(ZKCLI, theirs.connectString, SEED_SESSION);
    expect(expected).toContain('Created /sanguo');
    expect(expected).toContain('version No is not valid : /sanguo');
    expect(transcript(ZK_CLI, mine.connectString, SEED_SESSION).split('\n')).toEqual(expected.split('\n'));
    expect(transcript(ZK_CLI, ourServer.connectString, SEED_SESSION).split('\n')).toEqual(expected.split('\n'));
  });

  it('for wrong input and the rarer commands', async () => {
    // Fresh servers: the seed session left nodes behind.
    const [a, b] = await Promise.all([real.start({ extendedTypes: true }), real.start({ extendedTypes: true })]);
    try {
      const expected = transcript(ZKCLI, a.connectString, ERROR_SESSION);
      expect(expected).toContain('Unrecognized option: -x');
      expect(transcript(ZK_CLI, b.connectString, ERROR_SESSION).split('\n')).toEqual(expected.split('\n'));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('runs one command from its command line with zkCli exit codes', () => {
    const ok = spawnSync(ZK_CLI, ['-server', mine.connectString, 'ls', '/'], { encoding: 'utf8', timeout: 30_000 });
    expect(ok.stdout).toMatch(/^\[(.*, )?zookeeper\]$/m);
    expect(ok.status).toBe(0);
    const missing = spawnSync(ZK_CLI, ['-server', mine.connectString, 'get', '/no/such'], { encoding: 'utf8', timeout: 30_000 });
    expect(missing.stderr).toBe('Node does not exist: /no/such\n');
    expect(missing.status).toBe(1);
    const unknown = spawnSync(ZK_CLI, ['-server', mine.connectString, 'frobnicate'], { encoding: 'utf8', timeout: 30_000 });
    expect(unknown.stderr).toContain('Command not found: Command not found frobnicate');
    expect(unknown.status).toBe(127);
    const badArgs = spawnSync(ZK_CLI, ['-server'], { encoding: 'utf8', timeout: 30_000 });
    expect(badArgs.stderr).toBe('Error: no argument found for option -server\n');
    expect(badArgs.status).toBe(1);
  });
});

describe('bin/zk-cli in a real terminal (tmux)', needs(TMUX, OUR_BUILD), () => {
  const socket = `zkcli-test-${process.pid}`;
  let zk: real.RealZk;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-t', 'cli', '-p').stdout;
  const keys = (...k: string[]) => tmux('send-keys', '-t', 'cli', ...k);
  const shows = (text: string | RegExp, what: string) =>
    until(() => (typeof text === 'string' ? screen().includes(text) : text.test(screen())), `${what}; screen:\n${screen()}`);

  beforeAll(async () => {
    zk = await real.start();
  });
  afterAll(async () => {
    tmux('kill-server');
    // A JVM left stopped by a failed test must not outlive it.
    if (zk?.pid) process.kill(zk.pid, 'SIGCONT');
    await zk?.stop();
  });

  it('completes, remembers and quits with Ctrl-D', async () => {
    tmux('new-session', '-d', '-s', 'cli', '-x', '150', '-y', '50', `${ZK_CLI} -server ${zk.connectString}; echo "EXIT=$?"; sleep 600`);
    await shows(`[zk: ${zk.connectString}(CONNECTED) 0]`, 'the first prompt');
    keys('create /sanguo "diaochan"', 'Enter');
    await shows('Created /sanguo', 'the create');
    keys('create /sanguo/shuguo liubei', 'Enter');
    await shows('Created /sanguo/shuguo', 'the second create');

    // Tab completes znode paths and command names.
    keys('get /san', 'Tab');
    await shows('] get /sanguo', 'path completion');
    keys(' ', 'Enter');
    await shows(/^diaochan$/m, 'get after completion');
    keys('getAl', 'Tab');
    await shows('] getAllChildrenNumber', 'command completion');
    keys('C-u');

    // Up recalls the previous line.
    keys('ls /sanguo', 'Enter');
    await shows('[shuguo]', 'ls');
    keys('Up', 'Enter');
    await until(() => screen().split('\n').filter((l) => l === '[shuguo]').length === 2, 'the recalled ls');

    // A watch event arrives while the prompt waits for input.
    keys('get -w /sanguo', 'Enter');
    await until(() => screen().split('\n').filter((l) => l === 'diaochan').length === 2, 'get -w');
    spawnSync(ZK_CLI, ['-server', zk.connectString, 'set', '/sanguo', 'xishi']);
    await shows('WatchedEvent state:SyncConnected type:NodeDataChanged path:/sanguo', 'the watch event');

    keys('history', 'Enter');
    await shows(/\d+ - get -w \/sanguo\n\d+ - history/, 'history');
    expect(screen()).not.toContain('Command not found');

    keys('C-d');
    await shows('EXIT=0', 'exit on Ctrl-D');
  });

  // zkCli.sh has no SIGINT handler: Ctrl-C ends the JVM (status 130), on a typed line and on a
  // command that waits for a frozen server alike. bin/zk-cli does the same, side by side.
  it('leaves with status 130 on Ctrl-C, as zkCli.sh does', needs(ZKCLI_NEED, JAVA, ZK_JARS), async () => {
    const run = async (name: string, bin: string, ready: string): Promise<void> => {
      const pane = (): string => tmux('capture-pane', '-t', name, '-p').stdout;
      const on = (text: string | RegExp, what: string) => until(() => (typeof text === 'string' ? pane().includes(text) : text.test(pane())), `${name}: ${what}; screen:\n${pane()}`);
      tmux('new-session', '-d', '-s', name, '-x', '150', '-y', '50', `${bin} -server ${zk.connectString} 2>/dev/null; echo "EXIT=$?"; sleep 600`);
      await on(ready, 'ready');
      tmux('send-keys', '-t', name, 'ls /', 'Enter');
      await on(/^\[(.*, )?zookeeper\]$/m, 'ls /');
      tmux('send-keys', '-t', name, 'half a line');
      await on('half a line', 'typing');
      tmux('send-keys', '-t', name, 'C-c');
      await on(/half a line\^C\s*EXIT=130/, 'the exit on Ctrl-C');
    };
    await run('theirs', ZKCLI, 'Welcome to ZooKeeper!');
    await run('ours', ZK_CLI, `[zk: ${zk.connectString}(CONNECTED) 0]`);
  });

  it('says at once that a server does not answer, and fails commands as zkCli.sh does', async () => {
    const port = await closedPort();
    tmux('new-session', '-d', '-s', 'down', '-x', '200', '-y', '50', `ZK_CLI_SERVER_NAME='node 7' ${ZK_CLI} -server 127.0.0.1:${port}; echo "EXIT=$?"; sleep 600`);
    const pane = (): string => tmux('capture-pane', '-t', 'down', '-p').stdout;
    // The refusal is said before the prompt, which waits for no connection.
    await until(() => pane().includes(`node 7 (127.0.0.1:${port}) does not answer (connect ECONNREFUSED`), `the refusal; screen:\n${pane()}`);
    await until(() => pane().includes(`[zk: 127.0.0.1:${port}(CONNECTING) 0]`), `the prompt; screen:\n${pane()}`);
    tmux('send-keys', '-t', 'down', 'ls /', 'Enter');
    await until(() => pane().includes('KeeperErrorCode = ConnectionLoss for /'), `ConnectionLoss; screen:\n${pane()}`);
    expect(pane().split('\n').filter((l) => l.includes('does not answer'))).toHaveLength(1);
  });
});

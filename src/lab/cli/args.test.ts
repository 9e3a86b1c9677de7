import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, partitionGroups, UsageError, zxidArg, type Command } from './args';

const env = { ZK_LAB_DIR: '/labs' };
const cmd = (...argv: string[]): Command => parseArgs(argv, env).command;
/** The sentence a bad command line gets (and that it is a UsageError: exit status 2). */
function refusal(...argv: string[]): string {
  try {
    parseArgs(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const text = (e as Error).message;
    // One sentence on one line, saying what to do.
    expect(text).not.toContain('\n');
    expect(text).toMatch(/[.]$/);
    return text;
  }
  throw new Error(`zk-lab ${argv.join(' ')} was accepted`);
}

describe('zk-lab arguments: the lab folder and global options', () => {
  it('defaults to $ZK_LAB_DIR/default, and --dir names another lab by its folder', () => {
    expect(parseArgs(['status'], env)).toMatchObject({ dir: '/labs/default', name: 'default', root: '/labs', dirGiven: false, json: false });
    expect(parseArgs(['--dir', '/tmp/x/demo', 'status', '--json'], env)).toMatchObject({ dir: '/tmp/x/demo', name: 'demo', root: '/tmp/x', dirGiven: true, json: true });
    expect(parseArgs(['status', '--dir=rel/lab1'], env).dir).toBe(join(resolve('rel'), 'lab1'));
  });

  it('refuses a folder name the backend would refuse, and --dir without a path', () => {
    expect(refusal('--dir', '/tmp/bad name', 'status')).toContain('plain name');
    expect(refusal('--dir', '/', 'status')).toContain('plain name');
    expect(refusal('status', '--dir')).toContain('--dir needs a path');
  });

  it('gives help for the whole tool and per command', () => {
    expect(cmd('--help')).toEqual({ name: 'help', topic: null });
    expect(cmd('help')).toEqual({ name: 'help', topic: null });
    expect(cmd('help', 'fault')).toEqual({ name: 'help', topic: 'fault' });
    expect(cmd('fault', 'isolate', '--help')).toEqual({ name: 'help', topic: 'fault' });
    expect(cmd('-h', 'wire')).toEqual({ name: 'help', topic: 'wire' });
    expect(refusal('help', 'frobnicate')).toBe('There is no command "frobnicate": zk-lab --help lists the commands.');
  });

  it('refuses no command, an unknown command, and options a command does not take', () => {
    expect(refusal()).toContain('Give a command');
    expect(refusal('start')).toBe('There is no command "start": zk-lab --help lists the commands.');
    expect(refusal('status', '--verbose')).toBe('zk-lab status has no option --verbose: see zk-lab help status.');
    expect(refusal('launch', '-n', '3')).toContain('zk-lab launch has no option -n (it takes --nodes, --observers, --engine, --read-only, --reconfig)');
    expect(refusal('status', 'now')).toContain('takes no arguments');
    expect(refusal('destroy', 'everything')).toContain('takes no arguments');
  });
});

describe('zk-lab launch', () => {
  it('takes a member console command: a four-letter word, else an AdminServer command, --admin for the AdminServer one of a name both have', () => {
    expect(cmd('console', '2', 'srvr')).toEqual({ name: 'console', myid: 2, kind: '4lw', command: 'srvr' });
    expect(cmd('console', '2', 'zabstate')).toEqual({ name: 'console', myid: 2, kind: 'admin', command: 'zabstate' });
    expect(cmd('console', '1', 'ruok')).toEqual({ name: 'console', myid: 1, kind: '4lw', command: 'ruok' });
    expect(cmd('console', '1', 'ruok', '--admin')).toEqual({ name: 'console', myid: 1, kind: 'admin', command: 'ruok' });
    expect(refusal('console', '1')).toMatch(/Say which member and which command/);
    expect(refusal('console', 'x', 'srvr')).toMatch(/not a member's myid/);
    expect(refusal('console', '1', 'stmk')).toMatch(/neither a four-letter word nor an AdminServer command/);
    expect(refusal('console', '1', 'mntr', '--admin')).toMatch(/not an AdminServer command the console sends/);
    expect(refusal('console', '1', 'srvr', 'mntr')).toMatch(/one member and one command/);
  });

  it('takes the size, observers and engine, with defaults', () => {
    expect(cmd('launch')).toEqual({ name: 'launch', size: 3, observers: 0, engine: 'ours', readOnly: false, reconfig: false });
    expect(cmd('launch', '--nodes', '5', '--observers=2', '--engine', 'mixed')).toEqual({ name: 'launch', size: 5, observers: 2, engine: 'mixed', readOnly: false, reconfig: false });
    expect(cmd('launch', '--nodes=1', '--engine=apache')).toEqual({ name: 'launch', size: 1, observers: 0, engine: 'apache', readOnly: false, reconfig: false });
    // Even sizes too, for the majority lesson (four members tolerate no more failures than three).
    expect(cmd('launch', '--nodes', '4')).toEqual({ name: 'launch', size: 4, observers: 0, engine: 'ours', readOnly: false, reconfig: false });
    expect(cmd('launch', '--nodes', '2', '--observers', '1')).toEqual({ name: 'launch', size: 2, observers: 1, engine: 'ours', readOnly: false, reconfig: false });
    expect(cmd('launch', '--read-only', '--engine', 'apache')).toEqual({ name: 'launch', size: 3, observers: 0, engine: 'apache', readOnly: true, reconfig: false });
  });

  it('refuses sizes, observers and engines the lab does not have', () => {
    expect(refusal('launch', '--nodes', '8')).toBe('--nodes takes 1 to 7 voting members (odd sizes recommended), not "8".');
    expect(refusal('launch', '--nodes', '0')).toContain('--nodes takes 1 to 7');
    expect(refusal('launch', '--nodes', '4.5')).toContain('--nodes takes 1 to 7');
    expect(refusal('launch', '--observers', '3')).toBe('--observers takes 0, 1 or 2, not "3".');
    expect(refusal('launch', '--nodes', '1', '--observers', '1')).toContain('Observers need an ensemble');
    expect(refusal('launch', '--engine', 'java')).toBe('--engine takes ours, apache or mixed, not "java".');
    expect(refusal('launch', '--nodes')).toContain('--nodes needs a value');
    expect(refusal('launch', '--nodes', '3', '--nodes', '5')).toBe('--nodes is given twice.');
  });
});

describe('zk-lab node', () => {
  it('takes an action and a myid', () => {
    expect(cmd('node', 'kill', '2')).toEqual({ name: 'node', action: 'kill', myid: 2 });
    expect(cmd('node', 'resume', '255')).toEqual({ name: 'node', action: 'resume', myid: 255 });
    expect(cmd('node', 'start', 'all')).toEqual({ name: 'node', action: 'start', myid: 'all' });
  });

  it('refuses unknown actions, bad myids and extra members', () => {
    expect(refusal('node', 'explode', '2')).toContain('There is no node action "explode": use one of kill, stop, start, restart, pause, resume');
    expect(refusal('node', 'kill')).toBe('Say which member to kill: zk-lab node kill <myid>.');
    expect(refusal('node')).toContain('Say what to do to which member');
    for (const bad of ['0', '256', 'two', '1.5', '-1', '']) expect(refusal('node', 'kill', bad)).toBe(`"${bad}" is not a member's myid: give a whole number from 1 to 255.`);
    expect(refusal('node', 'kill', '1', '2')).toBe('zk-lab node kill takes one member, not "1 2".');
    expect(refusal('node', 'kill', 'all')).toContain('Only start takes "all"');
  });
});

describe('zk-lab fault: each kind maps onto the contract\'s FaultSpec', () => {
  const spec = (...argv: string[]): unknown => {
    const c = cmd('fault', ...argv);
    expect(c.name).toBe('fault');
    return (c as Extract<Command, { name: 'fault' }>).spec;
  };

  it('partition, quoted with | or as one argument per group', () => {
    expect(spec('partition', '1,2|3,4,5')).toEqual({ kind: 'partition', groups: [[1, 2], [3, 4, 5]] });
    expect(spec('partition', '1,2', '3,4,5')).toEqual({ kind: 'partition', groups: [[1, 2], [3, 4, 5]] });
    expect(spec('partition', '3')).toEqual({ kind: 'partition', groups: [[3]] });
    expect(partitionGroups([' 1, 2 | 3 '])).toEqual([[1, 2], [3]]);
    expect(refusal('fault', 'partition', '1,2|2,3')).toBe('Member 2 is in two groups of the partition; put each member in one group.');
    expect(refusal('fault', 'partition', '1,2||3')).toContain('groups of myids separated by |');
    expect(refusal('fault', 'partition', '1,,2|3')).toContain('without gaps');
    expect(refusal('fault', 'partition')).toContain("zk-lab fault partition '1,2|3,4,5'");
  });

  it('the one-member faults: isolate, bridge, client-cut, kill, stop, pause, slow-apply', () => {
    for (const kind of ['isolate', 'bridge', 'client-cut', 'kill', 'stop', 'pause']) expect(spec(kind, '3')).toEqual({ kind, myid: 3 });
    expect(spec('slow-apply', '2')).toEqual({ kind: 'slow-apply', myid: 2, ms: 2000 });
    expect(spec('slow-apply', '2', '500')).toEqual({ kind: 'slow-apply', myid: 2, ms: 500 });
    expect(refusal('fault', 'isolate')).toBe('Usage: zk-lab fault isolate <myid>.');
    expect(refusal('fault', 'isolate', '1', '2')).toBe('Usage: zk-lab fault isolate <myid>.');
    expect(refusal('fault', 'isolate', 'x')).toBe('"x" is not a member\'s myid: give a whole number from 1 to 255.');
  });

  it('oneway and slow links', () => {
    expect(spec('oneway', '1', '2')).toEqual({ kind: 'oneway', from: 1, to: 2 });
    expect(refusal('fault', 'oneway', '2', '2')).toBe('A one-way cut is between two different members.');
    expect(spec('slow', '1', '2', '200')).toEqual({ kind: 'slow', a: 1, b: 2, ms: 200, jitterMs: 0 });
    expect(spec('slow', '1', 'all', '200', '--jitter', '50')).toEqual({ kind: 'slow', a: 1, b: null, ms: 200, jitterMs: 50 });
    expect(spec('slow', '1', '2', '200', '--jitter=0')).toEqual({ kind: 'slow', a: 1, b: 2, ms: 200, jitterMs: 0 });
    expect(refusal('fault', 'slow', '1', '2', '0')).toBe('The latency is a whole number of milliseconds from 1 to 60000, not "0".');
    expect(refusal('fault', 'slow', '1', '2', '60001')).toContain('from 1 to 60000');
    expect(refusal('fault', 'slow', '1', '2', '100', '--jitter', 'lots')).toContain('The jitter is a whole number of milliseconds from 0 to 60000');
    expect(refusal('fault', 'slow', '1', '1', '100')).toContain('between two different members');
    expect(refusal('fault', 'slow', '1', '100')).toBe('Usage: zk-lab fault slow <a> <b|all> <ms> [--jitter <ms>].');
    expect(refusal('fault', 'oneway', '1', '2', '--jitter', '5')).toBe('zk-lab fault oneway has no option --jitter: see zk-lab help fault.');
  });

  it('hold by message type, from and to members', () => {
    expect(spec('hold', 'COMMIT')).toEqual({ kind: 'hold', type: 'COMMIT', from: null, to: null });
    expect(spec('hold', 'proposal', '--from', '3', '--to', '1,2')).toEqual({ kind: 'hold', type: 'PROPOSAL', from: 3, to: [1, 2] });
    expect(spec('hold', 'NOTIFICATION', '--to=4')).toEqual({ kind: 'hold', type: 'NOTIFICATION', from: null, to: [4] });
    expect(refusal('fault', 'hold', 'COMMITS')).toMatch(/^There is no message type "COMMITS" to hold: use one of PROPOSAL, ACK, COMMIT, /);
    expect(refusal('fault', 'hold')).toContain('Usage: zk-lab fault hold <TYPE>');
    expect(refusal('fault', 'hold', 'ACK', '--to', '1,1')).toBe('--to names member 1 twice.');
    expect(refusal('fault', 'hold', 'ACK', '--to', '1,')).toContain('without gaps');
  });

  it('disk faults', () => {
    expect(spec('disk', '2', 'stall', '500')).toEqual({ kind: 'disk', myid: 2, mode: 'stall', ms: 500 });
    expect(spec('disk', '2', 'full')).toEqual({ kind: 'disk', myid: 2, mode: 'full', ms: null });
    expect(refusal('fault', 'disk', '2', 'stall')).toContain('zk-lab fault disk <myid> stall <ms>');
    expect(refusal('fault', 'disk', '2', 'full', '5')).toContain('zk-lab fault disk <myid> full');
    expect(refusal('fault', 'disk', '2', 'melt')).toContain('Usage: zk-lab fault disk');
    expect(refusal('fault', 'disk', '2', 'stall', '200000')).toContain('from 1 to 120000');
  });

  it('list, heal and release, with or without a fault id', () => {
    expect(cmd('fault', 'list')).toEqual({ name: 'fault.list' });
    expect(cmd('fault', 'heal')).toEqual({ name: 'fault.heal', id: null });
    expect(cmd('fault', 'heal', 'f3')).toEqual({ name: 'fault.heal', id: 'f3' });
    expect(cmd('fault', 'release')).toEqual({ name: 'fault.release', id: null });
    expect(cmd('fault', 'release', 'f1')).toEqual({ name: 'fault.release', id: 'f1' });
    expect(refusal('fault', 'heal', 'f1', 'f2')).toContain('zk-lab fault heal [<id>]');
    expect(refusal('fault', 'heal', 'f 1')).toContain('is not a fault id');
    expect(refusal('fault', 'list', 'all')).toContain('Usage: zk-lab fault list');
  });

  it('refuses a fault kind that does not exist', () => {
    expect(refusal('fault')).toContain('Say which fault');
    expect(refusal('fault', 'flood', '1')).toMatch(/^There is no fault "flood": use one of partition, isolate, bridge, oneway, slow, hold, release, client-cut, disk, /);
  });
});

describe('zk-lab wire', () => {
  it('builds the capture query', () => {
    expect(cmd('wire')).toEqual({ name: 'wire', follow: false, query: { afterSeq: 0, fromMs: null, toMs: null, types: null, members: null, zxid: null, limit: 2000 } });
    expect(cmd('wire', '--follow', '--type', 'proposal,ACK', '--member=1,3', '--zxid', '0x100000003', '--limit', '50')).toEqual({
      name: 'wire',
      follow: true,
      query: { afterSeq: 0, fromMs: null, toMs: null, types: ['PROPOSAL', 'ACK'], members: [1, 3], zxid: '0x100000003', limit: 50 },
    });
    expect(cmd('wire', '--type', 'CONNECT,SNAPSHOT,FOLDED,PACKET42')).toMatchObject({ query: { types: ['CONNECT', 'SNAPSHOT', 'FOLDED', 'PACKET42'] } });
  });

  it('reads zxids as hex or epoch/counter', () => {
    expect(zxidArg('0x0000000100000003')).toBe('0x100000003');
    expect(zxidArg('0X1A')).toBe('0x1a');
    expect(zxidArg('1/3')).toBe('0x100000003');
    expect(() => zxidArg('100000003')).toThrow(UsageError);
    expect(() => zxidArg('0x10000000000000000')).toThrow(UsageError);
    expect(() => zxidArg('4294967296/0')).toThrow(UsageError);
  });

  it('refuses unknown types, members, limits and options', () => {
    expect(refusal('wire', '--type', 'PROPOSALS')).toMatch(/^There is no message type "PROPOSALS": use one of /);
    expect(refusal('wire', '--member', '0')).toBe('"0" is not a member\'s myid: give a whole number from 1 to 255.');
    expect(refusal('wire', '--limit', '0')).toBe('--limit takes a number of messages from 1 to 20000, not "0".');
    expect(refusal('wire', '--limit', '20001')).toContain('from 1 to 20000');
    expect(refusal('wire', '--zxid', 'abc')).toContain('--zxid takes a zxid as 0x<hex>');
    expect(refusal('wire', '--follow=yes')).toBe('--follow takes no value.');
    expect(refusal('wire', 'PROPOSAL')).toContain('zk-lab wire takes no arguments');
  });
});

describe('zk-lab walkthrough', () => {
  it('lists, and runs one by its id with or without --yes', () => {
    expect(cmd('walkthrough', 'list')).toEqual({ name: 'walkthrough.list' });
    expect(cmd('walkthrough', 'run', 'zxid')).toEqual({ name: 'walkthrough.run', id: 'zxid', yes: false });
    expect(cmd('walkthrough', 'run', 'election-from-empty', '--yes')).toEqual({ name: 'walkthrough.run', id: 'election-from-empty', yes: true });
    // --yes on a walkthrough that erases nothing is accepted.
    expect(cmd('walkthrough', '--yes', 'run', 'majority')).toEqual({ name: 'walkthrough.run', id: 'majority', yes: true });
  });

  it('refuses an unknown walkthrough, a missing id, extra words and an unknown subcommand', () => {
    expect(refusal('walkthrough', 'run', 'elections')).toContain('There is no walkthrough "elections"');
    expect(refusal('walkthrough', 'run')).toContain('Say which walkthrough');
    expect(refusal('walkthrough', 'run', 'zxid', 'majority')).toContain('takes one walkthrough');
    expect(refusal('walkthrough', 'start', 'zxid')).toContain('zk-lab walkthrough list, or zk-lab walkthrough run <id>');
    expect(refusal('walkthrough')).toContain('Usage: zk-lab walkthrough');
    expect(refusal('walkthrough', 'list', 'zxid')).toContain('takes no arguments');
    expect(refusal('walkthrough', 'list', '--yes')).toContain('--yes goes with');
  });
});

describe('zk-lab member and rolling-restart', () => {
  it('parses each membership change', () => {
    expect(cmd('member', 'add')).toEqual({ name: 'member', change: { kind: 'add', observer: false } });
    expect(cmd('member', 'add', '--observer', '--engine', 'apache')).toEqual({ name: 'member', change: { kind: 'add', observer: true, engine: 'apache' } });
    expect(cmd('member', 'remove', '2')).toEqual({ name: 'member', change: { kind: 'remove', myid: 2 } });
    expect(cmd('member', 'role', '4', 'observer')).toEqual({ name: 'member', change: { kind: 'role', myid: 4, role: 'observer' } });
    expect(cmd('member', 'ports', '3', '--client', '21810')).toEqual({ name: 'member', change: { kind: 'ports', myid: 3, clientPort: 21810, quorumPort: undefined, electionPort: undefined } });
    expect(cmd('rolling-restart')).toEqual({ name: 'member', change: { kind: 'rolling-restart' } });
    expect(cmd('launch', '--engine', 'apache', '--reconfig')).toMatchObject({ name: 'launch', engine: 'apache', reconfig: true });
  });

  it('refuses a change it cannot make, before anything is asked', () => {
    expect(refusal('member')).toContain('member add');
    expect(refusal('member', 'grow')).toContain('no member change "grow"');
    expect(refusal('member', 'add', '4')).toContain('takes no myid');
    expect(refusal('member', 'remove')).toContain('zk-lab member remove <myid>');
    expect(refusal('member', 'remove', '2', '--observer')).toContain('does not take --observer');
    expect(refusal('member', 'role', '2', 'leader')).toContain('participant (a voter) or observer');
    expect(refusal('member', 'ports', '2')).toContain('which ports');
    expect(refusal('member', 'ports', '2', '--client', '70000')).toContain('1 to 65535');
    expect(refusal('rolling-restart', '2')).toMatch(/./);
  });
});

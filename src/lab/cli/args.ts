// zk-lab's command line, parsed and checked before anything is contacted. Every mistake is a
// UsageError: one sentence saying what to do; nothing reaches the backend then.
import { basename, dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { MODELS, type Model } from '../../shared/check/check';
import { CheckFaults, CheckSettings, FaultSpec, HoldType, NodeAction, WalkthroughId, WireQuery, type LabSize, type MemberChange } from '../../shared/contract';
import { CONSOLE_COMMANDS, consoleCommand, type ConsoleKind } from '../../shared/console-commands';
import { labsRoot } from '../labdir';
import { COMMANDS, type CommandName } from './help';

export class UsageError extends Error {}

export type Engines = 'ours' | 'apache' | 'mixed';

export type Command =
  | { name: 'help'; topic: CommandName | null }
  | { name: 'launch'; size: LabSize; observers: number; engine: Engines; readOnly: boolean; reconfig: boolean }
  | { name: 'member'; change: MemberChange }
  | { name: 'open-datadir'; path: string; nodes: 1 | 3 | 5 | 7; readOnly: boolean }
  | { name: 'status' }
  | { name: 'node'; action: NodeAction; myid: number | 'all' }
  | { name: 'console'; myid: number; kind: ConsoleKind; command: string }
  | { name: 'fault'; spec: FaultSpec }
  | { name: 'fault.list' }
  | { name: 'fault.heal'; id: string | null }
  | { name: 'fault.release'; id: string | null }
  | { name: 'wire'; follow: boolean; query: WireQuery }
  | { name: 'walkthrough.list' }
  | { name: 'walkthrough.run'; id: WalkthroughId; yes: boolean }
  | { name: 'check.history'; file: string; model: Model; timeLimitMs: number }
  | { name: 'check.run'; settings: CheckSettings; model: Model; save: string | null }
  | { name: 'shutdown' }
  | { name: 'destroy' };

export interface Invocation {
  /** The lab's folder, absolute. */
  dir: string;
  /** Its last part: the lab's name (the backend's ZK_LAB_NAME). */
  name: string;
  /** Its parent: the labs root (the backend's ZK_LAB_DIR). */
  root: string;
  /** Whether --dir was given (else the default lab). */
  dirGiven: boolean;
  json: boolean;
  command: Command;
}

/** The lab names the backend accepts (src/web/main.ts). */
export const LAB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Message types the wire filter knows: ZAB's packets (Leader.java), FLE's, and the capture's own. */
export const WIRE_TYPES: readonly string[] = [...HoldType.options, 'COMMITANDACTIVATE', 'INFORMANDACTIVATE', 'CONNECT', 'SNAPSHOT', 'FOLDED'];

const FAULT_KINDS = ['partition', 'isolate', 'bridge', 'oneway', 'slow', 'hold', 'release', 'client-cut', 'disk', 'kill', 'stop', 'pause', 'slow-apply', 'list', 'heal'] as const;

/** Parses zk-lab's arguments (without `node` and the script); throws UsageError. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Invocation {
  let dirArg: string | null = null;
  let json = false;
  let help = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--dir' || a.startsWith('--dir=')) {
      const v = a === '--dir' ? argv[++i] : a.slice('--dir='.length);
      if (v === undefined || v === '') throw new UsageError('--dir needs a path: the lab\'s folder, e.g. --dir ~/labs/demo.');
      dirArg = v;
    } else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else rest.push(a);
  }
  const dir = dirArg === null ? join(resolve(env.ZK_LAB_DIR || labsRoot()), 'default') : resolve(dirArg);
  const name = basename(dir);
  if (!LAB_NAME.test(name)) {
    throw new UsageError(`The lab's folder must end in a plain name (letters, digits, . _ -, at most 64), not "${name}": give another --dir.`);
  }
  const word = rest[0];
  let command: Command;
  if (help) {
    command = { name: 'help', topic: word !== undefined && (COMMANDS as readonly string[]).includes(word) ? (word as CommandName) : null };
  } else if (word === undefined) {
    throw new UsageError('Give a command (launch, open-datadir, status, node, console, member, rolling-restart, fault, wire, walkthrough, check, shutdown or destroy); zk-lab --help lists them.');
  } else {
    command = parseCommand(word, rest.slice(1));
  }
  return { dir, name, root: dirname(dir), dirGiven: dirArg !== null, json, command };
}

function parseCommand(word: string, args: string[]): Command {
  switch (word) {
    case 'help': {
      const o = options('help', args, {});
      if (o.positionals.length > 1) throw new UsageError('zk-lab help takes one command at most, e.g. zk-lab help fault.');
      const topic = o.positionals[0];
      if (topic === undefined) return { name: 'help', topic: null };
      if (!(COMMANDS as readonly string[]).includes(topic)) throw new UsageError(`There is no command "${topic}": zk-lab --help lists the commands.`);
      return { name: 'help', topic: topic as CommandName };
    }
    case 'launch':
      return parseLaunch(args);
    case 'open-datadir':
      return parseOpenDataDir(args);
    case 'status':
    case 'shutdown':
    case 'destroy': {
      noPositionals(word, options(word, args, {}).positionals);
      return { name: word };
    }
    case 'node':
      return parseNode(args);
    case 'console':
      return parseConsole(args);
    case 'member':
      return parseMember(args);
    case 'rolling-restart':
      noPositionals(word, options(word, args, {}).positionals);
      return { name: 'member', change: { kind: 'rolling-restart' } };
    case 'fault':
      return parseFault(args);
    case 'wire':
      return parseWire(args);
    case 'walkthrough':
      return parseWalkthrough(args);
    case 'check':
      return parseCheck(args);
    default:
      throw new UsageError(`There is no command "${word}": zk-lab --help lists the commands.`);
  }
}

function parseLaunch(args: string[]): Command {
  const o = options('launch', args, { '--nodes': 'value', '--observers': 'value', '--engine': 'value', '--read-only': 'flag', '--reconfig': 'flag' });
  noPositionals('launch', o.positionals);
  const nodesText = o.values['--nodes'] ?? '3';
  if (!/^[1-7]$/.test(nodesText)) throw new UsageError(`--nodes takes 1 to 7 voting members (odd sizes recommended), not "${nodesText}".`);
  const size = Number(nodesText) as LabSize;
  const obsText = o.values['--observers'] ?? '0';
  if (!['0', '1', '2'].includes(obsText)) throw new UsageError(`--observers takes 0, 1 or 2, not "${obsText}".`);
  const observers = Number(obsText);
  if (observers > 0 && size === 1) throw new UsageError('Observers need an ensemble: use --nodes 2 or more with --observers.');
  const engine = o.values['--engine'] ?? 'ours';
  if (engine !== 'ours' && engine !== 'apache' && engine !== 'mixed') throw new UsageError(`--engine takes ours, apache or mixed, not "${engine}".`);
  return { name: 'launch', size, observers, engine, readOnly: o.flags.has('--read-only'), reconfig: o.flags.has('--reconfig') };
}

function parseOpenDataDir(args: string[]): Command {
  const o = options('open-datadir', args, { '--nodes': 'value', '--read-only': 'flag' });
  if (o.positionals.length !== 1) throw new UsageError('Give the dataDir to open, e.g. zk-lab open-datadir /var/lib/zookeeper (the folder that holds version-2).');
  const nodesText = o.values['--nodes'] ?? '1';
  if (!['1', '3', '5', '7'].includes(nodesText)) throw new UsageError(`--nodes takes 1, 3, 5 or 7 members, not "${nodesText}".`);
  const nodes = Number(nodesText) as 1 | 3 | 5 | 7;
  const readOnly = o.flags.has('--read-only');
  if (readOnly && nodes !== 1) throw new UsageError(`A dataDir opened --read-only gets one member: leave out --nodes ${nodes}, or --read-only.`);
  return { name: 'open-datadir', path: resolve(o.positionals[0]!), nodes, readOnly };
}

/** zk-lab member add [--observer] [--engine ours|apache] | remove <myid> | role <myid> participant|observer | ports <myid> [--client P] [--quorum P] [--election P]. */
function parseMember(args: string[]): Command {
  const o = options('member', args, { '--observer': 'flag', '--engine': 'value', '--client': 'value', '--quorum': 'value', '--election': 'value' });
  const [what, target, ...extra] = o.positionals;
  const port = (flag: string): number | undefined => {
    const v = o.values[flag];
    if (v === undefined) return undefined;
    if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new UsageError(`${flag} takes a port from 1 to 65535, not "${v}".`);
    return Number(v);
  };
  const only = (allowed: string[]): void => {
    const given = [...Object.keys(o.values), ...o.flags].filter((f) => !allowed.includes(f));
    if (given.length > 0) throw new UsageError(`zk-lab member ${what} does not take ${given.join(', ')}: zk-lab help member lists the options.`);
  };
  switch (what) {
    case 'add': {
      only(['--observer', '--engine']);
      if (target !== undefined) throw new UsageError('zk-lab member add takes no myid: the new member gets the next free one.');
      const engine = o.values['--engine'];
      if (engine !== undefined && engine !== 'ours' && engine !== 'apache') throw new UsageError(`--engine takes ours or apache, not "${engine}".`);
      return { name: 'member', change: { kind: 'add', observer: o.flags.has('--observer'), ...(engine ? { engine } : {}) } };
    }
    case 'remove':
    case 'role':
    case 'ports': {
      if (target === undefined) throw new UsageError(`Say which member: zk-lab member ${what} <myid>${what === 'role' ? ' participant|observer' : ''}.`);
      const id = myid(target);
      if (what === 'remove') {
        only([]);
        if (extra.length > 0) throw new UsageError(`zk-lab member remove takes one member, not "${[target, ...extra].join(' ')}".`);
        return { name: 'member', change: { kind: 'remove', myid: id } };
      }
      if (what === 'role') {
        only([]);
        const role = extra[0];
        if (extra.length !== 1 || (role !== 'participant' && role !== 'observer')) throw new UsageError(`Say the new role: zk-lab member role ${id} participant (a voter) or observer.`);
        return { name: 'member', change: { kind: 'role', myid: id, role } };
      }
      only(['--client', '--quorum', '--election']);
      if (extra.length > 0) throw new UsageError(`zk-lab member ports takes one member, not "${[target, ...extra].join(' ')}".`);
      const change = { kind: 'ports' as const, myid: id, clientPort: port('--client'), quorumPort: port('--quorum'), electionPort: port('--election') };
      if (change.clientPort === undefined && change.quorumPort === undefined && change.electionPort === undefined) throw new UsageError(`Say which ports to change: zk-lab member ports ${id} --client <port> --quorum <port> --election <port> (any of them).`);
      return { name: 'member', change };
    }
    case undefined:
      throw new UsageError('Say what to change: zk-lab member add [--observer], member remove <myid>, member role <myid> participant|observer, or member ports <myid> --client P.');
    default:
      throw new UsageError(`There is no member change "${what}": use add, remove, role or ports.`);
  }
}

function parseNode(args: string[]): Command {
  const o = options('node', args, {});
  const [action, target, ...extra] = o.positionals;
  const actions = NodeAction.options as readonly string[];
  if (action === undefined) throw new UsageError(`Say what to do to which member, e.g. zk-lab node kill 2 (actions: ${actions.join(', ')}).`);
  if (!actions.includes(action)) throw new UsageError(`There is no node action "${action}": use one of ${actions.join(', ')}.`);
  if (target === undefined) throw new UsageError(`Say which member to ${action}: zk-lab node ${action} <myid>.`);
  if (extra.length > 0) throw new UsageError(`zk-lab node ${action} takes one member, not "${[target, ...extra].join(' ')}".`);
  if (target === 'all') {
    if (action !== 'start') throw new UsageError(`Only start takes "all" (zk-lab node start all); ${action} one member at a time.`);
    return { name: 'node', action: 'start', myid: 'all' };
  }
  return { name: 'node', action: action as NodeAction, myid: myid(target) };
}

/**
 * zk-lab console <myid> <command> [--admin]: a four-letter word, or an AdminServer command; a
 * name that is both (ruok) is the four-letter word unless --admin. Only the console's commands
 * (src/shared/console-commands.ts) are sent.
 */
function parseConsole(args: string[]): Command {
  const o = options('console', args, { '--admin': 'flag' });
  const [target, command, ...extra] = o.positionals;
  const names = (kind: ConsoleKind): string => CONSOLE_COMMANDS.filter((c) => c.kind === kind).map((c) => c.name).join(', ');
  if (target === undefined || command === undefined) throw new UsageError('Say which member and which command, e.g. zk-lab console 2 srvr (zk-lab help console lists the commands).');
  if (extra.length > 0) throw new UsageError(`zk-lab console takes one member and one command, not "${o.positionals.join(' ')}".`);
  const id = myid(target);
  if (o.flags.has('--admin')) {
    if (!consoleCommand('admin', command)) throw new UsageError(`"${command}" is not an AdminServer command the console sends: use one of ${names('admin')}.`);
    return { name: 'console', myid: id, kind: 'admin', command };
  }
  if (consoleCommand('4lw', command)) return { name: 'console', myid: id, kind: '4lw', command };
  if (consoleCommand('admin', command)) return { name: 'console', myid: id, kind: 'admin', command };
  throw new UsageError(`"${command}" is neither a four-letter word nor an AdminServer command the console sends: four-letter words ${names('4lw')}; AdminServer commands ${names('admin')}.`);
}

function parseFault(args: string[]): Command {
  const kind = args[0];
  if (kind === undefined) throw new UsageError('Say which fault, e.g. zk-lab fault isolate 3; zk-lab help fault lists them.');
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`There is no fault "${kind}": use one of ${FAULT_KINDS.join(', ')}.`);
  const o = options(`fault ${kind}`, args.slice(1), kind === 'slow' ? { '--jitter': 'value' } : kind === 'hold' ? { '--from': 'value', '--to': 'value' } : {});
  const p = o.positionals;
  const want = (n: number, shape: string): void => {
    if (p.length !== n) throw new UsageError(`Usage: zk-lab fault ${kind} ${shape}.`);
  };
  let spec: unknown;
  switch (kind) {
    case 'list':
      want(0, '(no arguments)');
      return { name: 'fault.list' };
    case 'heal':
    case 'release': {
      if (p.length > 1) throw new UsageError(`Usage: zk-lab fault ${kind} [<id>] (the ids are in zk-lab fault list).`);
      const id = p[0] ?? null;
      if (id !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new UsageError(`"${id}" is not a fault id (f1, f2, ...): zk-lab fault list shows them.`);
      return { name: kind === 'heal' ? 'fault.heal' : 'fault.release', id };
    }
    case 'partition':
      if (p.length === 0) throw new UsageError("Usage: zk-lab fault partition '1,2|3,4,5' (groups of myids separated by |, quoted).");
      spec = { kind, groups: partitionGroups(p) };
      break;
    case 'isolate':
    case 'bridge':
    case 'client-cut':
    case 'kill':
    case 'stop':
    case 'pause':
      want(1, '<myid>');
      spec = { kind, myid: myid(p[0]!) };
      break;
    case 'slow-apply':
      if (p.length < 1 || p.length > 2) throw new UsageError('Usage: zk-lab fault slow-apply <myid> [<ms>].');
      spec = { kind, myid: myid(p[0]!), ...(p[1] === undefined ? {} : { ms: ms(p[1], 'the apply delay', 60_000) }) };
      break;
    case 'oneway': {
      want(2, '<from> <to>');
      const from = myid(p[0]!);
      const to = myid(p[1]!);
      if (from === to) throw new UsageError('A one-way cut is between two different members.');
      spec = { kind, from, to };
      break;
    }
    case 'slow': {
      want(3, '<a> <b|all> <ms> [--jitter <ms>]');
      const a = myid(p[0]!);
      const b = p[1] === 'all' ? null : myid(p[1]!);
      if (a === b) throw new UsageError('A slow link is between two different members (or all of one member\'s links: zk-lab fault slow <a> all <ms>).');
      const jitter = o.values['--jitter'];
      spec = { kind, a, b, ms: ms(p[2]!, 'the latency', 60_000), jitterMs: jitter === undefined ? 0 : ms(jitter, 'the jitter', 60_000, true) };
      break;
    }
    case 'hold': {
      want(1, '<TYPE> [--from <myid>] [--to <myid,...>]');
      const type = p[0]!.toUpperCase();
      if (!(HoldType.options as readonly string[]).includes(type)) {
        throw new UsageError(`There is no message type "${p[0]}" to hold: use one of ${HoldType.options.join(', ')}.`);
      }
      const from = o.values['--from'];
      const to = o.values['--to'];
      spec = { kind, type, from: from === undefined ? null : myid(from), to: to === undefined ? null : myidList(to, '--to') };
      break;
    }
    case 'disk': {
      const usage = 'Usage: zk-lab fault disk <myid> stall <ms>, or zk-lab fault disk <myid> full.';
      if (p.length < 2) throw new UsageError(usage);
      const id = myid(p[0]!);
      if (p[1] === 'stall' && p.length === 3) spec = { kind, myid: id, mode: 'stall', ms: ms(p[2]!, 'the stall', 120_000) };
      else if (p[1] === 'full' && p.length === 2) spec = { kind, myid: id, mode: 'full', ms: null };
      else throw new UsageError(usage);
      break;
    }
  }
  return { name: 'fault', spec: contractCheck(FaultSpec, spec) };
}

function parseWire(args: string[]): Command {
  const o = options('wire', args, { '--follow': 'flag', '--type': 'value', '--member': 'value', '--zxid': 'value', '--limit': 'value' });
  noPositionals('wire', o.positionals);
  let types: string[] | null = null;
  if (o.values['--type'] !== undefined) {
    types = list(o.values['--type'], '--type').map((t) => t.toUpperCase());
    for (const t of types) if (!WIRE_TYPES.includes(t) && !/^PACKET\d{1,3}$/.test(t)) throw new UsageError(`There is no message type "${t}": use one of ${WIRE_TYPES.join(', ')}.`);
  }
  const members = o.values['--member'] === undefined ? null : myidList(o.values['--member'], '--member');
  let zxid: string | null = null;
  if (o.values['--zxid'] !== undefined) zxid = zxidArg(o.values['--zxid']);
  let limit = 2000;
  if (o.values['--limit'] !== undefined) {
    const l = o.values['--limit'];
    if (!/^\d+$/.test(l) || Number(l) < 1 || Number(l) > 20_000) throw new UsageError(`--limit takes a number of messages from 1 to 20000, not "${l}".`);
    limit = Number(l);
  }
  const query = contractCheck(WireQuery, { afterSeq: 0, fromMs: null, toMs: null, types, members, zxid, limit });
  return { name: 'wire', follow: o.flags.has('--follow'), query };
}

function parseWalkthrough(args: string[]): Command {
  const o = options('walkthrough', args, { '--yes': 'flag' });
  const [sub, id, ...extra] = o.positionals;
  const ids = WalkthroughId.options as readonly string[];
  if (sub === 'list') {
    noPositionals('walkthrough list', [id, ...extra].filter((x): x is string => x !== undefined));
    if (o.flags.has('--yes')) throw new UsageError('--yes goes with zk-lab walkthrough run <id>, not with list.');
    return { name: 'walkthrough.list' };
  }
  if (sub !== 'run') throw new UsageError(`Usage: zk-lab walkthrough list, or zk-lab walkthrough run <id> [--yes]${sub === undefined ? '' : ` (not "${sub}")`}.`);
  if (id === undefined) throw new UsageError(`Say which walkthrough to run: zk-lab walkthrough run <id> (ids: ${ids.join(', ')}).`);
  if (!ids.includes(id)) throw new UsageError(`There is no walkthrough "${id}": zk-lab walkthrough list shows them (ids: ${ids.join(', ')}).`);
  if (extra.length > 0) throw new UsageError(`zk-lab walkthrough run takes one walkthrough, not "${[id, ...extra].join(' ')}".`);
  return { name: 'walkthrough.run', id: id as WalkthroughId, yes: o.flags.has('--yes') };
}

function parseCheck(args: string[]): Command {
  const what = args[0];
  if (what === 'run') return parseCheckRun(args.slice(1));
  if (what !== 'history') throw new UsageError(`Say what to check: zk-lab check run [--clients N --keys K --seconds S --faults F], or zk-lab check history <file> [--model ${MODELS.join('|')}].`);
  const o = options('check history', args.slice(1), { '--model': 'value', '--time-limit': 'value' });
  if (o.positionals.length !== 1) throw new UsageError(`zk-lab check history takes one history file (one JSON operation per line), e.g. zk-lab check history run.jsonl.`);
  return { name: 'check.history', file: resolve(o.positionals[0]!), model: modelArg(o.values['--model']), timeLimitMs: timeLimit(o.values['--time-limit']) };
}

function modelArg(text: string | undefined): Model {
  const model = text ?? 'zookeeper';
  if (!(MODELS as readonly string[]).includes(model)) throw new UsageError(`--model takes ${MODELS.join(' or ')}, not "${model}".`);
  return model as Model;
}

function timeLimit(text: string | undefined): number {
  const limit = text ?? '10';
  if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 3600) throw new UsageError(`--time-limit takes whole seconds from 1 to 3600, not "${limit}".`);
  return Number(limit) * 1000;
}

/** A whole number for a flag, or the default when the flag is not given. */
function whole(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,6}$/.test(text)) throw new UsageError(`${flag} takes a whole number, not "${text}".`);
  return Number(text);
}

function parseCheckRun(args: string[]): Command {
  const o = options('check run', args, {
    '--workload': 'value',
    '--clients': 'value',
    '--keys': 'value',
    '--seconds': 'value',
    '--faults': 'value',
    '--reads': 'value',
    '--writes': 'value',
    '--syncs': 'value',
    '--rate': 'value',
    '--model': 'value',
    '--time-limit': 'value',
    '--save': 'value',
  });
  noPositionals('check run', o.positionals);
  const workload = o.values['--workload'] ?? 'register';
  if (workload !== 'register') throw new UsageError(`--workload takes register (reads, writes and cas on a few znodes), not "${workload}".`);
  const faults = o.values['--faults'] ?? 'none';
  if (!(CheckFaults.options as readonly string[]).includes(faults)) throw new UsageError(`--faults takes ${CheckFaults.options.join(', ')}, not "${faults}".`);
  const limitMs = timeLimit(o.values['--time-limit']);
  if (limitMs > 300_000) throw new UsageError(`--time-limit of a run is at most 300 s, not ${limitMs / 1000}.`);
  const settings = contractCheck(CheckSettings, {
    clients: whole(o.values['--clients'], '--clients', 5),
    keys: whole(o.values['--keys'], '--keys', 2),
    seconds: whole(o.values['--seconds'], '--seconds', 10),
    faults,
    rate: whole(o.values['--rate'], '--rate', 0),
    readPercent: whole(o.values['--reads'], '--reads', 50),
    writePercent: whole(o.values['--writes'], '--writes', 30),
    syncPercent: whole(o.values['--syncs'], '--syncs', 10),
    timeLimitS: limitMs / 1000,
  });
  const save = o.values['--save'];
  return { name: 'check.run', settings, model: modelArg(o.values['--model']), save: save === undefined ? null : resolve(save) };
}

/** A zxid as 0x<hex> (at most 64 bits), or <epoch>/<counter>; sent as lower-case hex without leading zeros. */
export function zxidArg(text: string): string {
  let v: bigint;
  const split = /^(\d+)\/(\d+)$/.exec(text);
  if (/^0[xX][0-9a-fA-F]{1,16}$/.test(text)) v = BigInt(`0x${text.slice(2)}`);
  else if (split && BigInt(split[1]!) < 1n << 32n && BigInt(split[2]!) < 1n << 32n) v = (BigInt(split[1]!) << 32n) | BigInt(split[2]!);
  else throw new UsageError(`--zxid takes a zxid as 0x<hex> (e.g. 0x100000003) or <epoch>/<counter> (e.g. 1/3), not "${text}".`);
  return `0x${v.toString(16)}`;
}

/** A member's myid: a whole number from 1 to 255. */
export function myid(text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > 255) throw new UsageError(`"${text}" is not a member's myid: give a whole number from 1 to 255.`);
  return Number(text);
}

function myidList(text: string, flag: string): number[] {
  const ids = list(text, flag).map(myid);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) throw new UsageError(`${flag} names member ${dup} twice.`);
  return ids;
}

function list(text: string, flag: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag} takes a comma-separated list without gaps, not "${text}".`);
  return items;
}

/** `1,2|3,4,5` (or each group as its own argument) as groups of myids, each member in one group. */
export function partitionGroups(args: readonly string[]): number[][] {
  const text = args.join('|');
  const groups = text.split('|').map((g) => g.trim());
  if (groups.some((g) => g === '')) throw new UsageError(`A partition is groups of myids separated by |, such as '1,2|3,4,5', not "${text}".`);
  const seen = new Set<number>();
  return groups.map((g) =>
    list(g, 'A partition group').map((s) => {
      const id = myid(s);
      if (seen.has(id)) throw new UsageError(`Member ${id} is in two groups of the partition; put each member in one group.`);
      seen.add(id);
      return id;
    }),
  );
}

function ms(text: string, what: string, max: number, zeroOk = false): number {
  const min = zeroOk ? 0 : 1;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${what[0]!.toUpperCase()}${what.slice(1)} is a whole number of milliseconds from ${min} to ${max}, not "${text}".`);
  }
  return Number(text);
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`zk-lab ${command} takes no arguments, not "${positionals.join(' ')}": see zk-lab help ${command}.`);
}

interface Options {
  positionals: string[];
  values: Record<string, string | undefined>;
  flags: Set<string>;
}

/** Splits a command's arguments into positionals, --opt value / --opt=value, and --flag. */
function options(command: string, args: readonly string[], known: Record<string, 'value' | 'flag'>): Options {
  const out: Options = { positionals: [], values: {}, flags: new Set() };
  const top = command.split(' ')[0]!;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const kind = known[name];
    if (kind === undefined) {
      const hint = Object.keys(known);
      throw new UsageError(`zk-lab ${command} has no option ${name}${hint.length ? ` (it takes ${hint.join(', ')})` : ''}: see zk-lab help ${top}.`);
    }
    if (kind === 'flag') {
      if (eq >= 0) throw new UsageError(`${name} takes no value.`);
      out.flags.add(name);
      continue;
    }
    const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (v === undefined || v === '') throw new UsageError(`${name} needs a value: see zk-lab help ${top}.`);
    if (out.values[name] !== undefined) throw new UsageError(`${name} is given twice.`);
    out.values[name] = v;
  }
  return out;
}

/** Checks a value against the contract's schema, turning its first complaint into a sentence. */
function contractCheck<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const text = issue.message;
  throw new UsageError(`${text[0]!.toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`);
}

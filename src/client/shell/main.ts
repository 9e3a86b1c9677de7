// bin/zk-cli [-server host:port[,host:port...]] [command args]: a zkCli.sh-compatible shell,
// interactive (history, tab completion of commands and znode paths, Ctrl-C cancels the line)
// or one-shot. Output and error texts follow zkCli.sh 3.8.
import { createInterface, type Interface } from 'node:readline';
import { CreateMode, Err, EventType, OpCode, Perms } from '../../protocol/codes';
import { pathError } from '../../protocol/paths';
import * as R from '../../protocol/records';
import type { ACL, Stat } from '../../protocol/records';
import { WireSession, ZkError } from './wire';

const EVENT_NAME: Record<number, string> = {
  [EventType.None]: 'None',
  [EventType.NodeCreated]: 'NodeCreated',
  [EventType.NodeDeleted]: 'NodeDeleted',
  [EventType.NodeDataChanged]: 'NodeDataChanged',
  [EventType.NodeChildrenChanged]: 'NodeChildrenChanged',
};

const COMMANDS: Record<string, string> = {
  ls: 'ls [-s] [-w] [-R] path',
  create: 'create [-s] [-e] [-c] [-t ttl] path [data] [acl]',
  get: 'get [-s] [-w] path',
  set: 'set [-s] [-v version] path data',
  stat: 'stat [-w] path',
  delete: 'delete [-v version] path',
  deleteall: 'deleteall path [-b batch size]',
  getAcl: 'getAcl [-s] path',
  setAcl: 'setAcl [-s] [-v version] [-R] path acl',
  addauth: 'addauth scheme auth',
  whoami: 'whoami',
  sync: 'sync path',
  getEphemerals: 'getEphemerals path',
  getAllChildrenNumber: 'getAllChildrenNumber path',
  config: 'config [-c] [-w] [-s]',
  history: 'history',
  redo: 'redo cmdno',
  close: 'close',
  connect: 'connect host:port',
  quit: 'quit',
};

/** java.util.Date.toString() in this machine's zone: "Wed Nov 25 07:35:37 UTC 2026". */
function javaDate(ms: bigint): string {
  const d = new Date(Number(ms));
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone === 'GMT' ? 'UTC' : zone} ${d.getFullYear()}`;
}

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

export function formatStat(s: Stat): string {
  return [
    `cZxid = ${hex(s.czxid)}`,
    `ctime = ${javaDate(s.ctime)}`,
    `mZxid = ${hex(s.mzxid)}`,
    `mtime = ${javaDate(s.mtime)}`,
    `pZxid = ${hex(s.pzxid)}`,
    `cversion = ${s.cversion}`,
    `dataVersion = ${s.version}`,
    `aclVersion = ${s.aversion}`,
    `ephemeralOwner = ${hex(s.ephemeralOwner)}`,
    `dataLength = ${s.dataLength}`,
    `numChildren = ${s.numChildren}`,
  ].join('\n');
}

function permString(p: number): string {
  return `${p & Perms.CREATE ? 'c' : ''}${p & Perms.DELETE ? 'd' : ''}${p & Perms.READ ? 'r' : ''}${p & Perms.WRITE ? 'w' : ''}${p & Perms.ADMIN ? 'a' : ''}`;
}

function parsePerms(s: string): number {
  let p = 0;
  for (const c of s) {
    if (c === 'r') p |= Perms.READ;
    else if (c === 'w') p |= Perms.WRITE;
    else if (c === 'c') p |= Perms.CREATE;
    else if (c === 'd') p |= Perms.DELETE;
    else if (c === 'a') p |= Perms.ADMIN;
    else throw new CliError(`Illegal permission character: ${c}`);
  }
  return p;
}

/** scheme:id:perms[,scheme:id:perms] (the id may contain ':', as digest ids do). */
function parseAcl(s: string): ACL[] {
  return s.split(',').map((part) => {
    const first = part.indexOf(':');
    const last = part.lastIndexOf(':');
    if (first < 0 || first === last) throw new CliError(`${part} does not have the form scheme:id:perm`);
    return { perms: parsePerms(part.slice(last + 1)), id: { scheme: part.slice(0, first), id: part.slice(first + 1, last) } };
  });
}

class CliError extends Error {}

/** zkCli's sentence for a KeeperException (CliWrapperException.getMessage). */
export function errorText(e: ZkError): string {
  const p = e.path ?? '';
  switch (e.code) {
    case Err.NONODE:
      return `Node does not exist: ${p}`;
    case Err.NOCHILDRENFOREPHEMERALS:
      return `Ephemerals cannot have children: ${p}`;
    case Err.NODEEXISTS:
      return `Node already exists: ${p}`;
    case Err.NOTEMPTY:
      return `Node not empty: ${p}`;
    case Err.NOTREADONLY:
      return `Not a read-only call: ${p}`;
    case Err.INVALIDACL:
      return `Acl is not valid : ${p}`;
    case Err.NOAUTH:
      return `Insufficient permission : ${p}`;
    case Err.BADARGUMENTS:
      return `Argument error : ${p}`;
    case Err.BADVERSION:
      return `version No is not valid : ${p}`;
    default:
      return e.message;
  }
}

/** Splits a command line like zkCli: whitespace-separated, double quotes group words. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

function options(args: string[], flags: string, withValue: string): { opts: Record<string, string | true>; rest: string[] } {
  const opts: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-') && a.length === 2 && (flags.includes(a[1]!) || withValue.includes(a[1]!))) {
      if (withValue.includes(a[1]!)) opts[a[1]!] = args[++i] ?? '';
      else opts[a[1]!] = true;
    } else rest.push(a);
  }
  return { opts, rest };
}

export class Shell {
  readonly history: string[] = [];
  private watchesShown = true;

  constructor(
    readonly zk: WireSession,
    private readonly out: (s: string) => void,
    private readonly err: (s: string) => void,
  ) {
    zk.on('watch', (e: { type: number; state: number; path: string }) => {
      if (this.watchesShown) this.out(`\nWATCHER::\n\nWatchedEvent state:SyncConnected type:${EVENT_NAME[e.type] ?? e.type} path:${e.path}\n`);
    });
  }

  private need(path: string | undefined): string {
    if (path === undefined) throw new CliError('Path must not be null');
    const e = pathError(path);
    if (e) throw new CliError(e);
    return path;
  }

  private async children(path: string, watch: boolean): Promise<string[]> {
    const r = await this.zk.call(OpCode.getChildren, path, { codec: R.PathWatchRequest, value: { path, watch } });
    return R.GetChildrenResponse.read(r).children;
  }

  private async stat(path: string, watch = false): Promise<Stat> {
    const r = await this.zk.call(OpCode.exists, path, { codec: R.PathWatchRequest, value: { path, watch } });
    return R.StatResponse.read(r).stat;
  }

  /** Runs one command line; returns false when the shell should end. */
  async run(line: string): Promise<boolean> {
    const args = splitArgs(line.trim());
    if (args.length === 0) return true;
    const [cmd, ...rest] = args as [string, ...string[]];
    if (cmd !== 'history' && !cmd.startsWith('redo')) this.history.push(line.trim());
    try {
      return await this.exec(cmd, rest);
    } catch (e) {
      if (e instanceof ZkError) this.err(errorText(e));
      else this.err((e as Error).message);
      return true;
    }
  }

  private async exec(cmd: string, a: string[]): Promise<boolean> {
    const zk = this.zk;
    switch (cmd) {
      case 'quit':
      case 'close':
        await zk.close();
        this.out('\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null');
        return false;
      case 'ls': {
        const { opts, rest } = options(a, 'swR', '');
        const path = this.need(rest[0]);
        if (opts.R) {
          const walk = async (p: string): Promise<void> => {
            this.out(p);
            for (const c of (await this.children(p, false)).sort()) await walk(p === '/' ? `/${c}` : `${p}/${c}`);
          };
          await walk(path);
          return true;
        }
        if (opts.s) {
          const r = await zk.call(OpCode.getChildren2, path, { codec: R.PathWatchRequest, value: { path, watch: !!opts.w } });
          const res = R.GetChildren2Response.read(r);
          this.out(`[${res.children.sort().join(', ')}]`);
          this.out(formatStat(res.stat));
        } else {
          this.out(`[${(await this.children(path, !!opts.w)).sort().join(', ')}]`);
        }
        return true;
      }
      case 'create': {
        const { opts, rest } = options(a, 'sec', 't');
        const path = rest[0];
        if (path === undefined) throw new CliError(COMMANDS.create!);
        const seq = !!opts.s;
        const e = pathError(path, seq);
        if (e) throw new CliError(e);
        const data = rest[1] === undefined ? null : Buffer.from(rest[1], 'utf8');
        const acl = rest[2] ? parseAcl(rest[2]) : [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
        let flags: number = opts.e ? (seq ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.EPHEMERAL) : seq ? CreateMode.PERSISTENT_SEQUENTIAL : CreateMode.PERSISTENT;
        let r;
        if (opts.c) {
          flags = CreateMode.CONTAINER;
          r = await zk.call(OpCode.createContainer, path, { codec: R.CreateRequest, value: { path, data, acl, flags } });
        } else if (opts.t !== undefined) {
          flags = seq ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL : CreateMode.PERSISTENT_WITH_TTL;
          r = await zk.call(OpCode.createTTL, path, { codec: R.CreateTTLRequest, value: { path, data, acl, flags, ttl: BigInt(String(opts.t)) } });
        } else {
          r = await zk.call(OpCode.create, path, { codec: R.CreateRequest, value: { path, data, acl, flags } });
        }
        this.out(`Created ${R.CreateResponse.read(r).path}`);
        return true;
      }
      case 'get': {
        const { opts, rest } = options(a, 'sw', '');
        const path = this.need(rest[0]);
        const r = await zk.call(OpCode.getData, path, { codec: R.PathWatchRequest, value: { path, watch: !!opts.w } });
        const res = R.GetDataResponse.read(r);
        this.out(res.data === null ? 'null' : res.data.toString('utf8'));
        if (opts.s) this.out(formatStat(res.stat));
        return true;
      }
      case 'set': {
        const { opts, rest } = options(a, 's', 'v');
        const path = this.need(rest[0]);
        const version = opts.v !== undefined ? Number(opts.v) : -1;
        const r = await zk.call(OpCode.setData, path, { codec: R.SetDataRequest, value: { path, data: Buffer.from(rest[1] ?? '', 'utf8'), version } });
        const stat = R.StatResponse.read(r).stat;
        if (opts.s) this.out(formatStat(stat));
        return true;
      }
      case 'stat': {
        const { opts, rest } = options(a, 'w', '');
        const path = this.need(rest[0]);
        this.out(formatStat(await this.stat(path, !!opts.w)));
        return true;
      }
      case 'delete': {
        const { opts, rest } = options(a, '', 'v');
        const path = this.need(rest[0]);
        await zk.call(OpCode.delete, path, { codec: R.DeleteRequest, value: { path, version: opts.v !== undefined ? Number(opts.v) : -1 } });
        return true;
      }
      case 'deleteall':
      case 'rmr': {
        const path = this.need(options(a, '', 'b').rest[0]);
        const order: string[] = [];
        const walk = async (p: string): Promise<void> => {
          order.push(p);
          for (const c of await this.children(p, false)) await walk(p === '/' ? `/${c}` : `${p}/${c}`);
        };
        await walk(path);
        // Deepest first, in multi batches (ZKUtil.deleteRecursive), so a batch is one txn.
        const batchSize = Number(options(a, '', 'b').opts.b ?? 1000) || 1000;
        const doomed = order.reverse();
        for (let i = 0; i < doomed.length; i += batchSize) {
          const batch = doomed.slice(i, i + batchSize);
          const r = await zk.call(OpCode.multi, path, {
            codec: {
              write: (w, ps: string[]) => {
                for (const p of ps) {
                  R.MultiHeader.write(w, { type: OpCode.delete, done: false, err: -1 });
                  R.DeleteRequest.write(w, { path: p, version: -1 });
                }
                R.MultiHeader.write(w, { type: -1, done: true, err: -1 });
              },
            },
            value: batch,
          });
          for (let k = 0; ; k++) {
            const h = R.MultiHeader.read(r);
            if (h.done) break;
            if (h.type === -1) {
              const code = R.ErrorResponse.read(r).err;
              if (code !== 0 && code !== Err.RUNTIMEINCONSISTENCY) throw new ZkError(code, batch[k]);
            }
          }
        }
        return true;
      }
      case 'getAcl': {
        const { opts, rest } = options(a, 's', '');
        const path = this.need(rest[0]);
        const r = await zk.call(OpCode.getACL, path, { codec: R.PathRequest, value: { path } });
        const res = R.GetACLResponse.read(r);
        for (const acl of res.acl) this.out(`'${acl.id.scheme},'${acl.id.id}\n: ${permString(acl.perms)}`);
        if (opts.s) this.out(formatStat(res.stat));
        return true;
      }
      case 'setAcl': {
        const { opts, rest } = options(a, 'sR', 'v');
        const path = this.need(rest[0]);
        if (rest[1] === undefined) throw new CliError(COMMANDS.setAcl!);
        const acl = parseAcl(rest[1]);
        const paths = [path];
        if (opts.R) {
          const walk = async (p: string): Promise<void> => {
            for (const c of await this.children(p, false)) {
              const cp = p === '/' ? `/${c}` : `${p}/${c}`;
              paths.push(cp);
              await walk(cp);
            }
          };
          await walk(path);
        }
        let stat: Stat | null = null;
        for (const p of paths) {
          const r = await zk.call(OpCode.setACL, p, { codec: R.SetACLRequest, value: { path: p, acl, version: opts.v !== undefined ? Number(opts.v) : -1 } });
          stat ??= R.StatResponse.read(r).stat;
        }
        if (opts.s && stat) this.out(formatStat(stat));
        return true;
      }
      case 'addauth': {
        if (a.length < 1) throw new CliError(COMMANDS.addauth!);
        await zk.addAuth(a[0]!, Buffer.from(a[1] ?? '', 'utf8'));
        return true;
      }
      case 'whoami': {
        const r = await zk.call(OpCode.whoAmI, undefined);
        this.out('Auth scheme: User');
        for (const c of R.WhoAmIResponse.read(r).clientInfo) this.out(`${c.authScheme}: ${c.user}`);
        return true;
      }
      case 'sync': {
        const path = this.need(a[0]);
        await zk.call(OpCode.sync, path, { codec: R.PathRequest, value: { path } });
        this.out('Sync is OK');
        return true;
      }
      case 'getEphemerals': {
        const r = await zk.call(OpCode.getEphemerals, a[0], { codec: R.GetEphemeralsRequest, value: { prefixPath: a[0] ?? '/' } });
        this.out(`[${R.GetEphemeralsResponse.read(r).ephemerals.join(', ')}]`);
        return true;
      }
      case 'getAllChildrenNumber': {
        const path = this.need(a[0]);
        const r = await zk.call(OpCode.getAllChildrenNumber, path, { codec: R.PathRequest, value: { path } });
        this.out(String(R.GetAllChildrenNumberResponse.read(r).totalNumber));
        return true;
      }
      case 'config': {
        const { opts } = options(a, 'cws', '');
        const path = '/zookeeper/config';
        const r = await zk.call(OpCode.getData, path, { codec: R.PathWatchRequest, value: { path, watch: !!opts.w } });
        const res = R.GetDataResponse.read(r);
        const text = res.data?.toString('utf8') ?? '';
        if (opts.c) this.out(text.split('\n').filter((l) => l.startsWith('server.')).map((l) => l.split(';')[1] ?? '').join(','));
        else this.out(text);
        if (opts.s) this.out(formatStat(res.stat));
        return true;
      }
      case 'history':
        this.history.forEach((h, i) => this.out(`${i} - ${h}`));
        return true;
      case 'redo': {
        const n = Number(a[0]);
        const h = this.history[n];
        if (h === undefined) throw new CliError('Command index out of range');
        return this.run(h);
      }
      case 'printwatches':
        if (a[0] === 'on') this.watchesShown = true;
        else if (a[0] === 'off') this.watchesShown = false;
        this.out(`printwatches is ${this.watchesShown ? 'on' : 'off'}`);
        return true;
      case 'help':
        this.out('ZooKeeper -server host:port -client-configuration properties-file cmd args');
        for (const u of Object.values(COMMANDS)) this.out(`\t${u}`);
        return true;
      default:
        this.out('ZooKeeper -server host:port -client-configuration properties-file cmd args');
        for (const u of Object.values(COMMANDS)) this.out(`\t${u}`);
        this.err(`Command not found: Command not found ${cmd}`);
        return true;
    }
  }

  /** Tab completion: commands first, then znode paths. */
  async complete(line: string): Promise<[string[], string]> {
    const words = line.split(/\s+/);
    if (words.length <= 1) {
      const hits = Object.keys(COMMANDS).filter((c) => c.startsWith(words[0] ?? ''));
      return [hits, words[0] ?? ''];
    }
    const word = words[words.length - 1]!;
    if (!word.startsWith('/')) return [[], word];
    const cut = word.lastIndexOf('/');
    const parent = cut === 0 ? '/' : word.slice(0, cut);
    try {
      const kids = (await this.children(parent, false)).sort();
      const prefix = word.slice(cut + 1);
      return [kids.filter((k) => k.startsWith(prefix)).map((k) => (parent === '/' ? `/${k}` : `${parent}/${k}`)), word];
    } catch {
      return [[], word];
    }
  }
}

async function main(argv: string[]): Promise<void> {
  let server = '127.0.0.1:2181';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-server') server = argv[++i] ?? server;
    else if (argv[i] === '-timeout') i++;
    else rest.push(argv[i]!);
  }
  const hosts = server.split(',').map((h) => h.replace(/\/.*$/, '')).filter(Boolean);
  const zk = new WireSession();
  const out = (s: string): void => void process.stdout.write(s + '\n');
  const err = (s: string): void => void process.stderr.write(s + '\n');
  out(`Connecting to ${server}`);
  try {
    await zk.open(hosts);
  } catch (e) {
    err(`Could not connect to ${server}: ${(e as Error).message}. Is a server listening there?`);
    process.exit(1);
  }
  const shell = new Shell(zk, out, err);
  if (rest.length > 0) {
    // One-shot: run the command given on the command line and exit.
    await shell.run(rest.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' '));
    await zk.close();
    process.exit(0);
  }
  out('Welcome to ZooKeeper!');
  out('\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null');
  const interactive = process.stdin.isTTY;
  let counter = 0;
  const prompt = (): string => `[zk: ${zk.server}(${zk.state}) ${counter}] `;
  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: interactive,
    historySize: 500,
    completer: (line: string, cb: (e: Error | null, r: [string[], string]) => void) => void shell.complete(line).then((r) => cb(null, r)),
  });
  zk.on('state', (s: string) => {
    if (s === 'Disconnected') out('\nWATCHER::\n\nWatchedEvent state:Disconnected type:None path:null');
  });
  rl.on('SIGINT', () => {
    // Ctrl-C cancels the line being typed, like zkCli with JLine.
    rl.write(null, { ctrl: true, name: 'u' });
    out('');
    rl.setPrompt(prompt());
    rl.prompt();
  });
  rl.setPrompt(prompt());
  if (interactive) rl.prompt();
  for await (const line of rl) {
    const keep = await shell.run(line);
    counter++;
    if (!keep) break;
    rl.setPrompt(prompt());
    if (interactive) rl.prompt();
  }
  rl.close();
  if (zk.state === 'CONNECTED') await zk.close();
  process.exit(0);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`zk-cli: ${e.message}\n`);
    process.exit(1);
  });
}

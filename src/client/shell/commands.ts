// zkCli.sh 3.8's commands that talk to ZooKeeper (org.apache.zookeeper.cli's CliCommand classes),
// each with its usage line, its options and what it prints; the Shell (shell.ts) parses a line and
// runs one with itself as `this`.
import { AddWatchMode, CreateMode, Err, OPEN_ACL_UNSAFE, WatcherType } from '../../protocol/codes';
import type { ACL } from '../../protocol/records';
import { parseAcl, permsToString } from '../acl';
import { ZkError } from '../errors';
import { Ops } from '../multi';
import { clientConfigString, formatId, formatStat } from './format';
import { CliError, type OptionSpec, type Parsed } from './options';
import { delQuota, listQuota, setQuota, StatsTrack, visitSubTree, QUOTA_ROOT, limitPath } from './quota';

import type { Shell, ShellIO } from './shell';

interface Command {
  /** The option part of the usage line ("[-s] [-w] path"). */
  usage: string;
  spec?: OptionSpec;
  run(this: Shell, p: Parsed, words: string[], io: ShellIO): Promise<void>;
}

const ADD_WATCH_USAGE = '[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE';
const RECONFIG_USAGE =
  '[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]';

function intArg(text: string | undefined, what: string): number {
  if (text === undefined || !/^[+-]?\d+$/.test(text) || Number(text) > 2147483647 || Number(text) < -2147483648) {
    throw new CliError(`${what} argument must be an int value`);
  }
  return Number(text);
}

/** zkCli's commands that talk to ZooKeeper (CommandFactory), by name. */
export const COMMANDS: Record<string, Command> = {
  ls: {
    usage: '[-s] [-w] [-R] path',
    spec: { flags: ['?', 's', 'w', 'R'] },
    async run(p, words, io) {
      p = this.deprecated(io, p, words, { flags: ['?', 's', 'w', 'R'] }, "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.", true);
      if (p.args.length < 2) throw new CliError(`ls ${COMMANDS.ls!.usage}`);
      const path = p.args[1]!;
      const zk = this.zk!;
      if (p.has('R')) {
        await visitSubTree(zk, path, p.has('w'), (child) => io.out(child));
        return;
      }
      if (p.has('s')) {
        const { children, stat } = await zk.getChildren2(path, p.has('w'));
        io.out(`[${children.sort().join(', ')}]`);
        for (const l of formatStat(stat)) io.out(l);
      } else {
        io.out(`[${(await zk.getChildren(path, p.has('w'))).sort().join(', ')}]`);
      }
    },
  },
  create: {
    usage: '[-s] [-e] [-c] [-t ttl] path [data] [acl]',
    spec: { flags: ['e', 's', 'c'], valued: ['t'] },
    async run(p, _words, io) {
      if (p.args.length < 2) throw new CliError(`create ${COMMANDS.create!.usage}`);
      const [e, s, c, t] = ['e', 's', 'c', 't'].map((o) => p.has(o));
      if (c && (e || s)) throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.');
      let ttl = 0n;
      if (t) {
        const v = p.value('t')!;
        if (!/^[+-]?\d+$/.test(v)) throw new CliError('-t argument must be a long value');
        ttl = BigInt(v);
      }
      if (t && e) throw new CliError('TTLs cannot be used with Ephemeral znodes');
      if (t && c) throw new CliError('TTLs cannot be used with Container znodes');
      let mode: number;
      if (e && s) mode = CreateMode.EPHEMERAL_SEQUENTIAL;
      else if (e) mode = CreateMode.EPHEMERAL;
      else if (s) mode = t ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL : CreateMode.PERSISTENT_SEQUENTIAL;
      else if (c) mode = CreateMode.CONTAINER;
      else mode = t ? CreateMode.PERSISTENT_WITH_TTL : CreateMode.PERSISTENT;
      if (t && (ttl <= 0n || ttl > 0xffffffffffn)) throw new CliError('ttl must be positive and cannot be larger than: 1099511627775');
      const path = p.args[1]!;
      const data = p.args.length > 2 ? p.args[2]! : null;
      const acl: ACL[] = p.args.length > 3 ? parseAcl(p.args[3]!, (m) => io.err(m)) : OPEN_ACL_UNSAFE;
      try {
        const created = await this.zk!.create(path, data, { mode, acl, ...(t ? { ttl } : {}) });
        io.err(`Created ${created}`);
      } catch (err) {
        if (err instanceof ZkError && err.code === Err.EPHEMERALONLOCALSESSION) io.err('Unable to create ephemeral node on a local session');
        else if (err instanceof ZkError && err.code === Err.INVALIDACL) io.err(err.message);
        throw err;
      }
    },
  },
  get: {
    usage: '[-s] [-w] path',
    spec: { flags: ['s', 'w'] },
    async run(p, words, io) {
      if (p.args.length < 2) throw new CliError(`get ${COMMANDS.get!.usage}`);
      p = this.deprecated(io, p, words, { flags: ['s', 'w'] }, "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.", true);
      const { data, stat } = await this.zk!.getData(p.args[1]!, p.has('w'));
      io.out(data === null ? 'null' : data.toString('utf8'));
      if (p.has('s')) for (const l of formatStat(stat)) io.out(l);
    },
  },
  set: {
    usage: '[-s] [-v version] path data',
    spec: { flags: ['s'], valued: ['v'] },
    async run(p, _words, io) {
      if (p.args.length < 3) throw new CliError(`set ${COMMANDS.set!.usage}`);
      const version = p.has('v') ? intArg(p.value('v'), '-v') : -1;
      const stat = await this.zk!.setData(p.args[1]!, p.args[2]!, version);
      if (p.has('s')) for (const l of formatStat(stat)) io.out(l);
    },
  },
  stat: {
    usage: '[-w] path',
    spec: { flags: ['w'] },
    async run(p, words, io) {
      if (p.args.length < 2) throw new CliError(`stat ${COMMANDS.stat!.usage}`);
      p = this.deprecated(io, p, words, { flags: ['w'] }, "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.", true);
      const path = p.args[1]!;
      const stat = await this.zk!.exists(path, p.has('w'));
      if (stat === null) throw new ZkError(Err.NONODE, path);
      for (const l of formatStat(stat)) io.out(l);
    },
  },
  delete: {
    usage: '[-v version] path',
    spec: { valued: ['v'] },
    async run(p, words, io) {
      if (p.args.length < 2) throw new CliError(`delete ${COMMANDS.delete!.usage}`);
      p = this.deprecated(io, p, words, { valued: ['v'] }, "'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.", false);
      const version = p.has('v') ? intArg(p.value('v'), '-v') : -1;
      await this.zk!.delete(p.args[1]!, version);
    },
  },
  deleteall: {
    usage: 'path [-b batch size]',
    spec: { valued: ['b'] },
    async run(p, _words, io) {
      if (p.args.length < 2) throw new CliError(`deleteall ${COMMANDS.deleteall!.usage}`);
      const batch = p.has('b') ? intArg(p.value('b'), '-b') : 1000;
      const root = p.args[1]!;
      const zk = this.zk!;
      // ZKUtil.deleteRecursive: list the subtree breadth-first, delete from the leaves in multis.
      await zk.exists(root); // validates the path the same way
      const tree = [root];
      for (let i = 0; i < tree.length; i++) {
        const node = tree[i]!;
        for (const c of await zk.getChildren(node)) tree.push(node === '/' ? `/${c}` : `${node}/${c}`);
      }
      let ok = true;
      for (let end = tree.length; end > 0 && ok; end -= batch) {
        const ops = tree.slice(Math.max(0, end - batch), end).reverse().map((n) => Ops.delete(n));
        ok = await zk.multi(ops).then(
          () => true,
          () => false,
        );
      }
      if (!ok) io.err('Failed to delete some node(s) in the subtree!');
    },
  },
  getAcl: {
    usage: '[-s] path',
    spec: { flags: ['s'] },
    async run(p, _words, io) {
      if (p.args.length < 2) throw new CliError(`getAcl ${COMMANDS.getAcl!.usage}`);
      const { acl, stat } = await this.zk!.getACL(p.args[1]!);
      for (const a of acl) io.out(`${formatId(a.id)}: ${permsToString(a.perms)}`);
      if (p.has('s')) for (const l of formatStat(stat)) io.out(l);
    },
  },
  setAcl: {
    usage: '[-s] [-v version] [-R] path acl',
    spec: { flags: ['s', 'R'], valued: ['v'] },
    async run(p, _words, io) {
      if (p.args.length < 3) throw new CliError(`setAcl ${COMMANDS.setAcl!.usage}`);
      const path = p.args[1]!;
      const acl = parseAcl(p.args[2]!, (m) => io.err(m));
      const version = p.has('v') ? intArg(p.value('v'), '-v') : -1;
      const zk = this.zk!;
      if (p.has('R')) {
        await visitSubTree(zk, path, false, async (node) => {
          try {
            await zk.setACL(node, acl, version);
          } catch (e) {
            // SetAclCommand prints these with print(), not println().
            if (e instanceof ZkError) io.write(e.message);
            else throw e;
          }
        });
        return;
      }
      const stat = await zk.setACL(path, acl, version);
      if (p.has('s')) for (const l of formatStat(stat)) io.out(l);
    },
  },
  addauth: {
    usage: 'scheme auth',
    async run(p, _words, io) {
      if (p.args.length < 2) throw new CliError(`addauth ${COMMANDS.addauth!.usage}`);
      // Like ZooKeeper.addAuthInfo: sent now, not waited for; a refusal shows as AuthFailed.
      this.zk!.addAuth(p.args[1]!, Buffer.from(p.args[2] ?? '', 'utf8')).catch(() => undefined);
    },
  },
  whoami: {
    usage: '',
    async run(_p, _words, io) {
      const infos = await this.zk!.whoAmI();
      io.out('Auth scheme: User');
      for (const c of infos) io.out(`${c.authScheme}: ${c.user}`);
    },
  },
  sync: {
    usage: 'path',
    async run(p, _words, io) {
      if (p.args.length < 2) throw new CliError(`sync ${COMMANDS.sync!.usage}`);
      try {
        await this.zk!.sync(p.args[1]!);
        io.out('Sync is OK');
      } catch (e) {
        if (!(e instanceof ZkError)) throw e;
        io.out(`Sync has failed. rc=${e.code}`);
      }
    },
  },
  getEphemerals: {
    usage: 'path',
    async run(p, _words, io) {
      const list = await this.zk!.getEphemerals(p.args[1] ?? '/');
      io.out(`[${list.join(', ')}]`);
    },
  },
  getAllChildrenNumber: {
    usage: 'path',
    async run(p, _words, io) {
      if (p.args.length < 2) throw new CliError(`getAllChildrenNumber ${COMMANDS.getAllChildrenNumber!.usage}`);
      io.out(String(await this.zk!.getAllChildrenNumber(p.args[1]!)));
    },
  },
  config: {
    usage: '[-c] [-w] [-s]',
    spec: { flags: ['s', 'w', 'c'] },
    async run(p, _words, io) {
      const { data, stat } = await this.zk!.getConfig(p.has('w'));
      const text = data === null ? 'null' : data.toString('utf8');
      io.out(p.has('c') ? clientConfigString(text) : text);
      if (p.has('s')) for (const l of formatStat(stat)) io.out(l);
    },
  },
  addWatch: {
    usage: ADD_WATCH_USAGE,
    spec: { valued: ['m'] },
    async run(p, _words, io) {
      if (p.args.length !== 2) throw new CliError(`addWatch ${ADD_WATCH_USAGE}`);
      let mode: number = AddWatchMode.PERSISTENT_RECURSIVE;
      if (p.has('m')) {
        const m = p.value('m')!.toUpperCase();
        if (m !== 'PERSISTENT' && m !== 'PERSISTENT_RECURSIVE') throw new CliError(`addWatch ${ADD_WATCH_USAGE}`);
        mode = AddWatchMode[m];
      }
      await this.zk!.addWatch(p.args[1]!, true, mode);
    },
  },
  removewatches: {
    usage: 'path [-c|-d|-a] [-l]',
    spec: { flags: ['c', 'd', 'a', 'l'] },
    async run(p, _words, io) {
      if (p.args.length < 2) throw new CliError(`removewatches ${COMMANDS.removewatches!.usage}`);
      let type: number = WatcherType.Any;
      if (p.has('c')) type = WatcherType.Children;
      else if (p.has('d')) type = WatcherType.Data;
      await this.zk!.removeWatches(p.args[1]!, type, undefined, p.has('l'));
    },
  },
  close: {
    usage: '',
    async run(_p, _words, io) {
      await this.zk!.close();
    },
  },
  version: {
    usage: '',
    async run(_p, _words, io) {
      io.out('ZooKeeper CLI version: 3.8.0 (ZooKeeper Lab zk-cli)');
    },
  },
  reconfig: {
    usage: RECONFIG_USAGE,
    spec: { flags: ['s'], valued: ['v', 'file', 'members', 'add', 'remove'] },
    async run(p, _words, io) {
      const has = (o: string) => p.has(o);
      if (!(has('file') || has('members')) && !has('add') && !has('remove')) throw new CliError(`reconfig ${RECONFIG_USAGE}`);
      let fromConfig = -1n;
      if (has('v')) {
        const v = p.value('v')!;
        if (!/^[0-9a-fA-F]+$/.test(v)) throw new CliError('-v must be followed by a long (configuration version)');
        fromConfig = BigInt('0x' + v);
      }
      if ((has('file') || has('members')) && (has('add') || has('remove'))) {
        throw new CliError('Can\'t use -file or -members together with -add or -remove (mixing incremental and non-incremental modes is not allowed)');
      }
      if (has('file') && has('members')) throw new CliError("Can't use -file and -members together (conflicting non-incremental modes)");
      let members = p.value('members')?.toLowerCase();
      if (has('file')) {
        const file = p.value('file')!;
        try {
          const { readFileSync } = await import('node:fs');
          members = readFileSync(file, 'utf8')
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l.startsWith('server.'))
            .join('\n');
        } catch (e) {
          throw new CliError(`Error processing ${file}${(e as Error).message}`);
        }
      }
      const { data, stat } = await this.zk!.reconfig({
        joining: p.value('add')?.toLowerCase(),
        leaving: p.value('remove')?.toLowerCase(),
        members,
        fromConfig,
      });
      io.out(`Committed new configuration:\n${data?.toString('utf8') ?? 'null'}`);
      if (has('s')) for (const l of formatStat(stat)) io.out(l);
    },
  },
  setquota: {
    usage: '-n|-b|-N|-B val path',
    spec: { valued: ['n', 'b', 'N', 'B'] },
    async run(p, _words, io) {
      const given = ['n', 'b', 'N', 'B'].filter((o) => p.has(o));
      if (given.length === 0) throw new CliError('org.apache.commons.cli.MissingOptionException: Missing required option: [-n num soft quota, -b bytes soft quota, -N num hard quota, -B bytes hard quota]');
      if (given.length > 1) throw new CliError(`org.apache.commons.cli.AlreadySelectedException: The option '${given[1]}' was specified but an option from this group has already been selected: '${given[0]}'`);
      if (p.args.length < 2) throw new CliError(`setquota ${COMMANDS.setquota!.usage}`);
      const path = p.args[1]!;
      if (path.startsWith(QUOTA_ROOT)) {
        io.err(`cannot set a quota under the path: ${QUOTA_ROOT}`);
        return;
      }
      const quota = new StatsTrack();
      for (const k of ['count', 'bytes', 'countHardLimit', 'byteHardLimit']) quota.set(k, -1n);
      const o = given[0]!;
      const v = p.value(o)!;
      if (!/^[+-]?\d+$/.test(v)) {
        io.err('NumberFormatException happens when parsing the option value');
        return;
      }
      const n = BigInt(v);
      const key = { n: 'count', b: 'bytes', N: 'countHardLimit', B: 'byteHardLimit' }[o]!;
      const isCount = o === 'n' || o === 'N';
      if (isCount ? n <= 0n : n < 0n) {
        io.err(isCount ? 'the num quota must be greater than zero' : 'the bytes quota must be greater than or equal to zero');
        return;
      }
      quota.set(key, n);
      await setQuota(this.zk!, path, quota, (l) => io.out(l));
    },
  },
  listquota: {
    usage: 'path',
    async run(p, _words, io) {
      if (p.args.length < 2) throw new CliError(`listquota ${COMMANDS.listquota!.usage}`);
      const path = p.args[1]!;
      io.err(`absolute path is ${limitPath(path)}`);
      try {
        const [limits, stats] = await listQuota(this.zk!, path);
        io.out(`Output quota for ${path} ${limits!.toString()}`);
        io.out(`Output stat for ${path} ${stats!.toString()}`);
      } catch (e) {
        if (e instanceof ZkError && e.code === Err.NONODE) io.err(`quota for ${path} does not exist.`);
        else throw e;
      }
    },
  },
  delquota: {
    usage: '[-n|-b|-N|-B] path',
    spec: { flags: ['n', 'b', 'N', 'B'] },
    async run(p, _words, io) {
      const given = ['n', 'b', 'N', 'B'].filter((o) => p.has(o));
      if (given.length > 1) throw new CliError(`org.apache.commons.cli.AlreadySelectedException: The option '${given[1]}' was specified but an option from this group has already been selected: '${given[0]}'`);
      if (p.args.length < 2) throw new CliError(`delquota ${COMMANDS.delquota!.usage}`);
      const path = p.args[1]!;
      let which: StatsTrack | null = null;
      if (given.length === 1) {
        which = new StatsTrack();
        which.set({ n: 'count', b: 'bytes', N: 'countHardLimit', B: 'byteHardLimit' }[given[0]!]!, 1n);
      }
      try {
        await delQuota(this.zk!, path, which, (l) => io.out(l));
      } catch (e) {
        if (e instanceof ZkError && e.code === Err.NONODE) io.err(`quota for ${path} does not exist.`);
        else throw e;
      }
    },
  },
};

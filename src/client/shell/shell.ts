// The zkCli.sh 3.8 command interpreter (ZooKeeperMain + org.apache.zookeeper.cli) on top of our
// client: the same commands, flags, output and error sentences, the same history and redo.
import { ZkClient, type ClientOptions } from '../client';
import type { ClientState } from '../cnxn';
import { IllegalArgumentError, ZkError } from '../errors';
import { formatWatchedEvent } from '../names';
import { COMMANDS } from './commands';
import { errorText } from './format';
import { CliError, parseOptions, splitLine, type OptionSpec, type Parsed } from './options';

/** Where the shell prints: stdout lines, stderr lines, and raw stdout text. */
export interface ShellIO {
  out(line: string): void;
  err(line: string): void;
  write(text: string): void;
}

export interface ShellOptions {
  /** Session timeout in ms (zkCli's -timeout, default 30000). */
  timeout?: number;
  /** Accept read-only servers (zkCli's -r). */
  readOnly?: boolean;
  /** Extra client options (tests pass faster reconnects). */
  client?: ClientOptions;
  /** What to call the server when it cannot be reached ("node 3" in the lab's terminals). */
  serverName?: string;
}

/** ZooKeeper.States names, as the prompt prints them. */
function javaState(s: ClientState | null): string {
  switch (s) {
    case 'connected':
      return 'CONNECTED';
    case 'readOnly':
      return 'CONNECTEDREADONLY';
    case 'connecting':
    case 'suspended':
      return 'CONNECTING';
    case 'authFailed':
      return 'AUTH_FAILED';
    case null:
      return 'NOT_CONNECTED';
    default:
      return 'CLOSED';
  }
}

/** Commands ZooKeeperMain handles itself, with their usage. */
const MAIN_COMMANDS: Record<string, string> = {
  connect: 'host:port',
  history: '',
  redo: 'cmdno',
  printwatches: 'on|off',
  quit: '',
};

/** Every command name, sorted as zkCli's usage prints them (for completion too). */
export const COMMAND_NAMES = [...Object.keys(COMMANDS), ...Object.keys(MAIN_COMMANDS)].sort();

export class Shell {
  zk: ZkClient | null = null;
  host = '';
  readonly history = new Map<number, string>();
  commandCount = 0;
  printWatches = true;
  exitCode = 0;
  /** Set by quit: the caller should end the process with exitCode. */
  quitRequested = false;
  private currentRun: object | null = null;
  private failedAttempts = 0;
  private attemptWaiters: (() => void)[] = [];

  constructor(
    readonly io: ShellIO,
    private readonly opts: ShellOptions = {},
  ) {}

  /** "[zk: host(CONNECTED) 3] " */
  prompt(): string {
    return `[zk: ${this.host}(${javaState(this.zk?.state ?? null)}) ${this.commandCount}] `;
  }

  /** Opens a session to `host` (closing a live one first), like ZooKeeperMain.connectToZK. */
  async connect(host: string): Promise<void> {
    if (this.zk && this.alive()) await this.zk.close();
    this.host = host;
    const zk = new ZkClient(host, { sessionTimeout: this.opts.timeout ?? 30_000, canBeReadOnly: this.opts.readOnly ?? false, ...this.opts.client });
    this.zk = zk;
    // zkCli.sh says nothing while a server refuses it (its WARN goes to the log); a person at a
    // prompt that only says CONNECTING cannot tell a down server from a slow one: say it once
    // per stretch without a connection.
    let said = false;
    zk.on('connectFailed', (where, reason) => {
      this.failedAttempts++;
      for (const w of this.attemptWaiters.splice(0)) w();
      if (said || this.zk !== zk) return;
      said = true;
      const who = this.opts.serverName ? `${this.opts.serverName} (${where})` : where;
      this.io.err(`${who} does not answer (${reason}): is it down? Still trying; commands fail with ConnectionLoss until it answers.`);
    });
    zk.on('state', (s) => {
      if (s === 'connected' || s === 'readOnly') said = false;
    });
    zk.on('watchedEvent', (e) => {
      if (!this.printWatches) return;
      this.io.out('');
      this.io.out('WATCHER::');
      this.io.out('');
      this.io.out(formatWatchedEvent(e));
    });
  }

  /**
   * Waits until the current session is connected or one attempt to connect has failed (or
   * `timeoutMs` passes): a command typed then fails at the next failed attempt, as zkCli's does.
   */
  async waitConnectedOrRefused(timeoutMs: number): Promise<boolean> {
    if (this.failedAttempts > 0) return false;
    const refused = new Promise<false>((r) => this.attemptWaiters.push(() => r(false)));
    return Promise.race([this.waitConnected(timeoutMs), refused]);
  }

  /** Waits until the current session is connected or has failed (or `timeoutMs` passes). */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    try {
      await this.zk?.waitConnected(timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  private alive(): boolean {
    const s = this.zk?.state;
    return s !== undefined && s !== 'closed' && s !== 'authFailed' && s !== 'expired';
  }

  /**
   * One line typed or piped in (ZooKeeperMain.executeLine). After `cancel()` the command may
   * still finish in the background, but nothing more of it is printed.
   */
  async executeLine(line: string): Promise<void> {
    if (line === '') return;
    const words = splitLine(line);
    if (words.length === 0) return;
    this.history.set(this.commandCount, line);
    const run = {};
    this.currentRun = run;
    const gate = () => this.currentRun === run;
    const io: ShellIO = {
      out: (l) => gate() && this.io.out(l),
      err: (l) => gate() && this.io.err(l),
      write: (t) => gate() && this.io.write(t),
    };
    try {
      await this.processCmd(words, io);
    } finally {
      if (this.currentRun === run) {
        this.currentRun = null;
        this.commandCount++;
      }
    }
  }

  /** Abandons the running command (Ctrl-C): its later output is dropped; the next command gets the next number. */
  cancel(): void {
    if (this.currentRun === null) return;
    this.currentRun = null;
    this.commandCount++;
  }

  /** Runs one command given as words; errors print to stderr and set exitCode. */
  async processCmd(words: string[], io: ShellIO = this.io): Promise<void> {
    try {
      await this.processZKCmd(words, io);
      this.exitCode = 0;
    } catch (e) {
      if (e instanceof CliError) {
        this.exitCode = e.exitCode;
        io.err(e.message);
      } else if (e instanceof ZkError || e instanceof IllegalArgumentError) {
        this.exitCode = 1;
        io.err(errorText(e));
      } else {
        throw e;
      }
    }
  }

  private usage(io: ShellIO): void {
    io.err('ZooKeeper -server host:port -client-configuration properties-file cmd args');
    for (const name of COMMAND_NAMES) io.err(`\t${name} ${COMMANDS[name]?.usage ?? MAIN_COMMANDS[name]}`);
  }

  private async processZKCmd(words: string[], io: ShellIO): Promise<void> {
    const cmd = words[0]!;
    if (!(cmd in COMMANDS) && !(cmd in MAIN_COMMANDS)) {
      this.usage(io);
      throw new CliError(`Command not found: Command not found ${cmd}`, 127);
    }
    if (cmd === 'quit') {
      await this.zk?.close();
      this.quitRequested = true;
      return;
    } else if (cmd === 'redo' && words.length >= 2) {
      const i = Number(words[1]);
      if (!Number.isInteger(i)) throw new CliError('redo argument must be an int value');
      if (this.commandCount <= i || i < 0) throw new CliError('Command index out of range');
      const again = this.history.get(i)!;
      const redoWords = splitLine(again);
      if (redoWords[0] === 'redo') throw new CliError('No redoing redos');
      this.history.set(this.commandCount, again);
            await this.processCmd(redoWords, io);
    } else if (cmd === 'history') {
      for (let i = this.commandCount - 10; i <= this.commandCount; ++i) {
        if (i < 0) continue;
        io.out(`${i} - ${this.history.get(i) ?? 'null'}`);
      }
    } else if (cmd === 'printwatches') {
      if (words.length === 1) io.out(`printwatches is ${this.printWatches ? 'on' : 'off'}`);
      else this.printWatches = words[1] === 'on';
    } else if (cmd === 'connect') {
      await this.connect(words.length >= 2 ? words[1]! : this.host);
    }
    if (!this.zk || !this.alive()) {
      io.out('Not connected');
      return;
    }
    const command = COMMANDS[cmd];
    if (!command) return;
    const parsed = parseOptions(words.slice(1), command.spec ?? {});
    parsed.args.unshift(cmd);
    await command.run.call(this, parsed, [...words], io);
  }

  /**
   * The pre-3.5 forms ("ls path watch", "delete path version"): zkCli warns, and for the
   * watch forms turns the third word into -w before parsing again.
   */
  deprecated(io: ShellIO, p: Parsed, words: string[], spec: OptionSpec, warning: string, watchForm: boolean): Parsed {
    if (p.args.length <= 2) return p;
    io.err(warning);
    if (watchForm) words[2] = '-w';
    const again = parseOptions(words.slice(1), spec);
    again.args.unshift(words[0]!);
    return again;
  }

  /** Tab completion: command names for the first word, znode paths for words starting with '/'. */
  async complete(line: string): Promise<[string[], string]> {
    const words = line.split(/\s+/);
    const word = words[words.length - 1] ?? '';
    if (words.length <= 1) return [COMMAND_NAMES.filter((c) => c.startsWith(word)), word];
    if (!word.startsWith('/') || !this.zk || (this.zk.state !== 'connected' && this.zk.state !== 'readOnly')) return [[], word];
    const cut = word.lastIndexOf('/');
    const parent = cut === 0 ? '/' : word.slice(0, cut);
    const prefix = word.slice(cut + 1);
    try {
      const kids = (await this.zk.getChildren(parent)).filter((k) => k.startsWith(prefix)).sort();
      return [kids.map((k) => (parent === '/' ? `/${k}` : `${parent}/${k}`)), word];
    } catch {
      return [[], word];
    }
  }
}

#!/usr/bin/env node
// bin/zk-cli [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [cmd args]
// A zkCli.sh-compatible shell on our client. Interactive on a terminal (prompt, history,
// tab completion of commands and znode paths, Ctrl-C leaves with status 130 as zkCli.sh does
// (the JVM dies on SIGINT), Ctrl-D quits), line by line when piped, one-shot with a command on
// the line. ZK_CLI_SERVER_NAME names the server in the line said when it does not answer.
import { createInterface } from 'node:readline';
import { Shell, type ShellIO } from './shell';

interface Args {
  server: string;
  timeout: number;
  readOnly: boolean;
  command: string[] | null;
}

/** ZooKeeperMain.MyCommandOptions.parseOptions: options, then the first bare word starts the command. */
function parseArgs(argv: string[]): Args | string {
  const a: Args = { server: 'localhost:2181', timeout: 30_000, readOnly: false, command: null };
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i]!;
    const value = (): string | null => (i + 1 < argv.length ? argv[++i]! : null);
    if (opt === '-server' || opt === '-timeout' || opt === '-client-configuration') {
      const v = value();
      if (v === null) return `Error: no argument found for option ${opt}`;
      if (opt === '-server') a.server = v;
      else if (opt === '-timeout') {
        if (!/^\d+$/.test(v)) return `Error: -timeout takes a number of milliseconds, got "${v}"`;
        a.timeout = Number(v);
      }
    } else if (opt === '-r') a.readOnly = true;
    else if (!opt.startsWith('-')) {
      a.command = argv.slice(i);
      break;
    }
  }
  return a;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(args + '\n');
    return 1;
  }
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  let redraw: (() => void) | null = null;
  const io: ShellIO = {
    out: (l) => {
      process.stdout.write(l + '\n');
      redraw?.();
    },
    err: (l) => {
      process.stderr.write(l + '\n');
      redraw?.();
    },
    write: (t) => void process.stdout.write(t),
  };
  const shell = new Shell(io, { timeout: args.timeout, readOnly: args.readOnly, client: { disconnectedRequestTimeoutMs: Math.min(args.timeout, 10_000) }, serverName: process.env.ZK_CLI_SERVER_NAME || undefined });
  io.out(`Connecting to ${args.server}`);
  try {
    await shell.connect(args.server);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }

  if (args.command) {
    // One-shot: the answer comes after the connection event, as a person would see it; a
    // server that refuses fails the command at the next attempt (ConnectionLoss), as zkCli's.
    await shell.waitConnectedOrRefused(Math.min(args.timeout, 10_000));
    await shell.processCmd(args.command);
    shell.printWatches = false;
    await shell.zk?.close();
    return shell.exitCode;
  }

  io.out('Welcome to ZooKeeper!');
  // Commands read before the session is up would only queue: wait for the first state event,
  // or the first refusal (said at once, see Shell.connect).
  await shell.waitConnectedOrRefused(Math.min(args.timeout, 10_000));

  const rl = createInterface({
    input: process.stdin,
    output: tty ? process.stdout : undefined,
    terminal: tty,
    historySize: 1000,
    removeHistoryDuplicates: true,
    completer: tty
      ? (line: string, cb: (err: Error | null, r: [string[], string]) => void) =>
          void shell.complete(line).then(
            (r) => cb(null, r),
            () => cb(null, [[], line]),
          )
      : undefined,
  });
  const queue: string[] = [];
  let running = false;
  let atPrompt = false;
  let ended = false;
  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => (finish = r));

  const showPrompt = (): void => {
    if (!tty) return;
    rl.setPrompt(shell.prompt());
    rl.prompt();
    atPrompt = true;
  };
  if (tty) {
    // Output that arrives while the user is typing (watch events) is printed above the prompt.
    let pending = false;
    redraw = () => {
      if (!atPrompt || pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        if (atPrompt) {
          rl.setPrompt(shell.prompt());
          rl.prompt(true);
        }
      });
    };
  }

  const end = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    // zkCli exits at end of input without closing; we close so ephemerals go at once.
    shell.printWatches = false;
    await shell.zk?.close();
    rl.close();
    finish(shell.exitCode);
  };

  const pump = async (): Promise<void> => {
    if (running) return;
    running = true;
    atPrompt = false;
    while (queue.length > 0) {
      await shell.executeLine(queue.shift()!);
      if (shell.quitRequested) {
        running = false;
        ended = true;
        rl.close();
        finish(shell.exitCode);
        return;
      }
    }
    running = false;
    if (inputClosed) await end();
    else showPrompt();
  };

  let inputClosed = false;
  rl.on('line', (line) => {
    queue.push(line);
    void pump();
  });
  rl.on('SIGINT', () => {
    // zkCli.sh has no handler: the JVM ends at once with 130 (128 + SIGINT), the typed line and
    // a running command with it, and its session is left to expire; the terminal shows ^C.
    process.stdout.write('^C');
    process.exit(130);
  });
  rl.on('close', () => {
    inputClosed = true;
    if (tty && !ended) process.stdout.write('\n');
    if (!running) void end();
  });
  showPrompt();
  return done;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`zk-cli: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}

// Command lines as zkCli reads them: words split like ZooKeeperMain.MyCommandOptions (quotes
// group words and are removed), options like commons-cli's DefaultParser (options anywhere,
// "-sw" bundles, "-t10" attached values, negative numbers are arguments).

const ARGS = /\s*([^"']\S*|"[^"]*"|'[^']*')\s*/g;
const QUOTED = /^(['"])(.*)\1$/s;

/** Splits a line into words; a word in matching quotes loses them. */
export function splitLine(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(ARGS)) {
    let v = m[1]!;
    const q = QUOTED.exec(v);
    if (q) v = q[2]!;
    out.push(v);
  }
  return out;
}

/** A command-line problem; `message` is what zkCli prints. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface OptionSpec {
  /** Single-letter (or word, for reconfig) option names that take no value. */
  flags?: string[];
  /** Option names that take a value. */
  valued?: string[];
}

export interface Parsed {
  /** The command and its non-option arguments (args[0] is the command). */
  args: string[];
  has(name: string): boolean;
  value(name: string): string | undefined;
}

/** Parses words after the command with commons-cli's rules; errors read like commons-cli's. */
export function parseOptions(words: string[], spec: OptionSpec): Parsed {
  const flags = new Set(spec.flags ?? []);
  const valued = new Set(spec.valued ?? []);
  const found = new Map<string, string | true>();
  const args: string[] = [];
  const unrecognized = (t: string) => new CliError(`org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: ${t}`);
  const missing = (o: string) => new CliError(`org.apache.commons.cli.MissingArgumentException: Missing argument for option: ${o}`);
  for (let i = 0; i < words.length; i++) {
    const t = words[i]!;
    if (!t.startsWith('-') || t === '-' || /^-\d/.test(t)) {
      args.push(t);
      continue;
    }
    const name = t.slice(1);
    if (flags.has(name)) {
      found.set(name, true);
    } else if (valued.has(name)) {
      const v = words[i + 1];
      if (v === undefined) throw missing(name);
      found.set(name, v);
      i++;
    } else if (valued.has(name[0]!)) {
      found.set(name[0]!, name.slice(1));
    } else if ([...name].every((c) => flags.has(c))) {
      for (const c of name) found.set(c, true);
    } else {
      throw unrecognized(t);
    }
  }
  return {
    args,
    has: (n) => found.has(n),
    value: (n) => {
      const v = found.get(n);
      return typeof v === 'string' ? v : undefined;
    },
  };
}

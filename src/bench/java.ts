// The independent load generators (bench/java/*.java on Apache ZooKeeper's Java client):
// compiled once per bench run into a temp dir, run with Debian's jars.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(__dirname, '..', '..');
const JARS = ['zookeeper.jar', 'zookeeper-jute.jar', 'slf4j-api.jar'].map((j) => join('/usr/share/java', j));

/** Compiles bench/java into a temp dir; returns the class dir. */
export function compileLoadGenerators(): string {
  const out = mkdtempSync(join(tmpdir(), 'zkbench-java-'));
  const src = join(ROOT, 'bench', 'java');
  const files = readdirSync(src).filter((f) => f.endsWith('.java')).map((f) => join(src, f));
  try {
    execFileSync('javac', ['-nowarn', '-d', out, '-cp', JARS.slice(0, 2).join(':'), ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`javac could not compile bench/java (is default-jdk-headless installed?): ${err.stderr?.toString() ?? err.message}`);
  }
  return out;
}

/** The result line of LoadGen. */
export interface LoadResult {
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface JavaRun {
  child: ChildProcess;
  /** Every stdout line, as it comes. */
  lines: AsyncIterableIterator<string>;
}

/** Starts `java <main> args` with the ZooKeeper client on the classpath. */
export function startJava(classDir: string, main: string, args: (string | number)[], onStderrLine?: (line: string) => void): JavaRun {
  const child = spawn('java', ['-Xmx512m', '-cp', [classDir, ...JARS].join(':'), main, ...args.map(String)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => {
    if (stderr.length < 200) stderr.push(l);
    onStderrLine?.(l);
  });
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) (child as ChildProcess & { stderrText?: string }).stderrText = stderr.join('\n');
  });
  (child as ChildProcess & { stderrLines?: string[] }).stderrLines = stderr;
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

/** Runs a Java program to its end and parses its last JSON line. */
export async function runJavaJson<T>(classDir: string, main: string, args: (string | number)[], onStderrLine?: (line: string) => void): Promise<T> {
  const run = startJava(classDir, main, args, onStderrLine);
  let last: string | null = null;
  for await (const l of run.lines) if (l.startsWith('{')) last = l;
  const code = run.child.exitCode ?? (await new Promise<number | null>((r) => run.child.once('exit', (c) => r(c))));
  if (last === null || code !== 0) {
    const err = (run.child as ChildProcess & { stderrLines?: string[] }).stderrLines ?? [];
    throw new Error(`${main} ${args.join(' ')} failed (exit ${code}):\n${err.filter((l) => !l.startsWith('SLF4J')).slice(-20).join('\n')}`);
  }
  return JSON.parse(last) as T;
}

// The lab backend (node dist/web/main.js) as a real process for tests, spoken to over its
// token-protected WebSocket with the contract of src/shared, as the UI does.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import type { LabView, Push, Request } from '../../src/shared/contract';

export const ROOT = resolve(__dirname, '..', '..');
export const BACKEND = join(ROOT, 'dist', 'web', 'main.js');

export interface Backend {
  process: ChildProcess;
  url: string;
  /** The latest state push. */
  state: LabView | null;
  call<T = unknown>(request: Request): Promise<T>;
  /** Resolves when a state push satisfies `pred`. */
  until(pred: (lab: LabView | null) => boolean, timeoutMs: number, what: string): Promise<LabView | null>;
  close(): void;
}

/** Starts the backend with ZK_LAB_DIR=`labDir` and connects to it. */
export async function startBackend(labDir: string): Promise<Backend> {
  const child = spawn(process.execPath, [BACKEND], { env: { ...process.env, ZK_LAB_DIR: labDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /ZooKeeper Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m) res(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (c) => rej(new Error(`the lab backend exited with ${c}:\n${out}`)));
  });
  return connectBackend(url, child);
}

/** Connects to a running backend at its tokened address (`child`: the process behind it, as the test knows it). */
export async function connectBackend(url: string, child: ChildProcess): Promise<Backend> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: u.origin });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const waiters = new Set<() => void>();
  let nextId = 1;
  const b: Backend = {
    process: child,
    url,
    state: null,
    call<T>(request: Request): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolvePromise, reject) => {
        pending.set(id, { resolve: resolvePromise as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id, request }));
      });
    },
    until(pred, timeoutMs, what) {
      return new Promise((resolvePromise, reject) => {
        const check = (): void => {
          if (!pred(b.state)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolvePromise(b.state);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last state: ${JSON.stringify(b.state?.nodes.map((n) => [n.myid, n.role, n.epoch, n.lastZxid]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      ws.terminate();
    },
  };
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw));
    if ('kind' in msg) {
      const p = msg as Push;
      if (p.kind === 'state') {
        b.state = p.lab;
        for (const w of [...waiters]) w();
      }
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  return b;
}

/** Whether a process with this pid exists (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Ends a process the test started and waits for it. */
export async function stopProcess(child: ChildProcess, sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(sig);
  await gone;
}

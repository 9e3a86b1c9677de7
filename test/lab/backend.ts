// The lab backend (node dist/web/main.js) as a real process for tests, spoken to over its
// token-protected WebSocket with the contract of src/shared, as the UI does.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import type { RequestIn, Result } from '../../src/shared/api';
import type { LabView } from '../../src/shared/contract';
import { RpcCalls } from '../../src/shared/rpc';

export const ROOT = resolve(__dirname, '..', '..');
export const BACKEND = join(ROOT, 'dist', 'web', 'main.js');

export interface Backend {
  process: ChildProcess;
  url: string;
  /** The latest state push. */
  state: LabView | null;
  call<R extends RequestIn>(request: R): Promise<Result<R['method']>>;
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
  const waiters = new Set<() => void>();
  const calls = new RpcCalls({
    ready: async () => {
      if (ws.readyState !== WebSocket.OPEN) throw new Error('the test is not connected to the lab backend');
    },
    send: (text) => ws.send(text),
    late: (method, ms) => `the lab backend did not answer ${method} within ${ms} ms`,
    check: true,
  });
  calls.onPush((p) => {
    if (p.kind !== 'state') return;
    b.state = p.lab;
    for (const w of [...waiters]) w();
  });
  const b: Backend = {
    process: child,
    url,
    state: null,
    call: (request) => calls.call(request),
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
  ws.on('message', (raw) => calls.receive(String(raw)));
  ws.on('close', () => calls.failAll((m) => new Error(`the lab backend closed the connection while answering ${m}`)));
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

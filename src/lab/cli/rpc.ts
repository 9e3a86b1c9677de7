// zk-lab's client of the lab backend: the app's contract (src/shared) over the backend's
// token-protected WebSocket. Requests are checked against the contract before they go, replies
// and pushes when they arrive; every call has a timeout, and a backend that goes away fails the
// calls under way with a sentence saying so.
import WebSocket from 'ws';
import { z } from 'zod';
import { LabView, Push, Request } from '../../shared/contract';

const Reply = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);

/** The request as the caller may write it (defaults filled in by the contract). */
export type RequestIn = z.input<typeof Request>;

export interface RpcOptions {
  /** Where the backend's log is, for the error sentences. */
  log: string;
  pid: number;
  /** Per call, unless the call says otherwise. */
  timeoutMs?: number;
}

export class RpcError extends Error {}

export interface Rpc {
  /** Sends a request and resolves with its result, checked with `schema`. */
  call<T>(request: RequestIn, schema: z.ZodType<T>, timeoutMs?: number): Promise<T>;
  onPush(listener: (p: Push) => void): () => void;
  /** The lab as the latest state push (or state reply) showed it; undefined before the first. */
  readonly state: LabView | null | undefined;
  /** Resolves with the lab once `pred` holds for a state push, or null after `ms`. */
  waitState(pred: (lab: LabView | null) => boolean, ms: number): Promise<LabView | null | undefined>;
  /** Resolves when the connection closes (the backend went away, or close() was called). */
  readonly closed: Promise<void>;
  close(): void;
}

/** The WebSocket address of a backend from the address it prints (http://127.0.0.1:<port>/?token=<token>). */
export function wsAddress(url: string): string {
  const u = new URL(url);
  return `ws://${u.host}/ws?token=${u.searchParams.get('token') ?? ''}`;
}

/** Connects to the backend at `url` (as its lock file says). */
export function connect(url: string, opts: RpcOptions): Promise<Rpc> {
  const ws = new WebSocket(wsAddress(url), { handshakeTimeout: 10_000 });
  const pending = new Map<number, { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const listeners = new Set<(p: Push) => void>();
  let state: LabView | null | undefined;
  let nextId = 1;
  let closedByUs = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const gone = (method: string): RpcError =>
    new RpcError(`The lab backend (pid ${opts.pid}) went away while answering ${method}; read ${opts.log}.`);

  const rpc: Rpc = {
    call<T>(request: RequestIn, schema: z.ZodType<T>, timeoutMs = opts.timeoutMs ?? 30_000): Promise<T> {
      const checked = Request.safeParse(request);
      if (!checked.success) return Promise.reject(new RpcError(`zk-lab built a request the contract refuses (${z.prettifyError(checked.error).replace(/\s+/g, ' ')}); this is a bug in zk-lab.`));
      const method = checked.data.method;
      if (ws.readyState !== WebSocket.OPEN) return Promise.reject(gone(method));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new RpcError(`The lab backend (pid ${opts.pid}) did not answer ${method} within ${Math.round(timeoutMs / 1000)} s; read ${opts.log}, or stop it with zk-lab shutdown.`));
        }, timeoutMs);
        pending.set(id, {
          method,
          timer,
          reject,
          resolve: (result) => {
            const r = schema.safeParse(result);
            if (r.success) {
              if (method === 'state') state = r.data as LabView | null;
              resolve(r.data);
            }
            else reject(new RpcError(`The lab backend answered ${method} with something this zk-lab does not understand (is it older than this checkout? run npm run build, then zk-lab shutdown and start the lab again).`));
          },
        });
        ws.send(JSON.stringify({ id, request: checked.data }));
      });
    },
    onPush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get state() {
      return state;
    },
    waitState(pred, ms) {
      return new Promise((resolve) => {
        if (state !== undefined && pred(state)) {
          resolve(state);
          return;
        }
        const timer = setTimeout(() => {
          off();
          resolve(null);
        }, ms);
        const off = rpc.onPush((p) => {
          if (p.kind === 'state' && pred(p.lab)) {
            clearTimeout(timer);
            off();
            resolve(p.lab);
          }
        });
        void closed.then(() => {
          clearTimeout(timer);
          off();
          resolve(null);
        });
      });
    },
    closed,
    close() {
      closedByUs = true;
      ws.close();
      // A close handshake with a backend that stopped answering must not keep this process up.
      setTimeout(() => ws.terminate(), 1000).unref();
    },
  };

  ws.on('message', (raw) => {
    let msg: unknown;
    try {
      msg = JSON.parse(String(raw));
    } catch {
      return;
    }
    if (typeof msg === 'object' && msg !== null && 'kind' in msg) {
      // A push this zk-lab does not know (a newer backend) is not an error.
      const p = Push.safeParse(msg);
      if (!p.success) return;
      if (p.data.kind === 'state') state = p.data.lab;
      for (const l of [...listeners]) l(p.data);
      return;
    }
    const r = Reply.safeParse(msg);
    if (!r.success) return;
    const call = pending.get(r.data.id);
    if (!call) return;
    pending.delete(r.data.id);
    clearTimeout(call.timer);
    if (r.data.ok) call.resolve(r.data.result);
    else call.reject(new RpcError(r.data.error));
  });
  ws.on('close', () => {
    for (const [id, call] of pending) {
      pending.delete(id);
      clearTimeout(call.timer);
      call.reject(gone(call.method));
    }
    resolveClosed();
  });

  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(rpc));
    ws.on('error', (e) => {
      if (ws.readyState !== WebSocket.OPEN && !closedByUs) {
        reject(new RpcError(`Could not reach the lab backend (pid ${opts.pid}) at ${new URL(url).host}: ${e.message}; read ${opts.log}.`));
      }
    });
  });
}

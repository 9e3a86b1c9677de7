// zk-lab's client of the lab backend: the app's contract (src/shared) over the backend's
// token-protected WebSocket. Requests are checked against the contract before they go, replies
// and pushes when they arrive; every call has a timeout, and a backend that goes away fails the
// calls under way with a sentence saying so.
import WebSocket from 'ws';
import type { RequestIn, Result } from '../../shared/api';
import type { LabView, Push } from '../../shared/contract';
import { RpcCalls, RpcError } from '../../shared/rpc';

export { RpcError };

export interface RpcOptions {
  /** Where the backend's log is, for the error sentences. */
  log: string;
  pid: number;
  /** Per call, unless the call says otherwise (else each method's own limit). */
  timeoutMs?: number;
}

export interface Rpc {
  /** Sends a request and resolves with its result, checked against the method's schema. */
  call<R extends RequestIn>(request: R, timeoutMs?: number): Promise<Result<R['method']>>;
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
  let state: LabView | null | undefined;
  let closedByUs = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const gone = (method: string): RpcError =>
    new RpcError(`The lab backend (pid ${opts.pid}) went away while answering ${method}; read ${opts.log}.`);
  const calls = new RpcCalls({
    ready: async (method) => {
      if (ws.readyState !== WebSocket.OPEN) throw gone(method);
    },
    send: (text) => ws.send(text),
    late: (method, ms) => `The lab backend (pid ${opts.pid}) did not answer ${method} within ${Math.round(ms / 1000)} s; read ${opts.log}, or stop it with zk-lab shutdown.`,
    check: true,
  });
  calls.onPush((p) => {
    if (p.kind === 'state') state = p.lab;
  });

  const rpc: Rpc = {
    async call(request, timeoutMs = opts.timeoutMs) {
      const result = await calls.call(request, timeoutMs);
      if (request.method === 'state') state = result as LabView | null;
      return result;
    },
    onPush: (listener) => calls.onPush(listener),
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

  // A push this zk-lab does not know (a newer backend) is not an error: it is left out.
  ws.on('message', (raw) => calls.receive(String(raw)));
  ws.on('close', () => {
    calls.failAll(gone);
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

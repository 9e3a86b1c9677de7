// The one client side of the lab's RPC (requests and replies matched by id, pushes beside them),
// whatever carries it: the page's WebSocket (src/renderer/api.ts), zk-lab's (src/lab/cli/rpc.ts),
// the Electron bridge and the tests' backend. The carrier says when it can send and sends; this
// checks each request against the contract before anything goes, gives every call a time limit,
// and (for Node callers) checks each result against its method's schema.
import { z } from 'zod';
import { callLimitMs, Results, type Method, type RequestIn, type Result } from './api';
import { Push, Request } from './contract';
import { ReplyError, type ErrorParams } from './errors';
import { WS_MESSAGE_MAX } from './limits';

export interface RpcCarrier {
  /** Resolves once a message can be sent; rejects when it never will (the call fails with that error). */
  ready(method: Method): Promise<void>;
  send(text: string): void;
  /** The sentence for a call with no answer within its limit. */
  late(method: Method, limitMs: number): string;
  /** Check results and pushes against the contract (a Node caller); the page trusts its own backend. */
  check: boolean;
}

interface Pending {
  method: Method;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class RpcError extends Error {}

export class RpcCalls {
  private readonly pending = new Map<number, Pending>();
  private readonly pushListeners = new Set<(p: Push) => void>();
  private nextId = 1;

  constructor(private readonly carrier: RpcCarrier) {}

  call<R extends RequestIn>(request: R, limitMs?: number): Promise<Result<R['method']>> {
    const checked = Request.safeParse(request);
    if (!checked.success) {
      return Promise.reject(new RpcError(`The request "${String((request as { method?: unknown }).method)}" does not fit the lab's contract, so nothing was sent: ${z.prettifyError(checked.error).replace(/\s+/g, ' ')}`));
    }
    const method = checked.data.method;
    const limit = limitMs ?? callLimitMs(method);
    const id = this.nextId++;
    const text = JSON.stringify({ id, request: checked.data });
    // The backend closes the link on a message over its cap (every call under way would fail with
    // it): refuse this one call here instead, saying why.
    const bytes = text.length * 3 <= WS_MESSAGE_MAX ? 0 : new TextEncoder().encode(text).length; // UTF-8 takes at most 3 bytes a UTF-16 unit
    if (bytes > WS_MESSAGE_MAX) {
      return Promise.reject(new RpcError(`The request "${method}" is ${mib(bytes)} MiB, over the ${mib(WS_MESSAGE_MAX)} MiB the lab's link takes in one message, so nothing was sent; send less at once (a znode's data is at most jute.maxbuffer, a tree import goes in chunks).`));
    }
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        this.pending.delete(id);
        reject(new RpcError(this.carrier.late(method, limit)));
      }, limit);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        reject(e);
      };
      this.carrier.ready(method).then(() => {
        if (late) return;
        this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
        this.carrier.send(text);
      }, fail);
    });
  }

  /** A message from the backend: a reply to a call under way, or a push. */
  receive(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // not ours to answer: a reply is JSON or nothing
    }
    if (typeof msg !== 'object' || msg === null) return;
    if ('kind' in msg) {
      const push = this.carrier.check ? Push.safeParse(msg) : { success: true as const, data: msg as Push };
      if (push.success) for (const l of this.pushListeners) l(push.data);
      return;
    }
    const p = this.pending.get(msg.id as number);
    if (!p) return;
    this.pending.delete(msg.id as number);
    clearTimeout(p.timer);
    if (msg.ok !== true) {
      p.reject(new ReplyError(String(msg.error), typeof msg.code === 'string' ? msg.code : undefined, typeof msg.params === 'object' && msg.params !== null ? (msg.params as ErrorParams) : undefined));
      return;
    }
    if (!this.carrier.check) {
      p.resolve(msg.result);
      return;
    }
    const r = Results[p.method].safeParse(msg.result);
    if (r.success) p.resolve(r.data);
    else p.reject(new RpcError(`The lab backend answered ${p.method} with what the contract does not allow (${z.prettifyError(r.error).replace(/\s+/g, ' ')}); it runs another build: stop it, run npm run build, start it again.`));
  }

  /** The link went away: every call under way fails with `error` (the caller says what to do). */
  failAll(error: (method: Method) => Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error(p.method));
    }
    this.pending.clear();
  }

  onPush(listener: (p: Push) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}

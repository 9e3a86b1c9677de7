// The renderer's one way to the lab: the contract of src/shared over a WebSocket to the lab
// backend (browser mode, and Electron, whose window shows the same page).
import type { LabApi, Push, ReplyEnvelope, Request } from '../shared/contract';

export function connectLab(): LabApi {
  const listeners = new Set<(p: Push) => void>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let ws: WebSocket;
  let ready: Promise<void>;
  const open = (): void => {
    const token = new URLSearchParams(location.search).get('token') ?? '';
    ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
    ready = new Promise((resolve) => ws.addEventListener('open', () => resolve(), { once: true }));
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data));
      if ('kind' in msg) {
        for (const l of listeners) l(msg as Push);
        return;
      }
      const reply = msg as ReplyEnvelope;
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new Error(reply.error));
    });
    ws.addEventListener('close', () => {
      for (const p of pending.values()) p.reject(new Error('The connection to the lab closed; reload the page (is npm start still running?).'));
      pending.clear();
      setTimeout(open, 1000);
    });
  };
  open();
  return {
    async call<T>(request: Request): Promise<T> {
      await ready;
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id, request }));
      });
    },
    onPush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

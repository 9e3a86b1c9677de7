// The renderer's one way to the lab: the contract of src/shared over a WebSocket to the lab
// backend (browser mode, and Electron, whose window shows the same page). A lost connection is
// opened again by itself; calls made meanwhile wait for it, and every call has a time limit.
import type { LabApi, LabConnection, Push, ReplyEnvelope, Request } from '../shared/contract';

/** The close code the backend refuses a page's token with (src/web/server.ts WS_REFUSED_TOKEN). */
const REFUSED_TOKEN = 4401;
/** How long a call may take: the long actions (launching, a walkthrough, an import) report progress meanwhile. */
const LONG_CALLS = new Set<Request['method']>(['launch', 'startAll', 'walkthrough.run', 'tree.import', 'tree.export', 'attach', 'destroy', 'locks.start', 'node']);
const CALL_MS = 30_000;
const LONG_CALL_MS = 10 * 60_000;

export function connectLab(): LabApi {
  const listeners = new Set<(p: Push) => void>();
  const connListeners = new Set<(c: LabConnection) => void>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let ws: WebSocket;
  let connection: LabConnection = { state: 'connecting' };
  let wasOpen = false;
  const setConnection = (c: LabConnection): void => {
    connection = c;
    for (const l of connListeners) l(c);
  };
  /** Sockets waiting to be open: resolved on open, rejected when the backend refuses the page. */
  let openWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const open = (): void => {
    // Without a token in the address (a second tab, a bookmark), the lab's cookie carries it.
    const token = new URLSearchParams(location.search).get('token');
    ws = new WebSocket(`ws://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`);
    ws.addEventListener('open', () => {
      wasOpen = true;
      setConnection({ state: 'open' });
      for (const w of openWaiters.splice(0)) w.resolve();
    });
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
    ws.addEventListener('close', (ev) => {
      const lost = new Error('The connection to the lab was lost while this was under way; it reconnects by itself: look whether it was done, then try again.');
      for (const p of pending.values()) p.reject(lost);
      pending.clear();
      if (ev.code === REFUSED_TOKEN) {
        const reason = ev.reason || 'The lab refused this page; open the address npm start printed.';
        setConnection({ state: 'refused', reason });
        for (const w of openWaiters.splice(0)) w.reject(new Error(reason));
        return;
      }
      setConnection({ state: wasOpen ? 'reconnecting' : 'connecting' });
      setTimeout(open, 1000);
    });
  };
  open();
  const whenOpen = (): Promise<void> => {
    if (connection.state === 'open') return Promise.resolve();
    if (connection.state === 'refused') return Promise.reject(new Error(connection.reason));
    return new Promise((resolve, reject) => openWaiters.push({ resolve, reject }));
  };
  return {
    async call<T>(request: Request): Promise<T> {
      const limit = LONG_CALLS.has(request.method) ? LONG_CALL_MS : CALL_MS;
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          pending.delete(id);
          reject(new Error(`The lab did not answer "${request.method}" within ${limit / 1000} s${connection.state === 'open' ? '' : ' (the page is not connected to it: is npm start still running?)'}; try again.`));
        }, limit);
        const settle = { resolve: (v: unknown) => (clearTimeout(timer), resolve(v as T)), reject: (e: Error) => (clearTimeout(timer), reject(e)) };
        whenOpen().then(() => {
          if (timedOut) return;
          pending.set(id, settle);
          ws.send(JSON.stringify({ id, request }));
        }, settle.reject);
      });
    },
    onPush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConnection(listener) {
      connListeners.add(listener);
      listener(connection);
      return () => connListeners.delete(listener);
    },
  };
}

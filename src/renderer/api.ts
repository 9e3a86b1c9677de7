// The renderer's one way to the lab: the contract of src/shared over a WebSocket to the lab
// backend (browser mode, and Electron, whose window shows the same page). A lost connection is
// opened again by itself; calls made meanwhile wait for it, and every call has a time limit.
import type { LabApi } from '../shared/api';
import type { LabConnection } from '../shared/contract';
import { RpcCalls } from '../shared/rpc';

/** The close code the backend refuses a page's token with (src/web/server.ts WS_REFUSED_TOKEN). */
const REFUSED_TOKEN = 4401;

export function connectLab(): LabApi {
  const connListeners = new Set<(c: LabConnection) => void>();
  let ws: WebSocket;
  let connection: LabConnection = { state: 'connecting' };
  let wasOpen = false;
  const setConnection = (c: LabConnection): void => {
    connection = c;
    for (const l of connListeners) l(c);
  };
  /** Sockets waiting to be open: resolved on open, rejected when the backend refuses the page. */
  let openWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const whenOpen = (): Promise<void> => {
    if (connection.state === 'open') return Promise.resolve();
    if (connection.state === 'refused') return Promise.reject(new Error(connection.reason));
    return new Promise((resolve, reject) => openWaiters.push({ resolve, reject }));
  };
  const calls = new RpcCalls({
    ready: whenOpen,
    send: (text) => ws.send(text),
    late: (method, limit) => `The lab did not answer "${method}" within ${limit / 1000} s${connection.state === 'open' ? '' : ' (the page is not connected to it: is npm start still running?)'}; try again.`,
    check: false,
  });
  const open = (): void => {
    // Without a token in the address (a second tab, a bookmark), the lab's cookie carries it.
    const token = new URLSearchParams(location.search).get('token');
    ws = new WebSocket(`ws://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`);
    ws.addEventListener('open', () => {
      wasOpen = true;
      setConnection({ state: 'open' });
      for (const w of openWaiters.splice(0)) w.resolve();
    });
    ws.addEventListener('message', (ev) => calls.receive(String(ev.data)));
    ws.addEventListener('close', (ev) => {
      calls.failAll(() => new Error('The connection to the lab was lost while this was under way; it reconnects by itself: look whether it was done, then try again.'));
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
  return {
    call: (request) => calls.call(request),
    onPush: (listener) => calls.onPush(listener),
    onConnection(listener) {
      connListeners.add(listener);
      listener(connection);
      return () => connListeners.delete(listener);
    },
  };
}

// A request from outside a view for it to show something (the palette's "Go to znode /a/b",
// "Send srvr to node 2"): kept until the view takes it, since the view may mount only after the
// request.

/** One kind of request: ask() from anywhere, take() by the view (a pending one at once, later ones as they come). */
function requests<T>(): { ask: (r: T) => void; take: (fn: (r: T) => void) => () => void } {
  let pending: T | null = null;
  const listeners = new Set<(r: T) => void>();
  return {
    ask(r) {
      pending = r;
      for (const l of listeners) l(r);
    },
    take(fn) {
      if (pending !== null) {
        fn(pending);
        pending = null;
      }
      const l = (r: T): void => {
        pending = null;
        fn(r);
      };
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

const znode = requests<string>();
export const requestZnode = znode.ask;
/** The Tree explorer takes a pending request when it mounts, and later ones as they come. */
export const takeZnodeRequests = znode.take;

/** The member console for `myid`, with `command` picked (and sent at once when `send`). */
export interface ConsoleRequest {
  myid: number;
  kind: '4lw' | 'admin';
  command: string | null;
  send: boolean;
}
const console = requests<ConsoleRequest>();
export const requestConsole = console.ask;
export const takeConsoleRequests = console.take;

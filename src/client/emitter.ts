// A small typed event emitter (no dependency on node:events, so the client can run wherever
// a socket transport exists). Listener errors are reported, never thrown into the protocol code.

type Listener = (...args: any[]) => void;

/** Typed publish/subscribe: `on` returns an unsubscribe function. */
export class Emitter<E extends { [K in keyof E]: Listener }> {
  private listeners = new Map<keyof E, Set<Listener>>();

  /** Calls `fn` on every `event`; returns a function that removes it. */
  on<K extends keyof E>(event: K, fn: E[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  /** Calls `fn` on the next `event` only. */
  once<K extends keyof E>(event: K, fn: E[K]): () => void {
    const wrapped = ((...args: any[]) => {
      off();
      fn(...args);
    }) as E[K];
    const off = this.on(event, wrapped);
    return off;
  }

  off<K extends keyof E>(event: K, fn: E[K]): void {
    this.listeners.get(event)?.delete(fn);
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (e) {
        this.onListenerError(e, String(event));
      }
    }
  }

  /** A listener threw; the default reports it and carries on. */
  protected onListenerError(e: unknown, event: string): void {
    console.error(`zk client: a '${event}' listener threw:`, e);
  }
}

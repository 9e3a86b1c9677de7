// The member's network: listening and connecting, the only place a member opens sockets (the
// election port, the quorum port, the learner's link and the client port). The member sees a
// connection only as a `Conn`: the part of a Node socket it uses. A Node socket is one; the
// simulator's in-memory streams (test/quorum/member-sim) are another.
import { connect, createServer } from 'node:net';

/** A byte stream to another process, as the member uses it (a subset of node:net's Socket). */
export interface Conn {
  write(bytes: Buffer | Uint8Array): unknown;
  /** Closes after the queued writes (FIN). */
  end(): unknown;
  /** Closes at once; queued writes are dropped. */
  destroy(): unknown;
  readonly destroyed: boolean;
  /** True while writes are queued beyond the high-water mark ('drain' follows). */
  readonly writableNeedDrain: boolean;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  setNoDelay(noDelay?: boolean): unknown;
  /** Emits 'timeout' (and calls `onTimeout`) after `ms` idle; 0 turns it off. */
  setTimeout(ms: number, onTimeout?: () => void): unknown;
  on(event: 'data', f: (d: Buffer) => void): unknown;
  on(event: 'error', f: (e: Error) => void): unknown;
  on(event: 'close' | 'drain' | 'connect' | 'timeout', f: () => void): unknown;
  once(event: 'data', f: (d: Buffer) => void): unknown;
  once(event: 'error', f: (e: Error) => void): unknown;
  once(event: 'close' | 'drain' | 'connect' | 'timeout', f: () => void): unknown;
  off(event: 'data', f: (d: Buffer) => void): unknown;
  off(event: 'error', f: (e: Error) => void): unknown;
  off(event: 'close' | 'drain' | 'connect' | 'timeout', f: () => void): unknown;
}

export interface Listener {
  /** The port actually bound (port 0 asks for any). */
  readonly port: number;
  close(): Promise<void>;
}

export interface Net {
  /** Listens on host:port; `accept` gets each incoming connection. Rejects when the port cannot be opened. */
  listen(host: string, port: number, accept: (s: Conn) => void, onError: (e: Error) => void): Promise<Listener>;
  /** Starts a connection; it emits 'connect' or 'error'. */
  connect(host: string, port: number): Conn;
}

export const systemNet: Net = {
  listen(host, port, accept, onError) {
    return new Promise((resolve, reject) => {
      const srv = createServer(accept);
      srv.once('error', reject);
      srv.listen(port, host, () => {
        srv.off('error', reject);
        srv.on('error', onError);
        const addr = srv.address();
        resolve({ port: typeof addr === 'object' && addr ? addr.port : port, close: () => new Promise<void>((r) => srv.close(() => r())) });
      });
    });
  },
  connect: (host, port) => connect({ host, port }),
};

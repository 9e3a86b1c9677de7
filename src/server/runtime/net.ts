// The member's network: listening and connecting, the only place a member opens sockets (the
// election port, the quorum port and the learner's link; the client port is main.ts's).
import { connect, createServer, type Socket } from 'node:net';

export interface Listener {
  /** The port actually bound (port 0 asks for any). */
  readonly port: number;
  close(): Promise<void>;
}

export interface Net {
  /** Listens on host:port; `accept` gets each incoming connection. Rejects when the port cannot be opened. */
  listen(host: string, port: number, accept: (s: Socket) => void, onError: (e: Error) => void): Promise<Listener>;
  /** Starts a connection; it emits 'connect' or 'error'. */
  connect(host: string, port: number): Socket;
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

// The one place the client touches the network. The default uses node:net; another runtime
// can pass its own `Transport` (anything that can open a byte stream to host:port).
import { Socket } from 'node:net';

/** A connected (or connecting) byte stream. */
export interface ZkSocket {
  write(data: Uint8Array): void;
  /** Close without waiting for queued writes. */
  destroy(): void;
  onConnect(fn: () => void): void;
  onData(fn: (data: Buffer) => void): void;
  /** Called once when the stream is gone, with the error if there was one. */
  onClose(fn: (err?: Error) => void): void;
  readonly remoteAddress?: string;
  readonly localPort?: number;
}

export type Transport = (host: string, port: number) => ZkSocket;

/** node:net TCP with Nagle off: requests are small and latency matters more than packets. */
export const netTransport: Transport = (host, port) => {
  const sock = new Socket();
  sock.setNoDelay(true);
  let closeErr: Error | undefined;
  sock.on('error', (e) => {
    closeErr = e;
  });
  sock.connect({ host, port });
  return {
    write: (d) => {
      sock.write(d);
    },
    destroy: () => sock.destroy(),
    onConnect: (fn) => sock.once('connect', fn),
    onData: (fn) => sock.on('data', fn),
    onClose: (fn) => sock.once('close', () => fn(closeErr)),
    get remoteAddress() {
      return sock.remoteAddress;
    },
    get localPort() {
      return sock.localPort;
    },
  };
};

/** Sends a four-letter word and resolves with the whole answer (used for read/write probes). */
export function fourLetterWord(transport: Transport, host: string, port: number, cmd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = transport(host, port);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${cmd} to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.onConnect(() => sock.write(Buffer.from(cmd, 'latin1')));
    sock.onData((d) => chunks.push(d));
    sock.onClose((err) => {
      clearTimeout(timer);
      if (err && chunks.length === 0) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

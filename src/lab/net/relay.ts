// A relay: one loopback port that stands, in one member's zoo.cfg, for another member's quorum or
// election port (or, for the lab's clients, a member's client port). Each accepted connection is
// joined to the real port through two pipes, one per direction, so that the lab decides what
// passes. A connection made while the pair is cut waits, as a SYN would, until the cut heals.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { ElectionSplitter, QuorumSplitter } from '../../protocol/wire';
import { Pipe, type PipeHost } from './pipe';
import type { LinkKind, PipeRule } from './rules';

export interface RelaySpec {
  kind: LinkKind;
  /** The member whose connections come in here (CLIENTS for a client relay). */
  from: number;
  /** The member they are for. */
  to: number;
  listenPort: number;
  targetPort: number;
  /** Election relays: the address the connecting member's handshake should name instead of its own. */
  connectBackAddress?: string;
}

/** What a relay asks of the network. */
export interface RelayHost extends PipeHost {
  rule(kind: LinkKind, from: number, to: number): PipeRule;
  /** Whether a new connection between from and to may be made now (no cut either way). */
  mayConnect(kind: LinkKind, from: number, to: number): boolean;
  changed(): void;
}

/** One relayed TCP connection. */
export class RelayedConnection {
  readonly up: Pipe;
  readonly down: Pipe;
  private upstream: Socket | null = null;
  private connecting = false;
  private clientEnded = false;
  private upstreamEnded = false;
  closed = false;

  constructor(
    private readonly host: RelayHost,
    readonly spec: RelaySpec,
    private readonly client: Socket,
    private readonly onClose: (c: RelayedConnection) => void,
  ) {
    const { kind, from, to } = spec;
    const [upSplit, downSplit] =
      kind === 'quorum'
        ? // The connecting member is the learner, the accepting one leads.
          [new QuorumSplitter(false), new QuorumSplitter(true)]
        : kind === 'election'
          ? [new ElectionSplitter(true, spec.connectBackAddress ? () => spec.connectBackAddress! : null), new ElectionSplitter(false)]
          : [null, null];
    this.up = new Pipe(host, kind, from, to, upSplit);
    this.down = new Pipe(host, kind, to, from, downSplit);
    this.up.source = client;
    this.up.setRule(host.rule(kind, from, to));
    this.down.setRule(host.rule(kind, to, from));
    client.setNoDelay(true);
    client.on('data', (d: Buffer) => this.up.onData(d));
    client.on('end', () => this.clientEnd());
    client.on('error', () => undefined);
    client.on('close', () => {
      // Given up before the connection was ever made: it never existed for the other side.
      if (this.upstream === null) return this.close();
      this.down.destClosed();
      this.clientEnd();
      this.maybeDone();
    });
    this.down.setDest(client);
    this.tryConnect();
  }

  /** Connects upstream once the pair may talk. */
  tryConnect(): void {
    if (this.closed || this.upstream || this.connecting) return;
    const { kind, from, to } = this.spec;
    if (!this.host.mayConnect(kind, from, to)) return;
    this.connecting = true;
    const up = connect({ host: '127.0.0.1', port: this.spec.targetPort, allowHalfOpen: true });
    up.setNoDelay(true);
    this.down.source = up;
    up.on('connect', () => {
      this.connecting = false;
      this.upstream = up;
      this.up.setDest(up);
      this.host.changed();
    });
    up.on('data', (d: Buffer) => this.down.onData(d));
    up.on('end', () => this.upstreamEnd());
    up.on('error', () => undefined);
    up.on('close', () => {
      this.connecting = false;
      if (this.upstream === null) {
        // Refused (the member is down): the connecting side sees its connection close.
        this.close();
        return;
      }
      this.up.destClosed();
      this.upstreamEnd();
      this.maybeDone();
    });
  }

  private clientEnd(): void {
    if (this.clientEnded) return;
    this.clientEnded = true;
    this.up.onEnd();
  }

  private upstreamEnd(): void {
    if (this.upstreamEnded) return;
    this.upstreamEnded = true;
    this.down.onEnd();
  }

  applyRules(): void {
    const { kind, from, to } = this.spec;
    this.up.setRule(this.host.rule(kind, from, to));
    this.down.setRule(this.host.rule(kind, to, from));
    this.tryConnect();
  }

  private maybeDone(): void {
    if (this.client.destroyed && (this.upstream === null || this.upstream.destroyed)) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.up.dropAll();
    this.down.dropAll();
    this.client.destroy();
    this.upstream?.destroy();
    this.onClose(this);
  }
}

/** Listens on one relay port. */
export class Relay {
  readonly connections = new Set<RelayedConnection>();
  private server: Server | null = null;

  constructor(
    private readonly host: RelayHost,
    readonly spec: RelaySpec,
  ) {}

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (sock) => {
        const c = new RelayedConnection(this.host, this.spec, sock, (x) => {
          this.connections.delete(x);
          this.host.changed();
        });
        this.connections.add(c);
        this.host.changed();
      });
      srv.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(e.code === 'EADDRINUSE' ? `The lab's relay port ${this.spec.listenPort} is taken by another program; destroy this lab and launch a new one (it picks free ports).` : `The lab could not open relay port ${this.spec.listenPort}: ${e.message}`)),
      );
      srv.listen(this.spec.listenPort, '127.0.0.1', () => {
        this.server = srv;
        resolve();
      });
    });
  }

  applyRules(): void {
    for (const c of this.connections) c.applyRules();
  }

  close(): void {
    this.server?.close();
    this.server = null;
    for (const c of [...this.connections]) c.close();
  }
}

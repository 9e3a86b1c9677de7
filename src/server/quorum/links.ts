// The member's quorum-port connections: a learner's link to its leader (Learner.connectToLeader)
// and the leader's side, the learners that connected (LearnerCnxAcceptor). Each stream's packets
// become inputs of the member's core; a stream that is no longer the current one is ignored.
import type { QuorumServer } from '../config';
import type { Logger } from '../core';
import type { Clock } from '../runtime/clock';
import type { Conn, Listener, Net } from '../runtime/net';
import { QuorumStream } from './net/quorum-stream';
import type { WireTxn } from './net/zab-codec';
import type { PeerInput } from './peer-core';
import type { ZabMessage } from './zab/types';

export interface LinkOwner {
  net: Net;
  clock: Clock;
  log: Logger;
  /** How long a learner may take to connect and sync: initLimit ticks, in ms. */
  initLimitMs: number;
  input(i: PeerInput<WireTxn>): void;
  /** Does this member lead now (learners may be served)? */
  leading(): boolean;
}

/** A learner's connection to its leader. */
export class LeaderLink {
  private stream: QuorumStream | null = null;

  constructor(private readonly owner: LinkOwner) {}

  /**
   * Learner.connectToLeader: five tries 100 ms apart, within initLimit ticks; a leader that
   * refuses that long is not there, and looking again beats waiting for it. `wanted` says
   * whether this connection is still what the member wants (its role did not change meanwhile).
   */
  connect(leader: QuorumServer, wanted: () => boolean): void {
    const { owner } = this;
    const deadline = owner.clock.now() + owner.initLimitMs;
    let tries = 0;
    const attempt = (): void => {
      if (!wanted()) return;
      tries++;
      const s = owner.net.connect(leader.host, leader.quorumPort);
      const onConnectError = (e: Error): void => {
        s.destroy();
        if (tries >= 5 || owner.clock.now() > deadline) owner.input({ type: 'leaderDisconnected', reason: `cannot connect to ${leader.host}:${leader.quorumPort}: ${e.message}` });
        else owner.clock.after(100, attempt);
      };
      s.once('error', onConnectError);
      s.once('connect', () => {
        // From here a reset is the stream's to report, not a failed attempt to retry.
        s.off('error', onConnectError);
        if (!wanted()) {
          s.destroy();
          return;
        }
        const stream = new QuorumStream(s, 'leader');
        this.stream = stream;
        stream.on('message', (msg) => {
          if (this.stream === stream) owner.input({ type: 'leaderMessage', msg });
        });
        stream.on('close', (reason) => {
          if (this.stream !== stream) return;
          this.stream = null;
          owner.input({ type: 'leaderDisconnected', reason });
        });
        owner.input({ type: 'leaderConnected' });
      });
    };
    attempt();
  }

  send(msg: ZabMessage<WireTxn>): void {
    this.stream?.send(msg);
  }

  close(reason: string): void {
    this.stream?.close(reason);
    this.stream = null;
  }
}

/**
 * The quorum port. ZooKeeper opens it only once it leads; this member keeps it open, so a
 * learner that decided a little sooner than this member is held (its packets kept) until this
 * member leads, or turned away when it does not.
 */
export class LearnerPort {
  private readonly streams = new Map<number, QuorumStream>();
  private readonly held = new Map<number, { stream: QuorumStream; packets: ZabMessage<WireTxn>[] }>();
  private nextCid = 1;
  private listener: Listener | null = null;
  private closed = false;

  constructor(private readonly owner: LinkOwner) {}

  async listen(me: QuorumServer): Promise<void> {
    this.listener = await this.owner.net.listen(me.host, me.quorumPort, (s) => this.accept(s), (e) => this.owner.log('WARN', `quorum port error: ${e.message}`));
  }

  private accept(s: Conn): void {
    if (this.closed) {
      s.destroy();
      return;
    }
    const { owner } = this;
    const cid = this.nextCid++;
    const stream = new QuorumStream(s, 'learner');
    const packets: ZabMessage<WireTxn>[] = [];
    if (owner.leading()) this.streams.set(cid, stream);
    else {
      this.held.set(cid, { stream, packets });
      owner.clock.after(owner.initLimitMs, () => {
        if (this.held.get(cid)?.stream === stream) {
          this.held.delete(cid);
          stream.close('this member does not lead');
        }
      });
    }
    stream.on('message', (msg) => {
      if (this.streams.get(cid) === stream) owner.input({ type: 'learnerMessage', cid, msg });
      else if (this.held.get(cid)?.stream === stream) packets.push(msg);
    });
    stream.on('close', () => {
      this.held.delete(cid);
      if (this.streams.get(cid) !== stream) return;
      this.streams.delete(cid);
      owner.input({ type: 'learnerClosed', cid });
    });
  }

  /** The role was decided: held learners get their turn when this member leads; otherwise they go. */
  release(leading: boolean): void {
    for (const [cid, { stream, packets }] of [...this.held]) {
      this.held.delete(cid);
      if (!leading) {
        stream.close('this member does not lead');
        continue;
      }
      this.streams.set(cid, stream);
      for (const msg of packets) this.owner.input({ type: 'learnerMessage', cid, msg });
    }
  }

  get(cid: number): QuorumStream | undefined {
    return this.streams.get(cid);
  }

  closeOne(cid: number, reason: string): void {
    this.streams.get(cid)?.close(reason);
    this.streams.delete(cid);
  }

  /** Closes every served learner (the member stopped leading). */
  closeServed(reason: string): void {
    for (const s of this.streams.values()) s.close(reason);
    this.streams.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closeServed('shutting down');
    for (const { stream } of this.held.values()) stream.close('shutting down');
    this.held.clear();
    await this.listener?.close();
  }
}

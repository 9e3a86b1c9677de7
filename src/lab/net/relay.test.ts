// One relay on real sockets: what passes it arrives whole and in order, late on a slow link, not
// at all across a cut until it heals, and a held type waits aside until released while the rest
// flows; a connection made across a cut waits for the heal.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeElectionHandshake, type WireUnit } from '../../protocol/wire';
import type { WireMessage } from '../../shared/net';
import type { Pipe } from './pipe';
import { Relay, type RelayHost } from './relay';
import { OPEN_RULE, type PipeRule } from './rules';

/** An election frame carrying a notification-shaped body whose leader field is `n`. */
function frame(n: number): Buffer {
  const body = Buffer.alloc(40);
  body.writeInt32BE(0, 0);
  body.writeBigInt64BE(BigInt(n), 4);
  const f = Buffer.alloc(44);
  f.writeInt32BE(40, 0);
  body.copy(f, 4);
  return f;
}
const leaderOf = (f: Buffer): number => Number(f.readBigInt64BE(8));
/** The connecting member's first bytes (QuorumCnxManager's handshake). */
const HANDSHAKE = encodeElectionHandshake(-65536n, 2, '127.0.0.1:3888');

class Host implements RelayHost {
  rules = new Map<string, PipeRule>();
  connectAllowed = true;
  captured: WireMessage[] = [];
  now(): number {
    return performance.timeOrigin + performance.now();
  }
  random(): number {
    return 0.5;
  }
  rule(kind: string, from: number, to: number): PipeRule {
    return this.rules.get(`${from}-${to}`) ?? OPEN_RULE;
  }
  mayConnect(): boolean {
    return this.connectAllowed;
  }
  capture(pipe: Pipe, unit: WireUnit): WireMessage {
    const m: WireMessage = { seq: this.captured.length + 1, time: this.now(), link: 'election', from: pipe.from, to: pipe.to, type: unit.type, zxid: null, summary: '', fields: {}, bytes: unit.bytes.length, status: 'delivered', deliveredAt: null, fault: null };
    this.captured.push(m);
    return m;
  }
  updated(): void {}
  changed(): void {}
}

const rule = (r: Partial<PipeRule>): PipeRule => ({ ...OPEN_RULE, holds: new Map(), ...r });

let sink: Server | null = null;
let relay: Relay | null = null;
const sockets: Socket[] = [];
afterEach(() => {
  relay?.close();
  sink?.close();
  for (const s of sockets.splice(0)) s.destroy();
});

/** A sink that records each frame it receives with its arrival time; a relay in front of it. */
async function setup(host: Host): Promise<{ client: Socket; got: { n: number; at: number }[]; arrived: (count: number) => Promise<void> }> {
  const got: { n: number; at: number }[] = [];
  const waiters: (() => void)[] = [];
  sink = createServer((s) => {
    sockets.push(s);
    let buf = Buffer.alloc(0);
    let handshake = true;
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (handshake) {
        if (buf.length < HANDSHAKE.length) return;
        buf = buf.subarray(HANDSHAKE.length);
        handshake = false;
      }
      while (buf.length >= 44) {
        got.push({ n: leaderOf(buf.subarray(0, 44)), at: performance.timeOrigin + performance.now() });
        buf = buf.subarray(44);
      }
      for (const w of waiters.splice(0)) w();
    });
  });
  const sinkPort = await new Promise<number>((r) => sink!.listen(0, '127.0.0.1', () => r((sink!.address() as { port: number }).port)));
  // The relay listens on a port of its own choosing: find one by listening on 0 first.
  const probe = createServer();
  const listenPort = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)));
  await new Promise((r) => probe.close(r));
  relay = new Relay(host, { kind: 'election', from: 2, to: 1, listenPort, targetPort: sinkPort });
  await relay.listen();
  const client = connect(listenPort, '127.0.0.1');
  sockets.push(client);
  await new Promise((r) => client.once('connect', r));
  client.write(HANDSHAKE);
  const arrived = (count: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (got.length >= count) resolve();
        else waiters.push(check);
      };
      check();
    });
  return { client, got, arrived };
}

describe('a relay', () => {
  it('delivers whole messages in order, each late by the slow link\'s latency', async () => {
    const host = new Host();
    host.rules.set('2-1', rule({ delayMs: 150, slowBy: 'f1' }));
    const { client, got, arrived } = await setup(host);
    const sent: number[] = [];
    for (let i = 1; i <= 20; i++) {
      sent.push(performance.timeOrigin + performance.now());
      // Split each frame across two writes: the relay must still deliver it whole.
      const f = frame(i);
      client.write(f.subarray(0, 10));
      client.write(f.subarray(10));
    }
    await arrived(20);
    expect(got.map((g) => g.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const [i, g] of got.entries()) expect(g.at - sent[i]!).toBeGreaterThanOrEqual(149);
  });

  it('holds everything across a cut and delivers it in order when the cut heals', async () => {
    const host = new Host();
    const { client, got, arrived } = await setup(host);
    client.write(frame(1));
    await arrived(1);
    host.rules.set('2-1', rule({ cutBy: 'f1' }));
    relay!.applyRules();
    for (let i = 2; i <= 5; i++) client.write(frame(i));
    // What the relay took in while cut is held, counted, and not delivered.
    await new Promise<void>((resolve) => {
      const c = [...relay!.connections][0]!;
      const poll = (): void => (c.up.held === 4 ? resolve() : void setImmediate(poll));
      poll();
    });
    expect(got.length).toBe(1);
    host.rules.delete('2-1');
    relay!.applyRules();
    await arrived(5);
    expect(got.map((g) => g.n)).toEqual([1, 2, 3, 4, 5]);
  });

  it('sets a held type aside while the rest flows, and release delivers it in order', async () => {
    const host = new Host();
    host.rules.set('2-1', rule({ holds: new Map([['NOTIFICATION', 'f1']]) }));
    const { client, got, arrived } = await setup(host);
    client.write(Buffer.concat([frame(1), frame(2)]));
    const c = [...relay!.connections][0]!;
    await new Promise<void>((resolve) => {
      const poll = (): void => (c.up.held === 2 ? resolve() : void setImmediate(poll));
      poll();
    });
    expect(host.captured.filter((m) => m.type === 'NOTIFICATION').map((m) => m.status)).toEqual(['held', 'held']);
    expect(c.up.release('f1')).toBe(2);
    await arrived(2);
    expect(got.map((g) => g.n)).toEqual([1, 2]);
    expect(host.captured.filter((m) => m.type === 'NOTIFICATION').map((m) => m.status)).toEqual(['delivered', 'delivered']);
  });

  it('makes a connection across a cut only once the cut heals', async () => {
    const host = new Host();
    host.connectAllowed = false;
    const { client, got, arrived } = await setup(host);
    client.write(frame(7));
    const c = [...relay!.connections][0]!;
    await new Promise<void>((resolve) => {
      // The handshake and the frame wait for the connection.
      const poll = (): void => (c.up.held === 2 ? resolve() : void setImmediate(poll));
      poll();
    });
    expect(got).toEqual([]);
    host.connectAllowed = true;
    relay!.applyRules();
    await arrived(1);
    expect(got[0]!.n).toBe(7);
  });
});

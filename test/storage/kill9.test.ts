// kill -9: a writer keeps many writes in flight (sequential creates and setData on one session)
// while our server is SIGKILLed at seeded random moments and restarted on the same dataDir.
// After every restart each acknowledged write is there; what survived of a round is exactly a
// prefix of the writes issued (nothing after a hole, so order held); sequence numbers handed out
// never repeat across crashes. Bounded: a fixed number of rounds, each a fraction of a second.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, waitFor, type OurZk } from '../support/ourzk';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client');

const ROUNDS = 8;
const IN_FLIGHT = 16;

function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function call<T>(fn: (cb: (err: Error | null, ...rest: any[]) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest[0] as T))));
}

async function connect(connectString: string): Promise<any> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: 10000, spinDelay: 50, retries: 0 });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no session with ${connectString} in 20 s`)), 20_000);
    client.once('connected', () => {
      clearTimeout(t);
      resolve();
    });
    client.connect();
  });
  return client;
}

const seqOf = (path: string) => Number(path.slice(path.lastIndexOf('-') + 1));

describe('kill -9 while writing', () => {
  let zk: OurZk;
  beforeAll(async () => {
    // Small snapCount and preallocation: crashes land during log rolls and fuzzy snapshots too.
    zk = await start({ config: { snapCount: 40, preAllocSize: 64 } });
  });
  afterAll(async () => {
    await zk?.stop();
  });

  it(`keeps every acknowledged write across ${ROUNDS} SIGKILLs`, async () => {
    const random = seeded(20240607);
    let client = await connect(zk.connectString);
    await call((cb) => client.create('/seq', Buffer.from(''), cb));
    await call((cb) => client.create('/counter', Buffer.from('0:0'), cb));
    client.close();
    const everAcked = new Map<number, string>(); // sequence number -> data
    let highestSeq = -1;

    for (let round = 1; round <= ROUNDS; round++) {
      client = await connect(zk.connectString);
      const acked: Array<{ op: number; seq: number }> = [];
      let lastCounterAck = -1;
      let issued = 0;
      let crashed = false;
      const writeOne = async (): Promise<void> => {
        while (!crashed) {
          const op = issued++;
          const data = Buffer.from(`${round}:${op}`);
          try {
            if (op % 4 === 3) {
              await call((cb) => client.setData('/counter', data, -1, cb));
              lastCounterAck = Math.max(lastCounterAck, op);
            } else {
              const path = await call<string>((cb) => client.create('/seq/item-', data, zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, cb));
              acked.push({ op, seq: seqOf(path) });
            }
          } catch {
            return; // connection lost: the outcome of this write is unknown, which is allowed
          }
        }
      };
      const writers = Array.from({ length: IN_FLIGHT }, () => writeOne());
      // A seeded random moment: after 20..300 acknowledged writes.
      const killAfter = 20 + Math.floor(random() * 280);
      await waitFor(() => acked.length + (lastCounterAck >= 0 ? 1 : 0) >= killAfter, 30_000, `${killAfter} acknowledged writes`);
      await zk.kill();
      crashed = true;
      await Promise.all(writers);
      client.close();

      // What was acknowledged in this round, in op order, got increasing sequence numbers.
      acked.sort((a, b) => a.op - b.op);
      for (let i = 1; i < acked.length; i++) expect(acked[i]!.seq).toBeGreaterThan(acked[i - 1]!.seq);
      // Sequence numbers never repeat: this round's start after everything ever acknowledged.
      if (acked.length > 0) expect(acked[0]!.seq).toBeGreaterThan(highestSeq);
      for (const a of acked) {
        expect(everAcked.has(a.seq)).toBe(false);
        everAcked.set(a.seq, `${round}:${a.op}`);
        highestSeq = Math.max(highestSeq, a.seq);
      }

      await zk.restart();
      client = await connect(zk.connectString);
      const children: string[] = await call((cb) => client.getChildren('/seq', cb));
      const present = new Map<number, string>();
      await Promise.all(
        children.map(async (name) => {
          const data = await call<Buffer>((cb) => client.getData(`/seq/${name}`, cb));
          present.set(seqOf(name), data.toString());
        }),
      );
      // Every acknowledged create of every round so far is there with its data.
      for (const [seq, data] of everAcked) expect(present.get(seq), `item ${seq} (${data}) after restart ${round}`).toBe(data);
      // This round survived as a prefix of the ops issued: no hole before a surviving op.
      const survivedOps = [...present.values()].filter((d) => d.startsWith(`${round}:`)).map((d) => Number(d.split(':')[1]));
      const counter = (await call<Buffer>((cb) => client.getData('/counter', cb))).toString();
      const [cRound, cOp] = counter.split(':').map(Number);
      if (lastCounterAck >= 0) {
        expect(cRound).toBe(round);
        expect(cOp!).toBeGreaterThanOrEqual(lastCounterAck);
      }
      const lastSurvivor = Math.max(-1, ...survivedOps, cRound === round ? cOp! : -1);
      const expectedCreates = Array.from({ length: lastSurvivor + 1 }, (_, op) => op).filter((op) => op % 4 !== 3);
      expect(survivedOps.sort((a, b) => a - b)).toEqual(expectedCreates);
      // Unacknowledged creates that survived also count as handed out.
      for (const [seq, data] of present) {
        if (!everAcked.has(seq)) everAcked.set(seq, data);
        highestSeq = Math.max(highestSeq, seq);
      }
      client.close();
    }
    expect(everAcked.size).toBeGreaterThan(ROUNDS * 15);
    // The crashes landed among log rolls and snapshots, not only in one quiet log file.
    const files = readdirSync(join(zk.dataDir, 'version-2'));
    expect(files.filter((f) => f.startsWith('snapshot.')).length).toBeGreaterThan(3);
    expect(files.filter((f) => f.startsWith('log.')).length).toBeGreaterThan(3);
  });
});

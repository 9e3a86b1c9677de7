// The seed's sizing advice (§11.2): more servers, more reliability, but more communication delay.
// Three labs of 3, 5 and 7 voters of our server are launched beside this one, one after the other,
// and each gets the same light load (writes at a fixed rate, spread over sessions on its members),
// measured live on this machine: write latency p50/p99 and throughput. The failures each size
// survives come from the same majority rule the `majority` walkthrough shows on the members.
// The numbers are what they are: if this machine does not show slower writes, the verdict says so.
import { connect, type ZkClient } from '../../client';
import type { LabSize } from '../../shared/contract';
import { failuresTolerated } from '../../shared/walkthroughs';
import type { SideLab, Walk } from './control';

const SIZES: LabSize[] = [3, 5, 7];
/** The light load: one write every RATE_MS, WRITES in all, over SESSIONS sessions. */
const RATE_MS = 25;
const WRITES = 160;
const SESSIONS = 4;

interface Measured {
  size: number;
  quorum: number;
  tolerated: number;
  p50: number;
  p99: number;
  perSecond: number;
  failed: number;
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

/** Sends WRITES setData at a fixed rate (not waiting for answers: an open loop), and times each. */
async function load(side: SideLab): Promise<Omit<Measured, 'size' | 'quorum' | 'tolerated'>> {
  const ids = side.view()!.nodes.map((n) => n.myid);
  const clients: ZkClient[] = [];
  try {
    for (let i = 0; i < SESSIONS; i++) clients.push(await connect(side.address(ids[i % ids.length]!), { sessionTimeout: 10_000 }));
    const base = '/seed-walkthrough-sizing';
    await clients[0]!.create(base, null).catch(() => undefined);
    await Promise.all(clients.map((c, i) => c.create(`${base}/w${i}`, null).catch(() => undefined)));
    // Warm up every path once (first writes pay for connections and JIT), then measure.
    await Promise.all(clients.map((c, i) => c.setData(`${base}/w${i}`, Buffer.from('warm'))));
    const lat: number[] = [];
    let failed = 0;
    const t0 = performance.now();
    const pending: Promise<void>[] = [];
    for (let k = 0; k < WRITES; k++) {
      const due = t0 + k * RATE_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const i = k % SESSIONS;
      const sent = performance.now();
      pending.push(
        clients[i]!.setData(`${base}/w${i}`, Buffer.from(String(k))).then(
          () => void lat.push(performance.now() - sent),
          () => void failed++,
        ),
      );
    }
    await Promise.all(pending);
    const elapsed = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    return { p50: pct(lat, 50), p99: pct(lat, 99), perSecond: Math.round(lat.length / elapsed), failed };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
}

export async function sizing(w: Walk): Promise<void> {
  const measured: Measured[] = [];
  for (const size of SIZES) {
    if (size === 5) w.keyNext();
    const m = await w.step(`Launch ${size} voting members of our server beside this lab, give them the light load (${WRITES} writes, one every ${RATE_MS} ms, over ${SESSIONS} sessions), then destroy them`, async () => {
      const side = await w.lab.sideLab(size);
      try {
        await w.until(`the ${size}-member lab to serve`, () => {
          const x = side.view();
          return x !== null && x.serving && x.nodes.every((n) => n.role === 'leader' || n.role === 'follower');
        }, 120_000);
        const x = side.view()!;
        const r = await load(side);
        return { size, quorum: x.quorumNeeded, tolerated: failuresTolerated(x.nodes.filter((n) => !n.observer).length), ...r };
      } finally {
        await side.destroy();
      }
    }, (r) => `${r.size} voters, ${r.quorum} needed: survives ${r.tolerated}; write latency p50 ${ms(r.p50)}, p99 ${ms(r.p99)}; ${r.perSecond} writes/s${r.failed ? `; ${r.failed} writes failed` : ''}`);
    measured.push(m);
  }
  const more = measured.every((m, i) => i === 0 || m.tolerated > measured[i - 1]!.tolerated);
  const slower = measured.every((m, i) => i === 0 || m.p50 >= measured[i - 1]!.p50);
  const failed = measured.reduce((s, m) => s + m.failed, 0);
  const table = measured.map((m) => `${m.size} voters: survives ${m.tolerated}, p50 ${ms(m.p50)}, p99 ${ms(m.p99)}, ${m.perSecond} writes/s`).join('; ');
  w.finish(
    'more servers make the ensemble more reliable (it survives more failures) but add communication delay (writes get slower); the seed\'s advice is an odd number, 3 for 10 machines, 5 for 20, 11 for 100 or 200',
    `${table} (the same light load on this machine, measured live); more members survived more failures: ${more ? 'yes' : 'no'}; writes got slower with more members: ${slower ? 'yes' : `no, this machine did not show it (p50 ${measured.map((m) => ms(m.p50)).join(' → ')})`}${failed ? `; ${failed} writes failed` : ''}`,
    more && slower && failed === 0,
  );
}

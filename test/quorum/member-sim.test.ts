// The simulator on the real member: real members (storage, database, server core, the quorum
// runtime and its request chains) over a simulated network, disk and clock, with simulated
// clients on the client port and the lab's faults (test/quorum/member-sim/run.ts says which and
// what is checked). A failure prints its seed and the run's trace; ZK_MEMBER_SIM_SEED=<n>
// replays exactly that run, and ZK_MEMBER_SIM_SEEDS=<count> (from ZK_MEMBER_SIM_FROM) runs a
// long campaign on demand.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { plantedBugs } from '../../src/server/quorum/member-store';
import { describeMemberSim, memberSimOptions, runMemberSim, type MemberSimResult } from './member-sim/run';
import { WALL_BASE } from './member-sim/world';

const one = process.env.ZK_MEMBER_SIM_SEED;
const count = Number(process.env.ZK_MEMBER_SIM_SEEDS ?? 30);
const from = Number(process.env.ZK_MEMBER_SIM_FROM ?? 1);

function report(r: MemberSimResult): string {
  return [
    `seed ${r.seed} failed (${describeMemberSim(r.seed)}): ${r.error}`,
    `replay: ZK_MEMBER_SIM_SEED=${r.seed} npx vitest run test/quorum/member-sim.test.ts`,
    '--- trace (last lines)',
    ...r.trace.slice(-Number(process.env.ZK_MEMBER_SIM_TRACE ?? 150)),
  ].join('\n');
}

describe('the real member, simulated', () => {
  // Date.now() of the members (znode times, session ids) is the simulation's, so a seed replays.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: WALL_BASE });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  if (one !== undefined) {
    it(`replays seed ${one}`, { timeout: 600_000 }, async () => {
      const r = await runMemberSim(Number(one));
      console.log(r.ok ? `seed ${one}: ok ${JSON.stringify(r.stats)}` : report(r));
      expect(r.ok, r.error ?? '').toBe(true);
    });
    return;
  }

  it(`keeps every invariant over ${count} seeded runs (seeds ${from}..${from + count - 1})`, { timeout: 600_000 }, async () => {
    const totals: Record<string, number> = {};
    for (let seed = from; seed < from + count; seed++) {
      const r = await runMemberSim(seed);
      if (!r.ok) {
        console.log(report(r));
        expect.fail(`seed ${seed}: ${r.error}`);
      }
      for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + v;
    }
    console.log(`simulated ${count} runs of the real member:`, totals);
    expect(totals.acked).toBeGreaterThan(count * 50);
    expect(totals.crashes).toBeGreaterThan(count);
    expect(totals.powerFailures).toBeGreaterThan(0);
    expect(totals.leaders).toBeGreaterThan(count * 2);
  });

  it('finds a planted bug: members that call a txn durable before its fsync lose acknowledged writes', { timeout: 600_000 }, async () => {
    plantedBugs.ackBeforeDurable = true;
    try {
      // The durability nemesis (kills, power failures, slow fsyncs), as Jepsen picks a nemesis
      // for the property under test.
      const power = (seed: number) => runMemberSim(seed, { ...memberSimOptions(seed), nemesis: 'power' });
      let found: MemberSimResult | null = null;
      for (let seed = 1; seed <= count && !found; seed++) {
        const r = await power(seed);
        if (!r.ok) found = r;
      }
      expect(found, 'the planted bug went unnoticed').not.toBeNull();
      console.log(`planted bug found at seed ${found!.seed}: ${found!.error}`);
      // The failing seed replays: the same run breaks the same way.
      const again = await power(found!.seed);
      expect(again.error).toBe(found!.error);
    } finally {
      plantedBugs.ackBeforeDurable = false;
    }
  });
});

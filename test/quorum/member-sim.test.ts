// The simulator on the real member: real members (storage, database, server core, the quorum
// runtime and its request chains) over a simulated network, disk and clock, with simulated
// clients on the client port and the lab's faults (test/quorum/member-sim/run.ts says which and
// what is checked). CI runs seeds 1..2000: the first half here, the second in
// member-sim-2.test.ts. A failure prints its seed and the run's trace; ZK_MEMBER_SIM_SEED=<n>
// replays exactly that run, and ZK_MEMBER_SIM_SEEDS=<count> (from ZK_MEMBER_SIM_FROM) runs a
// long campaign on demand instead.
import { describe, expect, it } from 'vitest';
import { plantedBugs } from '../../src/server/quorum/member-store';
import { memberSimOptions, runMemberSim, type MemberSimResult } from './member-sim/run';
import { CI_SEEDS, report, sweep } from './member-sim/sweep';

const one = process.env.ZK_MEMBER_SIM_SEED;
const campaign = process.env.ZK_MEMBER_SIM_SEEDS;
const count = Number(campaign ?? CI_SEEDS / 2);
const from = Number(process.env.ZK_MEMBER_SIM_FROM ?? 1);

describe('the real member, simulated', () => {
  if (one !== undefined) {
    it(`replays seed ${one}`, { timeout: 600_000 }, async () => {
      const r = await runMemberSim(Number(one));
      console.log(r.ok ? `seed ${one}: ok ${JSON.stringify(r.stats)}` : report(r));
      expect(r.ok, r.error ?? '').toBe(true);
    });
    return;
  }

  it(`keeps every invariant over ${count} seeded runs (seeds ${from}..${from + count - 1})`, { timeout: campaign ? 24 * 3600_000 : 900_000 }, async () => {
    await sweep(from, count);
  });

  it('finds a planted bug: members that call a txn durable before its fsync lose acknowledged writes', { timeout: 600_000 }, async () => {
    plantedBugs.ackBeforeDurable = true;
    try {
      // The durability nemesis (kills, power failures, slow fsyncs), as Jepsen picks a nemesis
      // for the property under test.
      const power = (seed: number) => runMemberSim(seed, { ...memberSimOptions(seed), nemesis: 'power' });
      let found: MemberSimResult | null = null;
      for (let seed = 1; seed <= CI_SEEDS && !found; seed++) {
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

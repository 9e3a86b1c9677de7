// The second half of the member simulator's CI seeds (1001..2000; the first half and how to
// replay a seed are in member-sim.test.ts): two files, so the two test workers share the runs.
// A replay or a campaign (ZK_MEMBER_SIM_SEED, ZK_MEMBER_SIM_SEEDS) runs in the first file only.
import { describe, it } from 'vitest';
import { CI_SEEDS, sweep } from './member-sim/sweep';

const replayOrCampaign = process.env.ZK_MEMBER_SIM_SEED !== undefined || process.env.ZK_MEMBER_SIM_SEEDS !== undefined;

describe.skipIf(replayOrCampaign)('the real member, simulated (second half)', () => {
  it(`keeps every invariant over ${CI_SEEDS / 2} seeded runs (seeds ${CI_SEEDS / 2 + 1}..${CI_SEEDS})`, { timeout: 900_000 }, async () => {
    await sweep(CI_SEEDS / 2 + 1, CI_SEEDS / 2);
  });
});

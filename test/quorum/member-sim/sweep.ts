// The seeded runs of the member simulator as CI takes them: 2000 seeds per run, in two halves
// (member-sim.test.ts and member-sim-2.test.ts), so the two test workers share them. A failure
// prints the seed, how to replay it, and the end of the run's trace.
import { expect } from 'vitest';
import { describeMemberSim, runMemberSim, type MemberSimResult } from './run';

/** Seeds per CI run (1..CI_SEEDS), split in two halves. */
export const CI_SEEDS = 2000;

export function report(r: MemberSimResult): string {
  return [
    `seed ${r.seed} failed (${describeMemberSim(r.seed)}): ${r.error}`,
    `replay: ZK_MEMBER_SIM_SEED=${r.seed} npx vitest run test/quorum/member-sim.test.ts`,
    '--- trace (last lines)',
    ...r.trace.slice(-Number(process.env.ZK_MEMBER_SIM_TRACE ?? 150)),
  ].join('\n');
}

/** Runs seeds from..from+count-1; fails at the first seed that breaks an invariant. */
export async function sweep(from: number, count: number): Promise<void> {
  const totals: Record<string, number> = {};
  for (let seed = from; seed < from + count; seed++) {
    const r = await runMemberSim(seed);
    if (!r.ok) {
      console.log(report(r));
      expect.fail(`seed ${seed}: ${r.error}`);
    }
    for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + v;
  }
  console.log(`simulated ${count} runs of the real member (seeds ${from}..${from + count - 1}):`, totals);
  // The runs did what they are for: writes acknowledged, members crashed and powered off,
  // leaders elected again and again.
  expect(totals.acked).toBeGreaterThan(count * 50);
  expect(totals.crashes).toBeGreaterThan(count);
  expect(totals.powerFailures).toBeGreaterThan(0);
  expect(totals.leaders).toBeGreaterThan(count * 2);
}

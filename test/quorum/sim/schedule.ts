// One seeded schedule: the seed draws the ensemble, the network's and disk's faults, the
// clients and the fault plan. Safety phase: faults on, clients writing, every step checked.
// Liveness phase: faults off, everyone restarted and reconnected; the ensemble must elect a
// leader and every member must end with the same history holding every acknowledged write.
import { InvariantViolation } from './checker';
import { Cluster, DEFAULT_SIM, type SimOptions } from './cluster';
import { Rng } from './rng';

export interface ScheduleResult {
  seed: number;
  ok: boolean;
  error?: string;
  /** The trace around the failure (empty when ok). */
  trace: string[];
  summary: string;
  stats: Cluster['stats'] & Cluster['checker']['stats'] & { simMs: number };
}

export interface ScheduleShape {
  /** Logical ms of the safety phase. */
  safetyMs: number;
  /** Logical ms the ensemble gets to converge once faults stop. */
  livenessBudgetMs: number;
}

/** Draws the options of a run from its seed. */
export function drawOptions(rng: Rng): SimOptions {
  const voters = rng.pick([3, 3, 5, 5, 4]);
  return {
    ...DEFAULT_SIM,
    voters,
    observers: rng.chance(0.25) ? 1 : 0,
    commitLogCount: rng.pick([2, 5, 50, 500]),
    zxidCounterLimit: rng.chance(0.1) ? rng.int(5, 40) : 0xffffffff,
    delayMin: 1,
    delayMax: rng.pick([3, 10, 30]),
    dropRate: rng.pick([0, 0, 0.02, 0.1]),
    dupRate: rng.pick([0, 0.02, 0.05]),
    diskDelayMin: 0,
    diskDelayMax: rng.pick([1, 5, 20]),
    snapCount: rng.pick([3, 10, 50, 1_000_000]),
    traceLines: 300,
  };
}

/** Runs the schedule of `seed`; never throws for a protocol failure, it reports it. */
export function runSchedule(seed: number, shape: ScheduleShape = { safetyMs: 4000, livenessBudgetMs: 30_000 }): ScheduleResult {
  const rng = new Rng(seed);
  const opts = drawOptions(rng);
  const c = new Cluster(opts, rng);
  const sids = [...c.members.keys()];
  const clients = rng.int(1, 4);
  let safetyOver = false;
  let op = 0;
  try {
    // Members come up at random moments.
    for (const sid of sids) c.sched.at(rng.int(0, 400), () => c.start(sid));
    // Clients write (and sometimes sync) to a member they pick, moving on when it does not serve.
    for (let client = 1; client <= clients; client++) {
      let at = sids[rng.int(0, sids.length - 1)]!;
      const every = rng.int(5, 60);
      const loop = (): void => {
        if (safetyOver && c.now > shape.safetyMs + 2000) return;
        const ok = rng.chance(0.1) ? c.submitSync(client, at) : c.submitWrite(client, ++op, at);
        if (!ok) at = rng.pick(sids);
        c.sched.after(rng.int(1, every * 2), loop);
      };
      c.sched.at(rng.int(0, 500), loop);
    }
    // The fault plan.
    const faultEvery = rng.int(150, 1200);
    const faults = (): void => {
      if (safetyOver) return;
      const roll = rng.int(0, 99);
      if (roll < 35) {
        const up = sids.filter((s) => c.member(s).up);
        if (up.length > 0) {
          const victim = rng.chance(0.5) && c.establishedLeader() ? c.establishedLeader()!.sid : rng.pick(up);
          c.crash(victim);
          c.sched.after(rng.int(50, 2500), () => {
            if (!safetyOver) c.start(victim);
          });
        }
      } else if (roll < 65) {
        const shuffled = rng.shuffle([...sids]);
        const cut = rng.int(1, shuffled.length - 1);
        c.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
        c.sched.after(rng.int(100, 2500), () => {
          if (!safetyOver) c.heal();
        });
      } else if (roll < 80) {
        c.resetRandomLink();
      }
      c.sched.after(rng.int(faultEvery / 2, faultEvery * 2), faults);
    };
    c.sched.at(rng.int(300, 1500), faults);

    c.runUntil(shape.safetyMs);

    // Liveness: heal, restart, let it settle.
    safetyOver = true;
    c.heal();
    for (const sid of sids) c.start(sid);
    const deadline = shape.safetyMs + shape.livenessBudgetMs;
    while (c.now < deadline) {
      c.runUntil(Math.min(deadline, c.now + 250));
      if (c.now > shape.safetyMs + 2500 && c.converged()) break;
    }
    if (!c.converged()) throw new InvariantViolation(`no convergence within ${shape.livenessBudgetMs} ms after the faults stopped:\n${c.describe()}`);
    const stuck = new Set(c.stuckAheadOfLeader());
    c.checker.checkConverged([...c.members.values()].filter((m) => !stuck.has(m)));
    return { seed, ok: true, trace: [], summary: c.describe(), stats: { ...c.stats, ...c.checker.stats, simMs: c.now } };
  } catch (e) {
    const error = e instanceof Error ? (e instanceof InvariantViolation ? e.message : `${e.message}\n${e.stack}`) : String(e);
    return { seed, ok: false, error, trace: c.trace(), summary: c.describe(), stats: { ...c.stats, ...c.checker.stats, simMs: c.now } };
  }
}

/** The options a seed draws, for the failure report. */
export function describeOptions(seed: number): string {
  const o = drawOptions(new Rng(seed));
  return `voters=${o.voters} observers=${o.observers} commitLogCount=${o.commitLogCount} zxidCounterLimit=${o.zxidCounterLimit} delay=${o.delayMin}..${o.delayMax}ms drop=${o.dropRate} dup=${o.dupRate} disk=${o.diskDelayMin}..${o.diskDelayMax}ms`;
}

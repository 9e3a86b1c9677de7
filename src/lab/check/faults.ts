// The faults a checked run throws at the lab while its clients work, through the lab's own fault
// actions (the same list as the Network view and zk-lab fault: a partition is the relays', a
// kill or a pause the supervisor's, and healing one undoes it). A schedule alternates quiet
// spells and faults until the run's end, then heals whatever it started, so the lab is whole
// again when the checker looks at the history. The member hit first is the leader (where a
// fault tests the most: an election), then the others in turn.
import type { CheckFaults, Fault, FaultSpec, LabView } from '../../shared/contract';

export interface FaultHost {
  view(): LabView | null;
  fault(spec: FaultSpec): Promise<Fault>;
  heal(id: string): Promise<void>;
  /** A line for the run's log (what was done, in words). */
  log(text: string): void;
}

/** How long one fault holds and the quiet before it, for a run of `ms`: a few faults per run, each long enough for an election. */
export function rhythm(ms: number): { quietMs: number; holdMs: number } {
  return { quietMs: Math.min(3000, Math.max(500, ms / 6)), holdMs: Math.min(10_000, Math.max(1500, ms / 3)) };
}

const KINDS: Record<Exclude<CheckFaults, 'none'>, ('isolate' | 'kill' | 'pause')[]> = {
  partitions: ['isolate'],
  kills: ['kill'],
  pauses: ['pause'],
  mixed: ['isolate', 'kill', 'pause'],
};

/** The member the n-th fault hits: the leader first, then the members in turn (only those that run), never the last one twice running. */
export function target(view: LabView, n: number, last: number | null): number | null {
  const up = view.nodes.filter((x) => !x.observer && x.role !== 'down' && x.role !== 'paused');
  if (up.length === 0) return null;
  if (n === 0 && view.leader !== null && up.some((x) => x.myid === view.leader)) return view.leader;
  const others = up.length > 1 ? up.filter((x) => x.myid !== last) : up;
  return others[n % others.length]!.myid;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/**
 * Runs the schedule until `endAt` (performance.now() ms) or until `signal` aborts; every fault it
 * started is healed before it resolves. A fault the lab refuses (a member down already) is
 * logged and skipped.
 */
export async function runFaults(kind: CheckFaults, endAt: number, now: () => number, host: FaultHost, signal: AbortSignal): Promise<void> {
  if (kind === 'none') return;
  const kinds = KINDS[kind];
  const { quietMs, holdMs } = rhythm(endAt - now());
  let last: number | null = null;
  for (let n = 0; !signal.aborted; n++) {
    await sleep(quietMs, signal);
    // A fault needs its hold and a second after it for the ensemble to serve again in the run.
    if (signal.aborted || now() + holdMs + 1000 > endAt) return;
    const view = host.view();
    const myid: number | null = view ? target(view, n, last) : null;
    if (myid === null) {
      host.log('no member runs that a fault could hit; the schedule waits');
      continue;
    }
    const k = kinds[n % kinds.length]!;
    last = myid;
    let f: Fault;
    try {
      f = await host.fault({ kind: k, myid });
    } catch (e) {
      host.log(`the lab refused ${k} ${myid}: ${(e as Error).message}`);
      continue;
    }
    host.log(`${f.id}: ${f.description}${myid === view?.leader ? ' (the leader)' : ''}`);
    try {
      await sleep(holdMs, signal);
    } finally {
      // Healed even when the run is stopped: the lab is left whole.
      await host.heal(f.id).then(
        () => host.log(`${f.id} healed`),
        (e: Error) => host.log(`${f.id} could not be healed: ${e.message}; heal it from the Network view`),
      );
    }
  }
}

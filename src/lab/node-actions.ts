// What a node action does to the member's process (kill, stop, pause, resume, restart, start)
// or to how it applies commits (slow, unslow), recorded in the lab's history as it happens.
import type { NodeAction } from '../shared/contract';
import { LabError } from '../shared/errors';
import { said } from '../shared/said';
import type { LabSpec } from './labdir';
import { SLOW_APPLY_MS } from './process-faults';
import { saidEvent } from './said';
import type { Supervisor } from './supervisor';

export interface NodeActionDeps {
  sup: Supervisor;
  lab: LabSpec;
  /** An event of this member in the lab's history. */
  record(type: string, detail: string, data?: Record<string, unknown>): void;
  /** The lab's slow-apply fault on this member (0: off). */
  applyDelay(ms: number): Promise<unknown>;
  /** Starts the member's process (and records it). */
  start(): void;
}

/** Carries out `action` on member `myid` (the caller has checked the lab has it). */
export async function signalNode(myid: number, action: NodeAction, { sup, lab, record, applyDelay, start }: NodeActionDeps): Promise<void> {
  switch (action) {
    case 'kill':
      record('node.killed', ...saidEvent(said('nodeKilled', { myid })));
      await sup.signal(myid, 'SIGKILL');
      break;
    case 'stop':
      record('node.stopped', ...saidEvent(said('nodeStopped', { myid })));
      await sup.signal(myid, 'SIGTERM');
      break;
    case 'pause':
      await sup.signal(myid, 'SIGSTOP');
      record('node.paused', ...saidEvent(said('nodePaused', { myid })));
      break;
    case 'resume':
      await sup.signal(myid, 'SIGCONT');
      record('node.resumed', ...saidEvent(said('nodeResumed', { myid })));
      break;
    case 'slow':
    case 'unslow': {
      const n = lab.nodes.find((x) => x.myid === myid)!;
      if (n.engine === 'apache') throw new LabError('apacheNoSlowApply', { myid });
      if (!sup.isRunning(myid)) throw new LabError('nodeDown', { myid });
      await applyDelay(action === 'slow' ? SLOW_APPLY_MS : 0);
      record('node.slowed', ...saidEvent(action === 'slow' ? said('nodeSlowed', { myid, ms: SLOW_APPLY_MS }) : said('nodeUnslowed', { myid }), { applyDelayMs: action === 'slow' ? SLOW_APPLY_MS : 0 }));
      break;
    }
    case 'start':
    case 'restart':
      if (sup.isRunning(myid)) {
        record('node.stopped', ...saidEvent(said('nodeStoppedToRestart', { myid })));
        await sup.signal(myid, 'SIGTERM');
      }
      start();
      break;
  }
}

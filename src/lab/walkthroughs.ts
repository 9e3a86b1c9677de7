// The seed's claims as runnable walkthroughs: each one does to the lab what the tutorial
// describes (start members one by one from empty, kill the leader and a lagging member, take
// followers away until there is no majority, move a session by killing its member, …) with the
// lab's real actions, shows every step as it happens and ends with what the seed says beside
// what the ensemble did. Nothing here is simulated: the verdict is read from the members. The
// walkthroughs themselves are in learn/, one file per group; their words in src/shared/walkthroughs.ts.
import type { LabView, WalkthroughId, WalkthroughPace, WalkthroughState } from '../shared/contract';
import { WALKTHROUGHS } from '../shared/walkthroughs';
import { configAndMembership, discovery } from './learn/apps';
import { sessionMoves, writeFlow } from './learn/clients';
import type { Walk, WalkthroughControl } from './learn/control';
import { nodeTypes, zxid } from './learn/data';
import { electionAfterFailure, electionFromEmpty, majority } from './learn/elections';
import { lock } from './learn/lock';
import { roles } from './learn/roles';
import { sizing } from './learn/sizing';
import { syncModes } from './learn/sync';
import { watches } from './learn/watches';
import { broadcast, partition, recoveryCommitted, recoveryDiscarded, writeViaFollower } from './learn/zab';

export type { WalkthroughControl } from './learn/control';

interface Step {
  text: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  observed: string;
  key?: boolean;
}

/** At once, no pauses: zk-lab and tests. */
const AT_ONCE: WalkthroughPace = { mode: 'auto', delayMs: 0, pauseAtKey: false };

const RUN: Record<WalkthroughId, (w: Walk) => Promise<void>> = {
  'election-from-empty': electionFromEmpty,
  'election-after-failure': electionAfterFailure,
  majority,
  'write-flow': writeFlow,
  'session-moves': sessionMoves,
  partition,
  'write-via-follower': writeViaFollower,
  'recovery-committed': recoveryCommitted,
  'recovery-discarded': recoveryDiscarded,
  zxid,
  'node-types': nodeTypes,
  watches,
  broadcast,
  roles,
  'sync-modes': syncModes,
  lock,
  'config-and-membership': configAndMembership,
  discovery,
  sizing,
};

/** Walkthroughs that run on any ensemble of 3 voters or more (the others follow the seed's five). */
const ANY_ENSEMBLE: WalkthroughId[] = ['session-moves', 'write-via-follower', 'recovery-committed', 'recovery-discarded', 'write-flow', 'zxid', 'node-types', 'watches', 'broadcast', 'roles', 'sync-modes', 'lock', 'config-and-membership', 'discovery'];

export class Walkthroughs implements Walk {
  private state: WalkthroughState | null = null;
  private stopping = false;
  private pace: WalkthroughPace = AT_ONCE;
  /** Resolves the wait before a step (next, or stop). */
  private wake: (() => void) | null = null;
  private nextIsKey = false;

  constructor(readonly lab: WalkthroughControl) {}

  current(): WalkthroughState | null {
    return this.state;
  }

  /**
   * Throws, saying what to do, when walkthrough `id` cannot run on the lab as it is, or when it
   * erases data and the person has not confirmed it.
   */
  check(id: WalkthroughId, confirm = false): void {
    if (this.state?.running) throw new Error(`"${this.state.title}" is running; wait for it or stop it.`);
    const view = this.lab.view();
    if (!view) throw new Error('There is no lab yet: launch a 5-node lab first.');
    if (view.attached) throw new Error('This ensemble is attached: walkthroughs stop and start members, so they run on a lab the lab launched.');
    if (id === 'majority') {
      if (view.nodes.filter((n) => !n.observer).length < 2) throw new Error('The majority rule needs an ensemble: launch a lab of 2 to 7 voting members (5 for the seed\'s case, 4 to see that an even size tolerates no more failures than one member fewer).');
    } else if (id === 'sizing') {
      // It launches labs of its own beside this one: this lab may be of any size.
    } else if (!ANY_ENSEMBLE.includes(id) && (view.nodes.length !== 5 || view.nodes.some((n) => n.observer))) {
      throw new Error('This walkthrough follows the seed: it needs a lab of 5 voting members. Destroy this lab and launch a 5-node one without observers.');
    }
    if (ANY_ENSEMBLE.includes(id) && view.nodes.filter((n) => !n.observer).length < 3) throw new Error('This walkthrough needs an ensemble: launch a lab of 3 or 5 members.');
    if (id === 'write-flow' && view.nodes.some((n) => n.engine !== 'ours')) throw new Error('The write flow slows a follower down with a fault only our server has: launch a lab of our server (not Apache ZooKeeper).');
    if (id === 'roles' && !view.nodes.some((n) => n.observer)) throw new Error('This walkthrough shows an observer beside the leader and followers: destroy this lab and launch one with an observer (Launch options, or zk-lab launch --observers 1).');
    if (id === 'watches' && view.nodes.some((n) => n.engine !== 'ours')) throw new Error("This walkthrough reads each watch's kind from the members' watch tables, which only our server gives (lab_watches): launch a lab of our server.");
    const erases = WALKTHROUGHS[id].erases;
    if (erases && !confirm) throw new Error(`"${WALKTHROUGHS[id].title}" erases ${erases}. Confirm it (export the tree first if you want to keep it) and run it again.`);
  }

  /** Runs a walkthrough; resolves when it has ended (the UI follows the pushes). */
  async run(id: WalkthroughId, confirm = false, pace: WalkthroughPace = AT_ONCE): Promise<WalkthroughState> {
    this.check(id, confirm);
    this.stopping = false;
    this.nextIsKey = false;
    this.pace = pace;
    const title = WALKTHROUGHS[id].title;
    this.state = { id, title, running: true, steps: [], verdict: null, seedSays: null, labSaw: null, passed: null, error: null, startedAt: Date.now(), endedAt: null, waitingBefore: null, pace };
    this.lab.record('walkthrough.started', `walkthrough started: ${title}`, { id });
    this.publish();
    try {
      await RUN[id](this);
    } catch (e) {
      const s = this.state;
      const running = s.steps.find((x) => x.status === 'running');
      if (running) running.status = 'failed';
      s.error = (e as Error).message;
      s.passed = false;
    } finally {
      this.state.running = false;
      this.state.endedAt = Date.now();
      this.lab.record('walkthrough.ended', `walkthrough ended: ${title}: ${this.state.passed ? 'as the seed says' : this.state.error ?? 'not as the seed says'}`, { id, passed: this.state.passed });
      this.publish();
    }
    return this.state;
  }

  /** Asks a running walkthrough to stop after its current step (or at once, when it waits before one). */
  stop(): void {
    if (!this.state?.running) return;
    this.stopping = true;
    this.wake?.();
  }

  /** Lets a walkthrough waiting before a step go on, at `pace` from now on if given. */
  next(pace?: WalkthroughPace): void {
    if (!this.state?.running) throw new Error('No walkthrough is running.');
    if (pace) {
      this.pace = pace;
      this.state.pace = pace;
    }
    if (!this.wake) throw new Error('The walkthrough is not waiting: it goes on by itself.');
    this.wake();
  }

  /** Waits before a step as the pace says: for next, or for the delay (both cut short by stop). */
  private async waitBefore(text: string, key: boolean): Promise<void> {
    const { mode, delayMs, pauseAtKey } = this.pace;
    const forNext = mode === 'step' || (key && pauseAtKey);
    if (!forNext && delayMs === 0) return;
    if (forNext) {
      this.state!.waitingBefore = text;
      this.publish();
    }
    await new Promise<void>((resolve) => {
      const timer = forNext ? null : setTimeout(() => resolve(), delayMs);
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
    this.state!.waitingBefore = null;
  }

  private publish(): void {
    if (this.state) this.lab.push(structuredClone(this.state));
  }

  keyNext(): void {
    this.nextIsKey = true;
  }

  async step<T>(text: string, body: () => Promise<T>, observe: (r: T) => string = () => '', opts: { key?: boolean } = {}): Promise<T> {
    if (this.nextIsKey) opts = { ...opts, key: true };
    this.nextIsKey = false;
    const stopped = (): Error => new Error('Stopped on request; the lab is as the last step left it.');
    if (this.stopping) throw stopped();
    if (this.state!.steps.length > 0 || opts.key) await this.waitBefore(text, opts.key ?? false);
    if (this.stopping) throw stopped();
    const step: Step = { text, status: 'running', observed: '', ...(opts.key ? { key: true } : {}) };
    this.state!.steps.push(step);
    this.publish();
    const r = await body();
    step.status = 'done';
    step.observed = observe(r);
    this.publish();
    return r;
  }

  finish(claim: string, observed: string, passed: boolean): void {
    const s = this.state!;
    s.seedSays = `${claim[0]!.toUpperCase()}${claim.slice(1)}.`;
    s.labSaw = `${observed[0]!.toUpperCase()}${observed.slice(1)}.`;
    s.verdict = `The seed says: ${claim}. The lab saw: ${observed}.`;
    s.passed = passed;
  }

  async until(what: string, ok: (v: LabView) => boolean, ms = 60_000): Promise<LabView> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = this.lab.view();
      if (!v) throw new Error('The lab was closed during the walkthrough.');
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`Waited ${ms / 1000} s for ${what}; look at the Cluster view and the members' logs (Terminals).`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  role(v: LabView, myid: number): string {
    return v.nodes.find((n) => n.myid === myid)?.role ?? 'down';
  }

  roles(v: LabView, ids: number[]): string {
    return ids.map((i) => `${i} ${this.role(v, i)}`).join(', ');
  }
}

// What a walkthrough may do to the lab (WalkthroughControl, given by the service) and the runner's
// tools every walkthrough uses (Walk): a step shown as it happens with what the members showed,
// waiting on the lab's polled view, and the verdict.
import type { Fault, FaultSpec, LabSize, LabView, NodeAction, WalkthroughState, WireCapture, WireMessage, WireQuery } from '../../shared/contract';
import type { LockPlayground } from '../locks/playground';

export interface WalkthroughControl {
  view(): LabView | null;
  node(myid: number, action: NodeAction): Promise<unknown>;
  /** The folder of node `myid` (its dataDir is `data` inside). */
  nodeDir(myid: number): string;
  /** A client address per member. */
  address(myid: number): string;
  /** The lab was launched with read-only mode (readonlymode.enabled): a member cut off from its quorum serves read-only clients. */
  readOnlyMode(): boolean;
  record(type: 'walkthrough.started' | 'walkthrough.ended', detail: string, data: Record<string, unknown>): void;
  /** The members' logs were erased: epochs start again at 0, so the history must not take the next leader for a stale reading of the old one. */
  erased(): void;
  /** Sets the lab fault that makes member `myid` apply commits `ms` late (our server only). */
  applyDelay(myid: number, ms: number): Promise<void>;
  /** Starts a fault of the lab's network (throws a sentence when there is no network). */
  fault(spec: FaultSpec): Promise<Fault>;
  heal(id: string): Promise<void>;
  /** The Wire capture. */
  wire(query: WireQuery): WireCapture;
  push(state: WalkthroughState): void;
  /**
   * Launches a lab of `size` voters of our server beside this one (a folder of its own next to
   * this lab's, its own members and network), for a walkthrough that compares sizes. Its
   * `destroy` stops its members and removes its folder; a walkthrough always calls it.
   */
  sideLab(size: LabSize): Promise<SideLab>;
  /** The lab's lock playground (the Locks view shows the runs a walkthrough starts there). */
  locks: Pick<LockPlayground, 'start' | 'state' | 'stop' | 'fault'>;
}

export interface SideLab {
  name: string;
  view(): LabView | null;
  address(myid: number): string;
  destroy(): Promise<void>;
}

/** The runner as a walkthrough sees it. */
export interface Walk {
  readonly lab: WalkthroughControl;
  /**
   * Runs one step: shown as running, then done with what `observe` says the members showed.
   * `key`: the step where the claim is seen (a paced run pauses just before it).
   */
  step<T>(text: string, body: () => Promise<T>, observe?: (r: T) => string, opts?: { key?: boolean }): Promise<T>;
  /** The next step is the moment the claim is seen: a paced run pauses just before it. */
  keyNext(): void;
  /** Polls the lab's view (the poller reads every member a few times a second) until `ok`. */
  until(what: string, ok: (v: LabView) => boolean, ms?: number): Promise<LabView>;
  /** The verdict: the seed's claim, what the members showed, and whether they agree. */
  finish(claim: string, observed: string, passed: boolean): void;
  role(v: LabView, myid: number): string;
  roles(v: LabView, ids: number[]): string;
}

/** A zxid as the seed speaks of it, epoch/counter, with the hex beside: "1/8 (0x100000008)". */
export function zxidText(hex: string | bigint | null): string {
  if (hex === null) return 'unknown';
  const z = typeof hex === 'bigint' ? hex : BigInt(`0x${hex.replace(/^0x/, '')}`);
  return `${z >> 32n}/${z & 0xffffffffn} (0x${z.toString(16)})`;
}

/** A zxid's counter (its low 32 bits), the number the seed's election table shows. */
export function zxidCounter(hex: string | null): string {
  return hex === null ? '?' : String(BigInt(`0x${hex.replace(/^0x/, '')}`) & 0xffffffffn);
}

/**
 * How the new leader syncs the returning one, in words. Both engines choose as ZooKeeper 3.8's
 * LearnerHandler.syncFollower does (ours: src/server/quorum/zab/sync-plan.ts): a learner whose
 * last txn is past everything the leader has, in an older epoch, is cut back (TRUNC to the
 * leader's last txn); but once the leader has logged a txn of its own epoch, the learner's
 * history forked in an older one, queueCommittedProposals will not TRUNC across an epoch
 * boundary (its comment: the learner would crash) and syncFollower falls back to a SNAP, which
 * replaces the learner's data. Which one a run sees depends on whether the new leader wrote
 * before the old one came back (a session expiring is a write). recovery-discarded tells it
 * beside its verdict; sync-modes, whose claim is the TRUNC, says why when it saw a SNAP.
 */
export function syncWhy(m: WireMessage | null, returning: number): string {
  if (m === null) return 'no DIFF, TRUNC or SNAP seen on the wire';
  const z = m.zxid ? zxidText(m.zxid) : '?';
  if (m.type === 'TRUNC') return `TRUNC to ${z}: leader ${m.from} had written nothing in its own epoch yet, so ${returning}'s log simply ran past the leader's last txn and was cut back to it`;
  if (m.type === 'SNAP') return `SNAP at ${z}: leader ${m.from} had already written in its own epoch, and ZooKeeper 3.8 (our server follows it) never TRUNCs a learner back across an epoch boundary (LearnerHandler.syncFollower), so it sent its whole tree, which replaced ${returning}'s data, the proposal with it`;
  // A DIFF to the leader's own last txn: the returning member's log held nothing past it. The
  // leader sends a PROPOSAL while its own log write is still queued (ZAB logs and proposes at
  // once), so a kill that comes first leaves the proposal on no disk at all.
  if (m.type === 'DIFF') return `DIFF ${z}: ${returning}'s log ended at leader ${m.from}'s last txn, so the proposal had not reached ${returning}'s disk when it was killed (a leader proposes while its own log write is still under way) and there was nothing to roll back`;
  return `${m.type} ${z}`;
}

/** Waits for a serving ensemble, or fails saying what to do. */
export async function serving(w: Walk, allUp = false): Promise<LabView> {
  const what = allUp ? 'a serving ensemble with every member up' : 'a serving ensemble';
  return w.until(what, (v) => v.serving && v.leader !== null && (!allUp || v.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role))), 30_000).catch(() => {
    throw new Error(`The ensemble is not serving${allUp ? ' with every member up' : ''} now: start its members (Cluster view) and run this again.`);
  });
}

// Polls every node of a lab through its AdminServer a few times a second. Each round gives the
// nodes' states (for the UI), the lab's events (through the EnsembleObserver), a sample per node
// for the history (every second, and at once when a role or epoch moves), and the events our
// server's members logged about themselves since the last round (AdminServer `lab_events`).
// Rounds never overlap: the next one is scheduled when the last one is done.
import { readFileSync } from 'node:fs';
import type { Role, Sample } from '../shared/contract';
import { readAdmin, readMemberEvents, UNREACHABLE, zxidCounter, type AdminState, type MemberEvent } from './admin';
import { fourLetter } from './attach';
import { EnsembleObserver, type ObservedEvent } from './observer';

export const POLL_MS = 250;
const SAMPLE_MS = 1000;

/** What the poller needs to know of a node from the supervisor. */
export interface PollTarget {
  myid: number;
  adminPort: number;
  engine: 'ours' | 'apache' | 'external';
  observer: boolean;
  running: boolean;
  paused: boolean;
  pid: number | null;
  /** The member's dataDir/version-2/currentEpoch, when the lab owns its dataDir. */
  epochFile: string | null;
  /** The member's own client port, for its config version (4lw conf); null: not read. */
  clientPort?: number | null;
}

/** How often each member's config version is read (a four-letter word: each one is a line in its log). */
const CONF_MS = 2000;

/** The version of the dynamic config a member's `conf` names (its `membership:` ends `version=<hex>`). */
export function configVersionOf(conf: string): string | null {
  return /^version=([0-9a-f]+)\s*$/m.exec(conf)?.[1] ?? null;
}

/**
 * The epoch a member is in, from its currentEpoch file. The AdminServer's zab_epoch is the epoch
 * of the member's last zxid, which lags: a follower of Apache ZooKeeper that synced no txn yet
 * still says 0. Both engines keep the file in ZooKeeper's format (the number in decimal).
 */
export function readCurrentEpoch(file: string): number | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

export interface PollSink {
  /** Lab events the observer derived. */
  observed(events: ObservedEvent[]): void;
  /** Events a member logged itself. */
  memberEvents(myid: number, events: MemberEvent[]): void;
  samples(rows: Sample[]): void;
  /** A round is done; states may have changed. */
  polled(): void;
}

export class Poller {
  /** Every node's state as of the last whole round (never half of one: views and events agree). */
  states = new Map<number, AdminState>();
  private readonly observer = new EnsembleObserver();
  /** Per node: the pid whose event log we follow and the last seq read from it. */
  private readonly cursors = new Map<number, { pid: number; seq: number }>();
  private lastSampleAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Per member: the config version it named last, and when it was read. */
  private readonly confs = new Map<number, { pid: number | null; at: number; version: string | null }>();

  constructor(
    private readonly targets: () => PollTarget[],
    private readonly sink: PollSink,
  ) {}

  /** Polls every POLL_MS until stop(). */
  start(): void {
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      void this.pollOnce().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, POLL_MS);
      });
    };
    loop();
  }

  /** A member's config version as read last (null: not known, or the member is down). */
  configVersion(myid: number, pid: number | null): string | null {
    const c = this.confs.get(myid);
    return c && c.pid === pid ? c.version : null;
  }

  /** Reads the config versions again at the next round (a membership change was just made). */
  refreshConfigs(): void {
    this.confs.clear();
  }

  private async readConfigVersion(t: PollTarget): Promise<void> {
    const c = this.confs.get(t.myid);
    if (c && c.pid === t.pid && Date.now() - c.at < CONF_MS) return;
    try {
      const version = configVersionOf(await fourLetter('127.0.0.1', t.clientPort!, 'conf'));
      this.confs.set(t.myid, { pid: t.pid, at: Date.now(), version: version ?? (c?.pid === t.pid ? c.version : null) });
    } catch {
      // Not listening on its client port yet: asked again next round.
    }
  }

  /** The members' logs were erased (a walkthrough): their epochs start again (EnsembleObserver.forgetEpoch). */
  forgetEpochs(): void {
    this.observer.forgetEpoch();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One round now (or joins the round under way), e.g. right after the lab acted on a node. */
  pollOnce(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<void> {
    const targets = this.targets();
    const next = new Map<number, AdminState>();
    await Promise.all(
      targets.map(async (t) => {
        const before = this.states.get(t.myid) ?? null;
        if (!t.running) next.set(t.myid, { ...UNREACHABLE, role: 'down' });
        // A stopped process cannot answer; keep what it said last and call it paused.
        else if (t.paused) next.set(t.myid, { ...(before ?? UNREACHABLE), role: 'paused' });
        else {
          const s = await readAdmin(t.adminPort, before);
          const epoch = s.reachable && t.epochFile ? readCurrentEpoch(t.epochFile) : null;
          next.set(t.myid, epoch !== null && s.role !== 'standalone' ? { ...s, epoch } : s);
          if (s.reachable && t.clientPort) await this.readConfigVersion(t);
          if (t.engine === 'ours' && t.pid !== null && s.reachable) await this.followMemberLog(t);
        }
      }),
    );
    this.states = next;
    if (this.stopped) return;
    const now = Date.now();
    const events = this.observer.observe(
      now,
      targets.map((t) => {
        const s = this.states.get(t.myid)!;
        return { myid: t.myid, observer: t.observer, running: t.running, role: s.role, epoch: s.epoch, lastZxid: s.lastZxid };
      }),
    );
    if (events.length > 0) this.sink.observed(events);
    if (events.length > 0 || now - this.lastSampleAt >= SAMPLE_MS) {
      this.lastSampleAt = now;
      this.sink.samples(
        targets.map((t) => {
          const s = this.states.get(t.myid)!;
          return {
            time: now,
            myid: t.myid,
            role: s.role as Role,
            epoch: s.epoch,
            zxid: s.lastZxid,
            zxidCounter: s.lastZxid !== null ? zxidCounter(s.lastZxid) : null,
            connections: s.connections,
            outstanding: s.outstanding,
            avgLatency: s.avgLatency,
          };
        }),
      );
    }
    this.sink.polled();
  }

  private async followMemberLog(t: PollTarget): Promise<void> {
    let cur = this.cursors.get(t.myid);
    if (!cur || cur.pid !== t.pid) cur = { pid: t.pid!, seq: 0 };
    const got = await readMemberEvents(t.adminPort, cur.seq);
    if (!got) return;
    // The answer is from another process than the one we started (a port taken over): ignore it.
    if (got.pid !== null && got.pid !== t.pid) return;
    if (got.events.length > 0) this.sink.memberEvents(t.myid, got.events);
    this.cursors.set(t.myid, { pid: t.pid!, seq: Math.max(cur.seq, got.lastSeq) });
  }
}

// The Load panel's side of the lab backend: one load run at a time against the lab's members
// (src/lab/load.ts), the last five minutes of its seconds and of what happened to the ensemble
// meanwhile (the lab's own events: kills, elections, new leaders) for the charts, a push to the UI
// every second, and each run's summary in the lab history.
import type { HistoryEvent, LoadRunSummary, LoadSample, LoadStatus, Push } from '../shared/contract';
import type { History } from './history';
import type { HistoryOp } from '../shared/check/history';
import { LoadGenerator, parseLoadSettings, type LoadMember } from './load';

/** How much of a run the panel keeps in memory (the history keeps its summary). */
export const LOAD_WINDOW_MS = 5 * 60_000;

/** The lab's events that mark the load charts: what was done to members and what the ensemble did. */
export const LOAD_MARK_TYPES: ReadonlySet<string> = new Set([
  'node.killed',
  'node.stopped',
  'node.paused',
  'node.resumed',
  'node.started',
  /** Only when a member crashed by itself (the lab's own kills and stops are marked already). */
  'node.exited',
  'ensemble.election.started',
  'ensemble.election.ended',
  'ensemble.leader.changed',
]);

export interface LoadPanelHost {
  /** The members to send load to; throws a sentence when there are none the lab may load. */
  members(): LoadMember[];
  history(): History | null;
  push(p: Push): void;
  /** A run's recorded history (time 0 at `startedAt`), to be checked and kept beside the checked runs. */
  recorded?(ops: readonly HistoryOp[], startedAt: number, name: string): void;
}

export class LoadPanel {
  private gen: LoadGenerator | null = null;
  private starting = false;
  private stopping = false;
  private samples: LoadSample[] = [];
  private marks: HistoryEvent[] = [];
  private lastRun: LoadRunSummary | null = null;
  /** Moves on every reset, so that a start still connecting when the lab went away knows it. */
  private era = 0;

  constructor(private readonly host: LoadPanelHost) {}

  /** The run's state as the UI shows it. */
  status(): LoadStatus {
    const g = this.gen;
    const totals = g?.totals() ?? { ops: 0, errors: {} };
    return {
      state: this.starting ? 'starting' : this.stopping ? 'stopping' : g ? 'running' : 'idle',
      settings: g?.settings ?? null,
      startedAt: g?.startedAt ?? null,
      path: g?.path ?? null,
      sessions: g?.sessionsView() ?? [],
      ops: totals.ops,
      errors: totals.errors,
      lastRun: this.lastRun,
    };
  }

  /** Status with the window of seconds and marks (for a view that opens while a run is on). */
  view(): { status: LoadStatus; samples: LoadSample[]; marks: HistoryEvent[] } {
    return { status: this.status(), samples: this.samples, marks: this.marks };
  }

  /** The runs the lab history keeps, newest first. */
  runs(): LoadRunSummary[] {
    return this.host.history()?.loadRuns() ?? [];
  }

  /** An event the lab recorded: a mark on the charts if a run is on and it tells of the ensemble. */
  observe(e: HistoryEvent): void {
    if (e.source !== 'lab' || !LOAD_MARK_TYPES.has(e.type) || (!this.gen && !this.starting)) return;
    if (e.type === 'node.exited' && e.data.kind !== 'crashed') return;
    this.marks.push(e);
    this.trim();
    this.host.push({ kind: 'load', status: this.status(), sample: null, marks: [e] });
  }

  /** Starts a run; refuses (changing nothing) when one is on, the settings are bad or the ensemble does not serve. */
  async start(input: unknown): Promise<LoadStatus> {
    if (this.gen || this.starting) throw new Error('A load is running already: stop it first, or change its rate and mix with Apply.');
    const settings = parseLoadSettings(input);
    const members = this.host.members();
    const era = this.era;
    this.starting = true;
    this.samples = [];
    this.marks = [];
    this.pushStatus();
    let gen: LoadGenerator;
    try {
      const left = this.runs().filter((r) => r.cleanup.startsWith('left ')).map((r) => r.path);
      gen = await LoadGenerator.start(members, settings, { onSample: (s) => this.onSample(s), removeRuns: left });
    } finally {
      this.starting = false;
    }
    if (era !== this.era) {
      // The lab went away while the sessions connected.
      gen.abort('the lab stopped while the load started');
      this.pushStatus();
      throw new Error('The lab stopped while the load was starting; nothing runs.');
    }
    this.gen = gen;
    this.pushStatus();
    return this.status();
  }

  /** Changes rate, mix and payload of the run under way. */
  update(input: unknown): LoadStatus {
    if (!this.gen || this.stopping) throw new Error('No load is running: start one with these settings.');
    this.gen.update(input);
    this.pushStatus();
    return this.status();
  }

  /** Stops the run, removes its znodes and keeps its summary in the history. */
  async stop(): Promise<LoadRunSummary> {
    const g = this.gen;
    if (!g) throw new Error(this.starting ? 'The load is still starting; stop it once it runs.' : 'No load is running.');
    if (this.stopping) throw new Error('The load is stopping already.');
    this.stopping = true;
    this.pushStatus();
    try {
      const result = await g.stop();
      const kept = this.keep({ ...result, reason: 'stopped from the Load panel' });
      this.host.recorded?.(g.recorded(), g.startedAt, `steady load run ${kept.id}`);
      return kept;
    } finally {
      this.gen = null;
      this.stopping = false;
      this.pushStatus();
    }
  }

  /** The lab is going away (destroyed, or the app closes): the run ends now, its summary is kept, the window is emptied. */
  reset(why: string): void {
    this.era++;
    const g = this.gen;
    this.gen = null;
    this.stopping = false;
    if (g) {
      const kept = this.keep({ ...g.abort(why), reason: why });
      this.host.recorded?.(g.recorded(), g.startedAt, `steady load run ${kept.id}`);
    }
    this.samples = [];
    this.marks = [];
    this.lastRun = null;
  }

  private keep(run: Omit<LoadRunSummary, 'id'>): LoadRunSummary {
    const summary = this.host.history()?.loadRun(run) ?? { id: 0, ...run };
    this.lastRun = summary;
    return summary;
  }

  private onSample(s: LoadSample): void {
    this.samples.push(s);
    this.trim();
    this.host.push({ kind: 'load', status: this.status(), sample: s, marks: [] });
  }

  private pushStatus(): void {
    this.host.push({ kind: 'load', status: this.status(), sample: null, marks: [] });
  }

  private trim(): void {
    const cut = Date.now() - LOAD_WINDOW_MS;
    if (this.samples.length > 0 && this.samples[0]!.time < cut) this.samples = this.samples.filter((s) => s.time >= cut);
    if (this.marks.length > 0 && this.marks[0]!.time < cut) this.marks = this.marks.filter((m) => m.time >= cut);
  }
}

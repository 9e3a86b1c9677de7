// Replay: a moment of the lab's past, chosen on the Timeline's scrubber (or with ← →), that the
// Cluster view shows instead of now. The Timeline hands over what it loaded from the lab's
// SQLite history (samples every second and at every change, and events); the state of each
// member at the moment is the last sample at or before it.
import { useEffect, useState } from 'react';
import type { HistoryEvent, Sample } from '../shared/contract';
import { FaultSpec } from '../shared/net';
import { faultText } from './i18n';

/** What a fault that started then did, in the page's language (from its spec), else as the event says it. */
function pastFault(e: HistoryEvent): string {
  const english = e.detail.replace(/^[^:]*: /, '');
  const spec = FaultSpec.safeParse(e.data?.spec);
  return spec.success ? faultText({ spec: spec.data, description: english }) : english;
}

export interface MemberThen {
  myid: number;
  role: string;
  epoch: number | null;
  zxid: string | null;
  /** When this sample was taken (at or before the moment). */
  sampledAt: number;
}

export interface FaultThen {
  id: string;
  description: string;
  startedAt: number;
}

export interface LabThen {
  at: number;
  members: MemberThen[];
  /** Network faults in force at the moment (started and not yet healed). */
  faults: FaultThen[];
  /** Events within `window` ms of the moment, oldest first. */
  around: HistoryEvent[];
}

/** What the lab's actions on a member make of it until the next sample (null: a sample will say). */
const ACTION_ROLE: Record<string, string | null> = { 'node.killed': 'down', 'node.stopped': 'down', 'node.paused': 'paused', 'node.started': null, 'node.resumed': null };

/** How far a sample may lie before the moment and still say how the member was (samples come every second). */
const SAMPLE_REACH_MS = 5000;

/** Each member's state, the faults in force and the events around `at`. */
export function stateAt(samples: Sample[], events: HistoryEvent[], at: number, window = 30_000): LabThen {
  const last = new Map<number, Sample>();
  for (const s of samples) {
    if (s.time > at) continue;
    const prev = last.get(s.myid);
    if (!prev || s.time >= prev.time) last.set(s.myid, s);
  }
  // The lab's own actions on a member are exact, samples come at most every second: a kill (or
  // stop, or pause) after the member's last sample and before the moment says how it was, even
  // when it was started again before any sample saw it down.
  const acted = new Map<number, HistoryEvent>();
  for (const e of events) {
    if (e.source !== 'lab' || e.myid === null || e.myid === undefined || e.time > at || !(e.type in ACTION_ROLE)) continue;
    const prev = acted.get(e.myid);
    if (!prev || e.time >= prev.time) acted.set(e.myid, e);
  }
  const members = [...last.values()]
    .filter((s) => at - s.time <= SAMPLE_REACH_MS)
    .sort((a, b) => a.myid - b.myid)
    .map((s) => {
      const e = acted.get(s.myid);
      const role = e && e.time > s.time && ACTION_ROLE[e.type] !== null ? ACTION_ROLE[e.type]! : s.role;
      return { myid: s.myid, role, epoch: s.epoch, zxid: s.zxid, sampledAt: s.time };
    });
  const faults = new Map<string, FaultThen>();
  for (const e of [...events].sort((a, b) => a.time - b.time || a.id - b.id)) {
    if (e.time > at) break;
    const id = typeof e.data?.id === 'string' ? e.data.id : null;
    if (id === null) continue;
    if (e.type === 'net.fault.started') faults.set(id, { id, description: pastFault(e), startedAt: e.time });
    else if (e.type === 'net.fault.healed') faults.delete(id);
  }
  return { at, members, faults: [...faults.values()], around: events.filter((e) => Math.abs(e.time - at) <= window) };
}

interface Store {
  at: number | null;
  samples: Sample[];
  events: HistoryEvent[];
}

let store: Store = { at: null, samples: [], events: [] };
const listeners = new Set<(s: Store) => void>();

function set(next: Partial<Store>): void {
  store = { ...store, ...next };
  for (const l of listeners) l(store);
}

/** The Timeline's history, for the moments the scrubber picks. */
export function offerHistory(samples: Sample[], events: HistoryEvent[]): void {
  set({ samples, events });
}

/** The moment being replayed now (null: live), read at the time of the call, not of a render. */
export function replayedAt(): number | null {
  return store.at;
}

/** Replays `at` (ms since the epoch), or returns to live with null. */
export function replayAt(at: number | null): void {
  set({ at });
}

/** The moment being replayed (null: live) and the history it is read from. */
export function useReplay(): Store {
  const [s, setS] = useState(store);
  useEffect(() => {
    listeners.add(setS);
    setS(store);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}

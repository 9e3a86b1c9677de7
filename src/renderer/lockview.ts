// The lock playground's pure parts: the form and its defaults, the sentence above the queue
// graph, how acquisitions spread over clients and members, and the frames a run is replayed
// from (kept in the view as the run's pushes arrive).
import type { LockRunView, LockSettings, LockStrategy } from '../shared/contract';
import { t } from './i18n';

export interface LockForm {
  clients: number | string;
  strategy: LockStrategy;
  holdMs: number | string;
  thinkMs: number | string;
  durationS: number | string;
  acquisitions: number | string;
  lockPath: string;
}

/**
 * Defaults a person can watch: eight clients holding a quarter of a second each make about four
 * handoffs a second for 30 s (100 acquisitions of 20 ms were over in about 4 s).
 */
export const DEFAULT_LOCK_FORM: LockForm = { clients: 8, strategy: 'seed', holdMs: 250, thinkMs: 250, durationS: 30, acquisitions: '', lockPath: '/playground/lock' };

/** The shortest a run of these settings can last (one holder at a time), in ms; null: no end but the duration. */
export function shortestRunMs(s: LockSettings): number {
  const byCount = s.acquisitions === null ? Infinity : s.acquisitions * s.holdMs;
  const byTime = s.durationMs ?? Infinity;
  return Math.min(byCount, byTime);
}

/** The settings, or for each bad field the sentence that says what to change. */
export function checkLockForm(f: LockForm): { settings: LockSettings | null; errors: Partial<Record<keyof LockForm, string>> } {
  const errors: Partial<Record<keyof LockForm, string>> = {};
  const num = (v: number | string): number => (typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v));
  const clients = num(f.clients);
  if (!Number.isInteger(clients) || clients < 1 || clients > 50) errors.clients = t('locks.errClients');
  const holdMs = num(f.holdMs);
  if (!Number.isInteger(holdMs) || holdMs < 0 || holdMs > 60_000) errors.holdMs = t('locks.errHold');
  const thinkMs = num(f.thinkMs);
  if (!Number.isInteger(thinkMs) || thinkMs < 0 || thinkMs > 60_000) errors.thinkMs = t('locks.errThink');
  const durationS = String(f.durationS).trim() === '' ? null : num(f.durationS);
  if (durationS !== null && (!Number.isFinite(durationS) || durationS < 1 || durationS > 3600)) errors.durationS = t('locks.errDuration');
  const acquisitions = String(f.acquisitions).trim() === '' ? null : num(f.acquisitions);
  if (acquisitions !== null && (!Number.isInteger(acquisitions) || acquisitions < 1)) errors.acquisitions = t('locks.errAcquisitions');
  if (durationS === null && acquisitions === null && !errors.durationS && !errors.acquisitions) errors.durationS = t('locks.errNeither');
  if (!/^\/[^/]/.test(f.lockPath) || f.lockPath.endsWith('/')) errors.lockPath = 'A znode path such as /playground/lock.';
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  return {
    settings: { clients, strategy: f.strategy, holdMs, thinkMs, durationMs: durationS === null ? null : Math.round(durationS * 1000), acquisitions, lockPath: f.lockPath },
    errors,
  };
}

/** The sentence above the queue graph, true to what the graph draws at that moment. */
export function queueCaption(run: LockFrame): string {
  const waiters = run.clients.filter((c) => c.watching !== null || c.state === 'waiting').length;
  const w = t('locks.nClients', { count: waiters });
  if (run.settings.strategy === 'naive') {
    // The naive lock has one node: its waiters have no node of their own and are drawn under it.
    if (run.children.length === 0) return waiters > 0 ? t('locks.capNaiveRace', { w }) : t('locks.capNaiveNone');
    const holder = run.holders[0];
    return t(holder !== undefined ? 'locks.capNaiveHeld' : 'locks.capNaive', { name: run.children[0]!.name, holder, w, count: waiters });
  }
  if (run.children.length === 0) return waiters > 0 ? t('locks.capQueueSoon', { w }) : t('locks.capNoChild');
  const n = run.children.length;
  return t('locks.capQueue', { count: n });
}

export interface Spread {
  total: number;
  clients: { id: number; member: number | null; acquisitions: number; share: number }[];
  members: { member: number; clients: number; acquisitions: number; share: number }[];
}

/** How the acquisitions of a run spread over its clients and over the members they use. */
export function spreadOf(run: Pick<LockRunView, 'clients'>): Spread {
  const total = run.clients.reduce((a, c) => a + c.acquisitions, 0);
  const share = (n: number): number => (total === 0 ? 0 : n / total);
  const clients = run.clients.map((c) => ({ id: c.id, member: c.member, acquisitions: c.acquisitions, share: share(c.acquisitions) }));
  const byMember = new Map<number, { clients: number; acquisitions: number }>();
  for (const c of run.clients) {
    if (c.member === null) continue;
    const m = byMember.get(c.member) ?? { clients: 0, acquisitions: 0 };
    m.clients++;
    m.acquisitions += c.acquisitions;
    byMember.set(c.member, m);
  }
  const members = [...byMember.entries()].sort((a, b) => a[0] - b[0]).map(([member, m]) => ({ member, ...m, share: share(m.acquisitions) }));
  return { total, clients, members };
}

/** A moment of a run as the queue graph draws it. */
export type LockFrame = Pick<LockRunView, 'id' | 'settings' | 'phase' | 'children' | 'holders' | 'clients'> & { time: number };

/** Frames kept per run: at a few pushes a second, some minutes of it. */
export const MAX_FRAMES = 3000;

export function frameOf(run: LockRunView, time: number): LockFrame {
  return { id: run.id, settings: run.settings, phase: run.phase, children: run.children, holders: run.holders, clients: run.clients, time };
}

/** Whether a frame shows anything of the queue (the last moments of a run show nothing: every client let go). */
export function frameHasQueue(f: LockFrame): boolean {
  return f.children.length > 0 || f.clients.some((c) => c.watching !== null || c.state === 'holding' || c.state === 'waiting');
}

/**
 * The frame to show once a run is over: its last one still running with a queue (while it stops,
 * every node is "released, going"), else the last one with any queue.
 */
export function lastQueueFrame(frames: LockFrame[]): number {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.phase === 'running' && frameHasQueue(frames[i]!)) return i;
  for (let i = frames.length - 1; i >= 0; i--) if (frameHasQueue(frames[i]!)) return i;
  return frames.length - 1;
}

// How the UI writes ZooKeeper's numbers and states for people.
import { locale } from './i18n';

/** Mantine colours of the roles. */
export const ROLE_COLOR: Record<string, string> = {
  leader: 'teal',
  follower: 'blue',
  observer: 'grape',
  looking: 'yellow',
  standalone: 'teal',
  'read-only': 'orange',
  down: 'red',
  starting: 'gray',
  paused: 'orange',
};

/** The same colours as CSS values, for charts. */
export const ROLE_CSS: Record<string, string> = {
  leader: '#0ca678',
  standalone: '#0ca678',
  follower: '#1c7ed6',
  observer: '#ae3ec9',
  looking: '#f59f00',
  'read-only': '#fd7e14',
  paused: '#fd7e14',
  starting: '#adb5bd',
  down: '#e03131',
};

/** Seconds since `startedAt`, as "42s", "3m 05s" or "2h 01m". */
export function uptime(startedAt: number | null, now: number): string {
  if (!startedAt) return '—';
  const s = Math.max(0, Math.floor((now - startedAt) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A zxid (hex without 0x) as "0x100000003 (epoch 1, counter 3)". */
export function zxidText(hex: string | null): string {
  if (!hex) return '—';
  const z = BigInt(`0x${hex}`);
  return `0x${hex} (${z >> 32n}/${z & 0xffffffffn})`;
}

/** Latency min/avg/max in ms, or a dash. */
export function latencyText(min: number | null, avg: number | null, max: number | null): string {
  if (avg === null) return '—';
  const f = (v: number | null): string => (v === null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(2));
  return `${f(min)}/${f(avg)}/${f(max)} ms`;
}

/** A time of day with seconds, in the viewer's locale. */
export function clock(t: number): string {
  return new Date(t).toLocaleTimeString(locale());
}

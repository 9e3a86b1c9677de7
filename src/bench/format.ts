// Turning results into text: numbers with sensible precision, ours/theirs ratios judged against
// their targets, and fixed-width tables. Pure functions, tested in format.test.ts.

/** Which way a metric is better. */
export type Better = 'higher' | 'lower';

/** A target on the ours/theirs ratio, e.g. throughput >= 1.5, latency <= 0.5. */
export interface Target {
  better: Better;
  ratio: number;
}

/** ours / theirs, or null when either side is missing or theirs is zero. */
export function ratio(ours: number | null | undefined, theirs: number | null | undefined): number | null {
  if (ours === null || ours === undefined || theirs === null || theirs === undefined) return null;
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0) return null;
  return ours / theirs;
}

/** Whether a ratio meets its target (null when there is no ratio or no target). */
export function meets(r: number | null, target: Target | undefined): boolean | null {
  if (r === null || target === undefined) return null;
  return target.better === 'higher' ? r >= target.ratio : r <= target.ratio;
}

/** A number for a table: 3 significant digits below 100, whole numbers above. */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(2);
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** A ratio as "0.62x", and its verdict against a target: "0.62x ok (<= 0.5x)" style. */
export function ratioText(r: number | null, target?: Target): string {
  if (r === null) return '-';
  const base = `${r.toFixed(2)}x`;
  if (!target) return base;
  const ok = meets(r, target);
  return `${base} ${ok ? 'met' : 'MISSED'} (${target.better === 'higher' ? '>=' : '<='} ${target.ratio}x)`;
}

/** The median of a list (null when empty). */
export function median(values: number[]): number | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** A fixed-width text table; the first row is the header. Numbers-like cells align right. */
export function textTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const numeric = (c: string) => /^[-+]?[\d,.]+(x|%| ms| MiB)?( |$)/.test(c);
  const line = (r: string[]) =>
    r
      .map((c, i) => (i > 0 && numeric(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows.slice(1)) out.push(line(r));
  return out.join('\n');
}

/** The same rows as a GitHub markdown table. */
export function markdownTable(rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const out = [`| ${rows[0]!.map(esc).join(' | ')} |`, `|${rows[0]!.map(() => ' --- ').join('|')}|`];
  for (const r of rows.slice(1)) out.push(`| ${r.map(esc).join(' | ')} |`);
  return out.join('\n');
}

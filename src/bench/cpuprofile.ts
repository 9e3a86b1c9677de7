// Reading V8 .cpuprofile files (node --cpu-prof): self time per function, and a flame graph as a
// self-contained SVG (hover a box for its function, file and time). Pure functions on the JSON.

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  /** "name (file:line)" */
  fn: string;
  selfMs: number;
  /** Share of all sampled time, 0..100. */
  percent: number;
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const i = url.indexOf('/dist/');
  if (i >= 0) return url.slice(i + 6);
  const n = url.indexOf('node_modules/');
  if (n >= 0) return url.slice(n);
  return url.replace(/^file:\/\//, '').replace(/^node:/, 'node:');
}

/** The label of a call frame: function name (or "(anonymous)") and where it is. */
export function frameLabel(cf: CpuProfileNode['callFrame']): string {
  const name = cf.functionName || '(anonymous)';
  const url = shortUrl(cf.url);
  return url ? `${name} (${url}:${cf.lineNumber + 1})` : name;
}

/** Microseconds of sampled time per node id (each sample owns the gap to the next one). */
export function selfMicrosByNode(p: CpuProfile): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1]! : 0;
    if (dt <= 0) continue;
    out.set(p.samples[i]!, (out.get(p.samples[i]!) ?? 0) + dt);
  }
  return out;
}

/** The share of sampled time (0..100) the process spent idle, waiting for the event loop. */
export function idleShare(p: CpuProfile): number {
  const byNode = selfMicrosByNode(p);
  let idle = 0;
  let total = 0;
  for (const n of p.nodes) {
    const us = byNode.get(n.id) ?? 0;
    total += us;
    if (n.callFrame.functionName === '(idle)') idle += us;
  }
  return total === 0 ? 0 : (100 * idle) / total;
}

/** Functions by self time, largest first (nodes of the same function summed). */
export function topSelfTime(p: CpuProfile, limit = 20): SelfTime[] {
  const byNode = selfMicrosByNode(p);
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const us = byNode.get(n.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const k = frameLabel(n.callFrame);
    byFn.set(k, (byFn.get(k) ?? 0) + us);
  }
  return [...byFn.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, percent: total === 0 ? 0 : (100 * us) / total }));
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function colour(label: string): string {
  if (label.startsWith('(garbage collector)')) return '#c9a0dc';
  if (label.startsWith('(idle)') || label.startsWith('(program)') || label.startsWith('(root)')) return '#d0d0d0';
  if (/\(server\/|\(protocol\//.test(label)) return '#f2a65a';
  if (/\(node:/.test(label)) return '#7fb3d5';
  return '#f7dc6f';
}

/** A flame graph of the profile as SVG (root at the bottom), boxes narrower than 0.05% dropped. */
export function flameGraphSvg(p: CpuProfile, title: string, width = 1600): string {
  const self = selfMicrosByNode(p);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const total = new Map<number, number>();
  // Idle time is left out: the width is a share of the time the process was busy.
  const sum = (id: number): number => {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') {
      total.set(id, 0);
      return 0;
    }
    let t = self.get(id) ?? 0;
    for (const c of n.children ?? []) t += sum(c);
    total.set(id, t);
    return t;
  };
  const root = p.nodes[0]!;
  const all = sum(root.id);
  const rowH = 16;
  const boxes: { x: number; w: number; depth: number; label: string; us: number }[] = [];
  let maxDepth = 0;
  const lay = (id: number, x: number, depth: number): void => {
    const t = total.get(id) ?? 0;
    const w = all === 0 ? 0 : (t / all) * width;
    if (w < width * 0.0005) return;
    const n = byId.get(id)!;
    boxes.push({ x, w, depth, label: frameLabel(n.callFrame), us: t });
    maxDepth = Math.max(maxDepth, depth);
    let cx = x;
    for (const c of n.children ?? []) {
      lay(c, cx, depth + 1);
      cx += all === 0 ? 0 : ((total.get(c) ?? 0) / all) * width;
    }
  };
  lay(root.id, 0, 0);
  const height = (maxDepth + 1) * rowH + 40;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="4" y="16" font-size="14">${esc(title)} — ${(all / 1000).toFixed(0)} ms busy (idle left out); width = share of busy time, hover for details</text>`,
  ];
  for (const b of boxes) {
    const y = height - (b.depth + 1) * rowH;
    const chars = Math.floor((b.w - 4) / 6.6);
    const text = chars >= 3 ? (b.label.length > chars ? b.label.slice(0, chars - 1) + '…' : b.label) : '';
    parts.push(
      `<g><title>${esc(b.label)} — ${(b.us / 1000).toFixed(1)} ms (${((100 * b.us) / all).toFixed(2)}%)</title>` +
        `<rect x="${b.x.toFixed(1)}" y="${y}" width="${Math.max(b.w - 0.5, 0.5).toFixed(1)}" height="${rowH - 1}" fill="${colour(b.label)}"/>` +
        (text ? `<text x="${(b.x + 2).toFixed(1)}" y="${y + 12}">${esc(text)}</text>` : '') +
        `</g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

// The command palette's actions (Ctrl/Cmd+K, Ctrl/Cmd+Shift+P): every action of the lab by name,
// built from the lab as it is now (a node that is down offers Start, not Kill). Pure data with
// callbacks, so the list is tested without a browser; Palette.tsx draws it with Mantine Spotlight.
import type { LabSize, LabView, NodeAction } from '../shared/contract';
import type { FaultSpec } from '../shared/net';

export interface Command {
  id: string;
  label: string;
  group: string;
  /** Words it is found by besides its label. */
  keywords?: string[];
  /** A key that does the same outside the palette, shown beside it. */
  shortcut?: string;
  /** What it does; null for an entry that only tells (a shortcut that works elsewhere). */
  run: (() => void) | null;
}

/** What the palette can do; App.tsx gives the real ones. */
export interface CommandDeps {
  view: LabView | null;
  views: { id: string; label: string; needsLab: boolean }[];
  go: (viewId: string) => void;
  node: (myid: number, action: NodeAction, done: string) => void;
  fault: (spec: FaultSpec, done: string) => void;
  startAll: () => void;
  launch: (size: LabSize) => void;
  gotoZnode: (path: string) => void;
  theme: (scheme: 'light' | 'dark' | 'auto') => void;
  showNotifications: () => void;
}

export const PALETTE_SHORTCUTS = ['mod + K', 'mod + shift + P'];

/** The keys that work without the palette, listed in it. */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'Ctrl/Cmd + K, Ctrl/Cmd + Shift + P', what: 'open this palette' },
  { keys: 'k on a focused node card', what: 'kill the node (SIGKILL)' },
  { keys: 's on a focused node card', what: 'stop the node (SIGTERM)' },
  { keys: 'r on a focused node card', what: 'restart the node' },
  { keys: 'p on a focused node card', what: 'pause or resume the node' },
  { keys: 'Enter or right-click on a node card', what: 'the node menu' },
];

const roleWord = (role: string): string => (role === 'down' ? 'down' : role);

export function buildCommands(d: CommandDeps, query = ''): Command[] {
  const out: Command[] = [];
  const lab = d.view;
  const q = query.trim();
  // A path typed in the palette: go there in the Tree explorer.
  if (lab && q.startsWith('/')) out.push({ id: 'znode', label: `Go to znode ${q}`, group: 'Data', keywords: [q], run: () => d.gotoZnode(q) });
  for (const v of d.views) {
    if (v.needsLab && !lab) continue;
    out.push({ id: `view:${v.id}`, label: `Open ${v.label}`, group: 'Views', keywords: ['go', 'view', v.id], run: () => d.go(v.id) });
  }
  if (!lab) {
    for (const size of [1, 3, 5, 7] as const) out.push({ id: `launch:${size}`, label: `Launch a ${size}-node lab`, group: 'Lab', keywords: ['start', 'ensemble'], run: () => d.launch(size) });
  } else if (!lab.attached) {
    const down = lab.nodes.filter((n) => n.role === 'down');
    if (down.length > 0) out.push({ id: 'start-all', label: `Start every member that is down (${down.map((n) => n.myid).join(', ')})`, group: 'Lab', keywords: ['start all', 'up'], run: d.startAll });
    const leader = lab.nodes.find((n) => n.role === 'leader');
    if (leader) {
      out.push({ id: 'kill-leader', label: `Kill the leader (node ${leader.myid})`, group: 'Faults', keywords: ['sigkill', 'election'], run: () => d.node(leader.myid, 'kill', `Killed the leader, node ${leader.myid}`) });
      out.push({ id: 'isolate-leader', label: `Isolate the leader (node ${leader.myid})`, group: 'Faults', keywords: ['partition', 'network', 'cut'], run: () => d.fault({ kind: 'isolate', myid: leader.myid }, `Isolated the leader, node ${leader.myid}`) });
    }
    for (const n of lab.nodes) {
      const who = `node ${n.myid} (${roleWord(n.role)})`;
      const act = (action: NodeAction, label: string, done: string, keywords: string[] = []): void => {
        out.push({ id: `${action}:${n.myid}`, label: `${label} ${who}`, group: `Node ${n.myid}`, keywords: [`${action} node ${n.myid}`, `${action} ${n.myid}`, ...keywords], run: () => d.node(n.myid, action, `${done} node ${n.myid}`) });
      };
      if (n.role === 'down') {
        act('start', 'Start', 'Started');
        continue;
      }
      if (n.role === 'paused') act('resume', 'Resume', 'Resumed', ['sigcont']);
      else {
        act('kill', 'Kill', 'Killed', ['sigkill']);
        act('stop', 'Stop', 'Stopped', ['sigterm']);
        act('restart', 'Restart', 'Restarted');
        act('pause', 'Pause', 'Paused', ['sigstop']);
        out.push({ id: `isolate:${n.myid}`, label: `Isolate ${who}`, group: `Node ${n.myid}`, keywords: ['partition', 'network'], run: () => d.fault({ kind: 'isolate', myid: n.myid }, `Isolated node ${n.myid}`) });
      }
      out.push({ id: `terminal:${n.myid}`, label: `Open node ${n.myid}'s terminals`, group: `Node ${n.myid}`, keywords: ['zkcli', 'shell', 'log'], run: () => d.go('terminals') });
    }
  }
  out.push({ id: 'theme:light', label: 'Light theme', group: 'Appearance', keywords: ['colour', 'color', 'scheme'], run: () => d.theme('light') });
  out.push({ id: 'theme:dark', label: 'Dark theme', group: 'Appearance', keywords: ['colour', 'color', 'scheme', 'night'], run: () => d.theme('dark') });
  out.push({ id: 'theme:auto', label: "Follow the system's theme", group: 'Appearance', keywords: ['colour', 'color', 'scheme', 'auto'], run: () => d.theme('auto') });
  out.push({ id: 'notifications', label: 'Show past notifications', group: 'Appearance', keywords: ['history', 'messages', 'errors'], run: d.showNotifications });
  SHORTCUTS.forEach((s, i) => out.push({ id: `shortcut:${i}`, label: s.what, group: 'Keyboard shortcuts', shortcut: s.keys, keywords: ['keys', 'shortcut'], run: null }));
  return out;
}

/** The palette's filter: every word typed must appear in the label or a keyword (any order, any case). */
export function matches(c: Command, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [c.label, c.group, ...(c.keywords ?? [])].join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

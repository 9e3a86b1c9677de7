// The command palette's actions (Ctrl/Cmd+K, Ctrl/Cmd+Shift+P): every action of the lab by name,
// built from the lab as it is now (a node that is down offers Start, not Kill). Pure data with
// callbacks, so the list is tested without a browser; Palette.tsx draws it with Mantine Spotlight.
import type { LabSize, LabView, NodeAction } from '../shared/contract';
import { CONSOLE_COMMANDS, type ConsoleKind } from '../shared/console-commands';
import type { FaultSpec } from '../shared/net';
import { t } from './i18n';

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
  /** The member console for `myid`; with a command, that command sent at once. */
  console: (myid: number, kind: ConsoleKind, command: string | null) => void;
  theme: (scheme: 'light' | 'dark' | 'auto') => void;
  showNotifications: () => void;
}

export const PALETTE_SHORTCUTS = ['mod + K', 'mod + shift + P'];

/** The keys that work without the palette, listed in it (catalogue keys: the words follow the language). */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'palette.keysPalette', what: 'palette.whatPalette' },
  { keys: 'palette.keysKill', what: 'palette.whatKill' },
  { keys: 'palette.keysStop', what: 'palette.whatStop' },
  { keys: 'palette.keysRestart', what: 'palette.whatRestart' },
  { keys: 'palette.keysPause', what: 'palette.whatPause' },
  { keys: 'palette.keysMenu', what: 'palette.whatMenu' },
];

const roleWord = (role: string): string => t(`role.${role}`, { defaultValue: role });

export function buildCommands(d: CommandDeps, query = ''): Command[] {
  const out: Command[] = [];
  const lab = d.view;
  const q = query.trim();
  // A path typed in the palette: go there in the Tree explorer.
  if (lab && q.startsWith('/')) out.push({ id: 'znode', label: t('palette.gotoZnode', { path: q }), group: t('nav.groupData'), keywords: [q], run: () => d.gotoZnode(q) });
  for (const v of d.views) {
    if (v.needsLab && !lab) continue;
    out.push({ id: `view:${v.id}`, label: t('palette.open', { view: v.label }), group: t('palette.groupViews'), keywords: ['go', 'view', v.id], run: () => d.go(v.id) });
  }
  if (!lab) {
    for (const size of [1, 3, 5, 7] as const) out.push({ id: `launch:${size}`, label: t('palette.launch', { size }), group: t('palette.groupLab'), keywords: ['start', 'ensemble'], run: () => d.launch(size) });
  } else if (!lab.attached) {
    const down = lab.nodes.filter((n) => n.role === 'down');
    if (down.length > 0) out.push({ id: 'start-all', label: t('palette.startAll', { ids: down.map((n) => n.myid).join(', ') }), group: t('palette.groupLab'), keywords: ['start all', 'up'], run: d.startAll });
    const leader = lab.nodes.find((n) => n.role === 'leader');
    if (leader) {
      out.push({ id: 'kill-leader', label: t('palette.killLeader', { myid: leader.myid }), group: t('palette.groupFaults'), keywords: ['kill leader', 'sigkill', 'election'], run: () => d.node(leader.myid, 'kill', t('palette.doneKillLeader', { myid: leader.myid })) });
      out.push({ id: 'isolate-leader', label: t('palette.isolateLeader', { myid: leader.myid }), group: t('palette.groupFaults'), keywords: ['isolate leader', 'partition', 'network', 'cut'], run: () => d.fault({ kind: 'isolate', myid: leader.myid }, t('palette.doneIsolateLeader', { myid: leader.myid })) });
    }
    for (const n of lab.nodes) {
      const who = t('palette.who', { myid: n.myid, role: roleWord(n.role) });
      const group = t('palette.groupNode', { myid: n.myid });
      // The English words stay keywords in every language ("kill node 2" works in Chinese too).
      const act = (action: NodeAction, label: string, done: string, keywords: string[] = []): void => {
        out.push({ id: `${action}:${n.myid}`, label: `${label} ${who}`, group, keywords: [`${action} node ${n.myid}`, `${action} ${n.myid}`, ...keywords], run: () => d.node(n.myid, action, t('palette.doneNode', { done, myid: n.myid })) });
      };
      if (n.role === 'down') {
        act('start', t('palette.start'), t('palette.started'));
        continue;
      }
      if (n.role === 'paused') act('resume', t('palette.resume'), t('palette.resumed'), ['sigcont']);
      else {
        act('kill', t('palette.kill'), t('palette.killed'), ['sigkill']);
        act('stop', t('palette.stop'), t('palette.stopped'), ['sigterm']);
        act('restart', t('palette.restart'), t('palette.restarted'));
        act('pause', t('palette.pause'), t('palette.paused'), ['sigstop']);
        out.push({ id: `isolate:${n.myid}`, label: `${t('palette.isolate')} ${who}`, group, keywords: [`isolate node ${n.myid}`, 'partition', 'network'], run: () => d.fault({ kind: 'isolate', myid: n.myid }, t('palette.doneIsolate', { myid: n.myid })) });
      }
      out.push({ id: `terminal:${n.myid}`, label: t('palette.terminals', { myid: n.myid }), group, keywords: ['terminal', 'zkcli', 'shell', 'log'], run: () => d.go('terminals') });
    }
  }
  if (lab) consoleCommands(out, lab, q, d);
  out.push({ id: 'theme:light', label: t('palette.themeLight'), group: t('palette.groupAppearance'), keywords: ['light theme', 'colour', 'color', 'scheme'], run: () => d.theme('light') });
  out.push({ id: 'theme:dark', label: t('palette.themeDark'), group: t('palette.groupAppearance'), keywords: ['dark theme', 'colour', 'color', 'scheme', 'night'], run: () => d.theme('dark') });
  out.push({ id: 'theme:auto', label: t('palette.themeAuto'), group: t('palette.groupAppearance'), keywords: ['system theme', 'colour', 'color', 'scheme', 'auto'], run: () => d.theme('auto') });
  out.push({ id: 'notifications', label: t('palette.notifications'), group: t('palette.groupAppearance'), keywords: ['notifications', 'history', 'messages', 'errors'], run: d.showNotifications });
  SHORTCUTS.forEach((s, i) => out.push({ id: `shortcut:${i}`, label: t(s.what), group: t('palette.groupShortcuts'), shortcut: t(s.keys), keywords: ['keys', 'shortcut'], run: null }));
  return out;
}

/**
 * Each running member's console, and "Send <command> to node N" for a console command named in
 * the query (a four-letter word, else an AdminServer command; "send srvr to node 2", "mntr 3"):
 * for the member named, else for every running one. An attached ensemble's members answer
 * four-letter words only.
 */
function consoleCommands(out: Command[], lab: LabView, query: string, d: CommandDeps): void {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const named = words.map((w) => CONSOLE_COMMANDS.find((c) => c.name === w && (c.kind === '4lw' || !lab.attached))).find((c) => c !== undefined);
  const ids = words.filter((w) => /^\d+$/.test(w)).map(Number);
  for (const n of lab.nodes) {
    if (n.role === 'down') continue;
    const group = t('palette.groupNode', { myid: n.myid });
    out.push({ id: `console:${n.myid}`, label: t('palette.console', { myid: n.myid }), group, keywords: ['console', 'four-letter word', '4lw', 'admin', `console ${n.myid}`, `node ${n.myid}`], run: () => d.console(n.myid, '4lw', null) });
    if (named && (ids.length === 0 || ids.includes(n.myid))) {
      const kind = named.kind;
      out.push({ id: `send:${named.name}:${n.myid}`, label: t('palette.send', { command: named.name, myid: n.myid }), group, keywords: [`send ${named.name} to node ${n.myid}`, kind === '4lw' ? 'four-letter word' : 'adminserver'], run: () => d.console(n.myid, kind, named.name) });
    }
  }
}

/** The palette's filter: every word typed must appear in the label or a keyword (any order, any case). */
export function matches(c: Command, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [c.label, c.group, ...(c.keywords ?? [])].join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

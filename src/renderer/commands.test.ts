import { describe, expect, it } from 'vitest';
import type { LabView } from '../shared/contract';
import { buildCommands, matches, type CommandDeps } from './commands';

function deps(view: LabView | null, log: string[]): CommandDeps {
  return {
    view,
    views: [
      { id: 'cluster', label: 'Cluster', needsLab: false },
      { id: 'tree', label: 'Tree explorer', needsLab: true },
    ],
    go: (v) => log.push(`go ${v}`),
    node: (myid, action) => log.push(`${action} ${myid}`),
    fault: (spec) => log.push(`fault ${JSON.stringify(spec)}`),
    startAll: () => log.push('startAll'),
    launch: (n) => log.push(`launch ${n}`),
    gotoZnode: (p) => log.push(`znode ${p}`),
    theme: (s) => log.push(`theme ${s}`),
    showNotifications: () => log.push('notes'),
  };
}

const lab = (roles: string[]): LabView => ({ attached: false, nodes: roles.map((role, i) => ({ myid: i + 1, role })) }) as unknown as LabView;

describe('the command palette', () => {
  it('finds "kill node 2" and runs it on node 2 only', () => {
    const log: string[] = [];
    const cmds = buildCommands(deps(lab(['follower', 'follower', 'leader']), log));
    const hits = cmds.filter((c) => matches(c, 'kill node 2'));
    expect(hits.map((c) => c.id)).toEqual(['kill:2']);
    hits[0]!.run!();
    expect(log).toEqual(['kill 2']);
  });

  it('isolates the leader through the lab network', () => {
    const log: string[] = [];
    const cmds = buildCommands(deps(lab(['follower', 'follower', 'leader']), log));
    cmds.find((c) => c.id === 'isolate-leader')!.run!();
    expect(log).toEqual(['fault {"kind":"isolate","myid":3}']);
  });

  it('offers Start for a member that is down, not Kill', () => {
    const cmds = buildCommands(deps(lab(['down', 'leader', 'follower']), []));
    expect(cmds.some((c) => c.id === 'start:1')).toBe(true);
    expect(cmds.some((c) => c.id === 'kill:1')).toBe(false);
    expect(cmds.some((c) => c.id === 'start-all')).toBe(true);
  });

  it('goes to a typed znode path, and offers launching when no lab is open', () => {
    const log: string[] = [];
    buildCommands(deps(lab(['leader']), log), '/app/config')
      .find((c) => c.id === 'znode')!
      .run!();
    expect(log).toEqual(['znode /app/config']);
    const none = buildCommands(deps(null, []));
    expect(none.filter((c) => c.id.startsWith('launch:')).map((c) => c.id)).toEqual(['launch:1', 'launch:3', 'launch:5', 'launch:7']);
    expect(none.some((c) => c.id === 'view:tree')).toBe(false);
  });

  it('lists the keyboard shortcuts', () => {
    const shortcuts = buildCommands(deps(null, [])).filter((c) => c.group === 'Keyboard shortcuts');
    expect(shortcuts.map((c) => c.shortcut)).toContain('Ctrl/Cmd + K, Ctrl/Cmd + Shift + P');
    expect(shortcuts.every((c) => c.run === null)).toBe(true);
  });
});

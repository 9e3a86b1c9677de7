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
    console: (myid, kind, command) => log.push(`console ${myid} ${kind} ${command}`),
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

  it('opens a member\'s console, and sends a four-letter word or AdminServer command named in the query to the member named', () => {
    const log: string[] = [];
    const view = lab(['follower', 'down', 'leader']);
    const all = buildCommands(deps(view, log));
    // Each running member's console; none for a member that is down.
    expect(all.filter((c) => c.id.startsWith('console:')).map((c) => c.id)).toEqual(['console:1', 'console:3']);
    all.find((c) => c.id === 'console:3')!.run!();
    const query = 'send srvr to node 3';
    const hits = buildCommands(deps(view, log), query).filter((c) => matches(c, query));
    expect(hits.map((c) => c.id)).toEqual(['send:srvr:3']);
    expect(hits[0]!.label).toBe('Send srvr to node 3');
    hits[0]!.run!();
    // No member named: one for every running member; an AdminServer command by its name.
    expect(buildCommands(deps(view, log), 'zabstate').filter((c) => matches(c, 'zabstate')).map((c) => c.id)).toEqual(['send:zabstate:1', 'send:zabstate:3']);
    buildCommands(deps(view, log), 'mntr 1').find((c) => c.id === 'send:mntr:1')!.run!();
    expect(log).toEqual(['console 3 4lw null', 'console 3 4lw srvr', 'console 1 4lw mntr']);
    // An attached ensemble answers four-letter words only.
    const attached = { ...view, attached: true } as LabView;
    expect(buildCommands(deps(attached, log), 'zabstate').some((c) => c.id.startsWith('send:'))).toBe(false);
    expect(buildCommands(deps(attached, log), 'stat 1').map((c) => c.id)).toContain('send:stat:1');
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

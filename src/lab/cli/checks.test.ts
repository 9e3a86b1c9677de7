import { describe, expect, it } from 'vitest';
import { LabView, NetView, WireQuery, type NodeView, type WireMessage } from '../../shared/contract';
import { checkFault, checkFaultId, checkNode, checkWireMembers, faultMembers } from './checks';
import { hexZxid, statusDoc, zxidText } from './format';
import { matchesWire } from './wire';

function node(myid: number, role: NodeView['role'], engine: NodeView['engine'] = 'ours'): unknown {
  return { myid, engine, role, observer: false, epoch: 1, lastZxid: '100000002', zabState: null, connections: 0, outstanding: 0, avgLatency: null, minLatency: null, maxLatency: null, znodeCount: 4, configVersion: '0', pid: role === 'down' ? null : 1000 + myid, startedAt: null, clientPort: 2000 + myid, labClientPort: 3000 + myid, adminPort: 4000 + myid, exitCode: null, lastError: null };
}

/** A 3-member lab: 1 leads, 2 follows (Apache ZooKeeper), 3 is down. */
const lab = LabView.parse({
  name: 'default',
  dir: '/labs/default',
  size: 3,
  nodes: [node(1, 'leader'), node(2, 'follower', 'apache'), node(3, 'down')],
  votersUp: 2,
  quorumNeeded: 2,
  serving: true,
  leader: 1,
});

describe('zk-lab checks a command against the lab before asking the backend', () => {
  it('refuses members that are not in the lab', () => {
    expect(checkNode(lab, 'kill', 9)).toBe('There is no member 9 in this lab (its members are 1, 2 and 3).');
    expect(checkFault(lab, { kind: 'isolate', myid: 4 })).toBe('There is no member 4 in this lab (its members are 1, 2 and 3).');
    expect(checkFault(lab, { kind: 'partition', groups: [[1], [2, 7]] })).toContain('no member 7');
    expect(checkFault(lab, { kind: 'hold', type: 'COMMIT', from: null, to: [1, 5] })).toContain('no member 5');
    expect(checkFault(lab, { kind: 'slow', a: 1, b: 6, ms: 10, jitterMs: 0 })).toContain('no member 6');
    expect(checkWireMembers(lab, [1, 8])).toContain('no member 8');
    expect(checkWireMembers(lab, null)).toBeNull();
  });

  it('refuses node actions that would do nothing', () => {
    expect(checkNode(lab, 'kill', 3)).toBe('Node 3 is down already: zk-lab node start 3 starts it.');
    expect(checkNode(lab, 'pause', 3)).toContain('Node 3 is down');
    expect(checkNode(lab, 'resume', 1)).toBe('Node 1 is not paused (it is leader): there is nothing to resume.');
    expect(checkNode(lab, 'start', 1)).toBe('Node 1 runs already (leader): zk-lab node restart 1 restarts it.');
    expect(checkNode(lab, 'slow', 2)).toContain('Apache ZooKeeper');
    expect(checkNode(lab, 'start', 3)).toBeNull();
    expect(checkNode(lab, 'restart', 3)).toBeNull();
    expect(checkNode(lab, 'kill', 1)).toBeNull();
    expect(checkNode(lab, 'start', 'all')).toBeNull();
    const allUp = { ...lab, nodes: lab.nodes.map((n) => ({ ...n, role: 'follower' as const })) };
    expect(checkNode(allUp, 'start', 'all')).toContain('Every member runs already');
  });

  it('refuses a fault on a member that is down, and faults a member cannot have', () => {
    for (const kind of ['isolate', 'bridge', 'client-cut', 'kill', 'stop', 'pause'] as const) {
      expect(checkFault(lab, { kind, myid: 3 })).toBe('Node 3 is down, so the fault would do nothing: start it first (zk-lab node start 3).');
      expect(checkFault(lab, { kind, myid: 1 })).toBeNull();
    }
    expect(checkFault(lab, { kind: 'disk', myid: 2, mode: 'full', ms: null })).toBe('Node 2 runs Apache ZooKeeper: disk faults are for our members only.');
    expect(checkFault(lab, { kind: 'disk', myid: 1, mode: 'stall', ms: 100 })).toBeNull();
    expect(checkFault(lab, { kind: 'slow-apply', myid: 2, ms: 100 })).toContain('our members only');
    // Links may name a member that is down: the cut is in place when it comes back.
    expect(checkFault(lab, { kind: 'oneway', from: 1, to: 3 })).toBeNull();
  });

  it('refuses a partition with one side only', () => {
    expect(checkFault(lab, { kind: 'partition', groups: [[1, 2, 3]] })).toContain('A partition needs two sides');
    expect(checkFault(lab, { kind: 'partition', groups: [[1, 2]] })).toBeNull();
    expect(checkFault(lab, { kind: 'partition', groups: [[1], [2, 3]] })).toBeNull();
  });

  it('refuses everything on an attached ensemble', () => {
    const attached = { ...lab, attached: true };
    expect(checkNode(attached, 'kill', 1)).toContain('attached');
    expect(checkFault(attached, { kind: 'isolate', myid: 1 })).toContain('attached');
  });

  it('names every member a fault touches', () => {
    expect(faultMembers({ kind: 'partition', groups: [[1, 2], [3]] })).toEqual([1, 2, 3]);
    expect(faultMembers({ kind: 'hold', type: 'ACK', from: 2, to: null })).toEqual([2]);
    expect(faultMembers({ kind: 'slow', a: 2, b: null, ms: 5, jitterMs: 0 })).toEqual([2]);
  });

  it('refuses a fault id that is not in force', () => {
    const net = NetView.parse({
      enabled: true,
      reason: null,
      faults: [{ id: 'f1', spec: { kind: 'isolate', myid: 1 }, description: 'isolate member 1', startedAt: 0, held: 0 }],
      links: [],
      clientCut: [],
      labClientPorts: {},
    });
    expect(checkFaultId(net, 'f1')).toBeNull();
    expect(checkFaultId(net, null)).toBeNull();
    expect(checkFaultId(net, 'f2')).toBe('There is no fault f2 in force (the faults are f1): zk-lab fault list shows them.');
    expect(checkFaultId({ ...net, faults: [] }, 'f2')).toBe('There is no fault f2 in force (there is none): zk-lab fault list shows them.');
  });
});

describe('zk-lab output', () => {
  it('writes zxids with 0x and as epoch/counter', () => {
    expect(hexZxid('100000002')).toBe('0x100000002');
    expect(hexZxid('0x5')).toBe('0x5');
    expect(hexZxid(null)).toBeNull();
    expect(zxidText('0x100000002')).toBe('0x100000002 (1/2)');
  });

  it('status --json: the members with both client ports', () => {
    const d = statusDoc(lab, null, { pid: 42, url: 'http://127.0.0.1:1/?token=x' }, '/labs/default');
    expect(d).toMatchObject({ dir: '/labs/default', name: 'default', backendPid: 42, serving: true, leader: 1, network: null, faults: [] });
    expect(d.nodes[0]).toEqual({ myid: 1, engine: 'ours', observer: false, role: 'leader', pid: 1001, labClientPort: 3001, clientPort: 2001, adminPort: 4001, epoch: 1, lastZxid: '0x100000002', configVersion: '0x0' });
  });
});

describe('zk-lab wire --follow filters pushed messages as the capture query does', () => {
  const msg = (over: Partial<WireMessage>): WireMessage => ({
    seq: 1,
    time: 0,
    link: 'quorum',
    from: 1,
    to: 2,
    type: 'PROPOSAL',
    zxid: '0x100000003',
    summary: '',
    fields: {},
    bytes: 10,
    status: 'delivered',
    deliveredAt: 0,
    fault: null,
    ...over,
  });
  it('by type, member at either end, and zxid', () => {
    const q = WireQuery.parse({ types: ['PROPOSAL', 'ACK'], members: [2], zxid: '0x100000003' });
    expect(matchesWire(q, msg({}))).toBe(true);
    expect(matchesWire(q, msg({ type: 'ACK', from: 2, to: 1 }))).toBe(true);
    expect(matchesWire(q, msg({ type: 'COMMIT' }))).toBe(false);
    expect(matchesWire(q, msg({ from: 1, to: 3 }))).toBe(false);
    expect(matchesWire(q, msg({ zxid: '0x100000004' }))).toBe(false);
    expect(matchesWire(q, msg({ zxid: null }))).toBe(false);
    expect(matchesWire(WireQuery.parse({}), msg({ type: 'PING', zxid: null }))).toBe(true);
  });
});

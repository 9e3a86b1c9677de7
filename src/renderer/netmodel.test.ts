// The Cluster view's reading of the network: sides, quorum, who is cut off, zxids as typed.
import { describe, expect, it } from 'vitest';
import type { Fault, LabView, LinkView, NetView, NodeView } from '../shared/contract';
import { components, faultsOnPair, linkMap, minoritySplit, parseZxid, situation } from './netmodel';

function node(myid: number, role: NodeView['role'], observer = false): NodeView {
  return {
    myid,
    engine: 'ours',
    role,
    observer,
    epoch: 1,
    lastZxid: '100000000',
    zabState: 'broadcast',
    connections: 0,
    outstanding: 0,
    avgLatency: 0,
    minLatency: 0,
    maxLatency: 0,
    znodeCount: 5,
    applyDelayMs: 0,
    configVersion: null,
    pid: 1000 + myid,
    startedAt: 0,
    clientPort: 2180 + myid,
    labClientPort: 3180 + myid,
    adminPort: 8080 + myid,
    exitCode: null,
    lastError: null,
  };
}

function lab(roles: NodeView['role'][]): LabView {
  const nodes = roles.map((r, i) => node(i + 1, r));
  const size = nodes.length;
  return { name: 'default', dir: '/tmp/lab', attached: false, size, nodes, votersUp: size, quorumNeeded: Math.floor(size / 2) + 1, serving: true, leader: nodes.find((n) => n.role === 'leader')?.myid ?? null };
}

/** Every ordered pair ok, except those `cut` names ("1>2"). */
function net(ids: number[], cut: string[] = [], faults: Fault[] = []): NetView {
  const links: LinkView[] = [];
  for (const from of ids) for (const to of ids) if (from !== to) links.push({ from, to, state: cut.includes(`${from}>${to}`) ? 'cut' : 'ok', delayMs: 0, jitterMs: 0, held: 0, connections: 1, delivered: 0 });
  return { enabled: true, reason: null, faults, links, clientCut: [], labClientPorts: {} };
}

const fault = (id: string, spec: Fault['spec']): Fault => ({ id, spec, description: id, startedAt: 0, held: 0 });
const across = (a: number[], b: number[]): string[] => a.flatMap((x) => b.flatMap((y) => [`${x}>${y}`, `${y}>${x}`]));

describe('the network as the Cluster view reads it', () => {
  it('says a whole network is whole', () => {
    const s = situation(lab(['follower', 'leader', 'follower']), net([1, 2, 3]));
    expect(s.tone).toBe('ok');
    expect(s.cutOff).toEqual([]);
    expect(s.lines.join(' ')).toContain('Node 2 leads, heard both ways by 3 of 3');
  });

  it('finds the sides of a partition, the one with the quorum, and the old leader cut off', () => {
    const v = lab(['leader', 'follower', 'follower', 'follower', 'follower']);
    const s = situation(v, net([1, 2, 3, 4, 5], across([1, 2], [3, 4, 5]), [fault('f1', { kind: 'partition', groups: [[1, 2], [3, 4, 5]] })]));
    expect(s.sides).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(s.cutOff).toEqual([1, 2]);
    expect(s.tone).toBe('bad');
    expect(s.lines.join('\n')).toMatch(/\{3, 4, 5\}: 3 voting members, 3 needed — the quorum is here/);
    expect(s.lines.join('\n')).toMatch(/\{1, 2\}: 2 voting members, 3 needed — no quorum: node 1 still says it leads/);
  });

  it('once the majority elects, the members that cannot hear the new leader are cut off from it', () => {
    const v = lab(['looking', 'looking', 'follower', 'leader', 'follower']);
    const s = situation(v, net([1, 2, 3, 4, 5], across([1, 2], [3, 4, 5])));
    expect(s.cutOff).toEqual([1, 2]);
    expect(s.lines.join('\n')).toContain('Cut off from the leader (node 4): nodes 1, 2 — not serving');
  });

  it('tells a link cut both ways, a one-way cut, and a read-only member', () => {
    const s = situation(lab(['read-only', 'leader', 'follower']), net([1, 2, 3], ['1>2', '2>1']));
    expect(s.sides).toBeNull();
    expect(s.lines.join('\n')).toContain('Cut both ways: 1 ⇄ 2');
    expect(s.cutOff).toEqual([1]);
    expect(s.lines.join('\n')).toContain('Cut off from the leader (node 2) and serving read-only clients: node 1');
    const o = situation(lab(['follower', 'leader', 'looking']), net([1, 2, 3], ['2>3']));
    expect(o.lines.join('\n')).toContain('2 → 3 is cut one way (3 → 2 still delivers)');
    expect(o.cutOff).toEqual([3]);
    expect(o.title).toBe('Under fault: node 3 cut off');
  });

  it('tells slow links (a pair once when both ways alike) and holds with what they hold', () => {
    const n = net([1, 2, 3], [], [{ ...fault('f1', { kind: 'hold', type: 'COMMIT', from: 2, to: [3] }), description: 'hold COMMITs from 2 to 3', held: 2 }]);
    for (const l of n.links) {
      if ((l.from === 1 && l.to === 2) || (l.from === 2 && l.to === 1)) Object.assign(l, { state: 'slow', delayMs: 200 });
      if (l.from === 3 && l.to === 1) Object.assign(l, { state: 'slow', delayMs: 50, jitterMs: 10 });
      if (l.from === 2 && l.to === 3) Object.assign(l, { state: 'holding', held: 2 });
    }
    const s = situation(lab(['follower', 'leader', 'follower']), n);
    expect(s.tone).toBe('warn');
    expect(s.lines).toContain('Slow: 1 ↔ 2 200 ms, 3 → 1 50 ± 10 ms.');
    expect(s.lines).toContain('Hold COMMITs from 2 to 3: 2 held now.');
    expect(s.lines).toContain('2 messages wait in the lab (2 → 3: 2); Release or Heal delivers them in order.');
  });

  it('names the bridge', () => {
    const v = lab(['follower', 'follower', 'leader', 'follower', 'follower']);
    const s = situation(v, net([1, 2, 3, 4, 5], across([1, 2], [4, 5]), [fault('f1', { kind: 'bridge', myid: 3 })]));
    expect(s.sides).toBeNull();
    expect(s.lines.join('\n')).toContain('Node 3 is the bridge: it hears every member both ways, while nodes 1, 2, 4, 5 do not all hear each other.');
    expect(s.cutOff).toEqual([]);
    expect(s.title).toBe('Under fault: the quorum holds');
  });

  it('says when no member can gather a quorum', () => {
    const v = lab(['looking', 'looking', 'looking']);
    const s = situation(v, net([1, 2, 3], [...across([1], [2, 3]), ...across([2], [3])]));
    expect(s.title).toBe('Under fault: no quorum anywhere');
    expect(s.cutOff).toEqual([1, 2, 3]);
    expect(components([1, 2, 3], linkMap(net([1, 2, 3], across([1], [2, 3]))))).toEqual([[1], [2, 3]]);
  });

  it('builds the minority split around a member', () => {
    expect(minoritySplit(lab(['follower', 'follower', 'leader', 'follower', 'follower']), 3)).toEqual([
      [1, 3],
      [2, 4, 5],
    ]);
    expect(minoritySplit(lab(['leader', 'follower', 'follower']), 1)).toEqual([[1], [2, 3]]);
  });

  it('names the faults on a link', () => {
    const faults = [
      fault('f1', { kind: 'oneway', from: 1, to: 2 }),
      fault('f2', { kind: 'partition', groups: [[1], [2]] }),
      fault('f3', { kind: 'slow', a: 3, b: null, ms: 100, jitterMs: 0 }),
      fault('f4', { kind: 'hold', type: 'COMMIT', from: 2, to: null }),
    ];
    expect(faultsOnPair(faults, [1, 2, 3, 4], 1, 2, true).map((f) => f.id)).toEqual(['f1', 'f2', 'f4']);
    // Members in no group of a partition form one more group: 3 and 4 are together.
    expect(faultsOnPair(faults, [1, 2, 3, 4], 3, 4, false).map((f) => f.id)).toEqual(['f3']);
  });

  it('reads zxids as people type them', () => {
    expect(parseZxid('0x100000003')).toBe('0x100000003');
    expect(parseZxid('100000003')).toBe('0x100000003');
    expect(parseZxid(' 1/3 ')).toBe('0x100000003');
    expect(parseZxid('0X0000000200000000')).toBe('0x200000000');
    expect(parseZxid('zxid')).toBeNull();
    expect(parseZxid('1/99999999999')).toBeNull();
  });
});

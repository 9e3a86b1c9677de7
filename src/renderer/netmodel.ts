// What the lab's network means for the ensemble, computed from what the backend sends (the
// LabView and the NetView): which members hear each other both ways, the sides of a partition,
// who has a quorum, who is cut off, and the banner's sentences. Pure functions, unit-tested.
// The sentences are in the UI's language (the catalogue's net section; English in unit tests).
import type { Fault, LabView, LinkView, NetView, NodeView } from '../shared/contract';
import { faultText, t } from './i18n';

const key = (from: number, to: number): string => `${from}>${to}`;

/** The links by direction. */
export function linkMap(net: NetView): Map<string, LinkView> {
  return new Map(net.links.map((l) => [key(l.from, l.to), l]));
}

export function linkOf(links: Map<string, LinkView>, from: number, to: number): LinkView | null {
  return links.get(key(from, to)) ?? null;
}

/** Messages pass from → to (a link the backend does not list is taken as open). */
export function delivers(links: Map<string, LinkView>, from: number, to: number): boolean {
  return linkOf(links, from, to)?.state !== 'cut';
}

/** ZooKeeper needs both directions: a follower that hears the leader but cannot answer it is lost to it. */
export function hearsBothWays(links: Map<string, LinkView>, a: number, b: number): boolean {
  return delivers(links, a, b) && delivers(links, b, a);
}

/** A member that can take part: its process runs and is not stopped. */
export function alive(n: NodeView): boolean {
  return n.role !== 'down' && n.role !== 'paused';
}

const list = (ids: number[]): string => ids.join(', ');
const nodes = (ids: number[]): string => t('net.nodes', { count: ids.length, ids: list(ids) });

/** Groups of members that hear each other both ways, transitively (connected components). */
export function components(ids: number[], links: Map<string, LinkView>): number[][] {
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const start of ids) {
    if (seen.has(start)) continue;
    const group: number[] = [];
    const todo = [start];
    seen.add(start);
    while (todo.length > 0) {
      const x = todo.pop()!;
      group.push(x);
      for (const y of ids) {
        if (!seen.has(y) && hearsBothWays(links, x, y)) {
          seen.add(y);
          todo.push(y);
        }
      }
    }
    out.push(group.sort((a, b) => a - b));
  }
  return out.sort((a, b) => a[0]! - b[0]!);
}

export interface Situation {
  /** ok: nothing is shaped; warn: faults in force, the ensemble keeps a quorum; bad: some member or the whole ensemble is cut off or not serving. */
  tone: 'ok' | 'warn' | 'bad';
  title: string;
  lines: string[];
  /** Voting members that run but cannot gather a quorum (they do not serve, or serve read-only). */
  cutOff: number[];
  /** Sides of a clean partition (each side hears itself whole), or null when there is none. */
  sides: number[][] | null;
  /** Members the lab's clients cannot reach. */
  clientCut: number[];
}

/** What the ensemble does under the network as it is now. */
export function situation(view: LabView, net: NetView): Situation {
  const links = linkMap(net);
  const up = view.nodes.filter(alive);
  const upIds = up.map((n) => n.myid);
  const voterIds = new Set(view.nodes.filter((n) => !n.observer).map((n) => n.myid));
  const need = view.quorumNeeded;
  const role = new Map(view.nodes.map((n) => [n.myid, n.role]));
  /** Running voters that hear `x` both ways, `x` included when it votes. */
  const support = (x: number): number[] => upIds.filter((y) => voterIds.has(y) && (y === x || hearsBothWays(links, x, y)));
  const lines: string[] = [];

  if (view.nodes.length === 1) {
    const cut = net.clientCut.length > 0;
    return {
      tone: cut ? 'bad' : net.faults.length > 0 ? 'warn' : 'ok',
      title: cut ? t('net.sitClientsCut') : t('net.sitOneMember'),
      lines: [cut ? t('net.sitClientsCutText') : t('net.sitStandalone')],
      cutOff: [],
      sides: null,
      clientCut: [...net.clientCut],
    };
  }
  const shaped = net.links.filter((l) => l.state !== 'ok');
  const claimants = up.filter((n) => n.role === 'leader').map((n) => n.myid);
  const leaderLine = (): string =>
    claimants.length === 0
      ? t('net.sitNoLeader')
      : claimants.length === 1
        ? t('net.sitLeads', { myid: claimants[0], heard: support(claimants[0]!).length, voters: voterIds.size, need })
        : t('net.sitTwoLeaders', { ids: list(claimants) });

  if (net.faults.length === 0 && shaped.length === 0 && net.clientCut.length === 0) {
    return { tone: 'ok', title: t('net.sitWhole'), lines: [t('net.sitWholeText'), leaderLine()], cutOff: [], sides: null, clientCut: [] };
  }

  // Sides: the members that hear each other both ways. A clean partition has sides that hear
  // themselves whole; a bridge or a one-way cut does not, and is told member by member.
  const comps = components(upIds, links);
  const clean = comps.every((g) => g.every((a) => g.every((b) => a === b || hearsBothWays(links, a, b))));
  const sides = comps.length > 1 && clean ? comps : null;
  if (sides) {
    lines.push(t('net.sitPartition', { sides: sides.map((g) => `{${list(g)}}`).join(' | ') }));
    for (const g of sides) {
      const v = g.filter((x) => voterIds.has(x));
      const leaders = g.filter((x) => role.get(x) === 'leader');
      const has = v.length >= need;
      lines.push(
        t('net.sitSide', { side: `{${list(g)}}`, count: v.length, need }) +
          (has
            ? leaders.length > 0
              ? t('net.sitSideLeads', { myid: leaders[0] })
              : t('net.sitSideElects')
            : leaders.length > 0
              ? t('net.sitSideStale', { ids: leaders.join(', ') })
              : t('net.sitSideNoQuorum')),
      );
    }
  }
  for (const f of net.faults) {
    if (f.spec.kind !== 'bridge') continue;
    const x = f.spec.myid;
    const apart = upIds.filter((y) => y !== x && upIds.some((z) => z !== x && z !== y && !hearsBothWays(links, y, z)));
    const hearsAll = upIds.every((y) => y === x || hearsBothWays(links, x, y));
    lines.push(apart.length > 0 ? t(hearsAll ? 'net.sitBridgeAllApart' : 'net.sitBridgeSidesApart', { myid: x, apart: nodes(apart) }) : t(hearsAll ? 'net.sitBridgeAll' : 'net.sitBridgeSides', { myid: x }));
  }

  const both = shaped.filter((l) => l.state === 'cut' && l.from < l.to && !delivers(links, l.to, l.from));
  if (both.length > 0 && !sides) lines.push(t('net.sitCutBoth', { links: both.map((l) => `${l.from} ⇄ ${l.to}`).join(', ') }));
  const oneWay = shaped.filter((l) => l.state === 'cut' && delivers(links, l.to, l.from));
  for (const l of oneWay) lines.push(t('net.sitOneWay', { from: l.from, to: l.to }));
  const slow = shaped.filter((l) => l.state === 'slow');
  const slowText = slow
    .filter((l) => {
      const back = linkOf(links, l.to, l.from);
      return !(back && back.state === 'slow' && back.delayMs === l.delayMs && back.jitterMs === l.jitterMs && l.from > l.to);
    })
    .map((l) => {
      const back = linkOf(links, l.to, l.from);
      const both = back && back.state === 'slow' && back.delayMs === l.delayMs && back.jitterMs === l.jitterMs;
      return `${l.from} ${both ? '↔' : '→'} ${l.to} ${l.delayMs}${l.jitterMs ? ` ± ${l.jitterMs}` : ''} ms`;
    });
  if (slowText.length > 0) lines.push(t('net.sitSlow', { links: slowText.join(', ') }));
  for (const f of net.faults) {
    if (f.spec.kind !== 'hold') continue;
    const d = faultText(f);
    lines.push(t('net.sitHold', { fault: `${d[0]!.toUpperCase()}${d.slice(1)}`, n: f.held }));
  }
  const withHeld = net.links.filter((l) => l.held > 0);
  const heldTotal = net.faults.reduce((n, f) => n + f.held, 0);
  if (heldTotal > 0) {
    const where = withHeld.length <= 4 ? ` (${withHeld.map((l) => `${l.from} → ${l.to}: ${l.held}`).join(', ')})` : t('net.sitOnLinks', { n: withHeld.length });
    lines.push(t('net.sitWaiting', { count: heldTotal, where }));
  }
  if (net.clientCut.length > 0) lines.push(t('net.sitClientCut', { nodes: nodes(net.clientCut) }));

  // The leader that holds: one that says it leads and hears a quorum both ways. Members that do
  // not hear it both ways are cut off from it; with none, those that cannot gather a quorum are.
  const holding = claimants.find((x) => support(x).length >= need) ?? null;
  const cutOff = upIds.filter((x) => x !== holding && (holding !== null ? !hearsBothWays(links, x, holding) : voterIds.has(x) && support(x).length < need));
  const readOnly = cutOff.filter((x) => role.get(x) === 'read-only');
  if (cutOff.length > 0) {
    const dark = cutOff.filter((x) => !readOnly.includes(x));
    const from = holding !== null ? t('net.sitFromLeader', { myid: holding }) : t('net.sitFromQuorum');
    if (dark.length > 0) lines.push(t(dark.some((x) => role.get(x) === 'leader') ? 'net.sitDarkLeader' : 'net.sitDark', { from, nodes: nodes(dark) }));
    if (readOnly.length > 0) lines.push(t('net.sitReadOnly', { from, nodes: nodes(readOnly) }));
  }
  lines.push(leaderLine());
  const anyQuorum = upIds.some((x) => voterIds.has(x) && support(x).length >= need);
  if (!anyQuorum) lines.push(t('net.sitNoQuorum', { need }));

  const tone: Situation['tone'] = cutOff.length > 0 || !anyQuorum || net.clientCut.length > 0 ? 'bad' : 'warn';
  const title = !anyQuorum ? t('net.sitTitleNoQuorum') : cutOff.length > 0 ? t('net.sitTitleCutOff', { nodes: nodes(cutOff) }) : t('net.sitTitleHolds');
  return { tone, title, lines, cutOff, sides, clientCut: [...net.clientCut] };
}

/** Preset: `target` and the fewest others it needs to be a minority, against the rest. */
export function minoritySplit(view: LabView, target: number): number[][] {
  const voters = view.nodes.filter((n) => !n.observer).map((n) => n.myid);
  const size = Math.max(1, Math.floor(voters.length / 2));
  const minority = [target, ...voters.filter((x) => x !== target).slice(0, size - 1)].sort((a, b) => a - b);
  const majority = view.nodes.map((n) => n.myid).filter((x) => !minority.includes(x));
  return [minority, majority];
}

/** The groups a partition's spec names, with the members in no group as one more group. */
function groupsOf(spec: { groups: number[][] }, members: number[]): number[][] {
  const named = new Set(spec.groups.flat());
  const rest = members.filter((m) => !named.has(m));
  return rest.length > 0 ? [...spec.groups, rest] : spec.groups;
}

/** Faults that shape the link between a and b (either way); `cut`: the link is cut one way or both (a bridge's sides are the backend's to choose). */
export function faultsOnPair(faults: Fault[], members: number[], a: number, b: number, cut: boolean): Fault[] {
  const pair = (x: number, y: number): boolean => (x === a && y === b) || (x === b && y === a);
  return faults.filter((f) => {
    const s = f.spec;
    switch (s.kind) {
      case 'oneway':
        return pair(s.from, s.to);
      case 'slow':
        return s.b === null ? s.a === a || s.a === b : pair(s.a, s.b);
      case 'hold':
        return (s.from === null || s.from === a || s.from === b) && (s.to === null || s.to.includes(a) || s.to.includes(b));
      case 'isolate':
        return s.myid === a || s.myid === b;
      case 'partition': {
        const gs = groupsOf(s, members);
        return gs.findIndex((g) => g.includes(a)) !== gs.findIndex((g) => g.includes(b));
      }
      case 'bridge':
        return cut && s.myid !== a && s.myid !== b;
      default:
        return false;
    }
  });
}

/**
 * A zxid as a person types it: hex with or without 0x ("0x100000003", "100000003") or
 * epoch/counter ("1/3"); null when it is neither. Hex, as the backend writes zxids (0x, lower case).
 */
export function parseZxid(text: string): string | null {
  const t = text.trim().toLowerCase();
  const ec = /^(\d+)\s*\/\s*(\d+)$/.exec(t);
  if (ec) {
    const e = BigInt(ec[1]!);
    const c = BigInt(ec[2]!);
    if (e > 0xffffffffn || c > 0xffffffffn) return null;
    return `0x${((e << 32n) | c).toString(16)}`;
  }
  const h = /^(0x)?([0-9a-f]{1,16})$/.exec(t);
  if (!h) return null;
  return `0x${BigInt(`0x${h[2]}`).toString(16)}`;
}

/** "0x100000003" as "1/3". */
export function epochCounter(hex: string | null): string {
  if (!hex) return '—';
  try {
    const z = BigInt(hex.startsWith('0x') ? hex : `0x${hex}`);
    return `${z >> 32n}/${z & 0xffffffffn}`;
  } catch {
    return '?';
  }
}

// What the faults in force mean for one direction of traffic: pure functions from the fault list
// to each pipe's rule (cut, delay, holds). The relays ask these; so do the views and the tests.
import type { FaultSpec } from '../../shared/net';
import { faultSaid, sayEnglish } from '../../shared/said';

/** Traffic between members (quorum, election) or between the lab's clients and a member. */
export type LinkKind = 'quorum' | 'election' | 'client';

/** The lab's own clients, as the sending or receiving end of a client link. */
export const CLIENTS = 0;

export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  startedAt: number;
}

/** One direction's rule: what to do with what flows from → to on a link of `kind`. */
export interface PipeRule {
  /** The fault that stops everything on this direction, or null. */
  cutBy: string | null;
  delayMs: number;
  jitterMs: number;
  /** The fault whose latency applies (the largest), or null. */
  slowBy: string | null;
  /** Message types set aside until released, with the fault holding them. */
  holds: Map<string, string>;
}

export const OPEN_RULE: PipeRule = { cutBy: null, delayMs: 0, jitterMs: 0, slowBy: null, holds: new Map() };

/** The groups of a network partition as sets (members named in no group form one more group). */
export function partitionGroups(spec: FaultSpec, members: number[]): number[][] | null {
  switch (spec.kind) {
    case 'partition': {
      const named = new Set(spec.groups.flat());
      const rest = members.filter((m) => !named.has(m));
      return rest.length > 0 ? [...spec.groups, rest] : spec.groups;
    }
    case 'isolate':
      return [[spec.myid], members.filter((m) => m !== spec.myid)];
    case 'bridge': {
      // The bridge member is in both groups; the others split into two halves.
      const others = members.filter((m) => m !== spec.myid);
      const half = Math.ceil(others.length / 2);
      return [[spec.myid, ...others.slice(0, half)], [spec.myid, ...others.slice(half)]];
    }
    default:
      return null;
  }
}

/** Whether a and b share a group. */
function together(groups: number[][], a: number, b: number): boolean {
  return groups.some((g) => g.includes(a) && g.includes(b));
}

/** The rule for traffic from → to on a link of `kind`, under `faults` (oldest first). */
export function ruleFor(faults: ActiveFault[], members: number[], kind: LinkKind, from: number, to: number): PipeRule {
  let rule: PipeRule | null = null;
  const edit = (): PipeRule => (rule ??= { cutBy: null, delayMs: 0, jitterMs: 0, slowBy: null, holds: new Map() });
  for (const f of faults) {
    const s = f.spec;
    if (kind === 'client') {
      const member = from === CLIENTS ? to : from;
      if (s.kind === 'client-cut' && s.myid === member) edit().cutBy ??= f.id;
      continue;
    }
    switch (s.kind) {
      case 'partition':
      case 'isolate':
      case 'bridge': {
        const groups = partitionGroups(s, members)!;
        if (!together(groups, from, to)) edit().cutBy ??= f.id;
        break;
      }
      case 'oneway':
        if (s.from === from && s.to === to) edit().cutBy ??= f.id;
        break;
      case 'slow': {
        const hit = s.b === null ? from === s.a || to === s.a : (from === s.a && to === s.b) || (from === s.b && to === s.a);
        if (hit) {
          const r = edit();
          if (s.ms > r.delayMs) {
            r.delayMs = s.ms;
            r.jitterMs = s.jitterMs;
            r.slowBy = f.id;
          }
        }
        break;
      }
      case 'hold': {
        if ((s.from === null || s.from === from) && (s.to === null || s.to.includes(to))) {
          // NOTIFICATION travels on election links only, the ZAB types on quorum links only.
          const onThisLink = s.type === 'NOTIFICATION' ? kind === 'election' : kind === 'quorum';
          if (onThisLink && !edit().holds.has(s.type)) edit().holds.set(s.type, f.id);
        }
        break;
      }
      default:
        break;
    }
  }
  return rule ?? OPEN_RULE;
}

/** One line for people: what the fault does (the page says it in its language from faultSaid). */
export function describeFault(s: FaultSpec): string {
  return sayEnglish(faultSaid(s));
}

/** Every member a spec names (to check they exist). */
export function membersNamed(s: FaultSpec): number[] {
  switch (s.kind) {
    case 'partition':
      return s.groups.flat();
    case 'oneway':
      return [s.from, s.to];
    case 'slow':
      return s.b === null ? [s.a] : [s.a, s.b];
    case 'hold':
      return [...(s.from === null ? [] : [s.from]), ...(s.to ?? [])];
    default:
      return [s.myid];
  }
}

/** Checks a network spec against the lab's members; returns a sentence when it makes no sense. */
export function checkSpec(s: FaultSpec, members: number[]): string | null {
  for (const m of membersNamed(s)) if (!members.includes(m)) return `There is no member ${m} in this lab (members: ${members.join(', ')}).`;
  switch (s.kind) {
    case 'partition': {
      const all = s.groups.flat();
      if (new Set(all).size !== all.length) return 'A member is in two groups of the partition; use a bridge for a member that hears both sides.';
      const groups = partitionGroups(s, members)!;
      if (groups.length < 2) return 'A partition needs at least two groups, e.g. 1,2|3,4,5.';
      return null;
    }
    case 'isolate':
    case 'bridge':
      if (members.length < 2) return `A single member has nobody to be cut off from.`;
      if (s.kind === 'bridge' && members.length < 3) return 'A bridge needs at least three members (one in the middle, one on each side).';
      return null;
    case 'oneway':
      return s.from === s.to ? 'A one-way cut needs two different members.' : null;
    case 'slow':
      return s.b !== null && s.a === s.b ? 'A slow link needs two different members (or "all" for every link of one).' : null;
    case 'hold':
      if (s.from !== null && s.to !== null && s.to.includes(s.from)) return 'A member does not send messages to itself.';
      return null;
    case 'disk':
      return s.mode === 'stall' && !s.ms ? 'A disk stall needs its length in ms.' : null;
    default:
      return null;
  }
}

// Turns successive polls of every node into the lab's events: a node's role changed, a node
// began serving, the ensemble started or ended an election, another member leads, the epoch
// moved. Pure: it is given the time and the nodes' states and returns events, so the rules are
// tested without processes.
import type { Role } from '../shared/contract';
import type { LabEventType } from '../shared/events';
import { said } from '../shared/said';
import { saidEvent, saidFields } from './said';

export interface ObservedNode {
  myid: number;
  observer: boolean;
  /** The process is alive (the supervisor's word, not the AdminServer's). */
  running: boolean;
  role: Role;
  epoch: number | null;
  lastZxid: string | null;
}

export interface ObservedEvent {
  myid: number | null;
  type: LabEventType;
  detail: string;
  data: Record<string, unknown>;
}

const SERVING: ReadonlySet<Role> = new Set(['leader', 'follower', 'observer', 'standalone', 'read-only']);
/** Roles that say nothing new about a node: it is being started, or stopped by the lab. */
const TRANSIENT: ReadonlySet<Role> = new Set(['starting', 'paused']);

/** The member that leads with a quorum of voters behind it, or null. */
export function servingLeader(nodes: ObservedNode[]): ObservedNode | null {
  const voters = nodes.filter((n) => !n.observer);
  const leaders = voters.filter((n) => n.role === 'leader');
  if (leaders.length !== 1) return null;
  const up = voters.filter((n) => n.role === 'leader' || n.role === 'follower').length;
  return up >= Math.floor(voters.length / 2) + 1 ? leaders[0]! : null;
}

export class EnsembleObserver {
  private readonly lastRole = new Map<number, Role>();
  private readonly announced = new Map<number, boolean>();
  private leader: number | null = null;
  private epoch: number | null = null;
  private electingSince: number | null = null;
  /** When the previous poll was observed: an election that fell between two polls began after it. */
  private lastObservedAt: number | null = null;

  /**
   * The members' logs were erased and their epochs start again from 0: the next leader is a new
   * one even though its epoch is not higher than the last one seen (without this, the rule that
   * takes such a leader for a stale reading would keep the election open for ever).
   */
  forgetEpoch(): void {
    this.epoch = null;
  }

  /** Compares this poll with the last one and returns what changed, as events. */
  observe(now: number, nodes: ObservedNode[]): ObservedEvent[] {
    const previousPoll = this.lastObservedAt;
    this.lastObservedAt = now;
    const out: ObservedEvent[] = [];
    for (const n of nodes) {
      const role: Role = n.running ? n.role : 'down';
      const prev = this.lastRole.get(n.myid);
      if (!TRANSIENT.has(role)) {
        if (prev !== undefined && prev !== role) {
          const [detail, data] = saidEvent(said('nodeRole', { myid: n.myid, from: prev, to: role }), { from: prev, to: role });
          out.push({ myid: n.myid, type: 'node.role', detail, data });
        }
        this.lastRole.set(n.myid, role);
      }
      // node.up once per start of the process: when it first serves after being down or starting.
      if (!n.running || role === 'starting') this.announced.set(n.myid, false);
      else if (SERVING.has(role) && !this.announced.get(n.myid)) {
        this.announced.set(n.myid, true);
        const zxid = n.lastZxid !== null ? `0x${n.lastZxid}` : null;
        out.push({ myid: n.myid, type: 'node.up', detail: `node ${n.myid} is up: ${role}${n.epoch !== null ? ` in epoch ${n.epoch}` : ''}${zxid ? ` at zxid ${zxid}` : ''}`, data: { role, epoch: n.epoch, zxid } });
      }
    }
    // One server alone never elects: the ensemble events are for ensembles.
    if (nodes.filter((n) => !n.observer).length < 2) return out;

    const leader = servingLeader(nodes.map((n) => (n.running ? n : { ...n, role: 'down' })));
    if (leader === null && this.electingSince === null) {
      if (nodes.some((n) => n.running && !n.observer)) {
        this.electingSince = now;
        const gone = this.leader !== null ? nodes.find((n) => n.myid === this.leader) : undefined;
        const leader = this.leader ?? 0;
        const why =
          this.leader === null
            ? said('electionNoLeaderYet')
            : gone && !gone.running
              ? said('electionLeaderDown', { leader })
              : gone && gone.role === 'starting'
                ? said('electionLeaderSilent', { leader })
                : gone && gone.role !== 'leader'
                  ? said('electionLeaderIs', { leader, role: gone.role })
                  : said('electionLeaderLostQuorum', { leader });
        const [detail, data] = saidEvent(why, { previousLeader: this.leader });
        const reason = detail.replace(/^election started: /, '');
        out.push({ myid: null, type: 'ensemble.election.started', detail, data: { reason, ...data } });
      }
    } else if (leader !== null) {
      // ZAB never re-establishes an epoch: a leader after an election has a higher one. One that
      // does not is a stale reading of the old one (a member that has not caught up yet).
      if (this.electingSince !== null && this.epoch !== null && leader.epoch !== null && leader.epoch <= this.epoch) return out;
      // A new epoch with no poll in between that saw the ensemble without a leader: the whole
      // election fell between two polls (it can take ~250 ms). It happened all the same.
      if (this.electingSince === null && this.leader !== null && this.epoch !== null && leader.epoch !== null && leader.epoch > this.epoch) {
        const since = previousPoll ?? now;
        out.push({
          myid: null,
          type: 'ensemble.election.started',
          ...saidFields(said('electionBetweenPolls', { myid: leader.myid, epoch: leader.epoch, previous: this.leader, previousEpoch: this.epoch }), { reason: 'between two polls', previousLeader: this.leader }),
        });
        this.electingSince = since;
      }
      if (this.electingSince !== null) {
        const durationMs = now - this.electingSince;
        this.electingSince = null;
        out.push({
          myid: leader.myid,
          type: 'ensemble.election.ended',
          ...saidFields(
            leader.epoch !== null ? said('electionEnded', { ms: durationMs, myid: leader.myid, epoch: leader.epoch }) : said('electionEndedNoEpoch', { ms: durationMs, myid: leader.myid }),
            { leader: leader.myid, epoch: leader.epoch, durationMs },
          ),
        });
      }
      if (leader.myid !== this.leader) {
        out.push({
          myid: leader.myid,
          type: 'ensemble.leader.changed',
          ...saidFields(this.leader === null ? said('leaderFirst', { myid: leader.myid }) : said('leaderChanged', { myid: leader.myid, previous: this.leader }), { leader: leader.myid, previous: this.leader }),
        });
        this.leader = leader.myid;
      }
      if (leader.epoch !== null && leader.epoch !== this.epoch) {
        out.push({
          myid: leader.myid,
          type: 'ensemble.epoch.changed',
          ...saidFields(this.epoch === null ? said('epochFirst', { epoch: leader.epoch }) : said('epochChanged', { previous: this.epoch, epoch: leader.epoch }), { epoch: leader.epoch, previous: this.epoch }),
        });
        this.epoch = leader.epoch;
      }
    }
    return out;
  }
}

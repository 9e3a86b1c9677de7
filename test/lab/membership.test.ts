// Membership changes (src/lab/membership.ts) on a 3-member lab of each engine, the same steps side
// by side: add a member, make it an observer and a voter again, remove one. After each step every
// member reports the committed config version, the config (/zookeeper/config read through a
// member) names the lab's members with their roles, and lab.json follows. A refused reconfig
// changes nothing in the lab's record.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client';
import { parseConfig } from '../../src/lab/membership';
import { labPorts } from '../../src/lab/ports';
import { LabService } from '../../src/lab/service';
import type { LabView, MembershipResult } from '../../src/shared/contract';
import { untilLab } from '../support/lab-wait';
import { JAVA, needs, OUR_BUILD, ZK_ADMIN_JARS, ZK_JARS } from '../support/needs';

const engines = [
  ['ours', [OUR_BUILD]],
  ['apache', [JAVA, ZK_JARS, ZK_ADMIN_JARS]],
] as const;

/** What a step left, comparable across engines: membership as "myid:p|o" and whether all agree on the version. */
interface Outcome {
  members: string;
  config: string;
  agreed: boolean;
  recorded: string;
}
const outcomes: Record<string, Outcome[]> = {};

const membersOf = (r: MembershipResult): string => r.members.map((m) => `${m.myid}:${m.observer ? 'o' : 'p'}`).join(',');

async function configThrough(view: LabView): Promise<string> {
  const n = view.nodes.find((x) => x.myid === view.leader)!;
  const zk = await connect(`127.0.0.1:${n.clientPort}`);
  try {
    await zk.sync('/zookeeper/config');
    const { data } = await zk.getConfig();
    const c = parseConfig(data!.toString('utf8'));
    return `${[...c.servers].map(([id, s]) => `${id}:${s.observer ? 'o' : 'p'}`).join(',')}@${c.version}`;
  } finally {
    await zk.close();
  }
}

describe.each(engines)('membership changes on a lab of %s', (engine, judges) => {
  let root: string;
  let lab: LabService;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), `zk-lab-members-${engine}-`));
    process.env.ZK_LAB_DIR = root;
  });
  afterAll(async () => {
    if (lab) await lab.handle({ method: 'destroy' }).catch(() => lab.close());
    delete process.env.ZK_LAB_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  it('adds a member, makes it an observer and a voter again, removes one; every member follows', { timeout: 300_000, ...needs(...judges) }, async () => {
    lab = new LabService(`members-${engine}`);
    await lab.handle({ method: 'launch', size: 3, observers: 0, engines: engine, reconfig: true });
    // Ours keeps zoo.cfg's config as version 0; 3.8 versions it by the first leader's NEWLEADER zxid.
    const launched = await untilLab(lab, (v) => v.serving && v.nodes.every((n) => n.configVersion !== null && n.configVersion === v.nodes[0]!.configVersion), 90_000, 'a serving lab whose members report one config version');
    const dir = join(root, `members-${engine}`);
    const recorded = (): string => (JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as { nodes: { myid: number; observer: boolean }[] }).nodes.map((n) => `${n.myid}:${n.observer ? 'o' : 'p'}`).join(',');
    const steps: Outcome[] = (outcomes[engine] = []);
    let last = BigInt(`0x${launched.nodes[0]!.configVersion}`);
    const step = async (r: MembershipResult): Promise<void> => {
      expect(r.version).not.toBeNull();
      // Each change is a new, later config.
      expect(BigInt(`0x${r.version}`)).toBeGreaterThan(last);
      last = BigInt(`0x${r.version}`);
      const v = lab.view()!;
      const config = await configThrough(v);
      expect(config.endsWith(`@${r.version}`)).toBe(true);
      steps.push({ members: membersOf(r), config: config.replace(/@.*/, ''), agreed: r.members.every((m) => m.configVersion === r.version), recorded: recorded() });
    };

    await step(await lab.handle({ method: 'member.change', change: { kind: 'add', observer: false } }));
    expect(existsSync(join(dir, 'node4', 'data', 'myid'))).toBe(true);
    await step(await lab.handle({ method: 'member.change', change: { kind: 'role', myid: 4, role: 'observer' } }));
    await step(await lab.handle({ method: 'member.change', change: { kind: 'role', myid: 4, role: 'participant' } }));
    await step(await lab.handle({ method: 'member.change', change: { kind: 'remove', myid: 2 } }));
    // The removed member is stopped and gone from the lab, its folder kept.
    expect(lab.view()!.nodes.map((n) => n.myid)).toEqual([1, 3, 4]);
    expect(existsSync(join(dir, 'node2', 'zoo.cfg'))).toBe(true);

    // A refused reconfig: with two of the three voters down, no quorum of the new config is there.
    const before = recorded();
    const others = lab.view()!.nodes.filter((n) => n.myid !== lab.view()!.leader);
    await lab.handle({ method: 'node', myid: others[0]!.myid, action: 'stop' });
    await expect(lab.handle({ method: 'member.change', change: { kind: 'remove', myid: others[1]!.myid } })).rejects.toThrow(/ZooKeeper refused the reconfig|does not serve now/);
    expect(recorded()).toBe(before);
    expect(lab.view()!.nodes.map((n) => n.myid)).toEqual([1, 3, 4]);

    expect(steps).toEqual([
      { members: '1:p,2:p,3:p,4:p', config: '1:p,2:p,3:p,4:p', agreed: true, recorded: '1:p,2:p,3:p,4:p' },
      { members: '1:p,2:p,3:p,4:o', config: '1:p,2:p,3:p,4:o', agreed: true, recorded: '1:p,2:p,3:p,4:o' },
      { members: '1:p,2:p,3:p,4:p', config: '1:p,2:p,3:p,4:p', agreed: true, recorded: '1:p,2:p,3:p,4:p' },
      { members: '1:p,3:p,4:p', config: '1:p,3:p,4:p', agreed: true, recorded: '1:p,3:p,4:p' },
    ]);
    if (engine === 'apache') {
      // 3.8 keeps each member's committed config beside its zoo.cfg (zoo.cfg.dynamic.<version>).
      const files = readdirSync(join(dir, 'node1')).filter((f) => f.startsWith('zoo.cfg.dynamic.'));
      expect(files).toContain(`zoo.cfg.dynamic.${last.toString(16)}`);
    }
  });
});

describe('a rolling restart and a ports move on a lab of ours', () => {
  let root: string;
  let lab: LabService;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'zk-lab-members-rr-'));
    process.env.ZK_LAB_DIR = root;
  });
  afterAll(async () => {
    if (lab) await lab.handle({ method: 'destroy' }).catch(() => lab.close());
    delete process.env.ZK_LAB_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  it('restarts every member once, the leader last, and moves a member to new ports', { timeout: 180_000, ...needs(OUR_BUILD) }, async () => {
    lab = new LabService('rr');
    await lab.handle({ method: 'launch', size: 3, observers: 0, engines: 'ours' });
    const before = await untilLab(lab, (v) => v.serving && v.nodes.every((n) => n.configVersion === '0'), 60_000, 'a serving lab');
    const pids = new Map(before.nodes.map((n) => [n.myid, n.pid]));
    const leader = before.leader!;
    const r = await lab.handle({ method: 'member.change', change: { kind: 'rolling-restart' } });
    expect(r.change).toMatch(new RegExp(`restarted members (\\d, ){2}${leader} one at a time`));
    // Every member is a new process, and the ensemble serves.
    expect(lab.view()!.nodes.every((n) => n.pid !== null && n.pid !== pids.get(n.myid))).toBe(true);
    expect(lab.view()!.serving).toBe(true);
    // The history has the restarts in that order.
    const restarts = (await lab.handle({ method: 'history' })).events.filter((e) => e.type === 'node.stopped').map((e) => e.myid);
    expect(restarts.at(-1)).toBe(leader);

    // A rolling restart with a member down is refused, and restarts nothing.
    const follower = lab.view()!.nodes.find((n) => n.role === 'follower')!.myid;
    await lab.handle({ method: 'node', myid: follower, action: 'stop' });
    await expect(lab.handle({ method: 'member.change', change: { kind: 'rolling-restart' } })).rejects.toThrow(`Node ${follower} is not serving`);
    await lab.handle({ method: 'node', myid: follower, action: 'start' });
    await untilLab(lab, (v) => v.serving && v.nodes.every((n) => n.role === 'leader' || n.role === 'follower'), 60_000, 'every member back');

    // Node 3 moves to new ports: the config says so, it serves there, and lab.json follows.
    const [client, quorum, election] = await labPorts(3);
    const moved = await lab.handle({ method: 'member.change', change: { kind: 'ports', myid: 3, clientPort: client, quorumPort: quorum, electionPort: election } });
    expect(moved.members.every((m) => m.configVersion === moved.version)).toBe(true);
    const n3 = lab.view()!.nodes.find((n) => n.myid === 3)!;
    expect(n3.clientPort).toBe(client);
    const zk = await connect(`127.0.0.1:${client}`);
    try {
      const { data } = await zk.getConfig();
      expect(data!.toString()).toContain(`server.3=127.0.0.1:${quorum}:${election}:participant;127.0.0.1:${client}`);
    } finally {
      await zk.close();
    }
    // A port another member uses is refused before anything is asked.
    await expect(lab.handle({ method: 'member.change', change: { kind: 'ports', myid: 3, clientPort: lab.view()!.nodes[0]!.clientPort } })).rejects.toThrow(/already used by this lab/);
  });
});

describe('membership changes side by side', () => {
  it('leave the same members, roles and record on both engines after each step', { ...needs(OUR_BUILD, JAVA, ZK_JARS, ZK_ADMIN_JARS) }, () => {
    expect(outcomes.ours).toHaveLength(4);
    expect(outcomes.ours).toEqual(outcomes.apache);
  });
});

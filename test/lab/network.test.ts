// The lab's network on real members: every byte between members passes the lab's relays, which
// cut, hold and capture it. A partition isolating the leader of five (ours, Apache ZooKeeper 3.8,
// mixed), a one-way cut from the leader to a follower (ours and Apache side by side), the seed's
// two crash-recovery cases made with held COMMITs and held PROPOSALs, a client cut shorter and
// longer than the session timeout, and the Wire capture of one write by its zxid.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, NotReadOnlyError, type ZkClient } from '../../src/client';
import { LabService } from '../../src/lab/service';
import type { Fault, LabView, NetView, WireCapture, WireMessage } from '../../src/shared/contract';
import { caughtUp, labZxid } from '../support/caught-up';
import { untilLab } from '../support/lab-wait';
import { JAVA, needs, OUR_BUILD, ZK_ADMIN_JARS, ZK_JARS } from '../support/needs';

const until = untilLab;

/** Polls `probe` until it returns a value (not undefined); each probe's error is kept for the timeout's message. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const leaderOf = (v: LabView) => v.nodes.find((n) => n.role === 'leader') ?? null;
const serving = (size: number) => (v: LabView) => v.nodes.filter((n) => n.role === 'leader').length === 1 && v.nodes.filter((n) => n.role === 'follower').length === size - 1;

/** Every member serving at the leader's zxid (or synced in its epoch before the epoch's first write). */
function converged(v: LabView): boolean {
  const l = leaderOf(v);
  if (!l || l.lastZxid === null) return false;
  return v.nodes.every((n) => n.myid === l.myid || (n.role === 'follower' && n.lastZxid !== null && caughtUp(labZxid(n.lastZxid), n.epoch === null ? null : BigInt(n.epoch), labZxid(l.lastZxid!))));
}

/** The lab's direct client address of a member (no lab fault reaches it). */
const direct = (v: LabView, myid: number): string => `127.0.0.1:${v.nodes.find((n) => n.myid === myid)!.clientPort}`;
/** Through the lab's network. */
const viaLab = (v: LabView, myid: number): string => `127.0.0.1:${v.nodes.find((n) => n.myid === myid)!.labClientPort}`;

let root: string;
let lab: LabService;
const clients: ZkClient[] = [];
async function client(address: string, sessionTimeout = 10_000): Promise<ZkClient> {
  const c = await connect(address, { sessionTimeout, timeoutMs: 20_000 });
  clients.push(c);
  return c;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'zk-lab-net-'));
  process.env.ZK_LAB_DIR = root;
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close(500).catch(() => undefined);
  lab?.close();
  delete process.env.ZK_LAB_DIR;
  rmSync(root, { recursive: true, force: true });
});

async function launch(size: 3 | 5, engines: 'ours' | 'apache' | 'mixed', readOnly = false): Promise<LabView> {
  lab = new LabService(`net-${engines}-${size}`);
  await lab.handle({ method: 'launch', size, observers: 0, engines, readOnly });
  return until(lab, (v) => serving(size)(v) && converged(v), 120_000, `a leader and ${size - 1} followers`);
}

const fault = (spec: Parameters<LabService['handle']>[0] & { method: 'net.fault' }): Promise<Fault> => lab.handle(spec) as Promise<Fault>;
const wire = async (q: Partial<{ types: string[]; zxid: string; members: number[] }> = {}): Promise<WireMessage[]> =>
  ((await lab.handle({ method: 'wire.query', query: { afterSeq: 0, fromMs: null, toMs: null, types: q.types ?? null, members: q.members ?? null, zxid: q.zxid ?? null, limit: 20_000 } })) as WireCapture).messages;

describe('the lab network', () => {
  it('routes every member link through the lab: zoo.cfg names a relay for every other member', { timeout: 180_000, ...needs(OUR_BUILD) }, async () => {
    const v = await launch(3, 'ours');
    const spec = JSON.parse(readFileSync(join(root, 'net-ours-3', 'lab.json'), 'utf8')) as { nodes: { myid: number; quorumPort: number; electionPort: number }[]; net: { quorum: Record<string, number>; election: Record<string, number> } };
    for (const n of spec.nodes) {
      const cfg = readFileSync(join(root, 'net-ours-3', `node${n.myid}`, 'zoo.cfg'), 'utf8');
      for (const m of spec.nodes) {
        const line = new RegExp(`^server\\.${m.myid}=127\\.0\\.0\\.1:(\\d+):(\\d+)`, 'm').exec(cfg)!;
        const [q, e] = [Number(line[1]), Number(line[2])];
        if (m.myid === n.myid) expect([q, e]).toEqual([m.quorumPort, m.electionPort]);
        else expect([q, e]).toEqual([spec.net.quorum[`${n.myid}-${m.myid}`], spec.net.election[`${n.myid}-${m.myid}`]]);
      }
    }
    // The election and the sync went through the relays: their messages are in the capture.
    const net = (await lab.handle({ method: 'net.state' })) as NetView;
    expect(net.enabled).toBe(true);
    const types = new Set((await wire()).map((m) => m.type));
    for (const t of ['CONNECT', 'NOTIFICATION', 'FOLLOWERINFO', 'LEADERINFO', 'ACKEPOCH', 'NEWLEADER', 'UPTODATE']) expect(types, t).toContain(t);

    // One write, followed by its zxid: PROPOSAL to each follower, ACKs from them, COMMIT to each.
    const leader = leaderOf(v)!;
    const zk = await client(viaLab(v, leader.myid));
    await zk.create('/wire', 'x');
    const created = await zk.exists('/wire');
    const zxid = `0x${created!.czxid.toString(16)}`;
    const byZxid = await eventually(async () => {
      const ms = await wire({ zxid });
      // The COMMITs go once a majority acked: the other follower's ACK may still be on its way.
      return ms.filter((m) => m.type === 'COMMIT').length === 2 && ms.filter((m) => m.type === 'ACK').length === 2 ? ms : undefined;
    }, 10_000, `the ACKs and COMMITs of ${zxid}`);
    const followers = v.nodes.filter((n) => n.myid !== leader.myid).map((n) => n.myid).sort();
    const pick = (t: string) => byZxid.filter((m) => m.type === t);
    expect(pick('PROPOSAL').map((m) => [m.from, m.to]).sort()).toEqual(followers.map((f) => [leader.myid, f]));
    expect(pick('ACK').map((m) => [m.from, m.to]).sort()).toEqual(followers.map((f) => [f, leader.myid]));
    expect(pick('COMMIT').map((m) => [m.from, m.to]).sort()).toEqual(followers.map((f) => [leader.myid, f]));
    expect(pick('PROPOSAL')[0]!.fields.path).toBe('/wire');
    // ACKs come after the PROPOSAL they answer, the COMMIT after a majority of ACKs.
    const firstCommit = Math.min(...pick('COMMIT').map((m) => m.time));
    expect(Math.min(...pick('ACK').map((m) => m.time))).toBeLessThanOrEqual(firstCommit);
  });

  describe.each([
    ['ours', [OUR_BUILD]],
    ['apache', [JAVA, ZK_JARS, ZK_ADMIN_JARS]],
    ['mixed', [OUR_BUILD, JAVA, ZK_JARS, ZK_ADMIN_JARS]],
  ] as const)('%s members', (engine, judges) => {
    it('isolating the leader of five: the four elect in a higher epoch and serve writes, the old leader stops leading, heal brings it back as a follower at the same zxid', { timeout: 300_000, ...needs(...judges) }, async () => {
      const v = await launch(5, engine);
      const old = leaderOf(v)!;
      const f = await fault({ method: 'net.fault', spec: { kind: 'isolate', myid: old.myid } });
      expect(f.description).toContain(`isolate member ${old.myid}`);
      const split = await until(lab, (x) => {
        const l = leaderOf(x);
        return l !== null && l.myid !== old.myid && (l.epoch ?? 0) > (old.epoch ?? 0) && x.nodes.filter((n) => n.role === 'follower').length === 3;
      }, 120_000, 'a new leader in a higher epoch with three followers');
      // The old leader lost its quorum: it leads no more (ZooKeeper: within syncLimit ticks).
      await until(lab, (x) => x.nodes.find((n) => n.myid === old.myid)!.role !== 'leader', 30_000, `member ${old.myid} to stop leading`);
      const majority = split.nodes.filter((n) => n.myid !== old.myid).map((n) => viaLab(split, n.myid)).join(',');
      const zk = await client(majority);
      await zk.create('/during-partition', 'majority');

      await lab.handle({ method: 'net.heal', id: null });
      const healed = await until(lab, (x) => serving(5)(x) && converged(x) && x.nodes.find((n) => n.myid === old.myid)!.role === 'follower', 120_000, `member ${old.myid} back as a follower at the leader's zxid`);
      const back = await client(direct(healed, old.myid));
      await back.sync('/');
      expect((await back.getData('/during-partition')).data!.toString()).toBe('majority');
      const net = (await lab.handle({ method: 'net.state' })) as NetView;
      expect(net.faults).toEqual([]);
      expect(lab.view()!.nodes.every((n) => n.role === 'leader' || n.role === 'follower')).toBe(true);
    });
  });

  describe.each([
    ['ours', [OUR_BUILD]],
    ['apache', [JAVA, ZK_JARS, ZK_ADMIN_JARS]],
  ] as const)('%s members, one-way cut', (engine, judges) => {
    it('the leader\'s messages to one follower are lost: the follower times out and leaves, the others serve; healed, it rejoins', { timeout: 240_000, ...needs(...judges) }, async () => {
      const v = await launch(3, engine);
      const leader = leaderOf(v)!;
      const victim = v.nodes.find((n) => n.role === 'follower')!;
      await fault({ method: 'net.fault', spec: { kind: 'oneway', from: leader.myid, to: victim.myid } });
      await until(lab, (x) => x.nodes.find((n) => n.myid === victim.myid)!.role !== 'follower', 60_000, `member ${victim.myid} to stop following`);
      // The leader keeps its quorum with the other follower and serves writes.
      const x = lab.view()!;
      expect(leaderOf(x)?.myid).toBe(leader.myid);
      const zk = await client(viaLab(x, leader.myid));
      await zk.create('/oneway', 'x');
      await lab.handle({ method: 'net.heal', id: null });
      await until(lab, (y) => serving(3)(y) && converged(y) && y.nodes.find((n) => n.myid === victim.myid)!.role === 'follower', 120_000, `member ${victim.myid} to follow again`);
    });
  });

  describe.each([
    ['ours', [OUR_BUILD]],
    ['apache', [JAVA, ZK_JARS, ZK_ADMIN_JARS]],
  ] as const)('%s members, read-only mode', (engine, judges) => {
    it('a member cut off from its quorum serves read-only clients the data it has and refuses writes; healed, it follows again', { timeout: 240_000, ...needs(...judges) }, async () => {
      const v = await launch(3, engine, true);
      const leader = leaderOf(v)!;
      const zk = await client(viaLab(v, leader.myid));
      await zk.create('/ro', 'before');
      const cut = v.nodes.find((n) => n.role === 'follower')!;
      await until(lab, (x) => converged(x), 30_000, 'every member at the leader\'s zxid');
      await fault({ method: 'net.fault', spec: { kind: 'isolate', myid: cut.myid } });
      await until(lab, (x) => x.nodes.find((n) => n.myid === cut.myid)!.role === 'read-only', 60_000, `member ${cut.myid} to serve read-only`);
      // The same client script on either engine: a read-only session reads, cannot write.
      const ro = await connect(viaLab(v, cut.myid), { canBeReadOnly: true, sessionTimeout: 10_000, timeoutMs: 20_000 });
      clients.push(ro);
      expect(ro.state).toBe('readOnly');
      expect((await ro.getData('/ro')).data!.toString()).toBe('before');
      expect(await ro.setData('/ro', 'after').catch((e: Error) => e)).toBeInstanceOf(NotReadOnlyError);
      await lab.handle({ method: 'net.heal', id: null });
      await until(lab, (x) => serving(3)(x) && x.nodes.find((n) => n.myid === cut.myid)!.role === 'follower', 120_000, `member ${cut.myid} to follow again`);
    });
  });

  it('recovery case 1 (held COMMITs): a write acked by a majority but applied by no learner survives the leader\'s death and is committed everywhere', { timeout: 240_000, ...needs(OUR_BUILD) }, async () => {
    const v = await launch(3, 'ours');
    const leader = leaderOf(v)!;
    const learners = v.nodes.filter((n) => n.myid !== leader.myid);
    // Sessions first: creating one is a txn too, and a learner answers it only once it applied its COMMIT.
    const zk = await client(viaLab(v, leader.myid));
    const readers = await Promise.all(learners.map((l) => client(direct(v, l.myid))));
    const hold = await fault({ method: 'net.fault', spec: { kind: 'hold', type: 'COMMIT', from: leader.myid, to: null } });
    await zk.create('/case1', 'acked');
    // Acknowledged to the client; the learners logged it (they ACKed) but have not applied it.
    for (const [i, r] of readers.entries()) expect(await r.exists('/case1'), `learner ${learners[i]!.myid} must not have applied /case1`).toBeNull();
    const net = (await lab.handle({ method: 'net.state' })) as NetView;
    expect(net.faults.find((x) => x.id === hold.id)!.held).toBeGreaterThanOrEqual(2);
    const held = await wire({ types: ['COMMIT'] });
    expect(held.filter((m) => m.status === 'held' && m.fault === hold.id).length).toBeGreaterThanOrEqual(2);

    await lab.handle({ method: 'node', myid: leader.myid, action: 'kill' });
    const after = await until(lab, (x) => leaderOf(x) !== null && leaderOf(x)!.myid !== leader.myid && x.nodes.filter((n) => n.role === 'follower').length === 1, 90_000, 'a new leader of the two learners');
    for (const l of learners) {
      const r = await client(direct(after, l.myid));
      await r.sync('/');
      expect((await r.getData('/case1')).data!.toString(), `member ${l.myid}`).toBe('acked');
    }
    await lab.handle({ method: 'net.heal', id: null });
  });

  it('recovery case 2 (held PROPOSALs): a write no learner saw is not acknowledged; after the leader dies and comes back it is truncated away everywhere', { timeout: 240_000, ...needs(OUR_BUILD) }, async () => {
    const v = await launch(3, 'ours');
    const leader = leaderOf(v)!;
    const learners = v.nodes.filter((n) => n.myid !== leader.myid);
    const zk = await client(viaLab(v, leader.myid), 4000);
    const hold = await fault({ method: 'net.fault', spec: { kind: 'hold', type: 'PROPOSAL', from: leader.myid, to: null } });
    let acked = false;
    const pending = zk.create('/case2', 'never').then(
      () => (acked = true),
      () => undefined,
    );
    const proposal = await eventually(async () => {
      const ms = await wire({ types: ['PROPOSAL'] });
      const held = ms.filter((m) => m.status === 'held' && m.fault === hold.id && m.fields.path === '/case2');
      return held.length === 2 ? held[0]! : undefined;
    }, 10_000, 'the PROPOSAL of /case2 held to both learners');
    expect(acked).toBe(false);

    await lab.handle({ method: 'node', myid: leader.myid, action: 'kill' });
    await pending;
    expect(acked).toBe(false);
    await lab.handle({ method: 'net.heal', id: null });
    const after = await until(lab, (x) => leaderOf(x) !== null && leaderOf(x)!.myid !== leader.myid, 90_000, 'a new leader of the two learners');
    const newLeader = leaderOf(after)!;
    await lab.handle({ method: 'node', myid: leader.myid, action: 'start' });
    await until(lab, (x) => serving(3)(x) && converged(x), 120_000, `member ${leader.myid} back as a follower`);
    // The old leader got TRUNC from the new one, to below the proposal's zxid.
    const trunc = await eventually(async () => (await wire({ types: ['TRUNC'] })).find((m) => m.from === newLeader.myid && m.to === leader.myid), 10_000, 'a TRUNC to the old leader');
    expect(labZxid(trunc.zxid!.slice(2))).toBeLessThan(labZxid(proposal.zxid!.slice(2)));
    for (const n of lab.view()!.nodes) {
      const r = await client(direct(lab.view()!, n.myid));
      await r.sync('/');
      expect(await r.exists('/case2'), `member ${n.myid}`).toBeNull();
    }
  });

  it('a client cut shorter than the session timeout keeps the session and its ephemeral; a longer one expires it', { timeout: 240_000, ...needs(OUR_BUILD) }, async () => {
    const v = await launch(3, 'ours');
    const m = v.nodes[0]!.myid;
    const watcher = await client(direct(v, v.nodes[1]!.myid));
    const timeout = 4000;

    const short = await client(viaLab(v, m), timeout);
    await short.create('/short', '', { mode: 1 });
    const cutAt = Date.now();
    const f1 = await fault({ method: 'net.fault', spec: { kind: 'client-cut', myid: m } });
    await eventually(async () => (((await lab.handle({ method: 'net.state' })) as NetView).clientCut.includes(m) ? true : undefined), 5000, 'the cut in force');
    // Heal well inside the session timeout: the session lives on.
    await new Promise((r) => setTimeout(r, timeout / 4));
    await lab.handle({ method: 'net.heal', id: f1.id });
    await short.exists('/short');
    await eventually(async () => (Date.now() - cutAt > timeout * 2 ? true : undefined), timeout * 3, 'twice the session timeout since the cut');
    expect(await watcher.exists('/short')).not.toBeNull();

    const long = await client(viaLab(v, m), timeout);
    await long.create('/long', '', { mode: 1 });
    const expired = new Promise<void>((resolve) => long.on('state', (s) => s === 'expired' && resolve()));
    const f2 = await fault({ method: 'net.fault', spec: { kind: 'client-cut', myid: m } });
    // The server expires the session: its ephemeral goes (seen by a client that is not cut).
    await eventually(async () => ((await watcher.exists('/long')) === null ? true : undefined), timeout * 5, '/long to go with its session');
    await lab.handle({ method: 'net.heal', id: f2.id });
    // Back in touch, the client hears that its session is gone.
    await expired;
  });

  it('disk full on a follower under writes: nothing acknowledged is lost, and the member recovers when space returns', { timeout: 240_000, ...needs(OUR_BUILD) }, async () => {
    const v = await launch(3, 'ours');
    const leader = leaderOf(v)!;
    const victim = v.nodes.find((n) => n.role === 'follower')!;
    const zk = await client(viaLab(v, leader.myid));
    await zk.create('/d', '');
    const acked: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        try {
          acked.push(await zk.create(`/d/n-${i}`, String(i)));
        } catch {
          // Not acknowledged: it may or may not be there; only acknowledged writes are checked.
        }
      }
    })();
    await eventually(async () => (acked.length >= 20 ? true : undefined), 20_000, '20 acknowledged writes');
    const f = await fault({ method: 'net.fault', spec: { kind: 'disk', myid: victim.myid, mode: 'full', ms: null } });
    // The follower's next log write fails: it leaves its role (it acknowledges nothing from then on).
    await until(lab, (x) => x.nodes.find((n) => n.myid === victim.myid)!.role !== 'follower', 30_000, `member ${victim.myid} to leave its role after the failed write`);
    const at = acked.length;
    await eventually(async () => (acked.length >= at + 20 ? true : undefined), 20_000, '20 more acknowledged writes without it');
    await lab.handle({ method: 'net.heal', id: f.id });
    writing = false;
    await writer;
    const healed = await until(lab, (x) => serving(3)(x) && converged(x), 120_000, `member ${victim.myid} back, caught up`);
    for (const n of healed.nodes) {
      const r = await client(direct(healed, n.myid));
      await r.sync('/');
      const children = new Set(await r.getChildren('/d'));
      const missing = acked.filter((p) => !children.has(p.slice(3)));
      expect(missing, `acknowledged writes missing on member ${n.myid}`).toEqual([]);
    }
  });

  it('refuses bad faults with a sentence and changes nothing', { timeout: 180_000, ...needs(OUR_BUILD) }, async () => {
    await launch(3, 'ours');
    const before = (await lab.handle({ method: 'net.state' })) as NetView;
    await expect(lab.handle({ method: 'net.fault', spec: { kind: 'isolate', myid: 9 } })).rejects.toThrow('There is no member 9 in this lab');
    await expect(lab.handle({ method: 'net.fault', spec: { kind: 'oneway', from: 1, to: 1 } })).rejects.toThrow('two different members');
    await expect(lab.handle({ method: 'net.fault', spec: { kind: 'partition', groups: [[1, 2], [2, 3]] } })).rejects.toThrow('in two groups');
    await expect(lab.handle({ method: 'net.heal', id: 'f99' })).rejects.toThrow('There is no fault f99');
    let after = (await lab.handle({ method: 'net.state' })) as NetView;
    expect(after.faults).toEqual(before.faults);
    // A kill from the card (the node request) is a fault in the same list; acting on the dead member is refused.
    await lab.handle({ method: 'node', myid: 2, action: 'kill' });
    const killed = (await lab.handle({ method: 'net.state' })) as NetView;
    expect(killed.faults.map((f) => f.spec)).toEqual([{ kind: 'kill', myid: 2 }]);
    await expect(lab.handle({ method: 'net.fault', spec: { kind: 'pause', myid: 2 } })).rejects.toThrow('Member 2 is down already');
    after = (await lab.handle({ method: 'net.state' })) as NetView;
    expect(after.faults).toEqual(killed.faults);
    // Starting it by hand ends the kill.
    await lab.handle({ method: 'node', myid: 2, action: 'start' });
    expect(((await lab.handle({ method: 'net.state' })) as NetView).faults).toEqual([]);
  });
});

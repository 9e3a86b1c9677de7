// One seeded run of real members (src/server/member.ts: storage, database, server core, the
// QuorumPeer runtime and its chains) over the simulated Net, Disk and Clock, with simulated
// clients on the real client port (ClientConnection) and the lab's faults: member kills and
// power failures (unsynced bytes lost, tails torn), partitions, isolation, one-way cuts, slow
// links, connection resets, fsync stalls, full disks, clients cut off, client deaths. After every step:
// - at most one leader per epoch;
// - the data tree of every serving member at a zxid is the same as every other's at that zxid
//   (ZooKeeper's digest of every znode's path, data and stat);
// - a session's replies come in request order.
// At the end, once healed and quiet: every member serves, at the same zxid, with the same tree;
// no acknowledged write is lost (each znode's acknowledged versions are distinct and the final
// znode holds at least the newest, with the value that write set); sequential names are unique.
import { parseConfig, type ServerConfig } from '../../../src/server/config';
import type { Logger } from '../../../src/server/core';
import { openMember, type Member } from '../../../src/server/member';
import { ClientConnection } from '../../../src/server/net/connection';
import { treeDigest } from '../../../src/server/storage/digest';
import type { DataTree } from '../../../src/server/tree/datatree';
import { Rng } from '../sim/rng';
import { SimClient, type Outcome } from './client';
import { SimDisk } from './disk';
import { SimHub, type SimConn } from './net';
import { SimClock, WALL_BASE, World } from './world';

export interface MemberSimOptions {
  voters: number;
  observers: number;
  clients: number;
  snapCount: number;
  commitLogCount: number;
  /** Logical ms of faults; then everything heals. */
  faultMs: number;
  /** Crashes tear unsynced tails. */
  tear: boolean;
  /**
   * Which faults (Jepsen's nemeses): `mixed` draws from all of them; `power` only power
   * failures, kills and slow fsyncs, the faults that test durability.
   */
  nemesis: 'mixed' | 'power';
}

export function memberSimOptions(seed: number): MemberSimOptions {
  const r = new Rng(seed * 7919 + 17);
  return {
    voters: r.pick([3, 3, 5]),
    observers: r.pick([0, 0, 1]),
    clients: r.int(2, 4),
    snapCount: r.pick([10, 30, 100]),
    commitLogCount: r.pick([5, 500]),
    faultMs: r.int(2000, 6000),
    tear: r.chance(0.5),
    nemesis: 'mixed',
  };
}

export function describeMemberSim(seed: number): string {
  const o = memberSimOptions(seed);
  return `voters=${o.voters} observers=${o.observers} clients=${o.clients} snapCount=${o.snapCount} commitLogCount=${o.commitLogCount} faultMs=${o.faultMs} tear=${o.tear}`;
}

export interface MemberSimResult {
  seed: number;
  ok: boolean;
  error: string | null;
  trace: string[];
  stats: { steps: number; acked: number; unknown: number; crashes: number; powerFailures: number; partitions: number; resets: number; stalls: number; fullDisks: number; clientCuts: number; expired: number; leaders: number; torn: number; sessions: number };
}

const TICK = 200;
const CLIENT_PORT = 2181;
const host = (sid: number): string => `10.0.0.${sid}`;

interface Slot {
  sid: number;
  cfg: ServerConfig;
  disk: SimDisk;
  member: Member | null;
  clock: SimClock | null;
  starting: boolean;
  lastZxid: bigint;
  events: number;
}

function configText(o: MemberSimOptions, sid: number): string {
  const lines = [
    `tickTime=${TICK}`,
    'initLimit=10',
    'syncLimit=5',
    `dataDir=/sim/m${sid}/data`,
    `clientPort=${CLIENT_PORT}`,
    `clientPortAddress=${host(sid)}`,
    `snapCount=${o.snapCount}`,
    'preAllocSize=16',
    `commitLogCount=${o.commitLogCount}`,
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
  ];
  const n = o.voters + o.observers;
  for (let s = 1; s <= n; s++) lines.push(`server.${s}=${host(s)}:2888:3888${s > o.voters ? ':observer' : ''}`);
  return lines.join('\n');
}

/** ZooKeeper's own tree digest (DigestCalculator: every znode's path, data and stat), in hex. */
function digestOf(tree: DataTree): string {
  return BigInt.asUintN(64, treeDigest(tree)).toString(16);
}

/**
 * The members' own setImmediate callbacks (batched socket writes, the log's group commit),
 * counted, so that a step ends only when everything it set off has run: one event-loop turn
 * for most steps, more when a callback queued another.
 */
const realImmediate = globalThis.setImmediate;
let immediates = 0;
function countImmediates(): () => void {
  const counted = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    immediates++;
    return realImmediate(() => {
      immediates--;
      fn(...args);
    });
  }) as typeof setImmediate;
  globalThis.setImmediate = Object.assign(counted, { __promisify__: realImmediate.__promisify__ });
  return () => {
    globalThis.setImmediate = realImmediate;
  };
}

async function settle(): Promise<void> {
  do await new Promise<void>((r) => realImmediate(r));
  while (immediates > 0);
}

/**
 * Runs one seed. The members take every time from their Clock (znode times, session ids, event
 * stamps: the simulated time), and Math.random (the storage's snapshot roll) draws from the
 * seed, so a seed replays exactly.
 */
export async function runMemberSim(seed: number, opts: MemberSimOptions = memberSimOptions(seed)): Promise<MemberSimResult> {
  const random = Math.random;
  const draws = new Rng(seed + 1_000_003);
  Math.random = () => draws.int(0, 2 ** 30) / 2 ** 30;
  const uncount = countImmediates();
  try {
    return await simulate(seed, opts);
  } finally {
    Math.random = random;
    uncount();
  }
}

async function simulate(seed: number, opts: MemberSimOptions): Promise<MemberSimResult> {
  const world = new World(seed);
  const { rng, sched } = world;
  const hub = new SimHub(world);
  const n = opts.voters + opts.observers;
  const stats: MemberSimResult['stats'] = { steps: 0, acked: 0, unknown: 0, crashes: 0, powerFailures: 0, partitions: 0, resets: 0, stalls: 0, fullDisks: 0, clientCuts: 0, expired: 0, leaders: 0, torn: 0, sessions: 0 };
  const slots: Slot[] = [];
  for (let sid = 1; sid <= n; sid++) {
    const cfg = parseConfig(configText(opts, sid), `/sim/m${sid}/zoo.cfg`, sid);
    slots.push({ sid, cfg, disk: new SimDisk(world), member: null, clock: null, starting: false, lastZxid: -1n, events: 0 });
  }
  const leaderOfEpoch = new Map<bigint, number>();
  const digestAt = new Map<bigint, { sid: number; digest: string }>();

  const start = (s: Slot): void => {
    if (s.member || s.starting) return;
    s.starting = true;
    const clock = new SimClock(world);
    const net = hub.netFor(`m${s.sid}`);
    const disk = s.disk.handle();
    disk.makeDirs(`${s.cfg.dataDir}/version-2`);
    s.clock = clock;
    s.lastZxid = -1n;
    s.events = 0;
    const log: Logger = (level, msg) => {
      if (s.clock === clock) world.note(`m${s.sid} ${level} ${msg}`);
    };
    world.note(`start m${s.sid}`);
    openMember(s.cfg, log, { disk, clock, net }).then(
      async (member) => {
        if (s.clock !== clock) return; // killed while starting
        s.member = member;
        s.starting = false;
        await net.listen(host(s.sid), CLIENT_PORT, (c) => {
          new ClientConnection(c as SimConn, member.core, () => '', new Set());
        }, () => {});
      },
      (e: Error) => {
        if (s.clock !== clock) return;
        world.violate(`m${s.sid} could not start: ${e.message}`);
      },
    );
  };

  const kill = (s: Slot, power: boolean): void => {
    if (!s.clock) return;
    world.note(`${power ? 'power failure' : 'kill'} m${s.sid} at zxid 0x${(s.member?.core.lastProcessedZxid ?? -1n).toString(16)}${opts.tear ? ' (tearing unsynced tails)' : ''}`);
    s.clock.kill();
    s.clock = null;
    s.member = null;
    s.starting = false;
    hub.kill(`m${s.sid}`);
    s.disk.crash(opts.tear);
    stats.crashes++;
  };

  const check = (): void => {
    for (const s of slots) {
      const m = s.member;
      if (!m) continue;
      const evs = m.core.events.latest === s.events ? [] : m.core.events.since(s.events);
      if (evs.length > 0) s.events = evs[evs.length - 1]!.seq;
      for (const e of evs) {
        if (e.type !== 'leader.established') continue;
        const epoch = e.epoch as bigint;
        const was = leaderOfEpoch.get(epoch);
        if (was !== undefined && was !== s.sid) world.violate(`two leaders in epoch ${epoch}: m${was} and m${s.sid}`);
        if (was === undefined) stats.leaders++;
        leaderOfEpoch.set(epoch, s.sid);
      }
      const z = m.core.lastProcessedZxid;
      // Compared at every fourth zxid (the digest walks the whole tree): the members pass
      // through the same zxids, so a divergence still meets its twin within a few txns.
      if (z === s.lastZxid || (z & 3n) !== 0n) continue;
      const st = m.replicator.quorumStatus();
      if (!st || st.zabState !== 'broadcast') continue;
      s.lastZxid = z;
      const d = digestOf(m.core.tree);
      const seen = digestAt.get(z);
      if (!seen) digestAt.set(z, { sid: s.sid, digest: d });
      else if (seen.digest !== d) world.violate(`m${s.sid} at zxid 0x${z.toString(16)} has tree ${d}, m${seen.sid} had ${seen.digest} there`);
    }
  };

  // ---- clients
  const members = slots.map((s) => ({ host: host(s.sid), port: CLIENT_PORT }));
  const clients: SimClient[] = [];
  let clientsOn = true;
  const keys = ['/k1', '/k2', '/k3'];
  const lastVersion = new Map<string, number>();
  let nextValue = 0;
  const newClient = (id: number): SimClient => {
    const c = new SimClient(id, world, hub.netFor(`c${id}`), new SimClock(world), members, 30 * TICK);
    c.connect();
    const act = (): void => {
      if (clients[id] !== c) return;
      if (clientsOn && c.isConnected && !c.busy) {
        const v = `c${id}-${++nextValue}`;
        const k = rng.pick(keys);
        const roll = rng.int(0, 99);
        if (roll < 30) c.set(k, v);
        else if (roll < 45) c.cas(k, v, lastVersion.get(`${id}${k}`) ?? 0);
        else if (roll < 55) c.createSeq('/q', v);
        else if (roll < 63) c.multi(k, '/q', v);
        else if (roll < 68) c.createEphemeral(`/e/c${id}-${nextValue}`, v);
        else if (roll < 75) c.sync(k);
        else c.get(k);
      }
      sched.after(rng.int(5, 40), act);
    };
    sched.after(rng.int(100, 300), act);
    return c;
  };

  // ---- faults
  const live = (): Slot[] => slots.filter((s) => s.clock);
  const mName = (s: Slot): string => `m${s.sid}`;
  let faultsOn = true;
  const fault = (): void => {
    if (!faultsOn) return;
    // The power nemesis rolls only kills (0-15), power failures (16-25) and fsync stalls (82-91).
    const roll = opts.nemesis === 'power' ? rng.pick([rng.int(0, 15), rng.int(16, 25), rng.int(82, 91)]) : rng.int(0, 99);
    const all = slots;
    if (roll < 16) {
      const s = rng.pick(all);
      if (s.clock) {
        kill(s, false);
        sched.after(rng.int(100, 3000), () => start(s));
      }
    } else if (roll < 26) {
      const victims = rng.chance(0.5) ? all : rng.subset(all, 0.7);
      stats.powerFailures++;
      for (const s of victims) kill(s, true);
      sched.after(rng.int(100, 2000), () => victims.forEach(start));
    } else if (roll < 44) {
      const side = new Set(rng.subset(all, 0.5).map(mName));
      world.note(`partition ${[...side].join(',')} | ${all.map(mName).filter((x) => !side.has(x)).join(',')}`);
      for (const a of all) for (const b of all) if (side.has(mName(a)) !== side.has(mName(b))) hub.cut(mName(a), mName(b));
      stats.partitions++;
    } else if (roll < 52) {
      const a = rng.pick(all);
      const b = rng.pick(all);
      if (a !== b) {
        world.note(`cut ${mName(a)} -> ${mName(b)} (one way)`);
        hub.cut(mName(a), mName(b));
      }
    } else if (roll < 62) {
      world.note('heal');
      hub.healAll();
    } else if (roll < 70) {
      const a = rng.pick(all);
      const b = rng.pick(all);
      if (a !== b) {
        const ms = rng.int(20, 400);
        world.note(`slow ${mName(a)} -> ${mName(b)} +${ms} ms`);
        hub.setSlow(mName(a), mName(b), ms);
      }
    } else if (roll < 82) {
      const streams = hub.liveStreams();
      if (streams.length > 0) {
        const c = rng.pick(streams);
        world.note(`reset ${c.owner} <-> ${c.peer?.owner ?? '?'}`);
        hub.reset(c);
        stats.resets++;
      }
    } else if (roll < 92) {
      // Slow fsyncs: on one member, or on every member at once (a shared storage's hiccup).
      const victims = rng.chance(0.5) ? [rng.pick(all)] : all;
      const ms = rng.int(20, 800);
      world.note(`fsync stall on ${victims.map(mName).join(',')}: ${ms} ms`);
      for (const s of victims) s.disk.stallMs = ms;
      stats.stalls++;
      sched.after(rng.int(100, 2000), () => {
        for (const s of victims) s.disk.stallMs = 0;
      });
    } else if (roll < 95) {
      // A full disk: the member's log writes fail, it leaves its role and acknowledges nothing
      // more; as in the lab, healing restarts it.
      const s = rng.pick(all);
      world.note(`disk full on m${s.sid}`);
      s.disk.full = true;
      stats.fullDisks++;
      sched.after(rng.int(100, 1500), () => {
        s.disk.full = false;
        if (s.member?.core.writeFailure) {
          world.note(`m${s.sid} restarts after its disk failed: ${s.member.core.writeFailure}`);
          kill(s, false);
          sched.after(rng.int(50, 500), () => start(s));
        }
      });
    } else if (roll < 97) {
      // A client cut off from every member for a while (shorter or longer than its session).
      const id = rng.int(0, clients.length - 1);
      const ms = rng.int(500, 10_000);
      world.note(`client c${id} cut off for ${ms} ms`);
      for (const s of all) {
        hub.cut(`c${id}`, mName(s));
        hub.cut(mName(s), `c${id}`);
      }
      stats.clientCuts++;
    } else {
      const id = rng.int(0, clients.length - 1);
      world.note(`client c${id} dies; a new one starts`);
      clients[id]!.stop();
      clients[id] = newClient(id);
    }
    sched.after(rng.int(100, 800), fault);
  };

  // ---- the run
  for (const s of slots) sched.after(rng.int(0, 300), () => start(s));
  const setup = newClientSetup();
  function newClientSetup(): SimClient {
    const c = new SimClient(99, world, hub.netFor('c99'), new SimClock(world), members, 30 * TICK);
    c.connect();
    return c;
  }
  const run = async (until: number, stop?: () => boolean): Promise<boolean> => {
    while (sched.runNext(until)) {
      stats.steps++;
      await settle();
      check();
      if (world.violations.length > 0) return false;
      if (stop?.()) return true;
    }
    return stop ? stop() : true;
  };
  const serving = (): boolean => {
    const ms = slots.map((s) => s.member);
    if (ms.some((m) => !m)) return false;
    const sts = ms.map((m) => m!.replicator.quorumStatus()!);
    if (sts.some((st) => st.zabState !== 'broadcast')) return false;
    if (sts.filter((st) => st.peerState === 'leading').length !== 1) return false;
    const zs = new Set(ms.map((m) => m!.core.lastProcessedZxid));
    if (zs.size === 1) return true;
    // A leader's database starts its epoch at the epoch's floor (epoch << 32, no txn), as
    // Leader.startZkServer sets it; learners synced by DIFF stay at their last txn. With no write
    // in the new epoch (the clients stopped before it), that is the same history: say so only
    // when every member holds the same tree.
    const txns = new Set([...zs].filter((z) => (z & 0xffffffffn) !== 0n));
    if (txns.size !== 1 || ![...zs].every((z) => txns.has(z) || z > [...txns][0]!)) return false;
    return new Set(ms.map((m) => digestOf(m!.core.tree))).size === 1;
  };

  // Set up the znodes the workload uses, before any fault.
  let setupDone = false;
  const setupStep = (): void => {
    if (setupDone) return;
    if (setup.isConnected && !setup.busy) {
      const missing = ['/q', '/e', ...keys].filter((p) => !setup.outcomes.some((o) => o.path === p && (o.result === 'ok' || o.err === -110)));
      if (missing.length === 0) {
        setupDone = true;
        setup.stop();
        return;
      }
      setup.createPersistent(missing[0]!);
    }
    sched.after(20, setupStep);
  };
  sched.after(50, setupStep);
  let result = await run(Infinity, () => setupDone || world.now > 60_000);
  const fail = (error: string): MemberSimResult => ({ seed, ok: false, error, trace: world.trace, stats });
  if (!result) return fail(world.violations[0]!);
  if (!setupDone) return fail('the ensemble did not come up and take the setup writes within 60 s');

  for (let id = 0; id < opts.clients; id++) clients.push(newClient(id));
  const faultsEnd = world.now + opts.faultMs;
  sched.after(rng.int(200, 600), fault);
  result = await run(faultsEnd);
  if (!result) return fail(world.violations[0]!);

  // Heal everything, bring every member back, let the clients write a little more, then stop them.
  faultsOn = false;
  world.note('faults stop: heal, start every member');
  hub.healAll();
  for (const s of slots) {
    s.disk.stallMs = 0;
    s.disk.full = false;
    if (s.member?.core.writeFailure) kill(s, false);
    start(s);
  }
  result = await run(world.now + 1000);
  if (!result) return fail(world.violations[0]!);
  clientsOn = false;
  result = await run(world.now + 60_000, () => serving() && clients.every((c) => !c.busy));
  if (!result) return fail(world.violations[0] ?? `no convergence within 60 s after the faults stopped: ${slots.map((s) => describe(s)).join('; ')}`);

  // ---- the end state
  const outcomes: Outcome[] = [...setup.outcomes, ...clients.flatMap((c) => c.outcomes)];
  const allOutcomes = outcomes;
  stats.acked = allOutcomes.filter((o) => o.result === 'ok').length;
  stats.unknown = allOutcomes.filter((o) => o.result === 'unknown').length;
  stats.resets = hub.resets;
  stats.torn = slots.reduce((a, s) => a + s.disk.torn, 0);
  stats.sessions = clients.reduce((a, c) => a + c.sessions, 0);
  stats.expired = clients.reduce((a, c) => a + c.expired, 0);
  const tree = slots[0]!.member!.core.tree;
  const d0 = digestOf(tree);
  for (const s of slots) {
    const d = digestOf(s.member!.core.tree);
    if (d !== d0) return fail(`m${s.sid} ends with tree ${d}, m1 with ${d0}`);
  }
  const error = lostWrites(tree, allOutcomes);
  if (error) return fail(error);
  return { seed, ok: true, error: null, trace: world.trace, stats };

  function describe(s: Slot): string {
    const m = s.member;
    if (!m) return `m${s.sid} down`;
    const st = m.replicator.quorumStatus()!;
    return `m${s.sid} ${st.peerState}/${st.zabState} epoch ${st.epoch} zxid 0x${m.core.lastProcessedZxid.toString(16)}`;
  }
}

/** Every acknowledged write is in the final tree: none lost, none applied twice. */
function lostWrites(tree: DataTree, outcomes: Outcome[]): string | null {
  const byPath = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    if (o.result !== 'ok' || o.version === undefined || (o.kind !== 'set' && o.kind !== 'cas' && o.kind !== 'multi')) continue;
    byPath.set(o.path, [...(byPath.get(o.path) ?? []), o]);
  }
  for (const [path, acks] of byPath) {
    const seen = new Map<number, Outcome>();
    for (const o of acks) {
      const other = seen.get(o.version!);
      if (other) return `two acknowledged writes to ${path} both made version ${o.version}: "${other.value}" (zxid 0x${other.zxid!.toString(16)}) and "${o.value}" (zxid 0x${o.zxid!.toString(16)}): one of them was lost`;
      seen.set(o.version!, o);
    }
    const newest = acks.reduce((a, b) => (b.version! > a.version! ? b : a));
    const node = tree.inspect(path);
    if (!node) return `${path} is gone, though writes to it were acknowledged`;
    if (node.version < newest.version!) return `${path} ends at version ${node.version}, but a write of "${newest.value}" was acknowledged with version ${newest.version} (zxid 0x${newest.zxid!.toString(16)}): lost`;
    if (node.version === newest.version && node.data?.toString() !== newest.value) return `${path} at version ${node.version} holds "${node.data?.toString()}", but the acknowledged write of that version set "${newest.value}"`;
  }
  const names = new Set<string>();
  for (const o of outcomes) {
    if (o.result !== 'ok' || !o.created) continue;
    if (names.has(o.created)) return `the sequential name ${o.created} was acknowledged twice`;
    names.add(o.created);
    if (!tree.inspect(o.created)) return `${o.created} was acknowledged (zxid 0x${o.zxid!.toString(16)}) and is gone`;
  }
  return null;
}

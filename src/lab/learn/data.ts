// The seed's claims about the data (§7, §12.3): what a zxid is made of, read from every member's
// own last zxid (AdminServer), and the node types, read back through a second session.
import { connect, ConnectionLossError, CreateMode, Ops, type ZkClient } from '../../client';
import type { LabView } from '../../shared/contract';
import { serving, zxidText, type Walk } from './control';

const epochOf = (z: bigint): bigint => z >> 32n;
const counterOf = (z: bigint): bigint => z & 0xffffffffn;
const big = (hex: string | null): bigint | null => (hex === null ? null : BigInt(`0x${hex.replace(/^0x/, '')}`));

/** Deletes `path` and everything under it (a walkthrough's own znodes from an earlier run). */
async function removeTree(zk: ZkClient, path: string): Promise<void> {
  const children = await zk.getChildren(path).catch(() => null);
  if (children === null) return;
  for (const c of children) await removeTree(zk, `${path}/${c}`);
  await zk.delete(path).catch(() => undefined);
}

/**
 * Waits until every running member reports the same last zxid, `z` or a later one, and says what
 * each reported. Later: a session of another client may expire or close meanwhile (a busy
 * machine, a client of the killed member), and that is a transaction too.
 */
async function everyMemberAt(w: Walk, z: bigint): Promise<LabView> {
  return w.until(`every member to report zxid ${zxidText(z)} or a later one, all the same`, (v) => {
    const up = v.nodes.filter((n) => n.role !== 'down').map((n) => big(n.lastZxid));
    return up.every((x) => x !== null && x >= z && x === up[0]);
  }, 30_000);
}

function memberZxids(v: LabView): string {
  return v.nodes.map((n) => `${n.myid}: ${n.lastZxid === null ? 'down' : zxidText(n.lastZxid)}`).join(', ');
}

/** The seed: zxid = epoch << 32 | counter; +1 per transaction; a new leader's epoch starts the counter at 0. */
export async function zxid(w: Walk): Promise<void> {
  const v0 = await serving(w, true);
  const oldLeader = v0.leader!;
  const others = v0.nodes.filter((n) => n.myid !== oldLeader).map((n) => n.myid);
  const path = '/seed-walkthrough/zxid';
  let zk: ZkClient | null = null;
  try {
    await w.step(`Open a session through the members other than leader ${oldLeader} (so it outlives the leader), and create ${path}`, async () => {
      zk = await connect(others.map((m) => w.lab.address(m)).join(','), { sessionTimeout: 10_000 });
      await zk.create('/seed-walkthrough', null).catch(() => undefined);
      await removeTree(zk, path);
      await zk.create(path, Buffer.from('0'));
    }, () => `session 0x${BigInt.asUintN(64, zk!.sessionId).toString(16)}`);
    // Another client's transaction (a session opening, closing or expiring: the lab's own
    // sessions, a previous walkthrough's) may take a zxid between ours on a busy machine. That
    // is no step of ours: write again, up to three times, and judge a run with none between.
    let writes: bigint[] = [];
    let multi: { z: bigint; a: bigint; b: bigint; v: LabView } = { z: 0n, a: 0n, b: 0n, v: v0 };
    for (let attempt = 1; ; attempt++) {
      writes = await w.step(`Write ${path} three times: each write is one transaction, so the counter (the low 32 bits) goes up by 1`, async () => {
        const out: bigint[] = [];
        for (let i = 1; i <= 3; i++) out.push((await zk!.setData(path, Buffer.from(String(i)))).mzxid);
        await everyMemberAt(w, out[2]!);
        return out;
      }, (r) => r.map((z) => zxidText(z)).join(', '));
      multi = await w.step('One multi of three operations (create, create, set): one transaction, one zxid, the counter goes up by 1', async () => {
        const res = await zk!.multi([Ops.create(`${path}/a`, null), Ops.create(`${path}/b`, null), Ops.setData(path, Buffer.from('multi'))]);
        const set = res.find((r) => r.op === 'setData');
        const z = set && 'stat' in set ? set.stat.mzxid : (await zk!.exists(path))!.mzxid;
        const [a, b] = [await zk!.exists(`${path}/a`), await zk!.exists(`${path}/b`)];
        const v = await everyMemberAt(w, z);
        return { z, a: a!.czxid, b: b!.czxid, v };
      }, (r) => `create a at ${zxidText(r.a)}, create b at ${zxidText(r.b)}, set at ${zxidText(r.z)}; every member's last zxid: ${memberZxids(r.v)}`);
      const gaps = [writes[1]! - writes[0]!, writes[2]! - writes[1]!, multi.z - writes[2]!];
      if (gaps.every((g) => g === 1n) || attempt === 3) break;
      await w.step(`Another client's transaction took a zxid between ours (steps of ${gaps.join(', ')}): remove the multi's znodes and write again`, async () => {
        for (const c of ['a', 'b']) await zk!.delete(`${path}/${c}`);
      });
    }
    const before = v0.nodes.find((n) => n.myid === oldLeader)!.epoch ?? Number(epochOf(multi.z));
    w.keyNext();
    const elected = await w.step(`Kill leader ${oldLeader}: the next leader takes a new epoch (the high 32 bits), and its counter starts again at 0`, async () => {
      await w.lab.node(oldLeader, 'kill');
      const v = await w.until('a new leader in a new epoch', (x) => x.serving && x.leader !== null && x.leader !== oldLeader && (x.nodes.find((n) => n.myid === x.leader)!.epoch ?? 0) > before);
      const n = v.nodes.find((x) => x.myid === v.leader)!;
      return { leader: v.leader!, epoch: n.epoch!, zxid: big(n.lastZxid)! };
    }, (r) => `leader ${r.leader} in epoch ${r.epoch}; its last zxid ${zxidText(r.zxid)}`);
    const next = await w.step('Write once more: the first transaction of the new epoch', async () => {
      // The session was on the dead leader, perhaps: a write sent while it moves fails with
      // ConnectionLoss and may or may not have happened. Read which, once the session is back,
      // before writing again (a second write would not be the epoch's first transaction).
      let z: bigint | null = null;
      for (let attempt = 1; z === null; attempt++) {
        try {
          z = (await zk!.setData(path, Buffer.from('new epoch'))).mzxid;
        } catch (e) {
          if (!(e instanceof ConnectionLossError) || attempt >= 5) throw e;
          const st = await zk!.exists(path).catch(() => null);
          if (st && epochOf(st.mzxid) > epochOf(multi.z)) z = st.mzxid;
        }
      }
      return { z, v: await everyMemberAt(w, z) };
    }, (r) => `${zxidText(r.z)}; every member's last zxid: ${memberZxids(r.v)}`);
    const back = await w.step(`Start ${oldLeader} again: it rejoins in the new epoch and reports the same last zxid`, async () => {
      await w.lab.node(oldLeader, 'start');
      await w.until('every member serving', (x) => x.serving && x.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 90_000);
      return everyMemberAt(w, next.z);
    }, (v) => memberZxids(v));
    const steps = [writes[1]! - writes[0]!, writes[2]! - writes[1]!, multi.z - writes[2]!];
    const multiOne = multi.a === multi.z && multi.b === multi.z;
    const newEpoch = epochOf(elected.zxid) > epochOf(multi.z) && counterOf(elected.zxid) === 0n;
    const firstOfEpoch = epochOf(next.z) === epochOf(elected.zxid) && counterOf(next.z) === 1n;
    w.finish(
      'a zxid is 64 bits: the high 32 the epoch, which each new leader raises, the low 32 a counter the leader adds 1 to for every transaction; a new epoch starts the counter again at 0',
      `three writes at ${writes.map((z) => zxidText(z)).join(', ')} (steps of ${steps.slice(0, 2).join(' and ')}); a multi of three operations at ${zxidText(multi.z)} (one zxid for all three: ${multiOne ? 'yes' : 'no'}, a step of ${steps[2]}); after leader ${oldLeader} died, leader ${elected.leader} started epoch ${elected.epoch} at ${zxidText(elected.zxid)} and the next write got ${zxidText(next.z)}; with member ${oldLeader} back every member reported ${memberZxids(back)}`,
      steps.every((s) => s === 1n) && multiOne && newEpoch && firstOfEpoch,
    );
  } finally {
    await (zk as ZkClient | null)?.close().catch(() => undefined);
  }
}

/** The seed's node types, each created and read back through another session. */
export async function nodeTypes(w: Walk): Promise<void> {
  const v0 = await serving(w);
  const ids = v0.nodes.filter((n) => n.role !== 'down').map((n) => n.myid);
  const base = '/seed-walkthrough/types';
  let owner: ZkClient | null = null;
  let reader: ZkClient | null = null;
  try {
    await w.step(`Open two sessions on different members: one creates (member ${ids[0]}), the other reads (member ${ids[1]})`, async () => {
      owner = await connect(w.lab.address(ids[0]!), { sessionTimeout: 6000 });
      reader = await connect(w.lab.address(ids[1]!), { sessionTimeout: 10_000 });
      await owner.create('/seed-walkthrough', null).catch(() => undefined);
      await removeTree(owner, base);
      await owner.create(base, null);
      await owner.create(`${base}/other`, null);
    }, () => `creator 0x${BigInt.asUintN(64, owner!.sessionId).toString(16)}, reader 0x${BigInt.asUintN(64, reader!.sessionId).toString(16)}`);
    const made = await w.step('Create one znode of each type the seed names: persistent, persistent-sequential (three), ephemeral, ephemeral-sequential; and a sequential one under another parent', async () => {
      const o = owner!;
      const persistent = await o.create(`${base}/persistent`, Buffer.from('stays'));
      const seq: string[] = [];
      for (let i = 0; i < 3; i++) seq.push(await o.create(`${base}/seq-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
      const ephemeral = await o.create(`${base}/ephemeral`, null, { mode: CreateMode.EPHEMERAL });
      const eseq = await o.create(`${base}/eseq-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
      const otherSeq = await o.create(`${base}/other/seq-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL });
      return { persistent, seq, ephemeral, eseq, otherSeq };
    }, (r) => `${[r.persistent, ...r.seq, r.ephemeral, r.eseq, r.otherSeq].join(', ')}`);
    const owners = await w.step('Read them through the other session: an ephemeral znode names its owner session, a persistent one none', async () => {
      const r = reader!;
      await r.sync(base);
      const e = await r.exists(made.ephemeral);
      const p = await r.exists(made.persistent);
      return { ephemeral: e?.ephemeralOwner ?? null, persistent: p?.ephemeralOwner ?? null };
    }, (x) => `ephemeralOwner of ephemeral 0x${BigInt.asUintN(64, x.ephemeral ?? 0n).toString(16)}, of persistent 0x${BigInt.asUintN(64, x.persistent ?? 0n).toString(16)}`);
    const reaped = await w.step('Beyond the seed: a container with one child, then the child deleted; a TTL znode (3 s) left unchanged. The members delete both by themselves', async () => {
      const o = owner!;
      await o.create(`${base}/container`, null, { mode: CreateMode.CONTAINER });
      await o.create(`${base}/container/child`, null);
      await o.create(`${base}/ttl`, null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 3000 });
      const t0 = Date.now();
      await o.delete(`${base}/container/child`);
      const seen = { container: null as number | null, ttl: null as number | null };
      const deadline = Date.now() + 30_000;
      while ((seen.container === null || seen.ttl === null) && Date.now() < deadline) {
        if (seen.container === null && !(await reader!.exists(`${base}/container`))) seen.container = Date.now() - t0;
        if (seen.ttl === null && !(await reader!.exists(`${base}/ttl`))) seen.ttl = Date.now() - t0;
        await new Promise((res) => setTimeout(res, 200));
      }
      return seen;
    }, (s) => `container ${s.container === null ? 'still there after 30 s' : `gone ${s.container} ms after its last child`}; TTL znode ${s.ttl === null ? 'still there after 30 s' : `gone after ${s.ttl} ms`}`);
    w.keyNext();
    const after = await w.step('Close the creating session: its ephemeral znodes go with it, the persistent ones stay', async () => {
      await owner!.close();
      owner = null;
      const r = reader!;
      const deadline = Date.now() + 20_000;
      while ((await r.exists(made.ephemeral)) !== null || (await r.exists(made.eseq)) !== null) {
        if (Date.now() > deadline) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      await r.sync(base);
      return (await r.getChildren(base)).sort();
    }, (c) => `children of ${base}: ${c.join(', ')}`);
    const suffixes = made.seq.map((p) => p.slice(p.lastIndexOf('seq-') + 4));
    const tenDigits = [...suffixes, made.otherSeq.slice(-10), made.eseq.slice(-10)].every((s) => /^\d{10}$/.test(s));
    const consecutive = suffixes.every((s, i) => i === 0 || Number(s) === Number(suffixes[i - 1]) + 1);
    const perParent = made.otherSeq.endsWith('0000000000');
    const survived = after.includes('persistent') && made.seq.every((p) => after.includes(p.slice(base.length + 1))) && !after.includes('ephemeral') && !after.some((c) => c.startsWith('eseq-'));
    w.finish(
      'persistent znodes stay when their client disconnects, ephemeral ones are deleted with it, and sequential ones get a number appended that ZooKeeper counts per parent',
      `sequence suffixes ${suffixes.join(', ')} under ${base} (10 digits: ${tenDigits ? 'yes' : 'no'}; one more each time: ${consecutive ? 'yes' : 'no'}), and ${made.otherSeq.slice(base.length + 1)} under another parent (its own counter: ${perParent ? 'yes' : 'no'}); the ephemeral znode named session 0x${BigInt.asUintN(64, owners.ephemeral ?? 0n).toString(16)} as owner; after that session closed ${base} held ${after.join(', ')}; the container went ${reaped.container === null ? 'nowhere' : `${reaped.container} ms after its last child`}, the TTL znode ${reaped.ttl === null ? 'stayed' : `after ${reaped.ttl} ms`}`,
      tenDigits && consecutive && perParent && survived && owners.ephemeral !== null && owners.ephemeral !== 0n && owners.persistent === 0n && reaped.container !== null && reaped.ttl !== null,
    );
  } finally {
    await (owner as ZkClient | null)?.close().catch(() => undefined);
    await (reader as ZkClient | null)?.close().catch(() => undefined);
  }
}

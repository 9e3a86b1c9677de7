// The seed's ZAB claims on the lab's network (§9.3, §12.3): a partition, a write through a
// follower followed on the Wire capture, and the two crash-recovery cases.
import { connect, NotReadOnlyError, type ZkClient } from '../../client';
import type { Fault, WireMessage } from '../../shared/contract';
import { serving, syncWhy, zxidText, type Walk } from './control';

/** The seed: a partitioned ensemble keeps serving on the side with a majority; the other side stops until it heals. */
export async function partition(w: Walk): Promise<void> {
  const v0 = await w.until('a serving ensemble of five', (v) => v.serving && v.leader !== null && v.nodes.every((n) => n.role === 'leader' || n.role === 'follower'), 30_000).catch(() => {
    throw new Error('The ensemble is not serving with all five members now: start its members (Cluster view) and run this again.');
  });
  const oldLeader = v0.leader!;
  const oldEpoch = v0.nodes.find((n) => n.myid === oldLeader)!.epoch ?? 0;
  // The leader and one follower on the small side: the leader itself must lose its quorum.
  const minority = [oldLeader, v0.nodes.find((n) => n.myid !== oldLeader)!.myid].sort((a, b) => a - b);
  const majority = v0.nodes.map((n) => n.myid).filter((m) => !minority.includes(m));
  const path = '/seed-walkthrough/partition';
  let fault: Fault | null = null;
  let client: ZkClient | null = null;
  try {
    w.keyNext();
    fault = await w.step(`Partition the network: ${minority.join(',')} (the leader and one follower) | ${majority.join(',')} (a majority of 3 of 5)`, () => w.lab.fault({ kind: 'partition', groups: [minority, majority] }), (f) => `${f.id}: ${f.description}`);
    const split = await w.step(`The majority side elects a leader among ${majority.join(', ')} in a higher epoch and serves`, () => w.until('a leader on the majority side', (x) => x.leader !== null && majority.includes(x.leader) && (x.nodes.find((n) => n.myid === x.leader)!.epoch ?? 0) > oldEpoch && majority.every((m) => ['leader', 'follower'].includes(w.role(x, m)))), (x) => `leader ${x.leader} in epoch ${x.nodes.find((n) => n.myid === x.leader)!.epoch}; ${w.roles(x, majority)}`);
    // With read-only mode on, a member cut off from its quorum serves read-only clients (role read-only).
    const readOnly = w.lab.readOnlyMode();
    const minorityRoles = await w.step(`The minority side (${minority.join(', ')}) has no quorum: old leader ${oldLeader} steps down and neither member ${readOnly ? 'takes writes (read-only mode is on: both serve read-only clients)' : 'serves'}`, () => w.until(readOnly ? 'the minority to serve read-only' : 'the minority to stop serving', (x) => minority.every((m) => (readOnly ? w.role(x, m) === 'read-only' : !['leader', 'follower'].includes(w.role(x, m)))), readOnly ? 60_000 : 30_000), (x) => w.roles(x, minority));
    const written = await w.step(`Write ${path} through the majority side`, async () => {
      client = await connect(majority.map((m) => w.lab.address(m)).join(','), { sessionTimeout: 10_000 });
      await client.create('/seed-walkthrough', null).catch(() => undefined);
      await client.create(path, Buffer.from('written during the partition')).catch(() => client!.setData(path, Buffer.from('written during the partition')));
      return (await client.exists(path))!.mzxid;
    }, (z) => `acknowledged at zxid ${zxidText(z.toString(16))}`);
    const refused = await w.step(`Try a session through old leader ${oldLeader} on the minority side: it does not serve, so the session cannot start`, async () => {
      try {
        const c = await connect(w.lab.address(oldLeader), { sessionTimeout: 4000, timeoutMs: 4000 });
        await c.close();
        return false;
      } catch {
        return true;
      }
    }, (r) => (r ? `no session within 4 s: the minority serves ${readOnly ? 'no client that does not allow read-only' : 'nobody'}` : 'it answered (it should not have)'));
    const ro = readOnly
      ? await w.step(`Through old leader ${oldLeader} again with a client that allows read-only (canBeReadOnly): list /, then try to write`, async () => {
          const c = await connect(w.lab.address(oldLeader), { sessionTimeout: 4000, timeoutMs: 10_000, canBeReadOnly: true });
          try {
            // The root is on every member, whatever this lab held before the partition.
            const read = await c.getChildren('/').then(
              (kids) => kids.length > 0,
              () => false,
            );
            const write = await c.create(`${path}-minority`, null).then(
              () => 'taken (it should not have been)',
              (e: Error) => (e instanceof NotReadOnlyError ? 'refused: NotReadOnly' : `failed: ${e.message}`),
            );
            return { read, write };
          } finally {
            await c.close().catch(() => undefined);
          }
        }, (r) => `read: ${r.read ? 'served' : 'not found'}; write: ${r.write}`)
      : null;
    await w.step(`Heal the partition: ${minority.join(' and ')} rejoin as followers of ${split.leader}`, async () => {
      await w.lab.heal(fault!.id);
      fault = null;
      return w.until('all five serving under one leader', (x) => x.leader === split.leader && x.nodes.every((n) => ['leader', 'follower'].includes(n.role)), 90_000);
    }, (x) => w.roles(x, [1, 2, 3, 4, 5]));
    const seen = await w.step(`Read ${path} through old leader ${oldLeader} after sync`, async () => {
      const c = await connect(w.lab.address(oldLeader), { sessionTimeout: 10_000 });
      try {
        await c.sync(path);
        return (await c.getData(path)).data?.toString() ?? '';
      } finally {
        await c.close();
      }
    }, (d) => `"${d}"`);
    w.finish(
      'a partitioned ensemble keeps serving on the side that holds a majority of its voters, the other side stops serving (reads too, unless read-only mode is on), and when the partition heals the minority rejoins as followers and catches up',
      `majority ${majority.join(',')} elected ${split.leader} (epoch ${split.nodes.find((n) => n.myid === split.leader)!.epoch}) and took a write at ${zxidText(written.toString(16))}; minority ${minority.join(',')}: ${w.roles(minorityRoles, minority)}, ${refused ? 'refusing sessions' : 'still answering'}${ro ? ` to ordinary clients; a read-only client read there (${ro.read ? 'served' : 'not served'}) and its write was ${ro.write}` : ' (read-only mode is off in this lab: launch with it to see the minority serve reads)'}; after the heal old leader ${oldLeader} read "${seen}"`,
      refused && seen === 'written during the partition' && (ro === null || (ro.read && ro.write === 'refused: NotReadOnly')),
    );
  } finally {
    if (fault) await w.lab.heal(fault.id).catch(() => undefined);
    await (client as ZkClient | null)?.close().catch(() => undefined);
  }
}

/** The seed: a follower forwards a write to the leader (REQUEST), which proposes, collects ACKs, commits; the follower answers. */
export async function writeViaFollower(w: Walk): Promise<void> {
  const v0 = await w.until('a serving ensemble', (v) => v.serving && v.leader !== null, 30_000).catch(() => {
    throw new Error('The ensemble is not serving now: start its members (Cluster view) and run this again.');
  });
  const leader = v0.leader!;
  const follower = v0.nodes.find((n) => n.role === 'follower')!.myid;
  const voters = v0.nodes.filter((n) => !n.observer).length;
  const path = '/seed-walkthrough/via-follower';
  let client: ZkClient | null = null;
  try {
    await w.step(`Open a session through follower ${follower} only`, async () => {
      client = await connect(w.lab.address(follower), { sessionTimeout: 10_000 });
      await client.create('/seed-walkthrough', null).catch(() => undefined);
      await client.delete(path).catch(() => undefined);
    }, () => `session 0x${client!.sessionId.toString(16)} on member ${follower}`);
    w.keyNext();
    const made = await w.step(`Create ${path} through follower ${follower}`, async () => {
      const sent = Date.now();
      await client!.create(path, Buffer.from('via a follower'));
      const answered = Date.now();
      return { zxid: (await client!.exists(path))!.czxid, sent, answered };
    }, (r) => `acknowledged by follower ${follower} at zxid ${zxidText(r.zxid.toString(16))}`);
    const hex = `0x${made.zxid.toString(16)}`;
    const flow = await w.step(`Find the write on the wire: REQUEST ${follower} → ${leader}, then PROPOSAL, ACKs and COMMIT by zxid ${zxidText(made.zxid)}`, async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const all = w.lab.wire({ afterSeq: 0, fromMs: made.sent - 1000, toMs: null, types: ['REQUEST', 'PROPOSAL', 'ACK', 'COMMIT'], members: null, zxid: null, limit: 5000 }).messages;
        const request = all.find((m) => m.type === 'REQUEST' && m.from === follower && m.to === leader && m.fields.path === path) ?? null;
        const mine = all.filter((m) => m.zxid === hex);
        const pick = (t: string): WireMessage[] => mine.filter((m) => m.type === t);
        const r = { request, proposals: pick('PROPOSAL'), acks: pick('ACK'), commits: pick('COMMIT') };
        if ((request && r.commits.some((c) => c.to === follower)) || Date.now() > deadline) return r;
        await new Promise((res) => setTimeout(res, 100));
      }
    }, (r) => `REQUEST ${r.request ? `${r.request.from} → ${r.request.to} (${r.request.fields.op} ${r.request.fields.path})` : 'not seen'}; PROPOSAL to ${r.proposals.map((m) => m.to).join(', ') || 'nobody'}; ACK from ${r.acks.map((m) => m.from).join(', ') || 'nobody'}; COMMIT to ${r.commits.map((m) => m.to).join(', ') || 'nobody'}`);
    const quorum = Math.floor(voters / 2) + 1;
    // The leader's own log counts as one acknowledgement.
    const acked = flow.acks.length + 1;
    const commitToFollower = flow.commits.find((c) => c.to === follower);
    const ordered = flow.request !== null && flow.proposals.length > 0 && commitToFollower !== undefined && flow.request.time <= Math.min(...flow.proposals.map((m) => m.time)) && Math.min(...flow.proposals.map((m) => m.time)) <= commitToFollower.time;
    w.finish(
      'a client may send a write to any server; a follower forwards it to the leader, the leader proposes it to every follower, commits once a majority has acknowledged it, and the follower answers its client once it has the commit',
      `follower ${follower} forwarded the create (REQUEST) to leader ${leader}; the leader proposed ${zxidText(made.zxid)} to ${flow.proposals.length} learner(s), had ${acked} of ${voters} acknowledgements counting its own (${quorum} needed) and sent COMMIT${commitToFollower ? `; follower ${follower} got its COMMIT and answered its client` : ''}`,
      ordered && acked >= quorum,
    );
  } finally {
    await (client as ZkClient | null)?.close().catch(() => undefined);
  }
}

/** Opens a session through each member in `myids` (before a hold: creating a session is a txn too). */
async function sessions(w: Walk, myids: number[]): Promise<Map<number, ZkClient>> {
  const out = new Map<number, ZkClient>();
  for (const m of myids) out.set(m, await connect(w.lab.address(m), { sessionTimeout: 10_000 }));
  return out;
}

/** The seed's recovery case 1: a proposal acknowledged by a majority is committed by the next leader. */
export async function recoveryCommitted(w: Walk): Promise<void> {
  const v0 = await w.until('a serving ensemble with every member up', (v) => v.serving && v.leader !== null && v.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 30_000).catch(() => {
    throw new Error('The ensemble is not serving with every member up now: start its members (Cluster view) and run this again.');
  });
  const leader = v0.leader!;
  const learners = v0.nodes.filter((n) => n.myid !== leader).map((n) => n.myid);
  const path = '/seed-walkthrough/committed';
  let hold: Fault | null = null;
  let clients = new Map<number, ZkClient>();
  try {
    await w.step(`Open a session through leader ${leader} and one through each learner (${learners.join(', ')})`, async () => {
      clients = await sessions(w, [leader, ...learners]);
      const c = clients.get(leader)!;
      await c.create('/seed-walkthrough', null).catch(() => undefined);
      await c.delete(path).catch(() => undefined);
      for (const m of learners) await clients.get(m)!.sync('/');
    }, () => `${clients.size} sessions`);
    hold = await w.step(`Hold every COMMIT leader ${leader} sends (the learners still get PROPOSALs and ACK them)`, () => w.lab.fault({ kind: 'hold', type: 'COMMIT', from: leader, to: null }), (f) => `${f.id}: ${f.description}`);
    const zxid = await w.step(`Create ${path} through leader ${leader}: a majority acknowledges, the leader commits and answers OK`, async () => {
      await clients.get(leader)!.create(path, Buffer.from('acknowledged'));
      return (await clients.get(leader)!.exists(path))!.czxid;
    }, (z) => `OK at zxid ${zxidText(z.toString(16))}`);
    const before = await w.step(`Read ${path} through each learner: they logged it but have not applied it (no COMMIT reached them)`, async () => {
      const seen: string[] = [];
      for (const m of learners) seen.push(`${m}: ${(await clients.get(m)!.exists(path)) ? 'has it' : 'not yet'}`);
      return seen;
    }, (r) => r.join(', '));
    w.keyNext();
    const after = await w.step(`Kill leader ${leader} before any COMMIT goes out; the learners elect a new leader`, async () => {
      await w.lab.node(leader, 'kill');
      return w.until('a new leader', (x) => x.leader !== null && x.leader !== leader && x.serving);
    }, (x) => `leader ${x.leader} in epoch ${x.nodes.find((n) => n.myid === x.leader)!.epoch}`);
    await w.lab.heal(hold.id);
    hold = null;
    const seen = await w.step(`Read ${path} through each learner after sync`, async () => {
      const out: string[] = [];
      for (const m of learners) {
        const c = clients.get(m)!;
        await c.sync(path);
        const d = await c.getData(path).then((r) => r.data?.toString() ?? '', () => null);
        out.push(`${m}: ${d === null ? 'missing' : `"${d}"`}`);
      }
      return out;
    }, (r) => r.join(', '));
    await w.step(`Start ${leader} again: it rejoins as a follower`, async () => {
      await w.lab.node(leader, 'start');
      return w.until('every member serving', (x) => x.serving && x.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 90_000);
    }, (x) => w.roles(x, x.nodes.map((n) => n.myid)));
    const notApplied = before.every((b) => b.endsWith('not yet'));
    const everywhere = seen.every((x) => x.endsWith('"acknowledged"'));
    w.finish(
      'a proposal that a majority has acknowledged is committed even if the leader dies before it sends COMMIT: the new leader is one of the members that logged it, and it commits it everywhere',
      `the client got OK for zxid ${zxidText(zxid.toString(16))}; before the kill the learners said ${before.join(', ')}; after leader ${after.leader} took over: ${seen.join(', ')}`,
      notApplied && everywhere,
    );
  } finally {
    if (hold) await w.lab.heal(hold.id).catch(() => undefined);
    for (const c of clients.values()) await c.close().catch(() => undefined);
  }
}

/** The seed's recovery case 2: a proposal only the old leader logged is thrown away when it returns (by TRUNC, or by a SNAP that replaces its data). */
export async function recoveryDiscarded(w: Walk): Promise<void> {
  const v0 = await w.until('a serving ensemble with every member up', (v) => v.serving && v.leader !== null && v.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 30_000).catch(() => {
    throw new Error('The ensemble is not serving with every member up now: start its members (Cluster view) and run this again.');
  });
  const leader = v0.leader!;
  // The voters that should have had the PROPOSAL (an observer is sent INFORM after a commit, never a PROPOSAL).
  const followers = v0.nodes.filter((n) => n.myid !== leader && !n.observer).map((n) => n.myid);
  const path = '/seed-walkthrough/discarded';
  let hold: Fault | null = null;
  let writer: ZkClient | null = null;
  try {
    await w.step(`Open a session through leader ${leader}`, async () => {
      // As long as the lab allows (20 ticks): its session expiring while the old leader is
      // down would be a write of the new epoch, which turns the returning leader's TRUNC into a SNAP.
      writer = await connect(w.lab.address(leader), { sessionTimeout: 10_000 });
      await writer.create('/seed-walkthrough', null).catch(() => undefined);
      await writer.delete(path).catch(() => undefined);
    }, () => `session 0x${writer!.sessionId.toString(16)}`);
    hold = await w.step(`Hold every PROPOSAL leader ${leader} sends: only the leader will log the next write`, () => w.lab.fault({ kind: 'hold', type: 'PROPOSAL', from: leader, to: null }), (f) => `${f.id}: ${f.description}`);
    const since = Date.now();
    let acked = false;
    const pending = writer!.create(path, Buffer.from('never')).then(
      () => (acked = true),
      () => undefined,
    );
    const proposal = await w.step(`Create ${path} through leader ${leader}: it logs and proposes it, nobody else gets it, no majority acknowledges, the client waits`, async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const held = w.lab.wire({ afterSeq: 0, fromMs: since - 100, toMs: null, types: ['PROPOSAL'], members: null, zxid: null, limit: 1000 }).messages.filter((m) => m.status === 'held' && m.fields.path === path);
        if (held.length >= followers.length || Date.now() > deadline) return held;
        await new Promise((r) => setTimeout(r, 100));
      }
    }, (h) => (h.length > 0 ? `PROPOSAL ${zxidText(h[0]!.zxid)} held to ${h.map((m) => m.to).join(', ')}; the client has no answer` : 'no held PROPOSAL seen'));
    w.keyNext();
    await w.step(`Kill leader ${leader}; the others elect a leader that never saw the proposal`, async () => {
      await w.lab.node(leader, 'kill');
      await pending;
      await w.lab.heal(hold!.id);
      hold = null;
      return w.until('a new leader', (x) => x.leader !== null && x.leader !== leader && x.serving);
    }, (x) => `leader ${x.leader}; the client's create ${acked ? 'was acknowledged (it should not have been)' : 'failed: never acknowledged'}`);
    const restartedAt = Date.now();
    const { back, sync } = await w.step(`Start ${leader} again: its log ends with the proposal the new leader never had, so it must roll back (TRUNC) or take the leader's whole tree (SNAP)`, async () => {
      await w.lab.node(leader, 'start');
      const x = await w.until('every member serving', (v) => v.serving && v.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role)), 90_000);
      // How the new leader synced the returning one, as seen on the wire: an observation, not the verdict.
      const m = w.lab.wire({ afterSeq: 0, fromMs: restartedAt - 100, toMs: null, types: ['TRUNC', 'DIFF', 'SNAP'], members: null, zxid: null, limit: 100 }).messages.find((y) => y.to === leader && y.from === x.leader) ?? null;
      return { back: x, sync: m };
    }, (r) => `${w.roles(r.back, r.back.nodes.map((n) => n.myid))}; synced by ${syncWhy(r.sync, leader)}`);
    const where = await w.step(`Look for ${path} on every member (sync first)`, async () => {
      const out: string[] = [];
      for (const n of back.nodes) {
        const c = await connect(w.lab.address(n.myid), { sessionTimeout: 10_000 });
        try {
          await c.sync('/');
          out.push(`${n.myid}: ${(await c.exists(path)) ? 'has it' : 'no'}`);
        } finally {
          await c.close();
        }
      }
      return out;
    }, (r) => r.join(', '));
    // The claim is that the proposal is nowhere, read from every member; how the returning one
    // was made to drop it (TRUNC, or a SNAP that replaces its data) is seen on the wire and told
    // beside it, not judged: the seed allows either (roll back, or sync with the leader).
    w.finish(
      "a proposal only the old leader logged was never acknowledged; the new leader never saw it, and when the old leader comes back it rolls back or syncs with the new leader, so the write is nowhere",
      `the proposal ${proposal[0]?.zxid ? zxidText(proposal[0].zxid) : '(not seen)'} was held to ${proposal.length} of ${followers.length} follower(s) and ${acked ? 'acknowledged' : 'never acknowledged'}; ${path}: ${where.join(', ')}; when ${leader} returned, leader ${back.leader} synced it by ${syncWhy(sync, leader)}`,
      !acked && proposal.length > 0 && where.every((x) => x.endsWith(': no')),
    );
  } finally {
    if (hold) await w.lab.heal(hold.id).catch(() => undefined);
    await (writer as ZkClient | null)?.close().catch(() => undefined);
  }
}

/** How late the slow follower of the broadcast walkthrough hears the leader, and the leader it (each way). */
const SLOW_LINK_MS = 1500;

/** The seed's message broadcast: PROPOSAL to every learner, ACKs, COMMIT once a majority (the leader counted) has acked, not waiting for a slow one. */
export async function broadcast(w: Walk): Promise<void> {
  const v0 = await serving(w, true);
  const leader = v0.leader!;
  const voters = v0.nodes.filter((n) => !n.observer).length;
  const quorum = Math.floor(voters / 2) + 1;
  const slow = v0.nodes.find((n) => n.role === 'follower')!.myid;
  const path = '/seed-walkthrough/broadcast';
  let fault: Fault | null = null;
  let client: ZkClient | null = null;
  try {
    await w.step(`Open a session through leader ${leader}`, async () => {
      client = await connect(w.lab.address(leader), { sessionTimeout: 10_000 });
      await client.create('/seed-walkthrough', null).catch(() => undefined);
      await client.delete(path).catch(() => undefined);
    }, () => `session 0x${BigInt.asUintN(64, client!.sessionId).toString(16)}`);
    fault = await w.step(`Slow the link between leader ${leader} and follower ${slow}: ${SLOW_LINK_MS} ms each way`, () => w.lab.fault({ kind: 'slow', a: leader, b: slow, ms: SLOW_LINK_MS, jitterMs: 0 }), (f) => `${f.id}: ${f.description}`);
    w.keyNext();
    const made = await w.step(`Create ${path} through the leader and time the answer`, async () => {
      const sent = Date.now();
      await client!.create(path, Buffer.from('broadcast'));
      const ms = Date.now() - sent;
      return { sent, ms, zxid: (await client!.exists(path))!.czxid };
    }, (r) => `OK in ${r.ms} ms at zxid ${zxidText(r.zxid)}`);
    const hex = `0x${made.zxid.toString(16)}`;
    const flow = await w.step(`Follow zxid ${zxidText(made.zxid)} on the wire until the slow follower's ACK has reached the leader too`, async () => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const mine = w.lab.wire({ afterSeq: 0, fromMs: made.sent - 1000, toMs: null, types: ['PROPOSAL', 'ACK', 'COMMIT'], members: null, zxid: hex, limit: 1000 }).messages;
        const pick = (t: string): WireMessage[] => mine.filter((m) => m.type === t);
        const r = { proposals: pick('PROPOSAL'), acks: pick('ACK'), commits: pick('COMMIT') };
        if ((r.commits.some((c) => c.to === slow && c.deliveredAt !== null) && r.acks.some((a) => a.from === slow && a.deliveredAt !== null)) || Date.now() > deadline) return r;
        await new Promise((res) => setTimeout(res, 100));
      }
    }, (r) => `PROPOSAL to ${r.proposals.map((m) => m.to).join(', ')}; ACK from ${r.acks.map((m) => m.from).join(', ')}; COMMIT to ${r.commits.map((m) => m.to).join(', ')}`);
    await w.lab.heal(fault.id);
    fault = null;
    const at = (m: WireMessage): number => m.deliveredAt ?? Infinity;
    const firstCommit = Math.min(...flow.commits.map((m) => m.time));
    const before = flow.acks.filter((a) => at(a) <= firstCommit).map((a) => a.from);
    const slowAck = flow.acks.find((a) => a.from === slow);
    const rel = (t: number): string => `${Math.round(t - made.sent)} ms`;
    const learners = v0.nodes.filter((n) => n.myid !== leader).length;
    w.finish(
      'the leader sends the write as a PROPOSAL to every follower, and once more than half (itself included) have acknowledged it, commits it and sends COMMIT to all, without waiting for the rest',
      `leader ${leader} sent PROPOSAL ${zxidText(made.zxid)} to ${flow.proposals.length} of ${learners} learners; by its first COMMIT (${Number.isFinite(firstCommit) ? rel(firstCommit) : 'not seen'} after the client asked) it had ACKs from ${before.join(', ') || 'nobody'} and its own: ${before.length + 1} of ${voters}, ${quorum} needed; the slow follower ${slow}'s ACK reached it ${slowAck ? rel(at(slowAck)) : '(not seen)'} after the client asked, and the client had its OK after ${made.ms} ms`,
      flow.proposals.length === learners && Number.isFinite(firstCommit) && before.length + 1 >= quorum && !before.includes(slow) && slowAck !== undefined && at(slowAck) > firstCommit,
    );
  } finally {
    if (fault) await w.lab.heal(fault.id).catch(() => undefined);
    await (client as ZkClient | null)?.close().catch(() => undefined);
  }
}

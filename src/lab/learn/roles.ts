// The seed's first claim (§3 (1)): one leader and many followers; with observers (ZooKeeper 3.3+,
// beyond the seed) for contrast: an observer serves clients and learns every write, but is not
// asked for a vote. Roles are read from each member's AdminServer, the traffic from the Wire capture.
import { connect, type ZkClient } from '../../client';
import type { WireMessage } from '../../shared/contract';
import { serving, zxidText, type Walk } from './control';

export async function roles(w: Walk): Promise<void> {
  const v0 = await serving(w, true);
  const leader = v0.leader!;
  const followers = v0.nodes.filter((n) => n.role === 'follower').map((n) => n.myid);
  const observers = v0.nodes.filter((n) => n.observer).map((n) => n.myid);
  const through = observers[0]!;
  const path = '/seed-walkthrough/roles';
  let client: ZkClient | null = null;
  try {
    const seen = await w.step('Read each member\'s role from its AdminServer', async () => w.lab.view()!, (v) => w.roles(v, v.nodes.map((n) => n.myid)));
    await w.step(`Open a session through observer ${through}: observers serve clients too`, async () => {
      client = await connect(w.lab.address(through), { sessionTimeout: 10_000 });
      await client.create('/seed-walkthrough', null).catch(() => undefined);
      await client.delete(path).catch(() => undefined);
    }, () => `session 0x${BigInt.asUintN(64, client!.sessionId).toString(16)} on observer ${through}`);
    w.keyNext();
    const made = await w.step(`Create ${path} through observer ${through}`, async () => {
      const sent = Date.now();
      await client!.create(path, Buffer.from('through an observer'));
      return { sent, zxid: (await client!.exists(path))!.czxid };
    }, (r) => `OK at zxid ${zxidText(r.zxid)}`);
    const hex = `0x${made.zxid.toString(16)}`;
    const flow = await w.step(`Follow zxid ${zxidText(made.zxid)} on the wire: who is asked to vote (PROPOSAL), who acknowledges (ACK), who is only told (INFORM)`, async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const mine = w.lab.wire({ afterSeq: 0, fromMs: made.sent - 1000, toMs: null, types: ['PROPOSAL', 'ACK', 'COMMIT', 'INFORM'], members: null, zxid: hex, limit: 1000 }).messages;
        const pick = (t: string): WireMessage[] => mine.filter((m) => m.type === t);
        const r = { proposals: pick('PROPOSAL').map((m) => m.to), acks: pick('ACK').map((m) => m.from), informs: pick('INFORM').map((m) => m.to) };
        if (observers.every((o) => r.informs.includes(o)) || Date.now() > deadline) return r;
        await new Promise((res) => setTimeout(res, 100));
      }
    }, (r) => `PROPOSAL to ${r.proposals.join(', ') || 'nobody'}; ACK from ${r.acks.join(', ') || 'nobody'}; INFORM to ${r.informs.join(', ') || 'nobody'}`);
    const same = (a: number[], b: number[]): boolean => a.length === b.length && [...a].sort().join() === [...b].sort().join();
    const leaders = seen.nodes.filter((n) => n.role === 'leader').length;
    w.finish(
      'an ensemble is one leader and several followers; (beyond the seed) an observer serves clients and learns every write but has no vote',
      `${leaders} leader (${leader}), followers ${followers.join(', ')}, observer${observers.length > 1 ? 's' : ''} ${observers.join(', ')} (roles from each AdminServer); the write through observer ${through} was proposed to ${flow.proposals.join(', ') || 'nobody'}, acknowledged by ${flow.acks.join(', ') || 'nobody'}, and sent to ${flow.informs.join(', ') || 'nobody'} as INFORM (no vote asked)`,
      leaders === 1 && same(flow.proposals, followers) && flow.acks.every((a) => followers.includes(a)) && flow.acks.length > 0 && same(flow.informs, observers),
    );
  } finally {
    await (client as ZkClient | null)?.close().catch(() => undefined);
  }
}

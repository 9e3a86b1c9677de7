// The seed's watch claim (§8): a watch is registered on the member the client is connected to,
// fires once when the znode changes, and must be set again to see the next change; persistent
// and recursive watches (3.6+) for contrast. What each member holds is read from its watch table
// (lab_watches, or 3.8's `watches`), and what fired is what the client received.
import { AddWatchMode, connect, eventTypeName, type WatchedEvent, type ZkClient } from '../../client';
import type { WatchRow } from '../../shared/api';
import { listWatches } from '../watches';
import { serving, type Walk } from './control';

/** Deletes `path` and everything under it (a walkthrough's own znodes from an earlier run). */
async function removeTree(zk: ZkClient, path: string): Promise<void> {
  const children = await zk.getChildren(path).catch(() => null);
  if (children === null) return;
  for (const c of children) await removeTree(zk, `${path}/${c}`);
  await zk.delete(path).catch(() => undefined);
}

const sessionHex = (id: bigint): string => `0x${BigInt.asUintN(64, id).toString(16)}`;

export async function watches(w: Walk): Promise<void> {
  const v0 = await serving(w);
  const member = v0.nodes.find((n) => n.role === 'follower')?.myid ?? v0.leader!;
  const writerAt = v0.leader!;
  const base = '/seed-walkthrough/watched';
  const tree = '/seed-walkthrough/watched-tree';
  let watcher: ZkClient | null = null;
  let writer: ZkClient | null = null;
  const fired: { kind: string; event: WatchedEvent }[] = [];
  const record = (kind: string) => (event: WatchedEvent) => void fired.push({ kind, event });
  /** The watch table of the watcher's member, for its session. */
  const table = async (): Promise<WatchRow[]> => {
    const n = w.lab.view()!.nodes.find((x) => x.myid === member)!;
    const id = sessionHex(watcher!.sessionId);
    return (await listWatches([{ myid: member, adminPort: n.adminPort }])).filter((r) => r.sessionId === id);
  };
  const rows = (r: WatchRow[]): string => (r.length === 0 ? 'none' : r.map((x) => `${x.kind} ${x.path}`).join(', '));
  /** Writes `data` through the writer, then reads it back through the watcher: ZooKeeper delivers a watch event before the data it is about, so whatever fired has arrived. */
  const change = async (data: string): Promise<void> => {
    await writer!.setData(base, Buffer.from(data));
    await watcher!.sync(base);
    const seen = (await watcher!.getData(base)).data?.toString();
    if (seen !== data) throw new Error(`The watcher read "${seen}" after sync, not "${data}": sync should have brought its member up to date. Look at the members' logs (Terminals).`);
  };
  const events = (kind: string): string[] => fired.filter((f) => f.kind === kind).map((f) => `${eventTypeName(f.event.type)} ${f.event.path}`);
  try {
    await w.step(`Open a watching session through member ${member} and a writing one through member ${writerAt}; ${base} holds "0"`, async () => {
      watcher = await connect(w.lab.address(member), { sessionTimeout: 10_000 });
      writer = await connect(w.lab.address(writerAt), { sessionTimeout: 10_000 });
      await writer.create('/seed-walkthrough', null).catch(() => undefined);
      await removeTree(writer, base);
      await removeTree(writer, tree);
      await writer.create(base, Buffer.from('0'));
      await writer.create(tree, null);
    }, () => `watcher ${sessionHex(watcher!.sessionId)} on member ${member}`);
    const set = await w.step(`get ${base} with a watch (the seed's get -w): the member the watcher is connected to registers it`, async () => {
      await watcher!.getData(base, record('once'));
      return table();
    }, (r) => `member ${member} holds: ${rows(r)}`);
    w.keyNext();
    const first = await w.step('Change it: the watch fires once, and the member forgets it', async () => {
      await change('1');
      return { events: events('once'), left: await table() };
    }, (r) => `the watcher got ${r.events.join(', ') || 'nothing'}; member ${member} now holds: ${rows(r.left)}`);
    const second = await w.step('Change it again without setting the watch again: nothing fires (the watcher reads the new value, and ZooKeeper would have delivered the event before it)', async () => {
      await change('2');
      return events('once');
    }, (e) => `events so far: ${e.length} (${e.join(', ')})`);
    const again = await w.step('Set the watch again (get -w) and change it: it fires again', async () => {
      await watcher!.getData(base, record('once'));
      await change('3');
      return events('once');
    }, (e) => `events so far: ${e.length}`);
    const persistent = await w.step('Beyond the seed: a persistent watch (addWatch) fires on every change and stays registered', async () => {
      await watcher!.addWatch(base, record('persistent'), AddWatchMode.PERSISTENT);
      await change('4');
      await change('5');
      return { events: events('persistent'), left: await table() };
    }, (r) => `${r.events.length} events (${r.events.join(', ')}); member ${member} still holds: ${rows(r.left)}`);
    const recursive = await w.step(`A recursive watch on ${tree} sees every znode created under it, at any depth`, async () => {
      await watcher!.addWatch(tree, record('recursive'), AddWatchMode.PERSISTENT_RECURSIVE);
      await writer!.create(`${tree}/a`, null);
      await writer!.create(`${tree}/a/b`, Buffer.from('deep'));
      // After sync the watcher sees both znodes, so both events have arrived before it.
      await watcher!.sync(tree);
      if ((await watcher!.exists(`${tree}/a/b`)) === null) throw new Error(`The watcher does not see ${tree}/a/b after sync.`);
      return events('recursive');
    }, (e) => e.join(', ') || 'nothing');
    const carries = fired[0]?.event;
    const onceSet = set.some((r) => r.path === base);
    const onceGone = !first.left.some((r) => r.path === base && r.kind !== 'persistent');
    const persistentStays = persistent.left.some((r) => r.path === base && r.kind === 'persistent');
    w.finish(
      'a client registers a watch with the server; when the znode changes the server notifies the client once, and to hear of the next change the client must set the watch again',
      `member ${member} held the watch (${rows(set)}); the first change fired ${first.events.join(', ') || 'nothing'} and the member then held ${rows(first.left)}; the second change, with no new watch, brought ${second.length - first.events.length} more event(s); set again, it fired again (${again.length} in all); the event carried type ${carries ? eventTypeName(carries.type) : '?'} and path ${carries?.path ?? '?'}, not the data; a persistent watch fired ${persistent.events.length} times and stayed (${persistentStays ? 'yes' : 'no'}); a recursive one saw ${recursive.join(', ') || 'nothing'}`,
      onceSet && first.events.length === 1 && onceGone && second.length === 1 && again.length === 2 && persistent.events.length === 2 && persistentStays && recursive.length === 2,
    );
  } finally {
    await (watcher as ZkClient | null)?.close().catch(() => undefined);
    await (writer as ZkClient | null)?.close().catch(() => undefined);
  }
}

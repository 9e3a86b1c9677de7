// The member console (the `member.command` request) side by side on our server and Apache
// ZooKeeper 3.8: the same four-letter words and AdminServer commands to a standalone server of
// each engine, the answers compared by their shape (the words' keys, the JSON's fields), not by
// values of the moment; and bad input refused before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ZkClient } from '../../src/client';
import { askMember, type ConsoleTarget } from '../../src/lab/member-console';
import { ADMIN_COMMANDS, FOUR_LETTER_WORDS } from '../../src/shared/console-commands';
import { JAVA, needs, OUR_BUILD, ZK_ADMIN_JARS, ZK_JARS } from '../support/needs';
import * as ours from '../support/ourzk';
import * as real from '../support/realzk';

/** The keys of "Key: value" lines (srvr, stat) or of "key<TAB>value" lines (mntr). */
const keysOf = (text: string, sep: RegExp): string[] =>
  text
    .split('\n')
    .map((l) => sep.exec(l)?.[1])
    .filter((k): k is string => k !== undefined)
    .sort();

describe('the member console, ours and Apache ZooKeeper 3.8 side by side', needs(OUR_BUILD, JAVA, ZK_JARS, ZK_ADMIN_JARS), () => {
  let mine: ours.OurZk;
  let theirs: real.RealZk;
  const clients: ZkClient[] = [];
  const target = (s: { clientPort: number; adminPort: number }): ConsoleTarget => ({ myid: 1, host: '127.0.0.1', clientPort: s.clientPort, adminPort: s.adminPort });
  const both = async (kind: '4lw' | 'admin', command: string) => Promise.all([askMember(target(mine), kind, command), askMember(target(theirs), kind, command)]);

  beforeAll(async () => {
    [mine, theirs] = await Promise.all([ours.start(), real.start({ admin: true })]);
    // The same state on both: a znode with a data watch held by one session.
    for (const s of [mine, theirs]) {
      const zk = await connect(s.connectString);
      clients.push(zk);
      await zk.create('/console', 'x');
      await zk.getData('/console', () => {});
    }
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    await Promise.all([mine?.stop(), theirs?.stop()]);
  });

  it('answers ruok, isro, srvr and mntr alike', async () => {
    const [ruokA, ruokB] = await both('4lw', 'ruok');
    expect([ruokA.text, ruokB.text]).toEqual(['imok', 'imok']);
    expect(ruokA.sentTo).toBe(`127.0.0.1:${mine.clientPort}`);
    const [isroA, isroB] = await both('4lw', 'isro');
    expect([isroA.text, isroB.text]).toEqual(['rw', 'rw']);
    const [srvrA, srvrB] = await both('4lw', 'srvr');
    expect(keysOf(srvrA.text, /^([A-Za-z][A-Za-z /]*):/)).toEqual(keysOf(srvrB.text, /^([A-Za-z][A-Za-z /]*):/));
    expect(srvrA.text).toMatch(/^Mode: standalone$/m);
    expect(srvrB.text).toMatch(/^Mode: standalone$/m);
    const [mntrA, mntrB] = await both('4lw', 'mntr');
    // Every metric Apache's mntr has that a monitoring tool reads first is in ours too.
    const oursKeys = new Set(keysOf(mntrA.text, /^(zk_\w+)\t/));
    for (const k of ['zk_version', 'zk_server_state', 'zk_znode_count', 'zk_watch_count', 'zk_ephemerals_count', 'zk_outstanding_requests', 'zk_avg_latency', 'zk_num_alive_connections']) {
      expect(keysOf(mntrB.text, /^(zk_\w+)\t/)).toContain(k);
      expect(oursKeys.has(k)).toBe(true);
    }
    const [wchsA, wchsB] = await both('4lw', 'wchs');
    for (const w of [wchsA, wchsB]) expect(w.text).toMatch(/^1 connections watching 1 paths\nTotal watches:1/);
  });

  it('answers the AdminServer commands with the same fields', async () => {
    for (const command of ['ruok', 'server_stats', 'zabstate', 'watch_summary', 'is_read_only', 'leader', 'voting_view', 'environment']) {
      const [a, b] = await both('admin', command);
      expect({ command, ok: a.ok, status: a.status }).toEqual({ command, ok: true, status: 200 });
      expect({ command, ok: b.ok, status: b.status }).toEqual({ command, ok: true, status: 200 });
      const fieldsA = Object.keys(JSON.parse(a.text) as object).sort();
      const fieldsB = Object.keys(JSON.parse(b.text) as object).sort();
      // Ours may say more (lab_* fields), never less.
      expect({ command, missing: fieldsB.filter((f) => !fieldsA.includes(f)) }).toEqual({ command, missing: [] });
    }
    const [a, b] = await both('admin', 'watch_summary');
    expect((JSON.parse(a.text) as { num_total_watches: number }).num_total_watches).toBe(1);
    expect((JSON.parse(b.text) as { num_total_watches: number }).num_total_watches).toBe(1);
    // monitor: Apache's has hundreds of JVM and processor metrics; the ones a person reads first are in both.
    const [ma, mb] = await both('admin', 'monitor');
    for (const m of [ma, mb]) expect(Object.keys(JSON.parse(m.text) as object)).toEqual(expect.arrayContaining(['version', 'server_state', 'znode_count', 'watch_count', 'outstanding_requests', 'avg_latency']));
  });

  it('sends every command of the console list, and each engine answers it as the other does', async () => {
    let answered = 0;
    for (const c of [...FOUR_LETTER_WORDS, ...ADMIN_COMMANDS]) {
      if (c.resets) continue;
      const [a, b] = await both(c.kind, c.name);
      // hash says nothing on either unless zookeeper.digest.enabled: the same silence is the same answer.
      expect({ command: c.name, ours: a.ok }).toEqual({ command: c.name, ours: b.ok });
      if (a.ok) answered++;
    }
    expect(answered).toBeGreaterThanOrEqual(FOUR_LETTER_WORDS.length + ADMIN_COMMANDS.length - 6);
  });

  it('refuses a command outside the list, and sends nothing', async () => {
    await expect(askMember(target(mine), '4lw', 'kill')).rejects.toThrow(/"kill" is not a four-letter word the console sends; nothing was sent\. Pick one of: ruok, srvr/);
    await expect(askMember(target(mine), 'admin', '../etc')).rejects.toThrow(/not an AdminServer command/);
    // A member that is not there: said at once, with which member.
    await expect(askMember({ myid: 7, host: '127.0.0.1', clientPort: 1, adminPort: 1 }, '4lw', 'ruok')).rejects.toThrow(/^Member 7 did not answer ruok on 127\.0\.0\.1:1/);
  });
});

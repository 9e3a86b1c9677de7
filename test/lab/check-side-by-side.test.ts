// The same zk-lab check run against a lab of our members and a lab of Apache ZooKeeper 3.8
// members (Debian's), under kills and under partitions: both keep ZooKeeper's promises (the
// zookeeper model says ok) and both keep the writes and cas linearizable, judged by the same
// checker on the histories they gave. (Whether some read was stale, the linearizable verdict on
// the whole history, is timing and may differ run to run on either engine: it is not compared.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/shared/check/check';
import { parseHistory } from '../../src/shared/check/history';
import { JAVA, needs, OUR_BUILD, ZK_ADMIN_JARS, ZK_JARS } from '../support/needs';
import { useCli } from './zk-cli';

const cli = useCli();

interface RunDoc {
  verdict: string;
  ops: number;
  run: { marks: { type: string }[] };
}

/** Launches a 3-member lab of `engine`, runs the workload under kills and under partitions, and returns what the checker said of each. */
async function verdicts(engine: 'ours' | 'apache'): Promise<Record<string, { zookeeper: string; writes: string }>> {
  const launched = await cli.zk('launch', '--nodes', '3', '--engine', engine, '--json');
  expect(launched.status, launched.stderr).toBe(0);
  cli.members(JSON.parse(launched.stdout) as { nodes: { pid: number }[] });
  const out: Record<string, { zookeeper: string; writes: string }> = {};
  for (const faults of ['kills', 'partitions']) {
    const file = join(cli.root(), `${engine}-${faults}.jsonl`);
    const r = await cli.zk('check', 'run', '--clients', '4', '--keys', '2', '--seconds', '8', '--faults', faults, '--save', file, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as RunDoc;
    // The fault happened, to this engine's members.
    expect(doc.run.marks.map((m) => m.type)).toContain('net.fault.started');
    expect(doc.ops).toBeGreaterThan(30);
    const ops = parseHistory(readFileSync(file, 'utf8'));
    const writes = check(
      ops.filter((o) => o.f !== 'read'),
      { model: 'linearizable', timeLimitMs: 30_000 },
    );
    out[faults] = { zookeeper: doc.verdict, writes: writes.verdict };
    const st = await cli.zk('status', '--json');
    cli.members(JSON.parse(st.stdout) as { nodes: { pid: number }[] });
  }
  const gone = await cli.zk('destroy');
  expect(gone.status, gone.stderr).toBe(0);
  return out;
}

const promised = { kills: { zookeeper: 'ok', writes: 'ok' }, partitions: { zookeeper: 'ok', writes: 'ok' } };

describe('zk-lab check run on our members', needs(OUR_BUILD), () => {
  it('keeps the promises under kills and partitions', { timeout: 240_000 }, async () => {
    expect(await verdicts('ours')).toEqual(promised);
  });
});

describe('zk-lab check run on Apache ZooKeeper 3.8 members', needs(OUR_BUILD, JAVA, ZK_JARS, ZK_ADMIN_JARS), () => {
  it('gives the same verdicts as ours under kills and partitions', { timeout: 300_000 }, async () => {
    expect(await verdicts('apache')).toEqual(promised);
  });
});

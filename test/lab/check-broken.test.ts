// The checker can fail: a lab whose members are broken on purpose (ZK_TEST_UNSAFE_COMMIT=1, a
// test-only switch of our server: the leader acknowledges a write once its own log has it and
// sends it to the others only at the next tick) loses acknowledged writes when the kills hit the
// leader, and zk-lab check run says "violation" with a counterexample. The same run on members
// without the switch is ok (check-run.test.ts, check-side-by-side.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs, OUR_BUILD } from '../support/needs';
import { useCli } from './zk-cli';

const cli = useCli({ ZK_TEST_UNSAFE_COMMIT: '1' });

interface RunDoc {
  model: string;
  verdict: string;
  counterexample?: { key: string; culprit: number; ops: { index: number }[]; explanation: string };
  verdicts: { zookeeper: string; linearizable: string };
  run: { marks: { type: string }[] };
}

/** Every server.log under the lab's folder. */
function serverLogs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name === 'server.log') out.push(readFileSync(join(e.parentPath, e.name), 'utf8'));
  }
  return out;
}

describe('a deliberately broken member (ZK_TEST_UNSAFE_COMMIT=1)', needs(OUR_BUILD), () => {
  it('loses acknowledged writes when its leader is killed, and the checker reports the violation with a counterexample', { timeout: 120_000 }, async () => {
    const launched = await cli.zk('launch', '--nodes', '3', '--json');
    expect(launched.status, launched.stderr).toBe(0);
    cli.members(JSON.parse(launched.stdout) as { nodes: { pid: number }[] });
    // Each member says loudly that it is broken.
    const logs = serverLogs(cli.root());
    expect(logs).toHaveLength(3);
    for (const text of logs) expect(text).toMatch(/WARN .*ZK_TEST_UNSAFE_COMMIT=1: THIS MEMBER IS BROKEN ON PURPOSE/);

    const r = await cli.zk('check', 'run', '--clients', '4', '--keys', '2', '--seconds', '6', '--faults', 'kills', '--json');
    const doc = JSON.parse(r.stdout) as RunDoc;
    // The leader was killed while its clients worked.
    expect(doc.run.marks.map((m) => m.type)).toContain('node.killed');
    expect(r.status, r.stderr).toBe(1);
    expect(doc.model).toBe('zookeeper');
    expect(doc.verdict).toBe('violation');
    expect(doc.verdicts).toEqual({ zookeeper: 'violation', linearizable: 'violation' });
    expect(doc.counterexample?.ops.map((o) => o.index)).toContain(doc.counterexample?.culprit);
    expect(doc.counterexample?.explanation.length).toBeGreaterThan(20);
    const st = await cli.zk('status', '--json');
    cli.members(JSON.parse(st.stdout) as { nodes: { pid: number }[] });
    const gone = await cli.zk('destroy');
    expect(gone.status, gone.stderr).toBe(0);
  });
});

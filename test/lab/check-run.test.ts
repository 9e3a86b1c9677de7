// zk-lab check run on a real lab of ours: bad settings are refused with one sentence and start
// nothing; a register workload under kills records a history, the lab's own fault actions kill
// and restart members during it (kept beside the history as marks on its time axis), the verdict
// is ok under the zookeeper model, and the saved history is the documented file that
// zk-lab check history checks again to the same verdict.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHistory } from '../../src/shared/check/history';
import { needs, OUR_BUILD } from '../support/needs';
import { useCli } from './zk-cli';

const cli = useCli();
const zk = cli.zk;

interface Mark {
  t: number;
  type: string;
  myid: number | null;
  detail: string;
}

interface RunDoc {
  model: string;
  ops: number;
  keys: number;
  verdict: string;
  counterexample?: unknown;
  verdicts: { zookeeper: string; linearizable: string };
  run: { id: number; settings: { clients: number; keys: number; seconds: number; faults: string }; marks: Mark[]; file: string | null };
}

describe('zk-lab check run', needs(OUR_BUILD), () => {
  it('refuses bad settings, then records a register workload under kills: ok under the zookeeper model, and the saved file checks again the same', { timeout: 180_000 }, async () => {
    const launched = await zk('launch', '--nodes', '3', '--json');
    expect(launched.status, launched.stderr).toBe(0);
    const lab = JSON.parse(launched.stdout) as { nodes: { pid: number }[] };
    cli.members(lab);

    for (const [args, words] of [
      [['--faults', 'floods'], '--faults takes none, partitions, kills, pauses, mixed'],
      [['--clients', '99'], 'Clients must be 1 to 32'],
      [['--reads', '80', '--writes', '40'], 'Reads, writes and syncs together are at most 100 %'],
      [['--workload', 'queue'], '--workload takes register'],
    ] as const) {
      const r = await zk('check', 'run', ...args);
      expect(r.status, `check run ${args.join(' ')}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(words);
    }

    const file = join(cli.root(), 'run.jsonl');
    const r = await zk('check', 'run', '--clients', '4', '--keys', '2', '--seconds', '6', '--faults', 'kills', '--save', file, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as RunDoc;
    // The refused ones started nothing: this is the lab's first run.
    expect(doc.run.id).toBe(1);
    expect(doc).toMatchObject({ model: 'zookeeper', keys: 2, verdict: 'ok', verdicts: { zookeeper: 'ok' } });
    expect(['ok', 'violation', 'undecided']).toContain(doc.verdicts.linearizable);
    expect(doc.run.settings).toMatchObject({ clients: 4, keys: 2, seconds: 6, faults: 'kills' });
    // The schedule killed a member through the lab's fault list (the leader first) and healed it
    // (restarted it), and the elections it caused are on the same axis as the operations.
    const types = doc.run.marks.map((m) => m.type);
    expect(types).toContain('net.fault.started');
    expect(types).toContain('node.killed');
    expect(types).toContain('net.fault.healed');
    expect(types).toContain('node.started');
    for (const m of doc.run.marks) expect(m.t).toBeGreaterThanOrEqual(0);
    // Progress went to stderr as it happened.
    expect(r.stderr).toMatch(/killed \(SIGKILL\) \(the leader\)/);
    expect(r.stderr).toMatch(/recorded \d+ operations/);

    // The file: the documented format, with the run's operations; some writes went on after the kill.
    const ops = parseHistory(readFileSync(file, 'utf8'));
    expect(ops.length).toBe(doc.ops);
    expect(new Set(ops.map((o) => o.process)).size).toBe(4);
    const kill = doc.run.marks.find((m) => m.type === 'node.killed')!;
    expect(ops.filter((o) => o.f !== 'read' && o.result === 'ok' && o.invoke > kill.t).length).toBeGreaterThan(10);
    const again = await zk('check', 'history', file, '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ model: 'zookeeper', ops: doc.ops, verdict: 'ok' });

    // The lab is whole again: every member runs.
    const st = await zk('status', '--json');
    const after = JSON.parse(st.stdout) as { faults: unknown[]; nodes: { role: string; pid: number }[] };
    cli.members(after);
    expect(after.faults).toEqual([]);
    expect(after.nodes.every((n) => n.role !== 'down')).toBe(true);

    const gone = await zk('destroy');
    expect(gone.status, gone.stderr).toBe(0);
  });
});

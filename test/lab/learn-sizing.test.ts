// The sizing walkthrough on real members: labs of 3, 5 and 7 voters launched beside a lab, one
// after the other, each measured under the same light load, then removed. Its verdict must say
// what was measured, and agree with the seed exactly when the numbers show the seed's direction
// (more members survive more failures, and writes got slower): a machine that does not show it
// gets "no". Nothing of the side labs is left: no folder, and the lab itself untouched.
import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/lab/service';
import type { WalkthroughState } from '../../src/shared/contract';
import { untilLab } from '../support/lab-wait';
import { needs, OUR_BUILD } from '../support/needs';

describe('the sizing walkthrough', needs(OUR_BUILD), () => {
  let root: string;
  let lab: LabService;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'zk-lab-sizing-'));
    process.env.ZK_LAB_DIR = root;
  });
  afterAll(() => {
    lab?.close();
    delete process.env.ZK_LAB_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  it('measures 3, 5 and 7 members under the same load and says what it saw', { timeout: 400_000 }, async () => {
    lab = new LabService('sz');
    await lab.handle({ method: 'launch', size: 1, observers: 0, engines: 'ours' });
    const before = await untilLab(lab, (v) => v.nodes[0]!.role === 'standalone', 60_000, 'the standalone member');
    const ended = new Promise<WalkthroughState>((resolve) => {
      const check = (p: { kind: string; state?: WalkthroughState }): void => {
        if (p.kind === 'walkthrough' && p.state && !p.state.running) {
          lab.off('push', check);
          resolve(p.state);
        }
      };
      lab.on('push', check);
    });
    await lab.handle({ method: 'walkthrough.run', id: 'sizing' });
    const s = await ended;
    expect(s.error, s.error ?? '').toBeNull();
    const rows = [...s.labSaw!.matchAll(/(\d) voters: survives (\d), p50 ([\d.]+) ms, p99 ([\d.]+) ms, (\d+) writes\/s/g)];
    expect(rows.map((r) => [r[1], r[2]])).toEqual([['3', '1'], ['5', '2'], ['7', '3']]);
    for (const r of rows) {
      expect(Number(r[3])).toBeGreaterThan(0);
      expect(Number(r[4])).toBeGreaterThanOrEqual(Number(r[3]));
      expect(Number(r[5])).toBeGreaterThan(0);
    }
    // Agrees exactly when the measured p50s did not go down as members were added.
    const p50 = rows.map((r) => Number(r[3]));
    const slower = p50[1]! >= p50[0]! && p50[2]! >= p50[1]!;
    expect(s.passed).toBe(slower && !/writes failed/.test(s.labSaw!));
    expect(s.labSaw).toContain(slower ? 'writes got slower with more members: yes' : 'writes got slower with more members: no, this machine did not show it');
    // The side labs are gone; this lab was not touched.
    expect(readdirSync(root).filter((f) => !f.startsWith('.') && f !== 'ui-settings.json')).toEqual(['sz']);
    const after = lab.view()!;
    expect(after.nodes.map((n) => [n.myid, n.pid, n.role])).toEqual(before.nodes.map((n) => [n.myid, n.pid, n.role]));
  });
});

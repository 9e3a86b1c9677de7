// The seed walkthroughs Apache ZooKeeper can also run, judged side by side: the same walkthrough
// on a lab of our server and on a lab of Apache ZooKeeper 3.8 (Debian), three voters and an
// observer each. Both must agree with the seed, and what each saw must be the same once the
// numbers that belong to one run (timings, session ids, leaders, zxids) are taken out: the same
// failures survived, the same watches on the members, the same spread of consumers, the observer
// told the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/lab/service';
import type { LabView, WalkthroughId, WalkthroughState } from '../../src/shared/contract';
import { untilLab } from '../support/lab-wait';
import { JAVA, needs, OUR_BUILD, ZK_ADMIN_JARS, ZK_JARS } from '../support/needs';

/** Walkthroughs that need nothing only our server has (lab_watches, lab_apply_delay). */
const BOTH: WalkthroughId[] = ['majority', 'roles', 'lock', 'config-and-membership', 'discovery', 'node-types', 'zxid', 'write-via-follower', 'recovery-discarded'];

/**
 * How the returning leader of `recovery-discarded` is synced is each run's own: TRUNC when the
 * new leader has written nothing in its epoch yet, SNAP once it has (both engines follow
 * ZooKeeper 3.8's LearnerHandler.syncFollower). It is told beside the verdict, not compared.
 */
const SYNC_SEEN = /synced it by (TRUNC|SNAP)\b.*$/;

const up = (v: LabView): boolean => v.serving && v.nodes.every((n) => ['leader', 'follower', 'observer'].includes(n.role));

/**
 * What a run saw, in words: every number goes (which member leads, zxids, times, and how many
 * ACKs reached the leader before its COMMIT, which is a race in ZAB on either engine), so what
 * is compared is what each engine was seen to do (forwarded, INFORM, one zxid for a multi: yes
 * or no, SNAP or DIFF, ...), not when or by whom.
 */
function shape(labSaw: string): string {
  return labSaw
    .replace(/0x[0-9a-f]+/g, '0x…')
    .replace(/_c_[0-9a-f-]+-lock-/g, '_c_…-lock-')
    .replace(SYNC_SEEN, 'synced it by (TRUNC or SNAP)…')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/N(, N)*/g, 'N…');
}

describe('seed walkthroughs on our server and on Apache ZooKeeper, side by side', needs(OUR_BUILD, JAVA, ZK_JARS, ZK_ADMIN_JARS), () => {
  let root: string;
  const labs: LabService[] = [];
  const saw: Record<'ours' | 'apache', Partial<Record<WalkthroughId, WalkthroughState>>> = { ours: {}, apache: {} };
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'zk-lab-learn-'));
    process.env.ZK_LAB_DIR = root;
  });
  afterAll(() => {
    for (const l of labs) l.close();
    delete process.env.ZK_LAB_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  const runAll = async (engine: 'ours' | 'apache'): Promise<void> => {
    const lab = new LabService(`learn-${engine}`);
    labs.push(lab);
    await lab.handle({ method: 'launch', size: 3, observers: 1, engines: engine });
    await untilLab(lab, up, 180_000, 'three voters and an observer serving');
    for (const id of BOTH) {
      await untilLab(lab, up, 90_000, `every member serving before ${id}`);
      await lab.handle({ method: 'walkthrough.run', id });
      const end = await new Promise<WalkthroughState>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${id} on ${engine} did not end within 150 s`)), 150_000);
        const check = (p?: { kind: string; state?: WalkthroughState }): void => {
          if (p && p.kind !== 'walkthrough') return;
          const s = (p?.state ?? null) as WalkthroughState | null;
          if (s && s.id === id && !s.running) {
            clearTimeout(timer);
            lab.off('push', check);
            resolve(s);
          }
        };
        lab.on('push', check);
      });
      expect(end.passed, `${id} on ${engine}: ${end.labSaw ?? end.error}`).toBe(true);
      saw[engine][id] = end;
    }
  };

  it('runs them on a lab of our server', { timeout: 400_000 }, () => runAll('ours'));
  it('runs them on a lab of Apache ZooKeeper 3.8', { timeout: 500_000 }, () => runAll('apache'));

  it('both engines showed the same thing', () => {
    for (const id of BOTH) {
      const ours = saw.ours[id];
      const apache = saw.apache[id];
      expect(ours && apache, `${id} ran on both`).toBeTruthy();
      expect(shape(apache!.labSaw!), id).toBe(shape(ours!.labSaw!));
    }
    for (const engine of ['ours', 'apache'] as const) expect(saw[engine]['recovery-discarded']!.labSaw, engine).toMatch(SYNC_SEEN);
  });
});

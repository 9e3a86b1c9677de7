// Attach is read-only in the backend too: against an ensemble the lab did not launch, writes and
// lock runs are refused (nothing is written) until the person unlocks writes for that attach,
// and a new attach is read-only again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client';
import { LabService } from '../../src/lab/service';
import { needs, OUR_BUILD } from '../support/needs';
import { start, type OurZk } from '../support/ourzk';

let zk: OurZk;
let lab: LabService;
let dir: string;

describe('an attached ensemble is read-only in the backend', needs(OUR_BUILD), () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-attach-ro-'));
    process.env.ZK_LAB_DIR = dir;
    zk = await start({ tickTime: 500 });
    lab = new LabService('attach-ro');
  });
  afterAll(async () => {
    lab?.close();
    await zk?.stop();
    delete process.env.ZK_LAB_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses writes until they are unlocked for this attach', async () => {
    await lab.handle({ method: 'attach', connectString: zk.connectString });
    const create = { method: 'tree.create', path: '/attached', data: 'x', mode: 'persistent', through: null } as const;
    await expect(lab.handle(create)).rejects.toThrow(/attached read-only.*Turn off Read-only/);
    await expect(lab.handle({ method: 'tree.delete', path: '/zookeeper', version: -1, recursive: false, through: null })).rejects.toThrow(/attached read-only/);
    const c = await connect(zk.connectString);
    expect(await c.exists('/attached')).toBeNull();
    await lab.handle({ method: 'attach.writes', on: true });
    await lab.handle(create);
    expect(await c.exists('/attached')).not.toBeNull();
    // Attaching again starts read-only again.
    await lab.handle({ method: 'attach', connectString: zk.connectString });
    await expect(lab.handle({ ...create, path: '/attached2' })).rejects.toThrow(/attached read-only/);
    expect(await c.exists('/attached2')).toBeNull();
    await c.close();
  });
});

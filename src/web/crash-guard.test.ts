// The guard in a real Node process: once serving, a thrown error and a rejected promise are
// reported and the process lives on; while starting, the first error ends it.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_BUILD, needs } from '../../test/support/needs';

const BUILT = join(resolve(__dirname, '..', '..'), 'dist', 'web', 'crash-guard.js');

function run(started: boolean): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const { guardProcess } = require(${JSON.stringify(BUILT)});
    let reports = 0;
    guardProcess({
      started: () => ${started},
      crash: (t) => { console.log('CRASH ' + t.split('\\n')[0]); process.exit(70); },
      report: (m) => { console.log('REPORT ' + m); if (++reports === 2) { console.log('ALIVE'); process.exit(0); } },
    });
    setImmediate(() => { throw new Error('a poll failed'); });
    setImmediate(() => Promise.reject(new Error('a push did not validate')));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the backend survives errors once it serves', needs(LAB_BUILD), () => {
  it('reports a thrown error and a rejected promise, and keeps running', () => {
    const r = run(true);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'REPORT An error nothing caught: a poll failed (the backend\'s log has the rest; the lab keeps running)',
      'REPORT A promise rejected with nothing to catch it: a push did not validate (the backend\'s log has the rest; the lab keeps running)',
      'ALIVE',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('ZooKeeper Lab: An error nothing caught in the backend; it keeps running, and so do the members: Error: a poll failed');
  });

  it('ends a start that fails', () => {
    const r = run(false);
    expect(r.stdout).toBe('CRASH Error: a poll failed\n');
    expect(r.status).toBe(70);
  });
});

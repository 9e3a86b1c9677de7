// The real-ZooKeeper harness itself: it serves, answers 4lw and the AdminServer, and cleans up.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fourLetter, start, startEnsemble, type RealEnsemble, type RealZk } from './realzk';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('realzk standalone', () => {
  let zk: RealZk | undefined;
  afterAll(async () => zk?.stop());

  it('serves 4lw and the AdminServer, then stops by PID and removes its dir', async () => {
    zk = await start({ admin: true, extendedTypes: true });
    expect(await fourLetter('127.0.0.1', zk.clientPort, 'ruok')).toBe('imok');
    expect(await fourLetter('127.0.0.1', zk.clientPort, 'srvr')).toMatch(/^Mode: standalone$/m);
    const res = await fetch(`http://127.0.0.1:${zk.adminPort}/commands/ruok`);
    expect((await res.json()).command).toBe('ruok');
    const envi = await fetch(`http://127.0.0.1:${zk.adminPort}/commands/environment`);
    expect(JSON.stringify(await envi.json())).toContain('3.8');
    const { pid, dataDir } = zk;
    expect(alive(pid)).toBe(true);
    await zk.stop();
    expect(alive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('realzk ensemble', () => {
  let ens: RealEnsemble | undefined;
  afterAll(async () => ens?.stop());

  it('elects a leader, survives losing it, and takes it back', async () => {
    ens = await startEnsemble(3, { tickTime: 500 });
    const leader = await ens.leader();
    const modes = await Promise.all(ens.members.map((m) => fourLetter('127.0.0.1', m.clientPort, 'srvr')));
    expect(modes.filter((m) => /Mode: follower/.test(m))).toHaveLength(2);
    await leader.kill();
    expect(leader.running).toBe(false);
    const next = await ens.leader();
    expect(next.myid).not.toBe(leader.myid);
    await leader.restart();
    expect(await fourLetter('127.0.0.1', leader.clientPort, 'srvr')).toMatch(/Mode: follower/);
  });
});

// The leader runs ZooKeeper's ContainerManager: emptied containers and expired TTL znodes are
// deleted through the quorum (deleteContainer txns), so every member sees them go.
import { afterEach, describe, expect, it } from 'vitest';
import { startEnsemble, waitFor, type OurEnsemble } from '../support/ourzk';

let ensemble: OurEnsemble | null = null;
afterEach(async () => {
  await ensemble?.stop();
  ensemble = null;
});

describe('the leader as ContainerManager', () => {
  it('reaps an emptied container and an expired TTL znode, and every member sees them go', async () => {
    const { connect, CreateMode } = await import('../../src/client');
    ensemble = await startEnsemble(3, { tickTime: 200, extendedTypes: true, config: { 'znode.container.checkIntervalMs': 200 } });
    await ensemble.leader();
    const zk = await connect(ensemble.connectString);
    try {
      await zk.create('/box', null, { mode: CreateMode.CONTAINER });
      await zk.create('/box/item', null);
      await zk.create('/ttl', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 300 });
      await zk.delete('/box/item');
      await waitFor(async () => (await zk.exists('/box')) === null && (await zk.exists('/ttl')) === null, 20_000, 'the container and the TTL znode to be reaped');
      await ensemble.converged();
      for (const m of ensemble.members) {
        const c = await connect(m.connectString);
        expect(await c.exists('/box'), `member ${m.sid}`).toBeNull();
        expect(await c.exists('/ttl'), `member ${m.sid}`).toBeNull();
        await c.close();
      }
    } finally {
      await zk.close();
    }
  });
});

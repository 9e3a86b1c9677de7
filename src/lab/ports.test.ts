import { existsSync, rmSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindable, LAB_PORT_MAX, LAB_PORT_MIN, labPorts, reservePort } from './ports';

describe('labPorts', () => {
  it('picks distinct ports below the ephemeral ranges, each reserved so that another lab skips it', async () => {
    const ports = await labPorts(30);
    try {
      expect(new Set(ports).size).toBe(30);
      for (const p of ports) {
        expect(p).toBeGreaterThanOrEqual(LAB_PORT_MIN);
        expect(p).toBeLessThanOrEqual(LAB_PORT_MAX);
        expect(existsSync(join(tmpdir(), 'zk-lab-ports', String(p)))).toBe(true);
      }
      // Another lab drawing the same random sequence gets none of them.
      let seed = 0;
      const sameDraws = (): number => (ports[seed++ % ports.length]! - LAB_PORT_MIN) / (LAB_PORT_MAX - LAB_PORT_MIN + 1);
      const drawn: number[] = [];
      const other = labPorts(1, () => (drawn.length < ports.length ? (drawn.push(1), sameDraws()) : Math.random()));
      const [p] = await other;
      expect(ports).not.toContain(p);
      rmSync(join(tmpdir(), 'zk-lab-ports', String(p)), { force: true });
    } finally {
      for (const p of ports) rmSync(join(tmpdir(), 'zk-lab-ports', String(p)), { force: true });
    }
  });

  it('skips a port something else listens on', async () => {
    const srv = createServer();
    const taken = await new Promise<number>((r) => srv.listen(LAB_PORT_MIN + 7, '127.0.0.1', () => r(LAB_PORT_MIN + 7)));
    try {
      expect(await bindable(taken)).toBe(false);
      let first = true;
      const [p] = await labPorts(1, () => (first ? ((first = false), 7 / (LAB_PORT_MAX - LAB_PORT_MIN + 1)) : Math.random()));
      expect(p).not.toBe(taken);
      rmSync(join(tmpdir(), 'zk-lab-ports', String(p)), { force: true });
    } finally {
      srv.close();
    }
  });

  it('lets only one of two reclaimers take over a stale reservation, whatever their interleaving', () => {
    const port = LAB_PORT_MAX; // the top of the range: labs draw it rarely
    const file = join(tmpdir(), 'zk-lab-ports', String(port));
    try {
      expect(reservePort(port) || existsSync(file)).toBe(true);
      const old = new Date(Date.now() - 60 * 60_000);
      utimesSync(file, old, old);
      // The first has seen the reservation stale; the second then reclaims it whole.
      let second: boolean | null = null;
      const first = reservePort(port, () => {
        second = reservePort(port);
      });
      expect([first, second]).toEqual([false, true]);
      // Once taken over it is fresh: nobody else gets it.
      expect(reservePort(port)).toBe(false);
    } finally {
      rmSync(file, { force: true });
    }
  });
});

// Our AdminServer's guards: on loopback, a Host header that names neither a loopback address nor
// the configured one is refused (DNS rebinding); the lab's state-changing commands need POST and
// the lab's secret (ZK_LAB_ADMIN_SECRET); ZooKeeper's own commands answer GET as in 3.8.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs, OUR_BUILD } from '../support/needs';
import { start, type OurZk } from '../support/ourzk';

const SECRET = 'a7'.repeat(24);
let zk: OurZk;

function call(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: zk.adminPort, method, path, headers: { host: `127.0.0.1:${zk.adminPort}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe("our AdminServer's guards", needs(OUR_BUILD), () => {
  beforeAll(async () => {
    const before = process.env.ZK_LAB_ADMIN_SECRET;
    process.env.ZK_LAB_ADMIN_SECRET = SECRET; // the child's environment, as the lab's supervisor passes it
    try {
      zk = await start({ tickTime: 500 });
    } finally {
      if (before === undefined) delete process.env.ZK_LAB_ADMIN_SECRET;
      else process.env.ZK_LAB_ADMIN_SECRET = before;
    }
  });
  afterAll(async () => {
    await zk?.stop();
  });

  it('refuses a Host that is not loopback or the configured address', async () => {
    expect((await call('GET', '/commands/ruok', { host: `evil.example:${zk.adminPort}` })).status).toBe(403);
    expect((await call('GET', '/commands/ruok', { host: `127.0.0.1.evil.example:${zk.adminPort}` })).status).toBe(403);
    expect((await call('GET', '/commands/ruok', { host: `localhost:${zk.adminPort}` })).status).toBe(200);
    expect((await call('GET', '/commands/ruok', { host: `[::1]:${zk.adminPort}` })).status).toBe(200);
    expect((await call('GET', '/commands/ruok')).status).toBe(200);
  });

  it("keeps ZooKeeper's own commands as in 3.8: GET answers, POST is not allowed", async () => {
    const ruok = await call('GET', '/commands/ruok');
    expect(JSON.parse(ruok.body)).toMatchObject({ command: 'ruok', error: null });
    expect((await call('POST', '/commands/ruok')).status).toBe(405);
  });

  it('lets anyone read the lab faults, but only the lab with its secret change them', async () => {
    expect(JSON.parse((await call('GET', '/commands/lab_disk')).body)).toMatchObject({ stall_ms: 0, full: false });
    const get = await call('GET', '/commands/lab_disk?stall_ms=500');
    expect(get.status).toBe(405);
    expect(JSON.parse(get.body).error).toContain('send it as POST');
    expect((await call('POST', '/commands/lab_disk?stall_ms=500')).status).toBe(403);
    expect((await call('POST', '/commands/lab_disk?stall_ms=500', { 'x-zk-lab-secret': 'b8'.repeat(24) })).status).toBe(403);
    expect(JSON.parse((await call('GET', '/commands/lab_disk')).body)).toMatchObject({ stall_ms: 0 }); // nothing changed
    const ok = await call('POST', '/commands/lab_disk?stall_ms=500', { 'x-zk-lab-secret': SECRET });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ stall_ms: 500, full: false });
    await call('POST', '/commands/lab_disk?stall_ms=0', { 'x-zk-lab-secret': SECRET });
  });

  it('answers a path that is not valid percent-encoding without falling over', async () => {
    expect((await call('GET', '/commands/%E0%A4%A')).status).toBe(200);
    expect((await call('GET', '/commands/ruok')).status).toBe(200);
  });
});

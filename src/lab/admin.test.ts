// The AdminServer reader against answers captured from Apache ZooKeeper 3.8 (test/server/zk-3.8-samples)
// and against a real HTTP server that answers the way a looking member does.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminUnreachable, command, parseAdmin, readAdmin, zxidCounter, zxidEpoch, zxidHex, type Answer } from './admin';
import { freePort } from './labdir';

const SAMPLES = join(__dirname, '..', '..', 'test', 'server', 'zk-3.8-samples');

/** A captured answer as the reader sees it: JSON, or null for an error answer. */
function sample(name: string): Answer {
  const text = readFileSync(join(SAMPLES, name), 'utf8');
  if (text.startsWith('HTTP 500')) return null;
  const body = JSON.parse(text) as Record<string, unknown>;
  return typeof body.error === 'string' ? null : body;
}

describe('parseAdmin on Apache ZooKeeper 3.8 answers', () => {
  it('reads a leader in broadcast', () => {
    const s = parseAdmin(sample('leader-zabstate.json'), sample('leader-server_stats.json'));
    expect(s).toMatchObject({ reachable: true, role: 'leader', epoch: 1, lastZxid: '100000005', zabState: 'broadcast', connections: 1, outstanding: 0, minLatency: 1, znodeCount: 8 });
  });

  it('reads a follower in broadcast', () => {
    const s = parseAdmin(sample('follower-zabstate.json'), sample('follower-server_stats.json'));
    expect(s).toMatchObject({ role: 'follower', epoch: 1, lastZxid: '100000005', zabState: 'broadcast', connections: 0 });
  });

  it('reads a standalone server: epoch from its zxid, no election', () => {
    const s = parseAdmin(sample('standalone-zabstate.json'), sample('standalone-server_stats.json'));
    expect(s.role).toBe('standalone');
    expect(s.zabState).toBe('standalone');
    expect(s.lastZxid).toBe('4');
    expect(s.epoch).toBe(0);
    expect(s.connections).toBe(1);
  });

  it('calls a member looking when it answers zabstate but not server_stats (not serving)', () => {
    expect(sample('looking-server_stats.json')).toBeNull();
    const s = parseAdmin(sample('looking-zabstate.json'), sample('looking-server_stats.json'));
    expect(s).toMatchObject({ reachable: true, role: 'looking', epoch: null, lastZxid: null, zabState: 'election' });
  });

  it('does not call a member leader before ZAB reaches broadcast', () => {
    const zab = { ...sample('leader-zabstate.json'), zabstate: 'discovery' };
    const s = parseAdmin(zab, sample('leader-server_stats.json'));
    expect(s.role).toBe('looking');
    expect(s.zabState).toBe('discovery');
  });
});

describe('zxids', () => {
  it('splits a zxid into epoch and counter', () => {
    expect(zxidHex('0x300000002')).toBe('300000002');
    expect(zxidHex(4294967301)).toBe('100000005');
    expect(zxidHex('garbage')).toBeNull();
    expect(zxidEpoch('300000002')).toBe(3);
    expect(zxidCounter('300000002')).toBe(2);
    expect(zxidEpoch('ffffffff00000001')).toBe(0xffffffff);
  });
});

describe('command() over HTTP', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = null;
  });

  async function serve(handler: (path: string) => [number, string, string]): Promise<number> {
    server = createServer((req, res) => {
      const [status, type, body] = handler(req.url ?? '');
      res.writeHead(status, { 'Content-Type': type }).end(body);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return (server.address() as { port: number }).port;
  }

  it('reads a looking member as looking: zabstate answers, monitor is an HTML error page', async () => {
    const port = await serve((path) =>
      path.startsWith('/commands/zabstate')
        ? [200, 'application/json', readFileSync(join(SAMPLES, 'looking-zabstate.json'), 'utf8')]
        : [500, 'text/html', readFileSync(join(SAMPLES, 'looking-server_stats.json'), 'utf8').replace(/^HTTP 500\n/, '')],
    );
    expect(await command(port, 'monitor')).toBeNull();
    expect((await readAdmin(port)).role).toBe('looking');
  });

  it('answers null for a command the server refuses with an error field', async () => {
    const port = await serve(() => [200, 'application/json', readFileSync(join(SAMPLES, 'looking-leader.json'), 'utf8')]);
    expect(await command(port, 'leader')).toBeNull();
  });

  it('tells an admin port nobody listens on from an error answer', async () => {
    const port = await freePort();
    await expect(command(port, 'zabstate')).rejects.toBeInstanceOf(AdminUnreachable);
    expect(await readAdmin(port)).toMatchObject({ reachable: false, role: 'starting' });
  });
});

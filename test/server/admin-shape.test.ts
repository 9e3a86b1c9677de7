// The AdminServer answers with the same field names as Apache ZooKeeper 3.8 (captured answers of
// a real 3.8.0 standalone server in test/server/zk-3.8-samples/, one session with a data watch).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpCode } from '../../src/protocol/codes';
import * as R from '../../src/protocol/records';
import { start, type OurZk } from '../support/ourzk';
import { RawConn } from '../support/raw';

const SAMPLES = join(__dirname, 'zk-3.8-samples');
/** Commands whose keys are per-installation (JVM properties) or ZooKeeper-internal counters. */
const OPEN_ENDED = new Set(['monitor', 'system_properties']);
/** mntr keys that monitoring tools rely on (zookeeperAdmin.md). */
const DOCUMENTED_MNTR = [
  'version', 'server_state', 'avg_latency', 'max_latency', 'min_latency', 'packets_received', 'packets_sent',
  'num_alive_connections', 'outstanding_requests', 'znode_count', 'watch_count', 'ephemerals_count',
  'approximate_data_size', 'open_file_descriptor_count', 'max_file_descriptor_count', 'uptime', 'global_sessions',
  'local_sessions', 'auth_failed_count',
];

/** Every key path of a JSON value ("a.b", "list[].c"), ignoring map-like objects keyed by ids or paths. */
function shape(v: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    if (v.length > 0) shape(v[0], `${prefix}[]`, out);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      // Maps keyed by session ids, paths or times carry data, not field names.
      if (/^(\/|\d)/.test(k)) continue;
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      shape(x, p, out);
    }
  }
  return out;
}

describe('AdminServer field names match Apache ZooKeeper 3.8 (standalone)', () => {
  let zk: OurZk;
  let c: RawConn;
  beforeAll(async () => {
    zk = await start();
    c = await RawConn.open(zk.clientPort);
    await c.handshake();
    c.request(1, OpCode.create, { codec: R.CreateRequest, value: { path: '/app', data: null, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 } });
    await c.reply();
    c.request(2, OpCode.getData, { codec: R.PathWatchRequest, value: { path: '/app', watch: true } });
    await c.reply();
  });
  afterAll(async () => {
    c?.close();
    await zk?.stop();
  });

  const names = readdirSync(SAMPLES)
    .filter((f) => f.startsWith('standalone-') && f.endsWith('.json'))
    .map((f) => f.slice('standalone-'.length, -'.json'.length));

  it.each(names)('%s', async (name) => {
    const theirs = JSON.parse(readFileSync(join(SAMPLES, `standalone-${name}.json`), 'utf8'));
    const ours = await (await fetch(`http://127.0.0.1:${zk.adminPort}/commands/${name}`)).json();
    if (name === 'monitor') {
      for (const k of DOCUMENTED_MNTR) expect(ours, k).toHaveProperty(k);
      return;
    }
    if (OPEN_ENDED.has(name)) return;
    const missing = [...shape(theirs)].filter((k) => !shape(ours).has(k));
    expect(missing).toEqual([]);
  });
});

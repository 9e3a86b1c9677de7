// ZooKeeper 3.8's Prometheus endpoint on our member. Debian's zookeeper package does not ship
// the Prometheus provider (no org/apache/zookeeper/metrics/prometheus in zookeeper.jar, no
// simpleclient jars), so a real 3.8 server cannot be scraped here: ours is scraped with a strict
// reader of the text format, and judged against 3.8's metric names (its captured mntr answers)
// and types (which of them 3.8's servers register as gauges, ServerMetrics' counters and summaries).
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/client';
import { fourLetter, freePort, start as startOurs, type OurZk } from '../support/ourzk';
import { parseMntr } from '../support/mntr';

const SAMPLES = join(__dirname, 'zk-3.8-samples');
const PROVIDER = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';
/** What 3.8 registers as gauges: ZooKeeperServer.registerMetrics, the leader's and the quorum peer's. */
const GAUGES_38 = new Set([
  'avg_latency', 'max_latency', 'min_latency', 'packets_received', 'packets_sent', 'num_alive_connections', 'outstanding_requests',
  'uptime', 'znode_count', 'watch_count', 'ephemerals_count', 'approximate_data_size', 'global_sessions', 'local_sessions',
  'open_file_descriptor_count', 'max_file_descriptor_count', 'connection_drop_probability', 'last_client_response_size',
  'max_client_response_size', 'min_client_response_size', 'outstanding_tls_handshake', 'auth_failed_count',
  'non_mtls_remote_conn_count', 'non_mtls_local_conn_count', 'learners', 'synced_followers', 'synced_non_voting_followers',
  'synced_observers', 'pending_syncs', 'leader_uptime', 'last_proposal_size', 'max_proposal_size', 'min_proposal_size', 'quorum_size',
]);
/** The Java client's StandardExports, which 3.8 adds with exportJvmInfo. */
const PROCESS = new Set(['process_cpu_seconds_total', 'process_start_time_seconds', 'process_open_fds', 'process_max_fds', 'process_resident_memory_bytes']);

interface Family {
  type: string;
  help: number;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** The text format 0.0.4, read strictly: every sample under its family's HELP and TYPE, values as Go floats. */
function readExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: string | null = null;
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      const f = families.get(m[2]!) ?? { type: '', help: 0, samples: [] };
      families.set(m[2]!, f);
      if (m[1] === 'HELP') f.help++;
      else {
        expect(f.type, `a second TYPE for ${m[2]}`).toBe('');
        expect(['counter', 'gauge', 'summary', 'histogram', 'untyped']).toContain(m[3]);
        f.type = m[3]!;
      }
      current = m[2]!;
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (\S+)$/.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const [, name, labelText, value] = m!;
    expect(current, `${name} before any TYPE`).not.toBeNull();
    const f = families.get(current!)!;
    const allowed = f.type === 'summary' ? [current, `${current}_count`, `${current}_sum`] : [current];
    expect(allowed, `${name} under the family ${current}`).toContain(name);
    expect(value).toMatch(/^(NaN|[+-]Inf|-?\d+(\.\d+)?(E-?\d+)?)$/);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    f.samples.push({ name: name!, labels, value: value === 'NaN' ? NaN : value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value) });
  }
  return families;
}

function scrape(port: number, path = '/metrics', method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
  });
}

describe('the Prometheus endpoint of ZooKeeper 3.8', () => {
  const started: OurZk[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('serves /metrics with 3.8 names and types, the values mntr has, and mntr dumps its samples as 3.8 does', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const ours = await startOurs({ admin: false, config: { 'metricsProvider.className': PROVIDER, 'metricsProvider.httpPort': port, 'metricsProvider.httpHost': '127.0.0.1' } });
    started.push(ours);
    expect(ours.log()).toMatch(new RegExp(`Starting /metrics HTTP endpoint at host: 127\\.0\\.0\\.1, port: ${port}, exportJvmInfo: true`));
    const zk = await connect(ours.connectString);
    await zk.create('/p', 'x');
    await zk.getData('/p', true);
    await zk.setData('/p', 'y');
    await zk.close();

    const res = await scrape(port);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = readExposition(res.body);
    const sample = parseMntr(readFileSync(join(SAMPLES, 'standalone-4lw-mntr.txt'), 'utf8'));
    for (const [name, f] of families) {
      expect(f.help, `HELP of ${name}`).toBe(1);
      if (PROCESS.has(name)) continue;
      // A 3.8 name: a plain mntr key, or a summary's avg_/cnt_ keys.
      const isSummary = sample.has(`cnt_${name}`);
      expect(isSummary || sample.has(name), `${name} is no 3.8 metric`).toBe(true);
      expect(f.type, name).toBe(isSummary ? 'summary' : GAUGES_38.has(name) ? 'gauge' : 'counter');
      if (isSummary) {
        // ADVANCED summaries (p50_ in mntr) have three quantiles in 3.8's provider, BASIC ones the median.
        const quantiles = f.samples.filter((s) => s.name === name).map((s) => s.labels.quantile);
        expect(quantiles, name).toEqual(sample.has(`p50_${name}`) ? ['0.5', '0.9', '0.99'] : ['0.5']);
      }
    }
    expect([...families.keys()].filter((n) => PROCESS.has(n)).sort()).toEqual([...PROCESS].sort());
    // The same quantities as mntr (taken after: nothing ran in between but the scrape).
    const value = (name: string): number => families.get(name)!.samples.find((s) => s.name === name)!.value;
    const count = (name: string): number => families.get(name)!.samples.find((s) => s.name === `${name}_count`)!.value;
    expect(value('znode_count')).toBe(6);
    expect(value('connection_request_count')).toBe(1);
    expect(count('updatelatency')).toBe(4); // createSession, create, setData, closeSession
    expect(count('readlatency')).toBe(1);
    expect(count('node_changed_watch_count')).toBe(1);
    expect(families.get('updatelatency')!.samples[0]!.value).toBeGreaterThanOrEqual(0);

    // mntr under this provider: its samples, as 3.8's PrometheusMetricsProvider.dump gives them.
    const mntr = await fourLetter('127.0.0.1', ours.clientPort, 'mntr');
    expect(mntr).toMatch(/^zk_version\t/);
    expect(mntr).toContain('zk_znode_count\t6.0\n');
    expect(mntr).toMatch(/\nzk_updatelatency\{quantile="0\.5"\}\t\d+(\.\d+)?\n/);
    expect(mntr).toContain('zk_updatelatency_count\t4.0\n');
    expect(mntr).not.toContain('zk_avg_updatelatency');

    expect((await scrape(port, '/other')).status).toBe(404);
    expect((await scrape(port, '/metrics', 'TRACE')).status).toBe(403);
  });

  it('an unsupported metricsProvider.className gets a warning line and no endpoint; a bad port or one in use stops the member with one sentence', { timeout: 60_000 }, async () => {
    const ours = await startOurs({ admin: false, config: { 'metricsProvider.className': 'com.example.MyProvider', 'metricsProvider.httpPort': 7000 } });
    started.push(ours);
    expect(ours.log()).toMatch(/ - WARN  \[main:zk-server\.ts@\d+\] - metricsProvider\.className=com\.example\.MyProvider is not a metrics provider this server has .*its metrics stay in mntr/);
    expect(ours.log()).not.toContain('/metrics HTTP endpoint');
    expect(await fourLetter('127.0.0.1', ours.clientPort, 'mntr')).toContain('zk_avg_updatelatency\t');
    await expect(startOurs({ admin: false, config: { 'metricsProvider.className': PROVIDER, 'metricsProvider.httpPort': 'seven' } })).rejects.toThrow(/zk-server: metricsProvider\.httpPort=seven is not a port; give a number from 0 to 65535/);
    await expect(startOurs({ admin: false, config: { 'metricsProvider.className': PROVIDER, 'metricsProvider.httpPort': ours.clientPort, 'metricsProvider.httpHost': '127.0.0.1' } })).rejects.toThrow(/zk-server: Prometheus metrics port \(metricsProvider\.httpPort\) 127\.0\.0\.1:\d+ is already in use by another program/);
  });
});

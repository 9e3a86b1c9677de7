// ZooKeeper 3.8's Prometheus endpoint (org.apache.zookeeper.metrics.prometheus.
// PrometheusMetricsProvider): with `metricsProvider.className` naming it in zoo.cfg, the member
// serves GET /metrics on `metricsProvider.httpHost`:`metricsProvider.httpPort` (0.0.0.0:7000 by
// default, as 3.8) in the Prometheus text format 0.0.4, as the Java client 3.8 bundles writes it:
// the same names as mntr, gauges for what 3.8's servers register as gauges, counters for
// ServerMetrics' counters, and summaries with `quantile` 0.5 (BASIC) or 0.5, 0.9, 0.99 (ADVANCED)
// plus `_count` and `_sum`. With `exportJvmInfo` (default true) it adds the standard `process_*`
// metrics the Java client's DefaultExports has, from this Node process; there is no JVM, so no `jvm_*`.
import { createServer, type Server } from 'node:http';
import type { ServerCore } from '../core';
import type { Summary } from '../metrics';
import { maxFds, openFds } from './environment';
import { JavaDouble, type Json } from './jackson';
import { TEXT_KEYS } from './monitor';

export const PROMETHEUS_PROVIDER = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';
const DEFAULT_PROVIDER = 'org.apache.zookeeper.metrics.impl.DefaultMetricsProvider';

export interface PrometheusConfig {
  host: string;
  port: number;
  exportJvmInfo: boolean;
}

/**
 * What zoo.cfg's metricsProvider.* keys ask for: the endpoint's address, null for mntr only (the
 * default provider, or one this server does not have: `warning` then says so), or an error sentence.
 */
export function prometheusConfig(props: Map<string, string>): { endpoint: PrometheusConfig | null; warning?: string } | { error: string } {
  const className = props.get('metricsProvider.className')?.trim();
  if (className === undefined || className === DEFAULT_PROVIDER) return { endpoint: null };
  if (className !== PROMETHEUS_PROVIDER) {
    return { endpoint: null, warning: `metricsProvider.className=${className} is not a metrics provider this server has (it has ${DEFAULT_PROVIDER}, for mntr, and ${PROMETHEUS_PROVIDER}); its metrics stay in mntr and the AdminServer's monitor only.` };
  }
  const portText = props.get('metricsProvider.httpPort')?.trim() ?? '7000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return { error: `metricsProvider.httpPort=${portText} is not a port; give a number from 0 to 65535 (3.8's default is 7000).` };
  const host = props.get('metricsProvider.httpHost')?.trim() || '0.0.0.0';
  return { endpoint: { host, port, exportJvmInfo: (props.get('metricsProvider.exportJvmInfo')?.trim() ?? 'true').toLowerCase() !== 'false' } };
}

/** Collector.doubleToGoString: Java's Double.toString, with Go's names for the infinities. */
export function goDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const a = Math.abs(v);
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  if (a >= 1e-3 && a < 1e7) return Number.isInteger(v) ? `${v}.0` : String(v);
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  return `${mant.includes('.') ? mant : `${mant}.0`}E${Number(exp)}`;
}

const ADVANCED_QUANTILES = [0.5, 0.9, 0.99];
const BASIC_QUANTILES = [0.5];

/** The exposition text of every metric, as a scrape of 3.8's endpoint lays it out. */
export function exposition(core: ServerCore, values: [string, Json][], exportJvmInfo: boolean): string {
  const out: string[] = [];
  const family = (name: string, type: string): void => {
    out.push(`# HELP ${name} ${name}`, `# TYPE ${name} ${type}`);
  };
  const m = core.metrics;
  const counters = new Set(m.counters.keys());
  const summaries = new Set<string>();
  for (const s of m.summaries.values()) for (const p of ['avg', 'min', 'max', 'cnt', 'sum', 'p50', 'p95', 'p99', 'p999']) summaries.add(`${p}_${s.name}`);
  for (const [name, v] of values) {
    if (TEXT_KEYS.has(name) || counters.has(name) || summaries.has(name)) continue;
    const n = v instanceof JavaDouble ? v.value : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : null;
    if (n === null) continue;
    family(name, 'gauge');
    out.push(`${name} ${goDouble(n)}`);
  }
  for (const [name, n] of m.counters) {
    family(name, 'counter');
    out.push(`${name} ${goDouble(n)}`);
  }
  for (const s of m.summaries.values()) summary(out, s, family);
  if (exportJvmInfo) processMetrics(out, core, family);
  return out.join('\n') + '\n';
}

function summary(out: string[], s: Summary, family: (name: string, type: string) => void): void {
  family(s.name, 'summary');
  for (const q of s.advanced ? ADVANCED_QUANTILES : BASIC_QUANTILES) out.push(`${s.name}{quantile="${q}",} ${s.count === 0 ? 'NaN' : goDouble(s.quantileValue(q))}`);
  out.push(`${s.name}_count ${goDouble(s.count)}`, `${s.name}_sum ${goDouble(s.sum)}`);
}

/** The Java client's StandardExports (process_*), from this process. */
function processMetrics(out: string[], core: ServerCore, family: (name: string, type: string) => void): void {
  const cpu = process.cpuUsage();
  family('process_cpu_seconds_total', 'counter');
  out.push(`process_cpu_seconds_total ${goDouble((cpu.user + cpu.system) / 1e6)}`);
  family('process_start_time_seconds', 'gauge');
  out.push(`process_start_time_seconds ${goDouble(core.startedAt / 1000)}`);
  const fds = openFds();
  if (fds >= 0) {
    family('process_open_fds', 'gauge');
    out.push(`process_open_fds ${goDouble(fds)}`);
  }
  const max = maxFds();
  if (max >= 0) {
    family('process_max_fds', 'gauge');
    out.push(`process_max_fds ${goDouble(max)}`);
  }
  family('process_resident_memory_bytes', 'gauge');
  out.push(`process_resident_memory_bytes ${goDouble(process.memoryUsage().rss)}`);
}

/**
 * mntr / monitor under the Prometheus provider, as 3.8 dumps its registry there: the text keys,
 * then every sample of the exposition as `name` or `name{quantile="0.5"}` with its double value.
 */
export function prometheusMonitor(values: [string, Json][], text: string): [string, Json][] {
  const out: [string, Json][] = values.filter(([k]) => TEXT_KEYS.has(k));
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const value = line.slice(at + 1);
    out.push([line.slice(0, at).replace(/,\}$/, '}'), new JavaDouble(value === 'NaN' ? NaN : value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value))]);
  }
  return out;
}

/** The /metrics endpoint (not yet listening): GET /metrics answers the exposition; TRACE is refused, as 3.8's Jetty constraint does. */
export function createPrometheusServer(core: ServerCore, values: () => [string, Json][], cfg: PrometheusConfig): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'TRACE') {
      res.writeHead(403).end();
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    const body = exposition(core, values(), cfg.exportJvmInfo);
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

// ServerStats: counters behind srvr/stat/mntr and the AdminServer.
import type { ServerMetrics } from './metrics';

export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  count = 0;
  authFailed = 0;

  /** `metrics`: where the same latencies go as ServerMetrics' update_latency and read_latency. */
  constructor(private readonly metrics: ServerMetrics | null = null) {}

  /**
   * ServerStats.updateLatency: one request answered, `ms` after it arrived; a txn (a write,
   * even one refused, or a createSession) counts as an update, anything else as a read. One
   * recorder for srvr's min/avg/max and mntr's and Prometheus's summaries.
   */
  updateLatency(ms: number, txn: boolean): void {
    if (ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.totalLatency += ms;
    this.count++;
    this.metrics?.answered(ms, txn);
  }

  min(): number {
    return this.count === 0 ? 0 : this.minLatency;
  }

  /** Average latency as ZooKeeper prints it (a double rounded to 4 decimals). */
  avg(): number {
    return this.count === 0 ? 0 : Math.round((this.totalLatency / this.count) * 10000) / 10000;
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.count = 0;
  }
}

/** A Java double as Java prints it (always with a fractional part). */
export function javaDouble(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

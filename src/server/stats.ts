// ServerStats: counters behind srvr/stat/mntr and the AdminServer.
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  count = 0;
  authFailed = 0;

  recordLatency(ms: number): void {
    if (ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.totalLatency += ms;
    this.count++;
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

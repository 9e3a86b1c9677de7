// Which server to try next (ZooKeeper's StaticHostProvider): the hosts in a shuffled order,
// round-robin, with a pause once every host has been tried without success, so a client
// facing a dead ensemble does not spin.
import type { HostPort } from './connect-string';

export class HostProvider {
  private readonly hosts: HostPort[];
  private current = -1;
  /** Index of the host we last connected to; -1 before the first success. */
  private lastConnected = -1;

  constructor(hosts: HostPort[], shuffle = true, random: () => number = Math.random) {
    this.hosts = [...hosts];
    if (shuffle) {
      for (let i = this.hosts.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [this.hosts[i], this.hosts[j]] = [this.hosts[j]!, this.hosts[i]!];
      }
    }
  }

  get size(): number {
    return this.hosts.length;
  }

  /** The hosts in the order they will be tried. */
  order(): readonly HostPort[] {
    return this.hosts;
  }

  /**
   * The next host, and how long to wait first: `spinDelayMs` when we have come full circle
   * back to the host of the last success (or the first host) without connecting.
   */
  next(spinDelayMs: number): { host: HostPort; delayMs: number } {
    this.current = (this.current + 1) % this.hosts.length;
    const wrapped = this.current === this.lastConnected;
    // The very first attempt never waits; from then on host 0 counts as "last success".
    if (this.lastConnected === -1) this.lastConnected = 0;
    return { host: this.hosts[this.current]!, delayMs: wrapped ? spinDelayMs : 0 };
  }

  /** The host after the current one without moving (for read/write server probes). */
  peekOther(offset: number): HostPort {
    return this.hosts[(this.current + offset) % this.hosts.length]!;
  }

  /** Moves to the given host so the next connection attempt goes there. */
  moveTo(host: HostPort): void {
    const i = this.hosts.findIndex((h) => h.host === host.host && h.port === host.port);
    if (i >= 0) this.current = (i - 1 + this.hosts.length) % this.hosts.length;
  }

  onConnected(): void {
    this.lastConnected = this.current;
  }
}

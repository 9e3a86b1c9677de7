// Attach mode: watch an ensemble the lab did not start (any ZooKeeper, by connect string). It
// is read through the four-letter words on each client port; the lab never signals processes
// it does not own.
import { connect } from 'node:net';
import type { LabView, NodeView, Role } from '../shared/contract';

/** Sends a four-letter word and returns the whole answer. */
export function fourLetter(host: string, port: number, cmd: string, timeoutMs = 1500): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let out = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    s.on('connect', () => s.write(cmd));
    s.on('data', (d) => (out += d.toString()));
    s.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
  });
}

/** Parses `host:port,host:port[/chroot]`; throws a sentence when it is not one. */
export function parseConnectString(cs: string): { host: string; port: number }[] {
  const hosts = cs.replace(/\/.*$/, '').split(',').map((h) => h.trim()).filter(Boolean);
  if (hosts.length === 0) throw new Error('Give a connect string such as 127.0.0.1:2181,127.0.0.1:2182.');
  return hosts.map((h) => {
    const m = /^(.+):(\d+)$/.exec(h);
    if (!m || Number(m[2]) > 65535) throw new Error(`"${h}" is not host:port; give a connect string such as 127.0.0.1:2181,127.0.0.1:2182.`);
    return { host: m[1]!, port: Number(m[2]) };
  });
}

export class AttachedEnsemble {
  readonly hosts: { host: string; port: number }[];
  private readonly nodes: NodeView[];

  constructor(readonly connectString: string) {
    this.hosts = parseConnectString(connectString);
    this.nodes = this.hosts.map((h, i) => ({
      myid: i + 1,
      engine: 'external' as const,
      role: 'starting' as Role,
      observer: false,
      epoch: null,
      lastZxid: null,
      zabState: null,
      connections: null,
      outstanding: null,
      avgLatency: null,
      minLatency: null,
      maxLatency: null,
      znodeCount: null,
      applyDelayMs: null,
      configVersion: null,
      pid: null,
      startedAt: null,
      clientPort: h.port,
      labClientPort: null,
      adminPort: 0,
      exitCode: null,
      lastError: null,
    }));
  }

  /** Reads srvr from every member. */
  async poll(): Promise<void> {
    await Promise.all(
      this.hosts.map(async (h, i) => {
        const n = this.nodes[i]!;
        try {
          const srvr = await fourLetter(h.host, h.port, 'srvr');
          const mode = /Mode: (\S+)/.exec(srvr)?.[1];
          const z = /Zxid: 0x([0-9a-f]+)/.exec(srvr)?.[1];
          n.role = mode === 'leader' || mode === 'follower' || mode === 'observer' || mode === 'standalone' || mode === 'read-only' ? mode : 'looking';
          n.observer = mode === 'observer';
          n.lastZxid = z ?? null;
          n.epoch = z ? Number(BigInt(`0x${z}`) >> 32n) : null;
          n.connections = Number(/Connections: (\d+)/.exec(srvr)?.[1] ?? NaN) || 0;
          n.outstanding = Number(/Outstanding: (\d+)/.exec(srvr)?.[1] ?? NaN) || 0;
          // "Latency min/avg/max: 0/0.2857/3"
          const lat = /Latency min\/avg\/max: ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(srvr);
          n.minLatency = lat ? Number(lat[1]) : null;
          n.avgLatency = lat ? Number(lat[2]) : null;
          n.maxLatency = lat ? Number(lat[3]) : null;
          n.znodeCount = Number(/Node count: (\d+)/.exec(srvr)?.[1] ?? NaN) || null;
          n.lastError = mode ? null : srvr.trim().slice(0, 200) || null;
        } catch (e) {
          n.role = 'down';
          n.lastError = `${h.host}:${h.port}: ${(e as Error).message}`;
        }
      }),
    );
  }

  view(): LabView {
    const voters = this.nodes.filter((n) => !n.observer);
    const votersUp = voters.filter((n) => n.role === 'leader' || n.role === 'follower' || n.role === 'standalone').length;
    const quorumNeeded = Math.floor(voters.length / 2) + 1;
    return {
      name: 'attached',
      dir: this.connectString,
      attached: true,
      attachedWrites: false,
      size: voters.length,
      nodes: this.nodes.map((n) => ({ ...n })),
      votersUp,
      quorumNeeded,
      serving: votersUp >= quorumNeeded,
      leader: this.nodes.find((n) => n.role === 'leader')?.myid ?? null,
    };
  }
}

// The member's current dynamic configuration (QuorumPeer's quorumVerifier): zoo.cfg's servers
// until a committed reconfig replaces them, kept in step with /zookeeper/config in the database.
import type { QuorumServer, ServerConfig } from '../config';
import type { Logger, ServerCore } from '../core';
import { CONFIG_PATH, NONE } from '../tree/datatree';
import { configText, parseConfigText } from './dynconfig';

export interface AdoptedConfig {
  version: bigint;
  servers: Map<number, QuorumServer>;
  text: string;
}

export class MemberConfig {
  /** Version of the dynamic config: the zxid of the reconfig that made it (0 = zoo.cfg's). */
  version = 0n;
  /** zoo.cfg's servers, the config again when a reconfig is truncated away. */
  private readonly staticServers: Map<number, QuorumServer>;

  constructor(
    private readonly cfg: ServerConfig,
    private readonly server: ServerCore,
    private readonly log: Logger,
    /** A new config is this member's: the election's peers and the core's voters follow it. */
    private readonly adopted: (c: AdoptedConfig) => void,
  ) {
    this.staticServers = new Map(cfg.servers);
  }

  /** The servers now in force (zoo.cfg's map, updated in place as ZooKeeper's QuorumVerifier is). */
  get servers(): Map<number, QuorumServer> {
    return this.cfg.servers;
  }

  /**
   * After a load: a committed reconfig in the database wins over zoo.cfg; without one (or once
   * it was truncated away) /zookeeper/config is zoo.cfg's, written locally as ZooKeeper does.
   */
  settle(): void {
    const tree = this.server.tree;
    const n = tree.lookup(CONFIG_PATH);
    if (n !== NONE && tree.mzxid(n) > 0n && tree.dataLength(n) > 0) {
      if (tree.mzxid(n) !== this.version) this.adoptText(tree.data(n)!.toString('utf8'), tree.mzxid(n));
      return;
    }
    if (this.version !== 0n) this.adopt(new Map(this.staticServers), 0n);
    this.server.tree.setConfigNode(configText(this.cfg.servers.values(), 0n), 0n);
  }

  /** A committed config (a reconfig txn, or one found in the database) becomes this member's. */
  adoptText(text: string, version: bigint): void {
    const servers = parseConfigText(text);
    if (servers.size === 0) {
      this.log('WARN', `Ignoring dynamic config version ${version.toString(16)}: no server line can be read`);
      return;
    }
    this.adopt(servers, version);
  }

  private adopt(servers: Map<number, QuorumServer>, version: bigint): void {
    this.cfg.servers.clear();
    for (const [sid, q] of servers) this.cfg.servers.set(sid, q);
    this.version = version;
    this.adopted({ version, servers, text: configText(servers.values(), version) });
    this.log('INFO', `Dynamic config version ${version.toString(16)}: ${[...servers.values()].map((q) => `${q.sid} (${q.type})`).join(', ')}`);
  }
}

// The commands behind the four-letter words and the AdminServer (S/command/*, S/admin/Commands):
// one place computes each answer; 4lw prints text, the AdminServer prints Jackson-style JSON.
import { formatServerLine, type ServerConfig } from '../config';
import type { ServerCore } from '../core';
import type { ClientConnection } from '../net/connection';
import type { QuorumStatus } from '../replicator';
import type { SessionTracker } from '../session/tracker';
import { environment, javaDate } from './environment';
import { monitorValues } from './monitor';
import { exposition, prometheusMonitor, type PrometheusConfig } from './prometheus';
import { JavaDouble, type Json } from './jackson';
import { labCommand } from './lab-commands';

export const VERSION = '3.8.6-zookeeper-lab-0.1.0, built on 2026-11-25 00:00 UTC';

const hexId = (id: bigint): string => `0x${BigInt.asUintN(64, id).toString(16)}`;
const unsignedId = (id: bigint): bigint => id;

/** `ServerCnxn.dumpConnectionInfo`: brief (stat) or long (cons). */
export function connectionLine(c: ClientConnection, brief: boolean): string {
  let s = ` /${c.remoteAddress}:${c.remotePort}[${c.isClosed ? 0 : 1}](queued=${c.pending.length},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  if (!brief && c.sessionId !== null) {
    const avg = c.latencyCount === 0 ? 0 : Math.floor(c.totalLatency / c.latencyCount);
    s += `,sid=${hexId(c.sessionId)},lop=${c.lastOp},est=${c.established},to=${c.sessionTimeout}`;
    if (c.lastCxid >= 0) s += `,lcxid=0x${(c.lastCxid >>> 0).toString(16)}`;
    s += `,lzxid=0x${BigInt.asUintN(64, c.lastZxid).toString(16)},lresp=${c.lastResponseTime},llat=${c.lastLatency},minlat=${c.latencyCount === 0 ? 0 : c.minLatency},avglat=${avg},maxlat=${c.maxLatency}`;
  }
  return s + ')';
}

export class Commands {
  constructor(private readonly core: ServerCore) {}

  private get cfg(): ServerConfig {
    return this.core.cfg;
  }

  private get mode(): string {
    return this.core.replicator.mode();
  }

  isServing(): boolean {
    return this.core.replicator.isServing();
  }

  /** A read-only server (ReadOnlyZooKeeperServer) is no QuorumZooKeeperServer: no peer_state, leader, zabstate. */
  private get readOnly(): boolean {
    return this.core.replicator.isReadOnly?.() ?? false;
  }

  private quorum(): QuorumStatus | null {
    return this.readOnly ? null : this.core.replicator.quorumStatus();
  }

  /** The read-only server's local sessions (the only local sessions this server makes). */
  private localSessions(): SessionTracker | null {
    return this.core.replicator.localSessions();
  }

  private serverState(): string {
    return this.mode;
  }

  private nodeCount(): number {
    return this.core.tree.nodeCount();
  }

  // ---- shared data

  /** The Prometheus endpoint's settings when zoo.cfg names PrometheusMetricsProvider (mntr then dumps its samples, as 3.8). */
  prometheus: PrometheusConfig | null = null;

  /** mntr / monitor: ZooKeeper 3.8's keys in its names (without the zk_ prefix), monitor.ts. */
  monitor(): [string, Json][] {
    const values = this.metricValues();
    return this.prometheus ? prometheusMonitor(values, exposition(this.core, values, this.prometheus.exportJvmInfo)) : values;
  }

  /** The values in DefaultMetricsProvider's names (the Prometheus endpoint exports these). */
  metricValues(): [string, Json][] {
    return monitorValues(this.core, VERSION, this.serverState(), this.quorum(), this.localSessions());
  }

  private srvrLines(): string[] {
    const st = this.core.stats;
    const q = this.core.replicator.quorumStatus();
    const lines = [
      `Latency min/avg/max: ${st.min()}/${javaDouble(st.avg())}/${st.maxLatency}`,
      `Received: ${st.packetsReceived}`,
      `Sent: ${st.packetsSent}`,
      `Connections: ${this.core.connections.size}`,
      `Outstanding: ${this.core.outstandingRequests()}`,
      `Zxid: 0x${BigInt.asUintN(64, this.core.lastProcessedZxid).toString(16)}`,
      `Mode: ${this.mode}`,
      `Node count: ${this.nodeCount()}`,
    ];
    if (q?.peerState === 'leading') {
      const p = q.proposalSizes ?? [-1, -1, -1];
      lines.push(`Proposal sizes last/min/max: ${p[0]}/${p[1]}/${p[2]}`);
    }
    return lines;
  }

  // ---- four-letter words

  /** The text answer of a four-letter word (whitelist already checked by the caller). */
  fourLetter(word: string, arg?: bigint): string {
    const core = this.core;
    const notServing = 'This ZooKeeper instance is not currently serving requests\n';
    switch (word) {
      case 'ruok':
        return 'imok';
      case 'srvr':
        if (!this.isServing()) return notServing;
        return `Zookeeper version: ${VERSION}\n${this.roLine()}${this.srvrLines().join('\n')}\n`;
      case 'stat': {
        if (!this.isServing()) return notServing;
        const conns = [...core.connections].map((c) => connectionLine(c, true) + '\n').join('');
        return `Zookeeper version: ${VERSION}\n${this.roLine()}Clients:\n${conns}\n${this.srvrLines().join('\n')}\n`;
      }
      case 'conf':
        if (!this.isServing()) return notServing;
        return this.confText();
      case 'cons':
        if (!this.isServing()) return notServing;
        return [...core.connections].map((c) => connectionLine(c, false) + '\n').join('') + '\n';
      case 'crst':
        if (!this.isServing()) return notServing;
        for (const c of core.connections) c.resetStats();
        return 'Connection stats reset.\n';
      case 'srst':
        if (!this.isServing()) return notServing;
        core.stats.reset();
        return 'Server stats reset.\n';
      case 'dump':
        if (!this.isServing()) return notServing;
        return this.dumpText();
      case 'envi':
        return `Environment:\n${environment(VERSION).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
      case 'mntr':
        return this.monitor()
          .map(([k, v]) => `zk_${k}\t${v instanceof JavaDouble ? javaDouble(v.value) : String(v)}\n`)
          .join('');
      case 'wchs': {
        if (!this.isServing()) return notServing;
        const t = core.tree.dataWatches;
        return `${t.watcherCount()} connections watching ${t.pathCount()} paths\nTotal watches:${t.size()}\n`;
      }
      case 'wchc': {
        if (!this.isServing()) return notServing;
        let s = '';
        for (const [w, paths] of core.tree.dataWatches.entriesByWatcher()) {
          const sid = (w as ClientConnection).sessionId ?? 0n;
          s += `${hexId(sid)}\n${[...paths].map((p) => `\t${p}\n`).join('')}`;
        }
        return s + '\n';
      }
      case 'wchp': {
        if (!this.isServing()) return notServing;
        let s = '';
        for (const [path, ws] of core.tree.dataWatches.entriesByPath()) {
          s += `${path}\n${[...ws.keys()].map((w) => `\t${hexId((w as ClientConnection).sessionId ?? 0n)}\n`).join('')}`;
        }
        return s + '\n';
      }
      case 'dirs':
        if (!this.isServing()) return notServing;
        return `datadir_size: ${core.storage.dataDirSize()}\nlogdir_size: ${core.storage.logDirSize()}\n`;
      case 'isro':
        return !this.isServing() ? 'null' : this.readOnly ? 'ro' : 'rw';
      case 'gtmk':
        return String(this.traceMask);
      case 'stmk':
        this.traceMask = arg ?? this.traceMask;
        return String(this.traceMask);
      case 'hash':
        return '';
      default:
        return `Unknown command: ${word}\n`;
    }
  }

  private traceMask = 0n;

  private roLine(): string {
    return this.readOnly ? 'READ-ONLY mode; serving only read-only clients\n' : '';
  }

  private confText(): string {
    const c = this.cfg;
    const lines = [
      `clientPort=${c.clientPort}`,
      `secureClientPort=-1`,
      `dataDir=${c.dataDir}/version-2`,
      `dataDirSize=${this.core.storage.dataDirSize()}`,
      `dataLogDir=${c.dataLogDir}/version-2`,
      `dataLogSize=${this.core.storage.logDirSize()}`,
      `tickTime=${c.tickTime}`,
      `maxClientCnxns=${c.maxClientCnxns}`,
      `minSessionTimeout=${c.minSessionTimeout}`,
      `maxSessionTimeout=${c.maxSessionTimeout}`,
      `clientPortListenBacklog=-1`,
      `serverId=${this.core.replicator.quorumStatus() ? c.myid : 0}`,
    ];
    const q = this.core.replicator.quorumStatus();
    if (q && c.myid !== null) {
      const me = c.servers.get(c.myid)!;
      lines.push(
        `initLimit=${c.initLimit}`,
        `syncLimit=${c.syncLimit}`,
        `electionAlg=${c.electionAlg}`,
        `electionPort=${me.electionPort}`,
        `quorumPort=${me.quorumPort}`,
        `peerType=${me.type === 'observer' ? 1 : 0}`,
      );
      if (!this.readOnly) lines.push(`membership: `, this.membershipText().trimEnd());
    }
    return lines.join('\n') + '\n';
  }

  /** The dynamic config text: server lines and version=<hex>. */
  membershipText(): string {
    const lines = [...this.cfg.servers.values()].sort((a, b) => a.sid - b.sid).map(formatServerLine);
    return `${lines.join('\n')}\nversion=${this.core.replicator.quorumStatus()?.configVersion ?? '0'}\n`;
  }

  private dumpText(): string {
    const core = this.core;
    const owner = core.replicator.sessionOwner();
    const sets = (t: SessionTracker): string => {
      const buckets = t.bucketsView();
      let total = 0;
      for (const ids of buckets.values()) total += ids.length;
      let out = `Session Sets (${buckets.size})/(${total}):\n`;
      for (const [at, ids] of buckets) out += `${ids.length} expire at ${javaDate(at)}:\n${ids.map((id) => `\t${hexId(id)}\n`).join('')}`;
      return out;
    };
    let s = 'SessionTracker dump:\n';
    if (owner) {
      s += sets(owner);
    } else {
      // LearnerSessionTracker (a read-only server's too): its local sessions, then the global ones in id order.
      const local = this.localSessions();
      if (local) s += `Local ${sets(local)}`;
      s += `Global Sessions(${core.sessionTable.size}):\n`;
      for (const [id, to] of [...core.sessionTable].sort((a, b) => (a[0] < b[0] ? -1 : 1))) s += `${hexId(id)}\t${to}ms\n`;
    }
    s += 'ephemeral nodes dump:\n';
    s += `Sessions with Ephemerals (${core.tree.ephemerals.size}):\n`;
    for (const [id, paths] of core.tree.ephemerals) s += `${hexId(id)}:\n${[...paths].sort().map((p) => `\t${p}\n`).join('')}`;
    s += 'Connections dump:\n';
    return s;
  }

  // ---- AdminServer

  /** Primary command names and their aliases. */
  static readonly NAMES: Record<string, string[]> = {
    connection_stat_reset: ['crst'],
    configuration: ['conf', 'config'],
    connections: ['cons'],
    hash: [],
    dirs: [],
    dump: [],
    environment: ['env', 'envi'],
    get_trace_mask: ['gtmk'],
    initial_configuration: ['icfg'],
    is_read_only: ['isro'],
    last_snapshot: ['lsnp'],
    leader: ['lead'],
    monitor: ['mntr'],
    observer_connection_stat_reset: ['orst'],
    observers: ['obsr'],
    ruok: [],
    set_trace_mask: ['stmk'],
    server_stats: ['srvr'],
    stats: ['stat'],
    stat_reset: ['srst'],
    system_properties: ['sysp'],
    voting_view: [],
    watches: ['wchc'],
    watches_by_path: ['wchp'],
    watch_summary: ['wchs'],
    zabstate: [],
    // ZooKeeper Lab's own: the member's event log (elections, phases, syncs) since a sequence number.
    lab_events: [],
    // ZooKeeper Lab's own: every watch of both tables with its kind (3.8's commands show the data table only).
    lab_watches: [],
    // ZooKeeper Lab's own fault: ?ms=N makes a learner apply commits N ms late (reads through it lag until sync).
    lab_apply_delay: [],
    lab_disk: [],
    // ZooKeeper Lab's own: per child of ?path=, its subtree's znodes and bytes, biggest first (du.ts).
    lab_du: [],
  };

  static primaryName(name: string): string | null {
    if (Commands.NAMES[name]) return name;
    for (const [primary, aliases] of Object.entries(Commands.NAMES)) if (aliases.includes(name)) return primary;
    return null;
  }

  /** Answers /commands/<name> as Apache ZooKeeper's AdminServer does. */
  admin(name: string, params: URLSearchParams): Json {
    const primary = Commands.primaryName(name);
    if (primary === null) return { command: name, error: `Unknown command: ${name}` };
    const needsServer = !['environment', 'get_trace_mask', 'monitor', 'set_trace_mask', 'system_properties', 'zabstate', 'lab_events', 'lab_apply_delay', 'lab_disk'].includes(primary);
    if (needsServer && !this.isServing()) {
      return { command: primary, error: 'This ZooKeeper instance is not currently serving requests' };
    }
    const body = this.adminBody(primary, params);
    if ('error' in body && typeof body.error === 'string') return { ...body, command: primary };
    return { ...body, command: primary, error: null };
  }

  private adminBody(name: string, params: URLSearchParams): { [k: string]: Json } {
    const core = this.core;
    const cfg = this.cfg;
    const q = this.quorum();
    if (name.startsWith('lab_')) return labCommand(name, params, core);
    switch (name) {
      case 'connection_stat_reset':
        for (const c of core.connections) c.resetStats();
        return {};
      case 'stat_reset':
        core.stats.reset();
        return {};
      case 'observer_connection_stat_reset':
        return {};
      case 'configuration':
        return {
          client_port: cfg.clientPort,
          data_dir: `${cfg.dataDir}/version-2`,
          data_log_dir: `${cfg.dataLogDir}/version-2`,
          tick_time: cfg.tickTime,
          max_client_cnxns: cfg.maxClientCnxns,
          min_session_timeout: cfg.minSessionTimeout,
          max_session_timeout: cfg.maxSessionTimeout,
          server_id: core.replicator.quorumStatus() ? cfg.myid : 0,
          client_port_listen_backlog: -1,
        };
      case 'connections':
        return { connections: [...core.connections].filter((c) => c.sessionId !== null).map((c) => this.connectionJson(c)), secure_connections: [] };
      case 'hash':
        return { digests: [] };
      case 'dirs':
        return { datadir_size: core.storage.dataDirSize(), logdir_size: core.storage.logDirSize() };
      case 'dump': {
        const owner = core.replicator.sessionOwner();
        const expiry: { [k: string]: Json } = {};
        if (owner) for (const [at, ids] of owner.bucketsView()) expiry[String(at)] = ids.map(unsignedId);
        const eph: { [k: string]: Json } = {};
        for (const [id, paths] of core.tree.ephemerals) eph[String(id)] = [...paths].sort();
        return { expiry_time_to_session_ids: expiry, session_id_to_ephemeral_paths: eph };
      }
      case 'environment': {
        const o: { [k: string]: Json } = {};
        for (const [k, v] of environment(VERSION)) o[k.replace(/\./g, '.')] = v;
        return o;
      }
      case 'get_trace_mask':
        return { tracemask: this.traceMask };
      case 'set_trace_mask': {
        const m = params.get('traceMask');
        if (m === null || !/^-?\d+$/.test(m)) return { error: 'setTraceMask requires long traceMask paramter' };
        this.traceMask = BigInt(m);
        return { tracemask: this.traceMask };
      }
      case 'initial_configuration':
        return { initial_configuration: cfg.text };
      case 'is_read_only':
        return { read_only: this.readOnly };
      case 'last_snapshot': {
        const s = core.storage.lastSnapshot();
        return { zxid: (s?.zxid ?? 0n).toString(16), timestamp: Math.floor((s?.timestampMs ?? core.startedAt) / 1000) };
      }
      case 'leader':
        if (!q) return { error: 'server is not initialized' };
        return {
          is_leader: q.peerState === 'leading',
          leader_id: q.leaderId ?? -1,
          leader_ip: q.leaderId !== null ? (cfg.servers.get(q.leaderId)?.host ?? '') : '',
        };
      case 'monitor': {
        const o: { [k: string]: Json } = {};
        for (const [k, v] of this.monitor()) o[k] = v;
        return o;
      }
      case 'observers':
        return { synced_observers: q?.syncedObservers ?? 0, observers: (q?.observers ?? []).map((sid) => ({ sid })) };
      case 'ruok':
        return {};
      case 'server_stats':
      case 'stats': {
        const st = core.stats;
        const o: { [k: string]: Json } = {
          version: VERSION,
          read_only: this.readOnly,
          server_stats: {
            packets_sent: st.packetsSent,
            packets_received: st.packetsReceived,
            fsync_threshold_exceed_count: 0,
            client_response_stats: { last_buffer_size: core.responseSizes.last, min_buffer_size: core.responseSizes.min, max_buffer_size: core.responseSizes.max },
            data_dir_size: core.storage.dataDirSize(),
            log_dir_size: core.storage.logDirSize(),
            provider_null: false,
            server_state: this.serverState(),
            last_processed_zxid: core.lastProcessedZxid,
            outstanding_requests: core.outstandingRequests(),
            avg_latency: new JavaDouble(st.avg()),
            max_latency: st.maxLatency,
            min_latency: st.min(),
            num_alive_client_connections: core.connections.size,
            auth_failed_count: st.authFailed,
            non_mtlsremote_conn_count: 0,
            non_mtlslocal_conn_count: 0,
            uptime: core.clock.wall() - core.startedAt,
          },
          client_response: { last_buffer_size: core.responseSizes.last, min_buffer_size: core.responseSizes.min, max_buffer_size: core.responseSizes.max },
        };
        if (q?.peerState === 'leading') {
          const p = q.proposalSizes ?? [-1, -1, -1];
          o.proposal_stats = { last_buffer_size: p[0], min_buffer_size: p[1], max_buffer_size: p[2] };
        }
        o.node_count = this.nodeCount();
        if (name === 'stats') {
          o.connections = [...core.connections].map((c) => ({
            remote_socket_address: `${c.remoteAddress}:${c.remotePort}`,
            interest_ops: c.isClosed ? 0 : 1,
            outstanding_requests: c.pending.length,
            packets_received: c.packetsReceived,
            packets_sent: c.packetsSent,
          }));
          o.secure_connections = [];
        }
        return o;
      }
      case 'system_properties': {
        const o: { [k: string]: Json } = {};
        const props: [string, string][] = [...cfg.properties].map(([k, v]) => [k.startsWith('zookeeper.') ? k : `zookeeper.${k}`, v]);
        props.push(['zookeeper.lab.pid', String(process.pid)], ['node.version', process.version]);
        for (const [k, v] of props.sort((a, b) => a[0].localeCompare(b[0]))) o[k] = v;
        return o;
      }
      case 'voting_view': {
        const cur: { [k: string]: Json } = {};
        if (q) {
          for (const s of [...cfg.servers.values()].sort((a, b) => a.sid - b.sid)) {
            cur[String(s.sid)] = {
              server_addresses: [`${s.host}:${s.quorumPort}`],
              election_addresses: [`${s.host}:${s.electionPort}`],
              client_address: s.clientPort !== undefined ? `${s.clientHost}:${s.clientPort}` : '',
              learner_type: s.type,
            };
          }
        }
        return { current_config: cur };
      }
      case 'watches': {
        const o: { [k: string]: Json } = {};
        for (const [w, paths] of core.tree.dataWatches.entriesByWatcher()) o[String((w as ClientConnection).sessionId ?? 0n)] = [...paths];
        return { session_id_to_watched_paths: o };
      }
      case 'watches_by_path': {
        const o: { [k: string]: Json } = {};
        for (const [path, ws] of core.tree.dataWatches.entriesByPath()) o[path] = [...ws.keys()].map((w) => (w as ClientConnection).sessionId ?? 0n);
        return { path_to_session_ids: o };
      }
      case 'watch_summary': {
        const t = core.tree.dataWatches;
        return { num_connections: t.watcherCount(), num_paths: t.pathCount(), num_total_watches: t.size() };
      }
      case 'zabstate': {
        if (!q) return { voting: false, zabstate: '' };
        const me = cfg.servers.get(q.myid);
        const addr = (host: string, port: number): Json => ({
          empty: false,
          all_addresses: [`${host}:${port}`],
          all_reachable_addresses: [`${host}:${port}`],
          one: `${host}:${port}`,
          reachable_address: `${host}:${port}`,
          wildcard_addresses: [`0.0.0.0:${port}`],
          all_ports: [port],
          all_host_strings: [host],
          all_reachable_addresses_or_all: [`${host}:${port}`],
          reachable_or_one: `${host}:${port}`,
        });
        return {
          myid: q.myid,
          is_leader: q.peerState === 'leading',
          quorum_address: me ? addr(me.host, me.quorumPort) : null,
          election_address: me ? addr(me.host, me.electionPort) : null,
          client_address: `${cfg.clientPortAddress}:${cfg.clientPort}`,
          voting: q.voting,
          last_zxid: `0x${BigInt.asUintN(64, core.lastProcessedZxid).toString(16)}`,
          zab_epoch: q.epoch,
          zab_counter: Number(core.lastProcessedZxid & 0xffffffffn),
          zabstate: q.zabState,
        };
      }
      default:
        return { error: `Unknown command: ${name}` };
    }
  }

  private connectionJson(c: ClientConnection): Json {
    return {
      remote_socket_address: `${c.remoteAddress}:${c.remotePort}`,
      interest_ops: c.isClosed ? 0 : 1,
      outstanding_requests: c.pending.length,
      packets_received: c.packetsReceived,
      packets_sent: c.packetsSent,
      session_id: c.sessionId ?? 0n,
      last_operation: c.lastOp,
      established: c.established,
      session_timeout: c.sessionTimeout,
      last_cxid: c.lastCxid,
      last_zxid: c.lastZxid,
      last_response_time: c.lastResponseTime,
      last_latency: c.lastLatency,
      min_latency: c.latencyCount === 0 ? 0 : c.minLatency,
      avg_latency: c.latencyCount === 0 ? 0 : Math.floor(c.totalLatency / c.latencyCount),
      max_latency: c.maxLatency,
    };
  }
}

function javaDouble(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

// mntr / monitor: ZooKeeper 3.8's keys (without the zk_ prefix) for the quantities this server
// has. The first block is what 3.8's servers register as gauges (ZooKeeperServer, Leader,
// QuorumPeer); then ServerMetrics' counters and summaries (../metrics.ts). prometheus.ts exports
// the same values with their types.
import type { ServerCore } from '../core';
import type { QuorumStatus } from '../replicator';
import type { SessionTracker } from '../session/tracker';
import { maxFds, openFds } from './environment';
import { JavaDouble, type Json } from './jackson';

/** The keys mntr answers as text (strings), never exported as Prometheus gauges. */
export const TEXT_KEYS = new Set(['version', 'server_state', 'peer_state']);

export function monitorValues(core: ServerCore, version: string, serverState: string, q: QuorumStatus | null, localSessions: SessionTracker | null): [string, Json][] {
  const st = core.stats;
  const out: [string, Json][] = [
    ['version', version],
    ['server_state', serverState],
  ];
  if (q) out.push(['peer_state', `${q.peerState} - ${q.zabState}${q.syncMode ? ` - ${q.syncMode}` : ''}`]);
  let ephemerals = 0;
  for (const s of core.tree.ephemerals.values()) ephemerals += s.size;
  const sizes = core.responseSizes;
  out.push(
    ['ephemerals_count', ephemerals],
    ['num_alive_connections', core.connections.size],
    ['avg_latency', new JavaDouble(st.avg())],
    ['outstanding_requests', core.outstandingRequests()],
    ['znode_count', core.tree.nodeCount()],
    ['global_sessions', core.sessionTable.size],
    ['packets_sent', st.packetsSent],
    ['packets_received', st.packetsReceived],
    ['watch_count', core.tree.dataWatches.size() + core.tree.childWatches.size()],
    ['auth_failed_count', st.authFailed],
    ['min_latency', st.min()],
    ['max_latency', st.maxLatency],
    ['last_client_response_size', sizes.last],
    ['min_client_response_size', sizes.min],
    ['max_client_response_size', sizes.max],
    ['approximate_data_size', core.tree.approximateDataSize],
    ['open_file_descriptor_count', openFds()],
  );
  const max = maxFds();
  if (max >= 0) out.push(['max_file_descriptor_count', max]);
  out.push(
    ['local_sessions', localSessions?.sessions.size ?? 0],
    ['uptime', core.clock.wall() - core.startedAt],
  );
  if (q) out.push(['quorum_size', [...core.cfg.servers.values()].filter((s) => s.type === 'participant').length]);
  if (q && q.peerState === 'leading') {
    const since = core.metrics.leadingSince;
    out.push(
      ['leader_uptime', since === null ? 0 : core.clock.wall() - since],
      ['learners', q.learners ?? 0],
      ['synced_followers', q.syncedFollowers ?? 0],
      ['synced_non_voting_followers', 0],
      ['synced_observers', q.syncedObservers ?? 0],
      ['pending_syncs', q.pendingSyncs ?? 0],
      ['last_proposal_size', q.proposalSizes?.[0] ?? -1],
      ['min_proposal_size', q.proposalSizes?.[1] ?? -1],
      ['max_proposal_size', q.proposalSizes?.[2] ?? -1],
    );
  }
  for (const [k, v] of core.metrics.dump()) out.push([k, typeof v === 'number' ? v : new JavaDouble(v.double)]);
  return out;
}

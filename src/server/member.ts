// One member, built from its config over the three interfaces it takes from outside (its Disk,
// Clock and Net): the storage, the database loaded from it, the server core and the replicator
// of its mode (standalone, or an ensemble's QuorumPeer), started. `bin/zk-server` (main.ts)
// builds it over node:fs, timers and node:net and adds the client port and the AdminServer; the
// simulator (test/quorum/member-sim) builds the same member over simulated ones.
import { isDistributed, type ServerConfig } from './config';
import { ServerCore, type Logger } from './core';
import { QuorumPeer } from './quorum/peer';
import type { Clock } from './runtime/clock';
import type { Disk } from './runtime/disk';
import type { Net } from './runtime/net';
import { StandaloneReplicator } from './standalone';
import { FileStorage } from './storage/file-storage';
import { openStorage } from './storage/open';

export interface MemberIo {
  disk: Disk;
  clock: Clock;
  net: Net;
}

export interface Member {
  core: ServerCore;
  replicator: StandaloneReplicator | QuorumPeer;
  /** Stops the replicator and closes the storage (the client port is the caller's). */
  close(): Promise<void>;
}

/** A database that could not be loaded (its message says which file and why). */
export class LoadError extends Error {}

/**
 * Opens the storage, loads the database and starts the replicator. `beforeStart` sees the core
 * once loaded (main.ts sets SASL users there); `testing` breaks it on purpose (ZabConfig.unsafeCommit,
 * the checker's tests only). A port that cannot be opened rejects with the socket's error (its
 * `code` set), for the caller to put in its own words.
 */
export async function openMember(cfg: ServerConfig, log: Logger, io: MemberIo, beforeStart?: (core: ServerCore) => void, testing: { unsafeCommit?: boolean } = {}): Promise<Member> {
  const storage = openStorage(cfg, log, io.disk);
  const core = new ServerCore(cfg, storage, log, io.clock);
  if (storage instanceof FileStorage) {
    const m = core.metrics;
    storage.observe({ fsync: (ms) => m.observe('fsynctime', ms), batch: (n) => m.observe('sync_processor_batch_size', n), snapshot: (ms) => m.observe('snapshottime', ms) });
  }
  const loadStarted = io.clock.now();
  const loaded = await storage.load(core.tree, core.sessionTable).catch((e: Error) => {
    throw new LoadError(e.message);
  });
  core.metrics.observe('dbinittime', io.clock.now() - loadStarted); // ZKDatabase.loadDataBase's DB_INIT_TIME
  for (const note of loaded.notes) log('INFO', note);
  core.tree.rebuildQuotas();
  beforeStart?.(core);

  let replicator: StandaloneReplicator | QuorumPeer;
  if (isDistributed(cfg)) {
    core.serverId = cfg.myid!;
    const peer = new QuorumPeer(core, cfg, log, core.events, io.clock, io.net, testing);
    core.replicator = peer;
    replicator = peer;
    await peer.start();
  } else {
    core.serverId = 1;
    const standalone = new StandaloneReplicator(core, io.clock);
    core.replicator = standalone;
    standalone.start();
    replicator = standalone;
  }
  return {
    core,
    replicator,
    async close() {
      core.closeAllConnections('server shutting down');
      await replicator.close();
      await storage.close();
    },
  };
}

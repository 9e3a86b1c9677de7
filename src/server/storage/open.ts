// Chooses the store for a member: ZooKeeper's on-disk format under dataDir/version-2 (the
// default), or memory when a test asks for it with zookeeper.lab.storage=memory.
import type { ServerConfig } from '../config';
import type { Logger } from '../core';
import { FileStorage } from './file-storage';
import { MemoryStorage } from './memory';
import type { Storage } from './types';
import type { Disk } from '../runtime/disk';

export function openStorage(cfg: ServerConfig, log: Logger, disk: Disk): Storage {
  if (cfg.properties.get('lab.storage') === 'memory' || cfg.properties.get('zookeeper.lab.storage') === 'memory') {
    log('WARN', 'Storage is in memory (lab.storage=memory): data does not survive a restart of this member.');
    return new MemoryStorage();
  }
  return new FileStorage(
    {
      dataDir: cfg.dataDir,
      dataLogDir: cfg.dataLogDir,
      snapCount: cfg.snapCount,
      preAllocSizeKb: cfg.preAllocSizeKb,
      forceSync: cfg.forceSync,
      autopurgeSnapRetainCount: cfg.autopurgeSnapRetainCount,
      autopurgePurgeIntervalHours: cfg.autopurgePurgeIntervalHours,
      disk,
    },
    log,
  );
}

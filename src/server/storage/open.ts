// Chooses the store for a member: the on-disk store in ZooKeeper's format, or memory when the
// config asks for it explicitly (zookeeper.lab.storage=memory, for tests only).
import type { ServerConfig } from '../config';
import type { Logger } from '../core';
import { MemoryStorage } from './memory';
import type { Storage } from './types';

export function openStorage(cfg: ServerConfig, log: Logger): Storage {
  // The file store (ZooKeeper's on-disk format) plugs in here; until then every member keeps
  // its data in memory and says so at start.
  void cfg;
  log('WARN', 'Storage is in memory: data does not survive a restart of this member.');
  return new MemoryStorage();
}

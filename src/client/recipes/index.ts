// Recipes with Curator's semantics on our client. Each takes a connected ZkClient; to survive
// a lost session the client should be made with renewSessionOnExpiry (Curator renews too).
export { InterProcessMutex, type PlaygroundLock } from './mutex';
export { InterProcessReadWriteLock } from './rw-lock';
export { SeedLock } from './seed-lock';
export { NaiveLock } from './naive-lock';
export { LockStats, type LockStatsSnapshot } from './lock-stats';
export { LeaderLatch, participantsOf, type Participant } from './leader-latch';
export { LeaderSelector, type LeaderSelectorListener } from './leader-selector';
export { DistributedBarrier } from './barrier';
export { DistributedDoubleBarrier } from './double-barrier';
export { DistributedQueue, serializeItems, deserializeItems, type QueueOptions } from './queue';
export { SharedValue, SharedCount, type VersionedValue } from './shared-count';
export { ServiceDiscovery, ServiceCache, serviceInstance, type ServiceInstance } from './discovery';
export { ConfigWatcher, type ConfigVersion } from './config-watcher';
export { withRetry, DEFAULT_RETRY, type RetryPolicy } from './support';

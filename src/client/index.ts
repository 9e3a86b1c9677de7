// Our ZooKeeper client: the public API (import from 'src/client', never from its files).
//
//   import { connect, CreateMode, Ops } from '../client';
//   const zk = await connect('127.0.0.1:2181,127.0.0.1:2182/app', { sessionTimeout: 10_000 });
//   zk.on('state', (s) => ...);                 // connecting, connected, readOnly, suspended, expired, authFailed, closed
//   await zk.create('/a', 'x', { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
//   const { data, stat } = await zk.getData('/a', (ev) => ...);   // one-shot watch
//   await zk.addWatch('/', (ev) => ..., AddWatchMode.PERSISTENT_RECURSIVE);
//   await zk.multi([Ops.check('/a', 0), Ops.setData('/a', 'y')]);
//   await zk.close();
//
// Semantics are Apache ZooKeeper's Java client (3.8): connect strings with several hosts and a
// chroot, shuffled host order, the session re-attached to another member with its password,
// auth then SetWatches/SetWatches2 re-sent after a reconnect, read-only servers (and probing
// for a read/write one), strict xid FIFO, pings at a third of the session timeout.
// Differences, on purpose: operations return promises; errors are ZkError subclasses carrying
// ZooKeeper's code (`err.code`, Java's message); watchers receive node events only — state
// changes go to 'state' and to 'watchedEvent' (Java's default watcher, which also receives the
// node events of `watch: true`); at most `maxOutstanding` requests are in flight. Requests
// made while disconnected wait for the next connection (up to `disconnectedRequestTimeoutMs`);
// requests in flight when a connection drops fail with ConnectionLossError, as in Java.
// Recipes with Curator's semantics (InterProcessMutex, InterProcessReadWriteLock, LeaderLatch,
// LeaderSelector, DistributedBarrier/DoubleBarrier, DistributedQueue, SharedCount, service
// discovery, ConfigWatcher) and the lab's SeedLock/NaiveLock are exported here too.
export { ZkClient, connect, type ClientOptions, type CreateOptions, type ClientEvents, type WatchArg } from './client';
export type { ClientState, CnxnStats } from './cnxn';
export type { Transport, ZkSocket } from './transport';
export { netTransport } from './transport';
export { parseConnectString, formatHostPort, type HostPort, type ConnectString } from './connect-string';
export type { WatchedEvent, Watcher } from './watch-manager';
export { Ops, type Op, type ReadOp, type OpResult, type Data } from './multi';
export * from './errors';
export { digestId, parseAcl, permsToString, permsFromString } from './acl';
export { eventTypeName, keeperStateName, formatWatchedEvent } from './names';
export {
  AddWatchMode,
  CreateMode,
  Err,
  EventType,
  KeeperState,
  Perms,
  WatcherType,
  OPEN_ACL_UNSAFE,
  CREATOR_ALL_ACL,
  READ_ACL_UNSAFE,
} from '../protocol/codes';
export type { ACL, Id, Stat, ClientInfo } from '../protocol/records';
export * from './recipes';

// ZooKeeper's numeric constants (ZooDefs, KeeperException.Code, Watcher), in one place.

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** Short operation names as the `cons` 4lw prints them (ServerCnxn / Request.op2String). */
export const OP_SHORT_NAME: Record<number, string> = {
  0: 'NOTI', 1: 'CREA', 2: 'DELE', 3: 'EXIS', 4: 'GETD', 5: 'SETD', 6: 'GETA', 7: 'SETA',
  8: 'GETC', 9: 'SYNC', 11: 'PING', 12: 'GETC', 13: 'CHEC', 14: 'MULT', 15: 'CREA',
  16: 'RECO', 17: 'CHKW', 18: 'REMW', 19: 'CREA', 20: 'DELE', 21: 'CREA', 22: 'MLTR',
  100: 'AUTH', 101: 'SETW', 102: 'SASL', 103: 'GETE', 104: 'GETACN', 105: 'STW2', 106: 'ADDW',
  107: 'WHOA', [-10]: 'SESS', [-11]: 'CLOS', [-1]: 'ERROR',
};

export const Err = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;
export type ErrCode = (typeof Err)[keyof typeof Err];

/** KeeperException.Code names as Java's getMessage prints them ("KeeperErrorCode = NoNode"). */
export const ERR_NAME: Record<number, string> = {
  0: 'ok',
  [-1]: 'SystemError',
  [-2]: 'RuntimeInconsistency',
  [-3]: 'DataInconsistency',
  [-4]: 'ConnectionLoss',
  [-5]: 'MarshallingError',
  [-6]: 'Unimplemented',
  [-7]: 'OperationTimeout',
  [-8]: 'BadArguments',
  [-12]: 'UnknownSession',
  [-13]: 'NewConfigNoQuorum',
  [-14]: 'ReconfigInProgress',
  [-100]: 'APIError',
  [-101]: 'NoNode',
  [-102]: 'NoAuth',
  [-103]: 'BadVersion',
  [-108]: 'NoChildrenForEphemerals',
  [-110]: 'NodeExists',
  [-111]: 'Directory not empty',
  [-112]: 'Session expired',
  [-113]: 'Invalid callback',
  [-114]: 'InvalidACL',
  [-115]: 'AuthFailed',
  [-118]: 'Session moved',
  [-119]: 'Not a read-only call',
  [-120]: 'Ephemeral node on local session',
  [-121]: 'No such watcher',
  [-122]: 'Request timeout',
  [-123]: 'Reconfig is disabled',
  [-124]: 'Session closed because client failed to authenticate',
  [-125]: 'Quota has exceeded',
  [-127]: 'Op throttled due to high load',
};

export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

export const KeeperState = {
  Disconnected: 0,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const;

export const WatcherType = { Children: 1, Data: 2, Any: 3, Persistent: 4, PersistentRecursive: 5 } as const;
export const AddWatchMode = { PERSISTENT: 0, PERSISTENT_RECURSIVE: 1 } as const;

export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;

/** Special xids of out-of-band packets. */
export const Xid = { NOTIFICATION: -1, PING: -2, AUTH: -4, SET_WATCHES: -8 } as const;

/** Stored ephemeralOwner of a container node (Long.MIN_VALUE). */
export const CONTAINER_EPHEMERAL_OWNER = -0x8000000000000000n;
/** Top byte marking a TTL node's stored ephemeralOwner. */
export const TTL_EPHEMERAL_OWNER_MARK = -0x100000000000000n; // 0xFF00000000000000 as a signed long
export const MAX_TTL_MS = 0xffffffffffn;

export const WORLD_ANYONE = { scheme: 'world', id: 'anyone' } as const;
export const OPEN_ACL_UNSAFE = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
export const CREATOR_ALL_ACL = [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }];
export const READ_ACL_UNSAFE = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];

/** zxid = epoch << 32 | counter. */
export function zxidEpoch(zxid: bigint): number {
  return Number(BigInt.asUintN(64, zxid) >> 32n);
}
export function zxidCounter(zxid: bigint): number {
  return Number(zxid & 0xffffffffn);
}
export function makeZxid(epoch: number, counter: number): bigint {
  return (BigInt(epoch) << 32n) | BigInt(counter >>> 0);
}
/** Lowercase hex without padding, as Long.toHexString prints it (two's complement for negatives). */
export function hex(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

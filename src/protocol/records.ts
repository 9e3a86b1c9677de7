// Every jute record ZooKeeper 3.8 puts on the client port, in its logs and snapshots and on
// the quorum port (zookeeper.jute), described once.
import { bool, buffer, int, long, record, ustring, vector, type Infer } from './schema';

// ---- org.apache.zookeeper.data
export const Id = record('Id', { scheme: ustring, id: ustring });
export const ACL = record('ACL', { perms: int, id: Id });
export const Stat = record('Stat', {
  czxid: long,
  mzxid: long,
  ctime: long,
  mtime: long,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  dataLength: int,
  numChildren: int,
  pzxid: long,
});
export const StatPersisted = record('StatPersisted', {
  czxid: long,
  mzxid: long,
  ctime: long,
  mtime: long,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  pzxid: long,
});
export const ClientInfo = record('ClientInfo', { authScheme: ustring, user: ustring });

export type Id = Infer<typeof Id>;
export type ACL = Infer<typeof ACL>;
export type Stat = Infer<typeof Stat>;
export type StatPersisted = Infer<typeof StatPersisted>;
export type ClientInfo = Infer<typeof ClientInfo>;

// ---- org.apache.zookeeper.proto
/** The readOnly byte follows the record on the wire and may be absent (old clients). */
export const ConnectRequest = record('ConnectRequest', {
  protocolVersion: int,
  lastZxidSeen: long,
  timeOut: int,
  sessionId: long,
  passwd: buffer,
});
export const ConnectResponse = record('ConnectResponse', {
  protocolVersion: int,
  timeOut: int,
  sessionId: long,
  passwd: buffer,
  readOnly: bool,
});
/** The ConnectResponse a client older than 3.3 reads: no readOnly byte (36 bytes). */
export const ConnectResponseV0 = record('ConnectResponse', {
  protocolVersion: int,
  timeOut: int,
  sessionId: long,
  passwd: buffer,
});
export const RequestHeader = record('RequestHeader', { xid: int, type: int });
export const ReplyHeader = record('ReplyHeader', { xid: int, zxid: long, err: int });
export const MultiHeader = record('MultiHeader', { type: int, done: bool, err: int });
export const AuthPacket = record('AuthPacket', { type: int, scheme: ustring, auth: buffer });
export const CreateRequest = record('CreateRequest', { path: ustring, data: buffer, acl: vector(ACL), flags: int });
export const CreateTTLRequest = record('CreateTTLRequest', {
  path: ustring,
  data: buffer,
  acl: vector(ACL),
  flags: int,
  ttl: long,
});
export const DeleteRequest = record('DeleteRequest', { path: ustring, version: int });
export const PathWatchRequest = record('PathWatchRequest', { path: ustring, watch: bool });
export const GetDataRequest = PathWatchRequest;
export const ExistsRequest = PathWatchRequest;
export const GetChildrenRequest = PathWatchRequest;
export const GetChildren2Request = PathWatchRequest;
export const SetDataRequest = record('SetDataRequest', { path: ustring, data: buffer, version: int });
export const PathRequest = record('PathRequest', { path: ustring });
export const GetACLRequest = PathRequest;
export const SyncRequest = PathRequest;
export const SyncResponse = PathRequest;
export const GetAllChildrenNumberRequest = PathRequest;
export const GetEphemeralsRequest = record('GetEphemeralsRequest', { prefixPath: ustring });
export const SetACLRequest = record('SetACLRequest', { path: ustring, acl: vector(ACL), version: int });
export const CheckVersionRequest = record('CheckVersionRequest', { path: ustring, version: int });
export const WatchesRequest = record('WatchesRequest', { path: ustring, type: int });
export const CheckWatchesRequest = WatchesRequest;
export const RemoveWatchesRequest = WatchesRequest;
export const AddWatchRequest = record('AddWatchRequest', { path: ustring, mode: int });
export const SetWatches = record('SetWatches', {
  relativeZxid: long,
  dataWatches: vector(ustring),
  existWatches: vector(ustring),
  childWatches: vector(ustring),
});
export const SetWatches2 = record('SetWatches2', {
  relativeZxid: long,
  dataWatches: vector(ustring),
  existWatches: vector(ustring),
  childWatches: vector(ustring),
  persistentWatches: vector(ustring),
  persistentRecursiveWatches: vector(ustring),
});
export const ReconfigRequest = record('ReconfigRequest', {
  joiningServers: ustring,
  leavingServers: ustring,
  newMembers: ustring,
  curConfigId: long,
});
export const GetSASLRequest = record('GetSASLRequest', { token: buffer });
export const SetSASLResponse = record('SetSASLResponse', { token: buffer });
export const WatcherEvent = record('WatcherEvent', { type: int, state: int, path: ustring });
export const ErrorResponse = record('ErrorResponse', { err: int });
export const CreateResponse = record('CreateResponse', { path: ustring });
export const Create2Response = record('Create2Response', { path: ustring, stat: Stat });
export const StatResponse = record('StatResponse', { stat: Stat });
export const ExistsResponse = StatResponse;
export const SetDataResponse = StatResponse;
export const SetACLResponse = StatResponse;
export const GetDataResponse = record('GetDataResponse', { data: buffer, stat: Stat });
export const GetChildrenResponse = record('GetChildrenResponse', { children: vector(ustring) });
export const GetChildren2Response = record('GetChildren2Response', { children: vector(ustring), stat: Stat });
export const GetACLResponse = record('GetACLResponse', { acl: vector(ACL), stat: Stat });
export const GetAllChildrenNumberResponse = record('GetAllChildrenNumberResponse', { totalNumber: int });
export const GetEphemeralsResponse = record('GetEphemeralsResponse', { ephemerals: vector(ustring) });
export const WhoAmIResponse = record('WhoAmIResponse', { clientInfo: vector(ClientInfo) });

export type CreateRequest = Infer<typeof CreateRequest>;
export type WatcherEvent = Infer<typeof WatcherEvent>;

// ---- org.apache.zookeeper.txn (transaction log entries and quorum proposals)
export const TxnHeader = record('TxnHeader', { clientId: long, cxid: int, zxid: long, time: long, type: int });
export const CreateTxn = record('CreateTxn', {
  path: ustring,
  data: buffer,
  acl: vector(ACL),
  ephemeral: bool,
  parentCVersion: int,
});
export const CreateTTLTxn = record('CreateTTLTxn', {
  path: ustring,
  data: buffer,
  acl: vector(ACL),
  parentCVersion: int,
  ttl: long,
});
export const CreateContainerTxn = record('CreateContainerTxn', {
  path: ustring,
  data: buffer,
  acl: vector(ACL),
  parentCVersion: int,
});
export const DeleteTxn = record('DeleteTxn', { path: ustring });
export const SetDataTxn = record('SetDataTxn', { path: ustring, data: buffer, version: int });
export const CheckVersionTxn = record('CheckVersionTxn', { path: ustring, version: int });
export const SetACLTxn = record('SetACLTxn', { path: ustring, acl: vector(ACL), version: int });
export const CreateSessionTxn = record('CreateSessionTxn', { timeOut: int });
export const CloseSessionTxn = record('CloseSessionTxn', { paths2Delete: vector(ustring) });
export const ErrorTxn = record('ErrorTxn', { err: int });
export const Txn = record('Txn', { type: int, data: buffer });
export const MultiTxn = record('MultiTxn', { txns: vector(Txn) });
export const TxnDigest = record('TxnDigest', { version: int, treeDigest: long });

export type TxnHeader = Infer<typeof TxnHeader>;

// ---- persistence
export const FileHeader = record('FileHeader', { magic: int, version: int, dbid: long });

// ---- org.apache.zookeeper.server.quorum
export const LearnerInfo = record('LearnerInfo', { serverid: long, protocolVersion: int, configVersion: long });
export const QuorumPacket = record('QuorumPacket', {
  type: int,
  zxid: long,
  data: buffer,
  authinfo: vector(Id),
});
export const QuorumAuthPacket = record('QuorumAuthPacket', { magic: long, status: int, token: buffer });

export type QuorumPacket = Infer<typeof QuorumPacket>;

// ---- quorum packet payloads (Leader.java, LearnerHandler.java, Learner.java): not declared in
// zookeeper.jute but written field by field in the same big-endian layout.
/** REQUEST: the forwarded request's header; the client's request body follows raw. */
export const ForwardedRequestHeader = record('ForwardedRequestHeader', { sessionId: long, cxid: int, type: int });
/** A session and its timeout: one PING touch, or a REVALIDATE request. */
export const SessionTimeout = record('SessionTimeout', { sessionId: long, timeout: int });
/** The leader's REVALIDATE answer. */
export const RevalidateReply = record('RevalidateReply', { sessionId: long, valid: bool });

// ---- election port (QuorumCnxManager, FastLeaderElection.buildMsg): hand-packed with ByteBuffer
// in ZooKeeper, the same bytes as these records.
/** The connecting side's first bytes: protocol version (-65536), its sid, its election address. */
export const ElectionHandshake = record('ElectionHandshake', { protocolVersion: long, sid: long, electionAddr: ustring });
/** A notification, format version 2 (44 bytes + the config text). */
export const ElectionNotification = record('ElectionNotification', {
  state: int,
  leader: long,
  zxid: long,
  electionEpoch: long,
  peerEpoch: long,
  version: int,
  config: ustring,
});

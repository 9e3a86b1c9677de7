// Transactions as ZooKeeper logs and proposes them: TxnHeader + a record chosen by the header's
// type [+ TxnDigest]. The same bytes go into log entries, PROPOSAL and INFORM packets.
import { JuteError, Reader, Writer } from './jute';
import { OpCode } from './codes';
import {
  CheckVersionTxn,
  CloseSessionTxn,
  CreateContainerTxn,
  CreateSessionTxn,
  CreateTTLTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  SetACLTxn,
  SetDataTxn,
  TxnDigest,
  TxnHeader as TxnHeaderRecord,
  type ACL,
} from './records';

export type Txn =
  | { type: 1 | 15; path: string; data: Buffer | null; acl: ACL[]; ephemeral: boolean; parentCVersion: number }
  | { type: 19; path: string; data: Buffer | null; acl: ACL[]; parentCVersion: number }
  | { type: 21; path: string; data: Buffer | null; acl: ACL[]; parentCVersion: number; ttl: bigint }
  | { type: 2 | 20; path: string }
  | { type: 5 | 16; path: string; data: Buffer | null; version: number }
  | { type: 7; path: string; acl: ACL[]; version: number }
  | { type: 13; path: string; version: number }
  | { type: -10; timeOut: number }
  | { type: -11; paths2Delete: string[] }
  | { type: -1; err: number }
  | { type: 14; txns: Txn[] };

export type TxnHeader = ReturnType<typeof TxnHeaderRecord.decode>;

/** A transaction with its header, as logged. `digest` is carried when the writer had one. */
export interface LoggedTxn {
  header: TxnHeader;
  txn: Txn;
  digest?: { version: number; treeDigest: bigint } | undefined;
}

/** Writes the record part of a txn (no header). */
export function writeTxnBody(w: Writer, txn: Txn): void {
  switch (txn.type) {
    case 1:
    case 15:
      return CreateTxn.write(w, txn);
    case 19:
      return CreateContainerTxn.write(w, txn);
    case 21:
      return CreateTTLTxn.write(w, txn);
    case 2:
    case 20:
      return DeleteTxn.write(w, txn);
    case 5:
    case 16:
      return SetDataTxn.write(w, txn);
    case 7:
      return SetACLTxn.write(w, txn);
    case 13:
      return CheckVersionTxn.write(w, txn);
    case -10:
      return CreateSessionTxn.write(w, txn);
    case -11:
      return CloseSessionTxn.write(w, txn);
    case -1:
      return ErrorTxn.write(w, txn);
    case 14: {
      w.int(txn.txns.length);
      for (const sub of txn.txns) {
        w.int(sub.type);
        const start = w.pos;
        w.int(0);
        writeTxnBody(w, sub);
        w.patchInt(start, w.pos - start - 4);
      }
      return;
    }
  }
}

/** Reads the record part of a txn of the given header type. */
export function readTxnBody(r: Reader, type: number): Txn {
  switch (type) {
    case 1:
    case 15: {
      // CreateTxnV0 (no parentCVersion) appears in very old logs only.
      const path = r.ustring() ?? '';
      const data = r.buffer();
      const n = r.vectorLength();
      const acl: ACL[] = [];
      for (let i = 0; i < n; i++) acl.push({ perms: r.int(), id: { scheme: r.ustring() ?? '', id: r.ustring() ?? '' } });
      const ephemeral = r.bool();
      const parentCVersion = r.remaining() >= 4 ? r.int() : -1;
      return { type, path, data, acl, ephemeral, parentCVersion };
    }
    case 19:
      return { type, ...CreateContainerTxn.read(r) };
    case 21:
      return { type, ...CreateTTLTxn.read(r) };
    case 2:
    case 20:
      return { type, ...DeleteTxn.read(r) };
    case 5:
    case 16:
      return { type, ...SetDataTxn.read(r) };
    case 7:
      return { type, ...SetACLTxn.read(r) };
    case 13:
      return { type, ...CheckVersionTxn.read(r) };
    case -10:
      return { type, ...CreateSessionTxn.read(r) };
    case -11:
      // Logs older than 3.6 have no body for closeSession.
      return { type, paths2Delete: r.remaining() > 0 ? CloseSessionTxn.read(r).paths2Delete : [] };
    case -1:
      return { type, ...ErrorTxn.read(r) };
    case 14: {
      const n = r.vectorLength();
      const txns: Txn[] = [];
      for (let i = 0; i < n; i++) {
        const subType = r.int();
        const data = r.buffer();
        if (data === null) throw new JuteError('multi sub-txn without data');
        txns.push(readTxnBody(new Reader(data), subType));
      }
      return { type, txns };
    }
    default:
      throw new JuteError(`unknown txn type ${type}`);
  }
}

/** Serialises header + body [+ digest]: the bytes of one log entry or proposal. */
export function encodeLoggedTxn(t: LoggedTxn, w = new Writer(128)): Buffer {
  const start = w.pos;
  TxnHeaderRecord.write(w, t.header);
  writeTxnBody(w, t.txn);
  if (t.digest) TxnDigest.write(w, t.digest);
  return w.buf.subarray(start, w.pos);
}

/** Parses the bytes of one log entry or proposal. */
export function decodeLoggedTxn(b: Buffer): LoggedTxn {
  const r = new Reader(b);
  const header = TxnHeaderRecord.read(r);
  const txn = readTxnBody(r, header.type);
  let digest: LoggedTxn['digest'];
  if (r.remaining() >= 12) digest = TxnDigest.read(r);
  return { header, txn, digest };
}

/** Ops that produce a transaction (go to the leader in a quorum). */
export function isWriteOp(type: number): boolean {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
    case OpCode.delete:
    case OpCode.deleteContainer:
    case OpCode.setData:
    case OpCode.setACL:
    case OpCode.check:
    case OpCode.multi:
    case OpCode.reconfig:
    case OpCode.createSession:
    case OpCode.closeSession:
      return true;
    default:
      return false;
  }
}

// The transaction log file format (persistence/FileTxnLog.java):
//   FileHeader { int magic "ZKLG", int version 2, long dbid 0 }
//   entries { long Adler32 of the entry bytes, int length, entry bytes, byte 0x42 }
//   zero padding up to the preallocated size; a zero length ends the log.
// Entry bytes are TxnHeader + record [+ TxnDigest] (protocol/txn.ts).
import { Reader } from '../../protocol/jute';
import { FileHeader } from '../../protocol/records';
import { decodeLoggedTxn, type LoggedTxn } from '../../protocol/txn';
import { adler32 } from './adler32';

export const TXNLOG_MAGIC = 0x5a4b4c47; // "ZKLG"
export const TXNLOG_VERSION = 2;
export const FILE_HEADER_SIZE = 16;
/** Bytes around an entry: checksum (8) + length (4) before it, 0x42 after it. */
export const ENTRY_OVERHEAD = 13;
const EOR = 0x42;

/** The 16-byte header every log file starts with. */
export function logFileHeader(dbid = 0n): Buffer {
  return FileHeader.encode({ magic: TXNLOG_MAGIC, version: TXNLOG_VERSION, dbid });
}

/** Frames one entry's bytes as they go into the file. */
export function frameEntry(entry: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(entry.length + ENTRY_OVERHEAD);
  out.writeUInt32BE(0, 0);
  out.writeUInt32BE(adler32(entry), 4);
  out.writeInt32BE(entry.length, 8);
  out.set(entry, 12);
  out[12 + entry.length] = EOR;
  return out;
}

export interface ScannedEntry {
  /** null for an entry at or before scanLog's `decodeAfter`: only its zxid was read. */
  txn: LoggedTxn | null;
  zxid: bigint;
  /** Byte offsets of the framed entry in the file. */
  start: number;
  end: number;
}

/** Why a scan stopped before clean padding or the end of the file. */
export interface LogDamage {
  /** Offset of the first bad byte: everything before it is good. */
  at: number;
  reason: string;
  /**
   * torn: what a crash mid-write leaves (partial record, bad checksum, missing 0x42) and no good
   * entry follows it. corrupt: anything else (a checksummed entry that does not decode, a bad
   * entry with good ones after it): not something a crash explains.
   */
  kind: 'torn' | 'corrupt';
}

export interface LogScan {
  /** null when the file is too short for a header or its magic is wrong (see headerProblem). */
  header: { magic: number; version: number; dbid: bigint } | null;
  headerProblem: string | null;
  /** The header problem is what a crash while creating the file leaves: nothing but zeros after it. */
  headerTorn: boolean;
  entries: ScannedEntry[];
  /** Offset just after the last good entry (or after the header). */
  goodEnd: number;
  damage: LogDamage | null;
}

type RecordCheck = { ok: true; end: number; bytes: Buffer } | { ok: false; reason: string; end: number | null };

/** Checks the framed record at `pos`: length in bounds, checksum, 0x42. */
function checkRecord(buf: Buffer, pos: number): RecordCheck | 'padding' {
  if (pos + 12 > buf.length) {
    for (let i = pos; i < buf.length; i++) if (buf[i] !== 0) return { ok: false, reason: 'a partial record header', end: null };
    return 'padding';
  }
  const crcHigh = buf.readUInt32BE(pos);
  const crc = buf.readUInt32BE(pos + 4);
  const len = buf.readInt32BE(pos + 8);
  if (len === 0) {
    // Preallocated zeros: the log ends here (FileTxnIterator treats a zero length as EOF).
    return crcHigh === 0 && crc === 0 ? 'padding' : { ok: false, reason: 'a checksum with no entry after it', end: null };
  }
  if (len < 0 || pos + 12 + len + 1 > buf.length) {
    return { ok: false, reason: `a record of ${len} bytes that runs past the end of the file`, end: null };
  }
  const bytes = buf.subarray(pos + 12, pos + 12 + len);
  const end = pos + 12 + len + 1;
  if (crcHigh !== 0 || crc !== adler32(bytes)) return { ok: false, reason: 'a checksum mismatch', end };
  if (buf[end - 1] !== EOR) return { ok: false, reason: 'a missing end-of-record byte 0x42', end };
  return { ok: true, end, bytes };
}

/** Where TxnHeader { long clientId, int cxid, long zxid, ... } keeps the zxid, and its size. */
const HEADER_ZXID_OFFSET = 12;
const TXN_HEADER_SIZE = 32;

/**
 * Reads every good entry of one log file's bytes and says how and where it ends. Entries with
 * a zxid at or before `decodeAfter` are checksummed but not decoded (recovery skips them, as
 * FileTxnIterator.init does): only the header's zxid is read, and their `txn` is null.
 */
export function scanLog(buf: Buffer, decodeAfter: bigint | null = null): LogScan {
  const scan: LogScan = { header: null, headerProblem: null, headerTorn: false, entries: [], goodEnd: 0, damage: null };
  if (buf.length < FILE_HEADER_SIZE) {
    scan.headerProblem = buf.length === 0 ? 'the file is empty' : `the file has only ${buf.length} bytes, less than a file header`;
    scan.headerTorn = true;
    return scan;
  }
  const header = FileHeader.read(new Reader(buf, 0, FILE_HEADER_SIZE));
  if (header.magic !== TXNLOG_MAGIC) {
    const allZero = buf.subarray(0, FILE_HEADER_SIZE).every((b) => b === 0);
    scan.headerProblem = allZero
      ? 'its file header was never written (zeros)'
      : `its magic number is 0x${(header.magic >>> 0).toString(16)}, not ZKLG (0x5a4b4c47)`;
    const after = buf.subarray(FILE_HEADER_SIZE);
    scan.headerTorn = after.equals(Buffer.alloc(after.length));
    return scan;
  }
  scan.header = header;
  let pos = FILE_HEADER_SIZE;
  scan.goodEnd = pos;
  for (;;) {
    const rec = checkRecord(buf, pos);
    if (rec === 'padding') return scan;
    if (!rec.ok) {
      // A crash tears only the tail: if a good record follows the bad one, it is corruption.
      const next = rec.end === null ? null : checkRecord(buf, rec.end);
      const goodAfter = next !== null && next !== 'padding' && next.ok;
      scan.damage = { at: pos, reason: rec.reason, kind: goodAfter ? 'corrupt' : 'torn' };
      return scan;
    }
    if (decodeAfter !== null && rec.bytes.length >= TXN_HEADER_SIZE) {
      const zxid = rec.bytes.readBigInt64BE(HEADER_ZXID_OFFSET);
      if (zxid <= decodeAfter) {
        scan.entries.push({ txn: null, zxid, start: pos, end: rec.end });
        pos = rec.end;
        scan.goodEnd = pos;
        continue;
      }
    }
    let txn: LoggedTxn;
    try {
      txn = decodeLoggedTxn(rec.bytes);
    } catch (e) {
      scan.damage = { at: pos, reason: `an entry that passes its checksum but does not decode (${(e as Error).message})`, kind: 'corrupt' };
      return scan;
    }
    scan.entries.push({ txn, zxid: txn.header.zxid, start: pos, end: rec.end });
    pos = rec.end;
    scan.goodEnd = pos;
  }
}

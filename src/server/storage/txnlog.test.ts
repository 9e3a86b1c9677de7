import { describe, expect, it } from 'vitest';
import { TxnGen } from '../../../test/storage/txngen';
import { encodeLoggedTxn } from '../../protocol/txn';
import { adler32 } from './adler32';
import { frameEntry, logFileHeader, scanLog } from './txnlog';
import { paddedSize } from './logwriter';
import { logName, snapshotName, zxidFromName, logFilesFrom, type DataFile } from './names';

function logBytes(n: number): { buf: Buffer; ends: number[] } {
  const g = new TxnGen();
  const parts = [logFileHeader()];
  const ends: number[] = [];
  let pos = 16;
  for (let i = 0; i < n; i++) {
    const f = frameEntry(encodeLoggedTxn(g.create(`/n${i}`, `data-${i}`)));
    parts.push(f);
    pos += f.length;
    ends.push(pos);
  }
  parts.push(Buffer.alloc(4096)); // preallocated zeros
  return { buf: Buffer.concat(parts), ends };
}

describe('txn log format', () => {
  it('computes Adler-32 as java.util.zip.Adler32 does', () => {
    expect(adler32(Buffer.from('hello world'))).toBe(0x1a0b045d);
    expect(adler32(Buffer.alloc(0))).toBe(1);
    expect(adler32(Buffer.from('world'), adler32(Buffer.from('hello ')))).toBe(0x1a0b045d);
  });

  it('frames entries as checksum, length, bytes, 0x42 after a ZKLG header', () => {
    const h = logFileHeader();
    expect(h.toString('hex')).toBe('5a4b4c4700000002' + '0000000000000000');
    const entry = Buffer.from('abc');
    const f = frameEntry(entry);
    expect(f.readBigUInt64BE(0)).toBe(BigInt(adler32(entry)));
    expect(f.readInt32BE(8)).toBe(3);
    expect(f.subarray(12, 15).toString()).toBe('abc');
    expect(f[15]).toBe(0x42);
  });

  it('reads every entry and stops cleanly at the zero padding', () => {
    const { buf, ends } = logBytes(5);
    const scan = scanLog(buf);
    expect(scan.damage).toBeNull();
    expect(scan.entries.map((e) => e.txn!.txn.type === 15 && e.txn!.txn.path)).toEqual(['/n0', '/n1', '/n2', '/n3', '/n4']);
    expect(scan.goodEnd).toBe(ends[4]);
  });

  it('reads only the zxid of entries at or before decodeAfter, and still checksums them', () => {
    const { buf, ends } = logBytes(5);
    const all = scanLog(buf);
    const cut = all.entries[2]!.zxid;
    const scan = scanLog(buf, cut);
    expect(scan.entries.map((e) => e.zxid)).toEqual(all.entries.map((e) => e.zxid));
    expect(scan.entries.map((e) => e.txn === null)).toEqual([true, true, true, false, false]);
    expect(scan.entries[3]!.txn).toEqual(all.entries[3]!.txn);
    expect(scan.goodEnd).toBe(ends[4]);

    // A skipped entry is still checksummed: a bad one there is damage, as before.
    const badSum = Buffer.from(buf);
    badSum[ends[0]! + 7]! ^= 0xff;
    expect(scanLog(badSum, cut).damage).toMatchObject({ at: ends[0], kind: 'corrupt', reason: 'a checksum mismatch' });
    expect(scanLog(buf.subarray(0, ends[1]! - 5), cut).damage).toMatchObject({ at: ends[0], kind: 'torn' });
  });

  it('calls a partial last record, a bad checksum or a missing 0x42 a torn tail', () => {
    const { buf, ends } = logBytes(3);
    const partial = Buffer.concat([buf.subarray(0, ends[2]! - 5), Buffer.alloc(100)]);
    expect(scanLog(partial).damage).toMatchObject({ at: ends[1], kind: 'torn' });
    expect(scanLog(buf.subarray(0, ends[2]! - 5)).damage).toMatchObject({ at: ends[1], kind: 'torn' });

    const badSum = Buffer.from(buf);
    badSum[ends[1]! + 7]! ^= 0xff;
    const s = scanLog(badSum);
    expect(s.damage).toMatchObject({ at: ends[1], kind: 'torn', reason: 'a checksum mismatch' });
    expect(s.entries).toHaveLength(2);

    const noEor = Buffer.from(buf);
    noEor[ends[2]! - 1] = 0;
    expect(scanLog(noEor).damage).toMatchObject({ at: ends[1], kind: 'torn', reason: 'a missing end-of-record byte 0x42' });
  });

  it('calls a bad record with a good one after it corruption, not a torn write', () => {
    const { buf, ends } = logBytes(3);
    const b = Buffer.from(buf);
    b[ends[0]! + 20]! ^= 0xff; // inside entry 2's bytes
    expect(scanLog(b).damage).toMatchObject({ at: ends[0], kind: 'corrupt' });
  });

  it('reports a missing or wrong file header', () => {
    expect(scanLog(Buffer.alloc(0)).headerProblem).toMatch(/empty/);
    expect(scanLog(Buffer.alloc(64)).headerProblem).toMatch(/never written/);
    expect(scanLog(Buffer.from('ZKSN' + 'x'.repeat(20))).headerProblem).toMatch(/not ZKLG/);
  });

  it('pads like FilePadding: a new block when within 4 KiB of the end', () => {
    expect(paddedSize(16, 0, 65536)).toBe(65536);
    expect(paddedSize(1000, 65536, 65536)).toBe(65536);
    expect(paddedSize(62000, 65536, 65536)).toBe(131072);
    expect(paddedSize(200000, 65536, 65536)).toBe(262144);
    expect(paddedSize(100, 0, 0)).toBe(0);
  });

  it('names files as ZooKeeper does and picks the logs a snapshot needs', () => {
    expect(logName(0x100000001n)).toBe('log.100000001');
    expect(snapshotName(0n)).toBe('snapshot.0');
    expect(zxidFromName('snapshot.1a2b.gz', 'snapshot')).toBe(0x1a2bn);
    expect(zxidFromName('snapshot.zz', 'snapshot')).toBe(-1n);
    expect(zxidFromName('tmp.snapshot.5', 'snapshot')).toBe(-1n);
    const files: DataFile[] = [1n, 50n, 100n].map((z) => ({ name: logName(z), path: logName(z), zxid: z }));
    expect(logFilesFrom(files, 75n).map((f) => f.zxid)).toEqual([50n, 100n]);
    expect(logFilesFrom(files, 100n).map((f) => f.zxid)).toEqual([100n]);
    expect(logFilesFrom(files, 0n).map((f) => f.zxid)).toEqual([1n, 50n, 100n]);
  });
});

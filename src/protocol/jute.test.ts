import { describe, expect, it } from 'vitest';
import { JuteError, Reader, Writer } from './jute';
import { ConnectRequest, ConnectResponse, CreateRequest, Stat } from './records';
import { decodeLoggedTxn, encodeLoggedTxn } from './txn';
import { pathError } from './paths';

describe('jute codec', () => {
  it('keeps null and empty buffers apart', () => {
    const w = new Writer();
    w.buffer(null);
    w.buffer(Buffer.alloc(0));
    expect([...w.bytes()]).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    const r = new Reader(w.bytes());
    expect(r.buffer()).toBeNull();
    expect(r.buffer()).toEqual(Buffer.alloc(0));
  });

  it('encodes a Stat in 68 bytes and a ConnectResponse in 37', () => {
    const stat = { czxid: 1n, mzxid: 2n, ctime: 3n, mtime: 4n, version: 5, cversion: 6, aversion: 7, ephemeralOwner: -1n, dataLength: 8, numChildren: 9, pzxid: 10n };
    expect(Stat.encode(stat).length).toBe(68);
    expect(Stat.decode(Stat.encode(stat))).toEqual(stat);
    const resp = ConnectResponse.encode({ protocolVersion: 0, timeOut: 4000, sessionId: 0x0100000000000001n, passwd: Buffer.alloc(16, 7), readOnly: false });
    expect(resp.length).toBe(37);
  });

  it('round-trips a CreateRequest with ACLs', () => {
    const req = { path: '/a', data: Buffer.from('x'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 3 };
    expect(CreateRequest.decode(CreateRequest.encode(req))).toEqual(req);
  });

  it('rejects truncated records, negative and oversized lengths with JuteError', () => {
    const good = ConnectRequest.encode({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 1, sessionId: 0n, passwd: Buffer.alloc(16) });
    expect(() => ConnectRequest.decode(good.subarray(0, good.length - 3))).toThrow(JuteError);
    const w = new Writer();
    w.int(-5);
    expect(() => new Reader(w.bytes()).buffer()).toThrow(/negative length/);
    const big = new Writer();
    big.int(10_000_000);
    expect(() => new Reader(big.bytes(), 0, 4, 1024).ustring()).toThrow(/over the limit/);
    const vec = new Writer();
    vec.int(1_000_000);
    expect(() => new Reader(vec.bytes()).vectorLength()).toThrow(/claims/);
  });

  it('round-trips a multi txn through the log-entry encoding', () => {
    const t = {
      header: { clientId: 5n, cxid: 9, zxid: 0x100000003n, time: 1234n, type: 14 },
      txn: {
        type: 14 as const,
        txns: [
          { type: 1 as const, path: '/x', data: null, acl: [], ephemeral: false, parentCVersion: 2 },
          { type: 13 as const, path: '/x', version: 0 },
          { type: 2 as const, path: '/y' },
        ],
      },
    };
    const back = decodeLoggedTxn(Buffer.from(encodeLoggedTxn(t)));
    expect(back.header).toEqual(t.header);
    expect(back.txn).toEqual(t.txn);
  });
});

describe('path validation', () => {
  it('accepts good paths and explains bad ones like PathUtils', () => {
    expect(pathError('/')).toBeNull();
    expect(pathError('/a/b-c_d.e')).toBeNull();
    expect(pathError('a')).toBe('Path must start with / character');
    expect(pathError('/a/')).toBe('Path must not end with / character');
    expect(pathError('/a//b')).toMatch(/empty node name specified @3/);
    expect(pathError('/a/../b')).toMatch(/relative paths not allowed/);
    expect(pathError('/a/./b')).toMatch(/relative paths not allowed/);
    expect(pathError('/a\u0001')).toMatch(/invalid character/);
    expect(pathError('/locks/', true)).toBeNull();
  });

  it('writes longs bit-exactly on the number fast path and the bigint path alike', () => {
    const values = [0n, 1n, -1n, 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n), 2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n), 0x1a211f6728e0000n, 1764061234567n];
    for (const v of values) {
      const w = new Writer(4);
      w.long(v);
      const expected = Buffer.alloc(8);
      expected.writeBigInt64BE(v);
      expect(w.bytes().equals(expected), `long ${v}`).toBe(true);
      expect(new Reader(w.bytes()).long()).toBe(v);
    }
  });
});

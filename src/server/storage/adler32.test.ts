import { randomBytes } from 'node:crypto';
import * as ADLER32 from 'adler-32';
import { describe, expect, it } from 'vitest';
import { adler32, RunningAdler32 } from './adler32';

describe('adler32', () => {
  it('gives the known values', () => {
    expect(adler32(new Uint8Array(0))).toBe(1);
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398);
    // All 0xff bytes push both sums to their limits: the modulo must come in time.
    expect(adler32(Buffer.alloc(100_000, 0xff))).toBe(ADLER32.buf(Buffer.alloc(100_000, 0xff)) >>> 0);
  });

  it('agrees with SheetJS adler-32 on every length around its blocks, fresh and continued', () => {
    const data = randomBytes(3 * 5552 + 40);
    for (let len = 0; len <= data.length; len += len < 64 ? 1 : 37) {
      const part = data.subarray(0, len);
      expect(adler32(part)).toBe(ADLER32.buf(part) >>> 0);
      const split = len >> 1;
      expect(adler32(part.subarray(split), adler32(part.subarray(0, split)))).toBe(adler32(part));
    }
    const running = new RunningAdler32();
    running.update(data.subarray(0, 1000));
    running.update(data.subarray(1000));
    expect(running.get()).toBe(ADLER32.buf(data) >>> 0);
  });
});

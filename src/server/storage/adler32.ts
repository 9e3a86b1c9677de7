// Adler-32 as java.util.zip.Adler32 computes it (the txn log's per-entry checksum and the
// snapshot's running checksum), from SheetJS's adler-32 package. Java's getValue() is the
// unsigned 32-bit value in a long; SheetJS returns it signed, hence the >>> 0.
import * as ADLER32 from 'adler-32';

/** Adler-32 of `bytes`, continuing from `seed` (the value so far; 1 for a fresh checksum). */
export function adler32(bytes: Uint8Array, seed = 1): number {
  return ADLER32.buf(bytes, seed) >>> 0;
}

/** A running Adler-32 over several chunks (CheckedOutputStream / CheckedInputStream). */
export class RunningAdler32 {
  private value = 1;

  update(bytes: Uint8Array): void {
    this.value = adler32(bytes, this.value);
  }

  /** The checksum of everything so far, unsigned. */
  get(): number {
    return this.value;
  }
}

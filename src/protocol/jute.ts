// Jute binary encoding (org.apache.jute.BinaryOutputArchive / BinaryInputArchive):
// big-endian ints and longs, length-prefixed buffers and strings where -1 means null,
// records as their fields in order with no tags.

/** Thrown when bytes cannot be decoded as the expected record. */
export class JuteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JuteError';
  }
}

/** A growable big-endian writer. */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }

  long(v: bigint): void {
    this.ensure(8);
    // Zxids, times and versions fit a double exactly: split them with number arithmetic (no
    // bigint allocated). Session ids and other wide values take the bigint path.
    const n = Number(v);
    if (Number.isSafeInteger(n)) {
      const hi = Math.floor(n / 4294967296);
      this.buf.writeInt32BE(hi, this.pos);
      this.buf.writeUInt32BE(n - hi * 4294967296, this.pos + 4);
    } else {
      this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.pos);
    }
    this.pos += 8;
  }

  bool(v: boolean): void {
    this.byte(v ? 1 : 0);
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  /** Raw bytes, no length prefix. */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  buffer(b: Uint8Array | null): void {
    if (b === null) {
      this.int(-1);
      return;
    }
    this.int(b.length);
    this.raw(b);
  }

  ustring(s: string | null): void {
    if (s === null) {
      this.int(-1);
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.ensure(4 + len);
    this.buf.writeInt32BE(len, this.pos);
    this.buf.write(s, this.pos + 4, len, 'utf8');
    this.pos += 4 + len;
  }

  /** Overwrite an int at an earlier position (used for length prefixes). */
  patchInt(at: number, v: number): void {
    this.buf.writeInt32BE(v | 0, at);
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** A bounds-checked big-endian reader; every overrun is a JuteError, never a crash. */
export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
    /** The largest length a buffer or string may claim (jute.maxbuffer). */
    readonly maxLength = 0xfffff + 0xfffff,
  ) {
    this.pos = start;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new JuteError(`record ends early: ${what} needs ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  int(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  long(): bigint {
    this.need(8, 'long');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    return this.byte() !== 0;
  }

  byte(): number {
    this.need(1, 'byte');
    return this.buf[this.pos++]!;
  }

  raw(n: number): Buffer {
    this.need(n, 'bytes');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  private length(what: string): number {
    const len = this.int();
    if (len < -1) throw new JuteError(`${what} has a negative length ${len}`);
    if (len > this.maxLength) throw new JuteError(`${what} length ${len} is over the limit ${this.maxLength}`);
    return len;
  }

  buffer(): Buffer | null {
    const len = this.length('buffer');
    if (len === -1) return null;
    // Copy so that a retained value never pins a whole network read buffer; allocUnsafe takes
    // small ones from Node's pool as Buffer.from would, without a view object in between.
    this.need(len, 'bytes');
    const out = Buffer.allocUnsafe(len);
    this.buf.copy(out, 0, this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  ustring(): string | null {
    const len = this.length('string');
    if (len === -1) return null;
    this.need(len, 'string');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  vectorLength(): number {
    const n = this.int();
    if (n < -1) throw new JuteError(`vector has a negative count ${n}`);
    // Each element takes at least one byte: a count beyond what is left is a lie.
    if (n > this.remaining()) throw new JuteError(`vector claims ${n} elements with ${this.remaining()} bytes left`);
    return n;
  }
}

// Records are described once, as an ordered list of typed fields; encoding and decoding are
// derived from that description (no hand-written twin encoders per record).
import { Reader, Writer } from './jute';

/** How one jute type is written and read. */
export interface Codec<T> {
  readonly name: string;
  write(w: Writer, v: T): void;
  read(r: Reader): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

export const int: Codec<number> = { name: 'int', write: (w, v) => w.int(v), read: (r) => r.int() };
export const long: Codec<bigint> = { name: 'long', write: (w, v) => w.long(v), read: (r) => r.long() };
export const bool: Codec<boolean> = { name: 'boolean', write: (w, v) => w.bool(v), read: (r) => r.bool() };
export const byte: Codec<number> = { name: 'byte', write: (w, v) => w.byte(v), read: (r) => r.byte() };
/** buffer: null (length -1) is kept distinct from empty. */
export const buffer: Codec<Buffer | null> = {
  name: 'buffer',
  write: (w, v) => w.buffer(v),
  read: (r) => r.buffer(),
};
/** ustring: a null string (length -1) reads as ''. Paths and names are never null in practice. */
export const ustring: Codec<string> = {
  name: 'ustring',
  write: (w, v) => w.ustring(v),
  read: (r) => r.ustring() ?? '',
};

/** vector<T>: a null vector (count -1) reads as []. */
export function vector<T>(of: Codec<T>): Codec<T[]> {
  return {
    name: `vector<${of.name}>`,
    write(w, v) {
      w.int(v.length);
      for (const item of v) of.write(w, item);
    },
    read(r) {
      const n = r.vectorLength();
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(of.read(r));
      return out;
    },
  };
}

type Fields = Record<string, Codec<any>>;
export type RecordOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

/** A jute record: its fields in declaration order. */
export interface RecordCodec<F extends Fields> extends Codec<RecordOf<F>> {
  readonly fields: F;
  encode(v: RecordOf<F>): Buffer;
  decode(b: Buffer): RecordOf<F>;
}

/** Declares a record once; write/read follow the field order of `fields`. */
export function record<F extends Fields>(name: string, fields: F): RecordCodec<F> {
  const names = Object.keys(fields);
  const codecs = names.map((n) => fields[n]!);
  const count = names.length;
  const codec: RecordCodec<F> = {
    name,
    fields,
    write(w, v) {
      for (let i = 0; i < count; i++) codecs[i]!.write(w, (v as any)[names[i]!]);
    },
    read(r) {
      const out: any = {};
      for (let i = 0; i < count; i++) out[names[i]!] = codecs[i]!.read(r);
      return out;
    },
    encode(v) {
      const w = new Writer();
      codec.write(w, v);
      return Buffer.from(w.bytes());
    },
    decode(b) {
      return codec.read(new Reader(b));
    },
  };
  return codec;
}

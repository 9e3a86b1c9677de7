// JSON as the AdminServer's Jackson prints it (DefaultPrettyPrinter): `"key" : value`, two-space
// indent, `[ a, b ]` arrays, `{ }` when empty, and 64-bit ids as plain numbers (bigint here).
export type Json = null | boolean | number | bigint | string | JavaDouble | Json[] | { [k: string]: Json | undefined };

/** Serialises like Jackson's default pretty printer; bigints become exact numbers. */
export function jacksonStringify(v: Json, indent = ''): string {
  if (v === null) return 'null';
  if (v instanceof JavaDouble) {
    // Jackson quotes the non-finite doubles (QUOTE_NON_NUMERIC_NUMBERS): "NaN", "Infinity".
    if (!Number.isFinite(v.value)) return `"${v.value}"`;
    return Number.isInteger(v.value) ? `${v.value}.0` : String(v.value);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[ ]';
    return `[ ${v.map((x) => jacksonStringify(x, indent)).join(', ')} ]`;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined) as [string, Json][];
  if (entries.length === 0) return '{ }';
  const inner = indent + '  ';
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)} : ${jacksonStringify(x, inner)}`).join(',\n')}\n${indent}}`;
}

/** A number that must print with a fractional part, as a Java double does ("6.0"). */
export class JavaDouble {
  constructor(readonly value: number) {}
}

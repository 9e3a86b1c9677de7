// Enforces the dependency directions of the design (never the other way):
//   renderer -> shared; main, web -> lab -> client, shared; server, client, lab, shared -> protocol;
//   protocol imports nothing; lab starts server only as a child process.
// Usage: node scripts/check-deps.mjs  — prints each violation and exits 1 if there is one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** Which src/<folder> each src/<folder> may import from (itself is always allowed). */
export const ALLOWED = {
  protocol: [],
  server: ['protocol'],
  client: ['protocol'],
  shared: ['protocol'],
  lab: ['client', 'shared', 'protocol'],
  web: ['lab', 'shared', 'protocol'],
  main: ['lab', 'shared', 'protocol'],
  preload: ['shared'],
  renderer: ['shared'],
  // The benchmarks measure server pieces in-process (e.g. the txn log) besides real processes.
  bench: ['protocol', 'server'],
};

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|mts|cts)$/.test(name)) yield p;
  }
}

/** Returns every import that crosses a forbidden direction, as "file: import" lines. */
export function violations() {
  const out = [];
  for (const file of files(SRC)) {
    const from = relative(SRC, file).split(sep)[0];
    const allowed = ALLOWED[from];
    if (!allowed) continue;
    const text = readFileSync(file, 'utf8');
    const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
    for (const m of text.matchAll(re)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec.startsWith('.')) {
        // The protocol folder uses nothing but the language: not even Node's modules.
        if (from === 'protocol' && !/\.test\.ts$/.test(file)) out.push(`${relative(ROOT, file)}: imports package "${spec}" (src/protocol imports nothing)`);
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + sep)) continue;
      const to = relative(SRC, target).split(sep)[0];
      if (to === from || allowed.includes(to)) continue;
      out.push(`${relative(ROOT, file)}: imports ${spec} (src/${from} must not depend on src/${to})`);
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const v = violations();
  for (const line of v) console.log(line);
  console.log(v.length === 0 ? 'dependency directions: ok' : `dependency directions: ${v.length} violation(s)`);
  process.exit(v.length === 0 ? 0 : 1);
}

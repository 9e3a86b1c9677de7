// Enforces the dependency directions of the design (never the other way):
//   renderer -> shared; main, web -> lab -> client, shared; server, client, lab, shared -> protocol;
//   protocol imports nothing; lab starts server only as a child process.
// Every kind of import counts: `import … from`, `export … from`, side-effect `import 'x'`,
// dynamic `import('x')` and `require('x')`. Beyond the folder directions:
//   - src/renderer and src/shared use no Node module (`node:*` or a bare builtin) and not
//     `electron`: the UI runs in a sandboxed page, and the contract is read by both sides;
//   - no source file under src/ (tests aside) imports from test/ or e2e/;
//   - e2e/ drives the real UI and processes: it may use src/shared, src/protocol and src/client,
//     never the internals of the server, the lab, the renderer or Electron main;
//   - the quorum cores (election, ZAB, vote, peer-core) own no clock, timer, randomness, socket
//     or file: the runtime and the simulator bring those.
// Usage: node scripts/check-deps.mjs  — prints each violation and exits 1 if there is one.
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
  // The benchmarks measure server pieces in-process (e.g. the txn log) besides real processes,
  // and the consistency checker (shared/check).
  bench: ['protocol', 'server', 'shared'],
};

/** What e2e tests may import from src. */
const E2E_ALLOWED = ['shared', 'protocol', 'client'];

/** Folders that run where Node does not: no Node module, no electron. */
const NO_NODE = ['renderer', 'shared'];

/** The pure quorum cores, relative to src/server/quorum. */
const CORES = ['election', 'zab', 'vote.ts', 'peer-core.ts'];

/** What a core must not use. */
export const IMPURE = [
  [/\bsetTimeout\s*\(/, 'setTimeout'],
  [/\bsetInterval\s*\(/, 'setInterval'],
  [/\bsetImmediate\s*\(/, 'setImmediate'],
  [/\bqueueMicrotask\s*\(/, 'queueMicrotask'],
  [/\bDate\.now\s*\(/, 'Date.now'],
  [/\bnew Date\s*\(/, 'new Date'],
  [/\bperformance\.now\s*\(/, 'performance.now'],
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\bprocess\./, 'process'],
  [/\bPromise\b/, 'Promise (cores are synchronous)'],
  [/\basync\s+function\b|\basync\s*\(/, 'async'],
];

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

function* files(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|mts|cts|mjs|js)$/.test(name)) yield p;
  }
}

const isTest = (file) => /\.test\.(ts|tsx|mts)$/.test(file);

/** The code without its comments (prose may name an import or a timer), lines kept in place. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every module specifier a file names, whatever the form of the import. */
export function specifiers(text) {
  const code = stripComments(text);
  const re =
    /(?:^|[^.\w$])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w$])import\s*['"]([^'"]+)['"]|(?:^|[^.\w$])import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[^.\w$])require\(\s*['"]([^'"]+)['"]\s*\)/gm;
  return [...code.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]);
}

function isNodeModule(spec) {
  return spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]);
}

/** Returns every import that crosses a forbidden direction, as "file: why" lines. */
export function violations(root = ROOT) {
  const SRC = join(root, 'src');
  const out = [];
  const rel = (f) => relative(root, f);
  const where = (target) => {
    for (const top of ['src', 'test', 'e2e']) {
      const base = join(root, top) + sep;
      if (target.startsWith(base)) return { top, folder: relative(base, target).split(sep)[0] };
    }
    return null;
  };
  for (const top of ['src', 'test', 'e2e']) {
    for (const file of files(join(root, top))) {
      const from = top === 'src' ? relative(SRC, file).split(sep)[0] : top;
      const text = readFileSync(file, 'utf8');
      for (const spec of specifiers(text)) {
        if (!spec.startsWith('.')) {
          if (top !== 'src') continue;
          // The protocol folder uses nothing but the language: not even Node's modules.
          if (from === 'protocol' && !isTest(file)) out.push(`${rel(file)}: imports package "${spec}" (src/protocol imports nothing)`);
          else if (NO_NODE.includes(from) && (isNodeModule(spec) || spec === 'electron' || spec.startsWith('electron/'))) {
            out.push(`${rel(file)}: imports "${spec}" (src/${from} runs where Node and Electron do not)`);
          }
          continue;
        }
        const to = where(resolve(dirname(file), spec));
        if (!to) continue;
        if (top === 'src') {
          if (to.top !== 'src') {
            if (!isTest(file)) out.push(`${rel(file)}: imports ${spec} (the app must not depend on ${to.top}/)`);
            continue;
          }
          const allowed = ALLOWED[from];
          if (!allowed || to.folder === from || allowed.includes(to.folder)) continue;
          out.push(`${rel(file)}: imports ${spec} (src/${from} must not depend on src/${to.folder})`);
        } else if (top === 'e2e' && to.top === 'src' && !E2E_ALLOWED.includes(to.folder)) {
          out.push(`${rel(file)}: imports ${spec} (e2e tests drive the real UI and processes; they may use src/${E2E_ALLOWED.join(', src/')})`);
        }
      }
    }
  }
  out.push(...impurities(root));
  return out;
}

/** The quorum cores' purity rule: no clocks, timers, randomness, promises or Node modules. */
export function impurities(root = ROOT) {
  const out = [];
  const base = join(root, 'src', 'server', 'quorum');
  for (const core of CORES) {
    const p = join(base, core);
    if (!existsSync(p)) continue;
    for (const file of statSync(p).isDirectory() ? files(p) : [p]) {
      if (isTest(file)) continue;
      const text = readFileSync(file, 'utf8');
      stripComments(text)
        .split('\n')
        .forEach((line, i) => {
          for (const [re, what] of IMPURE) if (re.test(line)) out.push(`${relative(root, file)}:${i + 1}: uses ${what} (the quorum cores are pure)`);
        });
      for (const spec of specifiers(text)) if (isNodeModule(spec)) out.push(`${relative(root, file)}: imports "${spec}" (the quorum cores are pure)`);
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

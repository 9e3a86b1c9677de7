// Judge: kazoo 2.8's own test suite (Debian python3-kazoo), run by its own harness twice: once
// against Apache ZooKeeper 3.8 and once against our server (a `java` shim turns the harness's
// QuorumPeerMain into bin/zk-server). Every kazoo test that passes against the real thing must
// pass against ours. One vitest test per kazoo test module.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { JAVA, KAZOO, KAZOO_TESTS, missingOf, needs, OUR_BUILD, ZK_JARS } from '../support/needs';

const ROOT = resolve(__dirname, '..', '..');
const SHIM = join(__dirname, 'kazoo-shim');
const PYTHON = '/usr/bin/python3';
const judges = [KAZOO, JAVA, ZK_JARS, OUR_BUILD];
const modules = missingOf(judges) === null ? readdirSync(KAZOO_TESTS).filter((f) => /^test_.*\.py$/.test(f)).sort() : [];

type Outcome = 'passed' | 'failed' | 'skipped';
type Results = Map<string, { outcome: Outcome; message: string }>;

/** Parses pytest's JUnit XML into test id -> outcome. */
function parseJunit(xml: string): Results {
  const out: Results = new Map();
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const attrs = m[1]!;
    const body = m[3] ?? '';
    const cls = /classname="([^"]*)"/.exec(attrs)?.[1] ?? '';
    const name = /\sname="([^"]*)"/.exec(attrs)?.[1] ?? '';
    const id = `${cls}::${name}`;
    let outcome: Outcome = 'passed';
    if (/<(failure|error)\b/.test(body)) outcome = 'failed';
    else if (/<skipped\b/.test(body)) outcome = 'skipped';
    const message = /message="([^"]*)"/.exec(body)?.[1] ?? '';
    out.set(id, { outcome: outcome === 'failed' && out.get(id)?.outcome === 'passed' ? 'failed' : outcome, message });
  }
  return out;
}

/** True when `port` can be bound on 127.0.0.1 right now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolveBind) => {
    const srv = createServer();
    srv.once('error', () => resolveBind(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolveBind(true)));
  });
}

/**
 * A port offset whose four ports are free (kazoo's harness uses offset..offset+3), below the
 * kernel's ephemeral range so that client sockets never take them while the suite runs.
 */
async function freeOffset(avoid: number[] = []): Promise<number> {
  for (;;) {
    const p = 20000 + 10 * Math.floor(Math.random() * 1200);
    if (avoid.some((a) => Math.abs(a - p) < 40)) continue;
    let ok = true;
    for (let m = 0; m < 3 && ok; m++) for (let i = 0; i < 4 && ok; i++) ok = await canBind(p + 10 * m + i);
    if (ok) return p;
  }
}

function runSuite(target: 'real' | 'ours', offset: number, clusterSize: number, tests: string[] = [KAZOO_TESTS], minimum = 100): Promise<Results> {
  const dir = mkdtempSync(join(tmpdir(), `kazoo-${target}-`));
  const xml = join(dir, 'results.xml');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ZOOKEEPER_VERSION: '3.8.0',
    ZOOKEEPER_CLUSTER_SIZE: String(clusterSize),
    ZOOKEEPER_PORT_OFFSET: String(offset),
    ZOOKEEPER_CLASSPATH: '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar',
    ZK_LAB_ROOT: ROOT,
  };
  if (target === 'ours') env.PATH = `${SHIM}:${process.env.PATH}`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${xml}`, ...tests], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let tail = '';
    const keep = (b: Buffer): void => {
      tail = (tail + b.toString()).slice(-20000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 25 * 60_000);
    child.on('exit', () => {
      clearTimeout(timer);
      // The harness's servers live in the pytest process group: make sure none is left.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      try {
        const results = parseJunit(readFileSync(xml, 'utf8'));
        rmSync(dir, { recursive: true, force: true });
        if (results.size < minimum) reject(new Error(`kazoo suite against ${target} ran only ${results.size} tests:\n${tail}`));
        else resolvePromise(results);
      } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        reject(new Error(`kazoo suite against ${target} produced no results: ${(e as Error).message}\n${tail}`));
      }
    });
  });
}

describe.each([1, 3])("kazoo's own test suite, %i member(s): ours vs Apache ZooKeeper 3.8", needs(...judges), (clusterSize) => {
  let real: Results;
  let ours: Results;
  beforeAll(async () => {
    const a = await freeOffset();
    const b = await freeOffset([a]);
    [real, ours] = await Promise.all([runSuite('real', a, clusterSize), runSuite('ours', b, clusterSize)]);
    // Timing-sensitive kazoo tests (restarts, reconnects) can fail once on a loaded machine: a
    // test that passed against ZooKeeper but not against ours gets one more run, alone.
    const again = [...real]
      .filter(([id, r]) => r.outcome === 'passed' && ours.get(id)?.outcome !== 'passed')
      .map(([id]) => {
        const [cls, name] = id.split('::') as [string, string];
        const [mod, klass] = cls.split('.') as [string, string];
        return `${KAZOO_TESTS}/${mod}.py::${klass}::${name}`;
      });
    if (again.length > 0 && again.length <= 10) {
      const rerun = await runSuite('ours', await freeOffset(), clusterSize, again, again.length);
      for (const [id, r] of rerun) ours.set(id, r);
    }
  }, 30 * 60_000);
  afterAll(() => {});

  it('ran the suite against both', () => {
    expect(real.size).toBeGreaterThan(100);
    expect(ours.size).toBe(real.size);
  });

  it.each(modules)('%s: every test that passes against ZooKeeper passes against ours', (module) => {
    // pytest names classes relative to the tests folder: test_client.TestClient
    const prefix = `${module.replace(/\.py$/, '')}.`;
    const regressions: string[] = [];
    let compared = 0;
    for (const [id, r] of real) {
      if (!id.startsWith(prefix) || r.outcome !== 'passed') continue;
      compared++;
      const o = ours.get(id);
      if (o?.outcome !== 'passed') regressions.push(`${id}: ${o?.outcome ?? 'missing'} ${o?.message ?? ''}`);
    }
    expect(regressions, `${compared} tests compared`).toEqual([]);
    // A module whose tests all failed or were skipped against ZooKeeper itself compares nothing.
    const total = [...real.keys()].filter((id) => id.startsWith(prefix)).length;
    expect(total, `kazoo module ${module} has results`).toBeGreaterThan(0);
  });
});

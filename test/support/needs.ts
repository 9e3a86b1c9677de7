// What a test needs from the machine (a Debian judge, Chromium, our build...), and what happens
// where it is missing. Use the options as a describe's or a test's:
//
//   describe('zkCli.sh transcript', needs(ZKCLI, ZK_JARS), () => { ... });
//   it('...', { timeout: 60_000, ...needs(CHROMIUM) }, async () => { ... });
//
// Where something is missing, the tests skip and say why (`npm test` names every skipped test
// with its reason above its last line). Under CI=true, after `npm run setup -- --test`, every
// judge must be there: a missing one does not skip, the tests fail, each saying what is missing
// (test/support/needs-setup.ts throws before each test; realzk.ts and e2e/support.ts refuse to
// start without it). Only a need marked `mayMissInCi` (the Electron binary, which comes from
// GitHub, not from Debian) may still skip under CI.
//
// ZK_LAB_TEST_WITHOUT=<id>[,<id>...] makes needs look missing (ids below), to see what the suite
// does on a machine without them, e.g. `CI=true ZK_LAB_TEST_WITHOUT=chromium npm test -- e2e`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

declare module 'vitest' {
  interface TaskMeta {
    /** Why the test skips where it skips (what it needs and how to get it). */
    skipReason?: string;
    /** Under CI=true: what the test needs and this machine lacks (the test fails with it). */
    missingInCi?: string;
  }
}

export interface Need {
  /** Short name, for ZK_LAB_TEST_WITHOUT. */
  readonly id: string;
  /** What it is, in words. */
  readonly what: string;
  /** Why it is not here, or null where it is. */
  readonly missing: string | null;
  /** It may be missing under CI too (the test then skips with its reason). */
  readonly mayMissInCi?: boolean;
}

const ROOT = resolve(__dirname, '..', '..');
const JAVA_DIR = '/usr/share/java';
const without = new Set((process.env.ZK_LAB_TEST_WITHOUT ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** Whether this is a CI run (CI=true), where a missing judge fails instead of skipping. */
export const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');

function need(id: string, what: string, check: () => string | null, extra: { mayMissInCi?: boolean } = {}): Need {
  let missing: string | null;
  if (without.has(id)) missing = `made unavailable by ZK_LAB_TEST_WITHOUT=${process.env.ZK_LAB_TEST_WITHOUT}`;
  else missing = check();
  return { id, what, missing, ...extra };
}

/** A need met by files; `install` says how to get them. */
function files(id: string, what: string, paths: string[], install: string): Need {
  return need(id, what, () => {
    const absent = paths.filter((p) => !existsSync(p));
    return absent.length === 0 ? null : `${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} missing (${install})`;
  });
}

const debian = (pkgs: string): string => `apt-get install ${pkgs}, or npm run setup -- --test`;
const jars = (names: string[]): string[] => names.map((n) => join(JAVA_DIR, `${n}.jar`));

export const JAVA = files('java', 'Java', ['/usr/bin/java'], debian('default-jre-headless'));
export const JAVAC = files('javac', 'a Java compiler (javac)', ['/usr/bin/javac'], debian('default-jdk-headless'));
/** Apache ZooKeeper 3.8's server jars (Debian's zookeeper package), with slf4j-simple for its log. */
export const ZK_JARS = files('zookeeper-jars', "Apache ZooKeeper 3.8's jars", jars(['zookeeper', 'slf4j-simple']), debian('zookeeper'));
/** log4j 1.2 and its slf4j binding, for Apache ZooKeeper's log in its own layout (realzk's log4j option). */
export const ZK_LOG4J_JARS = files('log4j-jars', 'log4j 1.2 and slf4j-log4j12', jars(['log4j-1.2', 'slf4j-log4j12']), debian('zookeeper'));
/** The Jetty and Jackson jars Apache ZooKeeper's AdminServer needs. */
export const ZK_ADMIN_JARS = files(
  'jetty-jars',
  "the jars of Apache ZooKeeper's AdminServer (Jetty, Jackson)",
  jars(['jetty9-server', 'jetty9-servlet', 'jetty9-http', 'jetty9-util', 'jetty9-io', 'jetty9-security', 'jetty9-util-ajax', 'servlet-api', 'jackson-core', 'jackson-databind', 'jackson-annotations']),
  debian('libjetty9-java'),
);
export const ZKCLI = files('zkcli', "Apache ZooKeeper's zkCli.sh", ['/usr/share/zookeeper/bin/zkCli.sh'], debian('zookeeper-bin'));
export const CURATOR = files(
  'curator',
  "Curator's jars",
  jars(['curator-client', 'curator-framework', 'curator-recipes', 'zookeeper', 'zookeeper-jute', 'guava', 'slf4j-api', 'slf4j-simple', 'slf4j-nop']),
  debian('libcurator-framework-java libcurator-recipes-java'),
);
export const KAZOO_TESTS = '/usr/lib/python3/dist-packages/kazoo/tests';
export const KAZOO = files('kazoo', "kazoo's own test suite and pytest", ['/usr/bin/python3', KAZOO_TESTS, '/usr/lib/python3/dist-packages/pytest'], debian('python3-kazoo python3-pytest python3-mock python3-objgraph'));
export const C_CLIENT = files('c-client', 'the ZooKeeper C client library and a C compiler', ['/usr/include/zookeeper/zookeeper.h', '/usr/bin/cc'], debian('libzookeeper-mt-dev gcc libc6-dev'));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM = files('chromium', 'Chromium', [CHROMIUM_PATH], debian('chromium'));
export const TMUX = need('tmux', 'tmux', () => (spawnSync('tmux', ['-V']).status === 0 ? null : `tmux does not run here (${debian('tmux')})`));
/** Our server and shell, built (bin/zk-server and bin/zk-cli run dist/). */
export const OUR_BUILD = files('build', 'our server and shell, built', [join(ROOT, 'dist', 'server', 'main.js'), join(ROOT, 'dist', 'client', 'shell', 'main.js')], 'npm run build');
/** The lab's browser mode, built (the e2e tests open it in Chromium). */
export const LAB_BUILD = files('lab-build', "the lab's browser mode, built", [join(ROOT, 'dist', 'web', 'main.js'), join(ROOT, 'out', 'renderer', 'index.html')], 'npm run build');

/** The reason a set of needs is not met, or null where all are there. */
export function missingOf(list: Need[]): string | null {
  const absent = list.filter((n) => n.missing !== null);
  return absent.length === 0 ? null : absent.map((n) => `needs ${n.what}: ${n.missing}`).join('; ');
}

/**
 * Test or describe options for tests that need `list`: nothing where all is there; where
 * something is missing, skip with the reason, or, under CI=true, run and fail with it (a need
 * marked mayMissInCi skips there too).
 */
export function needs(...list: Need[]): { skip?: boolean; meta?: { skipReason?: string; missingInCi?: string } } {
  const reason = missingOf(list);
  if (reason === null) return {};
  if (inCi && !list.every((n) => n.missing === null || n.mayMissInCi)) {
    return { meta: { missingInCi: `CI=true and this machine lacks what the test needs: ${missingOf(list.filter((n) => !n.mayMissInCi))}` } };
  }
  return { skip: true, meta: { skipReason: reason } };
}

/** Throws, saying what is missing, unless every need is met (for harnesses that start judges). */
export function requireAll(...list: Need[]): void {
  const reason = missingOf(list);
  if (reason !== null) throw new Error(`cannot start: ${reason}`);
}

/** A need that the caller checks itself (e.g. the Electron binary, a display). */
export function custom(id: string, what: string, check: () => string | null, extra: { mayMissInCi?: boolean } = {}): Need {
  return need(id, what, check, extra);
}

// npm run setup: installs everything ZooKeeper Lab needs and builds it.
//   npm run setup              npm packages + build (enough to run the lab)
//   npm run setup -- --test    also the Debian packages the tests use as judges (zookeeper,
//                              zkCli.sh, Curator, kazoo, a JDK, chromium), with apt
// Native modules build from source where no prebuilt binary fits (better-sqlite3; node-pty, an
// optional dependency, for the terminals): first it says plainly whether the tools for that are
// here, and on Debian/Ubuntu as root offers the one apt line. The Electron binary comes from
// GitHub: it is fetched on its own, so a machine without access to it still gets a working
// install (browser mode).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname, delimiter } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => console.log(`ZooKeeper Lab setup: ${line}`);
const windows = process.platform === 'win32';

/** The first of `names` found on PATH, or null. */
function onPath(names) {
  const exts = windows ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) for (const ext of exts) if (dir && existsSync(join(dir, name + ext))) return join(dir, name + ext);
  }
  return null;
}

/** Runs a command with the output shown; exits with its status when it fails. */
function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, shell: windows });
  if (r.error) {
    say(`${cmd} could not be run (${r.error.code ?? r.error.message}): is it installed and on the PATH?`);
    process.exit(1);
  }
  if (r.status !== 0) {
    say(`${cmd} ${args.join(' ')} failed (exit status ${r.status ?? r.signal}); the lines above say why.`);
    process.exit(r.status || 1);
  }
}

/** What building native modules from source needs and is missing here (Windows: node-gyp finds Visual Studio itself). */
function missingBuildTools() {
  if (windows) return [];
  const missing = [];
  if (!onPath(['c++', 'g++', 'clang++'])) missing.push({ what: 'a C++ compiler (c++, g++ or clang++)', deb: 'g++' });
  if (!onPath(['make'])) missing.push({ what: 'make', deb: 'make' });
  if (!onPath(['python3', 'python'])) missing.push({ what: 'Python 3 (node-gyp runs it)', deb: 'python3' });
  return missing;
}

async function offerBuildTools() {
  const missing = missingBuildTools();
  if (missing.length === 0) return;
  say(`missing for building native modules from source: ${missing.map((m) => m.what).join(', ')}.`);
  say('npm uses prebuilt binaries where they fit; where none does, better-sqlite3 (the history) fails to install and node-pty (the terminals) is left out.');
  const debian = existsSync('/etc/debian_version');
  const aptLine = `apt-get install -y ${[...new Set(missing.map((m) => m.deb))].join(' ')}`;
  if (process.platform === 'darwin') say('on macOS: xcode-select --install');
  else if (!debian) say('install them with your package manager, then run npm run setup again.');
  else if (process.getuid?.() !== 0) say(`on Debian/Ubuntu: sudo apt-get update && sudo ${aptLine}`);
  else if (!process.stdin.isTTY) say(`on Debian/Ubuntu: apt-get update && ${aptLine} (not run: no terminal to ask in).`);
  else {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await rl.question(`ZooKeeper Lab setup: run "apt-get update && ${aptLine}" now? [y/N] `)).trim().toLowerCase();
    rl.close();
    if (answer === 'y' || answer === 'yes') {
      run('apt-get', ['update', '-qq']);
      run('apt-get', aptLine.split(' ').slice(1), { DEBIAN_FRONTEND: 'noninteractive' });
    } else say('going on without them.');
  }
}

if (process.argv.includes('--test')) run('sh', [join('scripts', 'install-debian-deps.sh')]);
await offerBuildTools();

say('installing npm packages...');
run('npm', ['install', '--no-audit', '--no-fund'], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
if (!existsSync(join(root, 'node_modules', 'node-pty'))) say('node-pty could not be installed: the lab works without it, but its Terminals view is unavailable (see above for what is missing).');

const pathTxt = join(root, 'node_modules', 'electron', 'path.txt');
if (existsSync(pathTxt) && existsSync(join(root, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim()))) {
  say('the Electron binary is present.');
} else if (process.env.ZK_LAB_SKIP_ELECTRON === '1') {
  say('skipping the Electron download (ZK_LAB_SKIP_ELECTRON=1); the lab will open in your browser.');
} else {
  say('downloading the Electron binary...');
  const r = spawnSync(process.execPath, ['install.js'], { cwd: join(root, 'node_modules', 'electron'), encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0) say("Electron installed; 'npm start' opens the desktop app.");
  else {
    // Its first error line says why (e.g. "RequestError: getaddrinfo ENOTFOUND github.com"); the stack below it does not.
    const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').map((l) => l.trim());
    const why = lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? r.error?.message ?? 'no answer within 5 minutes';
    say(`the Electron binary could not be downloaded (${why}).`);
    say("that is fine: 'npm start' will open the lab in your browser instead.");
  }
}

say('building...');
run('npm', ['run', 'build']);
say('done.');

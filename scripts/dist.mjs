// npm run dist: builds the app, packs the installers with electron-builder (electron-builder.yml),
// then gives the checkout back its native modules built for Node. electron-builder rebuilds
// better-sqlite3 and node-pty in node_modules for Electron's ABI before packing them; left so,
// the browser mode, bin/zk-lab and the tests (which run on Node) could no longer load them.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const run = (file, args) => spawnSync(file, args, { stdio: 'inherit', shell: false }).status ?? 1;

if (run(npm, ['run', 'build']) !== 0) process.exit(1);
const packed = run(npx, ['electron-builder', '--config', 'electron-builder.yml', ...process.argv.slice(2)]);
console.log('ZooKeeper Lab dist: rebuilding better-sqlite3 and node-pty for Node again (electron-builder built them for Electron)...');
const restored = run(npm, ['rebuild', 'better-sqlite3', 'node-pty']);
if (packed !== 0) {
  console.error('ZooKeeper Lab dist: electron-builder failed (above). It needs to download the Electron binary for the target from GitHub; on a machine that cannot, installers cannot be built (README, Installers).');
}
if (restored !== 0) console.error('ZooKeeper Lab dist: `npm rebuild better-sqlite3 node-pty` failed; run it again before using the lab from this checkout.');
process.exit(packed !== 0 || restored !== 0 ? 1 : 0);

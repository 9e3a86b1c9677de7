// npm start: the desktop app where the Electron binary and a display exist; otherwise the same
// lab in the browser: one line with the address is printed and the default browser opens it
// (`--no-open` to skip that).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'web', 'main.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
  console.error('ZooKeeper Lab is not built yet: run `npm run setup` first.');
  process.exit(1);
}
const pathTxt = join(root, 'node_modules', 'electron', 'path.txt');
const electronBin = existsSync(pathTxt) ? join(root, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim()) : null;
const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === 'darwin' || process.platform === 'win32';
const browserOnly = process.argv.includes('--browser') || process.env.ZK_LAB_BROWSER === '1';

let child;
if (!browserOnly && electronBin && existsSync(electronBin) && display) {
  child = spawn(electronBin, [root], { stdio: 'inherit', env: { ...process.env, ZK_LAB_NODE: process.execPath } });
} else {
  const why = browserOnly ? 'browser mode was asked for' : !electronBin || !existsSync(electronBin) ? 'the Electron binary is not installed' : 'there is no display';
  console.log(`ZooKeeper Lab runs in browser mode (${why}); open the address below.`);
  child = spawn(process.execPath, [join(root, 'dist', 'web', 'main.js'), ...process.argv.slice(2).filter((a) => a !== '--browser' && a !== '--no-open')], { stdio: ['inherit', 'pipe', 'inherit'] });
  // Its output is ours, as it prints it; the line with the address also opens the default browser.
  let seen = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (seen === null) return;
    seen += chunk.toString();
    const m = /ZooKeeper Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(seen);
    if (!m) return;
    seen = null;
    if (process.argv.includes('--no-open')) console.log('ZooKeeper Lab: not opening a browser (--no-open).');
    else openBrowser(m[1]);
  });
}

/** Opens `url` in the default browser (xdg-open, open, start); if that fails, says so: the address is printed above. */
function openBrowser(url) {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  const opener = spawn(cmd, args, { stdio: 'ignore', detached: true });
  opener.on('error', (e) => console.log(`ZooKeeper Lab: could not open a browser (${cmd}: ${e.code ?? e.message}); open the address above yourself.`));
  opener.on('exit', (code) => {
    if (code) console.log(`ZooKeeper Lab: ${cmd} could not open a browser (exit status ${code}); open the address above yourself.`);
  });
  opener.unref();
}
// A closed terminal leaves stdout without a reader: writing must not end us before the lab stops.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
let stopping = false;
const stop = (sig, why) => {
  if (stopping) return;
  stopping = true;
  if (why) console.log(`ZooKeeper Lab: ${why}; stopping the lab.`);
  child.kill(sig);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig));
// SIGTERM to the `npm start` process reaches only npm and the shell npm runs us under, which
// dies without passing it on: we would be left running, the lab's members with us. So when our
// parent goes away (we are handed to another one), stop as if we had the signal.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM', `the process that started it (pid ${parent}) went away`);
}, 250).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

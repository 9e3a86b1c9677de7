// What envi / environment and mntr report about the process, in the JVM's names (Node's values),
// and java.util.Date's text form for dump.
import { arch, freemem, homedir, hostname, platform, release, tmpdir, totalmem, userInfo } from 'node:os';

/** envi's key=value pairs (zookeeper.version, host.name, java.*, os.*, user.*). */
export function environment(version: string): [string, string][] {
  return [
    ['zookeeper.version', version],
    ['host.name', hostname()],
    ['java.version', `node ${process.version}`],
    ['java.vendor', 'ZooKeeper Lab (Node.js)'],
    ['java.home', process.execPath],
    ['java.class.path', __dirname],
    ['java.library.path', ''],
    ['java.io.tmpdir', tmpdir()],
    ['java.compiler', '<NA>'],
    ['os.name', platform() === 'linux' ? 'Linux' : platform()],
    ['os.arch', arch() === 'x64' ? 'amd64' : arch()],
    ['os.version', release()],
    ['user.name', safeUser()],
    ['user.home', homedir()],
    ['user.dir', process.cwd()],
    ['os.memory.free', `${Math.round(freemem() / 1048576)}MB`],
    ['os.memory.max', `${Math.round(totalmem() / 1048576)}MB`],
    ['os.memory.total', `${Math.round(process.memoryUsage().rss / 1048576)}MB`],
  ];
}

/** java.util.Date.toString(): "Wed Nov 25 07:13:04 UTC 2026". */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * The process's open file descriptors, where the system lists them (/proc/self/fd on Linux,
 * /dev/fd on macOS and the BSDs); -1 elsewhere (Windows), as ZooKeeper has the count only on Unix.
 */
export function openFds(platform: NodeJS.Platform = process.platform): number {
  const dir = platform === 'linux' ? '/proc/self/fd' : platform === 'win32' ? null : '/dev/fd';
  if (dir === null) return -1;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:fs').readdirSync(dir).length;
  } catch {
    return -1;
  }
}

/**
 * The open-files limit (the soft RLIMIT_NOFILE, as the JVM's getMaxFileDescriptorCount), where
 * the system says it without a shell: Linux's /proc/self/limits. -1 elsewhere (mntr leaves the
 * key out then rather than guess).
 */
export function maxFds(platform: NodeJS.Platform = process.platform, read: () => string = () => require('node:fs').readFileSync('/proc/self/limits', 'utf8')): number {
  if (platform !== 'linux') return -1;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(read());
    if (!m) return -1;
    return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return -1;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}


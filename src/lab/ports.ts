// Ports for a lab's members and relays. A lab picks dozens of ports (a 5-member lab: 20 for the
// members, 45 for the relays) and its members bind theirs seconds later, one by one. Two things
// could take a port in between: any program's outgoing connection, whose local port the kernel
// takes from the ephemeral range, and another lab choosing at the same time. So ports come from
// below every platform's ephemeral range (Linux 32768–60999, macOS and Windows 49152–65535),
// and each chosen port is reserved for a while with a file in a folder all labs on this machine
// share, which the others skip.
import { closeSync, mkdirSync, openSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import { LAB_PORT_MAX, LAB_PORT_MIN } from '../shared/limits';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLabDirs } from './dirs';

/** Below the ephemeral ranges; above the well-known and most registered services' ports. */
export { LAB_PORT_MAX, LAB_PORT_MIN };
/** How long a reservation holds: long enough for the slowest launch (Apache members on a busy machine). */
const RESERVE_MS = 15 * 60_000;

const reservations = (): string => join(tmpdir(), 'zk-lab-ports');

/** Whether the port can be bound on 127.0.0.1 right now. */
export function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Takes the reservation of `port` unless another lab (or test server) holds a fresh one. Test
 * servers reserve theirs here too (test/support/realzk.ts), so that two processes choosing ports
 * at the same time never both get one.
 *
 * A new reservation is an exclusive create. A stale one (older than RESERVE_MS) is taken over
 * under a lock, `<port>.reclaim`, an exclusive mkdir: whoever holds it looks again and touches
 * the file if it is still stale. Unlinking a stale file and creating it again, as this did,
 * let two processes that both saw it stale both take it (the second unlinked the first's new
 * file): a full run once had two labs on one port. `afterStaleSeen` lets a test interleave
 * another reclaim at the moment that race needed.
 */
export function reservePort(port: number, afterStaleSeen?: () => void): boolean {
  const dir = reservations();
  makeLabDirs(dir);
  const file = join(dir, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    // Held: by a fresh reservation, or a stale one to take over.
  }
  const fresh = (): boolean => {
    try {
      return Date.now() - statSync(file).mtimeMs < RESERVE_MS;
    } catch {
      return false;
    }
  };
  if (fresh()) return false;
  afterStaleSeen?.(); // tests: another process reclaiming right here
  const lock = `${file}.reclaim`;
  try {
    mkdirSync(lock);
  } catch {
    // Another process is taking it over; a lock its owner never removed (it died there) goes
    // after a minute, and the port is left for a later draw meanwhile.
    try {
      if (Date.now() - statSync(lock).mtimeMs > 60_000) rmdirSync(lock);
    } catch {
      // gone already
    }
    return false;
  }
  try {
    if (fresh()) return false;
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      closeSync(openSync(file, 'wx')); // removed meanwhile: create it (EEXIST if someone did)
    }
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(lock);
  }
}

/** Picks `n` distinct free ports for one lab. */
export async function labPorts(n: number, random: () => number = Math.random): Promise<number[]> {
  const out: number[] = [];
  const tried = new Set<number>();
  const span = LAB_PORT_MAX - LAB_PORT_MIN + 1;
  while (out.length < n) {
    if (tried.size >= span) throw new Error(`No ${n} free ports between ${LAB_PORT_MIN} and ${LAB_PORT_MAX} on 127.0.0.1: close other labs or programs using them.`);
    const p = LAB_PORT_MIN + Math.floor(random() * span);
    if (tried.has(p)) continue;
    tried.add(p);
    if (!(await bindable(p))) continue;
    if (!reservePort(p)) continue;
    out.push(p);
  }
  return out;
}

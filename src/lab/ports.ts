// Ports for a lab's members and relays. A lab picks dozens of ports (a 5-member lab: 20 for the
// members, 45 for the relays) and its members bind theirs seconds later, one by one. Two things
// could take a port in between: any program's outgoing connection, whose local port the kernel
// takes from the ephemeral range, and another lab choosing at the same time. So ports come from
// below every platform's ephemeral range (Linux 32768–60999, macOS and Windows 49152–65535),
// and each chosen port is reserved for a while with a file in a folder all labs on this machine
// share, which the others skip.
import { openSync, closeSync, statSync, unlinkSync } from 'node:fs';
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
 */
export function reservePort(port: number): boolean {
  const dir = reservations();
  makeLabDirs(dir);
  const file = join(dir, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < RESERVE_MS) return false;
      unlinkSync(file);
      closeSync(openSync(file, 'wx'));
      return true;
    } catch {
      return false;
    }
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

// Connect strings as ZooKeeper's ConnectStringParser reads them:
// "host1:2181,host2:2182,[::1]:2183/app/chroot". A host without a port gets 2181.
import { pathError } from '../protocol/paths';
import { IllegalArgumentError } from './errors';

export const DEFAULT_CLIENT_PORT = 2181;

export interface HostPort {
  host: string;
  port: number;
}

export interface ConnectString {
  hosts: HostPort[];
  /** The chroot without a trailing slash, or null when there is none (or it is "/"). */
  chroot: string | null;
}

/** Parses a connect string; throws IllegalArgumentError with a sentence saying what is wrong. */
export function parseConnectString(s: string): ConnectString {
  const text = s.trim();
  if (text === '') throw new IllegalArgumentError('Connect string is empty: expected host:port[,host:port...][/chroot]');
  let chroot: string | null = null;
  let hostPart = text;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    hostPart = text.slice(0, slash);
    const path = text.slice(slash);
    if (path.length > 1) {
      const reason = pathError(path);
      if (reason !== null) throw new IllegalArgumentError(`Invalid chroot in connect string: ${reason}`);
      chroot = path;
    }
  }
  const hosts: HostPort[] = [];
  for (const raw of hostPart.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    hosts.push(parseHostPort(entry));
  }
  if (hosts.length === 0) throw new IllegalArgumentError(`Connect string "${s}" names no host: expected host:port[,host:port...]`);
  return { hosts, chroot };
}

/** "host", "host:port", "[v6]", "[v6]:port". */
export function parseHostPort(entry: string): HostPort {
  let host = entry;
  let portText: string | null = null;
  if (entry.startsWith('[')) {
    const end = entry.indexOf(']');
    if (end < 0) throw new IllegalArgumentError(`Host "${entry}" opens [ without closing it`);
    host = entry.slice(1, end);
    const rest = entry.slice(end + 1);
    if (rest.startsWith(':')) portText = rest.slice(1);
    else if (rest !== '') throw new IllegalArgumentError(`Host "${entry}" has text after ]: expected [address]:port`);
  } else {
    const colon = entry.lastIndexOf(':');
    if (colon >= 0) {
      host = entry.slice(0, colon);
      portText = entry.slice(colon + 1);
    }
  }
  let port = DEFAULT_CLIENT_PORT;
  if (portText !== null) {
    if (!/^\d+$/.test(portText)) throw new IllegalArgumentError(`Port "${portText}" of "${entry}" is not a number`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw new IllegalArgumentError(`Port ${port} of "${entry}" is out of range 1-65535`);
  }
  if (host === '') throw new IllegalArgumentError(`"${entry}" has an empty host name`);
  return { host, port };
}

/** "host:port" ("[v6]:port" for IPv6 literals). */
export function formatHostPort(h: HostPort): string {
  return h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}

/** A client path as the server knows it: under the connect string's chroot (null: none). */
export function withChroot(chroot: string | null, path: string): string {
  if (chroot === null) return path;
  return path === '/' ? chroot : chroot + path;
}

/** A server path as the client knows it: the chroot taken off (paths outside it unchanged). */
export function withoutChroot(chroot: string | null, serverPath: string): string {
  if (chroot === null) return serverPath;
  if (serverPath === chroot) return '/';
  if (serverPath.startsWith(chroot + '/')) return serverPath.slice(chroot.length);
  return serverPath;
}

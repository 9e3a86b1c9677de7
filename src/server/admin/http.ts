// The AdminServer: GET <commandURL> lists commands, GET <commandURL>/<name> answers JSON with
// HTTP 200 always, as Jetty's AdminServer in ZooKeeper 3.8 does. Two guards of the lab's own:
// on a loopback address the Host header must name a loopback address or the configured one (a
// web page on a DNS-rebound name must not read it), and the lab's state-changing commands
// (labStateChange) need POST and the lab's secret in a header, which no web page can send.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Commands } from './commands';
import { jacksonStringify } from './jackson';
import { labStateChange } from './lab-commands';

/** The header that carries the lab's secret (a custom header: a cross-site page cannot send it without a preflight we never answer). */
export const LAB_SECRET_HEADER = 'x-zk-lab-secret';

export interface AdminOptions {
  /** admin.serverAddress */
  address: string;
  /** The lab's secret for its state-changing commands (ZK_LAB_ADMIN_SECRET); null: they are refused. */
  secret: string | null;
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The host name of a Host header, without port or IPv6 brackets. */
function hostName(header: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (m) return m[1]!.toLowerCase();
  return header.replace(/:\d+$/, '').toLowerCase();
}

/** Whether the Host header may be served: anything when we listen beyond loopback, else loopback names or the configured address. */
export function hostAllowed(req: IncomingMessage, address: string): boolean {
  if (!isLoopback(address)) return true;
  const header = req.headers.host;
  if (header === undefined) return true; // HTTP/1.0: no name to rebind
  const name = hostName(header);
  return isLoopback(name) || name === address.toLowerCase();
}

function secretMatches(given: string | string[] | undefined, secret: string | null): boolean {
  if (secret === null || typeof given !== 'string' || given.length !== secret.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(secret));
}

export function createAdminServer(commands: Commands, commandUrl: string, opts: AdminOptions): Server {
  const prefix = commandUrl.replace(/\/+$/, '');
  return createServer((req, res) => {
    if (!hostAllowed(req, opts.address)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end(`Host ${req.headers.host} is not this AdminServer's (${opts.address}); use http://${opts.address}:<port>/.\n`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    const name = path.startsWith(prefix + '/') ? safeDecode(path.slice(prefix.length + 1)) : null;
    // A POST of a lab command is the lab's, whatever its arguments: it carries the secret too.
    const changes = name !== null && (labStateChange(name, url.searchParams) || (req.method === 'POST' && name.startsWith('lab_')));
    if (changes) {
      const refusal =
        req.method !== 'POST'
          ? `${name} with these arguments changes the member: send it as POST with the lab's secret (header ${LAB_SECRET_HEADER}).`
          : opts.secret === null
            ? `${name} changes the member, and this member has no lab secret (ZK_LAB_ADMIN_SECRET in its environment): only the lab that started it may.`
            : !secretMatches(req.headers[LAB_SECRET_HEADER], opts.secret)
              ? `${name} changes the member: the ${LAB_SECRET_HEADER} header is missing or not this lab's secret.`
              : null;
      if (refusal) {
        res.writeHead(req.method !== 'POST' ? 405 : 403, { 'Content-Type': 'application/json', ...(req.method !== 'POST' ? { Allow: 'POST' } : {}) });
        res.end(jacksonStringify({ command: name, error: refusal }));
        return;
      }
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('Only GET is supported.\n');
      return;
    }
    if (path === prefix) {
      const names = Object.keys(Commands.NAMES).sort();
      const html = names.map((n) => `<a href="${prefix}/${n}">${n}</a><br/>\n`).join('');
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(html);
      return;
    }
    if (name === null) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`Not found: ${url.pathname}; try ${prefix}\n`);
      return;
    }
    let body: string;
    try {
      body = jacksonStringify(commands.admin(name, url.searchParams));
    } catch (e) {
      body = jacksonStringify({ command: name, error: `Internal error: ${(e as Error).message}` });
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

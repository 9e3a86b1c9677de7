// The AdminServer: GET <commandURL> lists commands, GET <commandURL>/<name> answers JSON with
// HTTP 200 always, as Jetty's AdminServer in ZooKeeper 3.8 does.
import { createServer, type Server } from 'node:http';
import { Commands } from './commands';
import { jacksonStringify } from './jackson';

export function createAdminServer(commands: Commands, commandUrl: string): Server {
  const prefix = commandUrl.replace(/\/+$/, '');
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('Only GET is supported.\n');
      return;
    }
    if (path === prefix) {
      const names = Object.keys(Commands.NAMES).sort();
      const html = names.map((n) => `<a href="${prefix}/${n}">${n}</a><br/>\n`).join('');
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(html);
      return;
    }
    if (!path.startsWith(prefix + '/')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`Not found: ${url.pathname}; try ${prefix}\n`);
      return;
    }
    const name = decodeURIComponent(path.slice(prefix.length + 1));
    let body: string;
    try {
      body = jacksonStringify(commands.admin(name, url.searchParams));
    } catch (e) {
      body = jacksonStringify({ command: name, error: `Internal error: ${(e as Error).message}` });
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  });
}

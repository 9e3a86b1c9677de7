#!/usr/bin/env node
// bin/zk-server <zoo.cfg>: one server member in the foreground (zk-server.ts). Source maps are
// turned on before any of the member's modules loads (Node maps only files loaded after), so the
// log's class@line slot and a crash's stack name the .ts lines, not dist's.
process.setSourceMapsEnabled(true);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main } = require('./zk-server') as typeof import('./zk-server');

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`zk-server: unexpected failure: ${e.stack ?? e.message}\n`);
  process.exit(1);
});

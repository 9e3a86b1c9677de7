// `node dist/web/main.js [--port N]`: the lab in browser mode. Prints one line with the address
// (token included) and runs until interrupted; every node it started dies with it.
import { LabService } from '../lab/service';
import { startWebServer } from './server';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 0;
  const lab = new LabService(process.env.ZK_LAB_NAME ?? 'default');
  const web = await startWebServer(lab, { port, token: process.env.ZK_LAB_TOKEN });
  process.stdout.write(`ZooKeeper Lab: ${web.url}\n`);
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    lab.close();
    void web.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
  // When Electron (or any parent) that started us goes away, so do we and our nodes.
  process.on('disconnect', shutdown);
  process.on('exit', () => lab.close());
}

main().catch((e: Error) => {
  process.stderr.write(`ZooKeeper Lab could not start: ${e.message}\n`);
  process.exit(1);
});

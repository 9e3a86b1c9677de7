// `node dist/web/main.js [--port N]`: the lab backend, in browser mode or behind Electron. Prints
// one line with the address (token included) and runs until interrupted; every node it started
// dies with it: on a signal, when the parent that started it goes away, and on its own crash.
// (A SIGKILL leaves nothing to run: the members live on, and the next start adopts them, see supervisor.ts.)
import { acquireInstance, type InstanceLock } from '../lab/instance';
import { LabService } from '../lab/service';
import { guardProcess } from './crash-guard';
import { startWebServer } from './server';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port wants a port number (0 for any free one), not "${process.argv[i + 1]}".`);
  const name = process.env.ZK_LAB_NAME ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new Error(`ZK_LAB_NAME must be a plain folder name (letters, digits, . _ -), not "${name}".`);
  let lock: InstanceLock | null = null;
  let lab: LabService | null = null;
  let closing = false;
  let closed = false;
  // A closed terminal (SIGHUP) leaves stdout without a reader: writing must not end us early.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  /** Stops everything the lab started, once, and says what (why: a signal, zk-lab shutdown, exit). */
  const closeAll = (why = 'exiting'): void => {
    if (closed) return;
    closed = true;
    const stopped = lab?.close() ?? '';
    lock?.release();
    process.stdout.write(`ZooKeeper Lab stopped (${why}): ${stopped ? `${stopped}; ` : ''}the backend (pid ${process.pid}).\n`);
  };
  // Registered before the lab exists, so that no path out of this process leaves nodes behind.
  process.on('exit', () => closeAll());
  let serving = false;
  guardProcess({
    started: () => serving,
    crash: (text) => {
      process.stderr.write(`ZooKeeper Lab crashed while starting: ${text}\n`);
      closeAll('crashed');
      process.exit(70);
    },
    report: (message) => lab?.emit('push', { kind: 'backend.error', time: Date.now(), message }),
  });
  lock = acquireInstance(name);
  lab = new LabService(name);
  const web = await startWebServer(lab, { port, token: process.env.ZK_LAB_TOKEN });
  lock.setUrl(web.url);
  process.stdout.write(`ZooKeeper Lab: ${web.url}\n`);
  serving = true;
  const shutdown = (why: string): void => {
    if (closing) return;
    closing = true;
    closeAll(why);
    void web.close().then(() => process.exit(0));
  };
  // zk-lab shutdown: members down, then this backend (the lab's folder stays).
  lab.on('shutdown', () => shutdown('zk-lab shutdown'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => shutdown(sig));
  // When Electron (or any parent) that started us over an IPC channel goes away, so do we.
  process.on('disconnect', () => shutdown('the app that started it went away'));
}

main().catch((e: Error) => {
  process.stderr.write(`ZooKeeper Lab could not start: ${e.message}\n`);
  process.exit(1);
});

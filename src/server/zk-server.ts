// bin/zk-server <zoo.cfg> (entered through main.ts): one server member in the foreground. Logs
// go to stdout; a bad zoo.cfg, a port in use or an unusable dataDir end the process with one
// clear sentence.
import { accessSync, constants } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Commands } from './admin/commands';
import { createAdminServer } from './admin/http';
import { createPrometheusServer, prometheusConfig } from './admin/prometheus';
import { ConfigError, isDistributed, loadConfig, type ServerConfig } from './config';
import type { Logger, ServerCore } from './core';
import { logThreshold, makeLogger } from './log';
import { ClientConnection } from './net/connection';
import { LoadError, openMember, type Member } from './member';
import { systemClock } from './runtime/clock';
import { systemNet } from './runtime/net';
import { readJaasUsers } from './auth/sasl';
import { makeDirsSync, nodeDisk } from './runtime/disk';
import { DiskFaults } from './runtime/disk-faults';
import { FileStorage } from './storage/file-storage';

const FOUR_LETTER_CODES = new Set(['ruok', 'srvr', 'stat', 'conf', 'cons', 'crst', 'dump', 'envi', 'mntr', 'wchs', 'wchc', 'wchp', 'dirs', 'isro', 'srst', 'gtmk', 'stmk', 'hash']);

/** A fatal startup problem: printed as one sentence, exit status 1. */
class StartupError extends Error {}

function prepareDir(dir: string, what: string): void {
  try {
    makeDirsSync(join(dir, 'version-2'));
    accessSync(join(dir, 'version-2'), constants.W_OK | constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new StartupError(`${what} ${dir} is not usable (${code}); make it a writable directory or point ${what} in zoo.cfg elsewhere.`);
  }
}

function listen(server: Server | import('node:http').Server, port: number, host: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      if (e.code === 'EADDRINUSE') {
        reject(new StartupError(`${what} ${host}:${port} is already in use by another program; stop it or choose another port in zoo.cfg.`));
      } else if (e.code === 'EACCES') {
        reject(new StartupError(`${what} ${host}:${port} may not be opened by this user (EACCES); choose a port above 1024 in zoo.cfg.`));
      } else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') {
        reject(new StartupError(`${what} address ${host} is not an address of this machine; fix it in zoo.cfg.`));
      } else {
        reject(new StartupError(`${what} ${host}:${port} could not be opened: ${e.message}.`));
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Starts a member from a parsed config; resolves once it listens. Returns a stop function. */
export async function startServer(cfg: ServerConfig, log: Logger): Promise<{ stop(): Promise<void>; core: ServerCore }> {
  prepareDir(cfg.dataDir, 'dataDir');
  if (cfg.dataLogDir !== cfg.dataDir) prepareDir(cfg.dataLogDir, 'dataLogDir');
  for (const w of cfg.warnings) log('WARN', w);
  const metricsProvider = prometheusConfig(cfg.properties);
  if ('error' in metricsProvider) throw new StartupError(metricsProvider.error);
  if (metricsProvider.warning) log('WARN', metricsProvider.warning);

  // The member's disk, with the lab's faults on it (off until the lab turns them on).
  const diskFaults = new DiskFaults();
  const jaas = cfg.properties.get('java.security.auth.login.config');
  const readJaas = (core: ServerCore): void => {
    if (jaas === undefined) return;
    try {
      core.saslUsers = readJaasUsers(jaas);
      log('INFO', `SASL DIGEST-MD5 enabled for ${core.saslUsers.size} user(s) from ${jaas}`);
    } catch (e) {
      throw new StartupError(`The JAAS file ${jaas} (java.security.auth.login.config) cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
    }
  };
  // A deliberately broken member, for the consistency checker's tests only (README: "A broken
  // member, for tests only"): read once here, so the ZAB cores stay free of the environment.
  const unsafeCommit = process.env.ZK_TEST_UNSAFE_COMMIT === '1';
  if (unsafeCommit && isDistributed(cfg)) log('WARN', 'ZK_TEST_UNSAFE_COMMIT=1: THIS MEMBER IS BROKEN ON PURPOSE. As leader it acknowledges a write once its own log has it, before a quorum logged it, and sends it to the others only two ticks later: a leader killed loses acknowledged writes. For testing the consistency checker only; never run it otherwise.');
  let member: Member;
  try {
    member = await openMember(cfg, log, { disk: diskFaults.wrap(nodeDisk), clock: systemClock(), net: systemNet }, readJaas, { unsafeCommit });
  } catch (e) {
    if (e instanceof LoadError || e instanceof StartupError) throw new StartupError(e.message);
    const err = e as NodeJS.ErrnoException;
    const me = cfg.servers.get(cfg.myid ?? -1);
    if (me && err.code === 'EADDRINUSE') throw new StartupError(`Election port ${me.host}:${me.electionPort} is already in use by another program; stop it or choose another port in server.${cfg.myid}.`);
    if (me && err.code) throw new StartupError(`Election port ${me.host}:${me.electionPort} could not be opened: ${err.message}.`);
    throw new StartupError(err.message);
  }
  const { core } = member;
  if (core.storage instanceof FileStorage) core.diskFaults = diskFaults;
  core.events.emit({ type: 'server.started', myid: cfg.myid ?? 0, mode: isDistributed(cfg) ? 'quorum' : 'standalone', zxid: core.lastProcessedZxid, pid: process.pid });

  const commands = new Commands(core);
  const perIp = new Map<string, number>();
  const clientServer = createNetServer((socket) => {
    const ip = socket.remoteAddress ?? '';
    const n = perIp.get(ip) ?? 0;
    if (cfg.maxClientCnxns > 0 && n >= cfg.maxClientCnxns) {
      log('WARN', `Too many connections from /${ip} - max is ${cfg.maxClientCnxns}`);
      socket.destroy();
      return;
    }
    perIp.set(ip, n + 1);
    socket.once('close', () => {
      const m = (perIp.get(ip) ?? 1) - 1;
      if (m <= 0) perIp.delete(ip);
      else perIp.set(ip, m);
    });
    new ClientConnection(
      socket,
      core,
      (word) => (cfg.fourLetterWhitelist.has(word) ? commands.fourLetter(word) : `${word} is not executed because it is not in the whitelist.\n`),
      FOUR_LETTER_CODES,
    );
  });
  await listen(clientServer, cfg.clientPort, cfg.clientPortAddress, 'Client port');
  log('INFO', `binding to port /${cfg.clientPortAddress}:${cfg.clientPort}`);

  let adminServer: import('node:http').Server | null = null;
  if (cfg.adminEnableServer) {
    adminServer = createAdminServer(commands, cfg.adminCommandUrl, { address: cfg.adminServerAddress, secret: process.env.ZK_LAB_ADMIN_SECRET || null });
    try {
      await listen(adminServer, cfg.adminServerPort, cfg.adminServerAddress, 'AdminServer port');
    } catch (e) {
      clientServer.close();
      throw e;
    }
    log('INFO', `Started AdminServer on address ${cfg.adminServerAddress}, port ${cfg.adminServerPort} and command URL ${cfg.adminCommandUrl}`);
  }
  let metricsServer: import('node:http').Server | null = null;
  const endpoint = metricsProvider.endpoint;
  if (endpoint) {
    commands.prometheus = endpoint;
    metricsServer = createPrometheusServer(core, () => commands.metricValues(), endpoint);
    try {
      await listen(metricsServer, endpoint.port, endpoint.host, 'Prometheus metrics port (metricsProvider.httpPort)');
    } catch (e) {
      clientServer.close();
      adminServer?.close();
      throw e;
    }
    log('INFO', `Starting /metrics HTTP endpoint at host: ${endpoint.host}, port: ${endpoint.port}, exportJvmInfo: ${endpoint.exportJvmInfo}`);
  }
  log('INFO', `ZooKeeper Lab server started in ${isDistributed(cfg) ? 'quorum' : 'standalone'} mode, last zxid 0x${core.lastProcessedZxid.toString(16)}, pid ${process.pid}`);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clientServer.close();
      adminServer?.close();
      adminServer?.closeAllConnections?.();
      metricsServer?.close();
      metricsServer?.closeAllConnections?.();
      await member.close();
    })();
    return stopping;
  };
  return { stop, core };
}

export async function main(argv: string[]): Promise<void> {
  if (argv.length !== 1 || argv[0] === '-h' || argv[0] === '--help') {
    process.stderr.write('usage: zk-server <path/to/zoo.cfg>\n');
    process.exit(2);
  }
  let cfg: ServerConfig;
  try {
    cfg = loadConfig(argv[0]!);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`zk-server: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const level = logThreshold(process.env, cfg.properties);
  if ('error' in level) {
    process.stderr.write(`zk-server: ${level.error}\n`);
    process.exit(1);
  }
  const log = makeLogger(cfg.myid, level.threshold, (l) => process.stdout.write(l), (l) => process.stderr.write(l));
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(cfg, log);
  } catch (e) {
    if (e instanceof StartupError || e instanceof ConfigError) {
      process.stderr.write(`zk-server: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const shutdown = (signal: string): void => {
    log('INFO', `Received ${signal}; shutting down`);
    server.stop().then(
      () => process.exit(0),
      (e: Error) => {
        log('ERROR', `Shutdown failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

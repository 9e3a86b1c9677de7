// zoo.cfg (QuorumPeerConfig.parseProperties): a Java properties file. Known keys are parsed and
// checked; keys ZooKeeper passes on as `zookeeper.*` system properties are accepted; anything
// else gets a warning line. A malformed value is an error with one sentence saying which key.
import { readFileSync } from 'node:fs';
import { checkWireLimits, JUTE_MAXBUFFER_DEFAULT, JUTE_MAXBUFFER_MIN } from '../protocol/limits';
import { dirname, isAbsolute, resolve } from 'node:path';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type LearnerType = 'participant' | 'observer';

export interface QuorumServer {
  sid: number;
  host: string;
  quorumPort: number;
  electionPort: number;
  type: LearnerType;
  /** Client address from the `;host:port` part, if the line had one. */
  clientHost?: string;
  clientPort?: number;
}

export interface ServerConfig {
  /** The file this came from, and its raw text (initial_configuration). */
  path: string;
  text: string;
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  dataDir: string;
  dataLogDir: string;
  clientPort: number;
  clientPortAddress: string;
  maxClientCnxns: number;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  fourLetterWhitelist: Set<string>;
  adminEnableServer: boolean;
  adminServerAddress: string;
  adminServerPort: number;
  adminCommandUrl: string;
  snapCount: number;
  preAllocSizeKb: number;
  forceSync: boolean;
  juteMaxBuffer: number;
  autopurgeSnapRetainCount: number;
  autopurgePurgeIntervalHours: number;
  servers: Map<number, QuorumServer>;
  standaloneEnabled: boolean;
  reconfigEnabled: boolean;
  localSessionsEnabled: boolean;
  readOnlyModeEnabled: boolean;
  superDigest: string | null;
  extendedTypesEnabled: boolean;
  skipACL: boolean;
  electionAlg: number;
  peerType: LearnerType;
  /** myid from dataDir/myid (null when missing: fine in standalone). */
  myid: number | null;
  /** Every key=value as read, for conf / system_properties. */
  properties: Map<string, string>;
  warnings: string[];
}

/** Keys QuorumPeerConfig parses itself. */
const DIRECT_KEYS = new Set([
  'dataDir', 'dataLogDir', 'clientPort', 'clientPortAddress', 'secureClientPort', 'secureClientPortAddress',
  'tickTime', 'initLimit', 'syncLimit', 'connectToLearnerMasterLimit', 'maxClientCnxns', 'minSessionTimeout',
  'maxSessionTimeout', 'clientPortListenBacklog', 'electionAlg', 'peerType', 'syncEnabled',
  'autopurge.snapRetainCount', 'autopurge.purgeInterval', 'standaloneEnabled', 'reconfigEnabled',
  'dynamicConfigFile', 'quorumListenOnAllIPs', 'localSessionsEnabled', 'localSessionsUpgradingEnabled',
  'observerMasterPort', 'sslQuorum', 'portUnification', 'sslQuorumReloadCertFiles', 'multiAddress.enabled',
  'multiAddress.reachabilityCheckTimeoutMs', 'multiAddress.reachabilityCheckEnabled', 'oraclePath',
  'quorum.auth.enableSasl', 'quorum.auth.learnerRequireSasl', 'quorum.auth.serverRequireSasl',
  'quorum.auth.learner.saslLoginContext', 'quorum.auth.server.saslLoginContext',
  'quorum.auth.kerberos.servicePrincipal', 'quorum.cnxn.threads.size', 'metricsProvider.className',
]);

/** Keys that become `zookeeper.<key>` system properties and that this server understands. */
const PROPERTY_KEYS = new Set([
  '4lw.commands.whitelist', 'admin.enableServer', 'admin.serverAddress', 'admin.serverPort', 'admin.commandURL',
  'admin.idleTimeout', 'snapCount', 'snapSizeLimitInKb', 'txnLogSizeLimitInKb', 'preAllocSize', 'forceSync',
  'fsync.warningthresholdms', 'globalOutstandingLimit', 'commitLogCount', 'snapshotSizeFactor', 'leaderServes',
  'cnxTimeout', 'skipACL', 'DigestAuthenticationProvider.superDigest', 'DigestAuthenticationProvider.enabled',
  'DigestAuthenticationProvider.digestAlg', 'extendedTypesEnabled', 'digest.enabled', 'closeSessionTxn.enabled',
  'enforceQuota', 'snapshot.compression.method', 'jute.maxbuffer', 'readonlymode.enabled', 'serverCnxnFactory',
  'maxCnxns', 'connection_throttle_tokens', 'datadir.autocreate', 'snapshot.trust.empty', 'syncSnap',
  'audit.enable', 'sessionRequireClientSASLAuth', 'authProvider.1', 'ssl.quorum.hostnameVerification',
  'admin.portUnification', 'flushDelay', 'maxBatchSize', 'requestThrottleLimit',
]);

const FOUR_LETTER_WORDS = [
  'ruok', 'srvr', 'stat', 'conf', 'cons', 'crst', 'dump', 'envi', 'mntr', 'wchs', 'wchc', 'wchp', 'dirs',
  'isro', 'srst', 'gtmk', 'stmk', 'hash',
];

/** Parses Java .properties text (the subset zoo.cfg files use: key=value or key:value or key value). */
export function parseProperties(text: string): { entries: [string, string, number][] } {
  const entries: [string, string, number][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // Continuation lines end with an odd number of backslashes.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    }
    const m = /^((?:\\.|[^=:\s\\])+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) {
      entries.push([line.replace(/\\(.)/g, '$1').trim(), '', i + 1]);
      continue;
    }
    entries.push([m[1]!.replace(/\\(.)/g, '$1').trim(), m[2]!.trim(), i + 1]);
  }
  return { entries };
}

function intValue(key: string, value: string, min = -Infinity): number {
  if (!/^-?\d+$/.test(value)) throw new ConfigError(`zoo.cfg: ${key}=${value} is not a whole number; give a number such as ${key}=2000.`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new ConfigError(`zoo.cfg: ${key}=${value} is out of range.`);
  if (n < min) throw new ConfigError(`zoo.cfg: ${key}=${value} must be at least ${min}.`);
  return n;
}

function portValue(key: string, value: string): number {
  const n = intValue(key, value);
  if (n < 0 || n > 65535) throw new ConfigError(`zoo.cfg: ${key}=${value} is not a TCP port (0-65535).`);
  return n;
}

function boolValue(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === 'yes') return true;
  if (v === 'false' || v === 'no') return false;
  throw new ConfigError(`zoo.cfg: ${key}=${value} must be true or false (or yes/no).`);
}

/** Parses `server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]`. */
export function parseServerLine(key: string, value: string): QuorumServer {
  const sidText = key.slice('server.'.length);
  if (!/^\d+$/.test(sidText)) throw new ConfigError(`zoo.cfg: ${key} — the server id after "server." must be a number.`);
  const sid = Number(sidText);
  const [addr, client] = value.split(';', 2) as [string, string | undefined];
  const parts = splitHostPorts(addr.trim());
  if (parts.length < 3 || parts.length > 4) {
    throw new ConfigError(`zoo.cfg: ${key}=${value} must look like host:quorumPort:electionPort[:participant|observer].`);
  }
  const host = parts[0]!;
  const quorumPort = portValue(`${key} quorum port`, parts[1]!);
  const electionPort = portValue(`${key} election port`, parts[2]!);
  if (quorumPort === electionPort) throw new ConfigError(`zoo.cfg: ${key} uses port ${quorumPort} for both quorum and election; they must differ.`);
  let type: LearnerType = 'participant';
  if (parts[3] !== undefined) {
    const t = parts[3].toLowerCase();
    if (t !== 'participant' && t !== 'observer') throw new ConfigError(`zoo.cfg: ${key} has role "${parts[3]}"; use participant or observer.`);
    type = t;
  }
  const server: QuorumServer = { sid, host, quorumPort, electionPort, type };
  if (client !== undefined && client.trim() !== '') {
    const c = client.trim();
    const i = c.lastIndexOf(':');
    if (i < 0) {
      server.clientHost = '0.0.0.0';
      server.clientPort = portValue(`${key} client port`, c);
    } else {
      server.clientHost = c.slice(0, i).replace(/^\[|\]$/g, '');
      server.clientPort = portValue(`${key} client port`, c.slice(i + 1));
    }
  }
  return server;
}

function splitHostPorts(s: string): string[] {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return [];
    return [s.slice(1, end), ...s.slice(end + 2).split(':')];
  }
  return s.split(':');
}

/** Serialises a server line as ZooKeeper does in /zookeeper/config and notifications. */
export function formatServerLine(s: QuorumServer): string {
  let line = `server.${s.sid}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.type}`;
  if (s.clientPort !== undefined) line += `;${s.clientHost ?? '0.0.0.0'}:${s.clientPort}`;
  return line;
}

/** Reads and validates a zoo.cfg file. Throws ConfigError with one clear sentence. */
export function loadConfig(path: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read the config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Pass the path of a zoo.cfg.`);
  }
  return parseConfig(text, path);
}

/** `myidGiven` stands in for dataDir/myid (the simulator's members have no real dataDir). */
export function parseConfig(text: string, path = 'zoo.cfg', myidGiven?: number): ServerConfig {
  const props = new Map<string, string>();
  const warnings: string[] = [];
  const servers = new Map<number, QuorumServer>();
  for (const [key, value] of parseProperties(text).entries) {
    props.set(key, value);
    if (key.startsWith('server.')) {
      const s = parseServerLine(key, value);
      if (servers.has(s.sid)) throw new ConfigError(`zoo.cfg: server.${s.sid} is defined twice.`);
      servers.set(s.sid, s);
    } else if (key.startsWith('group.') || key.startsWith('weight.')) {
      warnings.push(`zoo.cfg: ${key} (hierarchical quorums) is not supported by this server; it is ignored.`);
    } else if (!DIRECT_KEYS.has(key) && !PROPERTY_KEYS.has(key) && !key.startsWith('zookeeper.') && !key.startsWith('metricsProvider.') && !key.startsWith('jvm.pause') && !key.startsWith('ssl.') && !key.startsWith('znode.container.') && key !== 'java.security.auth.login.config' && key !== 'lab.storage') {
      warnings.push(`zoo.cfg: unknown key "${key}" (line ignored apart from system_properties).`);
    }
  }
  const get = (k: string): string | undefined => props.get(k) ?? props.get(`zookeeper.${k}`);
  const base = dirname(resolve(path));
  const dirOf = (k: string, v: string): string => {
    if (v === '') throw new ConfigError(`zoo.cfg: ${k} is empty; give a directory path.`);
    return isAbsolute(v) ? v : resolve(base, v);
  };

  const dataDirRaw = get('dataDir');
  if (dataDirRaw === undefined) throw new ConfigError(`zoo.cfg: dataDir is not set; add a line such as dataDir=/var/lib/zookeeper.`);
  const dataDir = dirOf('dataDir', dataDirRaw);
  const dataLogDirRaw = get('dataLogDir');
  const dataLogDir = dataLogDirRaw === undefined ? dataDir : dirOf('dataLogDir', dataLogDirRaw);

  const tickTime = get('tickTime') !== undefined ? intValue('tickTime', get('tickTime')!, 1) : 3000;
  const initLimitRaw = get('initLimit');
  const syncLimitRaw = get('syncLimit');
  const initLimit = initLimitRaw !== undefined ? intValue('initLimit', initLimitRaw, 1) : 0;
  const syncLimit = syncLimitRaw !== undefined ? intValue('syncLimit', syncLimitRaw, 1) : 0;

  let myid: number | null = myidGiven ?? null;
  if (myidGiven === undefined) {
    try {
      const line = readFileSync(resolve(dataDir, 'myid'), 'utf8').split('\n')[0]!;
      if (!/^\d+$/.test(line.trim())) throw new ConfigError(`${resolve(dataDir, 'myid')} must hold the server id as a number, not "${line}".`);
      myid = Number(line.trim());
    } catch (e) {
      if (e instanceof ConfigError) throw e;
    }
  }

  let clientPortRaw = get('clientPort');
  let clientPortAddress = get('clientPortAddress') ?? '0.0.0.0';
  if (clientPortRaw === undefined && myid !== null) {
    const me = servers.get(myid);
    if (me?.clientPort !== undefined) {
      clientPortRaw = String(me.clientPort);
      clientPortAddress = me.clientHost ?? clientPortAddress;
    }
  }
  if (clientPortRaw === undefined) throw new ConfigError(`zoo.cfg: clientPort is not set; add a line such as clientPort=2181.`);
  if (get('clientPortAddress') !== undefined && get('clientPort') === undefined && servers.size === 0) {
    throw new ConfigError(`zoo.cfg: clientPortAddress is set but clientPort is not.`);
  }
  const clientPort = portValue('clientPort', clientPortRaw);

  const minRaw = get('minSessionTimeout');
  const maxRaw = get('maxSessionTimeout');
  let minSessionTimeout = minRaw !== undefined ? intValue('minSessionTimeout', minRaw) : -1;
  let maxSessionTimeout = maxRaw !== undefined ? intValue('maxSessionTimeout', maxRaw) : -1;
  if (minSessionTimeout === -1) minSessionTimeout = tickTime * 2;
  if (maxSessionTimeout === -1) maxSessionTimeout = tickTime * 20;
  if (minSessionTimeout > maxSessionTimeout) {
    throw new ConfigError(`zoo.cfg: minSessionTimeout (${minSessionTimeout}) must not be larger than maxSessionTimeout (${maxSessionTimeout}).`);
  }

  const whitelistRaw = get('4lw.commands.whitelist');
  const fourLetterWhitelist = new Set<string>(['srvr']);
  if (whitelistRaw !== undefined) {
    for (const w of whitelistRaw.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (w === '*') FOUR_LETTER_WORDS.forEach((c) => fourLetterWhitelist.add(c));
      else if (FOUR_LETTER_WORDS.includes(w)) fourLetterWhitelist.add(w);
      else warnings.push(`zoo.cfg: 4lw.commands.whitelist names "${w}", which is not a four letter word; ignored.`);
    }
  }
  const readOnlyModeEnabled = get('readonlymode.enabled') !== undefined ? boolValue('readonlymode.enabled', get('readonlymode.enabled')!) : false;
  if (readOnlyModeEnabled) fourLetterWhitelist.add('isro');

  const electionAlg = get('electionAlg') !== undefined ? intValue('electionAlg', get('electionAlg')!) : 3;
  if (electionAlg !== 3) throw new ConfigError(`zoo.cfg: electionAlg=${electionAlg} is not supported; only 3 (FastLeaderElection) exists since ZooKeeper 3.6.`);

  const snapCount = get('snapCount') !== undefined ? intValue('snapCount', get('snapCount')!, 2) : 100000;
  const preAllocSizeKb = get('preAllocSize') !== undefined ? intValue('preAllocSize', get('preAllocSize')!, 1) : 65536;
  const juteMaxBuffer = get('jute.maxbuffer') !== undefined ? intValue('jute.maxbuffer', get('jute.maxbuffer')!, JUTE_MAXBUFFER_MIN) : JUTE_MAXBUFFER_DEFAULT;
  for (const problem of checkWireLimits(juteMaxBuffer)) throw new ConfigError(`zoo.cfg: ${problem}.`);
  const retain = get('autopurge.snapRetainCount') !== undefined ? intValue('autopurge.snapRetainCount', get('autopurge.snapRetainCount')!) : 3;
  if (retain < 3) warnings.push(`zoo.cfg: autopurge.snapRetainCount=${retain} is below the minimum 3; using 3.`);
  const purgeInterval = get('autopurge.purgeInterval') !== undefined ? intValue('autopurge.purgeInterval', get('autopurge.purgeInterval')!, 0) : 0;
  const peerTypeRaw = (get('peerType') ?? 'participant').toLowerCase();
  if (peerTypeRaw !== 'participant' && peerTypeRaw !== 'observer') throw new ConfigError(`zoo.cfg: peerType=${peerTypeRaw} must be participant or observer.`);

  const participants = [...servers.values()].filter((s) => s.type === 'participant');
  if (servers.size > 0 && participants.length === 0) throw new ConfigError(`zoo.cfg: there are observers but no participants; at least one server.N line must be a participant.`);
  const standaloneEnabled = get('standaloneEnabled') !== undefined ? boolValue('standaloneEnabled', get('standaloneEnabled')!) : true;
  const distributed = participants.length > 1 || (servers.size > 0 && !standaloneEnabled);
  if (distributed) {
    if (myid === null) throw new ConfigError(`${resolve(dataDir, 'myid')} is missing; in an ensemble each server needs its id there (e.g. echo 1 > ${resolve(dataDir, 'myid')}).`);
    if (!servers.has(myid)) throw new ConfigError(`myid ${myid} has no server.${myid} line in ${path}.`);
    if (initLimitRaw === undefined) throw new ConfigError(`zoo.cfg: initLimit is not set; an ensemble needs it (e.g. initLimit=10).`);
    if (syncLimitRaw === undefined) throw new ConfigError(`zoo.cfg: syncLimit is not set; an ensemble needs it (e.g. syncLimit=5).`);
    if (participants.length <= 2) warnings.push(`zoo.cfg: ${participants.length} participants tolerate no failure; use at least 3.`);
    else if (participants.length % 2 === 0) warnings.push(`zoo.cfg: an even number of participants (${participants.length}) tolerates no more failures than ${participants.length - 1}.`);
  }

  const adminPortRaw = get('admin.serverPort');
  const superDigest = get('DigestAuthenticationProvider.superDigest') ?? null;
  if (superDigest !== null && superDigest.split(':').length !== 2) {
    throw new ConfigError(`zoo.cfg: DigestAuthenticationProvider.superDigest must look like super:<base64 sha1>, as made by DigestAuthenticationProvider.generateDigest.`);
  }

  return {
    path,
    text,
    tickTime,
    initLimit,
    syncLimit,
    dataDir,
    dataLogDir,
    clientPort,
    clientPortAddress,
    maxClientCnxns: get('maxClientCnxns') !== undefined ? intValue('maxClientCnxns', get('maxClientCnxns')!, 0) : 60,
    minSessionTimeout,
    maxSessionTimeout,
    fourLetterWhitelist,
    adminEnableServer: get('admin.enableServer') !== undefined ? boolValue('admin.enableServer', get('admin.enableServer')!) : true,
    adminServerAddress: get('admin.serverAddress') ?? '0.0.0.0',
    adminServerPort: adminPortRaw !== undefined ? portValue('admin.serverPort', adminPortRaw) : 8080,
    adminCommandUrl: get('admin.commandURL') ?? '/commands',
    snapCount,
    preAllocSizeKb,
    forceSync: get('forceSync') !== undefined ? boolValue('forceSync', get('forceSync')!) : true,
    juteMaxBuffer,
    autopurgeSnapRetainCount: Math.max(3, retain),
    autopurgePurgeIntervalHours: purgeInterval,
    servers,
    standaloneEnabled,
    reconfigEnabled: get('reconfigEnabled') !== undefined ? boolValue('reconfigEnabled', get('reconfigEnabled')!) : false,
    localSessionsEnabled: get('localSessionsEnabled') !== undefined ? boolValue('localSessionsEnabled', get('localSessionsEnabled')!) : false,
    readOnlyModeEnabled,
    superDigest,
    extendedTypesEnabled: get('extendedTypesEnabled') !== undefined ? boolValue('extendedTypesEnabled', get('extendedTypesEnabled')!) : false,
    skipACL: get('skipACL') !== undefined ? boolValue('skipACL', get('skipACL')!) : false,
    electionAlg,
    peerType: peerTypeRaw,
    myid,
    properties: props,
    warnings,
  };
}

/** True when the config describes an ensemble member rather than a standalone server. */
export function isDistributed(cfg: ServerConfig): boolean {
  const participants = [...cfg.servers.values()].filter((s) => s.type === 'participant');
  return participants.length > 1 || (cfg.servers.size > 0 && !cfg.standaloneEnabled);
}

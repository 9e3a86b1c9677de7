// A lab is a folder: node<N>/zoo.cfg, node<N>/data/myid, node<N>/server.log, lab.json (ports)
// and history.sqlite. Ports are free loopback ports chosen when the lab is created.
import { defaultLabsRoot } from './platform';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { NetPorts } from './net/network';
import { labPorts } from './ports';
import { makeLabDirs } from './dirs';

/** Which server a node runs: ours (bin/zk-server) or Apache ZooKeeper 3.8 (Debian's jars). */
export type Engine = 'ours' | 'apache';

export interface NodeSpec {
  myid: number;
  observer: boolean;
  engine: Engine;
  clientPort: number;
  adminPort: number;
  quorumPort: number;
  electionPort: number;
}

export interface LabSpec {
  name: string;
  dir: string;
  tickTime: number;
  nodes: NodeSpec[];
  /** readonlymode.enabled on every member (zoo.cfg for ours, -Dreadonlymode.enabled=true for Apache's). */
  readOnly?: boolean;
  /**
   * The lab's network: relay ports per ordered pair of members and per member for the lab's
   * clients. Labs made before it have none (their members talk directly).
   */
  net?: NetPorts;
  /**
   * The secret our members want for the lab's state-changing AdminServer commands (lab faults),
   * passed to them as ZK_LAB_ADMIN_SECRET. Labs made before it get one when read.
   */
  adminSecret?: string;
  /**
   * The production dataDir this lab was opened from (zk-lab open-datadir, the Cluster view's
   * "Open a dataDir"): every member started on a copy of its version-2 files. `readOnly`: one
   * member, and the lab's own views write nothing to it.
   */
  source?: { path: string; readOnly: boolean; lastZxid: string; znodes: number };
  /**
   * Members a reconfig removed (membership.ts): their folders stay until the lab is destroyed, so
   * their myids are never given to a new member.
   */
  removed?: number[];
  /** reconfigEnabled on every member (membership.ts); labs made before it have none. */
  reconfigEnabled?: boolean;
  /**
   * The members name each other at their own ports, not through the lab's relays: after a
   * committed reconfig (a config names each server at one address for all), or from the start in
   * a lab of Apache members with reconfigEnabled (3.8 makes every member adopt the leader's
   * addresses at its first election). Faults between members cannot reach them then.
   */
  directLinks?: boolean;
}

const Port = z.number().int().min(1).max(65535);
const PortMap = z.record(z.string().regex(/^\d+(-\d+)?$/), Port);
/** lab.json as the lab writes it: what is read back is checked, not trusted (a hand edit, a half-written file). */
const LabFile = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  dir: z.string().min(1),
  tickTime: z.number().int().min(1).max(600_000),
  nodes: z
    .array(
      z.object({
        myid: z.number().int().min(1).max(255),
        observer: z.boolean(),
        engine: z.enum(['ours', 'apache']).optional().default('ours'),
        clientPort: Port,
        adminPort: Port,
        quorumPort: Port,
        electionPort: Port,
      }),
    )
    .min(1)
    .max(9),
  readOnly: z.boolean().optional(),
  net: z.object({ quorum: PortMap, election: PortMap, client: PortMap }).optional(),
  adminSecret: z.string().regex(/^[0-9a-f]{32,}$/).optional(),
  source: z.object({ path: z.string(), readOnly: z.boolean(), lastZxid: z.string(), znodes: z.number().int() }).optional(),
  removed: z.array(z.number().int().min(1).max(255)).optional(),
  reconfigEnabled: z.boolean().optional(),
  directLinks: z.boolean().optional(),
});

/**
 * Where labs live: $ZK_LAB_DIR, else the app's data folder. Always absolute: a relative
 * ZK_LAB_DIR would name another folder for every process started elsewhere (members, zk-lab).
 */
export function labsRoot(): string {
  if (process.env.ZK_LAB_DIR) return resolve(process.env.ZK_LAB_DIR);
  return defaultLabsRoot(process.platform, process.env, homedir());
}

/** A port on 127.0.0.1 that is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function nodeDir(lab: LabSpec, myid: number): string {
  return join(lab.dir, `node${myid}`);
}

/** Writes a new lab folder with `size` members (the last `observers` of them observers). */
export async function createLab(name: string, size: number, observers = 0, engines: 'ours' | 'apache' | 'mixed' = 'ours', readOnly = false, source?: LabSpec['source'], reconfig = false): Promise<LabSpec> {
  if (!Number.isInteger(size) || size < 1 || size > 7) throw new Error(`A lab has 1 to 7 voting nodes, not ${size}.`);
  if (observers < 0 || observers > 2 || (size === 1 && observers > 0)) throw new Error('Observers: 0 to 2, and only in an ensemble.');
  const dir = join(labsRoot(), name);
  makeLabDirs(dir);
  const members = size + observers;
  // Each member's client, admin, quorum and election ports; two relays per ordered pair; one client relay each.
  const pool = await labPorts(members * 4 + members * (members - 1) * 2 + members);
  const port = async (): Promise<number> => pool.shift()!;
  const nodes: NodeSpec[] = [];
  for (let myid = 1; myid <= size + observers; myid++) {
    // Mixed labs alternate: odd nodes ours, even nodes Apache ZooKeeper.
    const engine: Engine = engines === 'mixed' ? (myid % 2 === 0 ? 'apache' : 'ours') : engines;
    nodes.push({ myid, observer: myid > size, engine, clientPort: await port(), adminPort: await port(), quorumPort: await port(), electionPort: await port() });
  }
  const net: NetPorts = { quorum: {}, election: {}, client: {} };
  for (const a of nodes) {
    for (const b of nodes) {
      if (a.myid === b.myid) continue;
      net.quorum[`${a.myid}-${b.myid}`] = await port();
      net.election[`${a.myid}-${b.myid}`] = await port();
    }
    net.client[String(a.myid)] = await port();
  }
  // Our members keep zoo.cfg's addresses until a reconfig, so their links go through the relays
  // until then; Apache's adopt the leader's at once, so with reconfig they are named directly.
  const directLinks = engines !== 'ours' && reconfig && nodes.length > 1;
  if (directLinks) {
    net.quorum = {};
    net.election = {};
  }
  const lab: LabSpec = { name, dir, tickTime: 500, nodes, net, readOnly, adminSecret: randomBytes(24).toString('hex'), ...(source ? { source } : {}), reconfigEnabled: engines === 'ours' || reconfig, ...(directLinks ? { directLinks } : {}) };
  for (const n of nodes) writeNodeConfig(lab, n, directLinks ? nodes.map(serverLine) : undefined);
  saveLab(lab);
  return lab;
}

/** Writes lab.json (owner only: it holds the members' secret). */
export function saveLab(lab: LabSpec): void {
  const f = join(lab.dir, 'lab.json');
  // Whole and renamed: a crash mid-write never leaves half a lab.json.
  writeFileSync(`${f}.tmp`, JSON.stringify(lab, null, 2), { mode: 0o600 });
  renameSync(`${f}.tmp`, f);
}

/**
 * The user the lab authenticates as for `reconfig` (Apache ZooKeeper's documented set-up: a
 * superuser digest; /zookeeper/config itself stays world-readable only). Its password is the
 * lab's secret, so only the lab (and whoever reads lab.json, owner only) can change membership.
 */
export const SUPER_USER = 'super';

/** One `server.N=...` line naming a member at its own ports (no relay), as a reconfig does. */
export function serverLine(n: Pick<NodeSpec, 'myid' | 'observer' | 'quorumPort' | 'electionPort' | 'clientPort'>): string {
  return `server.${n.myid}=127.0.0.1:${n.quorumPort}:${n.electionPort}:${n.observer ? 'observer' : 'participant'};127.0.0.1:${n.clientPort}`;
}

/** DigestAuthenticationProvider.generateDigest("super:<secret>"): the superDigest members are given. */
export function superDigest(lab: LabSpec): string {
  const pw = lab.adminSecret ?? '';
  return `${SUPER_USER}:${createHash('sha1').update(`${SUPER_USER}:${pw}`).digest('base64')}`;
}

/**
 * Writes node `n`'s folder: myid and zoo.cfg. `servers`: the server lines of the ensemble's
 * current dynamic config (after a reconfig every member names every other one at the same
 * address); without it, lines of the lab's first config (other members through their relays).
 */
export function writeNodeConfig(lab: LabSpec, n: NodeSpec, servers?: string[]): void {
  const d = nodeDir(lab, n.myid);
  makeLabDirs(join(d, 'data'));
  writeFileSync(join(d, 'data', 'myid'), `${n.myid}\n`);
  const lines = [
    `# ZooKeeper Lab node ${n.myid} of lab "${lab.name}"`,
    `tickTime=${lab.tickTime}`,
    'initLimit=10',
    'syncLimit=5',
    `dataDir=${join(d, 'data')}`,
    `clientPort=${n.clientPort}`,
    'clientPortAddress=127.0.0.1',
    'admin.serverAddress=127.0.0.1',
    `admin.serverPort=${n.adminPort}`,
    '4lw.commands.whitelist=*',
    'maxClientCnxns=0',
    'extendedTypesEnabled=true',
    'znode.container.checkIntervalMs=1000',
    'snapCount=10000',
    'autopurge.purgeInterval=1',
  ];
  // Membership changes (membership.ts): reconfig is on, and only the superuser may do it.
  // Apache ZooKeeper takes an unknown zoo.cfg key as the system property zookeeper.<key>.
  if (lab.reconfigEnabled) lines.push('reconfigEnabled=true', `DigestAuthenticationProvider.superDigest=${superDigest(lab)}`);
  // Apache ZooKeeper reads readonlymode.enabled from a system property only (the lab passes it to
  // its JVM too). Without local sessions 3.8 answers a new read-only session with a NOTREADONLY
  // reply header instead of a ConnectResponse and no client can connect; with upgrading, a session
  // that creates an ephemeral becomes global as usual.
  if (lab.readOnly) lines.push('readonlymode.enabled=true', 'localSessionsEnabled=true', 'localSessionsUpgradingEnabled=true');
  if (servers) {
    lines.push(...servers);
  } else if (lab.nodes.length > 1) {
    // Every other member is reached through the lab's relay of this ordered pair; a member's own
    // line names the ports it listens on.
    for (const m of lab.nodes) {
      const key = `${n.myid}-${m.myid}`;
      const quorum = m.myid === n.myid || !lab.net ? m.quorumPort : lab.net.quorum[key]!;
      const election = m.myid === n.myid || !lab.net ? m.electionPort : lab.net.election[key]!;
      lines.push(`server.${m.myid}=127.0.0.1:${quorum}:${election}${m.observer ? ':observer' : ''};127.0.0.1:${m.clientPort}`);
    }
  }
  writeFileSync(join(d, 'zoo.cfg'), lines.join('\n') + '\n');
}

/** Reads an existing lab folder, or null when there is none. */
export function readLab(name: string): LabSpec | null {
  const f = join(labsRoot(), name, 'lab.json');
  if (!existsSync(f)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(f, 'utf8'));
  } catch (e) {
    throw new Error(`${f} is not JSON (${(e as Error).message}): fix it, or move the folder away to start a new lab.`);
  }
  const parsed = LabFile.safeParse(raw);
  if (!parsed.success) throw new Error(`${f} is not a lab's lab.json (${z.prettifyError(parsed.error).replace(/\n/g, ' ')}): fix it, or move the folder away to start a new lab.`);
  const lab: LabSpec = parsed.data;
  if (lab.dir !== join(labsRoot(), name)) throw new Error(`${f} names another folder (${lab.dir}): it was copied or moved; move it back, or remove it to start a new lab.`);
  lab.adminSecret ??= randomBytes(24).toString('hex');
  return lab;
}

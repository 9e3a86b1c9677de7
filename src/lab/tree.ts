// The tree explorer's backend: reads and writes through our client, through the member the
// user chose ("read through node N") or through the whole ensemble. Children are listed one
// level at a time and paged; nothing caches the whole tree.
import { BadVersionError, connect, CreateMode, NoNodeError, Ops, type Op, type Watcher, type ZkClient } from '../client';
import { EXPORT_MAX_NODES } from '../shared/limits';
import type { Stat } from '../client';
import { CONTAINER_EPHEMERAL_OWNER } from '../protocol/codes';
import { baseName, joinPath, parentOf, pathError } from '../protocol/paths';
import type { ImportResult, NodeDetails, StatView, TreeChildren, ZnodeKind } from '../shared/api';
import { TreeExport, type AclRow, type AclProgress, type Identity, type ImportCounts, type TreeExportNode } from '../shared/contract';
import { Perms } from '../protocol/codes';
import { digestOf, explainNoAuth, identitiesOf, setAcl, type Need } from './tree-acl';
import { LabError } from '../shared/errors';

export { EXPORT_MAX_NODES };
/** Ops per multi when importing (each multi is one transaction). */
const IMPORT_BATCH_OPS = 500;
const IMPORT_BATCH_BYTES = 512 * 1024;

/** A Stat as JSON: 64-bit values as strings, zxids also split into epoch and counter. */
export function statJson(s: Stat): StatView {
  const z = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
  return {
    czxid: z(s.czxid),
    czxidEpoch: Number(s.czxid >> 32n),
    czxidCounter: Number(s.czxid & 0xffffffffn),
    mzxid: z(s.mzxid),
    mzxidEpoch: Number(s.mzxid >> 32n),
    mzxidCounter: Number(s.mzxid & 0xffffffffn),
    pzxid: z(s.pzxid),
    pzxidEpoch: Number(s.pzxid >> 32n),
    pzxidCounter: Number(s.pzxid & 0xffffffffn),
    ctime: Number(s.ctime),
    mtime: Number(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: z(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

const MODES: Record<string, number> = {
  persistent: CreateMode.PERSISTENT,
  'persistent-sequential': CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral: CreateMode.EPHEMERAL,
  'ephemeral-sequential': CreateMode.EPHEMERAL_SEQUENTIAL,
  container: CreateMode.CONTAINER,
  ttl: CreateMode.PERSISTENT_WITH_TTL,
};

/**
 * What a znode is, as far as a client can tell: ZooKeeper reports ephemeralOwner 0 for
 * containers and TTL znodes (DataNode.copyStat hides their special owners), so an export calls
 * them persistent; a hand-written export may still ask for 'container'.
 */
function kindOf(owner: bigint): TreeExportNode['kind'] {
  return owner === 0n || owner === CONTAINER_EPHEMERAL_OWNER ? 'persistent' : 'ephemeral';
}

/** ZooKeeper's sequential suffix: ten digits (String.format("%010d")). */
const SEQUENTIAL_NAME = /\d{10}$/;

/** How an import reports as it goes, and how it is told to stop (checked between two round trips). */
export interface ImportControl {
  progress(phase: 'checking' | 'writing', done: number, total: number, result: ImportCounts, root: string): void;
  cancelled(): boolean;
}

/** An import stopped by ImportControl.cancelled(): what it had written by then stays. */
export class ImportCancelled extends Error {
  constructor(
    readonly result: ImportCounts,
    readonly root: string,
  ) {
    super(`The import was cancelled after ${result.transactions} transaction(s): ${result.created} znodes created and ${result.updated} updated stay.`);
  }
}

export class TreeBrowser {
  private clients = new Map<string, Promise<ZkClient>>();
  /** One watcher per (connection, path, kind), so a path shown twice is watched once. */
  private readonly watchers = new Map<string, Watcher>();
  /**
   * The sorted child list of the few znodes being paged through, so that page 200 of 100 000
   * children does not fetch and sort them all again; dropped when their child watch fires.
   */
  private readonly listings = new Map<string, string[]>();
  /** The modes of the znodes this lab created (by path), for the badges a Stat cannot give. */
  private readonly created = new Map<string, { mode: string; ttlMs: number | null }>();
  /** The digest auths added (addauth) for every session of the view, and given to those it opens later. */
  private readonly auths: { user: string; password: string }[] = [];

  constructor(
    private readonly connectString: () => string,
    private readonly memberAddress: (myid: number) => string | null,
    /** A znode on screen changed (its children or its data): the view reloads just that. */
    private readonly changed: (path: string, what: 'children' | 'data') => void = () => {},
    /** The member is down (as the lab last saw it): reading through it is refused at once, not after a connect timeout. */
    private readonly memberDown: (myid: number) => boolean = () => false,
  ) {}

  /** A one-shot watch that tells the view; re-armed when the view reads the znode again. */
  private watcher(through: number | null, path: string, what: 'children' | 'data'): Watcher {
    const key = `${through}|${what}|${path}`;
    let w = this.watchers.get(key);
    if (!w) {
      w = () => {
        this.watchers.delete(key);
        if (what === 'children') this.listings.delete(`${through}|${path}`);
        this.changed(path, what);
      };
      this.watchers.set(key, w);
    }
    return w;
  }

  /** The session ids (0x…) of the Tree view's connections, to tell its watches from others'. */
  async sessionIds(): Promise<string[]> {
    const out: string[] = [];
    for (const c of this.clients.values()) {
      const zk = await c.catch(() => null);
      if (zk && zk.sessionId !== 0n) out.push(`0x${BigInt.asUintN(64, zk.sessionId).toString(16)}`);
    }
    return out;
  }

  /** The lab's session through one member (myid) or through the whole ensemble (null). */
  private client(through: number | null): Promise<ZkClient> {
    const cs = through === null ? this.connectString() : this.memberAddress(through);
    if (!cs) throw new Error(`There is no node ${through} to read through.`);
    if (through !== null && this.memberDown(through)) throw new LabError('memberDownReadThrough', { myid: through });
    let c = this.clients.get(cs);
    if (!c) {
      c = connect(cs, { sessionTimeout: 10_000, authInfo: this.auths.map((a) => ({ scheme: 'digest', auth: `${a.user}:${a.password}` })) }).catch((e: Error) => {
        this.clients.delete(cs);
        throw new Error(`Cannot reach ${cs}: ${e.message}`);
      });
      this.clients.set(cs, c);
    }
    return c;
  }

  /** What the tree shows of a znode: its children count, ephemeral or not, and the mode the lab created it with. */
  private kind(path: string, stat: Stat): ZnodeKind {
    const known = this.created.get(path);
    const ephemeral = kindOf(stat.ephemeralOwner) === 'ephemeral';
    // The lab's record may be of an older znode of the same path: trust it only if it agrees.
    const agrees = known !== undefined && (known.mode.startsWith('ephemeral') === ephemeral);
    const mode = agrees ? known.mode : SEQUENTIAL_NAME.test(path) ? (ephemeral ? 'ephemeral-sequential' : 'persistent-sequential') : null;
    return { numChildren: stat.numChildren, ephemeral, mode, ttlMs: agrees ? known.ttlMs : null };
  }

  /** One page of children, each with its kind (the page's exists calls are pipelined). */
  async childrenWithKinds(path: string, through: number | null, offset: number, limit: number): Promise<TreeChildren> {
    const page = await this.children(path, through, offset, limit);
    const zk = await this.client(through);
    const kinds = await Promise.all(
      page.children.map(async (c) => {
        const p = joinPath(path, c);
        const stat = await zk.exists(p).catch(() => null);
        return stat ? this.kind(p, stat) : null;
      }),
    );
    return { ...page, kinds };
  }

  async children(path: string, through: number | null, offset: number, limit: number): Promise<{ children: string[]; total: number }> {
    const key = `${through}|${path}`;
    let all = offset > 0 ? this.listings.get(key) : undefined;
    if (!all) {
      const zk = await this.client(through);
      all = (await zk.getChildren(path, this.watcher(through, path, 'children')).catch((e: unknown) => this.noAuth(zk, e, path, { what: 'listing the children of', on: path, perm: Perms.READ }))).sort();
      this.listings.delete(key);
      this.listings.set(key, all);
      if (this.listings.size > 8) this.listings.delete(this.listings.keys().next().value!);
    }
    return { children: all.slice(offset, offset + limit), total: all.length };
  }

  async node(path: string, through: number | null): Promise<NodeDetails> {
    const zk = await this.client(through);
    const { data, stat } = await zk.getData(path, this.watcher(through, path, 'data')).catch((e: unknown) => this.noAuth(zk, e, path, { what: 'reading', on: path, perm: Perms.READ }));
    let acl: { perms: number; scheme: string; id: string }[] = [];
    try {
      acl = (await zk.getACL(path)).acl.map((a) => ({ perms: a.perms, scheme: a.id.scheme, id: a.id.id }));
    } catch {
      // no READ/ADMIN on the ACL: shown empty
    }
    return { path, data: data === null ? null : data.toString('base64'), stat: statJson(stat), acl, kind: this.kind(path, stat) };
  }

  async create(path: string, data: string, mode: string, ttlMs: number | undefined, through: number | null): Promise<string> {
    const zk = await this.client(through);
    const m = MODES[mode];
    if (m === undefined) throw new Error(`Unknown create mode ${mode}.`);
    const made = await zk
      .create(path, Buffer.from(data, 'utf8'), { mode: m, ttl: mode === 'ttl' ? ttlMs : undefined })
      .catch((e: unknown) => this.noAuth(zk, e, path, { what: 'creating', on: parentOf(path), perm: Perms.CREATE }));
    this.created.set(made, { mode, ttlMs: mode === 'ttl' ? (ttlMs ?? null) : null });
    if (this.created.size > 10_000) this.created.delete(this.created.keys().next().value!);
    return made;
  }

  /**
   * A BadVersion that names both versions: the one expected and the one the znode is at now
   * (read right after; ZooKeeper's error gives neither).
   */
  private async badVersion(zk: ZkClient, e: unknown, path: string, expected: number, what: string): Promise<never> {
    if (!(e instanceof BadVersionError)) return this.noAuth(zk, e, path, what === 'setting' ? { what: 'setting data of', on: path, perm: Perms.WRITE } : { what: 'deleting', on: parentOf(path), perm: Perms.DELETE });
    const now = await zk.exists(path).catch(() => null);
    const actual = now ? `it is at version ${now.version} now` : 'it is gone now';
    throw new Error(`BadVersion: ${what} ${path} expected version ${expected}, but ${actual}. Nothing was changed: read it again, or give -1 for any version.`);
  }

  async set(path: string, data: string, version: number, through: number | null): Promise<StatView> {
    const zk = await this.client(through);
    try {
      return statJson(await zk.setData(path, Buffer.from(data, 'utf8'), version));
    } catch (e) {
      return this.badVersion(zk, e, path, version, 'setting');
    }
  }

  async delete(path: string, version: number, recursive: boolean, through: number | null): Promise<void> {
    const zk = await this.client(through);
    if (!recursive) return zk.delete(path, version).catch((e: unknown) => this.badVersion(zk, e, path, version, 'deleting'));
    const order: string[] = [];
    const walk = async (p: string): Promise<void> => {
      order.push(p);
      for (const c of await zk.getChildren(p)) await walk(p === '/' ? `/${c}` : `${p}/${c}`);
    };
    await walk(path);
    for (const p of order.reverse()) await zk.delete(p, -1);
  }

  async sync(path: string, through: number | null): Promise<void> {
    const zk = await this.client(through);
    await zk.sync(path);
  }

  /**
   * Search by path prefix: `/app/con` lists the children of /app whose names start with "con"
   * (`/app/` lists them all), sorted, at most `limit` of them.
   */
  async search(prefix: string, through: number | null, limit: number): Promise<{ paths: string[]; total: number }> {
    if (!prefix.startsWith('/')) throw new Error(`A path starts with "/": ${prefix}`);
    const cut = prefix.lastIndexOf('/');
    const parent = cut === 0 ? '/' : prefix.slice(0, cut);
    const partial = prefix.slice(cut + 1);
    const zk = await this.client(through);
    let names: string[];
    try {
      names = await zk.getChildren(parent);
    } catch (e) {
      if (e instanceof NoNodeError) return { paths: [], total: 0 };
      throw e;
    }
    const hits = names.filter((n) => n.startsWith(partial)).sort();
    return { paths: hits.slice(0, limit).map((n) => joinPath(parent, n)), total: hits.length };
  }

  /** The subtree under `path` as JSON (parents before children), up to EXPORT_MAX_NODES znodes. */
  async exportTree(path: string, through: number | null): Promise<TreeExport> {
    const zk = await this.client(through);
    const nodes: TreeExportNode[] = [];
    const queue = [path];
    while (queue.length > 0) {
      const p = queue.shift()!;
      let got: { data: Buffer | null; stat: Stat };
      let kids: string[];
      try {
        got = await zk.getData(p);
        kids = await zk.getChildren(p);
      } catch (e) {
        if (e instanceof NoNodeError && p !== path) continue; // deleted while exporting
        throw e;
      }
      if (p === '/zookeeper' || p.startsWith('/zookeeper/')) continue; // the server's own znodes
      const rel = p === path ? '' : path === '/' ? p : p.slice(path.length);
      nodes.push({ path: rel, data: got.data === null ? null : got.data.toString('base64'), kind: kindOf(got.stat.ephemeralOwner) });
      if (nodes.length > EXPORT_MAX_NODES) throw new Error(`${path} holds more than ${EXPORT_MAX_NODES} znodes; export its children one by one.`);
      for (const k of kids.sort()) queue.push(joinPath(p, k));
    }
    return { format: 'zookeeper-lab-tree', version: 1, root: path, exportedAt: Date.now(), nodes };
  }

  /**
   * Creates an export's znodes under `parent`: the export of /app lands at `parent`/app (an
   * export of / lands in `parent` itself). Everything is checked before anything is written;
   * then multis of up to 500 ops, each one transaction. Existing znodes are left alone, or get
   * the export's data with `overwrite`.
   */
  async importTree(parent: string, doc: unknown, overwrite: boolean, through: number | null, control?: ImportControl): Promise<ImportResult> {
    const parsed = TreeExport.safeParse(doc);
    if (!parsed.success) throw new Error(`This is not a tree export of ZooKeeper Lab: ${parsed.error.issues[0]?.path.join('.') || 'document'}: ${parsed.error.issues[0]?.message}. Export a subtree from the Tree view to get one.`);
    const bad = pathError(parent);
    if (bad) throw new Error(`Cannot import under ${parent}: ${bad}`);
    const root = parsed.data.root === '/' ? parent : joinPath(parent, baseName(parsed.data.root));
    const target = root;
    const zk = await this.client(through);
    const full = (rel: string): string => (rel === '' ? target : target === '/' ? rel : target + rel);
    const planned = new Set<string>();
    const convertedPaths = new Set<string>();
    const ops: Op[] = [];
    const result: ImportCounts = { created: 0, updated: 0, skipped: 0, converted: 0, transactions: 0 };
    const total = parsed.data.nodes.length;
    // Progress every so many znodes checked (one round trip each), and a chance to cancel.
    const every = Math.max(1, Math.min(200, Math.floor(total / 50)));
    let checked = 0;
    for (const n of parsed.data.nodes) {
      if (control && checked % every === 0) {
        if (control.cancelled()) throw new ImportCancelled({ ...result, created: 0, updated: 0, skipped: 0, converted: 0 }, root);
        control.progress('checking', checked, total, result, root);
      }
      checked++;
      const p = full(n.path);
      const err = pathError(p);
      if (err) throw new Error(`The export holds a bad path ${n.path}: ${err}. Nothing was imported.`);
      if (planned.has(p)) throw new Error(`The export holds ${n.path} twice. Nothing was imported.`);
      if (p === '/zookeeper' || p.startsWith('/zookeeper/')) throw new Error(`The export writes under /zookeeper (${p}), which belongs to the server. Nothing was imported.`);
      const data = n.data === null ? null : Buffer.from(n.data, 'base64');
      const exists = p === '/' || (await zk.exists(p)) !== null;
      if (exists) {
        if (overwrite && p !== '/') {
          ops.push(Ops.setData(p, data, -1));
          result.updated++;
        } else result.skipped++;
      } else {
        const parent = parentOf(p);
        if (!planned.has(parent) && (await zk.exists(parent)) === null) throw new Error(`${parent} does not exist and the export does not create it before ${p}. Nothing was imported.`);
        if (n.kind === 'ephemeral' || n.kind === 'ttl') {
          result.converted++;
          convertedPaths.add(p);
        }
        ops.push(Ops.create(p, data, { mode: n.kind === 'container' ? CreateMode.CONTAINER : CreateMode.PERSISTENT }));
        result.created++;
      }
      planned.add(p);
    }
    // What the multis wrote so far (the plan above counted what they will write).
    const written: ImportCounts = { created: 0, updated: 0, skipped: result.skipped, converted: 0, transactions: 0 };
    let sent = 0;
    let batch: Op[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      if (control?.cancelled()) throw new ImportCancelled(written, root);
      await zk.multi(batch);
      for (const op of batch) {
        if (op.op === 'setData') written.updated++;
        else written.created++;
        if (convertedPaths.has(op.path)) written.converted++;
      }
      written.transactions++;
      result.transactions++;
      sent += batch.length;
      batch = [];
      bytes = 0;
      control?.progress('writing', sent, ops.length, written, root);
    };
    control?.progress('writing', 0, ops.length, written, root);
    for (const op of ops) {
      const size = op.path.length + ('data' in op && op.data ? Buffer.byteLength(op.data as Buffer) : 0) + 64;
      if (batch.length >= IMPORT_BATCH_OPS || (batch.length > 0 && bytes + size > IMPORT_BATCH_BYTES)) await flush();
      batch.push(op);
      bytes += size;
    }
    await flush();
    return { ...result, root };
  }

  private noAuth(zk: ZkClient, e: unknown, path: string, need: Need): Promise<never> {
    return explainNoAuth(zk, e, path, need, this.auths.map((a) => a.user));
  }

  async setAcl(path: string, acl: AclRow[], version: number, recursive: boolean, through: number | null, progress: (p: AclProgress | null) => void): Promise<{ aversion: number; count: number }> {
    const zk = await this.client(through);
    return setAcl(zk, path, acl, version, recursive, this.auths.map((a) => a.user), progress);
  }

  /**
   * addauth digest user:password on every session of the view; sessions opened later send it
   * when they connect (ZooKeeper keeps auth per connection, and forgets it with the session).
   */
  async addAuth(user: string, password: string, through: number | null): Promise<Identity[]> {
    digestOf(user, password); // the same check as the helper's
    this.keepAuth(user, password);
    for (const c of this.clients.values()) {
      const zk = await c.catch(() => null);
      await zk?.addAuth('digest', `${user}:${password}`);
    }
    return this.identities(through);
  }

  /** Digest auth for the sessions opened from now on (a saved connection's, at attach). */
  keepAuth(user: string, password: string): void {
    if (!this.auths.some((a) => a.user === user && a.password === password)) this.auths.push({ user, password });
  }

  async identities(through: number | null): Promise<Identity[]> {
    return identitiesOf(await this.client(through), this.auths.map((a) => a.user));
  }

  /** Closes every session (the lab changed or is closing). */
  async close(): Promise<void> {
    // A new lab starts with the session's plain identity again.
    this.auths.length = 0;
    this.watchers.clear();
    this.listings.clear();
    const cs = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(cs.map((c) => c.then((z) => z.close()).catch(() => {})));
  }
}

// The tree explorer's backend: reads and writes through our client, through the member the
// user chose ("read through node N") or through the whole ensemble. Children are listed one
// level at a time and paged; nothing caches the whole tree.
import { connect, CreateMode, type ZkClient } from '../client';
import type { Stat } from '../client';

/** A Stat as JSON: 64-bit values as strings, zxids also split into epoch and counter. */
export function statJson(s: Stat): Record<string, string | number> {
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

export class TreeBrowser {
  private clients = new Map<string, Promise<ZkClient>>();

  constructor(private readonly connectString: () => string, private readonly memberAddress: (myid: number) => string | null) {}

  /** The lab's session through one member (myid) or through the whole ensemble (null). */
  private client(through: number | null): Promise<ZkClient> {
    const cs = through === null ? this.connectString() : this.memberAddress(through);
    if (!cs) throw new Error(`There is no node ${through} to read through.`);
    let c = this.clients.get(cs);
    if (!c) {
      c = connect(cs, { sessionTimeout: 10_000 }).catch((e: Error) => {
        this.clients.delete(cs);
        throw new Error(`Cannot reach ${cs}: ${e.message}`);
      });
      this.clients.set(cs, c);
    }
    return c;
  }

  async children(path: string, through: number | null, offset: number, limit: number): Promise<{ children: string[]; total: number }> {
    const zk = await this.client(through);
    const all = (await zk.getChildren(path)).sort();
    return { children: all.slice(offset, offset + limit), total: all.length };
  }

  async node(path: string, through: number | null): Promise<{ path: string; data: string | null; stat: Record<string, string | number>; acl: { perms: number; scheme: string; id: string }[] }> {
    const zk = await this.client(through);
    const { data, stat } = await zk.getData(path);
    let acl: { perms: number; scheme: string; id: string }[] = [];
    try {
      acl = (await zk.getACL(path)).acl.map((a) => ({ perms: a.perms, scheme: a.id.scheme, id: a.id.id }));
    } catch {
      // no READ/ADMIN on the ACL: shown empty
    }
    return { path, data: data === null ? null : data.toString('base64'), stat: statJson(stat), acl };
  }

  async create(path: string, data: string, mode: string, ttlMs: number | undefined, through: number | null): Promise<string> {
    const zk = await this.client(through);
    const m = MODES[mode];
    if (m === undefined) throw new Error(`Unknown create mode ${mode}.`);
    return zk.create(path, Buffer.from(data, 'utf8'), { mode: m, ttl: mode === 'ttl' ? ttlMs : undefined });
  }

  async set(path: string, data: string, version: number, through: number | null): Promise<Record<string, string | number>> {
    const zk = await this.client(through);
    return statJson(await zk.setData(path, Buffer.from(data, 'utf8'), version));
  }

  async delete(path: string, version: number, recursive: boolean, through: number | null): Promise<void> {
    const zk = await this.client(through);
    if (!recursive) return zk.delete(path, version);
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

  /** Closes every session (the lab changed or is closing). */
  async close(): Promise<void> {
    const cs = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(cs.map((c) => c.then((z) => z.close()).catch(() => {})));
  }
}

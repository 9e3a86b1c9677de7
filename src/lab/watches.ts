// The watch inspector's backend: every watch on every node (our members answer `lab_watches`
// with both tables and the kind; Apache members answer 3.8's `watches`, the data table only),
// and watches the user sets as the lab's own session, whose events are pushed as they fire.
import { connect, AddWatchMode, type ZkClient, type WatchedEvent } from '../client';
import { eventTypeName } from '../client';
import type { WatchRow } from '../shared/api';
import type { WatchFire } from '../shared/contract';


/** Marks each row with the lab's view that owns its session (several views have sessions of their own). */
export function labelOwners(rows: WatchRow[], owners: Map<string, { owner: string; client?: number }>): WatchRow[] {
  return rows.map((r) => {
    const o = owners.get(r.sessionId);
    return { ...r, owner: o?.owner ?? null, ...(o?.client !== undefined ? { client: o.client } : {}) };
  });
}


export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistent-recursive';

/** Every watch held by the given members (AdminServer ports). Session ids stay exact (strings). */
export async function listWatches(members: { myid: number; adminPort: number }[]): Promise<WatchRow[]> {
  const rows: WatchRow[] = [];
  await Promise.all(
    members.map(async (m) => {
      // Read as text: session ids are 64-bit and must not pass through a JS number.
      const text = async (name: string): Promise<string> => {
        const ctl = new AbortController();
        const t = setTimeout(() => ctl.abort(), 1500);
        try {
          return await (await fetch(`http://127.0.0.1:${m.adminPort}/commands/${name}`, { signal: ctl.signal })).text();
        } finally {
          clearTimeout(t);
        }
      };
      try {
        const ours = await text('lab_watches');
        if (!/Unknown command/.test(ours)) {
          for (const w of ours.matchAll(/"path" : "((?:[^"\\]|\\.)*)",\s*"session_id" : (-?\d+),\s*"kind" : "([a-z-]+)"/g)) {
            rows.push({ myid: m.myid, path: JSON.parse(`"${w[1]}"`), sessionId: `0x${BigInt.asUintN(64, BigInt(w[2]!)).toString(16)}`, kind: w[3]! });
          }
          return;
        }
        const theirs = await text('watches');
        const body = /"session_id_to_watched_paths" : \{([\s\S]*?)\n  \}/.exec(theirs)?.[1] ?? '';
        for (const s of body.matchAll(/"(-?\d+)" : \[([^\]]*)\]/g)) {
          for (const p of s[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)) rows.push({ myid: m.myid, path: JSON.parse(`"${p[1]}"`), sessionId: `0x${BigInt.asUintN(64, BigInt(s[1]!)).toString(16)}`, kind: 'data' });
        }
      } catch {
        // a member that does not answer holds no watch we can show
      }
    }),
  );
  return rows.sort((a, b) => a.path.localeCompare(b.path) || a.myid - b.myid);
}

/** The lab's own session for watches set from the inspector. */
export class LabWatcher {
  private client: Promise<ZkClient> | null = null;
  private nextId = 1;
  /** The newest events first, so a view opened later still shows what fired. */
  private readonly fired: WatchFire[] = [];

  constructor(private readonly onFire: (f: WatchFire) => void) {}

  private fire(f: WatchFire): void {
    this.fired.unshift(f);
    if (this.fired.length > 200) this.fired.pop();
    this.onFire(f);
  }

  /** The inspector's session id (0x…), once it has one. */
  async sessionId(): Promise<string | null> {
    const zk = await this.client?.catch(() => null);
    return zk && zk.sessionId !== 0n ? `0x${BigInt.asUintN(64, zk.sessionId).toString(16)}` : null;
  }

  recent(): WatchFire[] {
    return [...this.fired];
  }

  private session(connectString: string): Promise<ZkClient> {
    this.client ??= connect(connectString, { sessionTimeout: 10_000 }).catch((e: Error) => {
      this.client = null;
      throw new Error(`Cannot reach ${connectString}: ${e.message}`);
    });
    return this.client;
  }

  /** Sets one watch; its events are pushed as they fire (one-shot ones once, persistent ones each time). */
  async add(connectString: string, path: string, kind: WatchKind): Promise<{ watchId: number; sessionId: string }> {
    const zk = await this.session(connectString);
    const watchId = this.nextId++;
    const on = (e: WatchedEvent): void => this.fire({ time: Date.now(), path: e.path ?? path, type: eventTypeName(e.type), kind, watchId });
    if (kind === 'data') await zk.getData(path, on);
    else if (kind === 'exist') await zk.exists(path, on);
    else if (kind === 'child') await zk.getChildren(path, on);
    else await zk.addWatch(path, on, kind === 'persistent' ? AddWatchMode.PERSISTENT : AddWatchMode.PERSISTENT_RECURSIVE);
    return { watchId, sessionId: `0x${BigInt.asUintN(64, zk.sessionId).toString(16)}` };
  }

  async close(): Promise<void> {
    this.fired.length = 0;
    const c = this.client;
    this.client = null;
    if (c) await c.then((z) => z.close()).catch(() => {});
  }
}


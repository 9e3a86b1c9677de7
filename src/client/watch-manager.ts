// The client's side of watches (ZooKeeper's ZKWatchManager): which callback waits for which
// path, which of them an event from the server wakes, and what to re-register after a
// reconnect. Paths here are client paths (chroot already stripped).
import { EventType, WatcherType } from '../protocol/codes';

/** A node event (or a client-side removal event) as delivered to a watcher. */
export interface WatchedEvent {
  /** EventType: NodeCreated 1, NodeDeleted 2, NodeDataChanged 3, NodeChildrenChanged 4, ...Removed 5-7; None -1 for state changes. */
  type: number;
  /** KeeperState: SyncConnected 3 for node events. */
  state: number;
  /** Client path; null for state changes. */
  path: string | null;
}

export type Watcher = (event: WatchedEvent) => void;

/** The five registration tables. */
export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

type Table = Map<string, Set<Watcher>>;

function addTo(table: Table, path: string, w: Watcher): void {
  let set = table.get(path);
  if (!set) table.set(path, (set = new Set()));
  set.add(w);
}

function takeAll(table: Table, path: string, out: Set<Watcher>): void {
  const set = table.get(path);
  if (!set) return;
  for (const w of set) out.add(w);
  table.delete(path);
}

/** Every ancestor of a path, the path itself first, "/" last. */
export function pathAndAncestors(path: string): string[] {
  const out = [path];
  let p = path;
  while (p !== '/') {
    const i = p.lastIndexOf('/');
    p = i <= 0 ? '/' : p.slice(0, i);
    out.push(p);
  }
  return out;
}

export class WatchManager {
  readonly tables: Record<WatchKind, Table> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };

  add(kind: WatchKind, path: string, w: Watcher): void {
    addTo(this.tables[kind], path, w);
  }

  /**
   * The watchers a server event wakes. One-shot registrations are consumed; persistent ones
   * stay; a watcher registered several ways gets the event once (a Set).
   */
  materialize(type: number, path: string): Set<Watcher> {
    const out = new Set<Watcher>();
    const t = this.tables;
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        takeAll(t.data, path, out);
        takeAll(t.exist, path, out);
        break;
      case EventType.NodeChildrenChanged:
        takeAll(t.child, path, out);
        break;
      case EventType.NodeDeleted:
        takeAll(t.data, path, out);
        takeAll(t.exist, path, out);
        takeAll(t.child, path, out);
        break;
      default:
        return out;
    }
    for (const w of t.persistent.get(path) ?? []) out.add(w);
    // A recursive watch never reports child-list changes: it reports the children themselves.
    if (type !== EventType.NodeChildrenChanged) {
      for (const p of pathAndAncestors(path)) for (const w of t.persistentRecursive.get(p) ?? []) out.add(w);
    }
    return out;
  }

  /** The tables a WatcherType covers, with the removal event each reports. */
  private tablesFor(type: number): { kind: WatchKind; removedEvent: number }[] {
    const child = { kind: 'child' as const, removedEvent: EventType.ChildWatchRemoved };
    const data = { kind: 'data' as const, removedEvent: EventType.DataWatchRemoved };
    const exist = { kind: 'exist' as const, removedEvent: EventType.DataWatchRemoved };
    const persistent = { kind: 'persistent' as const, removedEvent: EventType.PersistentWatchRemoved };
    const recursive = { kind: 'persistentRecursive' as const, removedEvent: EventType.PersistentWatchRemoved };
    switch (type) {
      case WatcherType.Children:
        return [child];
      case WatcherType.Data:
        return [data, exist];
      case WatcherType.Persistent:
        return [persistent];
      case WatcherType.PersistentRecursive:
        return [recursive];
      default:
        return [child, data, exist, persistent, recursive];
    }
  }

  /** True if `w` (or any watcher, when `w` is undefined) is registered at `path` for `type`. */
  contains(path: string, type: number, w?: Watcher): boolean {
    for (const { kind } of this.tablesFor(type)) {
      const set = this.tables[kind].get(path);
      if (set && (w === undefined ? set.size > 0 : set.has(w))) return true;
    }
    return false;
  }

  /** Removes `w` (or every watcher) at `path` for `type`; returns each removed watcher with its removal event type. */
  remove(path: string, type: number, w?: Watcher): { watcher: Watcher; eventType: number }[] {
    const removed: { watcher: Watcher; eventType: number }[] = [];
    for (const { kind, removedEvent } of this.tablesFor(type)) {
      const table = this.tables[kind];
      const set = table.get(path);
      if (!set) continue;
      const victims = w === undefined ? [...set] : set.has(w) ? [w] : [];
      for (const v of victims) {
        set.delete(v);
        // One removal event per (watcher, event type), as Java's Set per event type does.
        if (!removed.some((r) => r.watcher === v && r.eventType === removedEvent)) {
          removed.push({ watcher: v, eventType: removedEvent });
        }
      }
      if (set.size === 0) table.delete(path);
    }
    return removed;
  }

  /** Paths per table, for SetWatches/SetWatches2 after a reconnect. */
  snapshot(): Record<WatchKind, string[]> {
    const keys = (t: Table) => [...t.keys()];
    return {
      data: keys(this.tables.data),
      exist: keys(this.tables.exist),
      child: keys(this.tables.child),
      persistent: keys(this.tables.persistent),
      persistentRecursive: keys(this.tables.persistentRecursive),
    };
  }

  /** Every distinct watcher registered anywhere. */
  all(): Set<Watcher> {
    const out = new Set<Watcher>();
    for (const table of Object.values(this.tables)) for (const set of table.values()) for (const w of set) out.add(w);
    return out;
  }

  isEmpty(): boolean {
    return Object.values(this.tables).every((t) => t.size === 0);
  }

  /** Number of (path, watcher) registrations per table, for the lab's watch inspector. */
  counts(): Record<WatchKind, number> {
    const n = (t: Table) => [...t.values()].reduce((a, s) => a + s.size, 0);
    return {
      data: n(this.tables.data),
      exist: n(this.tables.exist),
      child: n(this.tables.child),
      persistent: n(this.tables.persistent),
      persistentRecursive: n(this.tables.persistentRecursive),
    };
  }

  clear(): void {
    for (const t of Object.values(this.tables)) t.clear();
  }
}

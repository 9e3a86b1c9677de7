// Watch tables (org.apache.zookeeper.server.watch.WatchManager): path -> watcher -> mode.
// Standard watches are one-shot; persistent ones re-arm; persistent-recursive ones also
// match every descendant and never get NodeChildrenChanged.
import { EventType } from '../../protocol/codes';
import { parentOf } from '../../protocol/paths';

export const enum WatchMode {
  Standard = 0,
  Persistent = 1,
  PersistentRecursive = 2,
}

/** Who receives events: one client connection. */
export interface Watcher {
  readonly watcherId: number;
  /** Delivers one notification (xid -1) to the client. */
  deliverEvent(type: number, path: string, zxid: bigint): void;
}

export class WatchTable {
  private readonly byPath = new Map<string, Map<Watcher, WatchMode>>();
  private readonly byWatcher = new Map<Watcher, Set<string>>();
  private recursiveCount = 0;

  add(path: string, watcher: Watcher, mode: WatchMode = WatchMode.Standard): void {
    let m = this.byPath.get(path);
    if (!m) this.byPath.set(path, (m = new Map()));
    const old = m.get(watcher);
    // The last registration sets the mode, as ZooKeeper's WatcherModeManager does: a one-shot
    // watch set where a persistent one was turns it back into a one-shot watch.
    if (old === WatchMode.PersistentRecursive) this.recursiveCount--;
    if (mode === WatchMode.PersistentRecursive) this.recursiveCount++;
    m.set(watcher, mode);
    let p = this.byWatcher.get(watcher);
    if (!p) this.byWatcher.set(watcher, (p = new Set()));
    p.add(path);
  }

  has(path: string, watcher: Watcher): boolean {
    return this.byPath.get(path)?.has(watcher) ?? false;
  }

  modeOf(path: string, watcher: Watcher): WatchMode | undefined {
    return this.byPath.get(path)?.get(watcher);
  }

  /** Removes one registration; returns whether one existed. `modes` limits which kinds go. */
  remove(path: string, watcher: Watcher, modes?: WatchMode[]): boolean {
    const m = this.byPath.get(path);
    const mode = m?.get(watcher);
    if (m === undefined || mode === undefined) return false;
    if (modes && !modes.includes(mode)) return false;
    if (mode === WatchMode.PersistentRecursive) this.recursiveCount--;
    m.delete(watcher);
    if (m.size === 0) this.byPath.delete(path);
    const p = this.byWatcher.get(watcher);
    p?.delete(path);
    if (p && p.size === 0) this.byWatcher.delete(watcher);
    return true;
  }

  /** Drops every registration of a watcher (its connection closed). */
  removeWatcher(watcher: Watcher): void {
    const paths = this.byWatcher.get(watcher);
    if (!paths) return;
    for (const path of paths) {
      const m = this.byPath.get(path);
      if (!m) continue;
      if (m.get(watcher) === WatchMode.PersistentRecursive) this.recursiveCount--;
      m.delete(watcher);
      if (m.size === 0) this.byPath.delete(path);
    }
    this.byWatcher.delete(watcher);
  }

  /**
   * Collects (and, for one-shot watches, removes) the watchers an event on `path` fires.
   * Watchers in `suppress` are skipped; the result is added to `into`.
   */
  trigger(path: string, type: number, into: Set<Watcher>, suppress?: Set<Watcher>): void {
    let p = path;
    let atParent = false;
    for (;;) {
      const m = this.byPath.get(p);
      if (m) {
        for (const [w, mode] of m) {
          if (suppress?.has(w)) continue;
          if (mode === WatchMode.PersistentRecursive) {
            if (type !== EventType.NodeChildrenChanged) into.add(w);
          } else if (!atParent) {
            into.add(w);
            if (mode === WatchMode.Standard) {
              m.delete(w);
              const wp = this.byWatcher.get(w);
              wp?.delete(p);
              if (wp && wp.size === 0) this.byWatcher.delete(w);
            }
          }
        }
        if (m.size === 0) this.byPath.delete(p);
      }
      if (this.recursiveCount === 0 || p === '/') break;
      p = parentOf(p);
      atParent = true;
    }
  }

  /** Total (path, watcher) registrations. */
  size(): number {
    let n = 0;
    for (const m of this.byPath.values()) n += m.size;
    return n;
  }

  pathCount(): number {
    return this.byPath.size;
  }

  watcherCount(): number {
    return this.byWatcher.size;
  }

  /** path -> watchers (for wchp / watches_by_path). */
  entriesByPath(): IterableIterator<[string, Map<Watcher, WatchMode>]> {
    return this.byPath.entries();
  }

  /** watcher -> paths (for wchc / watches). */
  entriesByWatcher(): IterableIterator<[Watcher, Set<string>]> {
    return this.byWatcher.entries();
  }
}

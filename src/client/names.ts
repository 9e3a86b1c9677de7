// Java's enum names for events and states, and WatchedEvent.toString() (3.8), so the shell
// prints what zkCli prints.
import { EventType, KeeperState } from '../protocol/codes';
import type { WatchedEvent } from './watch-manager';

/** EventType name ("NodeDataChanged"); "None" for -1. */
export function eventTypeName(type: number): string {
  return Object.entries(EventType).find(([, v]) => v === type)?.[0] ?? `Unknown(${type})`;
}

/** KeeperState name ("SyncConnected"). */
export function keeperStateName(state: number): string {
  return Object.entries(KeeperState).find(([, v]) => v === state)?.[0] ?? `Unknown(${state})`;
}

/** "WatchedEvent state:SyncConnected type:NodeDataChanged path:/a" (Java 3.8's toString). */
export function formatWatchedEvent(e: WatchedEvent): string {
  return `WatchedEvent state:${keeperStateName(e.state)} type:${eventTypeName(e.type)} path:${e.path}`;
}

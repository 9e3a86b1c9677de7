import { describe, expect, it } from 'vitest';
import { EventType, WatcherType } from '../protocol/codes';
import { WatchManager, type Watcher } from './watch-manager';

const w = (name: string, log: string[]): Watcher => () => log.push(name);

describe('WatchManager', () => {
  it('wakes the right tables for each event, once per watcher', () => {
    const m = new WatchManager();
    const log: string[] = [];
    const a = w('a', log);
    m.add('data', '/x', a);
    m.add('child', '/x', a);
    m.add('exist', '/y', w('y', log));
    m.add('persistent', '/x', w('p', log));
    m.add('persistentRecursive', '/', w('r', log));
    expect([...m.materialize(EventType.NodeChildrenChanged, '/x')].length).toBe(2); // a (child) + p, not r
    expect([...m.materialize(EventType.NodeDeleted, '/x')].length).toBe(3); // a (data) + p + r
    expect([...m.materialize(EventType.NodeCreated, '/y')].length).toBe(2); // y + r
    expect(m.counts()).toEqual({ data: 0, exist: 0, child: 0, persistent: 1, persistentRecursive: 1 });
  });

  it('removes by watcher type and reports the removal event per table', () => {
    const m = new WatchManager();
    const a: Watcher = () => undefined;
    m.add('data', '/x', a);
    m.add('exist', '/x', a);
    m.add('child', '/x', a);
    m.add('persistent', '/x', a);
    expect(m.contains('/x', WatcherType.Children, a)).toBe(true);
    expect(m.remove('/x', WatcherType.Data).map((r) => r.eventType)).toEqual([EventType.DataWatchRemoved]);
    expect(m.remove('/x', WatcherType.Any, a).map((r) => r.eventType)).toEqual([EventType.ChildWatchRemoved, EventType.PersistentWatchRemoved]);
    expect(m.isEmpty()).toBe(true);
  });
});

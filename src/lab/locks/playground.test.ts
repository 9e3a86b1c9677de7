// Bad playground input gets a sentence that says what to change, and changes nothing: no run,
// no history row, no event.
import { describe, expect, it } from 'vitest';
import { Request, type LockSettings } from '../../shared/contract';
import { LockPlayground, settingsError } from './playground';

const good: LockSettings = { clients: 10, strategy: 'seed', holdMs: 20, thinkMs: 0, durationMs: 5000, acquisitions: null, lockPath: '/playground/lock' };

const parseError = (settings: unknown): string => {
  const r = Request.safeParse({ method: 'locks.start', settings });
  return r.success ? '' : r.error.issues.map((i) => i.message).join('; ');
};

describe('lock playground input', () => {
  it('the contract refuses 0 or 51 clients and negative times, saying the allowed range', () => {
    expect(parseError(good)).toBe('');
    expect(parseError({ ...good, clients: 0 })).toBe('A run needs at least 1 client (1 to 50).');
    expect(parseError({ ...good, clients: 51 })).toBe('A run has at most 50 clients (1 to 50).');
    expect(parseError({ ...good, holdMs: -1 })).toBe('The hold time cannot be negative (0 or more ms).');
    expect(parseError({ ...good, thinkMs: -5 })).toBe('The think time cannot be negative (0 or more ms).');
    expect(parseError({ ...good, clients: 2.5 })).toBe('clients must be a whole number');
    expect(Request.safeParse({ method: 'locks.fault', client: 3, fault: 'reboot' }).success).toBe(false);
  });

  it('the playground says what is wrong with settings the types allow', () => {
    expect(settingsError(good)).toBeNull();
    expect(settingsError({ ...good, durationMs: null, acquisitions: null })).toMatch(/Give a duration or a number of acquisitions/);
    expect(settingsError({ ...good, lockPath: 'playground' })).toMatch(/is not a znode path/);
    expect(settingsError({ ...good, lockPath: '/playground/' })).toMatch(/is not a znode path/);
    expect(settingsError({ ...good, lockPath: '/zookeeper/lock' })).toMatch(/belongs to ZooKeeper itself/);
    expect(settingsError({ ...good, clients: 0 })).toMatch(/1 to 50 clients/);
  });

  it('a refused start leaves no run, no history row and no event', async () => {
    const rows: unknown[] = [];
    const events: string[] = [];
    const store = { lockRunBegin: () => (rows.push(1), 1), lockRunEnd: () => rows.push(2), lockRuns: () => [] };
    const deps = (members: number, serving: boolean) =>
      new LockPlayground({
        members: () => Array.from({ length: members }, (_, i) => ({ myid: i + 1, host: '127.0.0.1', port: 1 })),
        serving: () => serving,
        killMember: async () => undefined,
        store: () => store,
        push: () => undefined,
        record: (type) => events.push(type),
      });
    await expect(deps(3, true).start({ ...good, clients: 51 })).rejects.toThrow('A run has 1 to 50 clients, not 51. Nothing was started.');
    await expect(deps(3, true).start({ ...good, holdMs: -1 })).rejects.toThrow(/cannot be negative/);
    await expect(deps(0, false).start(good)).rejects.toThrow(/There is no lab: launch one/);
    await expect(deps(3, false).start(good)).rejects.toThrow(/no quorum now/);
    const p = deps(3, true);
    await expect(p.stop()).rejects.toThrow(/No lock run is going/);
    await expect(p.fault(1, 'expire')).rejects.toThrow(/No lock run is going/);
    expect(p.state()).toBeNull();
    expect(rows).toEqual([]);
    expect(events).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { LockClientView, LockRunView } from '../shared/contract';
import { checkLockForm, DEFAULT_LOCK_FORM, frameOf, lastQueueFrame, queueCaption, shortestRunMs, spreadOf } from './lockview';

const client = (id: number, member: number, over: Partial<LockClientView> = {}): LockClientView => ({
  id,
  member,
  sessionId: `0x${id}`,
  state: 'waiting',
  node: null,
  watching: null,
  acquisitions: 0,
  notifications: 0,
  expirations: 0,
  lastWaitMs: null,
  ...over,
});

function run(over: Partial<LockRunView>): LockRunView {
  const { settings } = checkLockForm(DEFAULT_LOCK_FORM);
  return {
    id: 1,
    settings: settings!,
    phase: 'running',
    startedAt: 0,
    endedAt: null,
    children: [],
    holders: [],
    clients: [],
    counters: { acquisitions: 0, perSecond: 0, waitP50Ms: null, waitP99Ms: null, waitMaxMs: null, notifications: 0, notificationsPerAcquisition: null, watchesSet: 0, serverChecks: 0 },
    violations: [],
    faults: [],
    log: [],
    stopReason: null,
    error: null,
    ...over,
  } as LockRunView;
}

describe('the lock playground', () => {
  it('has defaults whose run lasts long enough to watch (at least 20 s)', () => {
    const { settings, errors } = checkLockForm(DEFAULT_LOCK_FORM);
    expect(errors).toEqual({});
    expect(shortestRunMs(settings!)).toBeGreaterThanOrEqual(20_000);
  });

  it('does not say "No child" of the naive lock while it draws its waiters', () => {
    const naive = run({ settings: { ...run({}).settings, strategy: 'naive' }, clients: Array.from({ length: 8 }, (_, i) => client(i + 1, 1, { watching: 'lock' })) });
    const caption = queueCaption(frameOf(naive, 0));
    expect(caption).not.toMatch(/No child/);
    expect(caption).toContain('8 clients waiting');
    const held = { ...naive, children: [{ name: 'lock', sequence: null, client: 3 }], holders: [3] };
    expect(queueCaption(frameOf(held, 0))).toMatch(/^lock is the lock node, held by client 3; 8 clients wait on it/);
  });

  it('shows how acquisitions spread over clients and members', () => {
    const r = run({ clients: [client(1, 1, { acquisitions: 44 }), client(2, 1, { acquisitions: 43 }), client(3, 2, { acquisitions: 13 })] });
    const s = spreadOf(r);
    expect(s.total).toBe(100);
    expect(s.members).toEqual([
      { member: 1, clients: 2, acquisitions: 87, share: 0.87 },
      { member: 2, clients: 1, acquisitions: 13, share: 0.13 },
    ]);
    expect(s.clients.map((c) => c.share)).toEqual([0.44, 0.43, 0.13]);
  });

  it('keeps the last moment with a queue once the run is over', () => {
    const busy = frameOf(run({ children: [{ name: 'lock-0000000001', sequence: '0000000001', client: 1 }], holders: [1] }), 1);
    const stopping = frameOf(run({ phase: 'stopping', children: [{ name: 'lock-0000000001', sequence: '0000000001', client: 1 }] }), 2);
    const empty = frameOf(run({ phase: 'done', clients: [client(1, 1, { state: 'stopped' })] }), 3);
    expect(lastQueueFrame([busy, stopping, empty, empty])).toBe(0);
    expect(lastQueueFrame([stopping, empty])).toBe(0);
    expect(lastQueueFrame([empty])).toBe(0);
  });
});

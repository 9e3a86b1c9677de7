// The read-only server's life (roZkMgr's grace period, roZk.shutdown) and its local sessions,
// on a stand-in for the server core. End to end, side by side with Apache ZooKeeper 3.8:
// test/client/ensemble.test.ts and test/judges/zkcli-read-only.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Err, OpCode } from '../../protocol/codes';
import type { ServerCore } from '../core';
import type { Request } from '../request';
import { READ_ONLY_REFUSED } from '../chain/read-only';
import { systemClock } from '../runtime/clock';
import { ReadOnlyServer } from './read-only';

function fakeCore() {
  const calls: string[] = [];
  const core = {
    serverId: 1,
    lastProcessedZxid: 0x100000002n,
    bySession: new Map<bigint, { close(reason: string): void }>(),
    closeAllConnections: (reason: string) => calls.push(`closeAll: ${reason}`),
    sessionEstablished: (sid: bigint, timeout: number) => calls.push(`established 0x${sid.toString(16)} ${timeout}`),
    answerLocally: (req: Request, err: number, closeAfter = false) => calls.push(`answer ${req.type} ${err}${closeAfter ? ' close' : ''}`),
  };
  return { core: core as unknown as ServerCore, raw: core, calls };
}

const req = (type: number, sessionId = 5n, body: Request['body'] = { type } as Request['body']): Request => ({ sessionId, cxid: 1, type, body, authInfo: [] });

describe('ReadOnlyServer', () => {
  let looking = true;
  beforeEach(() => {
    vi.useFakeTimers();
    looking = true;
  });
  afterEach(() => vi.useRealTimers());
  const make = (core: ServerCore, enabled = true, tickTime = 500): ReadOnlyServer => new ReadOnlyServer(core, { enabled, tickTime, isLooking: () => looking, log: () => {}, clock: systemClock() });

  it('starts after max(2000 ms, tickTime) of looking, and its shutdown closes every connection', () => {
    const { core, calls } = fakeCore();
    const ro = make(core);
    ro.looking();
    vi.advanceTimersByTime(1999);
    expect(ro.active).toBe(false);
    vi.advanceTimersByTime(1);
    expect(ro.active).toBe(true);
    ro.stop();
    expect(ro.active).toBe(false);
    expect(calls).toEqual(['closeAll: the read-only server shut down']);
    const slow = make(core, true, 3000);
    slow.looking();
    vi.advanceTimersByTime(2999);
    expect(slow.active).toBe(false);
    vi.advanceTimersByTime(1);
    expect(slow.active).toBe(true);
  });

  it('does not start when disabled, when the member stopped looking, or after stop() in the grace period', () => {
    const { core, calls } = fakeCore();
    const off = make(core, false);
    off.looking();
    vi.advanceTimersByTime(10_000);
    expect(off.active).toBe(false);
    const decided = make(core);
    decided.looking();
    looking = false;
    vi.advanceTimersByTime(2000);
    expect(decided.active).toBe(false);
    looking = true;
    const interrupted = make(core);
    interrupted.looking();
    vi.advanceTimersByTime(1000);
    interrupted.stop();
    vi.advanceTimersByTime(5000);
    expect(interrupted.active).toBe(false);
    expect(calls).toEqual([]);
  });

  it('makes local sessions, closes them locally and refuses every other write', async () => {
    const { core, calls } = fakeCore();
    const ro = make(core);
    ro.looking();
    vi.advanceTimersByTime(2000);
    ro.submit(req(OpCode.createSession, 7n, { type: OpCode.createSession, timeOut: 4000 } as Request['body']));
    expect(ro.touch(7n)).toBe(true);
    ro.submit(req(OpCode.closeSession, 7n));
    ro.submit(req(OpCode.closeSession, 8n));
    ro.submit(req(OpCode.create, 9n));
    await Promise.resolve();
    expect(calls).toEqual([`established 0x7 4000`, `answer ${OpCode.closeSession} 0 close`, `answer ${OpCode.closeSession} ${Err.NOTREADONLY}`, `answer ${OpCode.create} ${Err.NOTREADONLY}`]);
    expect(ro.touch(7n)).toBe(false);
  });

  it('expires a local session nobody touches and closes its connection', () => {
    const { core, raw } = fakeCore();
    const reasons: string[] = [];
    raw.bySession.set(7n, { close: (r) => reasons.push(r) });
    const ro = make(core);
    ro.looking();
    vi.advanceTimersByTime(2000);
    ro.submit(req(OpCode.createSession, 7n, { type: OpCode.createSession, timeOut: 1000 } as Request['body']));
    vi.advanceTimersByTime(900);
    expect(ro.touch(7n)).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(reasons).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(reasons).toEqual(['session expired']);
    expect(ro.touch(7n)).toBe(false);
  });

  it("refuses ReadOnlyRequestProcessor's list: every write, sync, check and multi, not multiRead", () => {
    for (const op of [OpCode.create, OpCode.create2, OpCode.createTTL, OpCode.createContainer, OpCode.delete, OpCode.setData, OpCode.setACL, OpCode.reconfig, OpCode.multi, OpCode.check, OpCode.sync]) {
      expect(READ_ONLY_REFUSED.has(op)).toBe(true);
    }
    for (const op of [OpCode.getData, OpCode.exists, OpCode.getChildren, OpCode.getChildren2, OpCode.multiRead, OpCode.getACL, OpCode.setWatches, OpCode.addWatch, OpCode.whoAmI]) {
      expect(READ_ONLY_REFUSED.has(op)).toBe(false);
    }
  });
});

import { describe, expect, it, vi } from 'vitest';
import { WS_MESSAGE_MAX } from './limits';
import { RpcCalls, type RpcCarrier } from './rpc';

/** A carrier that records what was sent and can answer it. */
function carrier(over: Partial<RpcCarrier> = {}) {
  const sent: { id: number; request: { method: string } }[] = [];
  const c: RpcCarrier = {
    ready: async () => undefined,
    send: (text) => sent.push(JSON.parse(text)),
    late: (method, ms) => `${method} late after ${ms}`,
    check: true,
    ...over,
  };
  return { c, sent };
}
const settle = () => new Promise((r) => setImmediate(r));

describe('the lab RPC client', () => {
  it('sends nothing for a request the contract refuses, and says which field', async () => {
    const { c, sent } = carrier();
    const calls = new RpcCalls(c);
    // A path of the wrong type: the contract wants a string.
    await expect(calls.call({ method: 'tree.node', path: 42, through: null } as never)).rejects.toThrow(/does not fit the lab's contract, so nothing was sent: .*path/);
    expect(sent).toEqual([]);
  });

  it('fills in the contract defaults and resolves each reply with its method result, checked', async () => {
    const { c, sent } = carrier();
    const calls = new RpcCalls(c);
    const heal = calls.call({ method: 'net.heal' });
    const search = calls.call({ method: 'tree.search', prefix: '/a', through: null, limit: 5 });
    await settle();
    expect(sent.map((s) => s.request)).toEqual([{ method: 'net.heal', id: null }, { method: 'tree.search', prefix: '/a', through: null, limit: 5 }]);
    // Answered out of order: ids pair them.
    calls.receive(JSON.stringify({ id: sent[1]!.id, ok: true, result: { paths: ['/a/b'], total: 1 } }));
    calls.receive(JSON.stringify({ id: sent[0]!.id, ok: false, error: 'There is no lab network.' }));
    expect(await search).toEqual({ paths: ['/a/b'], total: 1 });
    await expect(heal).rejects.toThrow('There is no lab network.');
  });

  it('refuses a result its method does not promise (a backend of another build)', async () => {
    const { c, sent } = carrier();
    const calls = new RpcCalls(c);
    const p = calls.call({ method: 'tree.search', prefix: '/a', through: null, limit: 5 });
    await settle();
    calls.receive(JSON.stringify({ id: sent[0]!.id, ok: true, result: { paths: '/a/b' } }));
    await expect(p).rejects.toThrow(/answered tree.search with what the contract does not allow .*npm run build/);
  });

  it('gives every call a time limit, and a late reply changes nothing', async () => {
    vi.useFakeTimers();
    try {
      const { c, sent } = carrier();
      const calls = new RpcCalls(c);
      const p = calls.call({ method: 'state' }, 500);
      const caught = p.catch((e: Error) => e.message);
      await vi.advanceTimersByTimeAsync(499);
      expect(sent.length).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(await caught).toBe('state late after 500');
      calls.receive(JSON.stringify({ id: sent[0]!.id, ok: true, result: null }));
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails the calls under way when the link goes, and hands pushes to their listeners', async () => {
    const { c } = carrier();
    const calls = new RpcCalls(c);
    const pushes: string[] = [];
    calls.onPush((p) => pushes.push(p.kind));
    const p = calls.call({ method: 'load.status' });
    await settle();
    calls.receive(JSON.stringify({ kind: 'tree.changed', path: '/a', what: 'data' }));
    calls.receive(JSON.stringify({ kind: 'no-such-push' }));
    calls.receive('not json');
    calls.failAll((m) => new Error(`lost during ${m}`));
    await expect(p).rejects.toThrow('lost during load.status');
    expect(pushes).toEqual(['tree.changed']);
  });

  it('waits for the link to open, and fails with its reason when it never will', async () => {
    let open!: () => void;
    const { c, sent } = carrier({ ready: () => new Promise<void>((r) => (open = r)) });
    const calls = new RpcCalls(c);
    const p = calls.call({ method: 'state' });
    await settle();
    expect(sent).toEqual([]);
    open();
    await settle();
    calls.receive(JSON.stringify({ id: sent[0]!.id, ok: true, result: null }));
    expect(await p).toBeNull();
    const refused = new RpcCalls(carrier({ ready: () => Promise.reject(new Error('the lab refused this page')) }).c);
    await expect(refused.call({ method: 'state' })).rejects.toThrow('the lab refused this page');
  });

  it('refuses a request over the WebSocket cap before sending it, and keeps the link for the next call', async () => {
    const { c, sent } = carrier({ check: false }); // the page's carrier
    const calls = new RpcCalls(c);
    // Five znodes of 1 MiB each fit the contract (a chunk holds up to 2000) but not one message.
    const mib = 'A'.repeat(1 << 20);
    const nodes = Array.from({ length: 5 }, (_, i) => ({ path: `/n${i}`, data: mib, kind: 'persistent' as const }));
    await expect(calls.call({ method: 'tree.import.chunk', upload: 'u1', nodes })).rejects.toThrow(/"tree.import.chunk" is 5 MiB, over the 4 MiB .* nothing was sent; send less at once/);
    expect(sent).toEqual([]);
    // Counted in UTF-8 bytes, not UTF-16 units: 1.5 M characters of three bytes each are 4.5 MiB.
    const wide = calls.call({ method: 'tree.import.chunk', upload: 'u1', nodes: [{ path: '/w', data: '€'.repeat(1.5 * (1 << 20)), kind: 'persistent' }] });
    await expect(wide).rejects.toThrow(/is 4.5 MiB, over the 4 MiB/);
    // One just under the cap goes, and the link is still there for it.
    const fits = calls.call({ method: 'tree.import.chunk', upload: 'u1', nodes: [{ path: '/f', data: 'A'.repeat(WS_MESSAGE_MAX - 200), kind: 'persistent' }] });
    await settle();
    expect(sent.length).toBe(1);
    calls.receive(JSON.stringify({ id: sent[0]!.id, ok: true, result: null }));
    await expect(fits).resolves.toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { parseConnectString } from './connect-string';
import { IllegalArgumentError } from './errors';
import { HostProvider } from './host-provider';

describe('parseConnectString', () => {
  it('reads hosts, default ports, IPv6 literals and a chroot', () => {
    expect(parseConnectString('a:1,b,[::1]:3/app/x')).toEqual({
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2181 },
        { host: '::1', port: 3 },
      ],
      chroot: '/app/x',
    });
    expect(parseConnectString('a:1/').chroot).toBeNull();
  });

  it('says what is wrong with a bad connect string', () => {
    expect(() => parseConnectString('')).toThrow(IllegalArgumentError);
    expect(() => parseConnectString('a:x')).toThrow('Port "x" of "a:x" is not a number');
    expect(() => parseConnectString('a:70000')).toThrow('out of range');
    expect(() => parseConnectString('a:1/app/')).toThrow('Invalid chroot in connect string: Path must not end with / character');
    expect(() => parseConnectString('/app')).toThrow('names no host');
  });
});

describe('HostProvider', () => {
  const hosts = [1, 2, 3].map((p) => ({ host: 'h', port: p }));

  it('shuffles with the given random source and goes round-robin', () => {
    const seq = [0.9, 0.1];
    const hp = new HostProvider(hosts, true, () => seq.shift() ?? 0);
    const order = hp.order().map((h) => h.port);
    expect(order).not.toEqual([1, 2, 3]);
    expect([...order].sort()).toEqual([1, 2, 3]);
    const tried = [hp.next(0), hp.next(0), hp.next(0), hp.next(0)].map((n) => n.host.port);
    expect(tried).toEqual([...order, order[0]]);
  });

  it('pauses only after coming full circle without a connection', () => {
    const hp = new HostProvider(hosts, false);
    expect([hp.next(1000), hp.next(1000), hp.next(1000)].map((n) => n.delayMs)).toEqual([0, 0, 0]);
    expect(hp.next(1000).delayMs).toBe(1000);
    hp.next(1000); // host 2
    hp.onConnected();
    expect([hp.next(1000), hp.next(1000)].map((n) => n.delayMs)).toEqual([0, 0]);
    expect(hp.next(1000)).toEqual({ host: { host: 'h', port: 2 }, delayMs: 1000 });
  });
});

import { describe, expect, it } from 'vitest';
import { callSite, logThreshold, makeLogger } from './log';

describe('the member log', () => {
  it('names the calling module under src/server (or dist/server) and its line, on POSIX and Windows paths', () => {
    expect(callSite('Error\n    at QuorumPeer.lead (/home/u/lab/src/server/quorum/peer.ts:412:9)\n    at next (x.js:1:1)')).toBe('quorum/peer.ts@412');
    expect(callSite('Error\n    at C:\\Users\\u\\lab\\dist\\server\\member.js:77:5')).toBe('member.js@77');
    expect(callSite('Error\n    at Socket.<anonymous> (file:///opt/lab/src/server/net/connection.ts:500:12)')).toBe('net/connection.ts@500');
    expect(callSite('Error\n    at /somewhere/else/thing.js:3:1')).toBe('thing.js@3');
    expect(callSite(undefined)).toBe('?@?');
  });

  it('reads the threshold from ZOO_LOG4J_PROP before zoo.cfg, and refuses what is no level', () => {
    const cfg = new Map([['zookeeper.root.logger', 'DEBUG,ROLLINGFILE']]);
    expect(logThreshold({}, new Map())).toEqual({ threshold: 3 });
    expect(logThreshold({}, cfg)).toEqual({ threshold: 2 });
    expect(logThreshold({ ZOO_LOG4J_PROP: 'warn,CONSOLE' }, cfg)).toEqual({ threshold: 4 });
    expect(logThreshold({}, new Map([['zookeeper.root.logger', 'CONSOLE']]))).toEqual({ error: expect.stringMatching(/^zookeeper.root.logger in zoo.cfg=CONSOLE does not start with a log level; give one of TRACE/) });
  });

  it('writes the layout with this call site, and drops lines under the threshold', () => {
    const out: string[] = [];
    const log = makeLogger(3, 3, (l) => out.push(l));
    log('DEBUG', 'not this');
    log('WARN', 'this'); const here = new Error().stack!.split('\n')[1]!.match(/:(\d+):\d+\)?$/)![1];
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} \\[myid:3\\] - WARN  \\[main:log\\.test\\.ts@${here}\\] - this\\n$`));
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, formatServerLine, isDistributed, loadConfig, parseConfig, parseServerLine } from './config';
import { checkAcl, digestOf, fixupAcl, ipMatches } from './acl';

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zoo.cfg', () => {
  it('reads the usual keys with ZooKeeper defaults', () => {
    const c = parseConfig(`dataDir=${dir}\nclientPort=2181\n`);
    expect(c.tickTime).toBe(3000);
    expect(c.minSessionTimeout).toBe(6000);
    expect(c.maxSessionTimeout).toBe(60000);
    expect(c.maxClientCnxns).toBe(60);
    expect(c.fourLetterWhitelist).toEqual(new Set(['srvr']));
    expect(c.adminServerPort).toBe(8080);
    expect(c.forceSync).toBe(true);
    expect(c.snapCount).toBe(100000);
    expect(isDistributed(c)).toBe(false);
  });

  it('accepts zookeeper.* system-property keys and warns about unknown ones', () => {
    const c = parseConfig(`dataDir=${dir}\nclientPort=2181\nzookeeper.snapCount=10\nadmin.serverPort=9000\nfrobnicate=yes\n4lw.commands.whitelist=stat, ruok, nope\n`);
    expect(c.snapCount).toBe(10);
    expect(c.adminServerPort).toBe(9000);
    expect(c.warnings.some((w) => w.includes('unknown key "frobnicate"'))).toBe(true);
    expect(c.warnings.some((w) => w.includes('"nope"'))).toBe(true);
    expect(c.fourLetterWhitelist).toEqual(new Set(['srvr', 'stat', 'ruok']));
  });

  it('explains malformed values in one sentence', () => {
    expect(() => parseConfig(`dataDir=${dir}\nclientPort=abc\n`)).toThrow(/clientPort=abc is not a whole number/);
    expect(() => parseConfig(`dataDir=${dir}\nclientPort=70000\n`)).toThrow(/not a TCP port/);
    expect(() => parseConfig(`clientPort=2181\n`)).toThrow(/dataDir is not set/);
    expect(() => parseConfig(`dataDir=${dir}\n`)).toThrow(/clientPort is not set/);
    expect(() => parseConfig(`dataDir=${dir}\nclientPort=1\nforceSync=maybe\n`)).toThrow(/forceSync=maybe must be true or false/);
    expect(() => parseConfig(`dataDir=${dir}\nclientPort=1\nminSessionTimeout=9\nmaxSessionTimeout=5\n`)).toThrow(ConfigError);
    expect(() => parseConfig(`dataDir=${dir}\nclientPort=1\nelectionAlg=1\n`)).toThrow(/only 3/);
    expect(() => loadConfig(join(dir, 'missing.cfg'))).toThrow(/Cannot read the config file .*ENOENT/);
  });

  it('refuses a jute.maxbuffer the wire limits cannot carry, in one sentence', () => {
    expect(parseConfig(`dataDir=${dir}\nclientPort=2181\njute.maxbuffer=4194304\n`).juteMaxBuffer).toBe(4194304);
    expect(() => parseConfig(`dataDir=${dir}\nclientPort=2181\njute.maxbuffer=67108864\n`)).toThrow(/^zoo\.cfg: jute\.maxbuffer 67108864 leaves no room in a 67108864-byte quorum packet: set it below \d+\.$/);
    expect(() => parseConfig(`dataDir=${dir}\nclientPort=2181\njute.maxbuffer=100\n`)).toThrow(ConfigError);
  });

  it('parses server.N lines and requires myid, initLimit and syncLimit for an ensemble', () => {
    const s = parseServerLine('server.2', '127.0.0.1:2888:3888:observer;127.0.0.1:2182');
    expect(s).toEqual({ sid: 2, host: '127.0.0.1', quorumPort: 2888, electionPort: 3888, type: 'observer', clientHost: '127.0.0.1', clientPort: 2182 });
    expect(formatServerLine(s)).toBe('server.2=127.0.0.1:2888:3888:observer;127.0.0.1:2182');
    expect(() => parseServerLine('server.x', 'h:1:2')).toThrow(/must be a number/);
    expect(() => parseServerLine('server.1', 'h:1:1')).toThrow(/must differ/);
    const ens = `dataDir=${join(dir, 'e')}\nclientPort=2181\ninitLimit=5\nsyncLimit=2\nserver.1=127.0.0.1:1:2\nserver.2=127.0.0.1:3:4\nserver.3=127.0.0.1:5:6\n`;
    expect(() => parseConfig(ens)).toThrow(/myid is missing|myid.*missing/);
    mkdirSync(join(dir, 'e'), { recursive: true });
    writeFileSync(join(dir, 'e', 'myid'), '2\n');
    const c = parseConfig(ens);
    expect(c.myid).toBe(2);
    expect(isDistributed(c)).toBe(true);
    expect(() => parseConfig(ens.replace('initLimit=5\n', ''))).toThrow(/initLimit is not set/);
  });
});

describe('ACL providers', () => {
  it('matches ip ids by CIDR and digest ids exactly', () => {
    expect(ipMatches('10.1.2.3', '10.1.0.0/16')).toBe(true);
    expect(ipMatches('10.2.2.3', '10.1.0.0/16')).toBe(false);
    expect(ipMatches('127.0.0.1', '127.0.0.1')).toBe(true);
    const acl = [{ perms: 1, id: { scheme: 'digest', id: digestOf('bob:pw') } }];
    expect(checkAcl(acl, 1, [{ scheme: 'digest', id: digestOf('bob:pw') }])).toBe(true);
    expect(checkAcl(acl, 2, [{ scheme: 'digest', id: digestOf('bob:pw') }])).toBe(false);
    expect(checkAcl(acl, 2, [{ scheme: 'super', id: '' }])).toBe(true);
    expect(digestOf('super:test')).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
  });

  it('validates ACL lists like fixupACL', () => {
    expect(fixupAcl([{ perms: 31, id: { scheme: 'world', id: 'everyone' } }], [])).toBe(-114);
    expect(fixupAcl([{ perms: 31, id: { scheme: 'ip', id: '300.1.1.1' } }], [])).toBe(-114);
    expect(fixupAcl([{ perms: 31, id: { scheme: 'nope', id: 'x' } }], [])).toBe(-114);
    expect(fixupAcl([{ perms: 31, id: { scheme: 'auth', id: '' } }], [{ scheme: 'digest', id: 'u:h' }, { scheme: 'ip', id: '1.2.3.4' }])).toEqual([
      { perms: 31, id: { scheme: 'digest', id: 'u:h' } },
    ]);
  });
});

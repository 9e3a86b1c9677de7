import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findConnection, forgetConnection, listConnections, readConnections, saveConnection } from './connections';

describe('the saved connections file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zk-lab-connections-'));
  const file = join(dir, 'labs', 'connections.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps connections by name, owner-only, and lists them without passwords', () => {
    expect(listConnections(file)).toEqual([]);
    saveConnection({ name: ' staging ', connectString: '10.0.0.1:2181,10.0.0.2:2181', auth: [{ user: 'alice', password: 'pw' }], readOnly: true }, file);
    const list = saveConnection({ name: 'dev', connectString: '127.0.0.1:2181', auth: [], readOnly: false }, file);
    expect(list).toEqual([
      { name: 'dev', connectString: '127.0.0.1:2181', users: [], readOnly: false },
      { name: 'staging', connectString: '10.0.0.1:2181,10.0.0.2:2181', users: ['alice'], readOnly: true },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(findConnection('staging', file).auth).toEqual([{ user: 'alice', password: 'pw' }]);
    // The same name replaces.
    saveConnection({ name: 'dev', connectString: '127.0.0.1:2182', auth: [], readOnly: true }, file);
    expect(listConnections(file).find((c) => c.name === 'dev')!.connectString).toBe('127.0.0.1:2182');
    expect(forgetConnection('dev', file).map((c) => c.name)).toEqual(['staging']);
  });

  it('refuses bad input and changes nothing', () => {
    const before = readFileSync(file, 'utf8');
    expect(() => saveConnection({ name: 'x', connectString: 'nohost', auth: [], readOnly: true }, file)).toThrow(/not host:port/);
    expect(() => saveConnection({ name: '  ', connectString: '127.0.0.1:1', auth: [], readOnly: true }, file)).toThrow(/Give the connection a name/);
    expect(() => saveConnection({ name: 'x', connectString: '127.0.0.1:1', auth: [{ user: 'a:b', password: '' }], readOnly: true }, file)).toThrow(/no ":"/);
    expect(() => forgetConnection('nope', file)).toThrow(/no saved connection named nope/);
    expect(() => findConnection('nope', file)).toThrow(/save it again/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('counts a damaged file as no connections', () => {
    writeFileSync(file, '{ not json');
    expect(readConnections(file)).toEqual([]);
    writeFileSync(file, JSON.stringify({ connections: [{ name: 'ok', connectString: '127.0.0.1:1', auth: [], readOnly: true }, { name: 3 }] }));
    expect(listConnections(file).map((c) => c.name)).toEqual(['ok']);
  });
});

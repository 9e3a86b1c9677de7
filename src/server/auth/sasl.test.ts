import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DigestMd5Server, parseDirectives, readJaasUsers } from './sasl';

describe('SASL DIGEST-MD5', () => {
  it('verifies the RFC 2831 example exchange and answers its rspauth', () => {
    const server = new DigestMd5Server(new Map([['chris', 'secret']]), 'OA6MG9tEQGm2hh');
    const challenge = server.step(Buffer.alloc(0));
    expect('token' in challenge && challenge.token.toString()).toContain('nonce="OA6MG9tEQGm2hh"');
    const response =
      'charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth';
    const done = server.step(Buffer.from(response));
    expect(done).toEqual({ token: Buffer.from('rspauth=ea40f60335c427b5527b84dbabcdfffd'), user: 'chris' });
  });

  it('refuses a wrong password and an unknown user', () => {
    const bad = new DigestMd5Server(new Map([['chris', 'not-secret']]), 'OA6MG9tEQGm2hh');
    bad.step(Buffer.alloc(0));
    const r = bad.step(Buffer.from('username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth'));
    expect(r).toMatchObject({ error: expect.stringMatching(/failed/) });
    const none = new DigestMd5Server(new Map(), 'n');
    none.step(Buffer.alloc(0));
    expect(none.step(Buffer.from('username="x",nonce="n",response=00'))).toMatchObject({ error: 'unknown SASL user x' });
  });

  it('reads users from a JAAS Server section and parses quoted directives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jaas-'));
    const f = join(dir, 'jaas.conf');
    writeFileSync(f, 'Client {\n x required user_no="no";\n};\nServer {\n org.apache.zookeeper.server.auth.DigestLoginModule required\n user_super="super_secret"\n user_jaasuser="jaas_password";\n};\n');
    expect(readJaasUsers(f)).toEqual(new Map([['super', 'super_secret'], ['jaasuser', 'jaas_password']]));
    rmSync(dir, { recursive: true, force: true });
    expect(parseDirectives('a="x, y",b=2')).toEqual(new Map([['a', 'x, y'], ['b', '2']]));
  });
});

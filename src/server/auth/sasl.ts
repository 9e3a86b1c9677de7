// SASL DIGEST-MD5 on the client port (opcode 102), as ZooKeeper's server does it with a JAAS
// `Server { org.apache.zookeeper.server.auth.DigestLoginModule required user_<name>="<pw>"; }`
// section: the server speaks first with a challenge, checks the client's digest response (RFC
// 2831, qop=auth) and answers rspauth; the connection then holds the id sasl:<name>.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The realm and service ZooKeeper hard-codes for DIGEST-MD5 (SecurityUtils). */
export const DIGEST_REALM = 'zk-sasl-md5';

/** Reads user_<name>="<password>" options of the `Server` section of a JAAS file. */
export function readJaasUsers(path: string, section = 'Server'): Map<string, string> {
  const text = readFileSync(path, 'utf8');
  const users = new Map<string, string>();
  const m = new RegExp(`(^|\\n)\\s*${section}\\s*\\{([\\s\\S]*?)\\};`).exec(text);
  if (!m) return users;
  for (const u of m[2]!.matchAll(/user_([^\s=]+)\s*=\s*"([^"]*)"/g)) users.set(u[1]!, u[2]!);
  return users;
}

/** Parses a DIGEST-MD5 directive list: key=value or key="quoted, value", comma separated. */
export function parseDirectives(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/g;
  for (const m of s.matchAll(re)) out.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim());
  return out;
}

const md5 = (b: Buffer | string): Buffer => createHash('md5').update(b).digest();
const hexMd5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

export type SaslStep = { token: Buffer; user?: string } | { error: string };

/** One DIGEST-MD5 exchange on one connection. */
export class DigestMd5Server {
  private state: 'start' | 'challenged' | 'done' = 'start';

  constructor(
    private readonly users: Map<string, string>,
    private readonly nonce = randomBytes(24).toString('base64'),
  ) {}

  /** Takes the client's token; returns the server's next token, or an error (the connection closes). */
  step(token: Buffer): SaslStep {
    if (this.state === 'start') {
      this.state = 'challenged';
      const challenge = `realm="${DIGEST_REALM}",nonce="${this.nonce}",qop="auth",charset=utf-8,algorithm=md5-sess`;
      return { token: Buffer.from(challenge, 'utf8') };
    }
    if (this.state === 'done') return { error: 'SASL exchange already complete' };
    const d = parseDirectives(token.toString('utf8'));
    const user = d.get('username');
    const response = d.get('response');
    if (!user || !response) return { error: 'DIGEST-MD5 response without username or response' };
    if (d.get('nonce') !== this.nonce) return { error: 'DIGEST-MD5 response carries a wrong nonce' };
    const password = this.users.get(user);
    if (password === undefined) return { error: `unknown SASL user ${user}` };
    const realm = d.get('realm') ?? '';
    const cnonce = d.get('cnonce') ?? '';
    const nc = d.get('nc') ?? '00000001';
    const qop = d.get('qop') ?? 'auth';
    const uri = d.get('digest-uri') ?? '';
    const authzid = d.get('authzid');
    const a1Parts = [md5(`${user}:${realm}:${password}`), Buffer.from(`:${this.nonce}:${cnonce}${authzid ? `:${authzid}` : ''}`)];
    const ha1 = hexMd5(Buffer.concat(a1Parts));
    const expect = hexMd5(`${ha1}:${this.nonce}:${nc}:${cnonce}:${qop}:${hexMd5(`AUTHENTICATE:${uri}`)}`);
    if (expect !== response.toLowerCase()) return { error: `SASL digest authentication failed for user ${user}` };
    const rspauth = hexMd5(`${ha1}:${this.nonce}:${nc}:${cnonce}:${qop}:${hexMd5(`:${uri}`)}`);
    this.state = 'done';
    return { token: Buffer.from(`rspauth=${rspauth}`, 'utf8'), user: authzid || user };
  }
}

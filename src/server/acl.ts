// ACL checks (ZooKeeperServer.checkACL, PrepRequestProcessor.fixupACL) and the auth providers
// ZooKeeper ships: world, auth, digest, ip, and super via superDigest.
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { Err } from '../protocol/codes';
import type { ACL, Id } from '../protocol/records';

/** digest = user:base64(sha1("user:password")) (DigestAuthenticationProvider.generateDigest). */
export function digestOf(userColonPassword: string): string {
  const user = userColonPassword.split(':', 1)[0]!;
  return `${user}:${createHash('sha1').update(userColonPassword, 'utf8').digest('base64')}`;
}

function ipToInt(ip: string): number | null {
  if (!isIPv4(ip)) return null;
  return ip.split('.').reduce((acc, o) => (acc << 8) | Number(o), 0) >>> 0;
}

/** IPAuthenticationProvider.matches: a.b.c.d or a.b.c.d/bits. */
export function ipMatches(clientIp: string, aclId: string): boolean {
  const [net, bitsText] = aclId.split('/', 2) as [string, string | undefined];
  const a = ipToInt(clientIp.replace(/^::ffff:/, ''));
  const b = ipToInt(net);
  if (a === null || b === null) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

function validIpAcl(id: string): boolean {
  const [net, bits] = id.split('/', 2) as [string, string | undefined];
  if (!isIPv4(net)) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= 32;
}

/** True when `ids` (a connection's auth) grants `perm` on a node with `acl`. */
export function checkAcl(acl: ACL[], perm: number, ids: Id[], skipACL = false): boolean {
  if (skipACL || acl.length === 0) return true;
  for (const id of ids) if (id.scheme === 'super') return true;
  for (const a of acl) {
    if ((a.perms & perm) === 0) continue;
    const { scheme, id } = a.id;
    if (scheme === 'world' && id === 'anyone') return true;
    for (const mine of ids) {
      if (mine.scheme !== scheme) continue;
      if (scheme === 'ip' ? ipMatches(mine.id, id) : mine.id === id) return true;
    }
  }
  return false;
}

/**
 * Validates an ACL list for create/setACL and expands `auth` entries into the caller's
 * authenticated ids. Returns the fixed list or an error code (INVALIDACL).
 */
export function fixupAcl(acl: ACL[] | null, ids: Id[]): ACL[] | number {
  if (acl === null || acl.length === 0) return Err.INVALIDACL;
  const out: ACL[] = [];
  const seen = new Set<string>();
  const push = (a: ACL): void => {
    const key = `${a.perms}|${a.id.scheme}|${a.id.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(a);
  };
  for (const a of acl) {
    const { scheme, id } = a.id;
    if (scheme === 'world') {
      if (id !== 'anyone') return Err.INVALIDACL;
      push(a);
    } else if (scheme === 'auth') {
      let any = false;
      for (const mine of ids) {
        // Only providers that count as "authenticated" (digest, super) expand auth; ip does not.
        if (mine.scheme === 'digest' || mine.scheme === 'sasl') {
          push({ perms: a.perms, id: { scheme: mine.scheme, id: mine.id } });
          any = true;
        }
      }
      if (!any) return Err.INVALIDACL;
    } else if (scheme === 'digest') {
      if (id.split(':').length !== 2) return Err.INVALIDACL;
      push(a);
    } else if (scheme === 'ip') {
      if (!validIpAcl(id)) return Err.INVALIDACL;
      push(a);
    } else if (scheme === 'sasl') {
      if (id === '') return Err.INVALIDACL;
      push(a);
    } else {
      // No provider is registered for this scheme.
      return Err.INVALIDACL;
    }
  }
  return out;
}

/** getACL without ADMIN masks digest ids as user:x (the CVE-2019-0201 fix). */
export function maskDigests(acl: ACL[]): ACL[] {
  return acl.map((a) => (a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: `${a.id.id.split(':', 1)[0]}:x` } } : a));
}

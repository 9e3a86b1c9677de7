// The Tree explorer's ACLs and auth: setAcl with the ACL version (a stale one names both
// versions), the same ACL over a whole subtree with progress, and a NoAuth that says which
// permission was missing, on which znode, and what the session and the ACL hold. ZooKeeper's
// own NoAuth says none of that ("KeeperErrorCode = NoAuth for /x").
import { BadVersionError, digestId, InvalidACLError, NoAuthError, permsToString, type ACL, type ZkClient } from '../client';
import { Perms } from '../protocol/codes';
import { joinPath } from '../protocol/paths';
import type { AclProgress, AclRow } from '../shared/contract';

/** What an operation needs, as ZooKeeper checks it (FinalRequestProcessor / PrepRequestProcessor). */
export interface Need {
  /** "reading", "setting data of", … */
  what: string;
  /** The znode whose ACL is checked: the parent for create and delete. */
  on: string;
  perm: number;
}

const PERM_NAME: [number, string][] = [
  [Perms.READ, 'READ (r)'],
  [Perms.WRITE, 'WRITE (w)'],
  [Perms.CREATE, 'CREATE (c)'],
  [Perms.DELETE, 'DELETE (d)'],
  [Perms.ADMIN, 'ADMIN (a)'],
];

/** "READ (r)", or "READ (r) or ADMIN (a)" for getACL, which takes either. */
export function permName(perm: number): string {
  return PERM_NAME.filter(([bit]) => perm & bit)
    .map(([, n]) => n)
    .join(' or ');
}

export const aclText = (a: ACL): string => `${a.id.scheme}:${a.id.id}:${permsToString(a.perms)}`;

/** The identities the server holds for this session ("ip:127.0.0.1", "digest:alice"); `added`: what the lab sent, for servers before 3.7 (no whoAmI). */
export async function identitiesOf(zk: ZkClient, added: string[]): Promise<{ scheme: string; id: string }[]> {
  try {
    return (await zk.whoAmI()).map((c) => ({ scheme: c.authScheme, id: c.user }));
  } catch {
    return added.map((user) => ({ scheme: 'digest', id: user }));
  }
}

/**
 * Turns a NoAuth into a sentence naming the permission missing, and what the ACL grants and the
 * session holds; anything else goes through as it was.
 */
export async function explainNoAuth(zk: ZkClient, e: unknown, path: string, need: Need, added: string[]): Promise<never> {
  if (!(e instanceof NoAuthError)) throw e;
  const who = (await identitiesOf(zk, added)).map((i) => `${i.scheme}:${i.id}`).join(', ') || 'no identity';
  let grants: string;
  try {
    grants = `its ACL is ${(await zk.getACL(need.on)).acl.map(aclText).join(', ')}`;
  } catch {
    grants = 'its ACL cannot be read either (that needs READ or ADMIN)';
  }
  const on = need.on === path ? need.on : `${need.on} (the parent)`;
  throw new Error(
    `NoAuth: ${need.what} ${path} needs ${permName(need.perm)} on ${on}, which its ACL does not grant to the lab's session (${who}); ${grants}. ` +
      "Add the digest auth of a user it grants (addauth in the ACL card), or ask whoever holds ADMIN on it.",
  );
}

/** The rows of the editor as the client's ACL, checked first: a sentence for each mistake, nothing sent. */
export function toAcl(rows: AclRow[]): ACL[] {
  if (rows.length === 0) throw new Error('An ACL needs at least one entry (ZooKeeper refuses an empty one). Nothing was changed.');
  return rows.map((r, i) => {
    const where = `Entry ${i + 1} (${r.scheme}:${r.id})`;
    if (r.scheme === 'world' && r.id !== 'anyone') throw new Error(`${where}: the world scheme has one id, "anyone". Nothing was changed.`);
    if (r.scheme === 'digest' && /^[^:]+:x$/.test(r.id)) throw new Error(`${where}: the server hid this digest's hash (it shows x to a session without ADMIN on the znode). Add that user's digest auth (addauth) and read the znode again, or enter the entry again with the digest helper. Nothing was changed.`);
    if (r.scheme === 'digest' && !/^[^:]+:[A-Za-z0-9+/]{27}=$/.test(r.id)) throw new Error(`${where}: a digest id is user:base64(sha1(user:password)), e.g. from the digest helper; a plain password does not work there. Nothing was changed.`);
    if (r.scheme === 'ip' && !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(r.id)) throw new Error(`${where}: an ip id is an address, or address/bits (10.0.0.0/8). Nothing was changed.`);
    return { perms: r.perms, id: { scheme: r.scheme, id: r.scheme === 'auth' ? '' : r.id } };
  });
}

/** The digest helper: user:password -> the digest scheme's id, as ZooKeeper's DigestAuthenticationProvider makes it. */
export function digestOf(user: string, password: string): string {
  if (user === '' || user.includes(':')) throw new Error('A digest user name is not empty and has no ":" in it.');
  return digestId(`${user}:${password}`);
}

/** An InvalidACL as a sentence; anything else is left to the caller. */
function invalidAcl(e: unknown, acl: ACL[]): void {
  if (!(e instanceof InvalidACLError)) return;
  const auth = acl.some((a) => a.id.scheme === 'auth');
  throw new Error(
    `InvalidACL: the server refused ${acl.map(aclText).join(', ')}. ${auth ? 'The auth scheme stands for the identities the session holds: add a digest auth first (addauth). ' : ''}Check each entry's scheme and id. Nothing was changed.`,
  );
}

/**
 * Sets the ACL of `path` if its ACL version is `version` (-1: any); with `recursive`, then of
 * every znode under it (each with -1), reporting progress. The subtree is listed first, so that
 * an ACL taking READ away from the lab cannot cut the walk short.
 */
export async function setAcl(
  zk: ZkClient,
  path: string,
  rows: AclRow[],
  version: number,
  recursive: boolean,
  added: string[],
  progress: (p: AclProgress | null) => void,
): Promise<{ aversion: number; count: number }> {
  const acl = toAcl(rows);
  const fail = async (e: unknown, p: string, need: Need): Promise<never> => {
    if (e instanceof BadVersionError) {
      const now = await zk.exists(p).catch(() => null);
      const actual = now ? `it is at aclVersion ${now.aversion} now` : 'it is gone now';
      throw new Error(`BadVersion: setting the ACL of ${p} expected aclVersion ${version}, but ${actual} (someone changed its ACL since it was read). Nothing was changed: read it again, or give -1 for any version.`);
    }
    invalidAcl(e, acl);
    return explainNoAuth(zk, e, p, need, added);
  };
  const paths = [path];
  if (recursive) {
    let last = 0;
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i]!;
      const kids = await zk.getChildren(p).catch((e: unknown) => explainNoAuth(zk, e, p, { what: 'listing the children of', on: p, perm: Perms.READ }, added));
      for (const k of kids.sort()) paths.push(joinPath(p, k));
      if (Date.now() - last > 100) {
        last = Date.now();
        progress({ path, step: 'listing', done: i + 1, total: paths.length });
      }
    }
  }
  let aversion = -1;
  let last = 0;
  try {
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i]!;
      const stat = await zk.setACL(p, acl, i === 0 ? version : -1).catch(async (e: unknown) => {
        try {
          return await fail(e, p, { what: 'setting the ACL of', on: p, perm: Perms.ADMIN });
        } catch (err) {
          if (i === 0) throw err;
          // The root and some of the subtree have the new ACL: say how far it got.
          throw new Error(`The ACL was set on ${i} of ${paths.length} znodes under ${path}, then: ${(err as Error).message}`);
        }
      });
      if (i === 0) aversion = stat.aversion;
      if (recursive && (Date.now() - last > 100 || i === paths.length - 1)) {
        last = Date.now();
        progress({ path, step: 'setting', done: i + 1, total: paths.length });
      }
    }
  } finally {
    if (recursive) progress(null);
  }
  return { aversion, count: paths.length };
}

// ACL helpers: the digest scheme's id, and the "scheme:id:perms" text zkCli reads and prints.
import { createHash } from 'node:crypto';
import { Perms } from '../protocol/codes';
import type { ACL } from '../protocol/records';

/** digest scheme id for user:password — "user:base64(sha1(user:password))". */
export function digestId(userColonPassword: string): string {
  const user = userColonPassword.split(':', 1)[0]!;
  const hash = createHash('sha1').update(userColonPassword, 'utf8').digest('base64');
  return `${user}:${hash}`;
}

const PERM_LETTERS: [string, number][] = [
  ['c', Perms.CREATE],
  ['d', Perms.DELETE],
  ['r', Perms.READ],
  ['w', Perms.WRITE],
  ['a', Perms.ADMIN],
];

/** Permission bits as zkCli prints them: "cdrwa" order. */
export function permsToString(perms: number): string {
  return PERM_LETTERS.filter(([, bit]) => (perms & bit) !== 0)
    .map(([l]) => l)
    .join('');
}

/** "cdrwa" -> bits; unknown letters are reported through `onUnknown` and skipped (as zkCli does). */
export function permsFromString(text: string, onUnknown?: (c: string) => void): number {
  let perms = 0;
  for (const c of text) {
    const hit = PERM_LETTERS.find(([l]) => l === c);
    if (hit) perms |= hit[1];
    else onUnknown?.(c);
  }
  return perms;
}

/**
 * Parses zkCli's ACL text ("world:anyone:cdrwa,digest:bob:xyz=:r"). Malformed entries are
 * reported through `onError` with zkCli's sentence and skipped.
 */
export function parseAcl(text: string, onError?: (message: string) => void): ACL[] {
  const out: ACL[] = [];
  for (const a of text.split(',')) {
    const first = a.indexOf(':');
    const last = a.lastIndexOf(':');
    if (first === -1 || last === -1 || first === last) {
      onError?.(`${a} does not have the form scheme:id:perm`);
      continue;
    }
    out.push({
      id: { scheme: a.slice(0, first), id: a.slice(first + 1, last) },
      perms: permsFromString(a.slice(last + 1), (c) => onError?.(`Unknown perm type: ${c}`)),
    });
  }
  return out;
}

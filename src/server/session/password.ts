// Session passwords are not stored anywhere: every member recomputes them from the session id
// (ZooKeeperServer.generatePasswd), so a client can re-attach to any member. We reproduce
// java.util.Random byte for byte so the password is the same as Apache ZooKeeper's, which
// matters in an ensemble that mixes our members with real ones.

const MULTIPLIER = 0x5deece66dn;
const MASK48 = (1n << 48n) - 1n;
const SUPER_SECRET = 0xb3415c00n;

/** The 16-byte password of a session, identical on every member. */
export function sessionPassword(sessionId: bigint): Buffer {
  let seed = (BigInt.asIntN(64, sessionId ^ SUPER_SECRET) ^ MULTIPLIER) & MASK48;
  const out = Buffer.alloc(16);
  let i = 0;
  while (i < 16) {
    seed = (seed * MULTIPLIER + 0xbn) & MASK48;
    let rnd = Number(BigInt.asIntN(32, seed >> 16n));
    for (let n = Math.min(16 - i, 4); n-- > 0; rnd >>= 8) out[i++] = rnd & 0xff;
  }
  return out;
}

/** Constant-time comparison of a presented password with the expected one. */
export function passwordMatches(sessionId: bigint, presented: Buffer | null): boolean {
  if (presented === null || presented.length !== 16) return false;
  const expected = sessionPassword(sessionId);
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= expected[i]! ^ presented[i]!;
  return diff === 0;
}

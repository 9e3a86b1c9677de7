// Judge: clients older than 3.3 send a 44-byte ConnectRequest without the trailing readOnly byte
// and read a 36-byte ConnectResponse without it (ZooKeeperServer marks them isOldClient); a
// member in read-only mode drops them. The same raw handshakes against Apache ZooKeeper 3.8 and
// ours, byte counts and fields side by side.
import { describe, expect, it } from 'vitest';
import { OpCode } from '../../src/protocol/codes';
import * as R from '../../src/protocol/records';
import { TARGETS, until, type Member, type Target } from '../client/targets';
import { JAVA, needs, OUR_BUILD, ZK_JARS } from '../support/needs';
import { RawConn } from '../support/raw';
import { fourLetter } from '../support/realzk';

const portOf = (connectString: string): number => Number(connectString.split(':').pop());

interface Standalone {
  /** Payload lengths of the ConnectResponse: 3.8 client, old client, old client with a bad password. */
  lengths: number[];
  oldSession: { timeOut: number; passwd: number; hasSession: boolean };
  /** The old client's session serves a request (exists /: err 0). */
  oldRequestErr: number;
  rejectedTimeOut: number;
  rejectedClosed: boolean;
}

async function standalone(target: Target): Promise<Standalone> {
  const zk = await target.start({ tickTime: 500 });
  try {
    const port = portOf(zk.connectString);
    const modern = await RawConn.open(port);
    const modernResp = (await modern.handshake())!;
    modern.close();

    const old = await RawConn.open(port);
    const oldResp = (await old.handshake({ old: true }))!;
    const o = R.ConnectResponseV0.decode(oldResp);
    old.request(1, OpCode.exists, { codec: R.PathWatchRequest, value: { path: '/', watch: false } });
    const reply = await old.reply();

    const bad = await RawConn.open(port);
    const badResp = (await bad.handshake({ old: true, sessionId: o.sessionId, passwd: Buffer.alloc(16, 1) }))!;
    await bad.waitClosed();
    old.close();
    return {
      lengths: [modernResp.length, oldResp.length, badResp.length],
      oldSession: { timeOut: o.timeOut, passwd: o.passwd!.length, hasSession: o.sessionId !== 0n },
      oldRequestErr: reply.err,
      rejectedTimeOut: R.ConnectResponseV0.decode(badResp).timeOut,
      rejectedClosed: bad.closed,
    };
  } finally {
    await zk.stop();
  }
}

interface ReadOnlyMember {
  /** null: the member closed the connection without an answer. */
  oldClient: number | null;
  rwClient: number | null;
  roClient: { length: number; readOnlyByte: number } | null;
}

async function readOnlyMember(target: Target): Promise<ReadOnlyMember> {
  const ens = await target.startEnsemble(3, { tickTime: 500, readOnly: true });
  try {
    const [m1, m2, m3] = ens.members as [Member, Member, Member];
    await m2.kill();
    await m3.kill();
    await until(async () => (await fourLetter('127.0.0.1', m1.clientPort, 'isro').catch(() => '')) === 'ro', `member 1 of ${target.name} read-only`, 60_000);
    const answer = async (opts: { old?: boolean; readOnly?: boolean }): Promise<Buffer | null> => {
      const c = await RawConn.open(m1.clientPort);
      try {
        return await c.handshake(opts);
      } finally {
        c.close();
      }
    };
    const ro = await answer({ readOnly: true });
    return {
      oldClient: (await answer({ old: true }))?.length ?? null,
      rwClient: (await answer({ readOnly: false }))?.length ?? null,
      roClient: ro ? { length: ro.length, readOnlyByte: ro[ro.length - 1]! } : null,
    };
  } finally {
    await ens.stop();
  }
}

describe('the old 44-byte handshake: our server vs Apache ZooKeeper 3.8', needs(JAVA, ZK_JARS, OUR_BUILD), () => {
  it('answers an old client with the 36-byte ConnectResponse, and its session works', { timeout: 120_000 }, async () => {
    const [theirs, mine] = [await standalone(TARGETS[0]!), await standalone(TARGETS[1]!)];
    expect(theirs.lengths).toEqual([37, 36, 36]);
    expect(theirs.oldSession).toEqual({ timeOut: 10_000, passwd: 16, hasSession: true });
    expect(theirs.oldRequestErr).toBe(0);
    expect(theirs.rejectedTimeOut).toBe(0);
    expect(mine).toEqual(theirs);
  });

  it('drops an old client on a member in read-only mode, as it drops a read/write one', { timeout: 240_000 }, async () => {
    const [theirs, mine] = [await readOnlyMember(TARGETS[0]!), await readOnlyMember(TARGETS[1]!)];
    expect(theirs).toEqual({ oldClient: null, rwClient: null, roClient: { length: 37, readOnlyByte: 1 } });
    expect(mine).toEqual(theirs);
  });
});

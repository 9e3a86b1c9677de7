// InterProcessReadWriteLock (Curator): readers share, a writer excludes everyone, in arrival
// order. Nodes "__READ__" and "__WRIT__" live under one path and sort together by sequence;
// a reader waits only for the first writer ahead of it; the holder of the write lock may
// also take the read lock (downgrade).
import type { ZkClient } from '../client';
import { zkError } from '../errors';
import { Err } from '../../protocol/codes';
import { standardPredicate } from './lock-internals';
import { InterProcessMutex } from './mutex';

const READ = '__READ__';
const WRITE = '__WRIT__';

export class InterProcessReadWriteLock {
  readonly writeLock: InterProcessMutex;
  readonly readLock: InterProcessMutex;

  constructor(client: ZkClient, basePath: string, lockData?: Buffer | string) {
    const sortNames = [READ, WRITE];
    this.writeLock = new InterProcessMutex(client, basePath, { lockData, lockName: WRITE, maxLeases: 1, predicate: standardPredicate, sortNames });
    const write = this.writeLock;
    this.readLock = new InterProcessMutex(client, basePath, {
      lockData,
      lockName: READ,
      maxLeases: Number.MAX_SAFE_INTEGER,
      sortNames,
      predicate: (children, ourName) => {
        if (write.isAcquiredInThisProcess()) return { getsTheLock: true };
        let firstWrite = Infinity;
        let ourIndex = -1;
        for (let i = 0; i < children.length; i++) {
          const node = children[i]!;
          if (node.includes(WRITE)) firstWrite = Math.min(firstWrite, i);
          else if (node.startsWith(ourName)) {
            ourIndex = i;
            break;
          }
        }
        if (ourIndex < 0) throw zkError(Err.NONODE, undefined, `KeeperErrorCode = NoNode: Sequential path not found: ${ourName}`);
        return ourIndex < firstWrite ? { getsTheLock: true } : { getsTheLock: false, pathToWatch: children[firstWrite] };
      },
    });
  }
}

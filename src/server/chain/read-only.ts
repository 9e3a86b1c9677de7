// ReadOnlyRequestProcessor, first in a read-only server's chain (ZooKeeper 3.8): these requests
// are answered NOTREADONLY (-119) before anything else sees them; reads and session requests go on.
import { OpCode } from '../../protocol/codes';
import type { Request } from '../request';

export const READ_ONLY_REFUSED: ReadonlySet<number> = new Set([
  OpCode.sync,
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.reconfig,
  OpCode.setACL,
  OpCode.multi,
  OpCode.check,
]);

export function refusesReadOnly(req: Request): boolean {
  return READ_ONLY_REFUSED.has(req.type);
}

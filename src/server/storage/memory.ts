// A Storage that keeps the log in memory: nothing survives a restart. Used when a test asks
// for it explicitly; the server uses the file store.
import type { LoggedTxn } from '../../protocol/txn';
import type { DataTree } from '../tree/datatree';
import type { LoadResult, SessionTable, Storage } from './types';

export class MemoryStorage implements Storage {
  private readonly log: LoggedTxn[] = [];
  private epochs = new Map<string, number>();

  async load(_tree: DataTree, _sessions: SessionTable): Promise<LoadResult> {
    return { lastZxid: 0n, notes: ['in-memory storage: starting from an empty tree'] };
  }

  async append(txn: LoggedTxn): Promise<void> {
    this.log.push(txn);
  }

  applied(_zxid: bigint): void {}

  txnsAfter(after: bigint): LoggedTxn[] | null {
    return this.log.filter((t) => t.header.zxid > after);
  }

  async truncate(zxid: bigint): Promise<void> {
    while (this.log.length > 0 && this.log[this.log.length - 1]!.header.zxid > zxid) this.log.pop();
  }

  async snapshot(_opts?: { replacesLog?: boolean }): Promise<void> {}

  readEpoch(name: 'acceptedEpoch' | 'currentEpoch'): number | null {
    return this.epochs.get(name) ?? null;
  }

  writeEpoch(name: 'acceptedEpoch' | 'currentEpoch', epoch: number): void {
    this.epochs.set(name, epoch);
  }

  dataDirSize(): number {
    return 0;
  }

  logDirSize(): number {
    return 0;
  }

  lastSnapshot(): { zxid: bigint; timestampMs: number } | null {
    return null;
  }

  async close(): Promise<void> {}
}

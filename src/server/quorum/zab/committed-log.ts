// The leader's committed log (ZKDatabase.committedLog): the newest commitLogCount committed
// txns, oldest first, so that a leader can bring recent learners up to date by DIFF at once.
import type { LeaderHistory } from './sync-plan';
import type { TxnLike, ZabStorageView } from './types';

export class CommittedLog<T extends TxnLike> {
  private readonly txns: T[] = [];
  /** True while `txns` holds every txn after `base` (nothing trimmed). */
  private complete = true;

  private constructor(
    private readonly limit: number,
    private base: bigint,
  ) {}

  /**
   * ZKDatabase keeps the last commitLogCount txns it applied in its committed log: take them
   * from memory when this member kept them (it followed until now), else from the log after
   * the newest snapshot; empty when neither reaches the database's zxid.
   */
  static seed<T extends TxnLike>(view: ZabStorageView<T>, limit: number, lastProcessed: bigint): CommittedLog<T> {
    const log = new CommittedLog<T>(limit, lastProcessed);
    const recent = view.committedLog?.();
    if (recent && recent.length > 0 && recent[recent.length - 1]!.zxid === lastProcessed) {
      // Kept in memory while this member followed: no need to read (and decode) the log.
      log.txns.push(...recent.slice(-limit));
      log.complete = false;
      return log;
    }
    const base = view.snapshotZxid();
    const logged = view.txnsAfter(base);
    if (logged === null) return log;
    const lastLogged = logged.length > 0 ? logged[logged.length - 1]!.zxid : base;
    if (lastLogged !== lastProcessed) return log;
    const keep = logged.slice(-limit);
    log.txns.push(...keep);
    log.complete = keep.length === logged.length;
    log.base = base;
    return log;
  }

  /** A txn just committed. */
  push(txn: T): void {
    this.txns.push(txn);
    if (this.txns.length > this.limit) {
      this.txns.shift();
      this.complete = false;
    }
  }

  /** What planSync needs of it. */
  history(): Pick<LeaderHistory<T>, 'committedLog' | 'committedLogComplete' | 'committedLogBase'> {
    return { committedLog: this.txns, committedLogComplete: this.complete, committedLogBase: this.base };
  }
}

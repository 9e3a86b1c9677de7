// The member's database against its disk: storage actions carried out in the order the core
// asked (appends group-committed, epochs/truncation/snapshots as barriers behind everything
// before them), `persisted` reported for each durable prefix, and the database brought back in
// line with the disk when a role ends (fast-forward over the logged tail, or a reload).
import type { Logger, ServerCore } from '../core';
import { replayTxn } from '../storage/recovery';
import type { SnapStreamReader } from '../storage/snapstream';
import { wireTxn, type WireTxn } from './net/zab-codec';
import type { Storage } from '../storage/types';
import { epochOf, hexZxid, type StorageAction, type ZabStorageView } from './zab/types';

/**
 * Deliberate bugs, for proving that the simulator (test/quorum/member-sim) finds what it is
 * meant to find. Only tests set them; no config key, request or environment variable reaches
 * them.
 */
export const plantedBugs = {
  /** Report txn appends durable when handed to the log, before the fsync: a learner ACKs too early. */
  ackBeforeDurable: false,
};

interface StorageOp {
  seq: number;
  done: boolean;
}

export interface MemberStoreHooks {
  /** Every storage action up to `seq` is durable. */
  persisted(seq: number): void;
  /** A write to the dataDir failed: the member leaves its role. */
  failed(e: Error): void;
  /** The tree was replaced (a load or a SNAP image): the dynamic config is read again. */
  loaded(): void;
  /** A TRUNC's recovery did not end at its zxid: the member must rejoin from where it is. */
  truncatedShort(wanted: bigint, reached: bigint): void;
}

export class MemberStore {
  private readonly ops: StorageOp[] = [];
  private barrier: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Txns handed to the log and not yet applied, in zxid order (what a role end fast-forwards). */
  private unapplied: WireTxn[] = [];
  /** The tree is what the disk holds plus `unapplied` (false from a SNAP's image until its snapshot is written). */
  private treeMatchesDisk = true;
  /**
   * The newest txns applied to the tree, contiguous, in zxid order (ZKDatabase.committedLog,
   * which every member keeps): a member that becomes leader seeds its DIFF history from them
   * instead of reading and decoding its whole log (seconds after a busy while).
   */
  private recentApplied: WireTxn[] = [];

  constructor(
    private readonly server: ServerCore,
    private readonly keepApplied: number,
    private readonly log: Logger,
    private readonly hooks: MemberStoreHooks,
  ) {}

  private get storage(): ServerCore['storage'] {
    return this.server.storage;
  }

  /** Disk writes not yet settled. */
  get pending(): number {
    return this.inflight.size;
  }

  /** What the ZAB cores read of the database and the disk (sync plans, DIFF histories). */
  zabView(snapshotSizeFactor: number): ZabStorageView<WireTxn> {
    return {
      lastProcessedZxid: () => this.server.lastProcessedZxid,
      snapshotZxid: () => this.storage.lastSnapshot()?.zxid ?? 0n,
      txnsAfter: (z) => this.storage.txnsAfter(z)?.map((t) => wireTxn(t)) ?? null,
      committedLog: () => this.committedLog(),
      txnSize: (t) => t.bytes.length,
      // snapshotSizeFactor (0.33) of the snapshot, estimated from the tree: path and data bytes
      // plus about 80 bytes of stat and ACL index per znode.
      logSyncLimitBytes: () => {
        if (!Number.isFinite(snapshotSizeFactor) || snapshotSizeFactor < 0) return -1;
        const tree = this.server.tree;
        return Math.floor(snapshotSizeFactor * (tree.approximateDataSize + 80 * tree.nodeCount()));
      },
    };
  }

  /** The committed log for DIFF, when it reaches the tree's zxid. */
  committedLog(): WireTxn[] | null {
    const r = this.recentApplied;
    return r.length > 0 && r[r.length - 1]!.zxid === this.server.lastProcessedZxid ? r.slice(-this.keepApplied) : null;
  }

  /** Carries out a storage action; `persisted` follows once it and everything before it is durable. */
  run(a: StorageAction<WireTxn>): void {
    const op: StorageOp = { seq: a.seq, done: false };
    this.ops.push(op);
    let work: Promise<unknown>;
    if (a.type === 'persistTxns' && this.barrier === null) {
      // Appends go straight to the log, which group-commits them in order.
      work = this.append(a.txns);
    } else {
      // Epochs, truncation and snapshots wait for everything before them.
      const before = [...this.inflight];
      work = Promise.all(before).then(() => this.runBarrier(a));
      const b = work.then(
        () => undefined,
        () => undefined,
      );
      this.barrier = b;
      void b.then(() => {
        if (this.barrier === b) this.barrier = null;
      });
    }
    this.inflight.add(work);
    if (plantedBugs.ackBeforeDurable && a.type === 'persistTxns') {
      op.done = true;
      this.reportDurable();
    }
    work.then(
      () => {
        this.inflight.delete(work);
        op.done = true;
        this.reportDurable();
      },
      (e: Error) => {
        this.inflight.delete(work);
        this.hooks.failed(e);
      },
    );
  }

  private async runBarrier(a: StorageAction<WireTxn>): Promise<void> {
    switch (a.type) {
      case 'persistEpoch':
        this.storage.writeEpoch(a.name, Number(a.epoch));
        return;
      case 'persistTxns':
        await this.append(a.txns);
        return;
      case 'truncate': {
        await this.storage.truncate(a.zxid);
        await this.loadFromDisk();
        // The store drops snapshots named above the zxid and recovers from an older one and the
        // log after it. After a SNAP the log may not reach back to the zxid (a SNAP from a leader
        // whose epoch never established, then a TRUNC from the next one): recovery ends lower,
        // and going on as if at the zxid would leave out committed txns. Said before `persisted`.
        const reached = this.server.lastProcessedZxid;
        if (reached !== a.zxid) this.hooks.truncatedShort(a.zxid, reached);
        return;
      }
      case 'snapshot':
        // A tree that does not match the disk here is a SNAP's image: the log it replaces goes.
        await this.storage.snapshot({ replacesLog: !this.treeMatchesDisk });
        this.treeMatchesDisk = true;
        return;
    }
  }

  /** Hands txns to the log in order; they count as logged-but-unapplied from here. */
  private append(txns: WireTxn[]): Promise<unknown> {
    this.unapplied.push(...txns);
    return Promise.all(txns.map((t) => this.storage.append(t.txn, t.bytes)));
  }

  private reportDurable(): void {
    let last = 0;
    while (this.ops.length > 0 && this.ops[0]!.done) last = this.ops.shift()!.seq;
    if (last > 0) this.hooks.persisted(last);
  }

  /** A committed txn was applied to the tree (in zxid order). */
  applied(t: WireTxn): void {
    this.noteApplied(t);
    let n = 0;
    while (n < this.unapplied.length && this.unapplied[n]!.zxid <= t.zxid) n++;
    if (n > 0) this.unapplied.splice(0, n);
    this.storage.applied(t.zxid);
  }

  /** Remembers an applied txn for a future leader role (applies come in zxid order; trimmed in bulk). */
  private noteApplied(t: WireTxn): void {
    const r = this.recentApplied;
    if (r.length > 0 && t.zxid <= r[r.length - 1]!.zxid) return;
    r.push(t);
    if (r.length > 2 * this.keepApplied) r.splice(0, r.length - this.keepApplied);
  }

  /** The leader's image replaces the tree; until the snapshot action writes it, the disk lags. */
  loadSnapshot(zxid: bigint, image: SnapStreamReader): void {
    this.treeMatchesDisk = false;
    this.unapplied = [];
    this.recentApplied = [];
    const s = this.server;
    s.tree.clearForLoad();
    s.sessionTable.clear();
    image.applyTo(s.tree, s.sessionTable, zxid);
    s.tree.rebuildQuotas();
    this.hooks.loaded();
  }

  private async loadFromDisk(): Promise<void> {
    const s = this.server;
    s.tree.clearForLoad();
    s.sessionTable.clear();
    // Recovery replays every txn handed to the log so far: none is left unapplied.
    this.unapplied = [];
    this.recentApplied = [];
    this.treeMatchesDisk = false;
    await this.storage.load(s.tree, s.sessionTable);
    this.treeMatchesDisk = true;
    s.tree.rebuildQuotas();
    this.hooks.loaded();
  }

  /**
   * The role ended: once every write is on disk, the database is what the disk says. As
   * ZooKeeperServer.shutdown(false) does with ZKDatabase.fastForwardDataBase, the tree is kept
   * and only the txns logged but not applied are replayed on it; reading the whole database
   * back from disk (a snapshot plus up to snapCount logged txns, seconds after a busy while)
   * is kept for when the tree cannot be trusted to match the disk.
   */
  async reload(cancelled: () => boolean): Promise<void> {
    if (this.inflight.size > 0) this.log('INFO', `waiting for ${this.inflight.size} disk writes before reloading the database`);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    if (cancelled()) return;
    if (this.treeMatchesDisk && this.server.writeFailure === null) this.fastForward();
    else await this.loadFromDisk();
  }

  /** Applies the logged, unapplied txns to the tree, as recovery would replay them. */
  private fastForward(): void {
    const s = this.server;
    const tail = this.unapplied.filter((t) => t.zxid > s.lastProcessedZxid);
    this.unapplied = [];
    for (const t of tail) {
      replayTxn(s.tree, s.sessionTable, t.txn);
      this.noteApplied(t);
    }
    if (tail.length > 0) {
      this.log('INFO', `Fast-forwarded the database over ${tail.length} logged txns to ${hexZxid(s.lastProcessedZxid)}`);
      this.hooks.loaded();
    }
  }

  /** Waits for every disk write in flight (shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }
}

/**
 * QuorumPeer.loadDataBase: missing epoch files come from the last zxid's epoch. A currentEpoch
 * behind the last zxid is adopted only when that epoch was accepted (the window between a
 * SNAP's snapshot and the currentEpoch write); anything else is a damaged dataDir.
 */
export function startupEpochs(storage: Storage, last: bigint, log: Logger): { acceptedEpoch: bigint; currentEpoch: bigint } {
  const ofZxid = Number(epochOf(last));
  let current = storage.readEpoch('currentEpoch');
  if (current === null) storage.writeEpoch('currentEpoch', (current = ofZxid));
  let accepted = storage.readEpoch('acceptedEpoch');
  if (accepted === null) storage.writeEpoch('acceptedEpoch', (accepted = ofZxid));
  if (ofZxid > current) {
    if (accepted < ofZxid) {
      throw new Error(`The current epoch, ${current}, is older than the last zxid, ${hexZxid(last)}; the dataDir's version-2/currentEpoch is damaged: restore it or remove version-2 to rejoin empty.`);
    }
    log('WARN', `currentEpoch ${current} is behind the last zxid ${hexZxid(last)} of accepted epoch ${accepted} (a sync was cut short); adopting ${ofZxid}`);
    storage.writeEpoch('currentEpoch', (current = ofZxid));
  }
  if (accepted < current) {
    throw new Error(`The accepted epoch, ${accepted}, is less than the current epoch, ${current}; the dataDir's version-2 epoch files are damaged.`);
  }
  return { acceptedEpoch: BigInt(accepted), currentEpoch: BigInt(current) };
}

// LeaderLatch (Curator): every candidate creates a protected EPHEMERAL_SEQUENTIAL "latch-"
// node; the smallest is the leader; the others watch their predecessor. Leadership is given up
// when the connection is suspended or the session lost, and checked again on reconnect.
import { CreateMode, Err, EventType } from '../../protocol/codes';
import { pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import type { ClientState } from '../cnxn';
import { Emitter } from '../emitter';
import { IllegalArgumentError, ZkError } from '../errors';
import { fixForSorting } from './lock-internals';
import { createProtected, deleteGuaranteed } from './support';

const LOCK_NAME = 'latch-';

/** One candidate as getParticipants reports it: its id (node data) and whether it leads. */
export interface Participant {
  id: string;
  isLeader: boolean;
}

export type LeaderLatchEvents = {
  isLeader: () => void;
  notLeader: () => void;
  /** A background step failed (it is retried on the next reconnect or event). */
  error: (e: Error) => void;
};

/** Participants of a latch or selector path, in order; the first leads (LeaderSelector.getParticipants). */
export async function participantsOf(client: ZkClient, path: string, lockName: string): Promise<Participant[]> {
  let children: string[];
  try {
    children = await client.getChildren(path);
  } catch (e) {
    if (e instanceof ZkError && e.code === Err.NONODE) return [];
    throw e;
  }
  children.sort((a, b) => (fixForSorting(a, lockName) < fixForSorting(b, lockName) ? -1 : 1));
  const out: Participant[] = [];
  for (const c of children) {
    try {
      const { data } = await client.getData(`${path === '/' ? '' : path}/${c}`);
      out.push({ id: data?.toString('utf8') ?? '', isLeader: out.length === 0 });
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
    }
  }
  return out;
}

export class LeaderLatch extends Emitter<LeaderLatchEvents> {
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private leader = false;
  private ourPath: string | null = null;
  private offState: (() => void) | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    readonly client: ZkClient,
    readonly latchPath: string,
    readonly id = '',
    /** 'notifyLeader': close() tells listeners about the lost leadership (Curator's CloseMode). */
    readonly closeMode: 'silent' | 'notifyLeader' = 'silent',
  ) {
    super();
    const reason = pathError(latchPath);
    if (reason !== null) throw new IllegalArgumentError(reason);
  }

  /** Joins the election once connected. */
  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error('Cannot be started more than once');
    this.state = 'started';
    this.offState = this.client.on('state', (s) => this.onState(s));
    await this.client.waitConnected();
    await this.reset();
  }

  /** Leaves the election and deletes our node. */
  async close(): Promise<void> {
    if (this.state !== 'started') throw new Error('Already closed or has not been started');
    this.state = 'closed';
    this.offState?.();
    const p = this.ourPath;
    this.ourPath = null;
    if (this.closeMode === 'notifyLeader') this.setLeadership(false);
    else {
      this.leader = false;
      this.wakeWaiters();
    }
    if (p) await deleteGuaranteed(this.client, p).catch(() => undefined);
  }

  hasLeadership(): boolean {
    return this.state === 'started' && this.leader;
  }

  /** Waits for leadership; false if the latch closed or `timeoutMs` passed first. */
  async await(timeoutMs?: number): Promise<boolean> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    while (this.state === 'started' && !this.leader) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = left === Infinity ? null : setTimeout(resolve, left);
        this.waiters.push(() => {
          if (timer) clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.hasLeadership();
  }

  getOurPath(): string | null {
    return this.ourPath;
  }

  getParticipants(): Promise<Participant[]> {
    return participantsOf(this.client, this.latchPath, LOCK_NAME);
  }

  async getLeader(): Promise<Participant | null> {
    return (await this.getParticipants())[0] ?? null;
  }

  private wakeWaiters(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private setLeadership(v: boolean): void {
    const old = this.leader;
    this.leader = v;
    if (old && !v) this.emit('notLeader');
    else if (!old && v) this.emit('isLeader');
    this.wakeWaiters();
  }

  private onState(s: ClientState): void {
    if (this.state !== 'started') return;
    if (s === 'suspended' || s === 'expired') this.setLeadership(false);
    else if (s === 'connected') this.background(() => this.checkChildren());
  }

  private background(step: () => Promise<void>): void {
    step().catch((e: Error) => {
      if (this.state === 'started') this.emit('error', e);
    });
  }

  private async reset(): Promise<void> {
    this.setLeadership(false);
    const old = this.ourPath;
    this.ourPath = null;
    if (old) this.background(() => deleteGuaranteed(this.client, old));
    const created = await createProtected(this.client, this.latchPath, LOCK_NAME, Buffer.from(this.id, 'utf8'), CreateMode.EPHEMERAL_SEQUENTIAL);
    if (this.state !== 'started') {
      await deleteGuaranteed(this.client, created);
      return;
    }
    this.ourPath = created;
    await this.checkChildren();
  }

  private async checkChildren(): Promise<void> {
    if (this.state !== 'started') return;
    const children = await this.client.getChildren(this.latchPath).catch((e) => {
      if (e instanceof ZkError && e.code === Err.NONODE) return [] as string[];
      throw e;
    });
    const ourPath = this.ourPath;
    const sorted = children.sort((a, b) => (fixForSorting(a, LOCK_NAME) < fixForSorting(b, LOCK_NAME) ? -1 : 1));
    const ourIndex = ourPath ? sorted.indexOf(ourPath.slice(ourPath.lastIndexOf('/') + 1)) : -1;
    if (ourIndex < 0) {
      // Our node is gone (the session was lost and renewed): join again.
      await this.reset();
    } else if (ourIndex === 0) {
      this.setLeadership(true);
    } else {
      this.setLeadership(false);
      const watchPath = `${this.latchPath === '/' ? '' : this.latchPath}/${sorted[ourIndex - 1]}`;
      try {
        await this.client.getData(watchPath, (e) => {
          if (this.state === 'started' && e.type === EventType.NodeDeleted) this.background(() => this.checkChildren());
        });
      } catch (e) {
        if (e instanceof ZkError && e.code === Err.NONODE) await this.checkChildren();
        else throw e;
      }
    }
  }
}

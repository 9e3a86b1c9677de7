// LeaderSelector (Curator): candidates queue on an InterProcessMutex whose node data is their
// id; the holder runs takeLeadership() and leads until it returns; then it releases and, with
// autoRequeue, queues again. A suspended connection or lost session aborts the leader's signal
// (Curator's CancelLeadershipException).
import type { ZkClient } from '../client';
import { participantsOf, type Participant } from './leader-latch';
import { InterProcessMutex } from './mutex';

export interface LeaderSelectorListener {
  /** Lead until the promise settles; stop promptly when `signal` aborts. */
  takeLeadership(signal: AbortSignal): Promise<void>;
}

export class LeaderSelector {
  private readonly mutex: InterProcessMutex;
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private queued = false;
  private leading: AbortController | null = null;
  private closing = new AbortController();
  private offState: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();
  /** Times this selector has led. */
  leaderships = 0;
  /** The last error from takeLeadership or the lock, if any. */
  lastError: Error | null = null;

  constructor(
    readonly client: ZkClient,
    readonly path: string,
    private readonly listener: LeaderSelectorListener,
    readonly opts: { id?: string; autoRequeue?: boolean } = {},
  ) {
    this.mutex = new InterProcessMutex(client, path, { lockData: opts.id ?? '' });
  }

  start(): void {
    if (this.state !== 'latent') throw new Error('Cannot be started more than once');
    this.state = 'started';
    this.offState = this.client.on('state', (s) => {
      if (s === 'suspended' || s === 'expired') this.interruptLeadership();
    });
    this.requeue();
  }

  /** Queues for leadership again (no-op while queued or leading). */
  requeue(): boolean {
    if (this.state !== 'started') throw new Error('close() has already been called');
    if (this.queued) return false;
    this.queued = true;
    this.loop = this.runLoop();
    return true;
  }

  private async runLoop(): Promise<void> {
    try {
      do {
        await this.leadOnce();
      } while (this.state === 'started' && this.opts.autoRequeue);
    } finally {
      this.queued = false;
    }
  }

  private async leadOnce(): Promise<void> {
    let got = false;
    try {
      got = await this.mutex.acquire(undefined, this.closing.signal);
    } catch (e) {
      this.lastError = e as Error;
      return;
    }
    if (!got) return;
    this.leading = new AbortController();
    this.leaderships++;
    try {
      if (this.state === 'started') await this.listener.takeLeadership(this.leading.signal);
    } catch (e) {
      this.lastError = e as Error;
    } finally {
      this.leading = null;
      await this.mutex.release().catch((e: Error) => (this.lastError = e));
    }
  }

  hasLeadership(): boolean {
    return this.leading !== null;
  }

  /** Aborts the current leader's signal (it should return soon). */
  interruptLeadership(): void {
    this.leading?.abort();
  }

  getParticipants(): Promise<Participant[]> {
    return participantsOf(this.client, this.path, 'lock-');
  }

  async getLeader(): Promise<Participant | null> {
    return (await this.getParticipants())[0] ?? null;
  }

  /** Stops: aborts leadership and waiting, releases the lock. */
  async close(): Promise<void> {
    if (this.state !== 'started') throw new Error('Already closed or has not been started');
    this.state = 'closed';
    this.offState?.();
    this.closing.abort();
    this.interruptLeadership();
    await this.loop;
  }
}

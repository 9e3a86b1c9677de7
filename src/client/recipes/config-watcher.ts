// Config push: a process keeps the current content of one znode (watch, re-read, re-register
// the watch on every change and after reconnects) and is told about each new version; others
// publish with publish(). The seed's "unified configuration management" pattern.
import { Err } from '../../protocol/codes';
import { pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import { Emitter } from '../emitter';
import { IllegalArgumentError, ZkError } from '../errors';
import { ensureParents, waitForWatch, withRetry } from './support';

export interface ConfigVersion {
  /** null while the znode does not exist. */
  data: Buffer | null;
  /** The znode's data version; -1 while it does not exist. */
  version: number;
}

export type ConfigWatcherEvents = {
  /** A new version of the config (or its removal: data null). */
  change: (config: ConfigVersion) => void;
  error: (e: Error) => void;
};

export class ConfigWatcher extends Emitter<ConfigWatcherEvents> {
  private current: ConfigVersion = { data: null, version: -1 };
  private readonly stop = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  /** Watches this watcher has set (one per re-read). */
  watchesSet = 0;

  constructor(
    readonly client: ZkClient,
    readonly path: string,
  ) {
    super();
    const reason = pathError(path);
    if (reason !== null) throw new IllegalArgumentError(reason);
  }

  /** The latest version read. */
  get(): ConfigVersion {
    return { data: this.current.data && Buffer.from(this.current.data), version: this.current.version };
  }

  /** Reads the config (resolves with it), then follows every change. */
  start(): Promise<ConfigVersion> {
    let ready!: (c: ConfigVersion) => void;
    const first = new Promise<ConfigVersion>((r) => (ready = r));
    this.loop = this.follow(ready);
    return first;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  /** Writes a new config (creating the znode and its parents if needed). */
  async publish(data: Buffer | string): Promise<number> {
    try {
      return (await withRetry(this.client, () => this.client.setData(this.path, data))).version;
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
    }
    await ensureParents(this.client, this.path, false);
    try {
      await this.client.create(this.path, data);
      return 0;
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
      return (await this.client.setData(this.path, data)).version;
    }
  }

  private async read(wake: () => void): Promise<ConfigVersion> {
    this.watchesSet++;
    try {
      const { data, stat } = await withRetry(this.client, () => this.client.getData(this.path, wake));
      return { data, version: stat.version };
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
      // Not there yet: watch for its creation instead.
      const stat = await withRetry(this.client, () => this.client.exists(this.path, wake));
      if (stat !== null) return this.read(wake);
      return { data: null, version: -1 };
    }
  }

  private async follow(ready: (c: ConfigVersion) => void): Promise<void> {
    let first = true;
    while (!this.stop.signal.aborted) {
      try {
        const why = await waitForWatch(
          this.client,
          async (wake) => {
            const next = await this.read(wake);
            const changed = next.version !== this.current.version || (next.data === null) !== (this.current.data === null);
            this.current = next;
            if (first) {
              first = false;
              ready(this.get());
            } else if (changed) this.emit('change', this.get());
            return true;
          },
          undefined,
          this.stop.signal,
        );
        if (why === 'timeout') return;
      } catch (e) {
        if (this.stop.signal.aborted) return;
        this.emit('error', e as Error);
        if (e instanceof ZkError && (e.code === Err.SESSIONEXPIRED || e.code === Err.AUTHFAILED)) return;
      }
    }
  }
}

// SharedValue / SharedCount (Curator): a value in one znode that every participant sees
// change (watch, re-read, re-register), set unconditionally or compare-and-set on the version.
// SharedCount stores a 4-byte big-endian int, like Curator, so Java and TypeScript share it.
import { Err } from '../../protocol/codes';
import { pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import type { ClientState } from '../cnxn';
import { Emitter } from '../emitter';
import { IllegalArgumentError, ZkError } from '../errors';
import { ensureParents } from './support';

export interface VersionedValue<T> {
  version: number;
  value: T;
}

export type SharedValueEvents<T> = {
  /** The value changed (seen through the watch or after a reconnect). */
  valueChanged: (value: T) => void;
  stateChanged: (state: ClientState) => void;
  error: (e: Error) => void;
};

export class SharedValue extends Emitter<SharedValueEvents<Buffer>> {
  private current: VersionedValue<Buffer>;
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private offState: (() => void) | null = null;

  constructor(
    readonly client: ZkClient,
    readonly path: string,
    readonly seedValue: Buffer,
  ) {
    super();
    const reason = pathError(path);
    if (reason !== null) throw new IllegalArgumentError(reason);
    this.current = { version: -1, value: Buffer.from(seedValue) };
  }

  getValue(): Buffer {
    return Buffer.from(this.current.value);
  }

  getVersionedValue(): VersionedValue<Buffer> {
    return { version: this.current.version, value: Buffer.from(this.current.value) };
  }

  /** Creates the node with the seed value if missing, then reads and watches it. */
  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error('Cannot be started more than once');
    this.state = 'started';
    this.offState = this.client.on('state', (s) => {
      this.emit('stateChanged', s);
      if (s === 'connected' || s === 'readOnly') this.readInBackground();
    });
    await ensureParents(this.client, this.path);
    try {
      await this.client.create(this.path, this.seedValue);
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
    }
    await this.read();
  }

  close(): void {
    this.state = 'closed';
    this.offState?.();
  }

  /** Sets the value whatever it is now. */
  async setValue(v: Buffer): Promise<void> {
    const stat = await this.client.setData(this.path, v);
    this.update(stat.version, Buffer.from(v));
  }

  /** Sets the value only if it is still `previous` (same version); false if someone else changed it. */
  async trySetValue(previous: VersionedValue<Buffer>, v: Buffer): Promise<boolean> {
    if (previous.version !== this.current.version || !previous.value.equals(this.current.value)) return false;
    try {
      const stat = await this.client.setData(this.path, v, previous.version);
      this.update(stat.version, Buffer.from(v));
      return true;
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.BADVERSION)) throw e;
    }
    await this.read();
    return false;
  }

  private update(version: number, value: Buffer): boolean {
    if (this.current.version >= version) return false;
    this.current = { version, value };
    return true;
  }

  private async read(): Promise<boolean> {
    const { data, stat } = await this.client.getData(this.path, (e) => {
      if (this.state === 'started' && e.type !== -1) this.readInBackground();
    });
    return this.update(stat.version, data ?? Buffer.alloc(0));
  }

  private readInBackground(): void {
    if (this.state !== 'started') return;
    this.read().then(
      (changed) => changed && this.emit('valueChanged', this.getValue()),
      (e: Error) => this.state === 'started' && this.emit('error', e),
    );
  }
}

const toBytes = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
};
const fromBytes = (b: Buffer) => (b.length >= 4 ? b.readInt32BE(0) : 0);

/** SharedCount: an int shared by every participant (Curator's byte layout). */
export class SharedCount extends Emitter<SharedValueEvents<number>> {
  private readonly shared: SharedValue;

  constructor(client: ZkClient, path: string, seedValue: number) {
    super();
    this.shared = new SharedValue(client, path, toBytes(seedValue));
    this.shared.on('valueChanged', (v) => this.emit('valueChanged', fromBytes(v)));
    this.shared.on('stateChanged', (s) => this.emit('stateChanged', s));
    this.shared.on('error', (e) => this.emit('error', e));
  }

  getCount(): number {
    return fromBytes(this.shared.getValue());
  }

  getVersionedValue(): VersionedValue<number> {
    const v = this.shared.getVersionedValue();
    return { version: v.version, value: fromBytes(v.value) };
  }

  start(): Promise<void> {
    return this.shared.start();
  }

  close(): void {
    this.shared.close();
  }

  setCount(n: number): Promise<void> {
    return this.shared.setValue(toBytes(n));
  }

  /** Compare-and-set against a value read earlier. */
  trySetCount(previous: VersionedValue<number>, n: number): Promise<boolean> {
    return this.shared.trySetValue({ version: previous.version, value: toBytes(previous.value) }, toBytes(n));
  }
}

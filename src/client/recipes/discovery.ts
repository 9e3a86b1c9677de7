// Service discovery (curator-x-discovery): each instance is an EPHEMERAL node
// <basePath>/<service>/<id> holding Curator's JSON ServiceInstance, registered again after a
// session is renewed; a ServiceCache keeps a watch-driven list of a service's instances.
import { CreateMode, Err } from '../../protocol/codes';
import { joinPath, pathError } from '../../protocol/paths';
import type { ZkClient } from '../client';
import { Emitter } from '../emitter';
import { IllegalArgumentError, ZkError } from '../errors';
import { ensureParents, waitForWatch, withRetry } from './support';

/** Curator's ServiceInstance, as its JsonInstanceSerializer writes it. */
export interface ServiceInstance<P = unknown> {
  name: string;
  id: string;
  address: string | null;
  port: number | null;
  sslPort: number | null;
  payload: P | null;
  registrationTimeUTC: number;
  serviceType: 'DYNAMIC' | 'STATIC' | 'PERMANENT' | 'DYNAMIC_SEQUENTIAL';
  uriSpec: { parts: { value: string; variable: boolean }[] } | null;
  enabled: boolean;
}

/** A new instance description with Curator's defaults. */
export function serviceInstance<P>(name: string, fields: Partial<ServiceInstance<P>> = {}): ServiceInstance<P> {
  return {
    name,
    id: fields.id ?? globalThis.crypto.randomUUID(),
    address: fields.address ?? null,
    port: fields.port ?? null,
    sslPort: fields.sslPort ?? null,
    payload: fields.payload ?? null,
    registrationTimeUTC: fields.registrationTimeUTC ?? Date.now(),
    serviceType: fields.serviceType ?? 'DYNAMIC',
    uriSpec: fields.uriSpec ?? null,
    enabled: fields.enabled ?? true,
  };
}

export class ServiceDiscovery<P = unknown> {
  private readonly registered = new Map<string, ServiceInstance<P>>();
  private offState: (() => void) | null = null;
  /** Times instances were registered again after a session was renewed. */
  reRegistrations = 0;

  constructor(
    readonly client: ZkClient,
    readonly basePath: string,
  ) {
    const reason = pathError(basePath);
    if (reason !== null) throw new IllegalArgumentError(reason);
  }

  /** Watches the session so registrations come back after it is renewed. */
  start(): void {
    let lostSession = false;
    this.offState = this.client.on('state', (s) => {
      if (s === 'expired') lostSession = true;
      if (s === 'connected' && lostSession) {
        lostSession = false;
        void this.reRegister();
      }
    });
  }

  async close(): Promise<void> {
    this.offState?.();
    for (const inst of [...this.registered.values()]) await this.unregisterService(inst).catch(() => undefined);
  }

  private pathFor(name: string, id?: string): string {
    const p = joinPath(this.basePath, name);
    return id === undefined ? p : joinPath(p, id);
  }

  /** Registers (or replaces) an instance. */
  async registerService(inst: ServiceInstance<P>): Promise<void> {
    this.registered.set(inst.id, inst);
    await this.write(inst);
  }

  private async write(inst: ServiceInstance<P>): Promise<void> {
    const path = this.pathFor(inst.name, inst.id);
    const data = Buffer.from(JSON.stringify(inst), 'utf8');
    const mode = inst.serviceType === 'DYNAMIC' ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT;
    await ensureParents(this.client, path);
    for (;;) {
      try {
        await withRetry(this.client, () => this.client.create(path, data, { mode }));
        return;
      } catch (e) {
        if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
      }
      // An old registration (ours from an earlier session, or a restart): replace it.
      try {
        await this.client.delete(path);
      } catch (e) {
        if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
      }
    }
  }

  /** Changes a registered instance's data in place. */
  async updateService(inst: ServiceInstance<P>): Promise<void> {
    if (!this.registered.has(inst.id)) throw new Error(`Service is not registered: ${inst.name}/${inst.id}`);
    this.registered.set(inst.id, inst);
    await this.client.setData(this.pathFor(inst.name, inst.id), JSON.stringify(inst));
  }

  async unregisterService(inst: ServiceInstance<P>): Promise<void> {
    this.registered.delete(inst.id);
    try {
      await withRetry(this.client, () => this.client.delete(this.pathFor(inst.name, inst.id)));
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NONODE)) throw e;
    }
  }

  private async reRegister(): Promise<void> {
    for (const inst of this.registered.values()) {
      await this.write(inst);
      this.reRegistrations++;
    }
  }

  /** Names of all services with a path under the base path. */
  async queryForNames(): Promise<string[]> {
    try {
      return (await this.client.getChildren(this.basePath)).sort();
    } catch (e) {
      if (e instanceof ZkError && e.code === Err.NONODE) return [];
      throw e;
    }
  }

  /** Instances of a service right now. */
  async queryForInstances(name: string): Promise<ServiceInstance<P>[]> {
    return readInstances<P>(this.client, this.pathFor(name));
  }

  /** A live, watch-driven list of a service's instances. */
  serviceCache(name: string): ServiceCache<P> {
    return new ServiceCache<P>(this.client, this.pathFor(name));
  }
}

async function readInstances<P>(client: ZkClient, servicePath: string, watch?: () => void): Promise<ServiceInstance<P>[]> {
  let ids: string[];
  try {
    ids = await client.getChildren(servicePath, watch);
  } catch (e) {
    if (e instanceof ZkError && e.code === Err.NONODE) {
      // Watch for the service path to appear.
      if (watch) await client.exists(servicePath, watch);
      return [];
    }
    throw e;
  }
  const out: ServiceInstance<P>[] = [];
  for (const id of ids.sort()) {
    try {
      const { data } = await client.getData(joinPath(servicePath, id));
      out.push(JSON.parse(data?.toString('utf8') ?? 'null') as ServiceInstance<P>);
    } catch (e) {
      if (e instanceof ZkError && e.code === Err.NONODE) continue;
      if (e instanceof SyntaxError) continue; // not a Curator instance record
      throw e;
    }
  }
  return out;
}

export type ServiceCacheEvents<P> = {
  /** The instance list changed. */
  cacheChanged: (instances: ServiceInstance<P>[]) => void;
  error: (e: Error) => void;
};

export class ServiceCache<P = unknown> extends Emitter<ServiceCacheEvents<P>> {
  private instances: ServiceInstance<P>[] = [];
  private readonly stop = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private first: Promise<void> | null = null;

  constructor(
    readonly client: ZkClient,
    readonly servicePath: string,
  ) {
    super();
  }

  getInstances(): ServiceInstance<P>[] {
    return [...this.instances];
  }

  /** Reads the list once (resolves when it has), then follows it. */
  start(): Promise<void> {
    let ready!: () => void;
    this.first = new Promise<void>((r) => (ready = r));
    this.loop = this.follow(ready);
    return this.first;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private async follow(ready: () => void): Promise<void> {
    let announced = false;
    while (!this.stop.signal.aborted) {
      try {
        const why = await waitForWatch(
          this.client,
          async (wake) => {
            const next = await readInstances<P>(this.client, this.servicePath, wake);
            const changed = JSON.stringify(next) !== JSON.stringify(this.instances);
            this.instances = next;
            if (!announced) {
              announced = true;
              ready();
            } else if (changed) this.emit('cacheChanged', this.getInstances());
            return true;
          },
          undefined,
          this.stop.signal,
        );
        if (why === 'timeout') return;
        // 'session': the client reconnects with a new session; read again.
        if (why === 'session') await withRetry(this.client, () => this.client.exists('/'));
      } catch (e) {
        if (this.stop.signal.aborted) return;
        this.emit('error', e as Error);
        if (e instanceof ZkError && (e.code === Err.SESSIONEXPIRED || e.code === Err.AUTHFAILED)) return;
      }
    }
  }
}

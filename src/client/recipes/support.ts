// What every recipe needs: retrying operations through connection loss (Curator's RetryLoop),
// creating parents as containers (creatingParentContainersIfNeeded), protected names for
// sequential nodes (withProtection), and waiting for an event that may never come.
import { CreateMode, Err } from '../../protocol/codes';
import { parentOf } from '../../protocol/paths';
import type { ZkClient } from '../client';
import type { ClientState } from '../cnxn';
import { ZkError, zkError } from '../errors';

export interface RetryPolicy {
  /** Retries after the first attempt (default 10). */
  maxRetries: number;
  /** First pause, doubled each time up to maxDelayMs (default 100 ms). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 10, baseDelayMs: 100, maxDelayMs: 2000 };

/** Errors worth retrying: the request may or may not have been applied, the session lives on. */
export function isRetryable(e: unknown): boolean {
  return e instanceof ZkError && (e.code === Err.CONNECTIONLOSS || e.code === Err.OPERATIONTIMEOUT);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `op`, retrying connection loss with exponential backoff while the client lives. */
export async function withRetry<T>(client: ZkClient, op: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!isRetryable(e) || attempt >= policy.maxRetries || isTerminal(client.state)) throw e;
      await sleep(Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs));
    }
  }
}

/** States from which the client never comes back. */
export function isTerminal(s: ClientState): boolean {
  return s === 'closed' || s === 'authFailed';
}

/** Creates every missing ancestor of `path` (not `path` itself), as containers by default. */
export async function ensureParents(client: ZkClient, path: string, asContainers = true): Promise<void> {
  const parent = parentOf(path);
  if (parent === '/') return;
  if ((await client.exists(parent)) !== null) return;
  const parts = parent.split('/').slice(1);
  let p = '';
  for (const part of parts) {
    p += '/' + part;
    try {
      await client.create(p, null, { mode: asContainers ? CreateMode.CONTAINER : CreateMode.PERSISTENT });
    } catch (e) {
      if (!(e instanceof ZkError && e.code === Err.NODEEXISTS)) throw e;
    }
  }
}

/** Curator's protected-name prefix for a create: "_c_<uuid>-". */
export function protectedPrefix(): string {
  return `_c_${globalThis.crypto.randomUUID()}-`;
}

/**
 * Creates `${dir}/${prefix}${name}` (usually EPHEMERAL_SEQUENTIAL), making parents as needed.
 * After a connection loss the create may have happened: the protected prefix finds it again
 * instead of leaving an orphan behind (Curator's withProtection).
 */
export async function createProtected(
  client: ZkClient,
  dir: string,
  name: string,
  data: Buffer | null,
  mode: number,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<string> {
  const prefix = protectedPrefix();
  const path = `${dir === '/' ? '' : dir}/${prefix}${name}`;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.create(path, data, { mode });
    } catch (e) {
      if (e instanceof ZkError && e.code === Err.NONODE) {
        await ensureParents(client, path);
        continue;
      }
      if (!isRetryable(e) || attempt >= policy.maxRetries || isTerminal(client.state)) throw e;
      await sleep(Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs));
      const found = await findProtected(client, dir, prefix).catch(() => null);
      if (found) return found;
    }
  }
}

async function findProtected(client: ZkClient, dir: string, prefix: string): Promise<string | null> {
  const children = await client.getChildren(dir);
  const hit = children.find((c) => c.startsWith(prefix));
  return hit ? `${dir === '/' ? '' : dir}/${hit}` : null;
}

/** Deletes until it is gone (Curator's guaranteed delete): NoNode counts as done. */
export async function deleteGuaranteed(client: ZkClient, path: string, policy: RetryPolicy = DEFAULT_RETRY): Promise<void> {
  try {
    await withRetry(client, () => client.delete(path), policy);
  } catch (e) {
    if (e instanceof ZkError && (e.code === Err.NONODE || e.code === Err.SESSIONEXPIRED)) return;
    throw e;
  }
}

/**
 * Resolves when `arm` reports an event through its callback, the client loses its session,
 * `signal` aborts, or `timeoutMs` passes: 'event' | 'session' | 'timeout'. `arm` sets the
 * watch and returns false if the awaited thing already happened.
 */
export async function waitForWatch(
  client: ZkClient,
  arm: (wake: () => void) => Promise<boolean>,
  timeoutMs: number | undefined,
  signal?: AbortSignal,
): Promise<'event' | 'session' | 'timeout'> {
  let wake!: (why: 'event' | 'session' | 'timeout') => void;
  const woken = new Promise<'event' | 'session' | 'timeout'>((r) => (wake = r));
  const offState = client.on('state', (s) => {
    if (s === 'expired' || isTerminal(s)) wake('session');
  });
  const onAbort = () => wake('timeout');
  signal?.addEventListener('abort', onAbort);
  const timer = timeoutMs !== undefined ? setTimeout(() => wake('timeout'), Math.max(0, timeoutMs)) : null;
  try {
    if (signal?.aborted) return 'timeout';
    if (!(await arm(() => wake('event')))) return 'event';
    return await woken;
  } finally {
    offState();
    signal?.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  }
}

/** The error for an operation on a recipe that was closed. */
export function closedError(what: string): Error {
  return new Error(`${what} is closed: create a new one to use it again`);
}

export { zkError };

// server.log by size, as ZooKeeper's RollingFileAppender does with zookeeper.log.maxfilesize and
// maxbackupindex: server.log, server.log.1 (the newest backup) … server.log.N; the oldest goes.
//
// Why copy-and-truncate rather than rename: a member writes its log to stdout, a file the lab
// opened for it in append mode before it started (Apache ZooKeeper's members too, and a crash's
// stack trace on stderr). A renamed file would keep receiving its lines; a truncated one is
// written from its new end, because every write of an append-mode descriptor goes to the end.
// The lines written between the copy and the truncate could be lost; the copy takes the bytes
// that arrived while it ran, so that window is one stat call wide. It is logrotate's copytruncate.
import { appendFile, copyFile, open, rename, stat, truncate } from 'node:fs/promises';

export interface LogLimits {
  /** Bytes a log may reach before it is rolled (zookeeper.log.maxfilesize). */
  maxBytes: number;
  /** Backups kept (zookeeper.log.maxbackupindex); 0 keeps none. */
  backups: number;
}

/** 10 MB as ZooKeeper's log4j.properties has it, and 5 backups: at most 60 MB per member. */
export const DEFAULT_LOG_LIMITS: LogLimits = { maxBytes: 10 * 1024 * 1024, backups: 5 };

/** "10MB", "512KB", "1GB" or a number of bytes, as log4j writes sizes; null when it is none of those. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+)\s*(B|KB|MB|GB)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(m[2] ?? 'B').toUpperCase() as 'B'];
  const n = Number(m[1]) * unit;
  return n > 0 ? n : null;
}

/**
 * The limits from the environment (ZK_LAB_LOG_MAXFILESIZE, e.g. "10MB"; ZK_LAB_LOG_MAXBACKUPINDEX,
 * e.g. "5"), else the defaults. A value that is not a size or a count is an error that says so.
 */
export function logLimitsFrom(env: NodeJS.ProcessEnv): LogLimits {
  const out = { ...DEFAULT_LOG_LIMITS };
  const size = env.ZK_LAB_LOG_MAXFILESIZE;
  if (size !== undefined && size !== '') {
    const n = parseSize(size);
    if (n === null) throw new Error(`ZK_LAB_LOG_MAXFILESIZE=${size} is not a size; write it as log4j does, e.g. 10MB or 512KB.`);
    out.maxBytes = n;
  }
  const backups = env.ZK_LAB_LOG_MAXBACKUPINDEX;
  if (backups !== undefined && backups !== '') {
    if (!/^\d+$/.test(backups.trim())) throw new Error(`ZK_LAB_LOG_MAXBACKUPINDEX=${backups} is not a count of backups; give a number such as 5 (0 keeps none).`);
    out.backups = Number(backups.trim());
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Appends bytes [from, to) of `src` to `dst`. */
async function appendRange(src: string, dst: string, from: number, to: number): Promise<void> {
  const fh = await open(src, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    await appendFile(dst, buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Rolls `file` when it has reached `limits.maxBytes`; returns whether it did. A missing file is not an error. */
export async function rollIfLarge(file: string, limits: LogLimits): Promise<boolean> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return false;
  }
  if (size < limits.maxBytes) return false;
  if (limits.backups > 0) {
    for (let i = limits.backups - 1; i >= 1; i--) {
      if (await exists(`${file}.${i}`)) await rename(`${file}.${i}`, `${file}.${i + 1}`);
    }
    await copyFile(file, `${file}.1`);
    const copied = (await stat(`${file}.1`)).size;
    const now = (await stat(file)).size;
    if (now > copied) await appendRange(file, `${file}.1`, copied, now);
  }
  await truncate(file, 0);
  return true;
}

/** Rolls every log of a lab that grew past the limits, every few seconds, until stopped. */
export class LogRoller {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly files: () => string[],
    private readonly limits: LogLimits,
    private readonly onError: (message: string) => void,
    private readonly everyMs = 5000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.once(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass over the files (a pass still running is not overlapped). */
  async once(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const f of this.files()) {
        try {
          await rollIfLarge(f, this.limits);
        } catch (e) {
          this.onError(`${f} could not be rolled (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it keeps growing until it can: check the lab folder's permissions and free space.`);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

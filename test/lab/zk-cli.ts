// bin/zk-lab as a test runs it: in a temp ZK_LAB_DIR, every backend (from its lock file) and
// member pid it saw killed after each test, even one that failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { waitFor } from '../support/ourzk';
import { alive, ROOT } from './backend';

const CLI = join(ROOT, 'bin', 'zk-lab');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Cli {
  /** The temp ZK_LAB_DIR of the current test. */
  root(): string;
  zk(...args: string[]): Promise<Run>;
  /** Notes member pids (from a --json status document) to kill after the test. */
  members(doc: { nodes?: { pid: number | null }[] }): void;
}

/** Installs beforeEach/afterEach for a file's tests and returns the helper; `env` is added to every zk-lab's environment (and so to the backend's and its members'). */
export function useCli(env: Record<string, string> = {}): Cli {
  let root = '';
  const backends = new Set<number>();
  const pids = new Set<number>();
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'zk-lab-check-'));
  });
  afterEach(async () => {
    for (const pid of backends) if (alive(pid)) process.kill(pid, 'SIGTERM');
    await waitFor(() => [...backends].every((p) => !alive(p)), 20_000, 'the backends to stop').catch(() => {
      for (const pid of backends) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    backends.clear();
    pids.clear();
    rmSync(root, { recursive: true, force: true });
  });
  return {
    root: () => root,
    members(doc) {
      for (const n of doc.nodes ?? []) if (n.pid) pids.add(n.pid);
    },
    zk(...args) {
      return new Promise((resolve, reject) => {
        const child = spawn(CLI, args, { env: { ...process.env, ...env, ZK_LAB_DIR: root }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
        child.once('error', reject);
        child.once('close', (status) => {
          clearTimeout(timer);
          for (const f of existsSync(root) ? readdirSync(root) : []) {
            if (!f.endsWith('.lock')) continue;
            try {
              backends.add((JSON.parse(readFileSync(join(root, f), 'utf8')) as { pid: number }).pid);
            } catch {
              // being written
            }
          }
          resolve({ status, stdout, stderr });
        });
      });
    },
  };
}

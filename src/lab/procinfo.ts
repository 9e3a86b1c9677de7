// What the lab asks the operating system about a process it recorded: is it alive, and is it
// still the program the lab started (a pid can be reused by any program once its process ends).
// No /proc and no shell on the way: `ps` on Linux and macOS, PowerShell's CIM query on Windows;
// /proc is read only on a Linux without `ps` (a minimal container).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Whether a process with this pid exists (it may belong to someone else: EPERM still means alive). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The program and arguments that print one process's command line on `platform`. */
export function commandLineQuery(platform: NodeJS.Platform, pid: number): [string, string[]] {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`not a pid: ${pid}`);
  if (platform === 'win32') {
    return ['powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', `(Get-CimInstance Win32_Process -Filter "ProcessId=${pid}").CommandLine`]];
  }
  // ww: the whole line (macOS's ps cuts it at the terminal's width otherwise); args=: no header.
  return ['ps', ['-ww', '-p', String(pid), '-o', 'args=']];
}

type Run = (file: string, args: string[]) => string;
const run: Run = (file, args) => execFileSync(file, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });

/**
 * The command line of process `pid` (program and arguments joined by spaces), or null when there
 * is no such process or it cannot be read.
 */
export function commandLineOf(pid: number, platform: NodeJS.Platform = process.platform, exec: Run = run): string | null {
  if (!pidAlive(pid)) return null;
  const [file, args] = commandLineQuery(platform, pid);
  try {
    const out = exec(file, args).trim();
    return out === '' ? null : out;
  } catch (e) {
    // ps exits 1 for a pid that is gone; without ps at all, Linux still has /proc.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && platform === 'linux' && existsSync(`/proc/${pid}/cmdline`)) {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() || null;
      } catch {
        return null;
      }
    }
    return null;
  }
}

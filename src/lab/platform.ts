// What differs between Linux, macOS and Windows on the lab's run path, in one place and as pure
// functions of the platform, so that each branch is tested on any machine.
import { join } from 'node:path';

/**
 * Where labs live unless ZK_LAB_DIR says otherwise: the platform's folder for an application's
 * data (the one Electron's app.getPath('appData') names), under zookeeper-lab/labs.
 */
export function defaultLabsRoot(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  const pathJoin = platform === 'win32' ? (...p: string[]) => p.join('\\') : join;
  let base: string;
  if (platform === 'win32') base = env.APPDATA || pathJoin(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') base = join(home, 'Library', 'Application Support');
  else base = env.XDG_CONFIG_HOME || join(home, '.config');
  return pathJoin(base, 'zookeeper-lab', 'labs');
}

/** The system shell a node's Shell terminal runs. */
export function systemShell(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') return env.ComSpec || 'cmd.exe';
  return env.SHELL || '/bin/sh';
}

/** Why a member cannot be paused on this platform, or null when it can (SIGSTOP/SIGCONT exist). */
export function pauseUnsupported(platform: NodeJS.Platform): string | null {
  return platform === 'win32' ? 'Windows has no SIGSTOP or SIGCONT: a process cannot be frozen from outside there, so Pause and Resume are off.' : null;
}

/**
 * How to end a member and everything it started on a platform without process groups (Windows):
 * taskkill over the process tree (/T), forced (/F) for SIGKILL; null where a signal to the
 * process group does it (the member leads its own group).
 */
export function treeKillCommand(platform: NodeJS.Platform, pid: number, sig: 'SIGKILL' | 'SIGTERM'): [string, string[]] | null {
  if (platform !== 'win32') return null;
  return ['taskkill', ['/PID', String(pid), '/T', ...(sig === 'SIGKILL' ? ['/F'] : [])]];
}

/** A Node script as a child process: Node itself (or Electron's binary acting as Node). */
export function nodeScript(script: string, args: string[]): { file: string; args: string[]; env: Record<string, string> } {
  return { file: process.execPath, args: [script, ...args], env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {} };
}

// What the kernel says about a server process: CPU time from /proc/<pid>/stat (utime + stime,
// in clock ticks) and resident memory from /proc/<pid>/status (VmRSS, VmHWM). The parsers are
// pure so the bench's tests can feed them text.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU time a process has used so far, in clock ticks (user, system). */
export interface CpuTicks {
  utime: number;
  stime: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so the fields are counted from the last ')'.
 */
export function parseProcStat(text: string): CpuTicks {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  // After ')' come field 3 (state) onwards; utime is field 14, stime field 15.
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`no utime/stime in /proc/<pid>/stat: ${JSON.stringify(text.slice(0, 120))}`);
  return { utime, stime };
}

/** Memory figures of /proc/<pid>/status in bytes: rss (VmRSS) and peak (VmHWM). */
export function parseProcStatus(text: string): { rss: number; peak: number } {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    if (!m) throw new Error(`${key} is missing from /proc/<pid>/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

let ticksPerSecond: number | null = null;

/** The kernel's clock ticks per second (getconf CLK_TCK; 100 on Linux unless told otherwise). */
export function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) process `pid` has used so far. */
export function cpuSeconds(pid: number): number {
  const t = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return (t.utime + t.stime) / clockTicks();
}

/** Resident and peak resident memory of process `pid`, in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** The machine as the report describes it: cores, RAM, CPU model, the disk under `dir`. */
export function machineInfo(dir: string): { cores: number; cpuModel: string; ramBytes: number; disk: string; kernel: string } {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || 1;
  const memTotal = /^MemTotal:\s+(\d+) kB/m.exec(safeRead('/proc/meminfo'));
  let disk = 'unknown';
  try {
    const df = execFileSync('df', ['-PT', dir], { encoding: 'utf8' }).trim().split('\n')[1]!.split(/\s+/);
    const dev = df[0]!;
    const base = dev.replace(/^\/dev\//, '').replace(/\d+$/, '');
    const rotational = safeRead(`/sys/block/${base}/queue/rotational`).trim();
    disk = `${dev} (${df[1]}${rotational === '0' ? ', kernel says non-rotational' : rotational === '1' ? ', kernel says rotational (virtual disks often do)' : ''}), ${(Number(df[2]) / 1048576).toFixed(0)} GiB`;
  } catch {
    /* df missing: say unknown */
  }
  const kernel = safeRead('/proc/sys/kernel/osrelease').trim() || 'unknown';
  return { cores, cpuModel, ramBytes: memTotal ? Number(memTotal[1]) * 1024 : 0, disk, kernel };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

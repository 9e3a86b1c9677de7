// The lab's questions about a recorded pid, on each platform's way of answering them.
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLineOf, commandLineQuery, pidAlive } from './procinfo';

describe('procinfo', () => {
  it('reads a live process command line with ps (no /proc, no shell) and null for a gone one', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '/some/lab/node3/zoo.cfg'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    try {
      expect(pidAlive(child.pid!)).toBe(true);
      const calls: string[] = [];
      const line = commandLineOf(child.pid!, 'linux', (file, args) => {
        calls.push(file);
        return execFileSync(file, args, { encoding: 'utf8' });
      });
      expect(calls).toEqual(['ps']);
      expect(line).toContain('/some/lab/node3/zoo.cfg');
      expect(line).toContain(process.execPath);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    expect(pidAlive(child.pid!)).toBe(false);
    expect(commandLineOf(child.pid!)).toBeNull();
  });

  it('falls back to /proc on a Linux without ps, and only there', () => {
    const noPs = (): string => {
      throw Object.assign(new Error('spawn ps ENOENT'), { code: 'ENOENT' });
    };
    expect(commandLineOf(process.pid, 'linux', noPs)).toContain(process.argv[1]!.split('/').pop()!);
    expect(commandLineOf(process.pid, 'darwin', noPs)).toBeNull();
  });

  it('asks each platform its own way', () => {
    expect(commandLineQuery('linux', 42)).toEqual(['ps', ['-ww', '-p', '42', '-o', 'args=']]);
    expect(commandLineQuery('darwin', 42)).toEqual(['ps', ['-ww', '-p', '42', '-o', 'args=']]);
    const [file, args] = commandLineQuery('win32', 42);
    expect(file).toBe('powershell.exe');
    expect(args.at(-1)).toBe('(Get-CimInstance Win32_Process -Filter "ProcessId=42").CommandLine');
    expect(() => commandLineQuery('linux', -1)).toThrow(/not a pid/);
    // What PowerShell prints is taken as the command line.
    expect(commandLineOf(process.pid, 'win32', (f) => (f === 'powershell.exe' ? '"C:\\\\node.exe" main.js C:\\\\labs\\\\default\\\\node1\\\\zoo.cfg\r\n' : ''))).toBe('"C:\\\\node.exe" main.js C:\\\\labs\\\\default\\\\node1\\\\zoo.cfg');
  });
});

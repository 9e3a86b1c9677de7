// zk-server, zk-cli and zk-lab on every platform: package.json's bin entries are Node scripts
// (npm makes .cmd shims of them on Windows, links on POSIX), and bin/ has a .cmd twin of each
// POSIX shell script that runs the same built file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs, OUR_BUILD } from '../support/needs';
import { ROOT } from './backend';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };

describe('the commands on every platform', needs(OUR_BUILD), () => {
  it('has a bin entry per command, each a built Node script with a node shebang that runs', () => {
    expect(Object.keys(pkg.bin).sort()).toEqual(['zk-cli', 'zk-lab', 'zk-server']);
    for (const [name, file] of Object.entries(pkg.bin)) {
      const path = join(ROOT, file);
      expect(existsSync(path), `${name}: ${file}`).toBe(true);
      expect(readFileSync(path, 'utf8').split('\n')[0], name).toBe('#!/usr/bin/env node');
    }
    // Run as npm's shims run them (node <file>): each answers its usage or help.
    const server = spawnSync(process.execPath, [join(ROOT, pkg.bin['zk-server']!), '--help'], { encoding: 'utf8' });
    expect(server.status).toBe(2);
    expect(server.stderr).toBe('usage: zk-server <path/to/zoo.cfg>\n');
    const lab = spawnSync(process.execPath, [join(ROOT, pkg.bin['zk-lab']!), 'help'], { encoding: 'utf8' });
    expect(lab.status).toBe(0);
    expect(lab.stdout).toMatch(/^Usage: zk-lab <command>/m);
  });

  it('has a .cmd twin of each shell script in bin/, running the same built file', () => {
    for (const name of Object.keys(pkg.bin)) {
      const sh = readFileSync(join(ROOT, 'bin', name), 'utf8');
      const cmd = readFileSync(join(ROOT, 'bin', `${name}.cmd`), 'utf8');
      // The file the shell script runs, and the one the twin runs, are the same.
      const shTarget = /exec node "\$here\/(dist\/[^"]+)"/.exec(sh)![1]!;
      const cmdTarget = /^node "%~dp0\.\.\\(dist\\[^"]+)" %\*\r$/m.exec(cmd)![1]!.replace(/\\/g, '/');
      expect(cmdTarget, name).toBe(shTarget);
      expect(cmdTarget, name).toBe(pkg.bin[name]);
      expect(cmd, name).toContain(`if not exist "%~dp0..\\${cmdTarget.replace(/\//g, '\\')}"`);
      expect(cmd, name).toMatch(new RegExp(`echo ${name}: ZooKeeper Lab is not built yet; run "npm run setup"`));
      // Batch files want CRLF line ends.
      expect(cmd.split('\n').slice(0, -1).every((l) => l.endsWith('\r')), name).toBe(true);
    }
  });
});

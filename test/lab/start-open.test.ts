// `npm start` in browser mode opens the default browser at the tokened address (xdg-open here: a
// stand-in on PATH records what it was asked), and `--no-open` skips it, saying so.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAB_BUILD, needs } from '../support/needs';
import { waitFor } from '../support/ourzk';
import { ROOT, stopProcess } from './backend';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function startWith(args: string[]): Promise<{ out: () => string; opened: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'zk-lab-open-'));
  const opened = join(dir, 'opened.txt');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${opened}'\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--browser', ...args], {
    env: { ...process.env, ZK_LAB_DIR: join(dir, 'labs'), PATH: `${bin}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => stopProcess(child));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await waitFor(() => /ZooKeeper Lab: http/.test(out), 60_000, `the lab's address (printed: ${out})`);
  return { out: () => out, opened, dir };
}

describe.skipIf(process.platform !== 'linux')('npm start opens the browser', needs(LAB_BUILD), () => {
  it('opens the tokened address in the default browser', async () => {
    const s = await startWith([]);
    const url = /ZooKeeper Lab: (http\S+)/.exec(s.out())![1]!;
    await waitFor(() => existsSync(s.opened) && readFileSync(s.opened, 'utf8') === `${url}\n`, 30_000, 'xdg-open to be asked for the address');
  });

  it('--no-open skips it and says so', async () => {
    const s = await startWith(['--no-open']);
    await waitFor(() => s.out().includes('ZooKeeper Lab: not opening a browser (--no-open).'), 30_000, 'the --no-open line');
    expect(existsSync(s.opened)).toBe(false);
  });
});

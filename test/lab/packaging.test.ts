// What can be checked of the installers on a machine that cannot download Electron: the
// electron-builder config is complete for AppImage/deb, dmg and NSIS, the icon files are real
// images of the sizes the formats want, and the app laid out as the installers pack it (only the
// config's `files`, away from the source tree) finds everything it opens: the UI, its favicon, the
// window icon, and a member it launches.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAB_BUILD, needs, OUR_BUILD } from '../support/needs';
import { connectBackend, ROOT, stopProcess, type Backend } from './backend';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
}
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** Width and height of a PNG (its IHDR), or null when the bytes are not a PNG. */
function pngSize(b: Buffer): [number, number] | null {
  if (!b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return null;
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('the installers\' config and icons', () => {
  it('packs the built app for AppImage and deb, dmg and NSIS, each with its icon', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(config.productName).toBe('ZooKeeper Lab');
    for (const f of ['package.json', 'out/**', 'dist/**', 'resources/**']) expect(config.files).toContain(f);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect([config.linux.icon, config.mac.icon, config.win.icon]).toEqual(['resources/icon.png', 'resources/icon.icns', 'resources/icon.ico']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; main: string; devDependencies: Record<string, string> };
    expect(pkg.scripts.dist).toBe('node scripts/dist.mjs');
    const dist = readFileSync(join(ROOT, 'scripts', 'dist.mjs'), 'utf8');
    expect(dist).toContain("'electron-builder', '--config', 'electron-builder.yml'");
    // The checkout's native modules are given back to Node after electron-builder rebuilt them for Electron.
    expect(dist).toContain("['rebuild', 'better-sqlite3', 'node-pty']");
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    // The app's entry is one of the packed files.
    expect(pkg.main.startsWith('out/')).toBe(true);
  });

  it('has a 1024 px PNG, an ICO of PNGs 16..256 and an ICNS of PNGs 16..1024', () => {
    expect(pngSize(readFileSync(join(ROOT, 'resources', 'icon.png')))).toEqual([1024, 1024]);
    expect(pngSize(readFileSync(join(ROOT, 'resources', 'favicon.png')))).toEqual([64, 64]);
    const ico = readFileSync(join(ROOT, 'resources', 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const icoSizes: number[] = [];
    for (let i = 0; i < ico.readUInt16LE(4); i++) {
      const e = 6 + 16 * i;
      const png = ico.subarray(ico.readUInt32LE(e + 12), ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8));
      const size = pngSize(png)!;
      expect(size[0]).toBe(ico.readUInt8(e) || 256);
      icoSizes.push(size[0]);
    }
    expect(icoSizes).toEqual([16, 32, 48, 64, 128, 256]);
    const icns = readFileSync(join(ROOT, 'resources', 'icon.icns'));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const icnsSizes: Record<string, number> = {};
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) {
      icnsSizes[icns.subarray(at, at + 4).toString('ascii')] = pngSize(icns.subarray(at + 8, at + icns.readUInt32BE(at + 4)))![0];
    }
    expect(icnsSizes).toEqual({ icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024 });
  });
});

describe('the app as the installers lay it out', needs(OUR_BUILD, LAB_BUILD), () => {
  const dir = mkdtempSync(join(tmpdir(), 'zk-lab-packed-'));
  const app = join(dir, 'app');
  let backend: Backend | null = null;
  afterAll(async () => {
    backend?.close();
    if (backend) await stopProcess(backend.process, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds its UI, favicon, window icon and members from its own folder, never the source tree', { timeout: 90_000 }, async () => {
    for (const f of ['package.json', 'out', 'dist', 'resources']) cpSync(join(ROOT, f), join(app, f), { recursive: true });
    // The installers carry the production dependencies; here they are the checkout's.
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
    // Nothing built names the checkout's folder: every path is found from the file itself.
    const files = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]));
    for (const f of [...files(join(app, 'out')), ...files(join(app, 'dist'))].filter((f) => /\.(js|html)$/.test(f))) {
      expect(readFileSync(f, 'utf8').includes(ROOT), f).toBe(false);
    }
    // The window's icon, as out/main/index.js asks for it.
    expect(existsSync(join(app, 'out', 'main', '..', '..', 'resources', 'icon.png'))).toBe(true);
    const server = spawnSync(process.execPath, [join(app, 'dist', 'server', 'main.js'), '--help'], { encoding: 'utf8' });
    expect(server.stderr).toBe('usage: zk-server <path/to/zoo.cfg>\n');

    const child = spawn(process.execPath, [join(app, 'dist', 'web', 'main.js')], { env: { ...process.env, ZK_LAB_DIR: join(dir, 'labs') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((res, rej) => {
      const onData = (b: Buffer): void => {
        out += b.toString();
        const m = /ZooKeeper Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
        if (m) res(m[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (c) => rej(new Error(`the packed backend exited with ${c}:\n${out}`)));
    });
    backend = await connectBackend(url, child);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    const favicon = /<link rel="icon" type="image\/png" href="\.\/(assets\/favicon-[^"]+\.png)"/.exec(html)![1]!;
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const icon = await fetch(new URL(favicon, url.replace(/\?.*/, '')), { headers: { cookie } });
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/png');
    expect(pngSize(Buffer.from(await icon.arrayBuffer()))).toEqual([64, 64]);
    // A member, started from the packed dist/.
    await backend.call({ method: 'launch', size: 1, observers: 0, engines: 'ours' });
    const view = (await backend.until((l) => l?.nodes[0]?.role === 'standalone', 60_000, 'the member to serve'))!;
    const cmd = readFileSync(`/proc/${view.nodes[0]!.pid}/cmdline`, 'utf8').split('\0');
    expect(cmd.slice(0, 2)).toEqual([process.execPath, join(app, 'dist', 'server', 'main.js')]);
  });
});

// Makes the app's icon files from resources/icon.svg (run by hand after changing the SVG; the
// files are committed): icon.png (1024 px, the window's and Linux's), favicon.png (64 px, the
// browser mode's tab), icon.ico (Windows / NSIS: PNG entries 16..256) and icon.icns (macOS /
// dmg: PNG entries 16..1024). The SVG is drawn by Chromium, as the lab's e2e tests use it.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const res = join(root, 'resources');
const svg = readFileSync(join(res, 'icon.svg'), 'utf8');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const png = {};
try {
  const page = await browser.newPage();
  for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', `width="${size}" height="${size}"`)}</body></html>`);
    png[size] = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  }
} finally {
  await browser.close();
}

/** ICO: a header, one 16-byte directory entry per image, then the PNGs (Vista and later read PNG entries). */
function ico(sizes) {
  const head = Buffer.alloc(6 + 16 * sizes.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(sizes.length, 4);
  let offset = head.length;
  sizes.forEach((s, i) => {
    const e = 6 + 16 * i;
    head.writeUInt8(s >= 256 ? 0 : s, e);
    head.writeUInt8(s >= 256 ? 0 : s, e + 1);
    head.writeUInt16LE(1, e + 4);
    head.writeUInt16LE(32, e + 6);
    head.writeUInt32LE(png[s].length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += png[s].length;
  });
  return Buffer.concat([head, ...sizes.map((s) => png[s])]);
}

/** ICNS: 'icns' and the total length, then per image a type (PNG-capable ones), its length and the PNG. */
function icns(entries) {
  const parts = entries.map(([type, s]) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'ascii');
    h.writeUInt32BE(8 + png[s].length, 4);
    return Buffer.concat([h, png[s]]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

writeFileSync(join(res, 'icon.png'), png[1024]);
writeFileSync(join(res, 'favicon.png'), png[64]);
writeFileSync(join(res, 'icon.ico'), ico([16, 32, 48, 64, 128, 256]));
writeFileSync(join(res, 'icon.icns'), icns([['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024]]));
console.log(`icons written to ${res}`);

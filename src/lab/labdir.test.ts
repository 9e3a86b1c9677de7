import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLab, readLab } from './labdir';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'zk-labdir-'));
  process.env.ZK_LAB_DIR = root;
});
afterEach(() => {
  delete process.env.ZK_LAB_DIR;
  rmSync(root, { recursive: true, force: true });
});

describe('lab.json', () => {
  it('is written for its owner only, with the members’ secret, and read back as written', async () => {
    const lab = await createLab('one', 1);
    const file = join(root, 'one', 'lab.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'one')).mode & 0o777).toBe(0o700);
    expect(lab.adminSecret).toMatch(/^[0-9a-f]{48}$/);
    expect(readLab('one')).toEqual(lab);
  });

  it('is checked when read: a broken or foreign one is a sentence, not a crash later', async () => {
    await createLab('bad', 1);
    const file = join(root, 'bad', 'lab.json');
    const good = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, '{"name": "bad", ');
    expect(() => readLab('bad')).toThrow(/lab\.json is not JSON .*move the folder away/);
    writeFileSync(file, JSON.stringify({ ...good, nodes: [{ ...good.nodes[0], clientPort: 'x' }] }));
    expect(() => readLab('bad')).toThrow(/is not a lab's lab\.json .*clientPort/);
    writeFileSync(file, JSON.stringify({ ...good, dir: '/somewhere/else' }));
    expect(() => readLab('bad')).toThrow(/names another folder/);
  });

  it('gives a lab made before secrets one', async () => {
    await createLab('old', 1);
    const file = join(root, 'old', 'lab.json');
    const { adminSecret: _, ...before } = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify(before));
    expect(readLab('old')!.adminSecret).toMatch(/^[0-9a-f]{48}$/);
  });

  it('is no lab where there is no lab.json', () => {
    mkdirSync(join(root, 'empty'));
    expect(readLab('empty')).toBeNull();
  });
});

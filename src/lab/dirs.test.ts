import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeLabDirs } from './dirs';
import { labsRoot } from './labdir';

describe('lab folders', () => {
  const dirs: string[] = [];
  const temp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'zk-dirs-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates every missing level for its owner only, and leaves existing ones alone', () => {
    const root = temp();
    const deep = join(root, 'a', 'b', 'c');
    makeLabDirs(deep);
    for (const d of [join(root, 'a'), join(root, 'a', 'b'), deep]) expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(statSync(root).mode & 0o777).toBe(0o700); // mkdtemp's own mode, untouched
    makeLabDirs(deep); // again: nothing to do, no error
  });

  it.skipIf(process.platform !== 'linux')('throws ENOENT under /proc instead of spinning', () => {
    expect(() => makeLabDirs('/proc/nc-nope/labs')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('throws ENOTDIR where a level is a file', () => {
    const file = join(temp(), 'f');
    writeFileSync(file, '');
    expect(() => makeLabDirs(join(file, 'x'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('resolves a relative ZK_LAB_DIR to an absolute path', () => {
    const before = process.env.ZK_LAB_DIR;
    process.env.ZK_LAB_DIR = 'some/labs';
    try {
      expect(labsRoot()).toBe(join(process.cwd(), 'some', 'labs'));
    } finally {
      if (before === undefined) delete process.env.ZK_LAB_DIR;
      else process.env.ZK_LAB_DIR = before;
    }
  });
});

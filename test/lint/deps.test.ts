// The design's dependency directions, enforced on every test run: on the project itself, and on
// a small planted tree, so that each rule is seen to catch what it is for.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const load = (): Promise<{ violations(root?: string): string[] }> => import('../../scripts/check-deps.mjs');

describe('dependency directions (scripts/check-deps.mjs)', () => {
  const root = mkdtempSync(join(tmpdir(), 'zk-lab-deps-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('no file of the project imports against the design', async () => {
    const { violations } = await load();
    expect(violations()).toEqual([]);
  });

  it('catches every kind of import, Node in the page, tests in the app, e2e internals and impure cores', async () => {
    const { violations } = await load();
    put('src/protocol/ok.ts', 'export const a = 1;\n');
    put('src/server/ok.ts', "import { a } from '../protocol/ok';\n");
    put('src/client/side.ts', "import '../server/ok';\n");
    put('src/client/dynamic.ts', "export const m = () => import('../server/ok');\n");
    put('src/client/reexport.ts', "export * from '../lab/x';\n");
    put('src/client/commented.ts', "// import { x } from '../server/ok';\nexport const b = 2;\n");
    put('src/renderer/fs.tsx', "import { readFileSync } from 'node:fs';\n");
    put('src/renderer/path.tsx', "import { join } from 'path';\n");
    put('src/shared/ipc.ts', "import { ipcRenderer } from 'electron';\n");
    put('src/renderer/react.tsx', "import { useState } from 'react';\n");
    put('src/lab/helper.ts', "import { x } from '../../test/support/x';\n");
    put('src/lab/helper.test.ts', "import { x } from '../../test/support/x';\n");
    put('e2e/ui.test.ts', "import { Supervisor } from '../src/lab/supervisor';\nimport { z } from '../src/shared/contract';\n");
    put('src/server/quorum/zab/core.ts', 'export const t = () => Date.now();\n// a comment may say setTimeout(...) and Promise\n');
    put('src/server/quorum/peer-core.ts', "import { createServer } from 'node:net';\n");
    const v = violations(root).join('\n');
    expect(v).toContain('src/client/side.ts: imports ../server/ok');
    expect(v).toContain('src/client/dynamic.ts: imports ../server/ok');
    expect(v).toContain('src/client/reexport.ts: imports ../lab/x');
    expect(v).not.toContain('commented.ts');
    expect(v).not.toContain('src/server/ok.ts');
    expect(v).toContain('src/renderer/fs.tsx: imports "node:fs"');
    expect(v).toContain('src/renderer/path.tsx: imports "path"');
    expect(v).toContain('src/shared/ipc.ts: imports "electron"');
    expect(v).not.toContain('react.tsx');
    expect(v).toContain('src/lab/helper.ts: imports ../../test/support/x');
    expect(v).not.toContain('helper.test.ts');
    expect(v).toContain('e2e/ui.test.ts: imports ../src/lab/supervisor');
    expect(v).not.toContain('shared/contract');
    expect(v).toContain('src/server/quorum/zab/core.ts:1: uses Date.now');
    expect(v).toContain('src/server/quorum/peer-core.ts: imports "node:net"');
    expect(v.split('\n')).toHaveLength(10);
  });
});

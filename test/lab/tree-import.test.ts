// A tree import sent in chunks (src/lab/tree-import.ts) against a real server of ours: it reports
// receiving, checking and writing with growing counts, the backend answers other requests while
// it runs, a cancel stops it between two transactions with what was written counted exactly, and
// bad uploads are refused with nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ZkClient } from '../../src/client';
import type { ImportState, TreeExportHeader, TreeExportNode } from '../../src/shared/contract';
import { IMPORT_CHUNK_NODES } from '../../src/shared/limits';
import { TreeBrowser } from '../../src/lab/tree';
import { TreeImports } from '../../src/lab/tree-import';
import { start, waitFor, type OurZk } from '../support/ourzk';

let server: OurZk;
let zk: ZkClient;
let browser: TreeBrowser;
let imports: TreeImports;
const pushes: ImportState[] = [];
/** Called on every push, as the page's listener would be. */
let onPush: (s: ImportState) => void = () => {};

beforeAll(async () => {
  server = await start();
  zk = await connect(server.connectString);
  browser = new TreeBrowser(() => server.connectString, () => server.connectString, () => {});
  imports = new TreeImports(() => browser, (s) => {
    pushes.push(s);
    onPush(s);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zk?.close();
  await server?.stop();
});

/** An export of /big: n children of 1 KiB each under it. */
function bigExport(n: number): { header: TreeExportHeader; nodes: TreeExportNode[] } {
  const data = Buffer.alloc(1024, 'z').toString('base64');
  const nodes: TreeExportNode[] = [{ path: '', data: null, kind: 'persistent' }];
  for (let i = 0; i < n; i++) nodes.push({ path: `/c${String(i).padStart(5, '0')}`, data, kind: 'persistent' });
  return { header: { format: 'zookeeper-lab-tree', version: 1, root: '/big', exportedAt: 0 }, nodes };
}

async function send(path: string, doc: ReturnType<typeof bigExport>): Promise<string> {
  const { upload } = imports.begin(path, doc.header, doc.nodes.length, false, null);
  for (let i = 0; i < doc.nodes.length; i += IMPORT_CHUNK_NODES) {
    const s = imports.chunk(upload, doc.nodes.slice(i, i + IMPORT_CHUNK_NODES));
    expect(s.done).toBe(Math.min(doc.nodes.length, i + IMPORT_CHUNK_NODES));
  }
  return upload;
}

const finished = (upload: string) => () => ['done', 'failed', 'cancelled'].includes(imports.status(upload).phase);

describe('TreeImports', () => {
  it('imports 5000 znodes sent in chunks, reporting progress, while other requests are answered', async () => {
    await zk.create('/into', null);
    const doc = bigExport(5000);
    const upload = await send('/into', doc);
    expect(imports.commit(upload)).toMatchObject({ phase: 'checking', done: 0 });
    // The backend is not blocked: a read is answered while the import runs.
    expect((await browser.node('/into', null)).path).toBe('/into');
    expect(imports.status(upload).phase).not.toBe('done');
    await waitFor(finished(upload), 60_000, 'the import to finish');
    const end = imports.status(upload);
    expect(end).toMatchObject({ phase: 'done', root: '/into/big', error: null, result: { created: 5001, updated: 0, skipped: 0, converted: 0 } });
    expect(end.result!.transactions).toBeGreaterThan(1);
    expect((await zk.exists('/into/big'))!.numChildren).toBe(5000);
    const mine = pushes.filter((p) => p.upload === upload);
    expect(mine.some((p) => p.phase === 'checking')).toBe(true);
    const writing = mine.filter((p) => p.phase === 'writing').map((p) => p.done);
    expect(writing.length).toBeGreaterThan(2);
    expect(writing).toEqual([...writing].sort((a, b) => a - b));
    expect(mine.at(-1)!.phase).toBe('done');
  });

  it('stops at the next transaction when cancelled, and counts exactly what it wrote', async () => {
    await zk.create('/cancelled', null);
    const upload = await send('/cancelled', bigExport(5000));
    // Cancelled as soon as the first transaction is reported (as a person pressing Cancel then).
    let atCancel: ImportState | null = null;
    onPush = (s) => {
      if (atCancel === null && s.upload === upload && s.phase === 'writing' && s.done > 0) {
        atCancel = s;
        imports.cancel(upload);
      }
    };
    imports.commit(upload);
    await waitFor(finished(upload), 60_000, 'the import to stop');
    const end = imports.status(upload);
    expect(end.phase).toBe('cancelled');
    // Not one transaction more than had been reported when Cancel was pressed.
    const reported = (atCancel as ImportState | null)!.result!;
    expect(end.result).toEqual(reported);
    expect(end.error).toMatch(new RegExp(`cancelled after ${reported.transactions} transaction`));
    const there = (await zk.exists('/cancelled/big'))!.numChildren + 1;
    expect(end.result!.created).toBe(there);
    expect(there).toBeLessThan(5001);
  });

  it('refuses an upload that sends more than it announced, or commits before all of it came, and writes nothing', async () => {
    const doc = bigExport(10);
    const a = imports.begin('/', doc.header, 5, false, null);
    expect(() => imports.chunk(a.upload, doc.nodes)).toThrow(/announced 5 znodes but was sent 11; nothing was imported/);
    expect(() => imports.status(a.upload)).toThrow(/There is no import/);
    const b = imports.begin('/', doc.header, 11, false, null);
    imports.chunk(b.upload, doc.nodes.slice(0, 4));
    expect(() => imports.commit(b.upload)).toThrow(/has 4 of the 11 znodes.*nothing was imported/);
    expect(imports.cancel(b.upload).phase).toBe('cancelled');
    expect(() => imports.begin('/', doc.header, 20_001, false, null)).toThrow(/at most 20000 znodes/);
    expect(await zk.exists('/big')).toBeNull();
  });
});

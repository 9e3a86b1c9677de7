// node dist/server/datadir-main.js: the lab's read-only look into a ZooKeeper dataDir, in a
// process of its own (the lab starts the server's code only as child processes). Nothing it
// does changes the folder it is given.
//
//   check <version-2 dir>                                  every file checked, the tree loaded
//   du <version-2 dir> <path> <bytes|count|name> <offset> <limit>
//                                                          where the bytes are, from the newest snapshot
//
// Output: JSON lines on stdout, {"progress": {...}} while it works, then {"result": {...}} (exit
// 0) or {"error": "<one sentence>"} (exit 1).
import { nodeDisk } from './runtime/disk';
import { duArgs, duListing, duPage, duTree } from './admin/du';
import { DataDirError, inspectDataDir } from './storage/inspect';
import { listDataFiles, SNAPSHOT_PREFIX, zxidHex } from './storage/names';
import { readSnapshotFile, SnapshotError } from './storage/snapfile';

const line = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

/** Progress at most every 100 ms: a big folder would otherwise print a line per file read. */
function throttled(): (p: unknown) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    line({ progress: p });
  };
}

async function check(dir: string): Promise<unknown> {
  const { tree: _tree, ...inspection } = await inspectDataDir(dir, throttled());
  return inspection;
}

/** du from the newest snapshot that reads back whole (an Apache member's view of its own tree). */
async function du(dir: string, args: string[]): Promise<unknown> {
  const [path, sort, offset, limit] = args;
  const parsed = duArgs(new URLSearchParams({ path: path ?? '/', sort: sort ?? 'bytes', offset: offset ?? '0', limit: limit ?? '500' }));
  if (typeof parsed === 'string') throw new DataDirError(parsed);
  const problems: string[] = [];
  for (const f of listDataFiles(nodeDisk, dir, SNAPSHOT_PREFIX, true)) {
    let snap;
    try {
      snap = await readSnapshotFile(nodeDisk, f.path, f.name);
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      problems.push(e.message);
      continue;
    }
    const listing = duListing(duTree(snap.image.tree), parsed.path, parsed.sort);
    if (!listing) throw new DataDirError(`There is no znode ${parsed.path} in ${f.name} (it may be newer than the snapshot).`);
    return { ...duPage(listing, parsed.sort, parsed.offset, parsed.limit), snapshot: f.name, zxid: `0x${zxidHex(snap.zxid)}` };
  }
  throw new DataDirError(problems.length > 0 ? `No snapshot in ${dir} reads back whole: ${problems.join('; ')}.` : `There is no snapshot in ${dir} yet: the member writes one every snapCount txns.`);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, dir, ...rest] = argv;
  if ((cmd !== 'check' && cmd !== 'du') || dir === undefined) {
    process.stderr.write('usage: datadir-main check <version-2 dir> | du <version-2 dir> <path> <bytes|count|name> <offset> <limit>\n');
    return 2;
  }
  try {
    line({ result: cmd === 'check' ? await check(dir) : await du(dir, rest) });
    return 0;
  } catch (e) {
    if (e instanceof DataDirError) {
      line({ error: e.message });
      return 1;
    }
    line({ error: `Reading ${dir} failed unexpectedly: ${(e as Error).message}` });
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

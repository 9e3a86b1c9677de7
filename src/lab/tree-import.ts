// Tree imports in chunks. A tree export can be far larger than one WebSocket message may be
// (WS_MESSAGE_MAX), so the page sends its header, then its znodes a chunk at a time, then asks
// for the import to run. It runs in the backend between round trips to the members (never one
// long synchronous step) and reports as it goes: the page shows progress and may cancel; other
// requests are answered meanwhile.
import { randomBytes } from 'node:crypto';
import type { ImportResult } from '../shared/api';
import type { ImportState, TreeExportHeader, TreeExportNode } from '../shared/contract';
import { EXPORT_MAX_NODES, IMPORT_MAX_BYTES } from '../shared/limits';
import { ImportCancelled, type ImportControl } from './tree';

/** The part of TreeBrowser an import needs. */
export interface Importer {
  importTree(parent: string, doc: unknown, overwrite: boolean, through: number | null, control?: ImportControl): Promise<ImportResult>;
}

/** An upload nobody sent to or asked about for this long is dropped (a closed tab's). */
const IDLE_MS = 10 * 60_000;
/** Progress pushes at most this often (the last one of a phase is always sent). */
const PUSH_EVERY_MS = 100;

interface Upload {
  header: TreeExportHeader;
  overwrite: boolean;
  through: number | null;
  nodes: TreeExportNode[];
  bytes: number;
  state: ImportState;
  cancel: boolean;
  touchedAt: number;
  lastPushAt: number;
}

export class TreeImports {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly importer: () => Importer,
    private readonly push: (state: ImportState) => void,
    private readonly now: () => number = Date.now,
  ) {}

  begin(path: string, header: TreeExportHeader, total: number, overwrite: boolean, through: number | null): ImportState {
    this.dropIdle();
    if (total > EXPORT_MAX_NODES) throw new Error(`An import holds at most ${EXPORT_MAX_NODES} znodes; this one announces ${total}. Export the subtree's children one by one.`);
    const upload = randomBytes(8).toString('hex');
    const state: ImportState = { upload, path, phase: 'receiving', done: 0, total, root: null, result: null, error: null };
    this.uploads.set(upload, { header, overwrite, through, nodes: [], bytes: 0, state, cancel: false, touchedAt: this.now(), lastPushAt: 0 });
    return { ...state };
  }

  chunk(upload: string, nodes: TreeExportNode[]): ImportState {
    const u = this.get(upload);
    if (u.state.phase !== 'receiving') throw new Error(`Import ${upload} is ${u.state.phase} and takes no more znodes.`);
    if (u.nodes.length + nodes.length > u.state.total) {
      this.uploads.delete(upload);
      throw new Error(`Import ${upload} announced ${u.state.total} znodes but was sent ${u.nodes.length + nodes.length}; nothing was imported. Start it again.`);
    }
    const bytes = nodes.reduce((n, z) => n + (z.data?.length ?? 0) + z.path.length, 0);
    if (u.bytes + bytes > IMPORT_MAX_BYTES) {
      this.uploads.delete(upload);
      throw new Error(`This import carries more than ${IMPORT_MAX_BYTES / 1024 / 1024} MiB of data; nothing was imported. Export smaller subtrees and import them one by one.`);
    }
    for (const n of nodes) u.nodes.push(n);
    u.bytes += bytes;
    u.touchedAt = this.now();
    u.state.done = u.nodes.length;
    return { ...u.state };
  }

  /** Starts the import of a whole upload; answers at once, the rest comes as pushes. */
  commit(upload: string): ImportState {
    const u = this.get(upload);
    if (u.state.phase !== 'receiving') throw new Error(`Import ${upload} is already ${u.state.phase}.`);
    if (u.nodes.length !== u.state.total) throw new Error(`Import ${upload} has ${u.nodes.length} of the ${u.state.total} znodes it announced; send the rest first (nothing was imported).`);
    u.state.phase = 'checking';
    u.state.done = 0;
    u.touchedAt = this.now();
    const doc = { ...u.header, nodes: u.nodes };
    const control: ImportControl = {
      cancelled: () => u.cancel,
      progress: (phase, done, total, result, root) => {
        const changed = phase !== u.state.phase;
        Object.assign(u.state, { phase, done, total, result: { ...result }, root });
        const t = this.now();
        if (changed || done === total || t - u.lastPushAt >= PUSH_EVERY_MS) {
          u.lastPushAt = t;
          this.push({ ...u.state });
        }
      },
    };
    void this.importer()
      .importTree(u.state.path, doc, u.overwrite, u.through, control)
      .then(
        (r) => {
          const { root, ...result } = r;
          Object.assign(u.state, { phase: 'done', root, result, done: u.state.total, error: null });
        },
        (e: Error) => {
          if (e instanceof ImportCancelled) Object.assign(u.state, { phase: 'cancelled', result: e.result, root: e.root, error: e.message });
          else Object.assign(u.state, { phase: 'failed', error: e.message });
        },
      )
      .finally(() => {
        // The znodes are written (or not): only the state is kept, for status.
        u.nodes = [];
        u.touchedAt = this.now();
        this.push({ ...u.state });
      });
    return { ...u.state };
  }

  /** Stops an import between two transactions, or drops an upload that was not committed. */
  cancel(upload: string): ImportState {
    const u = this.get(upload);
    if (u.state.phase === 'receiving') {
      this.uploads.delete(upload);
      Object.assign(u.state, { phase: 'cancelled', error: 'The import was cancelled before anything was written.' });
      this.push({ ...u.state });
    } else if (u.state.phase === 'checking' || u.state.phase === 'writing') u.cancel = true;
    return { ...u.state };
  }

  status(upload: string): ImportState {
    const u = this.get(upload);
    u.touchedAt = this.now();
    return { ...u.state };
  }

  /** Every import under way stops at its next transaction (the lab is going away). */
  cancelAll(): void {
    for (const u of this.uploads.values()) u.cancel = true;
    this.uploads.clear();
  }

  private get(upload: string): Upload {
    const u = this.uploads.get(upload);
    if (!u) throw new Error(`There is no import ${upload} (it ended more than ${IDLE_MS / 60_000} minutes ago, or the lab restarted); start it again.`);
    return u;
  }

  private dropIdle(): void {
    const t = this.now();
    for (const [id, u] of this.uploads) {
      const running = u.state.phase === 'checking' || u.state.phase === 'writing';
      if (!running && t - u.touchedAt > IDLE_MS) this.uploads.delete(id);
    }
  }
}

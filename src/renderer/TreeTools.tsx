// The Tree view's tools: search by path prefix (above the tree), export the selected subtree to
// a JSON file and import such a file under the selected znode.
import { Button, Card, Checkbox, FileButton, Group, Progress as ProgressBar, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type { ImportCounts, ImportState, LabApi, TreeExport, TreeExportNode } from '../shared/contract';
import { chunkNodes, oversizedNode } from '../shared/import-chunks';
import { errorText } from './i18n';

/** What an import shows while it goes: a sentence and how far it is (0..1). */
interface ImportProgress {
  upload: string | null;
  text: string;
  fraction: number;
}

const PHASE_WORDS: Record<ImportState['phase'], string> = {
  receiving: 'sending',
  checking: 'checking which znodes exist',
  writing: 'writing',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

function resultWords(r: ImportCounts): string {
  const parts = [`${r.created} created`, `${r.updated} updated`, `${r.skipped} left as they were`];
  if (r.converted > 0) parts.push(`${r.converted} ephemeral or TTL znodes created as persistent`);
  return `${parts.join(', ')} (${r.transactions} transaction${r.transactions === 1 ? '' : 's'})`;
}

/** A file name for an export of `path` ('/' -> root). */
function fileNameOf(path: string): string {
  return `${path === '/' ? 'root' : path.slice(1).replace(/[^A-Za-z0-9._-]+/g, '_')}.zk-tree.json`;
}

/** Search by path prefix, one level at a time: '/app/co' -> /app's children starting with "co". */
export function TreeSearch(props: { lab: LabApi; through: number | null; onFound: (path: string) => void; onError: (message: string) => void }) {
  const { lab, through, onFound, onError } = props;
  const [prefix, setPrefix] = useState('');
  const [hits, setHits] = useState<{ paths: string[]; total: number } | null>(null);
  // Searched as one types, after a short pause.
  useEffect(() => {
    if (!prefix.startsWith('/')) {
      setHits(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      lab.call({ method: 'tree.search', prefix, through, limit: 50 }).then(
        (r) => live && setHits(r),
        (e: Error) => live && onError(errorText(e)),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [prefix, through, lab, onError]);
  return (
    <Stack gap={4} mb="xs">
      <TextInput size="xs" placeholder="search by path prefix, e.g. /app/con" value={prefix} onChange={(e) => setPrefix(e.currentTarget.value)} data-testid="tree-search" />
      {hits && (
        <Stack gap={0} data-testid="tree-search-results" style={{ maxHeight: 160, overflow: 'auto', borderBottom: '1px solid var(--mantine-color-gray-3)', paddingBottom: 4 }}>
          <Text size="xs" c="dimmed">
            {hits.total === 0 ? 'no znode starts with that' : `${hits.total} match${hits.total === 1 ? '' : 'es'}${hits.total > hits.paths.length ? `, first ${hits.paths.length}` : ''}`}
          </Text>
          {hits.paths.map((p) => (
            <UnstyledButton key={p} onClick={() => onFound(p)} data-testid="tree-search-hit" style={{ fontFamily: 'monospace', fontSize: 12 }}>
              {p}
            </UnstyledButton>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

/** Export the selected subtree to a JSON file; import such a file under the selected znode. */
export function TreeTransfer(props: { lab: LabApi; through: number | null; selected: string; readOnly: boolean; onImported: (message: string) => void; onError: (message: string) => void }) {
  const { lab, through, selected, readOnly, onImported, onError } = props;
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);

  const exportTree = async (): Promise<void> => {
    setBusy(`exporting ${selected}…`);
    try {
      const doc = await lab.call({ method: 'tree.export', path: selected, through });
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = fileNameOf(selected);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      onImported(`exported ${doc.nodes.length} znodes of ${selected} to ${a.download}`);
    } catch (e) {
      onError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const [importing, setImporting] = useState<ImportProgress | null>(null);
  /** The upload under way and whether Cancel was pressed while it was still being sent. */
  const current = useRef<{ upload: string | null; committed: boolean; cancelled: boolean } | null>(null);

  /**
   * Sends the file's znodes in chunks under the WebSocket's cap, then lets the backend import
   * them, following its `import` pushes (and asking tree.import.status if a push is missed).
   */
  const importFile = async (file: File | null): Promise<void> => {
    if (!file) return;
    setBusy(`importing ${file.name}…`);
    const me = { upload: null as string | null, committed: false, cancelled: false };
    current.current = me;
    setImporting({ upload: null, text: `reading ${file.name}`, fraction: 0 });
    try {
      let doc: TreeExport;
      try {
        doc = JSON.parse(await file.text()) as TreeExport;
      } catch (e) {
        throw new Error(`${file.name} is not JSON (${(e as Error).message}). Choose a file the Tree view exported.`);
      }
      if (!doc || typeof doc !== 'object' || !Array.isArray(doc.nodes)) throw new Error(`${file.name} is not a tree export of ZooKeeper Lab (it has no "nodes" list). Export a subtree from the Tree view to get one.`);
      const nodes = doc.nodes as TreeExportNode[];
      const tooBig = oversizedNode(nodes);
      if (tooBig) throw new Error(`${file.name} cannot be imported: ${tooBig}. Nothing was imported.`);
      const { nodes: _all, ...header } = doc;
      const begun = await lab.call({ method: 'tree.import.begin', path: selected, header, total: nodes.length, overwrite, through });
      me.upload = begun.upload;
      const chunks = chunkNodes(nodes);
      let sent = 0;
      for (const c of chunks) {
        if (me.cancelled) {
          await lab.call({ method: 'tree.import.cancel', upload: begun.upload });
          onError(`The import of ${file.name} was cancelled before anything was written.`);
          return;
        }
        await lab.call({ method: 'tree.import.chunk', upload: begun.upload, nodes: c });
        sent += c.length;
        setImporting({ upload: begun.upload, text: `sending ${sent} of ${nodes.length} znodes`, fraction: nodes.length > 0 ? (sent / nodes.length) * 0.2 : 0.2 });
      }
      me.committed = true;
      const end = await new Promise<ImportState>((resolve, reject) => {
        const show = (st: ImportState): void => {
          const part = st.phase === 'checking' ? 0.2 + 0.3 * (st.total > 0 ? st.done / st.total : 1) : st.phase === 'writing' ? 0.5 + 0.5 * (st.total > 0 ? st.done / st.total : 1) : 1;
          setImporting({ upload: st.upload, text: `${PHASE_WORDS[st.phase]}${st.phase === 'checking' || st.phase === 'writing' ? ` ${st.done} of ${st.total}` : ''}`, fraction: part });
        };
        const finish = (st: ImportState): boolean => {
          if (st.phase !== 'done' && st.phase !== 'failed' && st.phase !== 'cancelled') return false;
          off();
          clearInterval(timer);
          resolve(st);
          return true;
        };
        const off = lab.onPush((p) => {
          if (p.kind !== 'import' || p.state.upload !== begun.upload) return;
          if (!finish(p.state)) show(p.state);
        });
        // A push lost to a reconnect: the status says where it is.
        const timer = setInterval(() => {
          lab.call({ method: 'tree.import.status', upload: begun.upload }).then((st) => {
            if (!finish(st)) show(st);
          }, (e: Error) => {
            off();
            clearInterval(timer);
            reject(e);
          });
        }, 2000);
        lab.call({ method: 'tree.import.commit', upload: begun.upload }).then(show, (e: Error) => {
          off();
          clearInterval(timer);
          reject(e);
        });
      });
      if (end.phase === 'done') onImported(`imported ${file.name} as ${end.root}: ${resultWords(end.result!)}`);
      else if (end.phase === 'cancelled') onError(`${end.error}${end.result ? ` ${resultWords(end.result)}.` : ''}`);
      else onError(`The import of ${file.name} failed: ${end.error}${end.result && end.result.transactions > 0 ? ` What was written before stays: ${resultWords(end.result)}.` : ''}`);
    } catch (e) {
      onError(errorText(e));
    } finally {
      current.current = null;
      setImporting(null);
      setBusy(null);
    }
  };

  const cancelImport = (): void => {
    const c = current.current;
    if (!c) return;
    c.cancelled = true;
    // While sending, the loop stops before its next chunk; once committed, the backend stops between two transactions.
    if (c.upload && c.committed) void lab.call({ method: 'tree.import.cancel', upload: c.upload }).catch((e: Error) => onError(errorText(e)));
    setImporting((p) => (p ? { ...p, text: `${p.text} — cancelling` } : p));
  };

  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={6}>Export and import</Title>
        <Group>
          <Button size="xs" variant="light" onClick={() => void exportTree()} disabled={busy !== null} data-testid="tree-export">
            Export {selected} to JSON
          </Button>
          {!readOnly && (
            <>
              <FileButton onChange={(f) => void importFile(f)} accept="application/json,.json">
                {(p) => (
                  <Button size="xs" variant="light" {...p} disabled={busy !== null} data-testid="tree-import">
                    Import JSON under {selected}
                  </Button>
                )}
              </FileButton>
              <Checkbox size="xs" label="overwrite data of existing znodes" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
            </>
          )}
        </Group>
        {busy && (
          <Text size="xs" c="dimmed" data-testid="tree-busy">
            {busy}
          </Text>
        )}
        {importing && (
          <Group gap="xs" wrap="nowrap" data-testid="tree-import-progress">
            <ProgressBar value={importing.fraction * 100} style={{ flex: 1 }} aria-label="import progress" />
            <Text size="xs" c="dimmed">
              {importing.text}
            </Text>
            <Button size="compact-xs" variant="subtle" color="red" onClick={cancelImport} data-testid="tree-import-cancel">
              Cancel
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

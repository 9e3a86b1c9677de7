// The Tree view's tools: search by path prefix (above the tree), export the selected subtree to
// a JSON file and import such a file under the selected znode.
import { Button, Card, Checkbox, FileButton, Group, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { LabApi, TreeExport } from '../shared/contract';

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
        (e: Error) => live && onError(e.message),
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
      onError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const importFile = async (file: File | null): Promise<void> => {
    if (!file) return;
    setBusy(`importing ${file.name}…`);
    try {
      let doc: unknown;
      try {
        doc = JSON.parse(await file.text());
      } catch (e) {
        throw new Error(`${file.name} is not JSON (${(e as Error).message}). Choose a file the Tree view exported.`);
      }
      const r = await lab.call({ method: 'tree.import', path: selected, doc, overwrite, through });
      const parts = [`${r.created} created`, `${r.updated} updated`, `${r.skipped} left as they were`];
      if (r.converted > 0) parts.push(`${r.converted} ephemeral or TTL znodes created as persistent`);
      onImported(`imported ${file.name} as ${r.root}: ${parts.join(', ')} (${r.transactions} transaction${r.transactions === 1 ? '' : 's'})`);
    } catch (e) {
      onError((e as Error).message);
    } finally {
      setBusy(null);
    }
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
      </Stack>
    </Card>
  );
}

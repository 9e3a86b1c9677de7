// Where the bytes are under the selected znode: its children with their subtrees' znode counts
// and bytes, biggest first (or by count or name), computed by a member (tree.du: our AdminServer's
// lab_du, or an Apache member's newest snapshot), never by walking the tree from the page. A page
// of rows at a time, so 100 000 children cost one sorted listing on the member and 200 rows here.
import { Button, Card, Group, SegmentedControl, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { DuRow, DuSort, LabApi, TreeDu } from '../shared/contract';
import { joinPath } from './TreeList';
import { errorText } from './i18n';

const PAGE = 200;

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1073741824) return `${(n / 1048576).toFixed(1)} MiB`;
  return `${(n / 1073741824).toFixed(2)} GiB`;
}

export function TreeSizes({ lab, through, path, onSelect, reloadKey }: { lab: LabApi; through: number | null; path: string; onSelect: (p: string) => void; reloadKey: number }) {
  const [sort, setSort] = useState<DuSort>('bytes');
  const [du, setDu] = useState<TreeDu | null>(null);
  const [rows, setRows] = useState<DuRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (offset: number): Promise<void> => {
      setLoading(true);
      try {
        const r = await lab.call({ method: 'tree.du', path, through, sort, offset, limit: PAGE });
        setDu(r);
        setRows((old) => (offset === 0 ? r.children : [...old.slice(0, offset), ...r.children]));
        setError(null);
      } catch (e) {
        setDu(null);
        setRows([]);
        setError(errorText(e));
      } finally {
        setLoading(false);
      }
    },
    [lab, path, through, sort],
  );
  useEffect(() => {
    void load(0);
  }, [load, reloadKey]);

  const max = rows.reduce((m, r) => Math.max(m, sort === 'count' ? r.descendants + 1 : r.bytes), 1);
  return (
    <Card withBorder data-testid="tree-sizes" data-path={du?.path ?? ''}>
      <Group justify="space-between" mb="xs">
        <Title order={6}>Where the bytes are under {path}</Title>
        <Group gap="xs">
          <SegmentedControl
            size="xs"
            value={sort}
            onChange={(v) => setSort(v as DuSort)}
            data={[
              { value: 'bytes', label: 'biggest' },
              { value: 'count', label: 'most znodes' },
              { value: 'name', label: 'name' },
            ]}
            data-testid="sizes-sort"
          />
          <Button size="compact-xs" variant="subtle" onClick={() => void load(0)} loading={loading} data-testid="sizes-refresh">
            refresh
          </Button>
        </Group>
      </Group>
      {error && (
        <Text size="sm" c="red" data-testid="sizes-error">
          {error}
        </Text>
      )}
      {du && (
        <>
          <Text size="sm" data-testid="sizes-total">
            {du.path}: {(du.znode.descendants + 1).toLocaleString()} znodes, {bytesText(du.znode.bytes)} ({bytesText(du.znode.dataBytes)} of data), by {du.source} at zxid {du.zxid}
          </Text>
          <Text size="xs" c="dimmed" mb="xs">
            bytes = data + overhead per znode: {du.overhead}.
          </Text>
          <div style={{ maxHeight: 320, overflow: 'auto' }}>
            <Table striped highlightOnHover stickyHeader data-testid="sizes-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>child</Table.Th>
                  <Table.Th ta="right">znodes under it</Table.Th>
                  <Table.Th ta="right">bytes</Table.Th>
                  <Table.Th w={120}></Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => {
                  const share = (sort === 'count' ? r.descendants + 1 : r.bytes) / max;
                  return (
                    <Table.Tr key={r.name} data-testid="sizes-row" data-name={r.name} data-bytes={r.bytes} data-descendants={r.descendants}>
                      <Table.Td ff="monospace">
                        <UnstyledButton onClick={() => onSelect(joinPath(path, r.name))} data-testid={`sizes-open-${r.name}`}>
                          {r.name}
                        </UnstyledButton>
                      </Table.Td>
                      <Table.Td ta="right">{r.descendants.toLocaleString()}</Table.Td>
                      <Table.Td ta="right">{bytesText(r.bytes)}</Table.Td>
                      <Table.Td>
                        <div style={{ height: 8, width: `${Math.max(2, share * 100)}%`, background: 'var(--mantine-color-blue-5)', borderRadius: 2 }} />
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
          <Group justify="space-between" mt="xs">
            <Text size="xs" c="dimmed" data-testid="sizes-shown">
              {rows.length.toLocaleString()} of {du.total.toLocaleString()} children
            </Text>
            {rows.length < du.total && (
              <Button size="compact-xs" variant="light" onClick={() => void load(rows.length)} loading={loading} data-testid="sizes-more">
                {PAGE} more
              </Button>
            )}
          </Group>
        </>
      )}
    </Card>
  );
}

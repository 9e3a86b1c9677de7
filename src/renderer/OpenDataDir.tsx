// Opening a production dataDir from the Cluster view's launcher (datadir.open): a path, how many
// members, read-only or not; while it works, the bytes copied and read and the znodes loaded (the
// backend's progress pushes); once open, a line saying where the lab's data came from.
import { Alert, Button, Card, Group, Progress, SegmentedControl, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { LabView } from '../shared/contract';
import type { ViewProps } from './views';

const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;

export function OpenDataDir({ lab, progress, run, busy, setBusy }: Pick<ViewProps, 'lab' | 'progress' | 'run'> & { busy: boolean; setBusy: (b: boolean) => void }) {
  const [path, setPath] = useState('');
  const [nodes, setNodes] = useState('1');
  const [readOnly, setReadOnly] = useState(true);
  const [opening, setOpening] = useState(false);
  const open = async (): Promise<void> => {
    setBusy(true);
    setOpening(true);
    await run(
      lab.call({ method: 'datadir.open', path: path.trim(), nodes: readOnly ? 1 : (Number(nodes) as 1 | 3 | 5 | 7), readOnly }),
      `Opened ${path.trim()}: its znodes are in the Tree explorer`,
    );
    setOpening(false);
    setBusy(false);
  };
  return (
    <Card withBorder w={620} data-testid="open-datadir">
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          Open a production dataDir
        </Text>
        <Text size="xs" c="dimmed">
          A copy of an Apache ZooKeeper 3.5–3.9 dataDir (its version-2 snapshots and logs) goes to a new lab, and members of ours start on it. The original is only read; a corrupt, truncated or foreign file is
          refused and nothing is left behind.
        </Text>
        <Group align="end">
          <TextInput label="dataDir" placeholder="/var/lib/zookeeper" value={path} onChange={(e) => setPath(e.currentTarget.value)} w={300} disabled={busy} data-testid="datadir-path" />
          <Stack gap={2}>
            <Text size="sm">Members</Text>
            <SegmentedControl size="xs" value={readOnly ? '1' : nodes} onChange={setNodes} data={['1', '3', '5']} disabled={busy || readOnly} data-testid="datadir-nodes" />
          </Stack>
          <Button variant="light" onClick={open} disabled={path.trim() === '' || busy} loading={opening} data-testid="datadir-open">
            Open dataDir
          </Button>
        </Group>
        <Switch checked={readOnly} onChange={(e) => setReadOnly(e.currentTarget.checked)} disabled={busy} label="read-only: one member, and the lab's views write nothing to it" data-testid="datadir-read-only" />
        {opening && progress && (
          <Stack gap={4} data-testid="datadir-progress">
            <Text size="xs">{progress.step}</Text>
            <Progress value={progress.bytesTotal ? (100 * (progress.bytesDone ?? 0)) / Math.max(1, progress.bytesTotal) : (100 * progress.done) / Math.max(1, progress.total)} animated />
            {progress.bytesTotal !== undefined && (
              <Text size="xs" c="dimmed">
                {mb(progress.bytesDone ?? 0)} of {mb(progress.bytesTotal)}
                {progress.znodes ? `, ${progress.znodes.toLocaleString()} znodes` : ''}
              </Text>
            )}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

/** Where the lab's data came from, for a lab opened from a dataDir. */
export function SourceBanner({ view }: { view: LabView }) {
  if (!view.source) return null;
  const s = view.source;
  return (
    <Alert color={s.readOnly ? 'gray' : 'blue'} variant="light" data-testid="source-banner">
      Opened from {s.path}: {s.znodes.toLocaleString()} znodes up to zxid {s.lastZxid}, a copy on every member.{' '}
      {s.readOnly ? 'Read-only: the lab writes nothing to it.' : 'Writes change the copy, never the original.'}
    </Alert>
  );
}

// Opening a production dataDir from the Cluster view's launcher (datadir.open): a path, how many
// members, read-only or not; while it works, the bytes copied and read and the znodes loaded (the
// backend's progress pushes); once open, a line saying where the lab's data came from.
import { Alert, Button, Card, Group, Progress, SegmentedControl, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { LabView } from '../shared/contract';
import { progressText, useTranslation } from './i18n';
import type { ViewProps } from './views';

export function OpenDataDir({ lab, progress, run, busy, setBusy }: Pick<ViewProps, 'lab' | 'progress' | 'run'> & { busy: boolean; setBusy: (b: boolean) => void }) {
  const { t } = useTranslation();
  const [path, setPath] = useState('');
  const [nodes, setNodes] = useState('1');
  const [readOnly, setReadOnly] = useState(true);
  const [opening, setOpening] = useState(false);
  const open = async (): Promise<void> => {
    setBusy(true);
    setOpening(true);
    await run(
      lab.call({ method: 'datadir.open', path: path.trim(), nodes: readOnly ? 1 : (Number(nodes) as 1 | 3 | 5 | 7), readOnly }),
      t('datadir.opened', { path: path.trim() }),
    );
    setOpening(false);
    setBusy(false);
  };
  return (
    <Card withBorder w={620} data-testid="open-datadir">
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {t('datadir.title')}
        </Text>
        <Text size="xs" c="dimmed">
          {t('datadir.intro')}
        </Text>
        <Group align="end">
          <TextInput label={t('datadir.path')} placeholder="/var/lib/zookeeper" value={path} onChange={(e) => setPath(e.currentTarget.value)} w={300} disabled={busy} data-testid="datadir-path" />
          <Stack gap={2}>
            <Text size="sm">{t('datadir.members')}</Text>
            <SegmentedControl size="xs" value={readOnly ? '1' : nodes} onChange={setNodes} data={['1', '3', '5']} disabled={busy || readOnly} data-testid="datadir-nodes" />
          </Stack>
          <Button variant="light" onClick={open} disabled={path.trim() === '' || busy} loading={opening} data-testid="datadir-open">
            {t('datadir.open')}
          </Button>
        </Group>
        <Switch checked={readOnly} onChange={(e) => setReadOnly(e.currentTarget.checked)} disabled={busy} label={t('datadir.readOnly')} data-testid="datadir-read-only" />
        {opening && progress && (
          <Stack gap={4} data-testid="datadir-progress">
            <Text size="xs">{progressText(progress)}</Text>
            <Progress value={progress.bytesTotal ? (100 * (progress.bytesDone ?? 0)) / Math.max(1, progress.bytesTotal) : (100 * progress.done) / Math.max(1, progress.total)} animated />
            {progress.bytesTotal !== undefined && (
              <Text size="xs" c="dimmed">
                {t(progress.znodes ? 'datadir.bytesZnodes' : 'datadir.bytes', { done: progress.bytesDone ?? 0, total: progress.bytesTotal, znodes: progress.znodes ?? 0 })}
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
  const { t } = useTranslation();
  if (!view.source) return null;
  const s = view.source;
  return (
    <Alert color={s.readOnly ? 'gray' : 'blue'} variant="light" data-testid="source-banner">
      {t('datadir.source', { path: s.path, znodes: s.znodes, zxid: s.lastZxid })} {t(s.readOnly ? 'datadir.sourceReadOnly' : 'datadir.sourceWritable')}
    </Alert>
  );
}

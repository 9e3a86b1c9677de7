// Attach, on the first screen: a connect string with optional digest auth and a read-only switch
// (on by default: the lab writes nothing to an ensemble it did not start unless told), and the
// saved connections, remembered by the backend across restarts (connections.json in the labs
// folder; the passwords never come back to the page).
import { Badge, Button, Group, PasswordInput, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { SavedConnection } from '../shared/contract';
import { useTranslation } from './i18n';
import type { ViewProps } from './views';

export function AttachForm({ lab, run, busy }: Pick<ViewProps, 'lab' | 'run'> & { busy: boolean }) {
  const { t } = useTranslation();
  const [connectString, setConnectString] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [readOnly, setReadOnly] = useState(true);
  const [name, setName] = useState('');
  const [saved, setSaved] = useState<SavedConnection[]>([]);
  useEffect(() => {
    void lab.call({ method: 'connections.list' }).then(setSaved, () => {});
  }, [lab]);
  const auth = user === '' ? [] : [{ user, password }];
  const save = (): Promise<void> =>
    run(
      lab.call({ method: 'connections.save', name, connectString, auth, readOnly }).then((list) => {
        setSaved(list);
        setName('');
      }),
      t('attach.saved', { name }),
    );
  const forget = (n: string): Promise<void> => run(lab.call({ method: 'connections.forget', name: n }).then(setSaved), t('attach.forgot', { name: n }));

  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed" mt="lg">
        {t('attach.intro')}
      </Text>
      {saved.length > 0 && (
        <Table withTableBorder w={720} data-testid="saved-connections">
          <Table.Tbody>
            {saved.map((c) => (
              <Table.Tr key={c.name} data-testid={`saved-${c.name}`}>
                <Table.Td fw={700}>{c.name}</Table.Td>
                <Table.Td ff="monospace">{c.connectString}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {c.users.map((u) => (
                      <Badge key={u} size="sm" variant="light">
                        {t('attach.digestUser', { user: u })}
                      </Badge>
                    ))}
                    <Badge size="sm" variant="outline" color={c.readOnly ? 'gray' : 'orange'}>
                      {c.readOnly ? t('attach.readOnlyBadge') : t('attach.writesBadge')}
                    </Badge>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-sm" variant="light" disabled={busy} onClick={() => void run(lab.call({ method: 'attach', connectString: c.connectString, saved: c.name }))} data-testid={`saved-attach-${c.name}`}>
                      {t('attach.attach')}
                    </Button>
                    <Button size="compact-sm" variant="subtle" color="red" onClick={() => void forget(c.name)} data-testid={`saved-forget-${c.name}`}>
                      {t('attach.forget')}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group align="end">
        <TextInput label={t('attach.connectString')} placeholder="127.0.0.1:2181,127.0.0.1:2182" value={connectString} onChange={(e) => setConnectString(e.currentTarget.value)} w={320} data-testid="connect-string" disabled={busy} />
        <TextInput label={t('attach.user')} value={user} onChange={(e) => setUser(e.currentTarget.value)} w={150} data-testid="attach-user" disabled={busy} />
        <PasswordInput label={t('attach.password')} value={password} onChange={(e) => setPassword(e.currentTarget.value)} w={150} data-testid="attach-password" disabled={busy} />
        <Button variant="light" onClick={() => run(lab.call({ method: 'attach', connectString, auth, readOnly }))} disabled={connectString.trim() === '' || busy} data-testid="attach">
          {t('attach.attach')}
        </Button>
      </Group>
      <Switch checked={readOnly} onChange={(e) => setReadOnly(e.currentTarget.checked)} label={t('attach.readOnly')} data-testid="attach-read-only" />
      <Group align="end">
        <TextInput label={t('attach.saveAs')} placeholder="staging" value={name} onChange={(e) => setName(e.currentTarget.value)} w={200} data-testid="connection-name" />
        <Button variant="subtle" disabled={name.trim() === '' || connectString.trim() === ''} onClick={() => void save()} data-testid="connection-save">
          {t('attach.save')}
        </Button>
      </Group>
    </Stack>
  );
}

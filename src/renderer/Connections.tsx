// Attach, on the first screen: a connect string with optional digest auth and a read-only switch
// (on by default: the lab writes nothing to an ensemble it did not start unless told), and the
// saved connections, remembered by the backend across restarts (connections.json in the labs
// folder; the passwords never come back to the page).
import { Alert, Badge, Button, Group, PasswordInput, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { SavedConnection } from '../shared/contract';
import { LAST_LAB_KEY, parseLastLab, type LastLab } from '../shared/last-lab';
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

/**
 * The ensemble the lab was attached to when it was last used (src/shared/last-lab.ts), offered
 * again at start: Attach again (by its saved name, else its connect string, with the password of
 * each digest user typed again, since none is kept), or Dismiss, which forgets it.
 */
export function LastAttachOffer({ lab, run, busy }: Pick<ViewProps, 'lab' | 'run'> & { busy: boolean }) {
  const { t } = useTranslation();
  // undefined until the backend answered (a test tells "nothing to offer" from "not read yet").
  const [last, setLast] = useState<Extract<LastLab, { kind: 'attach' }> | null | undefined>(undefined);
  const [passwords, setPasswords] = useState<Record<string, string>>({});
  // Read fresh, not from the settings read at page load: a detach since then forgot it.
  useEffect(() => {
    void lab.call({ method: 'ui.settings' }).then((s) => {
      const l = parseLastLab(s[LAST_LAB_KEY]);
      setLast(l?.kind === 'attach' ? l : null);
    }, () => setLast(null));
  }, [lab]);
  if (last === undefined) return null;
  if (last === null) return <div data-testid="last-attach-none" hidden />;
  const again = (): Promise<void> =>
    run(
      last.saved !== null
        ? lab.call({ method: 'attach', connectString: last.connectString, saved: last.saved })
        : lab.call({ method: 'attach', connectString: last.connectString, readOnly: last.readOnly, auth: last.users.map((user) => ({ user, password: passwords[user] ?? '' })) }),
    );
  const dismiss = (): void => {
    setLast(null);
    void lab.call({ method: 'ui.setting', key: LAST_LAB_KEY, value: null }).catch(() => {});
  };
  return (
    <Alert color="blue" w={720} title={t('attach.lastTitle')} data-testid="last-attach">
      <Stack gap="xs">
        <Text size="sm">
          {last.saved !== null ? t('attach.lastSaved', { name: last.saved, connectString: last.connectString }) : t('attach.lastText', { connectString: last.connectString })}
          {' · '}
          {t(last.readOnly ? 'attach.readOnlyBadge' : 'attach.writesBadge')}
        </Text>
        {last.saved === null &&
          last.users.map((user) => (
            <PasswordInput
              key={user}
              label={t('attach.lastPassword', { user })}
              value={passwords[user] ?? ''}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setPasswords((p) => ({ ...p, [user]: v }));
              }}
              w={260}
              data-testid={`last-attach-password-${user}`}
            />
          ))}
        <Group gap="xs">
          <Button size="compact-sm" disabled={busy} onClick={() => void again()} data-testid="last-attach-again">
            {t('attach.lastAgain')}
          </Button>
          <Button size="compact-sm" variant="subtle" color="gray" onClick={dismiss} data-testid="last-attach-dismiss">
            {t('attach.lastDismiss')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

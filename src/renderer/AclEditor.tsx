// The Tree explorer's ACL editor and the lab's session auth. The ACL is a list of rows (scheme,
// id, cdrwa checkboxes); a digest helper turns user:password into the digest scheme's id; the ACL
// is set with the aclVersion it was read at (a stale one is BadVersion), or over the whole subtree
// with progress. The auth card adds `addauth digest` to the lab's sessions and shows the
// identities the server holds for them.
import { ActionIcon, Button, Card, Checkbox, Group, NumberInput, PasswordInput, Progress, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { AclRow as AclEntry, AclProgress, Identity } from '../shared/contract';
import type { LabApi } from '../shared/api';
import { errorText } from './i18n';

/** cdrwa in zkCli's order, with ZooKeeper's bits. */
const PERMS: [string, number, string][] = [
  ['c', 4, 'create children'],
  ['d', 8, 'delete children'],
  ['r', 1, 'read data and children'],
  ['w', 2, 'write data'],
  ['a', 16, 'change the ACL'],
];
/** x509 ids come from a client certificate: shown, kept as they are, not edited here. */
const SCHEMES = ['world', 'auth', 'digest', 'ip'];

export function permLetters(p: number): string {
  return PERMS.filter(([, bit]) => p & bit)
    .map(([l]) => l)
    .join('');
}

export function AclEditor(props: {
  lab: LabApi;
  path: string;
  acl: AclEntry[];
  aversion: number;
  through: number | null;
  readOnly: boolean;
  onDone: (message: string) => void;
  onError: (message: string) => void;
}) {
  const { lab, path, acl, aversion, through, readOnly, onDone, onError } = props;
  const [rows, setRows] = useState<AclEntry[]>(acl);
  const [version, setVersion] = useState<number | string>(aversion);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<AclProgress | null>(null);
  // The znode read again (another path, a new aclVersion): the editor shows what the server has.
  const key = `${path}|${aversion}|${JSON.stringify(acl)}`;
  useEffect(() => {
    setRows(acl);
    setVersion(aversion);
  }, [key]);
  useEffect(() => lab.onPush((p) => p.kind === 'tree.progress' && setProgress(p.progress)), [lab]);

  const change = (i: number, patch: Partial<AclEntry>): void => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const apply = async (recursive: boolean): Promise<void> => {
    if (recursive && !window.confirm(`Set this ACL on ${path} and every znode under it?`)) return;
    setBusy(true);
    try {
      const r = await lab.call({ method: 'tree.setAcl', path, acl: rows, version: Number(version), recursive, through });
      onDone(recursive ? `set the ACL of ${r.count} znodes under ${path} (${path} is at aclVersion ${r.aversion})` : `set the ACL of ${path} (aclVersion ${r.aversion})`);
    } catch (e) {
      onError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const addDigest = async (): Promise<void> => {
    try {
      const { id } = await lab.call({ method: 'tree.digest', user, password });
      setRows((rs) => [...rs, { scheme: 'digest', id, perms: 31 }]);
      setPassword('');
    } catch (e) {
      onError(errorText(e));
    }
  };

  return (
    <Card withBorder data-testid="acl-editor">
      <Title order={6}>ACL of {path}</Title>
      <Table data-testid="acl-rows">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>scheme</Table.Th>
            <Table.Th>id</Table.Th>
            {PERMS.map(([l, , what]) => (
              <Table.Th key={l} title={what}>
                {l}
              </Table.Th>
            ))}
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => {
            const fixed = readOnly || !SCHEMES.includes(r.scheme);
            return (
              <Table.Tr key={i} data-testid={`acl-row-${i}`} data-acl={`${r.scheme}:${r.id}:${permLetters(r.perms)}`}>
                <Table.Td>
                  {fixed ? (
                    <Text size="sm">{r.scheme}</Text>
                  ) : (
                    <Select
                      size="xs"
                      w={100}
                      value={r.scheme}
                      allowDeselect={false}
                      data={SCHEMES}
                      onChange={(v) => v && change(i, { scheme: v, id: v === 'world' ? 'anyone' : v === 'auth' ? '' : r.scheme === 'world' || r.scheme === 'auth' ? '' : r.id })}
                      data-testid={`acl-scheme-${i}`}
                      aria-label={`scheme of entry ${i + 1}`}
                    />
                  )}
                </Table.Td>
                <Table.Td>
                  <TextInput
                    size="xs"
                    miw={220}
                    value={r.id}
                    disabled={fixed || r.scheme === 'world' || r.scheme === 'auth'}
                    placeholder={r.scheme === 'auth' ? "the session's identities" : r.scheme === 'ip' ? '10.0.0.0/8' : 'user:base64 digest'}
                    onChange={(e) => change(i, { id: e.currentTarget.value })}
                    data-testid={`acl-id-${i}`}
                    aria-label={`id of entry ${i + 1}`}
                  />
                </Table.Td>
                {PERMS.map(([l, bit, what]) => (
                  <Table.Td key={l}>
                    <Checkbox
                      size="xs"
                      checked={(r.perms & bit) !== 0}
                      disabled={fixed}
                      onChange={(e) => change(i, { perms: e.currentTarget.checked ? r.perms | bit : r.perms & ~bit })}
                      aria-label={`${l}: ${what}, entry ${i + 1}`}
                      data-testid={`acl-perm-${i}-${l}`}
                    />
                  </Table.Td>
                ))}
                <Table.Td>
                  {!readOnly && (
                    <ActionIcon size="sm" variant="subtle" color="red" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))} aria-label={`remove entry ${i + 1}`} data-testid={`acl-remove-${i}`}>
                      ✕
                    </ActionIcon>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {!readOnly && (
        <Stack gap="xs">
          <Group align="end">
            <Button size="xs" variant="light" onClick={() => setRows((rs) => [...rs, { scheme: 'world', id: 'anyone', perms: 1 }])} data-testid="acl-add">
              Add entry
            </Button>
            <TextInput size="xs" label="digest helper: user" value={user} onChange={(e) => setUser(e.currentTarget.value)} data-testid="digest-user" />
            <PasswordInput size="xs" w={140} label="password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-testid="digest-password" />
            <Button size="xs" variant="light" disabled={user === ''} onClick={() => void addDigest()} data-testid="digest-add">
              Add as digest entry
            </Button>
          </Group>
          <Group align="end">
            <NumberInput size="xs" label="aclVersion (-1: any)" value={version} onChange={setVersion} w={150} data-testid="acl-version" />
            <Button size="xs" disabled={busy} onClick={() => void apply(false)} data-testid="acl-apply">
              Set ACL
            </Button>
            <Button size="xs" variant="light" disabled={busy} onClick={() => void apply(true)} data-testid="acl-apply-recursive">
              Set on {path} and everything under it
            </Button>
          </Group>
          {progress && progress.path === path && (
            <Stack gap={2} data-testid="acl-progress">
              <Text size="xs">{progress.step === 'listing' ? `listing the subtree: ${progress.total} znodes found so far` : `setting the ACL: ${progress.done} of ${progress.total} znodes`}</Text>
              <Progress value={progress.step === 'listing' ? 0 : (100 * progress.done) / Math.max(1, progress.total)} size="sm" />
            </Stack>
          )}
        </Stack>
      )}
    </Card>
  );
}

/** The lab's session: the identities the server holds for it, and addauth digest. */
export function SessionAuth(props: { lab: LabApi; through: number | null; onAdded: (message: string) => void; onError: (message: string) => void }) {
  const { lab, through, onAdded, onError } = props;
  const [ids, setIds] = useState<Identity[] | null>(null);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  useEffect(() => {
    let live = true;
    lab.call({ method: 'tree.identities', through }).then(
      (r) => live && setIds(r),
      () => live && setIds(null),
    );
    return () => {
      live = false;
    };
  }, [lab, through]);
  const add = async (): Promise<void> => {
    try {
      setIds(await lab.call({ method: 'tree.addAuth', user, password, through }));
      onAdded(`addauth digest ${user}: the lab's session now holds digest:${user}`);
      setPassword('');
    } catch (e) {
      onError(errorText(e));
    }
  };
  return (
    <Card withBorder data-testid="session-auth">
      <Title order={6}>The lab's session</Title>
      <Text size="sm" data-testid="identities">
        identities: {ids === null ? 'unknown (no session yet)' : ids.map((i) => `${i.scheme}:${i.id}`).join(', ') || 'none'}
      </Text>
      <Group align="end" mt="xs">
        <TextInput size="xs" label="addauth digest: user" value={user} onChange={(e) => setUser(e.currentTarget.value)} data-testid="auth-user" />
        <PasswordInput size="xs" w={140} label="password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-testid="auth-password" />
        <Button size="xs" variant="light" disabled={user === ''} onClick={() => void add()} data-testid="auth-add">
          addauth
        </Button>
      </Group>
    </Card>
  );
}

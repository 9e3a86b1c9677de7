import { Alert, Button, Card, Checkbox, Code, Grid, Group, NumberInput, SegmentedControl, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { NodeDetails } from '../shared/api';
import type { LabApi, LabView } from '../shared/contract';
import { AclEditor, SessionAuth } from './AclEditor';
import { errorText, locale, t as tr, useTranslation } from './i18n';
import { takeZnodeRequests } from './navigate';
import { useSetting } from './persist';
import { KindBadges, TreeList, joinPath } from './TreeList';
import { TreeSearch, TreeTransfer } from './TreeTools';
import { TreeSizes } from './TreeSizes';

/** How long a notice of the view stays (an error stays until closed). */
const NOTICE_MS = 8000;

/** "9 min 32 s" */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? tr('tree.minSec', { min: Math.floor(s / 60), sec: s % 60 }) : tr('tree.sec', { sec: s });
}

/**
 * A TTL znode's remaining time: ZooKeeper removes it once it has no children and its mtime is
 * older than its TTL, at the leader's next container check (so it may outlive this a little).
 */
function TtlLeft({ mtime, ttlMs, children }: { mtime: number; ttlMs: number; children: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = mtime + ttlMs - now;
  return (
    <Text size="sm" data-testid="ttl-left">
      {tr('tree.ttl', { ttl: duration(ttlMs) })}{' '}
      {children > 0 ? tr('tree.ttlKept') : left > 0 ? tr('tree.ttlLeft', { left: duration(left), at: new Date(mtime + ttlMs).toLocaleTimeString(locale()) }) : tr('tree.ttlExpired')}
    </Text>
  );
}
const MODES = ['persistent', 'persistent-sequential', 'ephemeral', 'ephemeral-sequential', 'container', 'ttl'] as const;

const join = joinPath;

function perms(p: number): string {
  return `${p & 4 ? 'c' : ''}${p & 8 ? 'd' : ''}${p & 1 ? 'r' : ''}${p & 2 ? 'w' : ''}${p & 16 ? 'a' : ''}`;
}

function bytesOf(b64: string | null): Uint8Array {
  if (b64 === null) return new Uint8Array();
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function hexDump(b: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    const row = b.slice(i, i + 16);
    const hex = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const asc = [...row].map((x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${asc}`);
  }
  return lines.join('\n');
}

async function gunzip(b: Uint8Array): Promise<string> {
  const stream = new Blob([b as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/** The data viewers: text, JSON pretty-printed, hex dump, base64, gzip detected and inflated. */
function DataView({ data }: { data: string | null }) {
  const bytes = bytesOf(data);
  const isGzip = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = new TextDecoder().decode(bytes);
  let json: string | null = null;
  try {
    json = text.trim() ? JSON.stringify(JSON.parse(text), null, 2) : null;
  } catch {
    json = null;
  }
  const [view, setView] = useState<string>(isGzip ? 'gzip' : json ? 'json' : 'text');
  const [inflated, setInflated] = useState<string>('');
  useEffect(() => {
    if (isGzip) void gunzip(bytes).then(setInflated, (e: Error) => setInflated(`not valid gzip: ${e.message}`));
  }, [data]);
  const shown = data === null ? '(null)' : view === 'hex' ? hexDump(bytes) : view === 'base64' ? data : view === 'json' ? (json ?? 'not JSON') : view === 'gzip' ? inflated : text;
  return (
    <Stack gap="xs">
      <SegmentedControl
        size="xs"
        value={view}
        onChange={setView}
        data={[
          { value: 'text', label: 'Text' },
          { value: 'json', label: 'JSON', disabled: !json },
          { value: 'hex', label: 'Hex' },
          { value: 'base64', label: 'Base64' },
          { value: 'gzip', label: 'Gzip', disabled: !isGzip },
        ]}
        data-testid="data-view"
      />
      <Code block data-testid="data" style={{ maxHeight: 220, overflow: 'auto', whiteSpace: 'pre-wrap' }}>
        {shown}
      </Code>
    </Stack>
  );
}

/** Lazy tree, node details, create/set/delete, and read-through-a-chosen-member. */
export function TreeExplorer({ lab, view }: { lab: LabApi; view: LabView | null }) {
  const { t } = useTranslation();
  const [through, setThrough] = useSetting('tree.through', 'all');
  const [selected, setSelected] = useState('/');
  const [details, setDetails] = useState<NodeDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [newData, setNewData] = useState('');
  const [expected, setExpected] = useState<number | string>(-1);
  const [childName, setChildName] = useState('');
  const [childData, setChildData] = useState('');
  const [mode, setMode] = useState<string>('persistent');
  // In minutes: a TTL of seconds removes the znode before a person has looked at it.
  const [ttl, setTtl] = useState<number | string>(10);
  const [recursive, setRecursive] = useState(false);
  const [readOnly, setReadOnly] = useState((view?.attached ? !view.attachedWrites : view?.source?.readOnly) ?? false);
  // A member remembered from another lab that this one does not have: read through the ensemble.
  const known = through !== 'all' && (view?.nodes.some((n) => String(n.myid) === through) ?? false);
  const thr = known ? Number(through) : null;

  const refresh = useCallback(async () => {
    try {
      const d = await lab.call({ method: 'tree.node', path: selected, through: thr });
      setDetails(d);
      setNewData(new TextDecoder().decode(bytesOf(d.data)));
      setExpected(Number(d.stat.version));
      setError(null);
    } catch (e) {
      setDetails(null);
      setError(errorText(e));
    }
  }, [lab, selected, thr]);
  useEffect(() => {
    void refresh();
  }, [refresh, version]);
  // The selected znode changed under us (another client, a member catching up): show it.
  useEffect(() => lab.onPush((p) => void (p.kind === 'tree.changed' && p.what === 'data' && p.path === selected && refresh())), [lab, selected, refresh]);
  const [reveal, setReveal] = useState<string | null>(null);
  // "Go to znode …" from the command palette.
  useEffect(
    () =>
      takeZnodeRequests((p) => {
        setSelected(p);
        setReveal(p);
      }),
    [],
  );
  // A notice goes after a while, and when the person selects another znode.
  useEffect(() => {
    if (notice === null) return;
    const t = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);

  if (!view) return <Text>{t('tree.noLab')}</Text>;
  const act = async (p: Promise<unknown>, done: string | (() => string)): Promise<void> => {
    setError(null);
    try {
      await p;
      setNotice(typeof done === 'string' ? done : done());
      setVersion((v) => v + 1);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const s = details?.stat;
  const row = (k: string, v: string | number) => (
    <Table.Tr key={k}>
      <Table.Td>{k}</Table.Td>
      <Table.Td ff="monospace">{v}</Table.Td>
    </Table.Tr>
  );
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>{t('tree.title')}</Title>
        <Group>
          <Select
            label={t('tree.readThrough')}
            value={known ? through : 'all'}
            onChange={(v) => setThrough(v ?? 'all')}
            data={[{ value: 'all', label: t('tree.ensemble') }, ...view.nodes.map((n) => ({ value: String(n.myid), label: t('palette.who', { myid: n.myid, role: t(`role.${n.role}`) }) }))]}
            data-testid="read-through"
            allowDeselect={false}
            w={220}
          />
          <Button variant="light" mt={24} onClick={() => act(lab.call({ method: 'tree.sync', path: '/', through: thr }), through === 'all' ? t('tree.syncedAll') : t('tree.synced', { myid: through }))} data-testid="sync">
            {t('tree.sync')}
          </Button>
          <Checkbox mt={24} label={t('tree.readOnly')} checked={readOnly} onChange={(e) => {
              const on = e.currentTarget.checked;
              // An attached ensemble's writes are unlocked in the backend too, for this attach only.
              if (view?.attached) void lab.call({ method: 'attach.writes', on: !on }).then(() => setReadOnly(on), (err: Error) => setError(err.message));
              else setReadOnly(on);
            }} data-testid="read-only" />
        </Group>
      </Group>
      {error && (
        <Alert color="red" data-testid="tree-error" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {notice && !error && (
        <Text size="sm" c="teal" data-testid="tree-notice">
          {notice}
        </Text>
      )}
      <Grid>
        <Grid.Col span={4}>
          <Card withBorder>
            <TreeSearch
              lab={lab}
              through={thr}
              onFound={(p) => {
                setSelected(p);
                setReveal(p);
              }}
              onError={setError}
            />
            <TreeList lab={lab} through={thr} selected={selected}
              onSelect={(p) => {
                setSelected(p);
                setNotice(null);
              }}
              reveal={reveal} reloadKey={version} height={520} fresh={details ? { path: details.path, kind: details.kind ?? null } : null} />
          </Card>
        </Grid.Col>
        <Grid.Col span={8}>
          <Stack>
            <Group gap="xs">
              <Text fw={700} ff="monospace" data-testid="selected-path">
                {selected}
              </Text>
              {details?.path === selected && <KindBadges kind={details.kind} size="sm" />}
              <Button size="compact-xs" variant="subtle" onClick={() => void navigator.clipboard?.writeText(selected)}>
                {t('tree.copyPath')}
              </Button>
            </Group>
            {details?.kind?.mode === 'ttl' && details.kind.ttlMs !== null && s && <TtlLeft mtime={Number(s.mtime)} ttlMs={details.kind.ttlMs} children={Number(s.numChildren)} />}
            {details && <DataView key={`${details.path}-${s?.mzxid}`} data={details.data} />}
            {s && (
              <Table withTableBorder striped data-testid="stat" data-path={details?.path}>
                <Table.Tbody>
                  {row('czxid', `${s.czxid} (epoch ${s.czxidEpoch}, counter ${s.czxidCounter})`)}
                  {row('mzxid', `${s.mzxid} (epoch ${s.mzxidEpoch}, counter ${s.mzxidCounter})`)}
                  {row('pzxid', `${s.pzxid} (epoch ${s.pzxidEpoch}, counter ${s.pzxidCounter})`)}
                  {row('ctime', new Date(Number(s.ctime)).toLocaleString(locale()))}
                  {row('mtime', new Date(Number(s.mtime)).toLocaleString(locale()))}
                  {row('dataVersion', s.version!)}
                  {row('cversion', s.cversion!)}
                  {row('aclVersion', s.aversion!)}
                  {row('ephemeralOwner', s.ephemeralOwner!)}
                  {row('dataLength', s.dataLength!)}
                  {row('numChildren', s.numChildren!)}
                </Table.Tbody>
              </Table>
            )}
            {details && (
              <Text size="sm" ff="monospace" data-testid="acl">
                ACL: {details.acl.map((a) => `${a.scheme}:${a.id}:${perms(a.perms)}`).join(', ')}
              </Text>
            )}
            {!view.attached && (
              <TreeSizes
                lab={lab}
                through={thr}
                path={selected}
                reloadKey={version}
                onSelect={(p) => {
                  setSelected(p);
                  setReveal(p);
                }}
              />
            )}
            {details?.path === selected && s && (
              <AclEditor lab={lab} path={selected} acl={details.acl} aversion={Number(s.aversion)} through={thr} readOnly={readOnly} onDone={(m) => void act(Promise.resolve(), m)} onError={setError} />
            )}
            <SessionAuth lab={lab} through={thr} onAdded={(m) => void act(Promise.resolve(), m)} onError={setError} />
            {!readOnly && details && (
              <Card withBorder>
                <Title order={6}>{t('tree.setData')}</Title>
                <Textarea value={newData} onChange={(e) => setNewData(e.currentTarget.value)} autosize minRows={2} data-testid="set-data" />
                <Group mt="xs">
                  <NumberInput label={t('tree.expectedVersion')} value={expected} onChange={setExpected} w={200} data-testid="set-version" />
                  <Button mt={24} onClick={() => act(lab.call({ method: 'tree.set', path: selected, data: newData, version: Number(expected), through: thr }), t('tree.saved', { path: selected }))} data-testid="set">
                    {t('tree.save')}
                  </Button>
                </Group>
              </Card>
            )}
            {!readOnly && (
              <Card withBorder>
                <Title order={6}>{t('tree.createChild', { path: selected })}</Title>
                <Group align="end">
                  <TextInput label={t('tree.name')} value={childName} onChange={(e) => setChildName(e.currentTarget.value)} data-testid="child-name" />
                  <TextInput label={t('tree.data')} value={childData} onChange={(e) => setChildData(e.currentTarget.value)} data-testid="child-data" />
                  {/* A select that deselects on a second click would fall back to another mode. */}
                  <Select label={t('tree.mode')} value={mode} onChange={(v) => v !== null && setMode(v)} allowDeselect={false} data={[...MODES]} w={200} data-testid="child-mode" />
                  {mode === 'ttl' && <NumberInput label={t('tree.ttlMinutes')} value={ttl} onChange={setTtl} min={0.1} decimalScale={2} w={120} data-testid="child-ttl" />}
                  <Button
                    onClick={() => {
                      const ttlMs = Math.round(Number(ttl) * 60_000);
                      if (mode === 'ttl' && !(ttlMs > 0)) {
                        setError(t('tree.ttlNeeded'));
                        return;
                      }
                      let made = '';
                      void act(
                        lab.call({ method: 'tree.create', path: join(selected, childName), data: childData, mode: mode as (typeof MODES)[number], ttlMs: mode === 'ttl' ? ttlMs : undefined, through: thr }).then((p) => {
                          made = String(p);
                          // The new child is selected and shown in the tree (its parent opened),
                          // and the form is ready for the next one.
                          setSelected(made);
                          setReveal(made);
                          setChildName('');
                          setChildData('');
                        }),
                        () => t('tree.created', { path: made, mode }),
                      );
                    }}
                    data-testid="create"
                  >
                    {t('tree.create')}
                  </Button>
                </Group>
              </Card>
            )}
            <TreeTransfer
              lab={lab}
              through={thr}
              selected={selected}
              readOnly={readOnly}
              onImported={(msg) => {
                setNotice(msg);
                setVersion((v) => v + 1);
              }}
              onError={setError}
            />
            {!readOnly && selected !== '/' && (
              <Group>
                <Checkbox label={t('tree.withChildren')} checked={recursive} onChange={(e) => setRecursive(e.currentTarget.checked)} />
                <Button
                  color="red"
                  variant="light"
                  onClick={() => {
                    if (window.confirm(recursive ? t('tree.confirmDeleteAll', { path: selected }) : t('tree.confirmDelete', { path: selected }))) {
                      const parent = selected.slice(0, selected.lastIndexOf('/')) || '/';
                      void act(lab.call({ method: 'tree.delete', path: selected, version: recursive ? -1 : Number(expected), recursive, through: thr }).then(() => setSelected(parent)), t('tree.deleted', { path: selected }));
                    }
                  }}
                  data-testid="delete"
                >
                  {t('tree.delete')}
                </Button>
              </Group>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

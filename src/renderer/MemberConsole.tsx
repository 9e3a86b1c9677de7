// The member console: pick a member and a four-letter word or AdminServer command, send it, and
// read the answer as the member gave it; each command's documentation (after ZooKeeper's
// administrator's guide, in our words) is one click away. Our members, Apache's and an attached
// ensemble's (four-letter words only) alike: the backend sends it (the `member.command` request).
import { ActionIcon, Alert, Badge, Button, Card, Code, Group, ScrollArea, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { MemberAnswer } from '../shared/api';
import { consoleCommand, CONSOLE_COMMANDS, type ConsoleKind } from '../shared/console-commands';
import { errorText, useTranslation } from './i18n';
import { takeConsoleRequests } from './navigate';
import { useSetting } from './persist';
import type { ViewProps } from './views';

const KINDS: ConsoleKind[] = ['4lw', 'admin'];
const isKind = (v: unknown): v is ConsoleKind => v === '4lw' || v === 'admin';

export function MemberConsole({ lab, view }: ViewProps) {
  const { t, i18n } = useTranslation();
  const [myid, setMyid] = useState<string>('');
  const [kind, setKind] = useSetting<ConsoleKind>('console.kind', '4lw', isKind);
  const [command, setCommand] = useState<Record<ConsoleKind, string>>({ '4lw': 'srvr', admin: 'zabstate' });
  const [docs, setDocs] = useState(false);
  const [answer, setAnswer] = useState<MemberAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const ask = async (to: number, k: ConsoleKind, cmd: string): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(await lab.call({ method: 'member.command', myid: to, kind: k, command: cmd }));
    } catch (e) {
      setAnswer(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  // The palette's "Open node N's member console" and "Send srvr to node N".
  useEffect(
    () =>
      takeConsoleRequests((r) => {
        setMyid(String(r.myid));
        setKind(r.kind);
        if (r.command === null) return;
        const picked = r.command;
        setCommand((c) => ({ ...c, [r.kind]: picked }));
        if (r.send) void ask(r.myid, r.kind, picked);
      }),
    // ask and setKind only read what the request gives.
    [lab],
  );
  if (!view) return <Text>{t('console.noLab')}</Text>;
  const member = view.nodes.some((n) => String(n.myid) === myid) ? myid : String(view.nodes[0]?.myid ?? '');
  const name = command[kind];
  const spec = consoleCommand(kind, name);
  const adminUnknown = kind === 'admin' && view.attached;
  const doc = spec ? (i18n.language === 'zh' ? spec.zh : spec.en) : '';

  const send = (): Promise<void> => ask(Number(member), kind, name);

  return (
    <Stack data-testid="console">
      <div>
        <Title order={3}>{t('console.title')}</Title>
        <Text size="sm" c="dimmed" maw={780}>
          {t('console.intro')}
        </Text>
      </div>
      <Card withBorder>
        <Stack gap="sm">
          <Group align="flex-end" gap="md">
            <div>
              <Text size="xs" fw={500} mb={2}>
                {t('console.member')}
              </Text>
              <SegmentedControl value={member} onChange={setMyid} data={view.nodes.map((n) => ({ value: String(n.myid), label: t('console.node', { myid: n.myid, role: t(`role.${n.role}`) }) }))} data-testid="console-member" />
            </div>
            <div>
              <Text size="xs" fw={500} mb={2}>
                {t('console.kind')}
              </Text>
              <SegmentedControl value={kind} onChange={(v) => isKind(v) && setKind(v)} data={KINDS.map((k) => ({ value: k, label: k === '4lw' ? t('console.kind4lw') : t('console.kindAdmin') }))} data-testid="console-kind" />
            </div>
            <Group gap={4} align="flex-end">
              <Select
                label={t('console.command')}
                value={name}
                onChange={(v) => v && setCommand((c) => ({ ...c, [kind]: v }))}
                data={CONSOLE_COMMANDS.filter((c) => c.kind === kind).map((c) => ({ value: c.name, label: c.resets ? t('console.resets', { name: c.name }) : c.name }))}
                allowDeselect={false}
                searchable
                w={260}
                styles={{ input: { fontFamily: 'monospace' } }}
                data-testid="console-command"
              />
              <ActionIcon size="lg" variant={docs ? 'filled' : 'light'} onClick={() => setDocs((d) => !d)} aria-label={t('console.docsAria', { name })} aria-pressed={docs} data-testid="console-docs-toggle">
                ?
              </ActionIcon>
            </Group>
            <Button onClick={() => void send()} loading={busy} disabled={member === '' || adminUnknown} color={spec?.resets ? 'orange' : undefined} data-testid="console-send">
              {spec?.resets ? t('console.sendReset', { name }) : t('console.send', { name })}
            </Button>
          </Group>
          {docs && spec && (
            <Alert variant="light" color="blue" title={kind === '4lw' ? t('console.docTitle4lw', { name }) : t('console.docTitleAdmin', { name })} data-testid="console-docs">
              {doc}
              {spec.resets ? ` ${t('console.resetsNote')}` : ''}
            </Alert>
          )}
          {adminUnknown && (
            <Text size="xs" c="dimmed">
              {t('console.attachedAdmin')}
            </Text>
          )}
        </Stack>
      </Card>
      {error && (
        <Alert color="red" title={t('shell.didNotWork')} withCloseButton onClose={() => setError(null)} data-testid="console-error">
          {error}
        </Alert>
      )}
      {answer && (
        <Card withBorder data-testid="console-answer" data-command={answer.command} data-myid={answer.myid} data-ok={answer.ok}>
          <Group justify="space-between" mb="xs">
            <Group gap="xs">
              <Badge color={answer.ok ? 'teal' : 'red'} variant="light">
                {answer.ok ? t('console.answered') : t('console.failed')}
              </Badge>
              <Text size="sm" fw={600}>
                {t('console.answerOf', { name: answer.command, myid: answer.myid })}
              </Text>
            </Group>
            <Text size="xs" c="dimmed" ff="monospace">
              {answer.sentTo}
              {answer.status !== null ? ` · HTTP ${answer.status}` : ''} · {t('console.ms', { ms: answer.ms })}
            </Text>
          </Group>
          <ScrollArea.Autosize mah={520}>
            <Code block data-testid="console-text">
              {answer.text === '' ? t('console.empty') : answer.text}
            </Code>
          </ScrollArea.Autosize>
        </Card>
      )}
    </Stack>
  );
}

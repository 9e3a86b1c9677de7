// The desktop conventions around the views: the command palette (Mantine Spotlight), the
// notifications panel, and the theme switch (light, dark, or the system's; Mantine keeps the
// choice in localStorage).
import { ActionIcon, Badge, Button, Drawer, Group, Indicator, Kbd, SegmentedControl, Stack, Text, Tooltip, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { Spotlight, spotlight } from '@mantine/spotlight';
import { useEffect, useMemo, useState } from 'react';
import { buildCommands, matches, PALETTE_SHORTCUTS, type CommandDeps } from './commands';
import { clearNotes, noteHistory, onNotes, type Note } from './notify';
import { locale, setLanguage, useTranslation, type LanguageChoice } from './i18n';
import { useSetting } from './persist';

export function Palette(props: Omit<CommandDeps, 'theme'>) {
  const { t, i18n } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();
  const [query, setQuery] = useState('');
  const commands = useMemo(() => buildCommands({ ...props, theme: setColorScheme }, query), [props, query, setColorScheme, i18n.language]);
  const shown = commands.filter((c) => matches(c, query) || c.id === 'znode');
  const groups = [...new Set(shown.map((c) => c.group))];
  return (
    <Spotlight.Root query={query} onQueryChange={setQuery} shortcut={PALETTE_SHORTCUTS} scrollable maxHeight={520}>
      <Spotlight.Search placeholder={t('palette.placeholder')} aria-label={t('palette.aria')} data-testid="palette-search" />
      <Spotlight.ActionsList data-testid="palette-list">
        {shown.length === 0 && <Spotlight.Empty>{t('palette.empty')}</Spotlight.Empty>}
        {groups.map((g) => (
          <Spotlight.ActionsGroup key={g} label={g}>
            {shown
              .filter((c) => c.group === g)
              .map((c) => (
                <Spotlight.Action
                  key={c.id}
                  label={c.label}
                  disabled={c.run === null}
                  onClick={() => c.run?.()}
                  rightSection={c.shortcut ? <Kbd size="xs">{c.shortcut}</Kbd> : undefined}
                  data-testid="palette-action"
                  data-command={c.id}
                />
              ))}
          </Spotlight.ActionsGroup>
        ))}
      </Spotlight.ActionsList>
    </Spotlight.Root>
  );
}

/** The navbar's row: open the palette, the theme, and the notifications bell. */
export function DesktopBar({ onBell }: { onBell: () => void }) {
  const { t } = useTranslation();
  const [language, setLanguageChoice] = useSetting<LanguageChoice>('language', 'system', (v): v is LanguageChoice => v === 'en' || v === 'zh' || v === 'system');
  useEffect(() => setLanguage(language), [language]);
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const [notes, setNotes] = useState<Note[]>(noteHistory);
  const [seen, setSeen] = useState(notes[0]?.id ?? 0);
  useEffect(() => onNotes(setNotes), []);
  const unseen = notes.filter((n) => n.id > seen).length;
  return (
    <Stack gap={6} mb="sm">
      <Button size="compact-xs" variant="default" onClick={() => spotlight.open()} rightSection={<Kbd size="xs">Ctrl K</Kbd>} data-testid="palette-open" aria-label={t('shell.openPalette')}>
        {t('shell.commands')}
      </Button>
      <Group gap={6} wrap="nowrap">
        <SegmentedControl
          size="xs"
          value={colorScheme}
          onChange={(v) => setColorScheme(v as MantineColorScheme)}
          data={[
            { value: 'light', label: t('shell.light') },
            { value: 'dark', label: t('shell.dark') },
            { value: 'auto', label: t('shell.system') },
          ]}
          aria-label={t('shell.theme')}
          data-testid="theme"
        />
        <Tooltip label={t('shell.notifications')}>
          <Indicator disabled={unseen === 0} label={unseen} size={14} color="red">
            <ActionIcon
              variant="default"
              onClick={() => {
                setSeen(notes[0]?.id ?? 0);
                onBell();
              }}
              aria-label={unseen > 0 ? t('shell.notificationsNew', { count: unseen }) : t('shell.notifications')}
              data-testid="notifications-open"
            >
              {/* A bell, drawn (an emoji needs a font the machine may not have). */}
              <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
                <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
                <path d="M13.73 21a2 2 0 0 1-3.46 0" />
              </svg>
            </ActionIcon>
          </Indicator>
        </Tooltip>
      </Group>
      <SegmentedControl
        size="xs"
        value={language}
        onChange={(v) => setLanguageChoice(v as LanguageChoice)}
        data={[
          { value: 'en', label: 'English' },
          { value: 'zh', label: '中文' },
          { value: 'system', label: t('shell.system') },
        ]}
        aria-label={t('shell.language')}
        data-testid="language"
      />
    </Stack>
  );
}

/** Every notification the lab showed, newest first (kept across restarts). */
export function NotificationsPanel({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [notes, setNotes] = useState<Note[]>(noteHistory);
  useEffect(() => onNotes(setNotes), []);
  return (
    <Drawer opened={opened} onClose={onClose} position="right" title={t('shell.notifications')} data-testid="notifications-panel">
      <Stack gap="xs">
        {notes.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('shell.noNotifications')}
          </Text>
        ) : (
          <>
            <Button size="compact-xs" variant="subtle" onClick={clearNotes} style={{ alignSelf: 'flex-end' }}>
              {t('shell.clearList')}
            </Button>
            {notes.map((n) => (
              <Stack key={n.id} gap={0} data-testid="notification-entry" data-kind={n.kind}>
                <Group gap={6}>
                  <Badge size="xs" color={n.kind === 'error' ? 'red' : n.kind === 'done' ? 'teal' : 'blue'}>
                    {{ done: t('shell.kindDone'), error: t('shell.kindError'), info: t('shell.kindInfo') }[n.kind]}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {new Date(n.time).toLocaleString(locale())}
                  </Text>
                </Group>
                <Text size="sm" fw={600}>
                  {n.title}
                </Text>
                {n.message && <Text size="xs">{n.message}</Text>}
              </Stack>
            ))}
          </>
        )}
      </Stack>
    </Drawer>
  );
}

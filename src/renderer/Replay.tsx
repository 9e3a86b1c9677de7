// The replay's two faces: the scrubber under the Timeline (drag, or ← → a second at a time,
// Shift for ten; Live returns to now), and the Cluster view as it was at that moment.
import { Alert, Badge, Button, Card, Group, SimpleGrid, Slider, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type { LabApi } from '../shared/contract';
import type { WireMessage } from '../shared/net';
import { clock, ROLE_CSS } from './format';
import { errorText, eventText, locale, useTranslation } from './i18n';
import { replayAt, replayedAt, stateAt, useReplay } from './replay';

/**
 * ← → move the replayed moment (when no input has the focus). The handler reads the moment and
 * the range when the key is pressed: an effect that re-subscribes after each render would run
 * after the page shows the new moment, and a key pressed in between moved from the old one
 * (a busy machine's e2e run went back to Live from a moment it had just shown).
 */
function useArrowKeys(start: number, end: number): void {
  const range = useRef({ start, end });
  range.current = { start, end };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable || t.getAttribute('role') === 'slider')) return;
      // The range ends now: the view's `end` is as of its last history load, which a busy backend
      // can leave seconds behind (a moment just before it would step straight to Live).
      const first = range.current.start;
      const last = Math.max(range.current.end, Date.now());
      const step = (e.shiftKey ? 10_000 : 1000) * (e.key === 'ArrowLeft' ? -1 : 1);
      const from = replayedAt() ?? last;
      const next = Math.min(last, Math.max(first, from + step));
      e.preventDefault();
      replayAt(next >= last ? null : next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function ReplayBar({ start, end }: { start: number; end: number }) {
  const { t } = useTranslation();
  const { at } = useReplay();
  useArrowKeys(start, end);
  // A moment just picked can lie past the view's `end` (as of its last history load, up to a
  // second old): the slider must not clamp it, which would move it to Live.
  const top = Math.max(end, at ?? end);
  return (
    <Card withBorder data-testid="replay-bar" data-at={at ?? ''}>
      <Group wrap="nowrap" gap="md">
        <Text size="sm" fw={700} w={170} data-testid="replay-when">
          {at === null ? t('timeline.live') : t('timeline.replaying', { time: clock(at) })}
        </Text>
        <Slider
          style={{ flex: 1 }}
          min={start}
          max={top}
          step={1000}
          value={at ?? top}
          onChange={(v) => replayAt(v >= top ? null : v)}
          label={(v) => clock(v)}
          aria-label={t('timeline.replayAria')}
          data-testid="replay-slider"
        />
        <Button size="compact-sm" variant={at === null ? 'filled' : 'light'} onClick={() => replayAt(null)} data-testid="replay-live">
          {t('timeline.live')}
        </Button>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        {t('timeline.replayHint')}
      </Text>
    </Card>
  );
}

/** The Cluster view at the replayed moment: one card per member, the faults in force, the events around. */
/** Scrolls a list so that its first row at or after the moment (data-after) is in the middle. */
function centre(box: HTMLElement | null): void {
  const row = box?.querySelector<HTMLElement>('[data-after="true"]');
  if (box && row) box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 2);
}

/** How far either side of the moment the Wire card reaches. */
const WIRE_SPAN_MS = 2000;

/** The messages between members captured around the moment (the capture is a ring in memory: a moment before it, or before the app started, has none). */
function WireThen({ lab, at }: { lab: LabApi; at: number }) {
  const { t } = useTranslation();
  const [got, setGot] = useState<{ at: number; messages: WireMessage[] } | { at: number; error: string } | null>(null);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => centre(list.current), [got]);
  useEffect(() => {
    let live = true;
    const wait = setTimeout(() => {
      lab.call({ method: 'wire.query', query: { afterSeq: 0, fromMs: at - WIRE_SPAN_MS, toMs: at + WIRE_SPAN_MS, types: null, members: null, zxid: null, limit: 300 } }).then(
        (c) => live && setGot({ at, messages: c.messages }),
        (e: Error) => live && setGot({ at, error: errorText(e) }),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(wait);
    };
  }, [lab, at]);
  return (
    <Card withBorder>
      <Title order={6}>{t('timeline.wireWithin', { s: WIRE_SPAN_MS / 1000 })}</Title>
      {got === null || got.at !== at ? (
        <Text size="xs" c="dimmed">
          {t('timeline.readingCapture')}
        </Text>
      ) : 'error' in got ? (
        <Text size="xs" c="red">
          {got.error}
        </Text>
      ) : got.messages.length === 0 ? (
        <Text size="xs" c="dimmed" data-testid="past-wire-empty">
          {t('timeline.nothingCaptured')}
        </Text>
      ) : (
        <Stack gap={0} mah={220} style={{ overflowY: 'auto', position: 'relative' }} data-testid="past-wire" ref={list}>
          {got.messages.map((m, i) => (
            <Text key={`${m.seq}-${m.status}`} size="xs" ff="monospace" c={m.time > at ? 'dimmed' : undefined} data-after={m.time >= at && (i === 0 || got.messages[i - 1]!.time < at) ? 'true' : undefined}>
              {clock(m.time)} {m.from}→{m.to} {m.type} {m.summary}
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}

export function PastCluster({ ids, lab }: { ids: number[]; lab: LabApi }) {
  const { t } = useTranslation();
  const { at, samples, events } = useReplay();
  const list = useRef<HTMLDivElement>(null);
  // The event list is centred on the moment (its first event at or after it).
  useEffect(() => centre(list.current), [at]);
  if (at === null) return null;
  const then = stateAt(samples, events, at);
  const byId = new Map(then.members.map((m) => [m.myid, m]));
  const roleName = (role: string): string => (role === 'unknown' ? t('timeline.unknown') : t(`role.${role}`));
  const all = [...new Set([...ids, ...then.members.map((m) => m.myid)])].sort((a, b) => a - b);
  return (
    <Stack gap="md" data-testid="past-cluster" data-at={at}>
      <Alert color="grape" title={t('timeline.replaying', { time: new Date(at).toLocaleString(locale()) })} data-testid="replay-banner">
        <Group justify="space-between">
          <Text size="sm">{t('timeline.pastHint')}</Text>
          <Button size="compact-sm" onClick={() => replayAt(null)} data-testid="replay-live-cluster">
            {t('timeline.backToLive')}
          </Button>
        </Group>
      </Alert>
      {/* Seven members fit on one row at 1400 px: small cards, role as a word as well as a colour. */}
      <SimpleGrid cols={{ base: 3, lg: Math.min(7, Math.max(3, all.length)) }} spacing="xs">
        {all.map((id) => {
          const m = byId.get(id);
          const role = m?.role ?? 'unknown';
          return (
            <Card key={id} withBorder padding="xs" role="group" aria-label={t('timeline.nodeThen', { myid: id, role: roleName(role) })} data-testid={`past-node-${id}`} data-role={role} style={{ borderLeft: `6px solid ${ROLE_CSS[role] ?? '#868e96'}` }}>
              <Group justify="space-between" wrap="nowrap">
                <Title order={6}>{t('timeline.nodeTitle', { myid: id })}</Title>
                <Badge size="sm" color={ROLE_CSS[role] ?? 'gray'} variant={role === 'down' ? 'outline' : 'filled'}>
                  {roleName(role)}
                </Badge>
              </Group>
              <Text size="xs">{t('timeline.epoch', { epoch: m?.epoch ?? '—' })}</Text>
              <Text size="xs" ff="monospace">
                zxid {m?.zxid ? `0x${m.zxid}` : '—'}
              </Text>
              <Text size="xs" c="dimmed">
                {m ? t('timeline.sampled', { time: clock(m.sampledAt) }) : t('timeline.noSample')}
              </Text>
            </Card>
          );
        })}
      </SimpleGrid>
      <Card withBorder>
        <Title order={6}>{t('timeline.faultsThen', { n: then.faults.length })}</Title>
        {then.faults.length === 0 ? (
          <Text size="xs" c="dimmed">
            {t('timeline.none')}
          </Text>
        ) : (
          then.faults.map((f) => (
            <Text key={f.id} size="xs" data-testid="past-fault">
              {t('timeline.pastFault', { id: f.id, description: f.description, time: clock(f.startedAt) })}
            </Text>
          ))
        )}
      </Card>
      <WireThen lab={lab} at={at} />
      <Card withBorder>
        <Title order={6}>{t('timeline.eventsWithin', { s: 30 })}</Title>
        <Stack gap={0} mah={260} style={{ overflowY: 'auto', position: 'relative' }} data-testid="past-events" ref={list}>
          {then.around.map((e, i) => (
            <Text
              key={e.id}
              data-after={e.time >= at && (i === 0 || then.around[i - 1]!.time < at) ? 'true' : undefined} size="xs" ff="monospace" fw={Math.abs(e.time - at) < 1000 ? 700 : 400} c={e.time > at ? 'dimmed' : undefined}>
              {clock(e.time)} {e.myid !== null ? `${t('timeline.node', { myid: e.myid })} ` : ''}
              {e.type} {eventText(e)}
            </Text>
          ))}
        </Stack>
      </Card>
    </Stack>
  );
}

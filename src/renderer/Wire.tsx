// The Wire view: every message between the members as the lab's relays captured and decoded it,
// drawn as a space-time diagram (a lane per member, an arrow per message, time downwards), live
// or paused on a window picked with the scrubber. Filters by type and member, PINGs folded by
// default, held and dropped messages drawn apart from delivered ones, the backend's FOLDED
// entries shown as the sampling they are. Clicking a message shows its fields; clicking a
// PROPOSAL (or typing a zxid) follows that write: PROPOSAL → ACKs → COMMIT (and INFORMs).
// Bounded: the live buffer is capped, and only the rows on screen are drawn.
// The diagram, the filters and the details panels are in WireDiagram.tsx, WireFilters.tsx and
// WireDetails.tsx; the model in wiremodel.ts.
import { Alert, Badge, Button, Card, Chip, Group, SegmentedControl, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { NetView, WireMessage } from '../shared/contract';
import { errorText, useTranslation } from './i18n';
import { parseZxid } from './netmodel';
import type { ViewProps } from './views';
import { Diagram } from './WireDiagram';
import { Details, FollowPanel } from './WireDetails';
import { Scrubber, TypeFilter } from './WireFilters';
import { type CaptureInfo, LIVE_CAP, MAX_ROWS, MAX_TIME_ROWS, merge, ms3, type Scale, SCRUB_MS, WINDOWS, WRITE_TYPES } from './wiremodel';

export const Wire = memo(WireView, (a, b) => a.lab === b.lab && a.view === b.view);

function WireView({ lab, view, run }: ViewProps) {
  const { t } = useTranslation();
  const buf = useRef<WireMessage[]>([]);
  const [tick, setTick] = useState(0);
  const [capture, setCapture] = useState<CaptureInfo | null>(null);
  const [net, setNet] = useState<NetView | null>(null);
  const [live, setLive] = useState(true);
  const liveRef = useRef(true);
  liveRef.current = live;
  /** While paused: the scrubber's right end (when the pause began) and the window's end. */
  const [frozenAt, setFrozenAt] = useState<number | null>(null);
  const [end, setEnd] = useState(Date.now());
  const [windowKey, setWindowKey] = useState('10s');
  const windowMs = WINDOWS[windowKey]!;
  const [paused, setPaused] = useState<{ messages: WireMessage[]; truncated: boolean; loading: boolean } | null>(null);
  const [types, setTypes] = useState<string[]>([]);
  const [members, setMembers] = useState<string[]>([]);
  const [foldPings, setFoldPings] = useState(true);
  const [scale, setScale] = useState<Scale>('events');
  const [selected, setSelected] = useState<WireMessage | null>(null);
  const [follow, setFollow] = useState<string | null>(null);
  const followRef = useRef<string | null>(null);
  followRef.current = follow;
  const [followInput, setFollowInput] = useState('');
  const [followMsgs, setFollowMsgs] = useState<WireMessage[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  // The live feed: what the ring holds of the last minutes, then every push. A new lab (or a
  // restarted backend, whose seqs start again) starts a new feed.
  const labKey = view ? `${view.name}|${view.dir}` : null;
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    let stop = false;
    /** New messages since the last render: the view is drawn again at most four times a second, whatever the rate. */
    let fresh = false;
    buf.current = [];
    const off = lab.onPush((p) => {
      if (p.kind === 'net') setNet(p.net);
      if (p.kind !== 'wire' || p.messages.length === 0) return;
      buf.current = merge(buf.current, p.messages);
      const f = followRef.current;
      if (f) {
        const mine = p.messages.filter((m) => m.zxid === f);
        if (mine.length > 0) setFollowMsgs((old) => merge([...old], mine));
      }
      fresh = true;
    });
    // Live messages come only to connections that ask (renewed every 2 s below: a reconnected socket starts without).
    const subscribe = (on: boolean): void => void lab.call({ method: 'wire.subscribe', on }).catch(() => {});
    subscribe(true);
    void lab.call({ method: 'net.state' }).then((n) => !stop && setNet(n), () => {});
    void lab.call({ method: 'wire.query', query: { afterSeq: 0, fromMs: Date.now() - SCRUB_MS, toMs: null, types: null, members: null, zxid: null, limit: LIVE_CAP } }).then(
      (c) => {
        if (stop) return;
        const { messages, ...info } = c;
        buf.current = merge([...messages].sort((a, b) => a.seq - b.seq), buf.current);
        setCapture(info);
        setTick((t) => t + 1);
      },
      (e: Error) => !stop && setNotice(t('wire.noAnswer', { error: errorText(e) })),
    );
    // The window slides with the clock; the capture's counters are asked for now and then.
    const timer = setInterval(() => {
      if (!liveRef.current) return;
      setNow(Date.now());
      if (fresh) {
        fresh = false;
        setTick((x) => x + 1);
      }
    }, 250);
    const c = setInterval(() => {
      subscribe(true);
      const last = buf.current.at(-1)?.seq ?? 0;
      void lab.call({ method: 'wire.query', query: { afterSeq: last, fromMs: null, toMs: null, types: null, members: null, zxid: null, limit: 1 } }).then(
        ({ messages: _m, ...info }) => {
          if (stop) return;
          setCapture(info);
          if (info.total < last) setEpoch((e) => e + 1);
        },
        () => {},
      );
    }, 2000);
    return () => {
      stop = true;
      off();
      subscribe(false);
      clearInterval(timer);
      clearInterval(c);
    };
  }, [lab, labKey, epoch]);

  // Paused: the window is asked of the backend's ring (it reaches further back than the live buffer).
  useEffect(() => {
    if (live) {
      setPaused(null);
      return;
    }
    let stop = false;
    setPaused((p) => (p ? { ...p, loading: true } : { messages: [], truncated: false, loading: true }));
    const wait = setTimeout(() => {
      const limit = 20_000;
      void lab.call({ method: 'wire.query', query: { afterSeq: 0, fromMs: end - windowMs, toMs: end, types: null, members: null, zxid: null, limit } }).then(
        (c) => {
          if (stop) return;
          const { messages, ...info } = c;
          setCapture(info);
          setPaused({ messages, truncated: messages.length >= limit, loading: false });
        },
        (e: Error) => !stop && setNotice(t('wire.noAnswer', { error: errorText(e) })),
      );
    }, 120);
    return () => {
      stop = true;
      clearTimeout(wait);
    };
  }, [lab, live, end, windowMs]);

  // Following a zxid: every message the ring has with it, then the live ones as they come.
  useEffect(() => {
    setFollowMsgs([]);
    if (!follow) return;
    let stop = false;
    void lab.call({ method: 'wire.query', query: { afterSeq: 0, fromMs: null, toMs: null, types: null, members: null, zxid: follow, limit: 500 } }).then(
      (c) => !stop && setFollowMsgs((old) => merge([...c.messages].sort((a, b) => a.seq - b.seq), old)),
      (e: Error) => !stop && setNotice(t('wire.noAnswer', { error: errorText(e) })),
    );
    return () => {
      stop = true;
    };
  }, [lab, follow]);

  const to = live ? now : end;
  const from = to - windowMs;
  const memberIds = useMemo(() => {
    const ids = new Set((view?.nodes ?? []).map((n) => n.myid));
    return [...ids].sort((a, b) => a - b);
  }, [view]);

  const shown = useMemo(() => {
    const source = live ? buf.current : (paused?.messages ?? []);
    const typeSet = types.length > 0 ? new Set(types) : null;
    const memberSet = members.length > 0 ? new Set(members.map(Number)) : null;
    let pings = 0;
    const out: WireMessage[] = [];
    const counts = new Map<string, number>();
    for (const m of source) {
      if (m.time < from || m.time > to) continue;
      if (memberSet && !memberSet.has(m.from) && !memberSet.has(m.to)) continue;
      counts.set(m.type, (counts.get(m.type) ?? 0) + 1);
      if (m.type === 'PING' && foldPings) {
        pings++;
        continue;
      }
      if (typeSet && !typeSet.has(m.type) && m.type !== 'FOLDED') continue;
      out.push(m);
    }
    out.sort((a, b) => a.time - b.time || a.seq - b.seq);
    return { all: out, pings, counts };
    // tick: the live buffer is a ref that pushes change.
  }, [live, paused, from, to, types, members, foldPings, tick]); // eslint-disable-line react-hooks/exhaustive-deps

  // Over the cap, one row a message keeps the newest rows; true time keeps every k-th message
  // (and every held, dropped, folded or followed one), so the picture keeps its shape.
  const rows = useMemo(() => {
    const all = shown.all;
    if (scale === 'events') return all.length > MAX_ROWS ? all.slice(all.length - MAX_ROWS) : all;
    if (all.length <= MAX_TIME_ROWS) return all;
    const k = Math.ceil(all.length / MAX_TIME_ROWS);
    return all.filter((m, i) => i % k === 0 || m.status !== 'delivered' || m.type === 'FOLDED' || (follow !== null && m.zxid === follow));
  }, [shown, scale, follow]);
  const folded = rows.filter((m) => m.type === 'FOLDED');
  const lanes = useMemo(() => {
    const ids = new Set(memberIds);
    for (const m of rows) {
      if (m.type !== 'FOLDED') {
        ids.add(m.from);
        ids.add(m.to);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }, [memberIds, rows]);

  const pause = (): void => {
    const t = Date.now();
    setFrozenAt(t);
    setEnd(t);
    setLive(false);
  };
  const goLive = (): void => {
    setFrozenAt(null);
    setLive(true);
    setNow(Date.now());
  };
  const pick = useCallback((m: WireMessage | null) => {
    setSelected(m);
    if (m && m.zxid && WRITE_TYPES.has(m.type)) {
      setFollow(m.zxid);
      setFollowInput(m.zxid);
    }
  }, []);
  const followTyped = (): void => {
    const z = parseZxid(followInput);
    if (!z) {
      setNotice(t('wire.notZxid', { input: followInput }));
      return;
    }
    setNotice(null);
    setFollow(z);
    setFollowInput(z);
  };

  const save = async (): Promise<void> => {
    await run(
      lab.call({ method: 'wire.save', fromMs: from, toMs: to, label: `Wire view ${ms3(from)}–${ms3(to)}` }).then((r) => {
        setNotice(t('wire.saved', { count: r.saved, from: ms3(from), to: ms3(to) }));
      }),
    );
  };
  const exportJson = (): void => {
    const doc = { format: 'zookeeper-lab-wire', version: 1, fromMs: from, toMs: to, filters: { types, members: members.map(Number), foldPings }, exportedAt: Date.now(), messages: shown.all };
    const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `wire-${new Date(from).toISOString().replace(/[:.]/g, '-')}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setNotice(t('wire.exported', { count: shown.all.length, file: a.download }));
  };

  const scrubMax = frozenAt ?? now;
  const sampling = (capture?.folded ?? 0) > 0 || folded.length > 0;

  return (
    <Stack gap="sm" data-testid="wire">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={3}>{t('wire.title')}</Title>
          <Text size="sm" c="dimmed" maw={780}>
            {t('wire.intro')}
          </Text>
        </div>
        <Group gap="xs">
          <Badge size="lg" color={live ? 'teal' : 'gray'} variant={live ? 'filled' : 'outline'} data-testid="wire-mode">
            {live ? t('wire.live') : t('wire.paused')}
          </Badge>
          <Button size="xs" variant={live ? 'default' : 'filled'} onClick={live ? pause : goLive} data-testid="wire-live-toggle" data-live={live}>
            {live ? t('wire.pause') : t('wire.goLive')}
          </Button>
        </Group>
      </Group>

      {net && !net.enabled && (
        <Alert color="gray" data-testid="wire-off">
          {net.reason ? t('wire.noRelaysWhy', { reason: net.reason }) : t('wire.noRelays')}
        </Alert>
      )}
      {sampling && (
        <Alert color="yellow" variant="light" p="xs" data-testid="wire-sampling">
          {t('wire.sampling', { budget: capture?.budgetPerSecond ?? '?', folded: capture?.folded ?? 0 })}
          {folded.length > 0 ? t('wire.samplingWindow', { count: folded.length }) : ''}
          {t('wire.samplingEnd')}
        </Alert>
      )}

      <Card withBorder p="sm">
        <Group gap="sm" align="flex-end">
          <div>
            <Text size="xs" fw={500} mb={2}>
              {t('wire.window')}
            </Text>
            <SegmentedControl size="xs" data={Object.keys(WINDOWS).map((k) => ({ value: k, label: k.endsWith('m') ? t('wire.minutes', { n: parseInt(k, 10) }) : t('wire.seconds', { n: parseInt(k, 10) }) }))} value={windowKey} onChange={setWindowKey} data-testid="wire-window" />
          </div>
          <div>
            <Text size="xs" fw={500} mb={2}>
              {t('wire.scale')}
            </Text>
            <SegmentedControl
              size="xs"
              value={scale}
              onChange={(v) => setScale(v as Scale)}
              data={[
                { value: 'events', label: t('wire.scaleEvents') },
                { value: 'time', label: t('wire.scaleTime') },
              ]}
              data-testid="wire-scale"
            />
          </div>
          <div>
            <Text size="xs" fw={500} mb={2}>
              {t('wire.members')}
            </Text>
            <Group gap={4}>
              {memberIds.map((id) => (
                <Chip
                  key={id}
                  size="xs"
                  checked={members.includes(String(id))}
                  onChange={() => setMembers((ms) => (ms.includes(String(id)) ? ms.filter((x) => x !== String(id)) : [...ms, String(id)]))}
                  wrapperProps={{ 'data-testid': `wire-member-${id}` }}
                >
                  {t('wire.node', { myid: id })}
                </Chip>
              ))}
              <Text size="xs" c="dimmed">
                {members.length === 0 ? t('wire.allMembers') : t('wire.toOrFrom')}
              </Text>
            </Group>
          </div>
          <Switch size="sm" label={t('wire.foldPings')} checked={foldPings} onChange={(e) => setFoldPings(e.currentTarget.checked)} data-testid="wire-fold-pings" mb={4} />
        </Group>
        <TypeFilter types={types} setTypes={setTypes} counts={shown.counts} foldPings={foldPings} />
        <Group gap="sm" align="flex-end" mt="xs">
          <TextInput
            size="xs"
            label={t('wire.followZxid')}
            placeholder={t('wire.zxidPlaceholder')}
            value={followInput}
            onChange={(e) => setFollowInput(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && followTyped()}
            w={190}
            styles={{ input: { fontFamily: 'monospace' } }}
            data-testid="wire-zxid"
          />
          <Button size="xs" variant="light" onClick={followTyped} disabled={followInput.trim() === ''} data-testid="wire-follow-go">
            {t('wire.follow')}
          </Button>
          {follow && (
            <Button
              size="xs"
              variant="subtle"
              onClick={() => {
                setFollow(null);
                setFollowInput('');
              }}
              data-testid="wire-follow-clear"
            >
              {t('wire.stopFollowing')}
            </Button>
          )}
          <div style={{ flex: 1 }} />
          <Button size="xs" variant="light" onClick={save} disabled={!view} data-testid="wire-save">
            {t('wire.saveWindow')}
          </Button>
          <Button size="xs" variant="light" onClick={exportJson} disabled={shown.all.length === 0} data-testid="wire-export">
            {t('wire.exportJson')}
          </Button>
        </Group>
        <Scrubber buf={buf.current} tick={tick} min={scrubMax - SCRUB_MS} max={scrubMax} from={from} to={to} live={live} onScrub={(v) => {
          if (live) {
            setFrozenAt(Date.now());
            setLive(false);
          }
          setEnd(v);
        }} />
        <Text size="xs" c="dimmed" mt={4} data-testid="wire-counts" data-shown={rows.length} data-in-window={shown.all.length}>
          {t('wire.counts', { from: ms3(from), to: ms3(to), count: shown.all.length })}
          {shown.pings > 0 ? t('wire.pingsFolded', { count: shown.pings }) : ''}
          {shown.all.length > rows.length
            ? scale === 'events'
              ? t('wire.newestDrawn', { count: rows.length })
              : t('wire.sampledDrawn', { count: rows.length, k: Math.ceil(shown.all.length / MAX_TIME_ROWS) })
            : ''}
          {paused?.truncated ? t('wire.truncated', { n: 20000 }) : ''}
          {paused?.loading ? t('wire.loading') : ''}
          {capture ? t('wire.capture', { total: capture.total, cap: capture.cap, budget: capture.budgetPerSecond }) : ''}
        </Text>
      </Card>

      {notice && (
        <Alert color="blue" variant="light" withCloseButton onClose={() => setNotice(null)} p="xs" data-testid="wire-notice">
          {notice}
        </Alert>
      )}

      {follow && <FollowPanel zxid={follow} messages={followMsgs} view={view} onPick={setSelected} />}

      <Group align="flex-start" gap="sm" wrap="nowrap">
        <div style={{ flex: 1, minWidth: 0 }}>
          <Diagram rows={rows} lanes={lanes} view={view} scale={scale} from={from} to={to} live={live} selected={selected} follow={follow} onPick={pick} toggleLive={live ? pause : goLive} tick={tick} />
        </div>
        <Details m={selected} follow={(z) => {
          setFollow(z);
          setFollowInput(z);
        }} />
      </Group>
    </Stack>
  );
}


// The Wire view: every message between the members as the lab's relays captured and decoded it,
// drawn as a space-time diagram (a lane per member, an arrow per message, time downwards), live
// or paused on a window picked with the scrubber. Filters by type and member, PINGs folded by
// default, held and dropped messages drawn apart from delivered ones, the backend's FOLDED
// entries shown as the sampling they are. Clicking a message shows its fields; clicking a
// PROPOSAL (or typing a zxid) follows that write: PROPOSAL → ACKs → COMMIT (and INFORMs).
// Bounded: the live buffer is capped, and only the rows on screen are drawn.
import { Alert, Badge, Button, Card, Chip, Group, ScrollArea, SegmentedControl, Slider, Stack, Switch, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { WIRE_LIVE_CAP } from '../shared/limits';
import { useElementSize } from '@mantine/hooks';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LabView, NetView, WireCapture, WireMessage } from '../shared/contract';
import { clock, ROLE_CSS } from './format';
import { epochCounter, parseZxid } from './netmodel';
import type { ViewProps } from './views';

/** Messages the view keeps from the live feed (the backend's ring has more; the scrubber asks it). */
const LIVE_CAP = WIRE_LIVE_CAP;
/** How far back the scrubber reaches. */
const SCRUB_MS = 5 * 60_000;
const WINDOWS: Record<string, number> = { '2s': 2000, '5s': 5000, '10s': 10_000, '30s': 30_000, '1m': 60_000, '5m': 300_000 };
/** Rows of one window drawn at most (the newest kept; the rest are counted). */
const MAX_ROWS = 4000;
/** In time scale, arrows drawn at most (they overlap; the rest are counted). */
const MAX_TIME_ROWS = 1500;
const ROW_H = 20;
/** Room above the first row for its arrow's label. */
const TOP = 8;
const VIEW_H = 540;
const HEAD_H = 34;
const GUTTER = 96;
/** A delivery later than this after sending is drawn where it lands in time (a slanted arrow). */
const SLANT_MS = 2;

const SYNC_COLOR = '#c2255c';
const TYPE_COLOR: Record<string, string> = {
  PROPOSAL: '#1971c2',
  ACK: '#2b8a3e',
  COMMIT: '#0b7285',
  INFORM: '#5c940d',
  REQUEST: '#862e9c',
  PING: '#adb5bd',
  SYNC: '#495057',
  REVALIDATE: '#495057',
  NOTIFICATION: '#e67700',
  CONNECT: '#f08c00',
  FOLDED: '#868e96',
  FOLLOWERINFO: SYNC_COLOR,
  OBSERVERINFO: SYNC_COLOR,
  LEADERINFO: SYNC_COLOR,
  ACKEPOCH: SYNC_COLOR,
  NEWLEADER: SYNC_COLOR,
  UPTODATE: SYNC_COLOR,
  DIFF: SYNC_COLOR,
  TRUNC: SYNC_COLOR,
  SNAP: SYNC_COLOR,
  SNAPSHOT: SYNC_COLOR,
};
const colorOf = (type: string): string => TYPE_COLOR[type] ?? '#495057';
/** The type filter's chips, by what the messages are for. */
const TYPE_GROUPS: [string, string[]][] = [
  ['Broadcast', ['PROPOSAL', 'ACK', 'COMMIT', 'INFORM', 'REQUEST', 'SYNC', 'PING', 'REVALIDATE']],
  ['Sync', ['FOLLOWERINFO', 'OBSERVERINFO', 'LEADERINFO', 'ACKEPOCH', 'DIFF', 'TRUNC', 'SNAP', 'SNAPSHOT', 'NEWLEADER', 'UPTODATE']],
  ['Election', ['NOTIFICATION', 'CONNECT']],
];
/** Types a write's zxid runs through. */
const WRITE_TYPES = new Set(['PROPOSAL', 'ACK', 'COMMIT', 'INFORM']);

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
/** A moment as hh:mm:ss.mmm, local time (written by hand: toLocaleTimeString is slow for thousands of rows). */
const ms3 = (t: number): string => {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

/** Index of the message with this seq in a seq-ordered array, or -1. */
function findSeq(arr: WireMessage[], seq: number): number {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = arr[mid]!.seq;
    if (s === seq) return mid;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Adds messages to a seq-ordered buffer: new ones at the end, known seqs replaced (a held message delivered or dropped). */
function merge(buf: WireMessage[], incoming: WireMessage[]): WireMessage[] {
  let out = buf;
  let sorted = true;
  for (const m of incoming) {
    const last = out.at(-1);
    if (!last || m.seq > last.seq) {
      out.push(m);
      continue;
    }
    const i = findSeq(out, m.seq);
    if (i >= 0) out[i] = m;
    else {
      out.push(m);
      sorted = false;
    }
  }
  if (!sorted) out = out.sort((a, b) => a.seq - b.seq);
  return out.length > LIVE_CAP ? out.slice(out.length - LIVE_CAP) : out;
}

type Scale = 'events' | 'time';
type CaptureInfo = Omit<WireCapture, 'messages'>;

export const Wire = memo(WireView, (a, b) => a.lab === b.lab && a.view === b.view);

function WireView({ lab, view, run }: ViewProps) {
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
      (e: Error) => !stop && setNotice(`The capture did not answer: ${e.message}`),
    );
    // The window slides with the clock; the capture's counters are asked for now and then.
    const t = setInterval(() => {
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
      clearInterval(t);
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
    const t = setTimeout(() => {
      const limit = 20_000;
      void lab.call({ method: 'wire.query', query: { afterSeq: 0, fromMs: end - windowMs, toMs: end, types: null, members: null, zxid: null, limit } }).then(
        (c) => {
          if (stop) return;
          const { messages, ...info } = c;
          setCapture(info);
          setPaused({ messages, truncated: messages.length >= limit, loading: false });
        },
        (e: Error) => !stop && setNotice(`The capture did not answer: ${e.message}`),
      );
    }, 120);
    return () => {
      stop = true;
      clearTimeout(t);
    };
  }, [lab, live, end, windowMs]);

  // Following a zxid: every message the ring has with it, then the live ones as they come.
  useEffect(() => {
    setFollowMsgs([]);
    if (!follow) return;
    let stop = false;
    void lab.call({ method: 'wire.query', query: { afterSeq: 0, fromMs: null, toMs: null, types: null, members: null, zxid: follow, limit: 500 } }).then(
      (c) => !stop && setFollowMsgs((old) => merge([...c.messages].sort((a, b) => a.seq - b.seq), old)),
      (e: Error) => !stop && setNotice(`The capture did not answer: ${e.message}`),
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
      setNotice(`"${followInput}" is not a zxid: type it in hex (0x100000003) or as epoch/counter (1/3).`);
      return;
    }
    setNotice(null);
    setFollow(z);
    setFollowInput(z);
  };

  const save = async (): Promise<void> => {
    await run(
      lab.call({ method: 'wire.save', fromMs: from, toMs: to, label: `Wire view ${ms3(from)}–${ms3(to)}` }).then((r) => {
        setNotice(`Saved ${r.saved} message${r.saved === 1 ? '' : 's'} of ${ms3(from)}–${ms3(to)} to the lab's history (every message the capture has of that window, whatever the filters).`);
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
    setNotice(`Exported ${shown.all.length} message${shown.all.length === 1 ? '' : 's'} to ${a.download}.`);
  };

  const scrubMax = frozenAt ?? now;
  const sampling = (capture?.folded ?? 0) > 0 || folded.length > 0;

  return (
    <Stack gap="sm" data-testid="wire">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={3}>Wire</Title>
          <Text size="sm" c="dimmed" maw={780}>
            Every message between the members, decoded from the bytes the lab&apos;s relays carry: the election&apos;s votes and ZAB&apos;s packets. Time runs downwards; an arrow goes from the sender&apos;s lane to the
            receiver&apos;s. Click a message for its fields; click a PROPOSAL to follow its write.
          </Text>
        </div>
        <Group gap="xs">
          <Badge size="lg" color={live ? 'teal' : 'gray'} variant={live ? 'filled' : 'outline'} data-testid="wire-mode">
            {live ? 'live' : 'paused'}
          </Badge>
          <Button size="xs" variant={live ? 'default' : 'filled'} onClick={live ? pause : goLive} data-testid="wire-live-toggle" data-live={live}>
            {live ? 'Pause' : 'Go live'}
          </Button>
        </Group>
      </Group>

      {net && !net.enabled && (
        <Alert color="gray" data-testid="wire-off">
          This lab has no relays, so nothing is captured{net.reason ? `: ${net.reason}` : '.'}
        </Alert>
      )}
      {sampling && (
        <Alert color="yellow" variant="light" p="xs" data-testid="wire-sampling">
          The capture is sampling: over {capture?.budgetPerSecond ?? '?'} messages a second it folds PINGs, then other messages, into FOLDED entries ({capture?.folded ?? 0} folded so far
          {folded.length > 0 ? `; ${folded.length} FOLDED entr${folded.length === 1 ? 'y' : 'ies'} in this window` : ''}). Counts stay exact; single messages are missing.
        </Alert>
      )}

      <Card withBorder p="sm">
        <Group gap="sm" align="flex-end">
          <div>
            <Text size="xs" fw={500} mb={2}>
              Window
            </Text>
            <SegmentedControl size="xs" data={Object.keys(WINDOWS)} value={windowKey} onChange={setWindowKey} data-testid="wire-window" />
          </div>
          <div>
            <Text size="xs" fw={500} mb={2}>
              Scale
            </Text>
            <SegmentedControl
              size="xs"
              value={scale}
              onChange={(v) => setScale(v as Scale)}
              data={[
                { value: 'events', label: 'one row a message' },
                { value: 'time', label: 'true time' },
              ]}
              data-testid="wire-scale"
            />
          </div>
          <div>
            <Text size="xs" fw={500} mb={2}>
              Members
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
                  node {id}
                </Chip>
              ))}
              <Text size="xs" c="dimmed">
                {members.length === 0 ? 'all' : 'to or from these'}
              </Text>
            </Group>
          </div>
          <Switch size="sm" label="Fold PINGs" checked={foldPings} onChange={(e) => setFoldPings(e.currentTarget.checked)} data-testid="wire-fold-pings" mb={4} />
        </Group>
        <TypeFilter types={types} setTypes={setTypes} counts={shown.counts} foldPings={foldPings} />
        <Group gap="sm" align="flex-end" mt="xs">
          <TextInput
            size="xs"
            label="Follow a zxid"
            placeholder="0x100000003 or 1/3"
            value={followInput}
            onChange={(e) => setFollowInput(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && followTyped()}
            w={190}
            styles={{ input: { fontFamily: 'monospace' } }}
            data-testid="wire-zxid"
          />
          <Button size="xs" variant="light" onClick={followTyped} disabled={followInput.trim() === ''} data-testid="wire-follow-go">
            Follow
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
              Stop following
            </Button>
          )}
          <div style={{ flex: 1 }} />
          <Button size="xs" variant="light" onClick={save} disabled={!view} data-testid="wire-save">
            Save window
          </Button>
          <Button size="xs" variant="light" onClick={exportJson} disabled={shown.all.length === 0} data-testid="wire-export">
            Export JSON
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
          {ms3(from)} – {ms3(to)}: {shown.all.length} message{shown.all.length === 1 ? '' : 's'}
          {shown.pings > 0 ? `, ${shown.pings} PING${shown.pings === 1 ? '' : 's'} folded (Fold PINGs)` : ''}
          {shown.all.length > rows.length
            ? scale === 'events'
              ? `; the newest ${rows.length} drawn (narrow the window or filter for the rest)`
              : `; ${rows.length} drawn, about one in ${Math.ceil(shown.all.length / MAX_TIME_ROWS)} (narrow the window or filter for all)`
            : ''}
          {paused?.truncated ? '; the window holds more than 20000: its newest 20000 are here' : ''}
          {paused?.loading ? ' · loading…' : ''}
          {capture ? ` · capture: ${capture.total} since the lab started, the ring keeps ${capture.cap}, budget ${capture.budgetPerSecond}/s` : ''}
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

/** Chips per message type, with how many of each the window holds; none chosen: every type. */
function TypeFilter({ types, setTypes, counts, foldPings }: { types: string[]; setTypes: (f: (t: string[]) => string[]) => void; counts: Map<string, number>; foldPings: boolean }) {
  const known = new Set(TYPE_GROUPS.flatMap(([, ts]) => ts));
  const other = [...counts.keys()].filter((t) => !known.has(t) && t !== 'FOLDED');
  const groups: [string, string[]][] = other.length > 0 ? [...TYPE_GROUPS, ['Other', other]] : TYPE_GROUPS;
  return (
    <Stack gap={4} mt="xs" data-testid="wire-types">
      {groups.map(([label, ts]) => (
        <Group key={label} gap={4} wrap="wrap">
          <Text size="xs" fw={500} w={66}>
            {label}
          </Text>
          {ts.map((t) => {
            const n = counts.get(t) ?? 0;
            return (
              <Chip
                key={t}
                size="xs"
                variant="outline"
                checked={types.includes(t)}
                onChange={() => setTypes((old) => (old.includes(t) ? old.filter((x) => x !== t) : [...old, t]))}
                wrapperProps={{ 'data-testid': `wire-type-${t}`, 'data-count': n }}
                styles={{ label: { color: n === 0 ? 'var(--mantine-color-gray-5)' : colorOf(t), fontWeight: 600 } }}
              >
                {t}
                {n > 0 ? ` ${n}` : ''}
                {t === 'PING' && foldPings && n > 0 ? ' folded' : ''}
              </Chip>
            );
          })}
          {label === 'Broadcast' && types.length > 0 && (
            <Button size="compact-xs" variant="subtle" onClick={() => setTypes(() => [])} data-testid="wire-types-all">
              all types
            </Button>
          )}
        </Group>
      ))}
    </Stack>
  );
}

/** The scrubber: where the window sits in the last minutes, over how busy the wire was. */
function Scrubber({ buf, tick, min, max, from, to, live, onScrub }: { buf: WireMessage[]; tick: number; min: number; max: number; from: number; to: number; live: boolean; onScrub: (v: number) => void }) {
  const BINS = 120;
  const bins = useMemo(() => {
    const b = new Array<number>(BINS).fill(0);
    const span = max - min;
    for (const m of buf) {
      if (m.time < min || m.time > max) continue;
      const i = Math.min(BINS - 1, Math.floor(((m.time - min) / span) * BINS));
      b[i] = b[i]! + (m.type === 'FOLDED' ? Number(m.fields.count ?? 1) : 1);
    }
    return b;
    // Every two seconds or so is enough for an overview of five minutes.
  }, [buf, Math.floor(tick / 8), Math.floor(min / 2000), live]); // eslint-disable-line react-hooks/exhaustive-deps
  const top = Math.max(1, ...bins);
  const x = (t: number): number => Math.max(0, Math.min(1000, ((t - min) / (max - min)) * 1000));
  return (
    <div style={{ marginTop: 10 }}>
      <svg width="100%" height={28} viewBox="0 0 1000 28" preserveAspectRatio="none" aria-hidden style={{ display: 'block' }}>
        <rect x={x(from)} y={0} width={Math.max(2, x(to) - x(from))} height={28} fill="#12b886" fillOpacity={0.18} />
        {bins.map((v, i) => (v > 0 ? <rect key={i} x={(i * 1000) / BINS + 0.5} width={1000 / BINS - 1} y={28 - (Math.log1p(v) / Math.log1p(top)) * 26} height={(Math.log1p(v) / Math.log1p(top)) * 26} fill="#868e96" /> : null))}
      </svg>
      <Slider
        min={min}
        max={max}
        step={100}
        value={live ? max : Math.max(min, Math.min(max, to))}
        onChange={onScrub}
        label={(v) => `window ends ${ms3(v)}`}
        size="sm"
        aria-label="the window's end in the last five minutes"
        data-testid="wire-scrubber"
      />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {clock(min)} (5 min ago)
        </Text>
        <Text size="xs" c="dimmed">
          {live ? 'now (live)' : `${clock(max)} (paused)`}
        </Text>
      </Group>
    </div>
  );
}

interface DiagramProps {
  rows: WireMessage[];
  lanes: number[];
  view: LabView | null;
  scale: Scale;
  from: number;
  to: number;
  live: boolean;
  selected: WireMessage | null;
  follow: string | null;
  onPick: (m: WireMessage | null) => void;
  toggleLive: () => void;
  tick: number;
}

/** The space-time diagram: lanes, arrows, times on the left and each message's line on the right. */
function Diagram({ rows, lanes, view, scale, from, to, live, selected, follow, onPick, toggleLive, tick }: DiagramProps) {
  const { ref: outer, width: outerW } = useElementSize();
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const stick = useRef(true);
  const laneW = lanes.length <= 3 ? 128 : lanes.length <= 5 ? 108 : 86;
  const lanesW = Math.max(1, lanes.length) * laneW;
  const summaryW = Math.max(240, (outerW || 900) - GUTTER - lanesW - 14);
  const width = GUTTER + lanesW + summaryW;
  const laneX = new Map(lanes.map((id, i) => [id, GUTTER + laneW * (i + 0.5)]));
  const roles = new Map((view?.nodes ?? []).map((n) => [n.myid, n.role]));
  const timeH = VIEW_H - 16;
  const height = scale === 'events' ? Math.max(VIEW_H - 4, TOP + rows.length * ROW_H + ROW_H) : timeH + 8;

  /** y of a moment: by rows (interpolated between the rows around it) or by the clock. */
  const times = rows.map((m) => m.time);
  const yOf = (t: number): number => {
    if (scale === 'time') return 8 + ((t - from) / Math.max(1, to - from)) * timeH;
    if (rows.length === 0) return 0;
    let lo = 0;
    let hi = times.length - 1;
    if (t <= times[0]!) return TOP + ROW_H / 2;
    if (t >= times[hi]!) return TOP + hi * ROW_H + ROW_H / 2 + Math.min(ROW_H * 0.9, (t - times[hi]!) / 5);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const t0 = times[lo]!;
    const t1 = times[lo + 1] ?? t0;
    return TOP + lo * ROW_H + ROW_H / 2 + (t1 > t0 ? ((t - t0) / (t1 - t0)) * ROW_H : 0);
  };
  const ySend = (i: number, m: WireMessage): number => (scale === 'events' ? TOP + i * ROW_H + ROW_H / 2 : yOf(m.time));

  // Live: stay at the newest rows unless the person scrolled up.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (stick.current && scale === 'events') el.scrollTop = el.scrollHeight;
  }, [rows.length, tick, scale]);

  const firstRow = Math.min(rows.length, Math.max(0, Math.floor(scrollTop / ROW_H) - 8));
  const lastRow = Math.min(rows.length - 1, Math.ceil((scrollTop + VIEW_H) / ROW_H) + 8);
  const visible: { m: WireMessage; i: number }[] = [];
  if (scale === 'events') {
    for (let i = firstRow; i <= lastRow; i++) visible.push({ m: rows[i]!, i });
    // Slanted arrows that start above the screen and end on it.
    for (let i = 0; i < firstRow; i++) {
      const m = rows[i]!;
      if (m.deliveredAt !== null && m.deliveredAt - m.time > SLANT_MS && yOf(m.deliveredAt) >= scrollTop) visible.push({ m, i });
    }
  } else rows.forEach((m, i) => visible.push({ m, i }));

  const selIndex = selected ? rows.findIndex((m) => m.seq === selected.seq) : -1;
  const move = (d: number): void => {
    if (rows.length === 0) return;
    const i = selIndex < 0 ? (d > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, selIndex + d));
    onPick(rows[i]!);
    const el = scroller.current;
    if (el && scale === 'events') {
      const y = TOP + i * ROW_H;
      if (y < el.scrollTop) el.scrollTop = y;
      else if (y + ROW_H > el.scrollTop + VIEW_H) el.scrollTop = y + ROW_H - VIEW_H;
    }
  };

  let lastLabelY = -100;
  const labelled = new Set<number>();
  if (scale === 'time') {
    rows.forEach((m, i) => {
      const y = yOf(m.time);
      if (y - lastLabelY >= 12) {
        labelled.add(i);
        lastLabelY = y;
      }
    });
  }

  return (
    <Card withBorder p={0} ref={outer} data-testid="wire-diagram" data-rows={rows.length} data-scale={scale}>
      <div style={{ overflowX: 'auto' }}>
        <div style={{ width, position: 'relative' }}>
          <svg width={width} height={HEAD_H} style={{ display: 'block', borderBottom: '1px solid var(--mantine-color-gray-3)', background: 'var(--mantine-color-gray-0)' }}>
            <text x={10} y={21} fontSize={11} fill="#868e96">
              time
            </text>
            {lanes.map((id) => (
              <g key={id} data-testid={`wire-lane-${id}`}>
                <text x={laneX.get(id)!} y={15} fontSize={12} fontWeight={700} textAnchor="middle" fill="#212529">
                  node {id}
                </text>
                <text x={laneX.get(id)!} y={28} fontSize={10} textAnchor="middle" fill={ROLE_CSS[roles.get(id) ?? ''] ?? '#868e96'}>
                  {roles.get(id) ?? ''}
                </text>
              </g>
            ))}
            <text x={GUTTER + lanesW + 8} y={21} fontSize={11} fill="#868e96">
              message
            </text>
          </svg>
          <div
            ref={scroller}
            tabIndex={0}
            role="listbox"
            aria-label="messages on the wire. Arrow keys move between messages, Enter follows a write's zxid, Escape clears, Space pauses or resumes"
            style={{ height: VIEW_H, overflowY: scale === 'events' ? 'auto' : 'hidden', outline: 'none' }}
            onScroll={(e) => {
              const el = e.currentTarget;
              setScrollTop(el.scrollTop);
              stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_H * 2;
            }}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') move(1);
              else if (e.key === 'ArrowUp') move(-1);
              else if (e.key === 'Escape') onPick(null);
              else if (e.key === ' ') toggleLive();
              else if (e.key === 'Enter' && selected) onPick(selected);
              else return;
              e.preventDefault();
            }}
            data-testid="wire-scroller"
          >
            {rows.length === 0 ? (
              <Text c="dimmed" size="sm" p="md" data-testid="wire-empty">
                {live ? 'No message in this window yet: the members talk when they elect, write, sync and ping. Write something, or kill the leader.' : 'No message in this window: move the scrubber.'}
              </Text>
            ) : (
              <svg width={width} height={height} style={{ display: 'block' }}>
                <ArrowHeads types={[...new Set(rows.map((m) => m.type))].sort().join(',')} />
                {lanes.map((id) => (
                  <line key={id} x1={laneX.get(id)!} x2={laneX.get(id)!} y1={0} y2={height} stroke="#dee2e6" strokeWidth={2} />
                ))}
                {scale === 'time' && <TimeTicks from={from} to={to} yOf={yOf} width={width} />}
                {visible.map(({ m, i }) => {
                  const y = ySend(i, m);
                  const prev = i > 0 ? rows[i - 1]! : null;
                  const gap = scale === 'events' && prev ? m.time - prev.time : 0;
                  return (
                    <Row
                      key={m.seq}
                      m={m}
                      y={y}
                      yEnd={m.deliveredAt !== null && (scale === 'time' || m.deliveredAt - m.time > SLANT_MS) ? Math.max(y, yOf(m.deliveredAt)) : y}
                      x1={laneX.get(m.from) ?? GUTTER}
                      x2={laneX.get(m.to) ?? GUTTER}
                      lanesRight={GUTTER + lanesW}
                      width={width}
                      summaryW={summaryW}
                      scale={scale}
                      gap={gap}
                      showText={scale === 'events' || labelled.has(i)}
                      selected={selected?.seq === m.seq}
                      followed={follow !== null && m.zxid === follow}
                      dim={follow !== null && m.zxid !== follow}
                      onPick={onPick}
                    />
                  );
                })}
              </svg>
            )}
          </div>
        </div>
      </div>
    </Card>
  );
}

/** One arrowhead per type on screen (and one for the selected message); drawn again only when the set of types changes. */
const ArrowHeads = memo(function ArrowHeads({ types }: { types: string }) {
  return (
    <defs>
      {[...types.split(','), 'SEL'].map((t) => (
        <marker key={t} id={`w-arrow-${t}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill={t === 'SEL' ? '#1c7ed6' : colorOf(t)} />
        </marker>
      ))}
    </defs>
  );
});

function TimeTicks({ from, to, yOf, width }: { from: number; to: number; yOf: (t: number) => number; width: number }) {
  const span = to - from;
  const step = [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000].find((s) => span / s <= 12) ?? 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return (
    <g>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={0} x2={width} y1={yOf(t)} y2={yOf(t)} stroke="#f1f3f5" />
          <text x={6} y={yOf(t) - 2} fontSize={10} fill="#868e96">
            {ms3(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

interface RowProps {
  m: WireMessage;
  y: number;
  yEnd: number;
  x1: number;
  x2: number;
  lanesRight: number;
  width: number;
  summaryW: number;
  scale: Scale;
  gap: number;
  showText: boolean;
  selected: boolean;
  followed: boolean;
  dim: boolean;
  onPick: (m: WireMessage) => void;
}

/** One message: its arrow (delivered), stub and marker (held, dropped) or band (FOLDED), and its line of text. */
const Row = memo(RowView);

function RowView({ m, y, yEnd, x1, x2, lanesRight, width, summaryW, scale, gap, showText, selected, followed, dim, onPick }: RowProps) {
  const color = selected ? '#1c7ed6' : colorOf(m.type);
  const opacity = dim ? 0.28 : 1;
  const strokeW = selected || followed ? 2.6 : 1.5;
  const maxChars = Math.max(10, Math.floor((summaryW - 12) / 5.8));
  const line = `${m.status !== 'delivered' ? `[${m.status}] ` : ''}${m.summary}`;
  const summary = line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
  const textX = lanesRight + 8;
  const hitH = scale === 'events' ? ROW_H : 8;
  const dir = x2 >= x1 ? 1 : -1;
  const stubEnd = x1 + (x2 - x1) * 0.62;
  const midX = (x1 + x2) / 2;
  let shape: React.ReactNode;
  if (m.type === 'FOLDED') {
    // Messages of one direction in one second, counted but not kept: a dotted band with the count.
    const count = m.fields.count ?? '?';
    shape = (
      <g>
        <line x1={x1} y1={y} x2={x2 - dir * 2} y2={y} stroke="#868e96" strokeWidth={5} strokeOpacity={0.35} strokeDasharray="2 3" />
        <line x1={x1} y1={y} x2={x2 - dir * 2} y2={y} stroke="#868e96" strokeWidth={1.2} markerEnd="url(#w-arrow-FOLDED)" />
        <text x={midX} y={y - 4} fontSize={9.5} fontWeight={700} textAnchor="middle" fill="#495057" stroke="white" strokeWidth={3} paintOrder="stroke">
          ⋯ {String(count)} folded ⋯
        </text>
      </g>
    );
  } else if (m.status === 'held') {
    shape = (
      <g>
        <line x1={x1} y1={y} x2={stubEnd} y2={y} stroke={color} strokeWidth={strokeW} strokeDasharray="5 3" />
        <rect x={stubEnd - (dir > 0 ? 0 : 30)} y={y - 7} width={30} height={14} rx={3} fill="white" stroke="#7048e8" strokeWidth={1.5} />
        <text x={stubEnd + dir * 15} y={y + 4} fontSize={9} fontWeight={700} textAnchor="middle" fill="#7048e8">
          held
        </text>
      </g>
    );
  } else if (m.status === 'dropped') {
    shape = (
      <g>
        <line x1={x1} y1={y} x2={stubEnd} y2={y} stroke={color} strokeWidth={strokeW} strokeDasharray="1 3" />
        <g stroke="#e03131" strokeWidth={2.4} strokeLinecap="round">
          <line x1={stubEnd - 5} y1={y - 5} x2={stubEnd + 5} y2={y + 5} />
          <line x1={stubEnd - 5} y1={y + 5} x2={stubEnd + 5} y2={y - 5} />
        </g>
      </g>
    );
  } else {
    shape = <line x1={x1} y1={y} x2={x2 - dir * 2} y2={yEnd} stroke={color} strokeWidth={strokeW} markerEnd={`url(#w-arrow-${selected ? 'SEL' : m.type})`} />;
  }
  return (
    <g
      data-testid="wire-msg"
      data-seq={m.seq}
      data-type={m.type}
      data-from={m.from}
      data-to={m.to}
      data-zxid={m.zxid ?? ''}
      data-status={m.status}
      data-time={m.time}
      aria-selected={selected}
      opacity={opacity}
      style={{ cursor: 'pointer' }}
      onClick={() => onPick(m)}
    >
      <title>{`${m.type} ${m.from} → ${m.to} · ${m.status} · ${m.summary}`}</title>
      {(selected || followed) && <rect x={0} y={y - hitH / 2} width={width} height={hitH} fill={selected ? '#d0ebff' : '#fff3bf'} />}
      <rect x={0} y={y - hitH / 2} width={width} height={hitH} fill="transparent" />
      {scale === 'events' && gap > 1000 && (
        <g>
          <line x1={0} x2={width} y1={y - ROW_H / 2} y2={y - ROW_H / 2} stroke="#ced4da" strokeDasharray="2 4" />
        </g>
      )}
      {scale === 'events' && (
        <text x={6} y={y + 4} fontSize={10} fill="#868e96" fontFamily="monospace">
          {gap > 1000 ? `+${(gap / 1000).toFixed(1)} s` : ms3(m.time).slice(-9)}
        </text>
      )}
      {shape}
      {showText && m.type !== 'FOLDED' && (
        <text x={m.status !== 'delivered' ? (x1 + stubEnd) / 2 : yEnd - y > ROW_H / 2 ? x1 + (x2 - x1) * 0.3 : midX} y={yEnd - y > ROW_H / 2 ? y + (yEnd - y) * 0.3 - 4 : y - 4} fontSize={9.5} fontWeight={700} textAnchor="middle" fill={color} stroke="white" strokeWidth={3} paintOrder="stroke">
          {m.type}
        </text>
      )}
      {showText && (
        <text x={textX} y={y + 4} fontSize={10.5} fill={m.status === 'delivered' ? '#343a40' : m.status === 'held' ? '#7048e8' : '#e03131'}>
          {summary}
        </text>
      )}
    </g>
  );
}

/** The selected message in full: who to whom, when, how long the relay took, its fields. */
function Details({ m, follow }: { m: WireMessage | null; follow: (zxid: string) => void }) {
  return (
    <Card withBorder w={300} p="sm" style={{ flex: '0 0 300px' }} data-testid="wire-details" data-seq={m?.seq ?? ''}>
      {!m ? (
        <Text size="sm" c="dimmed">
          Click a message (or focus the diagram and use the arrow keys) to see its fields.
        </Text>
      ) : (
        <Stack gap={6}>
          <Group justify="space-between">
            <Badge color={colorOf(m.type)} variant="filled" style={{ background: colorOf(m.type) }} data-testid="wire-details-type">
              {m.type}
            </Badge>
            <Badge color={m.status === 'delivered' ? 'gray' : m.status === 'held' ? 'violet' : 'red'} variant="light">
              {m.status}
            </Badge>
          </Group>
          <Text size="sm" fw={600}>
            node {m.from} → node {m.to} <Text span size="xs" c="dimmed">({m.link} link)</Text>
          </Text>
          <Text size="xs">{m.summary}</Text>
          <Table fz="xs" verticalSpacing={1} horizontalSpacing={4} withRowBorders={false}>
            <Table.Tbody>
              <KV k="seq" v={String(m.seq)} />
              <KV k="sent" v={ms3(m.time)} />
              <KV k="delivered" v={m.deliveredAt !== null ? `${ms3(m.deliveredAt)} (+${(m.deliveredAt - m.time).toFixed(2)} ms)` : m.status === 'held' ? 'not yet: held' : 'never: dropped'} />
              {m.zxid && <KV k="zxid" v={`${m.zxid} (${epochCounter(m.zxid)})`} />}
              <KV k="bytes" v={String(m.bytes)} />
              {m.fault && <KV k="fault" v={m.fault} />}
            </Table.Tbody>
          </Table>
          <Text size="xs" fw={700} mt={4}>
            Fields
          </Text>
          <ScrollArea.Autosize mah={260}>
            <Table fz="xs" verticalSpacing={1} horizontalSpacing={4} striped data-testid="wire-fields">
              <Table.Tbody>
                {Object.entries(m.fields).map(([k, v]) => (
                  <Table.Tr key={k} data-field={k}>
                    <Table.Td c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      {k}
                    </Table.Td>
                    <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {v === null ? 'null' : String(v)}
                      {typeof v === 'string' && /zxid/i.test(k) && /^0x[0-9a-f]+$/.test(v) ? ` (${epochCounter(v)})` : ''}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
          {m.zxid && WRITE_TYPES.has(m.type) && (
            <Button size="xs" variant="light" onClick={() => follow(m.zxid!)} data-testid="wire-details-follow">
              Follow {m.zxid}
            </Button>
          )}
        </Stack>
      )}
    </Card>
  );
}

function KV({ k, v }: { k: string; v: string }) {
  return (
    <Table.Tr>
      <Table.Td c="dimmed" w={70}>
        {k}
      </Table.Td>
      <Table.Td ff="monospace">{v}</Table.Td>
    </Table.Tr>
  );
}

/** A write by its zxid: the leader's PROPOSALs, the learners' ACKs, the COMMITs (and INFORMs to observers). */
function FollowPanel({ zxid, messages, view, onPick }: { zxid: string; messages: WireMessage[]; view: LabView | null; onPick: (m: WireMessage) => void }) {
  const of = (t: string): WireMessage[] => messages.filter((m) => m.type === t);
  const proposals = of('PROPOSAL');
  const leader = proposals[0]?.from ?? of('COMMIT')[0]?.from ?? null;
  const ackers = [...new Set(of('ACK').filter((m) => leader === null || m.to === leader).map((m) => m.from))].sort((a, b) => a - b);
  const need = view?.quorumNeeded ?? null;
  const voters = view ? view.nodes.filter((n) => !n.observer).length : null;
  // The leader logs and acknowledges its own proposal without a message: it counts as one ACK.
  const acked = leader !== null ? ackers.length + 1 : ackers.length;
  const commits = of('COMMIT');
  const verdict =
    proposals.length === 0 && commits.length === 0
      ? 'No PROPOSAL or COMMIT with this zxid in the capture (it may be older than the ring, or not a write).'
      : `Acknowledged by ${leader !== null ? `the leader (node ${leader}, its own log)` : 'the leader'}${ackers.length > 0 ? ` and ${ackers.length === 1 ? 'node' : 'nodes'} ${ackers.join(', ')}` : ''}: ${acked}${voters !== null ? ` of ${voters}` : ''}${need !== null ? `, ${need} needed` : ''}${need !== null && acked >= need ? ' — a majority' : ''}. ${commits.length > 0 ? `Committed to ${commits.map((m) => m.to).sort((a, b) => a - b).join(', ')}.` : 'No COMMIT yet.'}`;
  const groups: [string, WireMessage[]][] = [
    ['PROPOSAL', proposals],
    ['ACK', of('ACK')],
    ['COMMIT', commits],
    ['INFORM', of('INFORM')],
  ];
  return (
    <Card withBorder p="sm" bg="yellow.0" data-testid="wire-follow" data-zxid={zxid} data-acks={ackers.join(',')} data-majority={need !== null && acked >= need && proposals.length > 0}>
      <Group gap="xs" mb={4}>
        <Text size="sm" fw={700}>
          Following zxid {zxid}
        </Text>
        <Text size="sm" c="dimmed">
          (epoch {epochCounter(zxid).split('/')[0]}, counter {epochCounter(zxid).split('/')[1]})
        </Text>
      </Group>
      <Group gap="lg" align="flex-start">
        {groups.map(([t, ms]) => (
          <div key={t}>
            <Text size="xs" fw={700} c={colorOf(t)}>
              {t} ({ms.length})
            </Text>
            <Group gap={4}>
              {ms.length === 0 ? (
                <Text size="xs" c="dimmed">
                  —
                </Text>
              ) : (
                ms.slice(0, 12).map((m) => (
                  <Tooltip key={m.seq} label={`${ms3(m.time)} · ${m.status}${m.deliveredAt !== null ? ` · +${(m.deliveredAt - m.time).toFixed(2)} ms` : ''}`}>
                    <Badge
                      size="sm"
                      variant={m.status === 'delivered' ? 'light' : 'outline'}
                      color={m.status === 'dropped' ? 'red' : m.status === 'held' ? 'violet' : 'gray'}
                      style={{ cursor: 'pointer', textTransform: 'none' }}
                      onClick={() => onPick(m)}
                      data-testid="follow-msg"
                      data-type={m.type}
                      data-from={m.from}
                      data-to={m.to}
                      data-status={m.status}
                    >
                      {m.from}→{m.to}
                      {m.status !== 'delivered' ? ` ${m.status}` : ''}
                    </Badge>
                  </Tooltip>
                ))
              )}
            </Group>
          </div>
        ))}
      </Group>
      <Text size="xs" mt={6} data-testid="wire-follow-verdict">
        {verdict}
      </Text>
    </Card>
  );
}

// Per-node terminals as tabs: the node's live log, a zkCli-compatible shell connected to that
// node only, and a system shell in the node's folder. The terminals live in the backend, so
// switching tabs or views (or reloading the page) finds them as they were.
import { ActionIcon, Button, Group, Menu, SegmentedControl, Stack, Tabs, Text, Title } from '@mantine/core';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LabApi, TerminalInfo } from '../shared/contract';
import { errorText, useTranslation } from './i18n';
import type { ViewProps } from './views';

type Kind = TerminalInfo['kind'];
const KIND_LABEL: Record<Kind, string> = { log: 'terminals.kindLog', zkcli: 'terminals.kindZkcli', shell: 'terminals.kindShell' };

export function Terminals({ lab, view, run }: ViewProps) {
  const { t: tr } = useTranslation();
  const [terms, setTerms] = useState<TerminalInfo[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [myid, setMyid] = useState('1');
  const [kind, setKind] = useState<Kind>('zkcli');
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async (): Promise<TerminalInfo[]> => {
    const list = await lab.call({ method: 'terminal.list' });
    setTerms(list);
    return list;
  }, [lab]);

  const open = useCallback(
    async (id: number, k: Kind, fresh = false): Promise<void> => {
      setError(null);
      const list = await refresh();
      const existing = list.find((t) => t.myid === id && t.kind === k && !t.exited);
      if (existing && !fresh) {
        setActive(existing.id);
        return;
      }
      try {
        const t = await lab.call({ method: 'terminal.open', myid: id, kind: k, cols: 120, rows: 30 });
        await refresh();
        setActive(t.id);
      } catch (e) {
        setError(errorText(e));
      }
    },
    [lab, refresh],
  );

  // First visit: the zkCli shell of node 1, unless terminals are open already.
  useEffect(() => {
    if (!view) return;
    void refresh().then((list) => {
      if (list.length > 0) setActive((a) => a ?? list.at(-1)!.id);
      else void open(Number(myid), kind);
    });
    const off = lab.onPush((p) => {
      if (p.kind === 'terminal.exit') void refresh();
    });
    return off;
    // Only on entering the view; later opens are the user's.
  }, [lab, view === null]);

  if (!view) return <Text>{tr('terminals.noLab')}</Text>;

  const close = async (id: string): Promise<void> => {
    await run(lab.call({ method: 'terminal.close', id }));
    const list = await refresh();
    if (active === id) setActive(list.at(-1)?.id ?? null);
  };

  return (
    <Stack>
      <Title order={3}>{tr('terminals.title')}</Title>
      <Group>
        <SegmentedControl value={myid} onChange={setMyid} data={view.nodes.map((n) => ({ value: String(n.myid), label: tr('terminals.node', { myid: n.myid }) }))} data-testid="terminal-node" />
        <SegmentedControl value={kind} onChange={(v) => setKind(v as Kind)} data={(Object.keys(KIND_LABEL) as Kind[]).map((k) => ({ value: k, label: tr(KIND_LABEL[k]) }))} data-testid="terminal-kind" />
        <Button onClick={() => open(Number(myid), kind)} data-testid="terminal-open">
          {tr('terminals.open')}
        </Button>
        <Button variant="light" onClick={() => open(Number(myid), kind, true)}>
          {tr('terminals.openAnother')}
        </Button>
      </Group>
      {error && (
        <Text c="red" size="sm" data-testid="terminal-error">
          {error}
        </Text>
      )}
      {terms.length > 0 && (
        <Tabs value={active} onChange={setActive} keepMounted={false}>
          <Tabs.List>
            {terms.map((t) => (
              <Tabs.Tab
                key={t.id}
                value={t.id}
                data-testid={`terminal-tab-${t.myid}-${t.kind}`}
                rightSection={
                  <ActionIcon
                    size="xs"
                    variant="subtle"
                    color="gray"
                    component="span"
                    aria-label={tr('terminals.close', { title: t.title })}
                    onClick={(e: React.MouseEvent) => {
                      e.stopPropagation();
                      void close(t.id);
                    }}
                  >
                    ×
                  </ActionIcon>
                }
              >
                {t.title}
                {t.exited ? tr('terminals.ended') : ''}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {terms.map((t) => (
            <Tabs.Panel key={t.id} value={t.id} pt="xs">
              <TerminalPane lab={lab} info={t} onReopen={() => void close(t.id).then(() => open(t.myid, t.kind, true))} />
            </Tabs.Panel>
          ))}
        </Tabs>
      )}
      <Text size="xs" c="dimmed">
        {tr('terminals.hint')}
      </Text>
    </Stack>
  );
}

/** One xterm.js terminal attached to a backend terminal: its backlog first, then live output. */
function TerminalPane({ lab, info, onReopen }: { lab: LabApi; info: TerminalInfo; onReopen: () => void }) {
  const { t: tr } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const [copied, setCopied] = useState<number | null>(null);
  // The right-click menu, at the pointer (relative to the pane).
  const [menuAt, setMenuAt] = useState<{ x: number; y: number } | null>(null);

  // Copy only when asked (the button, the menu, Ctrl+Shift+C), as terminals do: a selection made
  // to read or to paste elsewhere in the terminal must not replace what the clipboard holds.
  const copy = useCallback((): void => {
    const sel = termRef.current?.getSelection() ?? '';
    if (!sel) return;
    navigator.clipboard
      ?.writeText(sel)
      .then(() => setCopied(sel.length))
      .catch((e: Error) => setError(tr('terminals.copyFailed', { error: e.message })));
  }, [tr]);
  const paste = useCallback((): void => {
    navigator.clipboard
      ?.readText()
      .then((t) => termRef.current?.paste(t))
      .catch((e: Error) => setError(tr('terminals.pasteFailed', { error: e.message })));
  }, [tr]);

  useEffect(() => {
    const id = info.id;
    const term = new Terminal({ convertEol: info.kind === 'log', scrollback: 10_000, fontSize: 13, cursorBlink: true, fontFamily: 'ui-monospace, Menlo, Consolas, monospace' });
    termRef.current = term;
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(ref.current!);
    fit.fit();
    let end: number | null = null;
    const early: { data: string; offset: number }[] = [];
    const off = lab.onPush((p) => {
      if (p.kind === 'terminal.data' && p.id === id) {
        if (end === null) early.push(p);
        else if (p.offset >= end) term.write(p.data);
      }
      if (p.kind === 'terminal.exit' && p.id === id) term.write(`\r\n\x1b[2m[process exited with ${p.code}]\x1b[0m\r\n`);
    });
    void lab
      .call({ method: 'terminal.backlog', id })
      .then((b) => {
        term.write(b.data);
        end = b.end;
        for (const p of early) if (p.offset >= b.end) term.write(p.data);
        early.length = 0;
        void lab.call({ method: 'terminal.resize', id, cols: term.cols, rows: term.rows }).catch(() => {});
        term.focus();
      })
      .catch((e: Error) => setError(errorText(e)));
    const input = term.onData((data) => {
      lab.call({ method: 'terminal.input', id, data }).catch((e: Error) => setError(errorText(e)));
    });
    // Copy and paste the way terminals do: Ctrl+Shift+C / Ctrl+Shift+V (Ctrl+C stays ^C).
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
      if (e.code === 'KeyC') {
        copy();
        return false;
      }
      if (e.code === 'KeyV') {
        paste();
        return false;
      }
      return true;
    });
    const selection = term.onSelectionChange(() => {
      setSelected(term.getSelection().length);
      setCopied(null);
    });
    // The pane fills the window's height (below), so a window resized either way refits the
    // terminal and tells the backend's pty its new size (what `stty size` then says).
    let last = '';
    const resize = new ResizeObserver(() => {
      fit.fit();
      const size = `${term.cols}x${term.rows}`;
      if (size === last) return;
      last = size;
      void lab.call({ method: 'terminal.resize', id, cols: term.cols, rows: term.rows }).catch(() => {});
    });
    resize.observe(ref.current!);
    return () => {
      off();
      input.dispose();
      selection.dispose();
      resize.disconnect();
      termRef.current = null;
      term.dispose();
    };
  }, [lab, info.id, info.kind, copy, paste]);
  return (
    <>
      {error && (
        <Group mb="xs">
          <Text c="red" size="sm">
            {error}
          </Text>
          <Button size="xs" variant="light" onClick={onReopen}>
            {tr('terminals.openNew')}
          </Button>
        </Group>
      )}
      <Group mb={4} gap="xs">
        <Button size="compact-xs" variant="light" disabled={selected === 0} onClick={copy} data-testid="terminal-copy">
          {tr('terminals.copy')}
        </Button>
        <Button size="compact-xs" variant="light" onClick={paste} data-testid="terminal-paste">
          {tr('terminals.paste')}
        </Button>
        <Text size="xs" c="dimmed" data-testid="terminal-copied">
          {copied !== null ? tr('terminals.copied', { count: copied }) : ''}
        </Text>
      </Group>
      <div
        style={{ position: 'relative' }}
        onContextMenu={(e) => {
          e.preventDefault();
          const box = e.currentTarget.getBoundingClientRect();
          setMenuAt({ x: e.clientX - box.left, y: e.clientY - box.top });
        }}
      >
        <div ref={ref} data-testid="terminal" style={{ height: 'max(240px, calc(100vh - 320px))', background: '#000', padding: 4, borderRadius: 4 }} />
        <Menu opened={menuAt !== null} onChange={(o) => !o && setMenuAt(null)} position="bottom-start" withinPortal>
          <Menu.Target>
            <div style={{ position: 'absolute', left: menuAt?.x ?? 0, top: menuAt?.y ?? 0, width: 1, height: 1 }} />
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item disabled={selected === 0} onClick={copy} rightSection={<Text size="xs">Ctrl+Shift+C</Text>}>
              {tr('terminals.copy')}
            </Menu.Item>
            <Menu.Item onClick={paste} rightSection={<Text size="xs">Ctrl+Shift+V</Text>}>
              {tr('terminals.paste')}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </div>
    </>
  );
}

import { Button, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import type { LabApi, LabView } from '../shared/contract';

type Kind = 'log' | 'zkcli' | 'shell';

/** Per-node terminals: the live log, a zkCli-compatible shell on that node, a system shell in its folder. */
export function Terminals({ lab, view }: { lab: LabApi; view: LabView | null }) {
  const [myid, setMyid] = useState<string>('1');
  const [kind, setKind] = useState<Kind>('zkcli');
  const [session, setSession] = useState(0);
  if (!view) return <Text>Launch a lab to open its terminals.</Text>;
  return (
    <Stack>
      <Title order={3}>Terminals</Title>
      <Group>
        <SegmentedControl value={myid} onChange={setMyid} data={view.nodes.map((n) => ({ value: String(n.myid), label: `node ${n.myid}` }))} data-testid="terminal-node" />
        <SegmentedControl
          value={kind}
          onChange={(v) => setKind(v as Kind)}
          data={[
            { value: 'log', label: 'Log' },
            { value: 'zkcli', label: 'zkCli shell' },
            { value: 'shell', label: 'System shell' },
          ]}
          data-testid="terminal-kind"
        />
        <Button variant="light" onClick={() => setSession((s) => s + 1)}>
          Reopen
        </Button>
      </Group>
      <TerminalPane key={`${myid}-${kind}-${session}`} lab={lab} myid={Number(myid)} kind={kind} />
    </Stack>
  );
}

function TerminalPane({ lab, myid, kind }: { lab: LabApi; myid: number; kind: Kind }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const term = new Terminal({ convertEol: kind === 'log', scrollback: 5000, fontSize: 13, cursorBlink: true });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(ref.current!);
    fit.fit();
    let id: string | null = null;
    let closed = false;
    const off = lab.onPush((p) => {
      if (p.kind === 'terminal.data' && p.id === id) term.write(p.data);
      if (p.kind === 'terminal.exit' && p.id === id) term.write(`\r\n[process exited with ${p.code}]\r\n`);
    });
    const input = term.onData((data) => {
      if (id) void lab.call({ method: 'terminal.input', id, data });
    });
    const onResize = (): void => {
      fit.fit();
      if (id) void lab.call({ method: 'terminal.resize', id, cols: term.cols, rows: term.rows });
    };
    window.addEventListener('resize', onResize);
    lab
      .call<{ id: string }>({ method: 'terminal.open', myid, kind, cols: term.cols, rows: term.rows })
      .then((r) => {
        if (closed) void lab.call({ method: 'terminal.close', id: r.id });
        else id = r.id;
        term.focus();
      })
      .catch((e: Error) => setError(e.message));
    return () => {
      closed = true;
      off();
      input.dispose();
      window.removeEventListener('resize', onResize);
      if (id) void lab.call({ method: 'terminal.close', id });
      term.dispose();
    };
  }, [lab, myid, kind]);
  return (
    <>
      {error && <Text c="red">{error}</Text>}
      <div ref={ref} data-testid="terminal" style={{ height: 420, background: '#000', padding: 4 }} />
    </>
  );
}

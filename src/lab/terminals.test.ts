// Terminals on real pseudo-terminals: output reaches the sink with offsets, the backlog joins
// up with later output, input and resize reach the program, an ended terminal says so.
import { afterEach, describe, expect, it } from 'vitest';
import { Terminals } from './terminals';

const chunks: { id: string; data: string; offset: number }[] = [];
const exits: { id: string; code: number | null }[] = [];
const terms = new Terminals({ data: (id, data, offset) => chunks.push({ id, data, offset }), exit: (id, code) => exits.push({ id, code }) });

afterEach(() => terms.closeAll());

async function until(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output: ${JSON.stringify(chunks.map((c) => c.data).join(''))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Terminals', () => {
  it('runs a program on a pty: input, output with offsets, backlog, resize, exit', async () => {
    const t = await terms.open(1, 'shell', 'node 1 shell', '/bin/sh', [], '/tmp', 80, 24);
    expect(terms.list()).toEqual([{ id: t.id, myid: 1, kind: 'shell', title: 'node 1 shell', exitCode: null, exited: false }]);
    const text = (): string => chunks.filter((c) => c.id === t.id).map((c) => c.data).join('');
    terms.write(t.id, 'echo "lab $((6*7))"\r');
    await until(() => text().includes('lab 42'), 'the echo');
    // Offsets count what came before: they make one gapless stream.
    let at = 0;
    for (const c of chunks.filter((x) => x.id === t.id)) {
      expect(c.offset).toBe(at);
      at += c.data.length;
    }
    const b = terms.backlog(t.id);
    expect(b.data).toBe(text());
    expect(b.end).toBe(at);
    terms.resize(t.id, 100, 40);
    terms.write(t.id, 'stty size\r');
    await until(() => text().includes('40 100'), 'the new size');
    terms.write(t.id, 'exit 3\r');
    await until(() => exits.some((e) => e.id === t.id), 'the exit');
    expect(exits.find((e) => e.id === t.id)!.code).toBe(3);
    expect(terms.list()[0]).toMatchObject({ exited: true, exitCode: 3 });
    expect(() => terms.write(t.id, 'x')).toThrow('This terminal has ended; close it and open a new one.');
    terms.close(t.id);
    expect(() => terms.backlog(t.id)).toThrow(`There is no terminal ${t.id}; open a new one.`);
  });
});

describe('Terminals without node-pty', () => {
  it('says why they are unavailable and how to get them, and starts nothing', async () => {
    const missing = Object.assign(new Error("Cannot find module 'node-pty'"), { code: 'MODULE_NOT_FOUND' });
    const none = new Terminals({ data: () => {}, exit: () => {} }, () => Promise.reject(missing));
    await expect(none.open(1, 'shell', 'shell 1', '/bin/sh', [], '/', 80, 24)).rejects.toThrow(
      /^Terminals need node-pty, which is not installed: .*C\+\+ compiler, make and Python 3 .*apt-get install build-essential python3.*Everything else in the lab works without it\.$/,
    );
    expect(none.list()).toEqual([]);
    const broken = new Terminals({ data: () => {}, exit: () => {} }, () => Promise.reject(new Error('pty.node: invalid ELF header')));
    await expect(broken.open(1, 'shell', 'shell 1', '/bin/sh', [], '/', 80, 24)).rejects.toThrow(/^Terminals need node-pty, which does not load \(pty\.node: invalid ELF header\)/);
  });
});

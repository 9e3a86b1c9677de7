// Per-node terminals on pseudo-terminals (node-pty): the node's live log, a zkCli-compatible
// shell connected to that node only, and a system shell in the node's folder. A terminal lives
// in the backend until it is closed, and keeps the tail of its output, so the UI can switch
// tabs, or be reloaded, and find it as it was.
import type { IPty } from 'node-pty';
import type { TerminalInfo } from '../shared/contract';

/** Output kept per terminal for a UI that (re)attaches: about a screenful of scrollback. */
const BACKLOG_CHARS = 256 * 1024;

export type TerminalKind = TerminalInfo['kind'];
export type { TerminalInfo };

interface Term {
  info: TerminalInfo;
  pty: IPty | null;
  backlog: string[];
  backlogChars: number;
  /** Characters printed since the start: the offset of the next chunk. */
  emitted: number;
}

export interface TerminalSink {
  /** `offset`: how many characters the terminal printed before this chunk. */
  data(id: string, data: string, offset: number): void;
  exit(id: string, code: number | null): void;
}

export class Terminals {
  private readonly terms = new Map<string, Term>();
  private next = 1;

  constructor(
    private readonly sink: TerminalSink,
    /** Loads node-pty (an optional dependency: it builds from source where no prebuilt binary fits). */
    private readonly loadPty: () => Promise<typeof import('node-pty')> = () => import('node-pty'),
  ) {}

  /** Starts `file args` on a pty in `cwd`. */
  async open(myid: number, kind: TerminalKind, title: string, file: string, args: string[], cwd: string, cols: number, rows: number, env: Record<string, string> = {}): Promise<TerminalInfo> {
    // Loaded on first use: node-pty is native, and the rest of the backend does not need it.
    let pty: typeof import('node-pty');
    try {
      pty = await this.loadPty();
    } catch (e) {
      throw new Error(ptyMissing(e));
    }
    const id = `t${this.next++}`;
    const p = pty.spawn(file, args, { name: 'xterm-256color', cols, rows, cwd, env: { ...process.env, TERM: 'xterm-256color', ...env } as Record<string, string> });
    const term: Term = { info: { id, myid, kind, title, exitCode: null, exited: false }, pty: p, backlog: [], backlogChars: 0, emitted: 0 };
    this.terms.set(id, term);
    p.onData((data) => {
      term.backlog.push(data);
      term.backlogChars += data.length;
      while (term.backlogChars > BACKLOG_CHARS && term.backlog.length > 1) term.backlogChars -= term.backlog.shift()!.length;
      const offset = term.emitted;
      term.emitted += data.length;
      this.sink.data(id, data, offset);
    });
    p.onExit(({ exitCode }) => {
      term.pty = null;
      term.info.exited = true;
      term.info.exitCode = exitCode;
      this.sink.exit(id, exitCode);
    });
    return { ...term.info };
  }

  list(): TerminalInfo[] {
    return [...this.terms.values()].map((t) => ({ ...t.info }));
  }

  /**
   * What the terminal printed lately, for a UI that attaches to it again, and where that ends
   * (data pushes with a lower offset are in it already).
   */
  backlog(id: string): { data: string; end: number; info: TerminalInfo } {
    const t = this.get(id);
    return { data: t.backlog.join(''), end: t.emitted, info: { ...t.info } };
  }

  write(id: string, data: string): void {
    const t = this.get(id);
    if (!t.pty) throw new Error('This terminal has ended; close it and open a new one.');
    t.pty.write(data);
  }

  resize(id: string, cols: number, rows: number): void {
    this.get(id).pty?.resize(cols, rows);
  }

  /** Ends the terminal; returns the pid of the process it ended, if one still ran. */
  close(id: string): number | null {
    const t = this.terms.get(id);
    if (!t) return null;
    this.terms.delete(id);
    const pid = t.pty?.pid ?? null;
    try {
      t.pty?.kill();
    } catch {
      // already gone
    }
    return pid;
  }

  /** Ends every terminal; returns those whose process still ran. */
  closeAll(): { title: string; pid: number }[] {
    const ended: { title: string; pid: number }[] = [];
    for (const [id, t] of [...this.terms]) {
      const pid = this.close(id);
      if (pid !== null) ended.push({ title: t.info.title, pid });
    }
    return ended;
  }

  private get(id: string): Term {
    const t = this.terms.get(id);
    if (!t) throw new Error(`There is no terminal ${id}; open a new one.`);
    return t;
  }
}

/** Why the terminals are unavailable, and how to get them. */
export function ptyMissing(e: unknown): string {
  const why = (e as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' || (e as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND' ? 'is not installed' : `does not load (${(e as Error)?.message?.split('\n')[0] ?? String(e)})`;
  return (
    `Terminals need node-pty, which ${why}: npm builds it from source where no prebuilt binary fits, and that needs a C++ compiler, make and Python 3 ` +
    '(Debian/Ubuntu: sudo apt-get install build-essential python3; macOS: xcode-select --install; Windows: Visual Studio Build Tools). ' +
    'Then run npm install in the lab\'s folder and start the lab again. Everything else in the lab works without it.'
  );
}

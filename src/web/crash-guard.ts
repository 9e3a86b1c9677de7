// One error must not lose the lab: once the backend serves, an exception nobody caught (a poll
// that rejects, a push that fails validation, a SQLite error such as a full disk) is logged and
// shown in the page, and the backend and its members keep running. Before it serves, an error
// still ends the start, with its sentence.

export interface CrashGuard {
  /** Whether the backend serves (errors after that are survived). */
  started(): boolean;
  /** An error before the backend serves: ends it. */
  crash(text: string): void;
  /** An error survived: for the page (one line). */
  report(message: string): void;
}

export function guardProcess(g: CrashGuard): void {
  const on = (what: string) => (e: unknown) => {
    const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    if (!g.started()) {
      g.crash(text);
      return;
    }
    process.stderr.write(`ZooKeeper Lab: ${what} in the backend; it keeps running, and so do the members: ${text}\n`);
    const first = e instanceof Error ? e.message : String(e);
    g.report(`${what}: ${first.split('\n')[0]} (the backend's log has the rest; the lab keeps running)`);
  };
  process.on('uncaughtException', on('An error nothing caught'));
  process.on('unhandledRejection', on('A promise rejected with nothing to catch it'));
}

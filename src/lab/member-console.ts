// The member console's backend (the `member.command` request): one four-letter word sent to a
// member's own client port, or one AdminServer command fetched from its /commands/<name>, and
// the answer as the member gave it (the AdminServer's JSON indented), for our members, Apache's
// and an attached ensemble's (four-letter words only: the lab does not know its AdminServers).
// Only the commands of src/shared/console-commands.ts are sent: a name outside it is refused
// with the list, and nothing reaches the member.
import { consoleCommand, CONSOLE_COMMANDS, type ConsoleKind } from '../shared/console-commands';
import type { MemberAnswer } from '../shared/api';
import { fourLetter } from './attach';

export interface ConsoleTarget {
  myid: number;
  host: string;
  /** The member's own client port (no lab fault reaches it). */
  clientPort: number;
  /** Its AdminServer's port, or null where the lab does not know it (an attached ensemble). */
  adminPort: number | null;
}

const TIMEOUT_MS = 5000;

export async function askMember(target: ConsoleTarget, kind: ConsoleKind, command: string, timeoutMs = TIMEOUT_MS): Promise<MemberAnswer> {
  if (!consoleCommand(kind, command)) {
    const known = CONSOLE_COMMANDS.filter((c) => c.kind === kind).map((c) => c.name);
    throw new Error(`"${command}" is not ${kind === '4lw' ? 'a four-letter word' : 'an AdminServer command'} the console sends; nothing was sent. Pick one of: ${known.join(', ')}.`);
  }
  const started = performance.now();
  const took = (): number => Math.round((performance.now() - started) * 10) / 10;
  if (kind === '4lw') {
    const sentTo = `${target.host}:${target.clientPort}`;
    try {
      const text = await fourLetter(target.host, target.clientPort, command, timeoutMs);
      return { myid: target.myid, kind, command, sentTo, status: null, ok: text !== '', text, ms: took() };
    } catch (e) {
      throw new Error(`Member ${target.myid} did not answer ${command} on ${sentTo}: ${(e as Error).message === 'timeout' ? `no answer within ${timeoutMs / 1000} s` : (e as Error).message}. Is it up? (The Cluster view shows it.)`);
    }
  }
  if (target.adminPort === null) throw new Error(`The lab does not know member ${target.myid}'s AdminServer (an attached ensemble is read through its four-letter words); use a four-letter word.`);
  const sentTo = `http://${target.host}:${target.adminPort}/commands/${command}`;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(sentTo, { signal: ctl.signal });
    const body = await res.text();
    let text = body;
    try {
      text = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      // Not JSON (an HTML error page): shown as it came.
    }
    return { myid: target.myid, kind, command, sentTo, status: res.status, ok: res.ok, text, ms: took() };
  } catch (e) {
    throw new Error(`Member ${target.myid}'s AdminServer did not answer ${command} at ${sentTo}: ${ctl.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (e as Error).message}. Is the member up? (The Cluster view shows it.)`);
  } finally {
    clearTimeout(timer);
  }
}

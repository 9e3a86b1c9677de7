// A member's terminals (the Terminals view): its server.log followed, zkCli on its client port,
// a shell in its folder; for an attached ensemble's member, zkCli only (the lab has neither its
// log nor its folder).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError } from '../shared/errors';
import { nodeDir, type LabSpec } from './labdir';
import { nodeScript, systemShell } from './platform';
import type { TerminalInfo, TerminalKind, Terminals } from './terminals';

export const ZK_CLI_JS = resolve(__dirname, '..', '..', 'dist', 'client', 'shell', 'main.js');
/** The Log terminal's follower (what tail -F does, on every platform). */
const FOLLOW_LOG_JS = resolve(__dirname, 'follow-log.js');

/** Our zkCli-compatible shell, when it is built. */
export function zkCliAvailable(): boolean {
  return existsSync(ZK_CLI_JS);
}

/**
 * Opens a terminal of `kind` on member `myid` of `where`: the lab, or an attached member's
 * address. `address` is where the lab's own clients reach the member (through its relay).
 */
export function openNodeTerminal(terminals: Terminals, where: LabSpec | { host: string; port: number }, myid: number, kind: TerminalKind, cols: number, rows: number, address: () => string): Promise<TerminalInfo> {
  if (!('nodes' in where)) {
    const h = where;
    if (kind !== 'zkcli') throw new Error('An attached ensemble has no log or folder on this machine that the lab knows of; use the zkCli shell.');
    if (!zkCliAvailable()) throw new Error('The zkCli shell (bin/zk-cli) is not built: run `npm run build`.');
    const cli = nodeScript(ZK_CLI_JS, ['-server', `${h.host}:${h.port}`]);
    return terminals.open(myid, kind, `zkCli ${h.host}:${h.port}`, cli.file, cli.args, process.cwd(), cols, rows, cli.env);
  }
  const lab = where;
  const n = lab.nodes.find((x) => x.myid === myid);
  if (!n) throw new LabError('noNode', { myid });
  const dir = nodeDir(lab, myid);
  if (kind === 'log') {
    const f = nodeScript(FOLLOW_LOG_JS, [join(dir, 'server.log'), '500']);
    return terminals.open(myid, kind, `node ${myid} log`, f.file, f.args, dir, cols, rows, f.env);
  }
  if (kind === 'zkcli') {
    if (!zkCliAvailable()) throw new Error('The zkCli shell (bin/zk-cli) is not built: run `npm run build`.');
    // Named, so that a member that is down is said to be node N at once (bin/zk-cli).
    const cli = nodeScript(ZK_CLI_JS, ['-server', address()]);
    return terminals.open(myid, kind, `node ${myid} zkCli`, cli.file, cli.args, dir, cols, rows, { ...cli.env, ZK_CLI_SERVER_NAME: `node ${myid}` });
  }
  return terminals.open(myid, kind, `node ${myid} shell`, systemShell(process.platform, process.env), [], dir, cols, rows);
}

#!/usr/bin/env node
// bin/zk-lab: ZooKeeper Lab from a shell, through the same backend as the app (see help.ts for
// the commands). Arguments are checked here first, then against the lab as it is; only then is
// anything asked of the backend. Errors are one sentence on stderr with a non-zero exit status:
// 1 the lab or its backend refused or failed, 2 a bad command line (nothing was changed), 3 no
// backend or no lab for the folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { type CheckRunView, type DataDirOpened, type LabView, type NetView, type WalkthroughState, type MemberChange, type NodeAction, type Push, type WalkthroughId, type WireMessage, type WireQuery } from '../../shared/contract';
import { check, type Verdict } from '../../shared/check/check';
import { HistoryFormatError, parseHistory } from '../../shared/check/history';
import { sizeAdvice, VERDICT, WALKTHROUGHS } from '../../shared/walkthroughs';
import { parseArgs, UsageError, type Command, type Invocation } from './args';
import { alive, awaitBackendExit, backendLog, ensureBackend, findBackend, labExists, removeLeftovers, startBackend, waitUntil, type BackendInfo, type LabTarget } from './backend';
import { checkFault, checkFaultId, checkMember, checkNode, checkWireMembers } from './checks';
import { faultLine, faultsText, quorumLine, statusDoc, statusText, table, type StatusDoc } from './format';
import { helpText } from './help';
import { connect, RpcError, type Rpc } from './rpc';
import { verdictText } from './verdict';
import { matchesWire, wireLine } from './wire';

/** An error with its exit status. */
class Fail extends Error {
  constructor(
    readonly status: 1 | 2 | 3,
    message: string,
  ) {
    super(message);
  }
}

/** Roles a member settles in once it serves (or has given up electing for now). */
const SETTLED = new Set(['leader', 'follower', 'observer', 'standalone', 'read-only', 'down', 'paused']);

const say = (line: string): void => void process.stderr.write(`zk-lab: ${line}\n`);
const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

class Cli {
  private readonly t: LabTarget;
  private rpc: Rpc | null = null;
  /** The exit status of a command that printed its document and still did not succeed (a walkthrough that disagreed, a check that found a violation). */
  status = 0;

  constructor(private readonly inv: Invocation) {
    this.t = { dir: inv.dir, name: inv.name, root: inv.root };
  }

  /** Prints the command's document (--json) or its text. */
  private print(doc: unknown, text: string): void {
    out(this.inv.json ? JSON.stringify(doc) : text);
  }

  private noLab(): Fail {
    return labExists(this.t)
      ? new Fail(3, `The lab in ${this.t.dir} is shut down (no backend runs for it): zk-lab node start all${this.dirFlag()} starts it again.`)
      : new Fail(3, `There is no lab in ${this.t.dir}: zk-lab launch${this.dirFlag()} starts one.`);
  }

  /** The --dir to repeat in a suggested command (none when the lab is the default one). */
  private dirFlag(): string {
    return this.inv.dirGiven ? ` --dir ${this.inv.dir}` : '';
  }

  private async open(info: BackendInfo): Promise<Rpc> {
    this.rpc = await connect(info.url, { log: backendLog(this.t), pid: info.pid });
    return this.rpc;
  }

  /** The running backend, connected; fails with status 3 when none runs. */
  private async running(): Promise<{ info: BackendInfo; rpc: Rpc }> {
    const info = await findBackend(this.t);
    if (!info) throw this.noLab();
    return { info, rpc: await this.open(info) };
  }

  /** The lab; fails with status 3 when the backend has none. */
  private async lab(rpc: Rpc): Promise<LabView> {
    const lab = await rpc.call({ method: 'state' });
    if (!lab) throw new Fail(3, `There is no lab in ${this.t.dir}: zk-lab launch${this.dirFlag()} starts one.`);
    return lab;
  }

  /** The lab's network, or null from a backend that has none (older than the network). */
  private async net(rpc: Rpc): Promise<NetView | null> {
    try {
      return await rpc.call({ method: 'net.state' });
    } catch (e) {
      if (/went away|did not answer/.test((e as Error).message)) throw e;
      return null;
    }
  }

  private async doc(rpc: Rpc, info: BackendInfo): Promise<StatusDoc> {
    const lab = await this.lab(rpc);
    return statusDoc(lab, await this.net(rpc), info, this.t.dir);
  }

  async run(cmd: Command): Promise<void> {
    switch (cmd.name) {
      case 'help':
        this.print({ help: helpText(cmd.topic) }, helpText(cmd.topic));
        return;
      case 'launch':
        return this.launch(cmd);
      case 'open-datadir':
        return this.openDataDir(cmd);
      case 'status': {
        const { info, rpc } = await this.running();
        const d = await this.doc(rpc, info);
        this.print(d, statusText(d));
        return;
      }
      case 'node':
        return this.node(cmd.action, cmd.myid);
      case 'console': {
        const { rpc } = await this.running();
        const missing = checkMember(await this.lab(rpc), cmd.myid);
        if (missing) throw new Fail(2, missing);
        const a = await rpc.call({ method: 'member.command', myid: cmd.myid, kind: cmd.kind, command: cmd.command });
        this.print(a, a.text.replace(/\n$/, ''));
        if (!a.ok) throw new Fail(1, `Member ${a.myid} answered ${a.command} at ${a.sentTo} with ${a.status !== null ? `HTTP ${a.status}` : 'nothing'}.`);
        return;
      }
      case 'member':
        return this.member(cmd.change);
      case 'fault': {
        const { rpc } = await this.running();
        const problem = checkFault(await this.lab(rpc), cmd.spec);
        if (problem) throw new Fail(2, problem);
        const f = await rpc.call({ method: 'net.fault', spec: cmd.spec });
        this.print(f, faultLine(f));
        return;
      }
      case 'fault.list': {
        const { rpc } = await this.running();
        await this.lab(rpc);
        const net = await rpc.call({ method: 'net.state' });
        this.print(net, `${net.enabled ? '' : `Network: off${net.reason ? ` (${net.reason})` : ''}\n`}${faultsText(net.faults)}`);
        return;
      }
      case 'fault.heal':
      case 'fault.release':
        return this.healOrRelease(cmd.name === 'fault.heal' ? 'heal' : 'release', cmd.id);
      case 'wire':
        return this.wire(cmd.follow, cmd.query);
      case 'walkthrough.list':
        return this.walkthroughList();
      case 'walkthrough.run':
        return this.walkthroughRun(cmd.id, cmd.yes);
      case 'check.history':
        return this.checkHistory(cmd);
      case 'check.run':
        return this.checkRun(cmd);
      case 'shutdown':
        return this.shutdown();
      case 'destroy':
        return this.destroy();
    }
  }

  private async launch(cmd: Extract<Command, { name: 'launch' }>): Promise<void> {
    let info = await findBackend(this.t);
    if (!info && labExists(this.t)) {
      throw new Fail(1, `The lab in ${this.t.dir} exists but is shut down: zk-lab node start all${this.dirFlag()} starts it again, or zk-lab destroy${this.dirFlag()} removes it.`);
    }
    info ??= await startBackend(this.t, say);
    const rpc = await this.open(info);
    const lab = await rpc.call({ method: 'state' });
    if (lab) {
      if (lab.nodes.some((n) => n.role !== 'down')) {
        throw new Fail(1, `A lab is launched in ${this.t.dir} already (${lab.nodes.length} member${lab.nodes.length === 1 ? '' : 's'}, ${lab.serving ? 'serving' : 'not serving'}): zk-lab status${this.dirFlag()} shows it; zk-lab destroy${this.dirFlag()} removes it.`);
      }
      throw new Fail(1, `The lab in ${this.t.dir} is stopped (its backend runs, its members do not): zk-lab node start all${this.dirFlag()} starts them, or zk-lab destroy${this.dirFlag()} removes the lab.`);
    }
    // An even size is allowed for the majority lesson; say what it buys (nothing) before it starts.
    if (cmd.size % 2 === 0) say(sizeAdvice(cmd.size));
    const off = rpc.onPush((p: Push) => {
      if (p.kind === 'progress' && p.progress) say(`[${p.progress.done}/${p.progress.total}] ${p.progress.step}`);
    });
    try {
      await rpc.call({ method: 'launch', size: cmd.size, observers: cmd.observers, engines: cmd.engine, readOnly: cmd.readOnly, reconfig: cmd.reconfig }, 15 * 60_000);
    } catch (e) {
      // Refused before it made anything (e.g. Apache ZooKeeper not installed): leave nothing behind.
      if (info.started && (await rpc.call({ method: 'state' }).catch(() => null)) === null) {
        await this.stopBackend(rpc, info).catch(() => undefined);
        removeLeftovers(this.t);
      }
      throw e;
    } finally {
      off();
    }
    await this.settle(rpc, 60_000);
    const d = await this.doc(rpc, info);
    if (!d.serving) throw new Fail(1, `The lab launched but its quorum does not serve: zk-lab status${this.dirFlag()} shows the members, and their logs are ${this.t.dir}/node<N>/server.log.`);
    this.print({ ...d, backendStarted: info.started }, `Launched lab "${d.name}" in ${d.dir}: ${quorumLine(d)}\n${statusText(d).split('\n').slice(1).join('\n')}`);
  }

  /** Copies a dataDir into a new lab and starts its members (datadir.open), progress on stderr. */
  private async openDataDir(cmd: Extract<Command, { name: 'open-datadir' }>): Promise<void> {
    let info = await findBackend(this.t);
    if (!info && labExists(this.t)) {
      throw new Fail(1, `There is a lab in ${this.t.dir} already (shut down): zk-lab destroy${this.dirFlag()} removes it, or give another --dir.`);
    }
    info ??= await startBackend(this.t, say);
    const rpc = await this.open(info);
    if (await rpc.call({ method: 'state' })) {
      throw new Fail(1, `There is a lab in ${this.t.dir} already: zk-lab destroy${this.dirFlag()} removes it, or give another --dir.`);
    }
    let lastStep = '';
    const off = rpc.onPush((p: Push) => {
      if (p.kind !== 'progress' || !p.progress || p.progress.step === lastStep) return;
      lastStep = p.progress.step;
      say(p.progress.bytesTotal !== undefined ? p.progress.step : `[${p.progress.done}/${p.progress.total}] ${p.progress.step}`);
    });
    let opened: DataDirOpened;
    try {
      opened = await rpc.call({ method: 'datadir.open', path: cmd.path, nodes: cmd.nodes, readOnly: cmd.readOnly }, 60 * 60_000);
    } catch (e) {
      // Refused (a bad file, no server built): the backend this command started goes too.
      if (info.started && (await rpc.call({ method: 'state' }).catch(() => null)) === null) {
        await this.stopBackend(rpc, info).catch(() => undefined);
        removeLeftovers(this.t);
      }
      throw e;
    } finally {
      off();
    }
    await this.settle(rpc, 60_000);
    const d = await this.doc(rpc, info);
    const { lab: _lab, ...what } = opened;
    this.print(
      { ...d, opened: what, backendStarted: info.started },
      `Opened ${what.path}${cmd.readOnly ? ' read-only' : ''} in lab "${d.name}" (${d.dir}): ${what.znodes} znodes up to zxid ${what.lastZxid}, ${what.sessions} session(s) with ${what.ephemerals} ephemeral znode(s), from ${what.snapshots} snapshot(s) and ${what.logs} log(s) (${what.bytes} bytes) copied to each member${what.ignored.length ? `; left out: ${what.ignored.join(', ')}` : ''}.\n${quorumLine(d)}\n${statusText(d).split('\n').slice(1).join('\n')}`,
    );
  }

  /** Waits until the quorum serves and every member has settled in a role (or `ms`). */
  private async settle(rpc: Rpc, ms: number): Promise<void> {
    await rpc.waitState((l) => l !== null && l.serving && l.nodes.every((n) => SETTLED.has(n.role)), ms);
  }

  /** A membership change (member.change): its steps on stderr, then each member and its config version. */
  private async member(change: MemberChange): Promise<void> {
    const { rpc } = await this.running();
    const lab = await this.lab(rpc);
    if ('myid' in change && !lab.nodes.some((n) => n.myid === change.myid)) {
      throw new Fail(2, `There is no member ${change.myid} in this lab (members: ${lab.nodes.map((n) => n.myid).join(', ')}).`);
    }
    let lastStep = '';
    const off = rpc.onPush((p: Push) => {
      if (p.kind !== 'progress' || !p.progress || p.progress.step === lastStep) return;
      lastStep = p.progress.step;
      say(`[${p.progress.done}/${p.progress.total}] ${p.progress.step}`);
    });
    try {
      const r = await rpc.call({ method: 'member.change', change }, 15 * 60_000);
      const rows = [['myid', 'role', 'config'], ...r.members.map((m) => [String(m.myid), m.observer && m.role !== 'observer' ? `${m.role} (observer)` : m.role, m.configVersion === null ? '-' : `0x${m.configVersion}`])];
      this.print(r, `${r.change[0]!.toUpperCase()}${r.change.slice(1)}${r.version !== null ? `: config version 0x${r.version}` : ''}\n${table(rows)}`);
    } finally {
      off();
    }
  }

  private async node(action: NodeAction, myid: number | 'all'): Promise<void> {
    let info = await findBackend(this.t);
    if (!info) {
      // A lab that was shut down comes back with start: its backend is started for it.
      if (!((action === 'start' || action === 'restart') && labExists(this.t))) throw this.noLab();
      info = await ensureBackend(this.t, say);
    }
    const rpc = await this.open(info);
    const problem = checkNode(await this.lab(rpc), action, myid);
    if (problem) throw new Fail(2, problem);
    let what: string;
    if (myid === 'all') {
      await rpc.call({ method: 'startAll' }, 60_000);
      await this.settle(rpc, 90_000);
      what = 'Started every member that was down';
    } else {
      await rpc.call({ method: 'node', myid, action }, 60_000);
      if (action === 'start' || action === 'restart') {
        await rpc.waitState((l) => SETTLED.has(l?.nodes.find((n) => n.myid === myid)?.role ?? 'down'), 30_000);
      }
      const words: Record<NodeAction, string> = {
        kill: 'killed (SIGKILL)',
        stop: 'stopped (SIGTERM)',
        start: 'started',
        restart: 'restarted',
        pause: 'paused (SIGSTOP)',
        resume: 'resumed (SIGCONT)',
        slow: 'slowed: it applies commits 2 s late',
        unslow: 'applies commits at once again',
      };
      what = `Node ${myid} ${words[action]}`;
    }
    const d = await this.doc(rpc, info);
    const n = myid === 'all' ? null : d.nodes.find((x) => x.myid === myid);
    if (myid === 'all' && !d.serving) throw new Fail(1, `The members started but the quorum does not serve: zk-lab status${this.dirFlag()} shows them, and their logs are ${this.t.dir}/node<N>/server.log.`);
    this.print(d, `${what}${n ? `; it is ${n.role} now${n.pid ? ` (pid ${n.pid})` : ''}` : ''}. The lab: ${quorumLine(d)}.`);
  }

  private async healOrRelease(verb: 'heal' | 'release', id: string | null): Promise<void> {
    const { rpc } = await this.running();
    await this.lab(rpc);
    const before = await rpc.call({ method: 'net.state' });
    const problem = checkFaultId(before, id);
    if (problem) throw new Fail(2, problem);
    const after = await rpc.call({ method: verb === 'heal' ? 'net.heal' : 'net.release', id });
    const which = id === null ? before.faults : before.faults.filter((f) => f.id === id);
    const held = which.reduce((s, f) => s + f.held, 0);
    let text: string;
    if (verb === 'heal') {
      text = which.length === 0 ? 'No fault was in force.' : `Healed ${which.map((f) => `${f.id} (${f.description})`).join(', ')}${held ? `; ${held} held message(s) delivered` : ''}.`;
    } else {
      text = `Released ${held} held message(s)${id ? ` of ${id}` : ''}; the holds stay (zk-lab fault heal ends them).`;
    }
    this.print(after, text);
  }

  private async wire(follow: boolean, query: WireQuery): Promise<void> {
    const { rpc } = await this.running();
    const problem = checkWireMembers(await this.lab(rpc), query.members);
    if (problem) throw new Fail(2, problem);
    const buffered: WireMessage[] = [];
    let live = false;
    let lastSeq = 0;
    const off = follow
      ? rpc.onPush((p) => {
          if (p.kind !== 'wire') return;
          for (const m of p.messages) {
            if (!matchesWire(query, m)) continue;
            if (live) out(wireLine(m).trimEnd());
            else buffered.push(m);
          }
        })
      : () => undefined;
    if (follow) await rpc.call({ method: 'wire.subscribe', on: true });
    const cap = await rpc.call({ method: 'wire.query', query }, 60_000);
    process.stdout.write(cap.messages.map(wireLine).join(''));
    if (!follow) return;
    for (const m of cap.messages) lastSeq = Math.max(lastSeq, m.seq);
    for (const m of buffered) if (m.seq > lastSeq) out(wireLine(m).trimEnd());
    live = true;
    let interrupted = false;
    const stop = (): void => {
      interrupted = true;
      rpc.close();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await rpc.closed;
    off();
    if (!interrupted) throw new Fail(1, `The lab backend stopped; zk-lab wire --follow ends with it.`);
  }

  private walkthroughList(): void {
    const items = Object.entries(WALKTHROUGHS).map(([id, w]) => ({ id, title: w.title, seedSection: w.seedSection, claim: w.claim, needs: w.needs, erases: w.erases }));
    const width = Math.max(...items.map((i) => i.id.length));
    const text = items.map((i) => `${i.id.padEnd(width)}  ${i.title}\n${' '.repeat(width)}  seed ${i.seedSection}; needs ${i.needs}${i.erases ? `\n${' '.repeat(width)}  ERASES ${i.erases} (run it with --yes)` : ''}`).join('\n');
    this.print({ walkthroughs: items }, text);
  }

  /** Runs a walkthrough on the lab, its steps on stderr as they happen, then its verdict. */
  private async walkthroughRun(id: WalkthroughId, yes: boolean): Promise<void> {
    const info = WALKTHROUGHS[id];
    const { rpc } = await this.running();
    await this.lab(rpc);
    if (info.erases && !yes) {
      throw new Fail(2, `The walkthrough ${id} would erase ${info.erases} (lab ${this.t.dir}); nothing was changed. Export what you want to keep (the Tree view's Export), then run zk-lab walkthrough run ${id} --yes${this.dirFlag()}.`);
    }
    let printed = 0;
    let startedAt = Infinity;
    let resolveEnd: (s: WalkthroughState) => void = () => undefined;
    const ended = new Promise<WalkthroughState>((r) => (resolveEnd = r));
    const follow = (s: WalkthroughState): void => {
      if (s.id !== id || s.startedAt < startedAt) return;
      // A step is printed once it is done (or failed), with what the members showed.
      for (; printed < s.steps.length && s.steps[printed]!.status !== 'running'; printed++) {
        const st = s.steps[printed]!;
        say(`[${printed + 1}] ${st.text}${st.observed ? ` → ${st.observed}` : ''}${st.status === 'failed' ? ' (failed)' : ''}`);
      }
      if (!s.running) resolveEnd(s);
    };
    const off = rpc.onPush((p) => {
      if (p.kind === 'walkthrough') follow(p.state);
    });
    const stop = (): void => {
      say('stopping the walkthrough after its current step (Ctrl-C again leaves it running in the lab)');
      process.once('SIGINT', () => process.exit(130));
      void rpc.call({ method: 'walkthrough.stop' }).catch(() => undefined);
    };
    process.once('SIGINT', stop);
    try {
      const first = await rpc.call({ method: 'walkthrough.run', id, confirm: yes });
      if (!first) throw new Fail(1, 'The lab backend did not start the walkthrough; zk-lab status shows the lab.');
      startedAt = first.startedAt;
      say(`running "${info.title}" (seed ${info.seedSection})`);
      follow(first);
      const s = await Promise.race([
        ended,
        rpc.closed.then(() => {
          throw new Fail(1, 'The lab backend stopped during the walkthrough; the lab is as its last step left it.');
        }),
      ]);
      const agrees = s.passed === true;
      const doc = {
        id,
        seedSays: s.seedSays ?? info.claim,
        labSaw: s.labSaw ?? `The walkthrough stopped before its verdict: ${s.error ?? 'no reason given'}`,
        agrees,
      };
      this.print(doc, `${VERDICT.seedSays} (${info.seedSection}): ${doc.seedSays}\n${VERDICT.labSaw}: ${doc.labSaw}\n${agrees ? VERDICT.agrees : VERDICT.disagrees}.`);
      if (!agrees) {
        this.status = 1;
        say(s.error ? `the walkthrough stopped: ${s.error}` : 'the lab did not show what the seed says (see "The lab saw" above).');
      }
    } finally {
      off();
      process.removeListener('SIGINT', stop);
    }
  }

  /** Checks a history file here, without a lab: exit 0 ok, 1 violation, 2 undecided. */
  private checkHistory(cmd: Extract<Command, { name: 'check.history' }>): void {
    let text: string;
    try {
      text = readFileSync(cmd.file, 'utf8');
    } catch (e) {
      throw new Fail(2, `Cannot read the history ${cmd.file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give the path of a history file (one JSON operation per line).`);
    }
    let ops;
    try {
      ops = parseHistory(text);
    } catch (e) {
      if (e instanceof HistoryFormatError) throw new Fail(2, `${cmd.file} is not a history: ${e.message} (the README's "Histories" section has the format).`);
      throw e;
    }
    const v = check(ops, { model: cmd.model, timeLimitMs: cmd.timeLimitMs });
    this.print(v, verdictText(v));
    this.status = v.verdict === 'ok' ? 0 : v.verdict === 'violation' ? 1 : 2;
  }

  /**
   * Records a register workload on the lab under its faults and prints the verdict of the chosen
   * model: its progress on stderr as it goes, the other model's verdict in one line after it.
   * Exit 0 ok, 1 violation, 2 undecided or the run could not go. Ctrl-C ends the recording early
   * (what was recorded is checked).
   */
  private async checkRun(cmd: Extract<Command, { name: 'check.run' }>): Promise<void> {
    const { rpc } = await this.running();
    const lab = await this.lab(rpc);
    if (lab.attached) throw new Fail(2, 'This lab is attached to an ensemble it did not start: a checked run writes znodes and throws faults, so it needs a lab that zk-lab launch (or the app) launched.');
    let logged = 0;
    let lastPhase = '';
    let resolveEnd: (r: CheckRunView) => void = () => undefined;
    const ended = new Promise<CheckRunView>((r) => (resolveEnd = r));
    let startedAt = Infinity;
    const follow = (r: CheckRunView): void => {
      if (r.startedAt < startedAt) return;
      if (r.phase !== lastPhase) {
        lastPhase = r.phase;
        if (r.phase === 'checking') say(`recorded ${r.ops} operations (${r.results.ok} ok, ${r.results.fail} failed, ${r.results.unknown} unknown)`);
      }
      for (; logged < r.log.length; logged++) say(r.log[logged]!.text);
      if (r.phase === 'done' || r.phase === 'failed') resolveEnd(r);
    };
    const off = rpc.onPush((p) => {
      if (p.kind === 'check') follow(p.run);
    });
    const stop = (): void => {
      say('stopping the recording: what was recorded is checked (Ctrl-C again leaves the run going in the lab)');
      process.once('SIGINT', () => process.exit(130));
      void rpc.call({ method: 'check.stop' }).catch(() => undefined);
    };
    process.once('SIGINT', stop);
    let end: CheckRunView;
    try {
      let first: CheckRunView;
      try {
        first = await rpc.call({ method: 'check.start', settings: cmd.settings });
      } catch (e) {
        if (e instanceof RpcError && !/went away|did not answer/.test(e.message)) throw new Fail(2, e.message);
        throw e;
      }
      startedAt = first.startedAt;
      const s = cmd.settings;
      say(`recording ${s.clients} client(s) on ${s.keys} key(s) for ${s.seconds} s, faults: ${s.faults}`);
      follow(first);
      end = await Promise.race([
        ended,
        rpc.closed.then(() => {
          throw new Fail(2, 'The lab backend stopped during the checked run; nothing was checked.');
        }),
      ]);
    } finally {
      off();
      process.removeListener('SIGINT', stop);
    }
    if (end.phase === 'failed' || !end.summary) throw new Fail(2, end.error ?? 'The checked run failed.');
    const sum = end.summary;
    const v = sum.verdicts[cmd.model];
    const other = sum.verdicts[cmd.model === 'zookeeper' ? 'linearizable' : 'zookeeper'];
    if (!v) throw new Fail(2, `The run was recorded (run ${sum.id}) but not checked as ${cmd.model}.`);
    if (cmd.save) {
      const file = await rpc.call({ method: 'check.export', id: sum.id }, 120_000);
      writeFileSync(cmd.save, file.text);
      say(`the history is in ${cmd.save} (zk-lab check history ${cmd.save} checks it again)`);
    }
    const run = { id: sum.id, settings: sum.settings, startedAt: sum.startedAt, endedAt: sum.endedAt, marks: sum.marks, note: sum.note, file: cmd.save };
    const verdicts = { zookeeper: sum.verdicts.zookeeper?.verdict ?? null, linearizable: sum.verdicts.linearizable?.verdict ?? null };
    const faults = sum.marks.filter((m) => m.type === 'net.fault.started').length;
    const elections = sum.marks.filter((m) => m.type === 'ensemble.election.ended').length;
    const tail = `Run ${sum.id}: ${faults} fault(s), ${elections} election(s)${sum.note ? `; ${sum.note}` : ''}.${other ? ` Checked as ${other.model} too: ${other.verdict}.` : ''}`;
    this.print({ ...v, run, verdicts }, `${verdictText(v as Verdict)}\n${tail}`);
    this.status = v.verdict === 'ok' ? 0 : v.verdict === 'violation' ? 1 : 2;
  }

  /** Asks the backend to stop (its members with it) and waits for it to be gone. */
  private async stopBackend(rpc: Rpc, info: BackendInfo): Promise<void> {
    try {
      await rpc.call({ method: 'shutdown' }, 60_000);
    } catch (e) {
      // Gone before it could answer is what was asked; a backend that refuses says why.
      if (!(e instanceof RpcError) || !/went away|Bad request/.test(e.message)) throw e;
    }
    rpc.close();
    if (!(await awaitBackendExit(info.pid, 20_000))) throw new Fail(1, `The lab backend (pid ${info.pid}) did not stop; end it with kill ${info.pid}.`);
  }

  private async shutdown(): Promise<void> {
    const info = await findBackend(this.t);
    if (!info) {
      throw labExists(this.t) ? new Fail(3, `No backend runs for ${this.t.dir}: the lab is shut down already.`) : this.noLab();
    }
    const rpc = await this.open(info);
    const lab = await rpc.call({ method: 'state' });
    const members = (lab?.nodes ?? []).filter((n) => n.pid !== null).map((n) => ({ myid: n.myid, pid: n.pid! }));
    await this.stopBackend(rpc, info);
    if (!(await waitUntil(() => members.every((m) => !alive(m.pid)), 20_000))) {
      const left = members.filter((m) => alive(m.pid));
      throw new Fail(1, `The backend stopped but member${left.length === 1 ? '' : 's'} ${left.map((m) => `${m.myid} (pid ${m.pid})`).join(', ')} still run${left.length === 1 ? 's' : ''}; end ${left.length === 1 ? 'it' : 'them'} with kill ${left.map((m) => m.pid).join(' ')}.`);
    }
    this.print(
      { dir: this.t.dir, name: this.t.name, backendPid: info.pid, members },
      `Lab "${this.t.name}" shut down: its backend (pid ${info.pid}) and ${members.length} running member${members.length === 1 ? '' : 's'} stopped; ${this.t.dir} stays (zk-lab node start all${this.dirFlag()} starts it again).`,
    );
  }

  private async destroy(): Promise<void> {
    let info = await findBackend(this.t);
    if (!info) {
      if (!labExists(this.t)) throw new Fail(3, `There is no lab in ${this.t.dir}: nothing to destroy.`);
      info = await startBackend(this.t, say);
    }
    const rpc = await this.open(info);
    const lab = await rpc.call({ method: 'state' });
    await rpc.call({ method: 'destroy' }, 120_000);
    await this.stopBackend(rpc, info);
    removeLeftovers(this.t);
    this.print(
      { dir: this.t.dir, name: this.t.name, backendPid: info.pid, destroyed: lab !== null },
      lab
        ? `Lab "${this.t.name}" destroyed: its members stopped, ${this.t.dir} removed, and its backend (pid ${info.pid}) stopped.`
        : `There was no lab in ${this.t.dir}; its backend (pid ${info.pid}) stopped.`,
    );
  }

  close(): void {
    this.rpc?.close();
  }
}

/** One line, however the sentence came. */
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

async function main(argv: string[]): Promise<number> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // A reader that went away (zk-lab wire | head) ends the command quietly.
    if (e.code === 'EPIPE') process.exit(0);
  });
  let cli: Cli | null = null;
  try {
    const inv = parseArgs(argv);
    cli = new Cli(inv);
    await cli.run(inv.command);
    return cli.status;
  } catch (e) {
    const status = e instanceof UsageError ? 2 : e instanceof Fail ? e.status : 1;
    say(oneLine((e as Error).message || String(e)));
    return status;
  } finally {
    cli?.close();
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));

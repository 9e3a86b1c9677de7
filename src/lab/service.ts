// The lab backend behind the UI: creates a lab and launches it node by node, acts on nodes
// through the supervisor, polls every node (poller.ts) and keeps what it sees and does in the
// lab's SQLite history, and runs per-node terminals. Everything the UI asks arrives in
// handle(), already validated against the contract; everything it learns goes out as a push.
import { EventEmitter } from 'node:events';
import { checkLabLimits } from '../shared/limits';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Method, RequestOf, Result } from '../shared/api';
import type { DataDirOpened, DuSort, FaultSpec, HistoryEvent, LabSize, LabView, NodeAction, Push, TreeDu } from '../shared/contract';
import { copyIntoNewLab, version2Of, type OpenProgress } from './datadir';
import { saidEvent, step } from './said';
import { said } from '../shared/said';
import { labDu } from './du';
import { netHandlers, terminalHandlers, treeHandlers, walkthroughHandlers, workloadHandlers, type Handlers } from './handlers';
import { NetHost } from './net/host';
import { signalNode } from './node-actions';
import { AttachedEnsemble } from './attach';
import { readUiSettings, writeUiSetting } from './ui-settings';
import { remembering } from './last-lab';
import { labelOwners, LabWatcher, listWatches } from './watches';
import { History, type EventSource } from './history';
import { describeMemberEvent, foldPerTxn } from './member-events';
import { LogRoller, logLimitsFrom } from './logrotate';
import { TreeImports } from './tree-import';
import { pauseUnsupported } from './platform';
import { LoadPanel } from './load-panel';
import { CheckRuns } from './check/runs';
import { LockPlayground } from './locks/playground';
import type { LockMember } from './locks/run';
import type { LoadMember } from './load';
import { createLab, labsRoot, nodeDir, readLab, type LabSpec } from './labdir';
import { labDiskUse } from './disk-use';
import { labView } from './lab-view';
import { POLL_MS, Poller, type PollTarget } from './poller';
import { ProcessFaults, SLOW_APPLY_MS } from './process-faults';
import { apacheAvailable, oursAvailable, Supervisor, waitAdmin, type ExitReport } from './supervisor';
import { openNodeTerminal, zkCliAvailable } from './node-terminals';
import { Terminals, type TerminalInfo, type TerminalKind } from './terminals';
import { TreeBrowser } from './tree';
import type { SideLab } from './learn/control';
import { digestOf } from './tree-acl';
import { findConnection, forgetConnection, listConnections, saveConnection } from './connections';
import { Walkthroughs } from './walkthroughs';
import { LabError } from '../shared/errors';
import { askMember, type ConsoleTarget } from './member-console';
import { Membership } from './membership';

/** "host:port" → [host, port]. */
function splitAddress(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i), Number(a.slice(i + 1))];
}

export class LabService extends EventEmitter {
  private lab: LabSpec | null = null;
  private attached: AttachedEnsemble | null = null;
  private attachTimer: NodeJS.Timeout | null = null;
  /** Writes to the attached ensemble, unlocked by the person for this attach only (attach.writes). */
  private attachedWrites = false;
  private supervisor: Supervisor | null = null;
  private history: History | null = null;
  /** Rolls the members' server.log and the backend's log by size (ZK_LAB_LOG_MAXFILESIZE, ZK_LAB_LOG_MAXBACKUPINDEX). */
  private logRoller: LogRoller | null = null;
  private readonly logLimits = logLimitsFrom(process.env);
  private poller: Poller | null = null;
  private launching = false;
  private readonly terminals = new Terminals({
    data: (id, data, offset) => this.push({ kind: 'terminal.data', id, data, offset }),
    exit: (id, code) => this.push({ kind: 'terminal.exit', id, code }),
  });
  /** Process faults started through net.fault: healing them restarts, resumes or restores the member. */
  private readonly processFaults: ProcessFaults = new ProcessFaults({
    lab: () => this.lab,
    supervisor: () => this.supervisor,
    network: () => this.net.network,
    nodeAction: (myid, action) => this.nodeAction(myid, action),
    record: (myid, type, detail, data) => void this.record(myid, 'lab', type, detail, data),
  });

  /** The lab's network: its relays, faults and capture (net/host.ts). */
  private readonly net: NetHost = new NetHost({
    lab: () => this.lab,
    supervisor: () => this.supervisor,
    attached: () => this.attached !== null,
    history: () => this.history,
    processFaults: this.processFaults,
    record: (type, detail, data) => void this.record(null, 'lab', type, detail, data),
    push: (p) => this.push(p),
  });

  private readonly tree = new TreeBrowser(
    () => this.treeConnectString(),
    (myid) => (this.view()?.nodes.some((x) => x.myid === myid) ? this.clientAddress(myid) : null),
    (path, what) => this.push({ kind: 'tree.changed', path, what }),
    (myid) => this.view()?.nodes.find((x) => x.myid === myid)?.role === 'down',
  );

  /** Tree imports sent in chunks (src/lab/tree-import.ts). */
  private readonly imports = new TreeImports(() => this.tree, (state) => this.push({ kind: 'import', state }));

  private readonly walkthroughs = new Walkthroughs({
    view: () => this.view(),
    node: (myid, action) => this.act(myid, action),
    nodeDir: (myid) => nodeDir(this.lab!, myid),
    address: (myid) => this.clientAddress(myid),
    readOnlyMode: () => this.lab?.readOnly === true,
    record: (type, detail, data) => void this.record(null, 'lab', type, detail, data),
    erased: () => this.poller?.forgetEpochs(),
    push: (state) => this.push({ kind: 'walkthrough', state }),
    sideLab: (size) => this.sideLab(size),
    locks: {
      start: (settings) => this.locks.start(settings),
      state: () => this.locks.state(),
      stop: (reason) => this.locks.stop(reason),
      fault: (client, kind) => this.locks.fault(client, kind),
    },
    applyDelay: (myid, ms) => this.processFaults.applyDelay(myid, ms),
    fault: (spec) => this.net.fault(spec),
    heal: async (id) => void (await this.net.heal(id)),
    wire: (query) => {
      if (!this.net.network) throw new Error(this.net.error ?? 'This lab has no network of its own: destroy it and launch a new one.');
      return this.net.network.query(query);
    },
  });

  /** Membership changes (membership.ts): reconfig, the lab's record following each committed one. */
  private readonly membership = new Membership({
    lab: () => this.lab,
    supervisor: () => this.supervisor,
    refusal: () => (this.attached ? 'This ensemble is attached: the lab changes the membership only of a lab it launched.' : this.launching ? 'The lab is launching: wait for it to finish.' : null),
    view: () => this.view(),
    startNode: (myid) => this.startNode(myid),
    waitAdmin: (myid, ms) => this.waitAdmin(myid, ms),
    // A plain stop, not the lab's stop fault (healing that would start the member again).
    nodeAction: (myid, action) => (action === 'stop' ? this.nodeAction(myid, 'stop') : this.act(myid, action)),
    networkChanged: async () => {
      this.net.close();
      this.net.start(this.lab!);
      await this.net.ready;
    },
    activeFaults: () => this.net.network?.active().length ?? 0,
    progress: (progress) => this.push({ kind: 'progress', progress }),
    record: (myid, type, detail, data) => void this.record(myid, 'lab', type, detail, data),
    refresh: async () => {
      this.poller?.refreshConfigs();
      await this.poller?.pollOnce();
    },
  });

  /** A lab of `size` voters of our server beside this one, for the sizing walkthrough (see WalkthroughControl.sideLab). */
  private async sideLab(size: LabSize): Promise<SideLab> {
    const side = new LabService(`${this.name}-sizing-${size}`);
    const destroy = async (): Promise<void> => void (await side.handle({ method: 'destroy' }));
    try {
      // A folder an interrupted run left behind is removed first.
      if (side.view()) await destroy();
      await side.handle({ method: 'launch', size, observers: 0, engines: 'ours' });
    } catch (e) {
      await destroy().catch(() => undefined);
      throw e;
    }
    return { name: side.name, view: () => side.view(), address: (myid) => side.clientAddress(myid), destroy };
  }

  /** Opens the lab `name` if its folder exists (killing node processes an earlier run left behind). */
  constructor(readonly name = 'default') {
    // The caps must agree before anything uses them (a mistake here is ours, not the user's).
    const problems = checkLabLimits();
    if (problems.length > 0) throw new Error(`The lab's limits disagree: ${problems.join('; ')}`);
    super();
    const existing = readLab(name);
    if (existing) this.adopt(existing);
  }

  private readonly watcher = new LabWatcher((fire) => this.push({ kind: 'watch.fired', fire }));

  private readonly load = new LoadPanel({
    members: () => this.loadMembers(),
    history: () => this.history,
    push: (p) => this.push(p),
    recorded: (ops, startedAt, name) => void this.checks.keepRecorded(ops, startedAt, name).catch((e: Error) => this.record(null, 'lab', 'check.ended', `${name} could not be checked: ${e.message}`, { error: e.message })),
  });

  private readonly checks = new CheckRuns({
    members: () => {
      if (this.attached) throw new Error('This ensemble is attached, and the lab keeps attached ensembles read-only: a checked run writes znodes (under /zk-lab/check) and throws faults, so it runs against a lab the lab launched.');
      return this.loadMembers();
    },
    view: () => this.view(),
    fault: (spec) => this.net.fault(spec),
    heal: async (id) => void (await this.net.heal(id)),
    store: () => this.history,
    push: (run) => this.push({ kind: 'check', run }),
    record: (type, detail, data) => void this.record(null, 'lab', type, detail, data),
  });

  private readonly locks = new LockPlayground({
    members: () => this.lockMembers(),
    serving: () => this.view()?.serving ?? false,
    killMember: async (myid) => {
      await this.act(myid, 'kill');
    },
    store: () => this.history,
    push: (run) => this.push({ kind: 'locks', run }),
    checkHistory: (name, ops, wall0) => this.checks.keepRecorded(ops, wall0, name, 'lock'),
    record: (type, detail, data) => void this.record(null, 'lab', type, detail, data),
  });

  /** The members lock-playground clients connect to (every node, launched or attached). */
  private lockMembers(): LockMember[] {
    return (this.view()?.nodes ?? []).map((n) => {
      const [host, port] = splitAddress(this.clientAddress(n.myid));
      return { myid: n.myid, host, port };
    });
  }

  /** The members the Load panel sends load to: every node of a launched lab. */
  private loadMembers(): LoadMember[] {
    if (this.attached) throw new Error('This ensemble is attached, and the lab keeps attached ensembles read-only: the Load panel writes znodes (under /zk-lab/load), so it runs against a lab the lab launched.');
    if (this.lab?.source?.readOnly) throw new Error(`This lab opened ${this.lab.source.path} read-only: the Load panel writes znodes (under /zk-lab/load), so it runs against a lab that is not read-only.`);
    if (!this.lab) throw new LabError('noLab');
    return this.lab.nodes.map((n) => ({ myid: n.myid, address: this.clientAddress(n.myid) }));
  }

  /**
   * Where the lab's own clients reach member `myid`: through the lab's network (its client relay)
   * when the lab has one, so that a client cut reaches them; an attached member directly.
   */
  clientAddress(myid: number): string {
    if (this.attached) {
      const h = this.attached.hosts[myid - 1]!;
      return `${h.host}:${h.port}`;
    }
    const n = this.lab?.nodes.find((x) => x.myid === myid);
    if (!n) throw new LabError('noMember', { myid });
    return `127.0.0.1:${this.net.network?.clientPort(myid) ?? n.clientPort}`;
  }

  /** Every member's client address (the lab's own sessions use them all). */
  private treeConnectString(): string {
    return this.view()?.nodes.map((n) => this.clientAddress(n.myid)).join(',') ?? '';
  }

  private push(p: Push): void {
    this.emit('push', p);
  }

  private adopt(lab: LabSpec): void {
    this.lab = lab;
    this.history = new History(lab.dir);
    this.supervisor = new Supervisor(lab, (r) => this.onExit(r));
    const { adopted, reaped } = this.supervisor.adoptOrphans();
    if (reaped > 0) this.record(null, 'lab', 'lab.orphans', `killed ${reaped} node process(es) an earlier run of the lab left behind`, { count: reaped });
    if (adopted.length > 0) {
      this.record(null, 'lab', 'lab.adopted', `took over member${adopted.length > 1 ? 's' : ''} ${adopted.map((a) => `${a.myid} (pid ${a.pid})`).join(', ')}, still running from the lab's last backend`, { members: adopted });
    }
    this.poller = new Poller(() => this.pollTargets(), {
      observed: (events) => {
        for (const e of events) this.record(e.myid, 'lab', e.type, e.detail, e.data);
      },
      memberEvents: (myid, events) => {
        for (const e of foldPerTxn(events)) this.record(myid, 'member', e.type, describeMemberEvent(myid, e), e, typeof e.time === 'number' ? e.time : Date.now());
      },
      samples: (rows) => this.history?.samples(rows),
      polled: () => this.push({ kind: 'state', lab: this.view() }),
    });
    this.poller.start();
    this.logRoller = new LogRoller(
      () => [...lab.nodes.map((n) => join(nodeDir(lab, n.myid), 'server.log')), join(lab.dir, 'backend.log')],
      this.logLimits,
      (message) => this.push({ kind: 'backend.error', time: Date.now(), message }),
    );
    this.logRoller.start();
    this.net.start(lab);
  }

  private pollTargets(): PollTarget[] {
    const lab = this.lab;
    const sup = this.supervisor;
    if (!lab || !sup) return [];
    return lab.nodes.map((n) => {
      const p = sup.procs.get(n.myid)!;
      return {
        myid: n.myid,
        adminPort: n.adminPort,
        engine: n.engine ?? 'ours',
        observer: n.observer,
        // A node the lab just sent SIGKILL or SIGTERM is going, whether or not its exit is in yet.
        running: sup.isRunning(n.myid) && p.expecting === null,
        paused: p.paused,
        pid: p.pid,
        epochFile: join(nodeDir(lab, n.myid), 'data', 'version-2', 'currentEpoch'),
        clientPort: n.clientPort,
      };
    });
  }

  private onExit(r: ExitReport): void {
    this.record(r.myid, 'lab', 'node.exited', `node ${r.myid} ${r.how}`, { kind: r.kind, code: r.code, signal: r.signal });
    void this.poller?.pollOnce();
  }

  private record(myid: number | null, source: EventSource, type: string, detail: string, data: Record<string, unknown> = {}, time?: number): HistoryEvent | null {
    if (!this.history) return null;
    const e = this.history.event(myid, source, type, detail, data, time);
    this.push({ kind: 'event', event: e });
    this.load.observe(e);
    return e;
  }

  /**
   * Each request's handler: it must return what the contract's Results promise for its method
   * (src/shared/api.ts), which the compiler checks here.
   */
  private readonly handlers: Handlers = {
    ...treeHandlers(this.tree, this.imports, () => this.refuseAttachedWrite(), (progress) => this.push({ kind: 'tree.progress', progress })),
    ...walkthroughHandlers(this.walkthroughs),
    ...workloadHandlers(this.load, this.checks, this.locks, () => this.refuseAttachedWrite()),
    ...terminalHandlers(this.terminals, (myid, kind, cols, rows) => this.openTerminal(myid, kind, cols, rows)),
    state: () => this.view(),
    launch: (req) => remembering(this.launch(req.size, req.observers, req.engines, req.readOnly ?? false, req.reconfig ?? false), { kind: 'lab', name: this.name }),
    startAll: () => this.startAll(),
    'datadir.open': (req) => remembering(this.openDataDir(req.path, req.nodes, req.readOnly), { kind: 'lab', name: this.name }),
    'tree.du': (req) => this.treeDu(req.path, req.through, req.sort, req.offset, req.limit),
    attach: (req) => {
      const c = req.saved !== undefined ? findConnection(req.saved) : { connectString: req.connectString, auth: req.auth ?? [], readOnly: req.readOnly ?? true };
      const last = { kind: 'attach' as const, connectString: c.connectString, saved: req.saved ?? null, readOnly: c.readOnly, users: c.auth.map((a) => a.user) };
      return remembering(this.attachTo(c.connectString, c.auth, c.readOnly), last);
    },
    'connections.list': () => listConnections(),
    'connections.save': (req) => saveConnection({ name: req.name, connectString: req.connectString, auth: req.auth, readOnly: req.readOnly }),
    'connections.forget': (req) => forgetConnection(req.name),
    'attach.writes': (req) => {
      if (!this.attached) throw new Error('There is no attached ensemble: a lab the lab launched takes writes anyway.');
      this.attachedWrites = req.on;
      this.push({ kind: 'state', lab: this.view() });
      return { writes: req.on };
    },
    'watches.list': async () => ({
      rows: labelOwners(await listWatches((this.view()?.nodes ?? []).filter((n) => n.adminPort > 0).map((n) => ({ myid: n.myid, adminPort: n.adminPort }))), await this.sessionOwners()),
      fired: this.watcher.recent(),
    }),
    'watches.add': (req) => this.watcher.add(this.treeConnectString(), req.path, req.kind),
    'ui.settings': () => readUiSettings(),
    'ui.setting': (req) => {
      writeUiSetting(req.key, req.value);
      return null;
    },
    capabilities: () => ({ apache: apacheAvailable(), ours: oursAvailable(), zkCli: zkCliAvailable(), pauseUnsupported: pauseUnsupported(process.platform) }),
    'lab.diskUse': () => (this.lab ? labDiskUse(this.lab.dir, this.lab.nodes.map((n) => n.myid)) : null),
    node: (req) => this.act(req.myid, req.action),
    destroy: () => remembering(this.destroy(), null),
    history: (req) => ({ events: this.history?.events(req.sinceMs ?? 0) ?? [], samples: this.history?.samplesSince(req.sinceMs ?? 0) ?? [], launchedAt: this.history?.firstEventTime() ?? null }),
    'member.change': (req) => this.membership.run(req.change),
    'member.command': (req) => askMember(this.consoleTarget(req.myid), req.kind, req.command),
    ...netHandlers(this.net),
    shutdown: () => {
      setImmediate(() => this.emit('shutdown'));
      return null;
    },
  };

  /** Handles one request from the UI, already validated against the contract. */
  handle<M extends Method>(req: RequestOf<M>): Promise<Result<M>> {
    // One method's handler for that method's request: the table's type pairs them.
    const handler = this.handlers[req.method] as (r: RequestOf<M>) => Result<M> | Promise<Result<M>>;
    return Promise.resolve().then(() => handler(req));
  }

  /** Creates the lab and starts its nodes one by one, reporting progress. */
  private async launch(size: number, observers: number, engines: 'ours' | 'apache' | 'mixed', readOnly = false, reconfig = false): Promise<LabView | null> {
    if (engines !== 'ours' && !apacheAvailable()) {
      throw new LabError('apacheMissing');
    }
    if (engines !== 'apache' && !oursAvailable()) throw new LabError('notBuilt');
    if (this.launching) throw new LabError('launching');
    if (this.lab || this.attached) throw new LabError('labExists');
    this.launching = true;
    try {
      const total = size + observers;
      this.push({ kind: 'progress', progress: step(said('progressPorts'), 0, total) });
      const lab = await createLab(this.name, size, observers, engines, readOnly, undefined, reconfig);
      this.adopt(lab);
      this.push({ kind: 'progress', progress: step(said('progressNetwork'), 0, total) });
      await this.net.ready;
      this.record(null, 'lab', 'lab.launched', `launched ${size} node(s)${observers ? ` and ${observers} observer(s)` : ''} (${engines === 'mixed' ? 'mixed engines' : engines === 'apache' ? 'Apache ZooKeeper 3.8' : 'our server'}) in ${lab.dir}`, {
        size,
        observers,
        engines,
        readOnly,
        reconfig: lab.reconfigEnabled === true,
        dir: lab.dir,
      });
      await this.startMembers(lab, null, 0);
      return this.view();
    } finally {
      this.launching = false;
      this.push({ kind: 'progress', progress: null });
    }
  }

  /** Starts a new lab's members one by one and waits for them to serve; `extraMs` for each to load its data. */
  private async startMembers(lab: LabSpec, loading: number | null, extraMs: number): Promise<void> {
    const total = lab.nodes.length;
    for (const n of lab.nodes) {
      const s = loading === null ? said('progressStarting', { myid: n.myid, total }) : said('progressStartingLoading', { myid: n.myid, total, znodes: loading });
      this.push({ kind: 'progress', progress: step(s, n.myid - 1, total) });
      this.startNode(n.myid);
      await this.waitAdmin(n.myid, (n.engine === 'apache' ? 60_000 : 15_000) + extraMs);
    }
    this.push({ kind: 'progress', progress: step(said(total > 1 ? 'progressElecting' : 'progressServing'), total, total) });
    await this.waitServing((total > 1 ? 60_000 : 15_000) + extraMs);
  }

  /**
   * Opens a production dataDir (datadir.ts): a checked copy, then a new lab whose members start
   * on it. Anything that fails after the lab folder was made takes the lab away again.
   */
  private async openDataDir(path: string, nodes: 1 | 3 | 5 | 7, readOnly: boolean): Promise<DataDirOpened> {
    if (!oursAvailable()) throw new Error('Our server is not built: run `npm run build`, then open the dataDir again.');
    if (this.launching) throw new LabError('launching');
    if (this.lab || this.attached) throw new Error('There is a lab already: destroy it (or detach) before opening a dataDir in a new one.');
    if (readOnly && nodes !== 1) throw new Error(`A dataDir opened read-only gets one member, not ${nodes}: open it with one member, or without read-only for ${nodes}.`);
    const version2 = version2Of(path);
    this.launching = true;
    const progress = (p: OpenProgress): void =>
      this.push({ kind: 'progress', progress: { ...step(p.said, 0, nodes), bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, znodes: p.znodes } });
    let made: LabSpec | null = null;
    try {
      const copied = await copyIntoNewLab(this.name, path, version2, nodes, readOnly, progress);
      made = copied.lab;
      const { lab, summary } = copied;
      this.adopt(lab);
      await this.net.ready;
      this.record(null, 'lab', 'lab.launched', `opened ${resolve(path)}${readOnly ? ' read-only' : ''}: ${summary.znodes} znodes up to zxid ${summary.lastZxid}, on ${nodes} member(s) of ours in ${lab.dir}`, {
        size: nodes,
        engines: 'ours',
        source: resolve(path),
        readOnly,
        znodes: summary.znodes,
        lastZxid: summary.lastZxid,
        dir: lab.dir,
      });
      // A member reads the whole copy before it listens: about 10 s more per 100 MB, so big trees are not given up on.
      await this.startMembers(lab, summary.znodes, Math.ceil(summary.bytes / 10_000_000) * 1000);
      if (!this.view()?.serving) throw new Error(`The members started on the copy but do not serve; read ${join(nodeDir(lab, 1), 'server.log')}.`);
      return { lab: this.view(), path: resolve(path), files: summary.files.length, bytes: summary.bytes, snapshots: summary.snapshots.length, logs: summary.logs.length, lastZxid: summary.lastZxid, znodes: summary.znodes, sessions: summary.sessions, ephemerals: summary.ephemerals, ignored: summary.ignored };
    } catch (e) {
      // No half lab: whatever was made goes (the original was only ever read).
      if (made) {
        const sup = this.supervisor;
        this.shutdownLab();
        await sup?.allExited();
        if (made.dir.startsWith(labsRoot() + sep)) rmSync(made.dir, { recursive: true, force: true });
        this.push({ kind: 'state', lab: null });
      }
      throw e;
    } finally {
      this.launching = false;
      this.push({ kind: 'progress', progress: null });
    }
  }

  /** Where the bytes are under `path`, from the member read through (else the leader, else any running one). */
  private treeDu(path: string, through: number | null, sort: DuSort, offset: number, limit: number): Promise<TreeDu> {
    if (this.attached) throw new Error("Where the bytes are is computed by the member (our AdminServer's lab_du, or an Apache member's snapshot file in its dataDir); an attached ensemble offers the lab neither.");
    if (!this.lab || !this.supervisor) throw new LabError('noLab');
    return labDu(this.lab, this.supervisor, this.view()?.leader ?? null, through, { path, sort, offset, limit });
  }

  private startNode(myid: number): void {
    const sup = this.supervisor!;
    sup.start(myid);
    const n = this.lab!.nodes.find((x) => x.myid === myid)!;
    const pid = sup.procs.get(myid)!.pid;
    this.record(myid, 'lab', 'node.started', ...saidEvent(said(n.engine === 'apache' ? 'nodeStartedApache' : 'nodeStartedOurs', { myid, pid: pid ?? '?' }), { pid, engine: n.engine }));
  }

  /** Starts every node that is not running (a lab reopened after the app was closed). */
  private async startAll(): Promise<LabView | null> {
    const sup = this.supervisor;
    if (!sup || !this.lab) throw new LabError('noLab');
    await this.net.ready;
    for (const n of this.lab.nodes) if (!sup.isRunning(n.myid)) this.startNode(n.myid);
    await this.poller?.pollOnce();
    return this.view();
  }

  /** Resolves when the lab serves, or after `ms` (a lab that cannot elect is still a lab to look at). */
  private waitServing(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (p: Push): void => {
        if (p.kind === 'state' && (!p.lab || p.lab.serving)) done();
      };
      const done = (): void => {
        clearTimeout(timer);
        this.off('push', check);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.on('push', check);
      if (this.view()?.serving) done();
    });
  }

  private waitAdmin(myid: number, ms: number): Promise<void> {
    return waitAdmin(this.supervisor!, this.lab!, myid, ms);
  }

  private async attachTo(connectString: string, auth: { user: string; password: string }[], readOnly: boolean): Promise<LabView | null> {
    if (this.lab) throw new LabError('labOpenNoAttach');
    const attached = new AttachedEnsemble(connectString);
    for (const a of auth) digestOf(a.user, a.password);
    this.closeAttached();
    await this.tree.close();
    // The Tree view's sessions to it connect with this auth (ZooKeeper's addauth at connect).
    for (const a of auth) this.tree.keepAuth(a.user, a.password);
    this.attached = attached;
    this.attachedWrites = !readOnly;
    const loop = async (): Promise<void> => {
      await attached.poll();
      if (this.attached !== attached) return;
      this.push({ kind: 'state', lab: this.view() });
      this.attachTimer = setTimeout(() => void loop(), POLL_MS);
    };
    await loop();
    return this.view();
  }

  /** The lab keeps an ensemble it did not launch read-only unless the person unlocked writes for this attach. */
  private refuseAttachedWrite(): void {
    if (this.lab?.source?.readOnly) {
      throw new Error(`This lab opened ${this.lab.source.path} read-only: the lab writes nothing to it. Destroy it and open the dataDir again without read-only to change a copy.`);
    }
    if (this.attached && !this.attachedWrites) {
      throw new LabError('attachedReadOnly');
    }
  }

  private closeAttached(): void {
    if (this.attachTimer) clearTimeout(this.attachTimer);
    this.attachTimer = null;
    this.attached = null;
    this.attachedWrites = false;
  }

  /**
   * A node action from any path (a card, zk-lab node, a walkthrough, the lock playground): with the
   * lab's network on, kill, stop, pause and slow are faults like the others, in the same list, and
   * healing them undoes them; the other actions end the faults they undo.
   */
  private async act(myid: number, action: NodeAction): Promise<LabView | null> {
    const spec: FaultSpec | null = action === 'kill' || action === 'stop' || action === 'pause' ? { kind: action, myid } : action === 'slow' ? { kind: 'slow-apply', myid, ms: SLOW_APPLY_MS } : null;
    if (spec && this.net.network && this.supervisor?.isRunning(myid) && !(action === 'pause' && this.supervisor.procs.get(myid)?.paused)) {
      await this.net.fault(spec);
      return this.view();
    }
    const v = await this.nodeAction(myid, action);
    // Undone by hand: no longer in force (a restart also clears a member's disk and apply faults).
    if (action === 'unslow' || action === 'restart') this.processFaults.undoneByHand(myid, action);
    this.processFaults.dropStale();
    return v;
  }

  private async nodeAction(myid: number, action: NodeAction): Promise<LabView | null> {
    if (this.attached) throw new LabError('attachedNoSignal');
    const sup = this.supervisor;
    if (!sup || !this.lab) throw new LabError('noLab');
    if (!sup.procs.has(myid)) throw new LabError('noNode', { myid });
    await signalNode(myid, action, {
      sup,
      lab: this.lab,
      record: (type, detail, data) => void this.record(myid, 'lab', type, detail, data),
      applyDelay: (ms) => this.processFaults.applyDelay(myid, ms),
      start: () => this.startNode(myid),
    });
    await this.poller?.pollOnce();
    return this.view();
  }

  private shutdownLab(): string {
    this.load.reset('the lab stopped');
    this.checks.reset('the lab stopped');
    this.locks.closeNow('the lab stopped');
    this.closeAttached();
    this.imports.cancelAll();
    void this.tree.close();
    void this.watcher.close();
    this.poller?.stop();
    this.poller = null;
    this.logRoller?.stop();
    this.logRoller = null;
    this.net.close();
    this.processFaults.clear();
    const members = this.supervisor?.killAll() ?? [];
    const terminals = this.terminals.closeAll();
    this.history?.close();
    this.history = null;
    this.supervisor = null;
    this.lab = null;
    const parts: string[] = [];
    if (members.length > 0) parts.push(`member${members.length > 1 ? 's' : ''} ${members.map((m) => `${m.myid} (pid ${m.pid})`).join(', ')}`);
    if (terminals.length > 0) parts.push(`terminal${terminals.length > 1 ? 's' : ''} ${terminals.map((t) => `"${t.title}" (pid ${t.pid})`).join(', ')}`);
    return parts.join('; ');
  }

  /** Kills every node and removes the lab's folder (its data, logs and history); detaches an attached ensemble. */
  private async destroy(): Promise<null> {
    const lab = this.lab;
    const sup = this.supervisor;
    this.shutdownLab();
    if (lab && sup) {
      await sup.allExited();
      // Only ever a lab folder under the labs root, and only one with a lab.json.
      if (lab.dir.startsWith(labsRoot() + sep) && existsSync(join(lab.dir, 'lab.json'))) rmSync(lab.dir, { recursive: true, force: true });
    }
    this.push({ kind: 'state', lab: null });
    return null;
  }

  /** The lab as the UI shows it. */
  view(): LabView | null {
    if (this.attached) return { ...this.attached.view(), attachedWrites: this.attachedWrites };
    if (!this.lab || !this.supervisor) return null;
    return labView(this.lab, this.supervisor, {
      states: this.poller?.states,
      labClientPort: (myid) => this.net.network?.clientPort(myid) ?? null,
      configVersion: (myid, pid) => this.poller?.configVersion(myid, pid) ?? null,
    });
  }

  /** Where the member console reaches member `myid`: its own client port, and its AdminServer where the lab knows it. */
  private consoleTarget(myid: number): ConsoleTarget {
    if (this.attached) {
      const h = this.attached.hosts[myid - 1];
      if (!h) throw new Error(`There is no member ${myid} in the attached ensemble.`);
      return { myid, host: h.host, clientPort: h.port, adminPort: null };
    }
    const n = this.view()?.nodes.find((x) => x.myid === myid);
    if (!n) throw this.lab ? new LabError('noMember', { myid }) : new LabError('noLab');
    return { myid, host: '127.0.0.1', clientPort: n.clientPort, adminPort: n.adminPort };
  }

  private async openTerminal(myid: number, kind: TerminalKind, cols: number, rows: number): Promise<TerminalInfo> {
    const host = this.attached ? this.attached.hosts[myid - 1] : undefined;
    if (this.attached && !host) throw new Error(`There is no member ${myid} in the attached ensemble.`);
    if (!this.attached && !this.lab) throw new LabError('noLab');
    return openNodeTerminal(this.terminals, host ?? this.lab!, myid, kind, cols, rows, () => this.clientAddress(myid));
  }

  /** The lab's own sessions by id: which view holds each (the watch inspector names them). */
  private async sessionOwners(): Promise<Map<string, { owner: string; client?: number }>> {
    const owners = new Map<string, { owner: string; client?: number }>();
    for (const id of await this.tree.sessionIds()) owners.set(id, { owner: 'tree' });
    const mine = await this.watcher.sessionId();
    if (mine) owners.set(mine, { owner: 'inspector' });
    for (const c of this.locks.state()?.clients ?? []) if (c.sessionId) owners.set(c.sessionId, { owner: 'locks', client: c.id });
    return owners;
  }

  /** Stops polling, closes terminals and kills every node (the app is closing). */
  /** Stops everything the lab started; returns what was running, in words ("" when nothing). */
  close(): string {
    return this.shutdownLab();
  }
}

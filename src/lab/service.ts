// The lab backend behind the UI: creates and launches labs node by node, acts on nodes, reads
// every node's state through its AdminServer a few times a second, turns changes into events
// stored with samples in the lab's SQLite history, and runs per-node terminals (node-pty).
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IPty } from 'node-pty';
import type { HistoryEvent, LabView, NodeView, Push, Request, Role } from '../shared/contract';
import { History } from './history';
import { createLab, nodeDir, readLab, type LabSpec } from './labdir';
import { apacheAvailable, Supervisor } from './supervisor';
import { AttachedEnsemble } from './attach';
import { TreeBrowser } from './tree';

const POLL_MS = 250;
const ZK_CLI = resolve(__dirname, '..', '..', 'bin', 'zk-cli');
const APACHE_ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';

interface Polled {
  role: Role;
  epoch: number | null;
  lastZxid: string | null;
  zabState: string | null;
  connections: number | null;
  outstanding: number | null;
  avgLatency: number | null;
}

async function getJson(port: number, name: string): Promise<any> {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), 400);
  try {
    const r = await fetch(`http://127.0.0.1:${port}/commands/${name}`, { signal: ctl.signal });
    return await r.json();
  } finally {
    clearTimeout(t);
  }
}

export class LabService extends EventEmitter {
  private lab: LabSpec | null = null;
  private attached: AttachedEnsemble | null = null;
  private supervisor: Supervisor | null = null;
  private history: History | null = null;
  private readonly polled = new Map<number, Polled>();
  private pollTimer: NodeJS.Timeout | null = null;
  private lastSampleAt = 0;
  private lastLeader: number | null = null;
  private readonly terminals = new Map<string, IPty>();
  private readonly tree = new TreeBrowser(
    () => this.view()?.nodes.map((n) => (this.attached ? `${this.attached.hosts[n.myid - 1]!.host}:${n.clientPort}` : `127.0.0.1:${n.clientPort}`)).join(',') ?? '',
    (myid) => {
      const n = this.view()?.nodes.find((x) => x.myid === myid);
      if (!n) return null;
      return this.attached ? `${this.attached.hosts[myid - 1]!.host}:${n.clientPort}` : `127.0.0.1:${n.clientPort}`;
    },
  );
  private nextTerminal = 1;

  constructor(private readonly name = 'default') {
    super();
    const existing = readLab(name);
    if (existing) this.adopt(existing);
  }

  private push(p: Push): void {
    this.emit('push', p);
  }

  private adopt(lab: LabSpec): void {
    this.lab = lab;
    this.history = new History(lab.dir);
    this.supervisor = new Supervisor(lab, (myid, how) => this.record(myid, 'node.down', `node ${myid} ${how}`));
    const reaped = this.supervisor.reapOrphans();
    if (reaped > 0) this.record(null, 'lab.orphans', `killed ${reaped} node process(es) left behind by an earlier run`);
    this.pollTimer ??= setInterval(() => void this.poll(), POLL_MS);
  }

  private record(myid: number | null, type: string, detail: string): HistoryEvent | null {
    if (!this.history) return null;
    const e = this.history.event(myid, type, detail);
    this.push({ kind: 'event', event: e });
    return e;
  }

  /** Handles one validated request from the UI. */
  async handle(req: Request): Promise<unknown> {
    switch (req.method) {
      case 'state':
        return this.view();
      case 'launch':
        return this.launch(req.size, req.observers, req.engines);
      case 'attach':
        return this.attachTo(req.connectString);
      case 'tree.children':
        return this.tree.children(req.path, req.through, req.offset, req.limit);
      case 'tree.node':
        return this.tree.node(req.path, req.through);
      case 'tree.create':
        return this.tree.create(req.path, req.data, req.mode, req.ttlMs, req.through);
      case 'tree.set':
        return this.tree.set(req.path, req.data, req.version, req.through);
      case 'tree.delete':
        return this.tree.delete(req.path, req.version, req.recursive, req.through);
      case 'tree.sync':
        return this.tree.sync(req.path, req.through);
      case 'capabilities':
        return { apache: apacheAvailable() };
      case 'node':
        return this.nodeAction(req.myid, req.action);
      case 'destroy':
        return this.destroy();
      case 'history':
        return { events: this.history?.events(req.sinceMs ?? 0) ?? [], samples: this.history?.samples(req.sinceMs ?? 0) ?? [] };
      case 'terminal.open':
        return this.openTerminal(req.myid, req.kind, req.cols, req.rows);
      case 'terminal.input':
        this.terminals.get(req.id)?.write(req.data);
        return null;
      case 'terminal.resize':
        this.terminals.get(req.id)?.resize(req.cols, req.rows);
        return null;
      case 'terminal.close':
        this.terminals.get(req.id)?.kill();
        this.terminals.delete(req.id);
        return null;
    }
  }

  /** Creates (or re-creates) the lab and starts its nodes one by one, reporting progress. */
  private async launch(size: number, observers: number, engines: 'ours' | 'apache' | 'mixed'): Promise<LabView | null> {
    if (engines !== 'ours' && !apacheAvailable()) {
      throw new Error('Apache ZooKeeper is not installed here: install Debian packages zookeeper, libjetty9-java and a JRE, or launch with our engine.');
    }
    if (this.lab && this.supervisor && [...this.supervisor.procs.keys()].some((id) => this.supervisor!.isRunning(id))) {
      throw new Error('A lab is already running; destroy it before launching another.');
    }
    this.shutdownLab();
    const total = size + observers;
    this.push({ kind: 'progress', progress: { step: 'Choosing free ports and writing zoo.cfg files', done: 0, total } });
    const lab = await createLab(this.name, size, observers, engines);
    this.adopt(lab);
    this.record(null, 'lab.launch', `launching ${size} node(s)${observers ? ` and ${observers} observer(s)` : ''} (${engines} engine${engines === 'mixed' ? 's' : ''}) in ${lab.dir}`);
    for (const n of lab.nodes) {
      this.push({ kind: 'progress', progress: { step: `Starting node ${n.myid}`, done: n.myid - 1, total } });
      this.supervisor!.start(n.myid);
      this.record(n.myid, 'node.start', `node ${n.myid} started (pid ${this.supervisor!.procs.get(n.myid)!.pid})`);
      await this.waitAdmin(n.myid, n.engine === 'apache' ? 60_000 : 15_000);
    }
    this.push({ kind: 'progress', progress: { step: 'Waiting for the ensemble to elect a leader', done: total, total } });
    return this.view();
  }

  private async waitAdmin(myid: number, ms: number): Promise<void> {
    const n = this.lab!.nodes.find((x) => x.myid === myid)!;
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!this.supervisor!.isRunning(myid)) {
        const p = this.supervisor!.procs.get(myid)!;
        throw new Error(`Node ${myid} ${p.lastExit ?? 'stopped'} while starting; see ${join(nodeDir(this.lab!, myid), 'server.log')}.`);
      }
      try {
        await getJson(n.adminPort, 'zabstate');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`Node ${myid} did not open its AdminServer on port ${n.adminPort} within ${ms / 1000} s; see its server.log.`);
  }

  private async attachTo(connectString: string): Promise<LabView | null> {
    const attached = new AttachedEnsemble(connectString);
    this.shutdownLab();
    this.attached = attached;
    this.pollTimer ??= setInterval(() => void this.poll(), POLL_MS);
    await this.poll();
    return this.view();
  }

  private async nodeAction(myid: number, action: string): Promise<LabView | null> {
    if (this.attached) throw new Error('This ensemble is attached, not launched by the lab: the lab does not signal processes it does not own.');
    const sup = this.supervisor;
    if (!sup || !this.lab) throw new Error('There is no lab yet: launch one first.');
    if (!sup.procs.has(myid)) throw new Error(`There is no node ${myid} in this lab.`);
    switch (action) {
      case 'kill':
        this.record(myid, 'node.kill', `node ${myid} killed (SIGKILL)`);
        await sup.signal(myid, 'SIGKILL');
        break;
      case 'stop':
        this.record(myid, 'node.stop', `node ${myid} stopped (SIGTERM)`);
        await sup.signal(myid, 'SIGTERM');
        break;
      case 'pause':
        await sup.signal(myid, 'SIGSTOP');
        this.record(myid, 'node.pause', `node ${myid} paused (SIGSTOP)`);
        break;
      case 'resume':
        await sup.signal(myid, 'SIGCONT');
        this.record(myid, 'node.resume', `node ${myid} resumed (SIGCONT)`);
        break;
      case 'start':
      case 'restart':
        if (sup.isRunning(myid)) await sup.signal(myid, 'SIGTERM');
        sup.start(myid);
        this.record(myid, 'node.start', `node ${myid} started (pid ${sup.procs.get(myid)!.pid})`);
        break;
    }
    await this.poll();
    return this.view();
  }

  private shutdownLab(): void {
    this.attached = null;
    void this.tree.close();
    this.supervisor?.killAll();
    for (const t of this.terminals.values()) t.kill();
    this.terminals.clear();
    this.history?.close();
    this.history = null;
    this.supervisor = null;
    this.lab = null;
    this.polled.clear();
    this.lastLeader = null;
  }

  private async destroy(): Promise<null> {
    this.shutdownLab();
    this.push({ kind: 'state', lab: null });
    return null;
  }

  /** Reads every node's AdminServer; changes become events; samples go to the history. */
  private async poll(): Promise<void> {
    if (this.attached) {
      const a = this.attached;
      await a.poll();
      if (this.attached === a) this.push({ kind: 'state', lab: a.view() });
      return;
    }
    const lab = this.lab;
    const sup = this.supervisor;
    if (!lab || !sup) return;
    await Promise.all(
      lab.nodes.map(async (n) => {
        const p = sup.procs.get(n.myid)!;
        let next: Polled;
        if (!sup.isRunning(n.myid)) next = { role: 'down', epoch: null, lastZxid: null, zabState: null, connections: null, outstanding: null, avgLatency: null };
        else if (p.paused) next = { ...(this.polled.get(n.myid) ?? { epoch: null, lastZxid: null, zabState: null, connections: null, outstanding: null, avgLatency: null }), role: 'paused' };
        else {
          try {
            const [zab, mntr] = await Promise.all([getJson(n.adminPort, 'zabstate'), getJson(n.adminPort, 'monitor')]);
            const state = String(mntr.server_state ?? '');
            const role: Role = state === 'leader' || state === 'follower' || state === 'observer' || state === 'standalone' || state === 'read-only' ? state : 'looking';
            // zabstate's last_zxid is a hex string on both engines; standalone has only mntr's.
            const fromZab = typeof zab.last_zxid === 'string' && /^0x[0-9a-f]+$/i.test(zab.last_zxid) ? BigInt(zab.last_zxid).toString(16) : null;
            const lastZxid = fromZab ?? (typeof mntr.last_processed_zxid === 'number' || typeof mntr.last_processed_zxid === 'string' ? BigInt(mntr.last_processed_zxid).toString(16) : null);
            // A member counts as leader or follower only once ZAB reached broadcast; before
            // that it is still electing or syncing (two members may both try to lead for a
            // moment, and only one gets a quorum).
            const zabPhase = typeof zab.zabstate === 'string' ? zab.zabstate : '';
            const settled = role === 'standalone' || role === 'read-only' || role === 'looking' || zabPhase === '' || zabPhase === 'broadcast';
            next = {
              role: settled ? role : 'looking',
              epoch: typeof zab.zab_epoch === 'number' ? zab.zab_epoch : lastZxid ? Number(BigInt(`0x${lastZxid}`) >> 32n) : null,
              lastZxid,
              zabState: zab.zabstate || (role === 'standalone' ? 'standalone' : null),
              connections: mntr.num_alive_connections ?? null,
              outstanding: mntr.outstanding_requests ?? null,
              avgLatency: mntr.avg_latency ?? null,
            };
          } catch {
            next = { role: 'starting', epoch: null, lastZxid: null, zabState: null, connections: null, outstanding: null, avgLatency: null };
          }
        }
        const prev = this.polled.get(n.myid);
        this.polled.set(n.myid, next);
        if (prev && prev.role !== next.role && next.role !== 'starting') {
          this.record(n.myid, 'role.changed', `node ${n.myid}: ${prev.role} → ${next.role}`);
          if (next.role === 'looking') this.record(n.myid, 'election.started', `node ${n.myid} is looking for a leader`);
        }
        if (prev && prev.epoch !== null && next.epoch !== null && next.epoch > prev.epoch) {
          this.record(n.myid, 'epoch.changed', `node ${n.myid}: epoch ${prev.epoch} → ${next.epoch}`);
        }
      }),
    );
    const leaders = lab.nodes.filter((n) => this.polled.get(n.myid)?.role === 'leader').map((n) => n.myid);
    const leader = leaders.length === 1 ? leaders[0]! : null;
    if (leader !== this.lastLeader && leader !== null) {
      this.record(leader, 'leader.changed', `node ${leader} leads${this.lastLeader !== null ? ` (was node ${this.lastLeader})` : ''}`);
    }
    if (leader !== null || this.lastLeader === null) this.lastLeader = leader ?? this.lastLeader;
    const now = Date.now();
    if (now - this.lastSampleAt >= 1000 && this.history) {
      this.lastSampleAt = now;
      for (const n of lab.nodes) {
        const s = this.polled.get(n.myid);
        if (!s) continue;
        const counter = s.lastZxid ? Number(BigInt(`0x${s.lastZxid}`) & 0xffffffffn) : null;
        this.history.sample({ time: now, myid: n.myid, role: s.role, epoch: s.epoch, zxidCounter: counter });
      }
    }
    this.push({ kind: 'state', lab: this.view() });
  }

  /** The lab as the UI shows it. */
  view(): LabView | null {
    if (this.attached) return this.attached.view();
    const lab = this.lab;
    const sup = this.supervisor;
    if (!lab || !sup) return null;
    const nodes: NodeView[] = lab.nodes.map((n) => {
      const p = sup.procs.get(n.myid)!;
      const s = this.polled.get(n.myid);
      return {
        myid: n.myid,
        engine: n.engine ?? 'ours',
        role: sup.isRunning(n.myid) ? (p.paused ? 'paused' : (s?.role ?? 'starting')) : 'down',
        observer: n.observer,
        epoch: s?.epoch ?? null,
        lastZxid: s?.lastZxid ?? null,
        zabState: s?.zabState ?? null,
        connections: s?.connections ?? null,
        outstanding: s?.outstanding ?? null,
        avgLatency: s?.avgLatency ?? null,
        pid: p.pid,
        startedAt: p.startedAt,
        clientPort: n.clientPort,
        adminPort: n.adminPort,
        exitCode: p.exitCode,
        lastError: p.lastExit,
      };
    });
    const voters = nodes.filter((n) => !n.observer);
    const votersUp = voters.filter((n) => n.role === 'leader' || n.role === 'follower' || n.role === 'standalone').length;
    const quorumNeeded = Math.floor(voters.length / 2) + 1;
    const leader = nodes.find((n) => n.role === 'leader')?.myid ?? null;
    return {
      name: lab.name,
      dir: lab.dir,
      attached: false,
      size: voters.length,
      nodes,
      votersUp,
      quorumNeeded,
      serving: votersUp >= quorumNeeded,
      leader,
    };
  }

  private async openTerminal(myid: number, kind: 'log' | 'zkcli' | 'shell', cols: number, rows: number): Promise<{ id: string }> {
    if (this.attached) {
      const h = this.attached.hosts[myid - 1];
      if (!h) throw new Error(`There is no member ${myid} in the attached ensemble.`);
      if (kind !== 'zkcli') throw new Error('An attached ensemble has no log or folder here; use the zkCli shell.');
      return this.spawnTerminal(existsSync(ZK_CLI) ? ZK_CLI : APACHE_ZKCLI, ['-server', `${h.host}:${h.port}`], process.cwd(), cols, rows);
    }
    const lab = this.lab;
    if (!lab) throw new Error('There is no lab yet: launch one first.');
    const n = lab.nodes.find((x) => x.myid === myid);
    if (!n) throw new Error(`There is no node ${myid} in this lab.`);
    const dir = nodeDir(lab, myid);
    let file: string;
    let args: string[];
    if (kind === 'log') {
      file = 'tail';
      args = ['-n', '200', '-F', join(dir, 'server.log')];
    } else if (kind === 'zkcli') {
      // Our zkCli-compatible shell; Apache's zkCli.sh where ours is not there (it speaks the same).
      if (existsSync(ZK_CLI)) file = ZK_CLI;
      else if (existsSync(APACHE_ZKCLI)) file = APACHE_ZKCLI;
      else throw new Error('No zkCli shell is installed: bin/zk-cli is missing (run npm run setup) and Apache ZooKeeper\'s zkCli.sh is not there either.');
      args = ['-server', `127.0.0.1:${n.clientPort}`];
    } else {
      file = process.env.SHELL || '/bin/sh';
      args = [];
    }
    return this.spawnTerminal(file, args, dir, cols, rows);
  }

  private async spawnTerminal(file: string, args: string[], dir: string, cols: number, rows: number): Promise<{ id: string }> {
    const pty = await import('node-pty');
    const term = pty.spawn(file, args, { name: 'xterm-256color', cols, rows, cwd: dir, env: { ...process.env, TERM: 'xterm-256color' } as Record<string, string> });
    const id = `t${this.nextTerminal++}`;
    this.terminals.set(id, term);
    term.onData((data) => this.push({ kind: 'terminal.data', id, data }));
    term.onExit(({ exitCode }) => {
      this.terminals.delete(id);
      this.push({ kind: 'terminal.exit', id, code: exitCode });
    });
    return { id };
  }

  /** Stops polling, closes terminals and kills every node (the app is closing). */
  close(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.shutdownLab();
  }
}

// The lab's request handlers, by domain, for the methods that go straight to one part of the
// lab (the Tree explorer's sessions, the walkthroughs, the workloads, the terminals). LabService
// (service.ts) assembles them with its own into one table; the compiler checks the table has
// a handler for every method of the contract, each returning that method's result.
import type { Method, RequestOf, Result } from '../shared/api';
import type { AclProgress } from '../shared/contract';
import type { CheckRuns } from './check/runs';
import type { LoadPanel } from './load-panel';
import type { LockPlayground } from './locks/playground';
import type { NetHost } from './net/host';
import type { TerminalInfo, TerminalKind, Terminals } from './terminals';
import type { TreeBrowser } from './tree';
import { digestOf } from './tree-acl';
import type { TreeImports } from './tree-import';
import type { Walkthroughs } from './walkthroughs';

/** A handler for every method of the contract, each returning that method's result. */
export type Handlers = { [M in Method]: (req: RequestOf<M>) => Result<M> | Promise<Result<M>> };

/** The handlers of the methods named `<prefix>.…`. */
type Group<P extends string> = Pick<Handlers, Extract<Method, `${P}.${string}`>>;

/**
 * The Tree explorer's methods but tree.du (computed by a member the service picks); `refuseWrite`
 * throws when the lab keeps this ensemble read-only (attached, or a dataDir opened read-only).
 */
export function treeHandlers(tree: TreeBrowser, imports: TreeImports, refuseWrite: () => void, progress: (p: AclProgress | null) => void): Omit<Group<'tree'>, 'tree.du'> {
  return {
    'tree.children': (req) => tree.childrenWithKinds(req.path, req.through, req.offset, req.limit),
    'tree.node': (req) => tree.node(req.path, req.through),
    'tree.create': (req) => {
      refuseWrite();
      return tree.create(req.path, req.data, req.mode, req.ttlMs, req.through);
    },
    'tree.set': (req) => {
      refuseWrite();
      return tree.set(req.path, req.data, req.version, req.through);
    },
    'tree.delete': async (req) => {
      refuseWrite();
      await tree.delete(req.path, req.version, req.recursive, req.through);
      return null;
    },
    'tree.sync': async (req) => {
      await tree.sync(req.path, req.through);
      return null;
    },
    'tree.setAcl': (req) => {
      refuseWrite();
      return tree.setAcl(req.path, req.acl, req.version, req.recursive, req.through, progress);
    },
    'tree.addAuth': (req) => tree.addAuth(req.user, req.password, req.through),
    'tree.identities': (req) => tree.identities(req.through),
    'tree.digest': (req) => ({ id: digestOf(req.user, req.password) }),
    'tree.search': (req) => tree.search(req.prefix, req.through, req.limit),
    'tree.export': (req) => tree.exportTree(req.path, req.through),
    'tree.import': (req) => {
      refuseWrite();
      return tree.importTree(req.path, req.doc, req.overwrite, req.through);
    },
    'tree.import.begin': (req) => {
      refuseWrite();
      return imports.begin(req.path, req.header, req.total, req.overwrite, req.through);
    },
    'tree.import.chunk': (req) => imports.chunk(req.upload, req.nodes),
    'tree.import.commit': (req) => {
      refuseWrite();
      return imports.commit(req.upload);
    },
    'tree.import.cancel': (req) => imports.cancel(req.upload),
    'tree.import.status': (req) => imports.status(req.upload),
  };
}

export function walkthroughHandlers(walkthroughs: Walkthroughs): Group<'walkthrough'> {
  return {
    'walkthrough.run': async (req) => {
      // Answers at once; the steps arrive as pushes.
      walkthroughs.check(req.id, req.confirm ?? false);
      void walkthroughs.run(req.id, req.confirm ?? false, req.pace).catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      return walkthroughs.current();
    },
    'walkthrough.stop': () => {
      walkthroughs.stop();
      return walkthroughs.current();
    },
    'walkthrough.next': (req) => {
      walkthroughs.next(req.pace);
      return walkthroughs.current();
    },
    'walkthrough.state': () => walkthroughs.current(),
  };
}

/** The Load panel, checked runs and the lock playground. */
export function workloadHandlers(load: LoadPanel, checks: CheckRuns, locks: LockPlayground, refuseWrite: () => void): Group<'load' | 'check' | 'locks'> {
  return {
    'load.start': (req) => load.start(req.settings),
    'load.update': (req) => load.update(req.settings),
    'load.stop': () => load.stop(),
    'load.status': () => load.view(),
    'load.runs': () => load.runs(),
    'check.start': (req) => checks.start(req.settings),
    'check.stop': () => checks.stop(),
    'check.state': () => checks.state(),
    'check.runs': (req) => checks.runs(req.limit),
    'check.export': (req) => checks.exportRun(req.id),
    'check.import': (req) => checks.importHistory(req.name, req.text, req.timeLimitS),
    'locks.start': (req) => {
      refuseWrite();
      return locks.start(req.settings);
    },
    'locks.stop': () => locks.stop(),
    'locks.state': () => locks.state(),
    'locks.fault': (req) => locks.fault(req.client, req.fault),
    'locks.runs': (req) => locks.runs(req.limit),
  };
}

export function terminalHandlers(terminals: Terminals, openTerminal: (myid: number, kind: TerminalKind, cols: number, rows: number) => Promise<TerminalInfo>): Group<'terminal'> {
  return {
    'terminal.open': (req) => openTerminal(req.myid, req.kind, req.cols, req.rows),
    'terminal.list': () => terminals.list(),
    'terminal.backlog': (req) => terminals.backlog(req.id),
    'terminal.input': (req) => {
      terminals.write(req.id, req.data);
      return null;
    },
    'terminal.resize': (req) => {
      terminals.resize(req.id, req.cols, req.rows);
      return null;
    },
    'terminal.close': (req) => {
      terminals.close(req.id);
      return null;
    },
  };
}

/** The lab's network: faults, healing, held messages, and the Wire view's capture. */
export function netHandlers(net: NetHost): Group<'net' | 'wire'> {
  return {
    'net.state': () => net.view(),
    'net.fault': (req) => net.fault(req.spec),
    'net.heal': (req) => net.heal(req.id),
    'net.release': (req) => net.release(req.id),
    'wire.query': (req) => net.network?.query(req.query) ?? { messages: [], cap: 0, total: 0, folded: 0, budgetPerSecond: 0 },
    // The transport keeps subscriptions (src/web/server.ts); in-process callers get every push.
    'wire.subscribe': (req) => ({ subscribed: req.on }),
    'wire.save': (req) => net.saveWire(req.fromMs, req.toMs, req.label),
  };
}

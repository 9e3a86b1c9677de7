// The servers every client test runs against: Apache ZooKeeper 3.8 (Debian) and ours
// (bin/zk-server). Both harnesses start real processes on free ports and clean up.
import * as ours from '../support/ourzk';
import * as real from '../support/realzk';

export interface Server {
  readonly connectString: string;
  stop(): Promise<void>;
}

export interface Member extends Server {
  readonly clientPort: number;
  /** AdminServer port (0 when the ensemble was started without one). */
  readonly adminPort: number;
  readonly running: boolean;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface Ensemble {
  readonly connectString: string;
  readonly members: Member[];
  stop(): Promise<void>;
}

export interface Target {
  name: string;
  /** Serves read-only clients when cut off from its quorum (readonlymode.enabled). */
  readOnlyMode: boolean;
  start(opts?: { extendedTypes?: boolean; tickTime?: number }): Promise<Server>;
  /** `admin`: every member runs its AdminServer (ours always do). */
  startEnsemble(size: number, opts?: { tickTime?: number; readOnly?: boolean; admin?: boolean }): Promise<Ensemble>;
}

export const realZk: Target = {
  name: 'Apache ZooKeeper 3.8',
  readOnlyMode: true,
  start: (o = {}) => real.start({ extendedTypes: o.extendedTypes, tickTime: o.tickTime }),
  async startEnsemble(size, o = {}) {
    const e = await real.startEnsemble(size, { tickTime: o.tickTime, readOnly: o.readOnly, admin: o.admin });
    return { connectString: e.connectString, members: e.members.map((m) => wrapReal(m)), stop: () => e.stop() };
  },
};

function wrapReal(m: real.RealZkMember): Member {
  return {
    connectString: m.connectString,
    clientPort: m.clientPort,
    adminPort: m.adminPort,
    get running() {
      return m.running;
    },
    kill: () => m.kill(),
    restart: () => m.restart(),
    stop: () => m.stop(),
  };
}

export const ourZk: Target = {
  name: 'our server',
  readOnlyMode: true,
  start: (o = {}) => ours.start({ extendedTypes: o.extendedTypes, tickTime: o.tickTime, admin: false }),
  async startEnsemble(size, o = {}) {
    const e = await ours.startEnsemble(size, { tickTime: o.tickTime, readOnly: o.readOnly });
    await e.leader();
    return {
      connectString: e.connectString,
      members: e.members.map((m) => ({
        connectString: m.connectString,
        clientPort: m.clientPort,
        adminPort: m.adminPort,
        get running() {
          return m.running;
        },
        kill: () => m.kill(),
        restart: () => m.restart(),
        stop: () => m.stop(),
      })),
      stop: () => e.stop(),
    };
  },
};

export const TARGETS: Target[] = [realZk, ourZk];

/** Resolves when `probe` holds (polled), rejects with `what` after `timeoutMs`. */
export async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

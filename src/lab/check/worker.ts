// The checker in a worker thread (runs.ts's checkAside): a search may take seconds, and the
// backend's event loop keeps polling members and pushing to the UI meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { check, type CheckOptions } from '../../shared/check/check';
import type { HistoryOp } from '../../shared/check/history';

const { ops, opts } = workerData as { ops: HistoryOp[]; opts: CheckOptions };
parentPort!.postMessage(check(ops, opts));

// Waiting on an in-process lab backend (LabService) without sleeping: the condition is checked at
// every push the backend sends, and a timeout says what was awaited and where each member stood.
import type { LabService } from '../../src/lab/service';
import type { LabView } from '../../src/shared/contract';

/** Resolves with the lab view once `pred` holds (checked now and at every state push). */
export function untilLab(lab: LabService, pred: (v: LabView) => boolean, timeoutMs: number, what: string): Promise<LabView> {
  return new Promise((resolve, reject) => {
    const check = (p?: { kind: string }): void => {
      if (p && p.kind !== 'state') return;
      const v = lab.view();
      if (v && pred(v)) {
        clearTimeout(timer);
        lab.off('push', check);
        resolve(v);
      }
    };
    const timer = setTimeout(() => {
      lab.off('push', check);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; nodes: ${JSON.stringify(lab.view()?.nodes.map((n) => [n.myid, n.role, n.epoch, n.lastZxid]))}`));
    }, timeoutMs);
    lab.on('push', check);
    check();
  });
}

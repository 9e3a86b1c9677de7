// The lab's contract from an e2e test, through the page: a request over a WebSocket of the page's
// own origin and token, as the renderer makes it (src/renderer/api.ts). For what a test reads or
// does beside the UI (net.state, a node action) without a second way in.
import type { Page } from 'playwright-core';
import { Results, type RequestIn, type Result } from '../src/shared/api';
import type { LabView } from '../src/shared/contract';

/** Sends `request` and resolves with its result, checked against the method's schema. */
export async function labCall<R extends RequestIn>(page: Page, request: R): Promise<Result<R['method']>> {
  const reply = await page.evaluate(
    (req) =>
      new Promise<{ ok: boolean; result?: unknown; error?: string }>((resolve, reject) => {
        const token = new URLSearchParams(location.search).get('token') ?? '';
        const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
        const id = 424242;
        ws.addEventListener('open', () => ws.send(JSON.stringify({ id, request: req })));
        ws.addEventListener('message', (ev) => {
          const msg = JSON.parse(String(ev.data)) as { id?: number; ok: boolean; result?: unknown; error?: string };
          if (msg.id !== id) return;
          ws.close();
          resolve(msg);
        });
        ws.addEventListener('error', () => reject(new Error('the lab WebSocket failed')));
      }),
    request,
  );
  if (!reply.ok) throw new Error(reply.error ?? 'the lab refused the request');
  return Results[request.method].parse(reply.result) as Result<R['method']>;
}

/** The lab as `state` answers it; a test that asks has launched one, so none is an error. */
export async function labState(page: Page): Promise<LabView> {
  const lab = await labCall(page, { method: 'state' });
  if (!lab) throw new Error('the backend has no lab: launch one first');
  return lab;
}

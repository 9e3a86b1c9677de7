import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { guardNavigation, type Guardable } from './guards';

/** Emits `name` at a guarded fake WebContents; true when a guard prevented it. */
function prevented(name: string, url: string): boolean {
  const wc = new EventEmitter();
  guardNavigation(wc as unknown as Guardable, 'http://127.0.0.1:4000');
  let stopped = false;
  wc.emit(name, { url, preventDefault: () => (stopped = true) });
  return stopped;
}

describe("the window's navigation guards", () => {
  for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
    it(`${name}: the lab's own origin only`, () => {
      expect(prevented(name, 'http://127.0.0.1:4000/?token=ab')).toBe(false);
      expect(prevented(name, 'http://127.0.0.1:4000@evil.example/')).toBe(true);
      expect(prevented(name, 'http://127.0.0.1:40001/')).toBe(true);
      expect(prevented(name, 'https://example.com/')).toBe(true);
    });
  }
  it('refuses every <webview>', () => {
    expect(prevented('will-attach-webview', 'http://127.0.0.1:4000/')).toBe(true);
  });
});

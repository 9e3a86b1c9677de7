// The window's navigation guards, apart from Electron so that they can be tested without it:
// whatever way a page of the window, or a frame in it, tries to go elsewhere (a link, a
// redirect, a frame's own navigation, a <webview>), only the lab's exact origin may load.
import { sameOrigin } from '../shared/origin';

interface GuardEvent {
  url: string;
  preventDefault(): void;
}

/** The part of Electron's WebContents the guards need. */
export interface Guardable {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (e: GuardEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (e: { preventDefault(): void }) => void): unknown;
}

export function guardNavigation(wc: Guardable, origin: string): void {
  for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate'] as const) {
    wc.on(name, (e: GuardEvent) => {
      if (!sameOrigin(e.url, origin)) e.preventDefault();
    });
  }
  wc.on('will-attach-webview', (e) => e.preventDefault());
}

// Where the desktop window opens: the size and place it had when the app was last closed
// (ui-settings.ts keeps them), on a screen that is still there. A laptop taken off its second
// monitor, or a display whose resolution went down, must not open the window off-screen or
// larger than the screen: then it opens on the primary display, centred, no larger than it.
// Pure (no Electron): main/index.ts passes screen.getAllDisplays()'s work areas.
import type { WindowBounds } from '../lab/ui-settings';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The window's size and place for BrowserWindow; no x/y means "centred" (Electron's default). */
export interface Placement {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1440, height: 920 };
/** How much of the window's top edge (its title bar, where a person grabs it) must be on a display. */
const GRAB = { width: 120, height: 32 };

function overlap(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

/**
 * The placement for `saved` (null: never saved) given the displays' work areas (`displays[0]` or
 * `primary` the primary one). A saved place is kept when enough of the window's top edge is on
 * one display, and its size shrinks to fit that display; else the window is centred on the
 * primary display at the saved size, shrunk to fit it.
 */
export function placeWindow(saved: WindowBounds | null, displays: readonly Rect[], primary: Rect = displays[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE }): Placement {
  const size = saved ? { width: saved.width, height: saved.height } : DEFAULT_SIZE;
  const maximized = saved?.maximized ?? false;
  const fit = (area: Rect): { width: number; height: number } => ({ width: Math.min(size.width, area.width), height: Math.min(size.height, area.height) });
  if (saved?.x !== undefined && saved.y !== undefined) {
    const top: Rect = { x: saved.x, y: saved.y, width: size.width, height: GRAB.height };
    const home = displays.find((d) => {
      const o = overlap(top, d);
      return o !== null && o.width >= Math.min(GRAB.width, size.width) && o.height >= GRAB.height;
    });
    if (home) {
      const { width, height } = fit(home);
      // Shrunk to the display, it also moves in so its right and bottom edges stay on it.
      const x = Math.max(home.x, Math.min(saved.x, home.x + home.width - width));
      const y = Math.max(home.y, Math.min(saved.y, home.y + home.height - height));
      return { width, height, x, y, maximized };
    }
  }
  return { ...fit(primary), maximized };
}

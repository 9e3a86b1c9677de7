import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, placeWindow, type Rect } from './bounds';

const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1050 };
/** A second monitor to the laptop's right. */
const monitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('where the desktop window opens', () => {
  it('opens at the default size, centred, the first time', () => {
    expect(placeWindow(null, [laptop])).toEqual({ ...DEFAULT_SIZE, maximized: false });
    // On a small screen, no larger than it.
    expect(placeWindow(null, [{ x: 0, y: 0, width: 1280, height: 760 }])).toEqual({ width: 1280, height: 760, maximized: false });
  });

  it('opens where it was closed, on either display', () => {
    expect(placeWindow({ width: 1400, height: 900, x: 100, y: 50, maximized: false }, [laptop, monitor])).toEqual({ width: 1400, height: 900, x: 100, y: 50, maximized: false });
    expect(placeWindow({ width: 2000, height: 1200, x: 2200, y: 100, maximized: true }, [laptop, monitor])).toEqual({ width: 2000, height: 1200, x: 2200, y: 100, maximized: true });
  });

  it('opens centred on the primary display when the display it was on is gone', () => {
    // Closed on the monitor, opened with the laptop alone: not at x=2200, off every screen.
    expect(placeWindow({ width: 2000, height: 1200, x: 2200, y: 100, maximized: true }, [laptop])).toEqual({ width: 1920, height: 1050, maximized: true });
    expect(placeWindow({ width: 1400, height: 900, x: 2200, y: 100, maximized: false }, [laptop])).toEqual({ width: 1400, height: 900, maximized: false });
    // Its title bar above the top of every display (only its body showed): cannot be grabbed, so centred.
    expect(placeWindow({ width: 1400, height: 900, x: 100, y: -880, maximized: false }, [laptop])).toEqual({ width: 1400, height: 900, maximized: false });
    // A sliver of the title bar at the edge is not enough to grab.
    expect(placeWindow({ width: 1400, height: 900, x: 1900, y: 10, maximized: false }, [laptop])).toEqual({ width: 1400, height: 900, maximized: false });
  });

  it('shrinks to a display that got smaller, staying on it', () => {
    // The monitor now runs at 1920×1050: the window fits it and moves in from the right edge.
    const smaller: Rect = { x: 1920, y: 0, width: 1920, height: 1050 };
    expect(placeWindow({ width: 2000, height: 1200, x: 2200, y: 100, maximized: false }, [laptop, smaller])).toEqual({ width: 1920, height: 1050, x: 1920, y: 0, maximized: false });
    expect(placeWindow({ width: 1400, height: 900, x: 3000, y: 600, maximized: false }, [laptop, smaller])).toEqual({ width: 1400, height: 900, x: 2440, y: 150, maximized: false });
  });

  it('centres on the primary display, not the first listed', () => {
    expect(placeWindow({ width: 3000, height: 1300, maximized: false }, [monitor, laptop], laptop)).toEqual({ width: 1920, height: 1050, maximized: false });
  });
});

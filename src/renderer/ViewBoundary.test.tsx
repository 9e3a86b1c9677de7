// @vitest-environment jsdom
// The error boundary per view (issue 15): a view that throws while rendering shows an error
// panel with its name, the error's message and a "Reload this view" button, while everything
// outside that view (navigation, the other views) keeps rendering; the button renders the view
// again. Without the boundary, React unmounts the whole tree: a blank window.
import { MantineProvider } from '@mantine/core';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { ViewBoundary } from './ViewBoundary';

// Mantine asks for these, which jsdom does not have.
beforeAll(() => {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    configurable: true,
    value: (query: string): MediaQueryList =>
      ({
        matches: false,
        media: query,
        onchange: null,
        addListener: () => {},
        removeListener: () => {},
        addEventListener: () => {},
        removeEventListener: () => {},
        dispatchEvent: () => false,
      }) as MediaQueryList,
  });
  class ResizeObserverShim {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  Object.defineProperty(window, 'ResizeObserver', { writable: true, configurable: true, value: ResizeObserverShim });
  Object.defineProperty(globalThis, 'ResizeObserver', { writable: true, configurable: true, value: ResizeObserverShim });
});

/** While set, the Timeline view throws as it renders. */
let failing = true;
const MESSAGE = 'Cannot read the timeline: no zxid in event 42';

function Timeline(): React.JSX.Element {
  if (failing) throw new Error(MESSAGE);
  return <p>Timeline content</p>;
}

function Tree(): React.JSX.Element {
  return <p>Tree content</p>;
}

let consoleError: MockInstance<typeof console.error>;
beforeEach(() => {
  failing = true;
  // React and the boundary log the caught error; keep the test's output quiet, but look at it.
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  cleanup();
  consoleError.mockRestore();
});

describe('ViewBoundary', () => {
  it("shows the failed view's name and error, keeps the rest of the page, and renders the view again on reload", () => {
    render(
      <MantineProvider>
        <nav>Navigation</nav>
        <ViewBoundary name="Timeline">
          <Timeline />
        </ViewBoundary>
      </MantineProvider>,
    );

    const panel = screen.getByTestId('view-error');
    expect(screen.getByRole('alert')).toBe(panel);
    expect(within(panel).getByText('The Timeline view failed to render')).toBeTruthy();
    expect(within(panel).getByText(MESSAGE)).toBeTruthy();
    expect(screen.queryByText('Timeline content')).toBeNull();
    // What is outside the boundary still renders.
    expect(screen.getByText('Navigation')).toBeTruthy();
    // The boundary leaves the error in the console for a bug report.
    expect(consoleError.mock.calls.some((args) => String(args[0]).includes('The Timeline view failed to render'))).toBe(true);

    failing = false;
    fireEvent.click(within(panel).getByTestId('view-reload'));

    expect(screen.getByText('Timeline content')).toBeTruthy();
    expect(screen.queryByTestId('view-error')).toBeNull();
    expect(screen.getByText('Navigation')).toBeTruthy();
  });

  it('shows the error panel again when the view still fails after a reload', () => {
    render(
      <MantineProvider>
        <ViewBoundary name="Timeline">
          <Timeline />
        </ViewBoundary>
      </MantineProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Reload this view' }));
    const panel = screen.getByTestId('view-error');
    expect(within(panel).getByText(MESSAGE)).toBeTruthy();
    expect(screen.queryByText('Timeline content')).toBeNull();
  });

  it("does not hide another view's content: one failing boundary beside a working one", () => {
    render(
      <MantineProvider>
        <section data-testid="left">
          <ViewBoundary name="Timeline">
            <Timeline />
          </ViewBoundary>
        </section>
        <section data-testid="right">
          <ViewBoundary name="Tree explorer">
            <Tree />
          </ViewBoundary>
        </section>
      </MantineProvider>,
    );

    const panels = screen.getAllByTestId('view-error');
    expect(panels).toHaveLength(1);
    expect(within(screen.getByTestId('left')).getByTestId('view-error')).toBe(panels[0]);
    expect(within(panels[0]!).getByText('The Timeline view failed to render')).toBeTruthy();
    expect(within(screen.getByTestId('right')).getByText('Tree content')).toBeTruthy();
    expect(within(screen.getByTestId('right')).queryByTestId('view-error')).toBeNull();
  });
});

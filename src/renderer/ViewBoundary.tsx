// An error boundary per view: a view that fails to render shows what failed and a button to
// render it again, instead of a blank window; the rest of the app (navigation, the other views,
// the lab itself) goes on.
import { Alert, Button, Code, Stack, Text } from '@mantine/core';
import { Component, type ReactNode } from 'react';

interface Props {
  /** The view's name, for the message. */
  name: string;
  children: ReactNode;
}

export class ViewBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error): void {
    // The browser's console keeps the stack for a bug report.
    console.error(`The ${this.props.name} view failed to render:`, error);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Alert color="red" title={`The ${this.props.name} view failed to render`} data-testid="view-error">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">The lab itself is not affected: its members keep running, and the other views work. Reload this view; if it fails again, the message below says what went wrong.</Text>
          <Code block>{error.message}</Code>
          <Button size="xs" onClick={() => this.setState({ error: null })} data-testid="view-reload">
            Reload this view
          </Button>
        </Stack>
      </Alert>
    );
  }
}

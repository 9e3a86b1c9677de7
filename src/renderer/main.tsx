import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/spotlight/styles.css';
import '@xterm/xterm/css/xterm.css';
import { MantineProvider, createTheme } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectLab } from './api';
import type { LabApi } from '../shared/contract';

const theme = createTheme({ primaryColor: 'teal', fontFamily: 'system-ui, sans-serif' });
// In the desktop app the preload's IPC bridge is the way in; in a browser, the WebSocket.
const bridged = (window as unknown as { lab?: LabApi & { mode: string } }).lab;
const lab: LabApi = bridged && typeof bridged.call === 'function' ? bridged : connectLab();

createRoot(document.getElementById('root')!).render(
  // Light, dark or the system's: Mantine keeps the choice in localStorage (the palette and the
  // navbar switch it); light until one is made.
  <MantineProvider theme={theme} defaultColorScheme="light">
    <Notifications position="bottom-right" limit={4} />
    <App lab={lab} />
  </MantineProvider>,
);
